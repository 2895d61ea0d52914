/*
 * Which TLS Contexts a configuration has: the TLSContexts table's rows,
 * by index (the context number the flash store's tls/N/ and the
 * maintenance verbs use) and by Name (what SIPInterface.TLSContext and
 * ProxySet.TLSContextName refer to). Row 0, "default", always exists
 * (param_config.h).
 */
#ifndef VGW_TLS_CONTEXT_TABLE_H
#define VGW_TLS_CONTEXT_TABLE_H

#include <glib.h>

#include "param/param_config.h"

G_BEGIN_DECLS

/* vgw_tls_context_name returns the Name of TLSContexts row |index| in
 * |cfg| (borrowed), or NULL if there is no such row. */
const char *vgw_tls_context_name(const VgwParamConfig *cfg, guint index);

/* vgw_tls_context_count returns how many rows the TLSContexts table of
 * |cfg| has; vgw_tls_context_index_at the index of the |n|th of them,
 * in ascending order (|n| below the count). */
gsize vgw_tls_context_count(const VgwParamConfig *cfg);
guint vgw_tls_context_index_at(const VgwParamConfig *cfg, gsize n);

/* vgw_tls_context_find returns the index of the row named |name|
 * (compared without case, as AudioCodes names are), or -1. */
int vgw_tls_context_find(const VgwParamConfig *cfg, const char *name);

/* vgw_tls_context_strict_names: TLSContexts row |index|'s
 * StrictHostNameMatch (RFC 5922 host-name matching, tls_hostname.h);
 * FALSE without the row. */
gboolean vgw_tls_context_strict_names(const VgwParamConfig *cfg,
                                      guint index);

/* vgw_tls_context_for_interface returns the context whose certificate
 * the TLS listener of SIP Interface |iface| (its name) serves: the row
 * its TLSContext cell |tls_context| names, else context 0; |why| gets
 * the reason for the log ("SIP Interface lan-2's TLSContext ctx1"),
 * newly allocated. */
guint vgw_tls_context_for_interface(const VgwParamConfig *cfg,
                                    const char *iface,
                                    const char *tls_context, char **why);

/* vgw_tls_context_for_proxy_set returns the context the gateway's TLS
 * connections to the proxies of ProxySet row |set_row| present: the row
 * its TLSContextName names, else its SIP Interface's
 * (GWIPv4SIPInterfaceName, else SBCIPv4SIPInterfaceName; as
 * vgw_tls_context_for_interface), else context 0; |why| gets the reason
 * for the log, newly allocated ("Proxy Set itsp's TLSContextName ctx1",
 * "Proxy Set itsp names no TLSContextName: SIP Interface lan-2's
 * TLSContext ctx2", "default: Proxy Set itsp names no TLSContextName and
 * no SIP Interface"). Whether the set's transport is TLS is the caller's
 * to know: only its TLS proxies present a context. */
guint vgw_tls_context_for_proxy_set(const VgwParamConfig *cfg,
                                    guint set_row, char **why);

G_END_DECLS

#endif /* VGW_TLS_CONTEXT_TABLE_H */
