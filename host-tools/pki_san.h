/*
 * subjectAltName entries from `vgw pki issue --san` specs.
 *
 * The test PKI makes hostile certificates too, so a name is taken as
 * given: a wildcard may stand anywhere (`*.lab.test`, `a.*.lab.test`,
 * `*`, `f*o.lab.test`), for the peer to accept or refuse.  Only what no
 * certificate can hold is refused.
 */
#ifndef VGW_PKI_SAN_H
#define VGW_PKI_SAN_H

#include <glib.h>
#include <openssl/x509v3.h>

G_BEGIN_DECLS

/* vgw_pki_sans_parse returns one GENERAL_NAME per spec of the
 * NULL-terminated |specs|, in order:
 *   "dns:NAME"    a dNSName;
 *   "ip:ADDRESS"  an iPAddress, IPv4 or IPv6;
 *   "uri:URI"     a uniformResourceIdentifier ("uri:sip:proxy.lab.test").
 * NAME and URI must be non-empty printable ASCII (an IA5String without
 * control characters).  NULL with VGW_ERROR_USAGE naming the spec and what
 * is wrong with it. */
GENERAL_NAMES *vgw_pki_sans_parse(char *const *specs, GError **error);

/* vgw_pki_san_of_host returns the entry that names |host| (non-empty
 * printable ASCII, else NULL): an iPAddress when it is an IP literal,
 * else a dNSName. */
GENERAL_NAMES *vgw_pki_san_of_host(const char *host);

G_END_DECLS

#endif /* VGW_PKI_SAN_H */
