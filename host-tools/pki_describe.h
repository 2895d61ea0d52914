/*
 * What `vgw pki` prints about a certificate it made: read back from the
 * certificate itself, so the output shows what a peer will see.
 */
#ifndef VGW_PKI_DESCRIBE_H
#define VGW_PKI_DESCRIBE_H

#include <glib.h>
#include <openssl/base.h>

G_BEGIN_DECLS

/* vgw_pki_describe returns lines (each ending in a newline) with |cert|'s
 * subject, issuer (marked when self-signed), validity (marked when
 * expired or not yet valid at |now|, Unix seconds), subjectAltName
 * entries (marked when critical), extended key usage and whether it is a
 * CA, each line "  <field>  <value>".  Newly allocated. */
char *vgw_pki_describe(X509 *cert, gint64 now);

G_END_DECLS

#endif /* VGW_PKI_DESCRIBE_H */
