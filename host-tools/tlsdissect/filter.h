/*
 * `vgw handshakes --filter KEY=VALUE` (repeatable; all must match):
 *   sni=NAME            SNI equal to NAME (case-insensitive)
 *   host=ADDRESS        client or server address
 *   port=N              client or server port
 *   version=1.2|1.3     negotiated TLS version ("TLS 1.3" also accepted)
 *   outcome=completed|refused|incomplete
 *   client-cert=requested|sent|missing   (missing: requested, none sent)
 */
#ifndef TLSD_FILTER_H
#define TLSD_FILTER_H

#include <glib.h>

#include "handshake.h"

G_BEGIN_DECLS

typedef struct TlsdFilter TlsdFilter;

/* tlsd_filter_new parses the |exprs| (NULL-terminated, may be NULL).
 * Fails with G_OPTION_ERROR_BAD_VALUE naming the bad expression. */
TlsdFilter *tlsd_filter_new(char **exprs, GError **error);
void tlsd_filter_free(TlsdFilter *filter);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TlsdFilter, tlsd_filter_free)

/* tlsd_filter_match returns TRUE if |hs| matches every expression. */
gboolean tlsd_filter_match(const TlsdFilter *filter, const TlsdHandshake *hs);

G_END_DECLS

#endif /* TLSD_FILTER_H */
