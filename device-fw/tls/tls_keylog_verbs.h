/*
 * The maintenance verbs of the gateway's own TLS key log (tls_keylog.h;
 * docs/maintenance-protocol.md, "TLS key log"):
 *
 *   tls-keylog on SECONDS [CONTEXT]  record the secrets of new handshakes
 *                                    for SECONDS (1 to 86400), of TLS
 *                                    Context CONTEXT only or of all;
 *                                    answers the state, as status
 *   tls-keylog off                   stop, and wipe the lines held:
 *                                    {"wiped":N}
 *   tls-keylog status                the state ("tls_keylog" of `status`)
 *   tls-keylog read                  the lines held, oldest first, with
 *                                    the state: {"on":..,...,
 *                                    "secrets":["CLIENT_RANDOM ...",...]}
 *
 * Reading does not remove lines: several readers (a capture on each
 * port) each get every line held. The only way out for the secrets is
 * this reply: they are never logged.
 */
#ifndef VGW_TLS_KEYLOG_VERBS_H
#define VGW_TLS_KEYLOG_VERBS_H

#include <glib.h>

#include "mgmt/mgmt_status.h"
#include "mgmt/mgmt_verb.h"
#include "tls/tls_keylog.h"

G_BEGIN_DECLS

/* The verb set, to add with the device's VgwTlsKeylog as its data. */
extern const VgwMgmtVerbSet vgw_tls_keylog_verb_set;

/* vgw_tls_keylog_status fills |out| from |kl| now (monotonic clock). */
void vgw_tls_keylog_status(const VgwTlsKeylog *kl, VgwStatusTlsKeylog *out);

G_END_DECLS

#endif /* VGW_TLS_KEYLOG_VERBS_H */
