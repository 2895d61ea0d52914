/* The gateway's own TLS key log: see tls_keylog.h. */
#include "tls/tls_keylog.h"

#include <openssl/ssl.h>
#include <string.h>

struct VgwTlsKeylog {
  char **ring;        /* max_lines slots; the held lines start at |first| */
  guint max_lines;
  guint first;
  guint count;
  gboolean on;
  int context;
  gint64 expires_ms;
  guint64 recorded;
  guint64 dropped;
  VgwTlsKeylogEnd last_end;
  guint timer;        /* main-loop source ending it at expiry; 0: none */
};

G_DEFINE_QUARK(vgw-tls-keylog-error-quark, vgw_tls_keylog_error)

static VgwTlsKeylog *device_keylog;

static void wipe_line(char *line) {
  if (line != NULL) {
    explicit_bzero(line, strlen(line));
    g_free(line);
  }
}

/* wipe_all zeroes and frees every line held; the number wiped. */
static guint wipe_all(VgwTlsKeylog *kl) {
  guint n = kl->count;

  for (guint i = 0; i < kl->count; i++) {
    guint slot = (kl->first + i) % kl->max_lines;
    wipe_line(kl->ring[slot]);
    kl->ring[slot] = NULL;
  }
  kl->first = 0;
  kl->count = 0;
  return n;
}

static void stop_timer(VgwTlsKeylog *kl) {
  if (kl->timer != 0) {
    g_source_remove(kl->timer);
    kl->timer = 0;
  }
}

VgwTlsKeylog *vgw_tls_keylog_new(guint max_lines) {
  VgwTlsKeylog *kl = g_new0(VgwTlsKeylog, 1);

  kl->max_lines = MAX(max_lines, 1);
  kl->ring = g_new0(char *, kl->max_lines);
  kl->context = VGW_TLS_KEYLOG_ANY_CONTEXT;
  return kl;
}

void vgw_tls_keylog_free(VgwTlsKeylog *kl) {
  if (kl == NULL) {
    return;
  }
  if (device_keylog == kl) {
    device_keylog = NULL;
  }
  stop_timer(kl);
  wipe_all(kl);
  g_free(kl->ring);
  g_free(kl);
}

const char *vgw_tls_keylog_end_name(VgwTlsKeylogEnd why) {
  switch (why) {
  case VGW_TLS_KEYLOG_END_NONE:
    return "none";
  case VGW_TLS_KEYLOG_END_REQUESTED:
    return "requested";
  case VGW_TLS_KEYLOG_END_EXPIRED:
    return "expired";
  case VGW_TLS_KEYLOG_END_REPLACED:
    return "replaced";
  }
  return "unknown";
}

guint vgw_tls_keylog_disable(VgwTlsKeylog *kl, VgwTlsKeylogEnd why) {
  if (!kl->on) {
    return 0;
  }
  stop_timer(kl);
  guint wiped = wipe_all(kl);
  kl->on = FALSE;
  kl->last_end = why;
  g_message("tls keylog: OFF (%s); %u secret lines wiped, %" G_GUINT64_FORMAT
            " recorded, %" G_GUINT64_FORMAT " dropped",
            vgw_tls_keylog_end_name(why), wiped, kl->recorded, kl->dropped);
  return wiped;
}

gboolean vgw_tls_keylog_expire(VgwTlsKeylog *kl, gint64 now_ms) {
  if (!kl->on || now_ms < kl->expires_ms) {
    return FALSE;
  }
  vgw_tls_keylog_disable(kl, VGW_TLS_KEYLOG_END_EXPIRED);
  return TRUE;
}

static gint64 monotonic_ms(void) {
  return g_get_monotonic_time() / 1000;
}

/* on_timer ends the key log at its expiry. A timer that fires a little
 * before it (the clocks round differently) waits for the rest. */
static gboolean on_timer(gpointer data) {
  VgwTlsKeylog *kl = data;
  gint64 now = monotonic_ms();

  if (!kl->on) {
    kl->timer = 0;
    return G_SOURCE_REMOVE;
  }
  if (now < kl->expires_ms) {
    kl->timer = g_timeout_add((guint)(kl->expires_ms - now), on_timer, kl);
    return G_SOURCE_REMOVE;
  }
  kl->timer = 0;
  vgw_tls_keylog_expire(kl, now);
  return G_SOURCE_REMOVE;
}

gboolean vgw_tls_keylog_enable(VgwTlsKeylog *kl, int context,
                               gint64 duration_ms, gint64 now_ms,
                               GError **error) {
  if (duration_ms < VGW_TLS_KEYLOG_MIN_MS ||
      duration_ms > VGW_TLS_KEYLOG_MAX_MS) {
    g_set_error(error, VGW_TLS_KEYLOG_ERROR, VGW_TLS_KEYLOG_ERROR_DURATION,
                "the key log's expiry must be %d s to %d h",
                VGW_TLS_KEYLOG_MIN_MS / 1000,
                VGW_TLS_KEYLOG_MAX_MS / 3600000);
    return FALSE;
  }
  if (context < 0 && context != VGW_TLS_KEYLOG_ANY_CONTEXT) {
    g_set_error(error, VGW_TLS_KEYLOG_ERROR, VGW_TLS_KEYLOG_ERROR_CONTEXT,
                "%d is not a TLS Context index", context);
    return FALSE;
  }
  vgw_tls_keylog_disable(kl, VGW_TLS_KEYLOG_END_REPLACED);
  kl->on = TRUE;
  kl->context = context;
  kl->expires_ms = now_ms + duration_ms;
  kl->recorded = 0;
  kl->dropped = 0;
  kl->timer = g_timeout_add((guint)duration_ms, on_timer, kl);
  if (context == VGW_TLS_KEYLOG_ANY_CONTEXT) {
    g_message("tls keylog: ON for every TLS context, expires in %" G_GINT64_FORMAT
              " s: TLS secrets are recorded for the maintenance port",
              duration_ms / 1000);
  } else {
    g_message("tls keylog: ON for TLS context %d, expires in %" G_GINT64_FORMAT
              " s: TLS secrets are recorded for the maintenance port",
              context, duration_ms / 1000);
  }
  return TRUE;
}

gboolean vgw_tls_keylog_add(VgwTlsKeylog *kl, int context, const char *line,
                            gint64 now_ms) {
  if (!kl->on || vgw_tls_keylog_expire(kl, now_ms) ||
      (kl->context != VGW_TLS_KEYLOG_ANY_CONTEXT && kl->context != context)) {
    return FALSE;
  }
  if (kl->count == kl->max_lines) {
    wipe_line(kl->ring[kl->first]);
    kl->ring[kl->first] = NULL;
    kl->first = (kl->first + 1) % kl->max_lines;
    kl->count--;
    kl->dropped++;
  }
  kl->ring[(kl->first + kl->count) % kl->max_lines] = g_strdup(line);
  kl->count++;
  kl->recorded++;
  return TRUE;
}

void vgw_tls_keylog_info(const VgwTlsKeylog *kl, gint64 now_ms,
                         VgwTlsKeylogInfo *out) {
  *out = (VgwTlsKeylogInfo){
      .on = kl->on,
      .context = kl->context,
      .expires_in_ms = kl->on ? MAX(kl->expires_ms - now_ms, 0) : 0,
      .lines = kl->count,
      .max_lines = kl->max_lines,
      .recorded = kl->recorded,
      .dropped = kl->dropped,
      .last_end = kl->last_end,
  };
}

void vgw_tls_keylog_foreach(const VgwTlsKeylog *kl,
                            void (*fn)(const char *line, gpointer data),
                            gpointer data) {
  for (guint i = 0; i < kl->count; i++) {
    fn(kl->ring[(kl->first + i) % kl->max_lines], data);
  }
}

void vgw_tls_keylog_set_device(VgwTlsKeylog *kl) {
  device_keylog = kl;
}

/* context_index is the SSL_CTX ex_data slot holding a context number. */
static int context_index(void) {
  static gsize once;
  static int index;
  if (g_once_init_enter(&once)) {
    index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    g_once_init_leave(&once, 1);
  }
  return index;
}

void vgw_tls_keylog_set_context(SSL_CTX *ctx, guint context) {
  SSL_CTX_set_ex_data(ctx, context_index(), GUINT_TO_POINTER(context));
}

/* connection_context is the TLS Context of |ssl|'s connection: the one
 * its SSL_CTX was made for, 0 unless vgw_tls_keylog_set_context said. */
static int connection_context(const SSL *ssl) {
  return (int)GPOINTER_TO_UINT(
      SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), context_index()));
}

static void on_keylog_line(const SSL *ssl, const char *line) {
  if (device_keylog != NULL) {
    vgw_tls_keylog_add(device_keylog, connection_context(ssl), line,
                       monotonic_ms());
  }
}

void vgw_tls_keylog_attach(SSL_CTX *ctx) {
  SSL_CTX_set_keylog_callback(ctx, on_keylog_line);
}
