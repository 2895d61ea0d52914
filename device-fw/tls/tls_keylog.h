/*
 * The gateway's own TLS key log (docs/maintenance-protocol.md, "TLS key
 * log"): the secrets of vgwd's TLS connections, in both roles, in the NSS
 * key log format (BoringSSL's SSL_CTX_set_keylog_callback lines), so that
 * a capture of the gateway's own traffic can be decrypted.
 *
 * It is a debugging aid that defeats TLS, hence its rules:
 *  - off at boot, and on only for a bounded time: every enable carries an
 *    expiry (VGW_TLS_KEYLOG_MIN_MS to VGW_TLS_KEYLOG_MAX_MS);
 *  - the lines are kept in memory, at most |max_lines| of them (the oldest
 *    go first, and are counted as dropped), and leave the gateway only
 *    through the maintenance port (the `tls-keylog read` verb): never
 *    through the console or syslog;
 *  - turning it off, by request or at expiry, wipes (zeroes) every line
 *    held;
 *  - the console says when it starts and when it ends, and why.
 *
 * Times are the caller's, in milliseconds, so that the expiry can be
 * tested without waiting; vgw_tls_keylog_enable also arms a main-loop
 * timer that ends the key log at its expiry, and the SSL callback
 * (vgw_tls_keylog_attach) stamps lines, both with
 * g_get_monotonic_time() / 1000: a key log that a main loop runs gets
 * that clock's times.
 */
#ifndef VGW_TLS_KEYLOG_H
#define VGW_TLS_KEYLOG_H

#include <glib.h>
#include <openssl/base.h>
#include <stdint.h>

G_BEGIN_DECLS

/* The bounds of an expiry, and the one `vgw tls keylog on` uses by
 * default. */
#define VGW_TLS_KEYLOG_MIN_MS (1000)
#define VGW_TLS_KEYLOG_DEFAULT_MS (10 * 60 * 1000)
#define VGW_TLS_KEYLOG_MAX_MS (24 * 60 * 60 * 1000)

/* The lines the device's key log holds: five per TLS 1.3 handshake, one
 * per TLS 1.2 handshake; each under 250 bytes. */
#define VGW_TLS_KEYLOG_MAX_LINES 4096

/* A context filter that takes every connection. */
#define VGW_TLS_KEYLOG_ANY_CONTEXT (-1)

#define VGW_TLS_KEYLOG_ERROR (vgw_tls_keylog_error_quark())
GQuark vgw_tls_keylog_error_quark(void);

typedef enum {
  VGW_TLS_KEYLOG_ERROR_DURATION, /* expiry outside the bounds above */
  VGW_TLS_KEYLOG_ERROR_CONTEXT,  /* not a TLS Context index */
} VgwTlsKeylogError;

/* Why a key log ended, for the console line and `status`. */
typedef enum {
  VGW_TLS_KEYLOG_END_NONE,      /* never on since boot */
  VGW_TLS_KEYLOG_END_REQUESTED, /* `tls-keylog off` */
  VGW_TLS_KEYLOG_END_EXPIRED,   /* its expiry passed */
  VGW_TLS_KEYLOG_END_REPLACED,  /* a new `tls-keylog on` */
} VgwTlsKeylogEnd;

typedef struct VgwTlsKeylog VgwTlsKeylog;

typedef struct {
  gboolean on;
  int context;            /* VGW_TLS_KEYLOG_ANY_CONTEXT or a context index */
  gint64 expires_in_ms;   /* while on: until the expiry (>= 0) */
  guint lines;            /* held now */
  guint max_lines;
  guint64 recorded;       /* lines taken since it was turned on */
  guint64 dropped;        /* of those, pushed out by newer ones */
  VgwTlsKeylogEnd last_end; /* how the previous key log ended */
} VgwTlsKeylogInfo;

/* vgw_tls_keylog_new makes a key log, off, holding at most |max_lines|
 * (at least 1) lines once on. */
VgwTlsKeylog *vgw_tls_keylog_new(guint max_lines);

/* vgw_tls_keylog_free wipes the lines held and frees |kl|; NULL allowed. */
void vgw_tls_keylog_free(VgwTlsKeylog *kl);

/* vgw_tls_keylog_enable turns the key log on at |now_ms| until
 * |now_ms| + |duration_ms|, for the connections of TLS Context |context|
 * (VGW_TLS_KEYLOG_ANY_CONTEXT: all). A key log already on ends first (its
 * lines wiped, VGW_TLS_KEYLOG_END_REPLACED). Logs the start on the
 * console. FALSE with |error| set, and nothing changed, for a duration
 * outside [VGW_TLS_KEYLOG_MIN_MS, VGW_TLS_KEYLOG_MAX_MS] or a negative
 * context other than VGW_TLS_KEYLOG_ANY_CONTEXT. */
gboolean vgw_tls_keylog_enable(VgwTlsKeylog *kl, int context,
                               gint64 duration_ms, gint64 now_ms,
                               GError **error);

/* vgw_tls_keylog_disable turns the key log off for |why| and wipes its
 * lines; the end is logged on the console. Nothing happens when it is
 * off. Returns the number of lines wiped. */
guint vgw_tls_keylog_disable(VgwTlsKeylog *kl, VgwTlsKeylogEnd why);

/* vgw_tls_keylog_expire ends the key log (VGW_TLS_KEYLOG_END_EXPIRED) if
 * it is on and its expiry is at or before |now_ms|. TRUE if it ended. */
gboolean vgw_tls_keylog_expire(VgwTlsKeylog *kl, gint64 now_ms);

/* vgw_tls_keylog_add records |line| (one NSS key log line, no newline) of
 * a connection of context |context| at |now_ms|, when the key log is on,
 * not past its expiry (then it ends here), and takes that context. With
 * the key log full, the oldest line is wiped to make room and counted as
 * dropped. TRUE if it was recorded. */
gboolean vgw_tls_keylog_add(VgwTlsKeylog *kl, int context, const char *line,
                            gint64 now_ms);

/* vgw_tls_keylog_info describes |kl| at |now_ms|. */
void vgw_tls_keylog_info(const VgwTlsKeylog *kl, gint64 now_ms,
                         VgwTlsKeylogInfo *out);

/* vgw_tls_keylog_foreach calls |fn| on every line held, oldest first. */
void vgw_tls_keylog_foreach(const VgwTlsKeylog *kl,
                            void (*fn)(const char *line, gpointer data),
                            gpointer data);

/* vgw_tls_keylog_end_name: "none", "requested", "expired", "replaced". */
const char *vgw_tls_keylog_end_name(VgwTlsKeylogEnd why);

/* vgw_tls_keylog_set_device makes |kl| (not owned; NULL: none) the key
 * log that vgw_tls_keylog_attach()ed SSL_CTXs write to. */
void vgw_tls_keylog_set_device(VgwTlsKeylog *kl);

/* vgw_tls_keylog_attach sets |ctx|'s key log callback: the secrets of its
 * connections go to the device's key log, at the time of the monotonic
 * clock, when it is on. Every SSL_CTX vgwd makes (vgw_tls_ctx_new, both
 * roles) is attached; the callback costs nothing but BoringSSL's
 * formatting while the key log is off. */
void vgw_tls_keylog_attach(SSL_CTX *ctx);

/* vgw_tls_keylog_set_context records that |ctx| serves TLS Context
 * |context|: the key log's context filter sees its connections as that
 * context's. An SSL_CTX it was not called on counts as Context 0's. */
void vgw_tls_keylog_set_context(SSL_CTX *ctx, guint context);

G_END_DECLS

#endif /* VGW_TLS_KEYLOG_H */
