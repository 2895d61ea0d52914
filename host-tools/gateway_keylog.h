/*
 * The TLS secrets a running gateway recorded in its own key log (the
 * firmware's tls-keylog verbs, docs/maintenance-protocol.md), fetched
 * through the maintenance port: for `vgw tls keylog read` and for
 * `vgw capture stop`, which embeds them in the capture.
 */
#ifndef VGW_GATEWAY_KEYLOG_H
#define VGW_GATEWAY_KEYLOG_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *text;        /* the NSS key log lines, each ending in "\n"; "" when
                      * none is held (wiped with vgw_gateway_keylog_clear) */
  gsize len;
  guint lines;
  gboolean on;       /* the key log is recording now */
  guint64 dropped;   /* lines pushed out by newer ones since it was on */
} VgwGatewayKeylog;

/* vgw_gateway_keylog_fetch reads the secrets the running gateway |name|
 * holds (tls-keylog read) into |out|. FALSE with |error| set as
 * vgw_conf_request, or VGW_ERROR_FAILED for a reply that is not the
 * key log's. */
gboolean vgw_gateway_keylog_fetch(const char *name, VgwGatewayKeylog *out,
                                  GError **error);

/* vgw_gateway_keylog_clear zeroes and frees the secrets in |k|. */
void vgw_gateway_keylog_clear(VgwGatewayKeylog *k);

G_END_DECLS

#endif /* VGW_GATEWAY_KEYLOG_H */
