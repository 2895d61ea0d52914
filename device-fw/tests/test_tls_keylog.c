/* The gateway's own TLS key log (tls/tls_keylog.h) on the host: off until
 * asked, bounded, ended by its expiry, wiped when it ends, filtered by
 * context, and fed by real handshakes of vgwd's SSL_CTXs in both roles.
 * Times are given to the key log, so the expiry is tested without
 * waiting. */
#include <openssl/ssl.h>
#include <string.h>

#include "tests/tls_memory_pair.h"
#include "tls/tls_keylog.h"
#include "tls/tls_pool.h"
#include "tls/tls_softkey.h"
#include "vgw_crypto.h"

#define T0 1000000 /* an arbitrary monotonic start, in ms */

static void collect(const char *line, gpointer data) {
  g_ptr_array_add(data, g_strdup(line));
}

/* held returns the lines held, oldest first. */
static GPtrArray *held(const VgwTlsKeylog *kl) {
  GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
  vgw_tls_keylog_foreach(kl, collect, lines);
  return lines;
}

static VgwTlsKeylogInfo info_at(const VgwTlsKeylog *kl, gint64 now_ms) {
  VgwTlsKeylogInfo i;
  vgw_tls_keylog_info(kl, now_ms, &i);
  return i;
}

static void test_off_by_default(void) {
  VgwTlsKeylog *kl = vgw_tls_keylog_new(8);

  g_assert_false(info_at(kl, T0).on);
  g_assert_false(vgw_tls_keylog_add(kl, 0, "CLIENT_RANDOM aa bb", T0));
  g_assert_cmpuint(info_at(kl, T0).lines, ==, 0);
  g_assert_cmpint(info_at(kl, T0).last_end, ==, VGW_TLS_KEYLOG_END_NONE);
  vgw_tls_keylog_free(kl);
}

static void test_expiry_bounds(void) {
  VgwTlsKeylog *kl = vgw_tls_keylog_new(8);
  GError *error = NULL;

  g_assert_false(vgw_tls_keylog_enable(kl, VGW_TLS_KEYLOG_ANY_CONTEXT,
                                       VGW_TLS_KEYLOG_MIN_MS - 1, T0, &error));
  g_assert_error(error, VGW_TLS_KEYLOG_ERROR, VGW_TLS_KEYLOG_ERROR_DURATION);
  g_clear_error(&error);
  g_assert_false(vgw_tls_keylog_enable(kl, VGW_TLS_KEYLOG_ANY_CONTEXT,
                                       (gint64)VGW_TLS_KEYLOG_MAX_MS + 1, T0,
                                       &error));
  g_assert_error(error, VGW_TLS_KEYLOG_ERROR, VGW_TLS_KEYLOG_ERROR_DURATION);
  g_clear_error(&error);
  g_assert_false(vgw_tls_keylog_enable(kl, -2, 60000, T0, &error));
  g_assert_error(error, VGW_TLS_KEYLOG_ERROR, VGW_TLS_KEYLOG_ERROR_CONTEXT);
  g_clear_error(&error);
  /* A refused request changed nothing. */
  g_assert_false(info_at(kl, T0).on);
  g_assert_true(vgw_tls_keylog_enable(kl, VGW_TLS_KEYLOG_ANY_CONTEXT,
                                      VGW_TLS_KEYLOG_MAX_MS, T0, &error));
  g_assert_no_error(error);
  g_assert_cmpint(info_at(kl, T0).expires_in_ms, ==, VGW_TLS_KEYLOG_MAX_MS);
  vgw_tls_keylog_free(kl);
}

static void test_bounded_drops_oldest(void) {
  VgwTlsKeylog *kl = vgw_tls_keylog_new(3);
  g_assert_true(vgw_tls_keylog_enable(kl, VGW_TLS_KEYLOG_ANY_CONTEXT, 60000,
                                      T0, NULL));
  for (int i = 1; i <= 5; i++) {
    char line[64];
    g_snprintf(line, sizeof line, "CLIENT_RANDOM %02d ff", i);
    g_assert_true(vgw_tls_keylog_add(kl, 0, line, T0 + i));
  }
  VgwTlsKeylogInfo i = info_at(kl, T0 + 5);
  g_assert_cmpuint(i.lines, ==, 3);
  g_assert_cmpuint(i.max_lines, ==, 3);
  g_assert_cmpuint(i.recorded, ==, 5);
  g_assert_cmpuint(i.dropped, ==, 2);
  g_autoptr(GPtrArray) lines = held(kl);
  g_assert_cmpuint(lines->len, ==, 3);
  g_assert_cmpstr(lines->pdata[0], ==, "CLIENT_RANDOM 03 ff");
  g_assert_cmpstr(lines->pdata[2], ==, "CLIENT_RANDOM 05 ff");
  vgw_tls_keylog_free(kl);
}

static void test_expiry_ends_and_wipes(void) {
  VgwTlsKeylog *kl = vgw_tls_keylog_new(8);
  g_assert_true(vgw_tls_keylog_enable(kl, VGW_TLS_KEYLOG_ANY_CONTEXT, 5000,
                                      T0, NULL));
  g_assert_true(vgw_tls_keylog_add(kl, 0, "CLIENT_RANDOM 01 ff", T0 + 4999));
  g_assert_false(vgw_tls_keylog_expire(kl, T0 + 4999));
  g_assert_cmpint(info_at(kl, T0 + 4000).expires_in_ms, ==, 1000);
  /* A secret that arrives at the expiry is not taken, and ends it. */
  g_assert_false(vgw_tls_keylog_add(kl, 0, "CLIENT_RANDOM 02 ff", T0 + 5000));
  VgwTlsKeylogInfo i = info_at(kl, T0 + 5000);
  g_assert_false(i.on);
  g_assert_cmpuint(i.lines, ==, 0);
  g_assert_cmpint(i.last_end, ==, VGW_TLS_KEYLOG_END_EXPIRED);
  g_assert_cmpstr(vgw_tls_keylog_end_name(i.last_end), ==, "expired");

  /* The timer's path: expire() at or after the expiry ends it. */
  g_assert_true(vgw_tls_keylog_enable(kl, VGW_TLS_KEYLOG_ANY_CONTEXT, 1000,
                                      T0, NULL));
  g_assert_true(vgw_tls_keylog_add(kl, 0, "CLIENT_RANDOM 03 ff", T0));
  g_assert_true(vgw_tls_keylog_expire(kl, T0 + 7000));
  g_assert_cmpuint(info_at(kl, T0 + 7000).lines, ==, 0);
  g_assert_false(vgw_tls_keylog_expire(kl, T0 + 8000));
  vgw_tls_keylog_free(kl);
}

static void test_off_wipes(void) {
  VgwTlsKeylog *kl = vgw_tls_keylog_new(8);
  g_assert_true(vgw_tls_keylog_enable(kl, VGW_TLS_KEYLOG_ANY_CONTEXT, 60000,
                                      T0, NULL));
  g_assert_true(vgw_tls_keylog_add(kl, 0, "CLIENT_RANDOM 01 ff", T0));
  g_assert_true(vgw_tls_keylog_add(kl, 0, "CLIENT_RANDOM 02 ff", T0));
  g_assert_cmpuint(vgw_tls_keylog_disable(kl, VGW_TLS_KEYLOG_END_REQUESTED),
                   ==, 2);
  g_autoptr(GPtrArray) lines = held(kl);
  g_assert_cmpuint(lines->len, ==, 0);
  g_assert_cmpint(info_at(kl, T0).last_end, ==, VGW_TLS_KEYLOG_END_REQUESTED);
  g_assert_false(vgw_tls_keylog_add(kl, 0, "CLIENT_RANDOM 03 ff", T0));
  /* Off again is nothing to do. */
  g_assert_cmpuint(vgw_tls_keylog_disable(kl, VGW_TLS_KEYLOG_END_REQUESTED),
                   ==, 0);

  /* A new `on` replaces the running one and wipes what it held. */
  g_assert_true(vgw_tls_keylog_enable(kl, VGW_TLS_KEYLOG_ANY_CONTEXT, 60000,
                                      T0, NULL));
  g_assert_true(vgw_tls_keylog_add(kl, 0, "CLIENT_RANDOM 04 ff", T0));
  g_assert_true(vgw_tls_keylog_enable(kl, 0, 60000, T0, NULL));
  VgwTlsKeylogInfo i = info_at(kl, T0);
  g_assert_true(i.on);
  g_assert_cmpuint(i.lines, ==, 0);
  g_assert_cmpint(i.last_end, ==, VGW_TLS_KEYLOG_END_REPLACED);
  vgw_tls_keylog_free(kl);
}

static void test_context_filter(void) {
  VgwTlsKeylog *kl = vgw_tls_keylog_new(8);
  g_assert_true(vgw_tls_keylog_enable(kl, 1, 60000, T0, NULL));
  g_assert_false(vgw_tls_keylog_add(kl, 0, "CLIENT_RANDOM 00 ff", T0));
  g_assert_true(vgw_tls_keylog_add(kl, 1, "CLIENT_RANDOM 01 ff", T0));
  g_assert_cmpint(info_at(kl, T0).context, ==, 1);
  g_assert_cmpuint(info_at(kl, T0).lines, ==, 1);
  vgw_tls_keylog_free(kl);
}

/* handshake runs a TLS 1.3 handshake between a client and a server made
 * by vgw_tls_ctx_new (both roles' SSL_CTXs), in memory; the server's
 * SSL_CTX serves TLS Context |server_context|, the client's Context 0. */
static void handshake(guint server_context) {
  GError *error = NULL;
  EVP_PKEY *key = NULL;
  X509 *cert = NULL;
  VgwTlsRolePolicy policy;
  vgw_tls_role_policy_builtin(&policy);
  g_assert_true(vgw_tls_softkey_make(VGW_KEY_TYPE_EC_P256, "ACL_KEYLOG",
                                     1700000000, &key, &cert, &error));
  g_assert_no_error(error);
  SSL_CTX *sctx = vgw_tls_ctx_new(cert, VGW_KEY_TYPE_EC_P256, &policy, &error);
  g_assert_no_error(error);
  g_assert_true(SSL_CTX_use_PrivateKey(sctx, key));
  if (server_context > 0) {
    vgw_tls_keylog_set_context(sctx, server_context);
  }
  SSL_CTX *cctx = vgw_tls_ctx_new(NULL, VGW_KEY_TYPE_EC_P256, &policy, &error);
  g_assert_no_error(error);
  SSL *server = SSL_new(sctx);
  SSL *client = SSL_new(cctx);
  g_assert_true(tls_memory_handshake(client, server));
  g_assert_cmpint(SSL_version(client), ==, TLS1_3_VERSION);
  SSL_free(client);
  SSL_free(server);
  SSL_CTX_free(cctx);
  SSL_CTX_free(sctx);
  EVP_PKEY_free(key);
  X509_free(cert);
}

static gboolean has_label(GPtrArray *lines, const char *label) {
  for (guint i = 0; i < lines->len; i++) {
    if (g_str_has_prefix(lines->pdata[i], label)) {
      return TRUE;
    }
  }
  return FALSE;
}

static void test_handshakes_feed_device_keylog(void) {
  VgwTlsKeylog *kl = vgw_tls_keylog_new(VGW_TLS_KEYLOG_MAX_LINES);
  vgw_tls_keylog_set_device(kl);

  handshake(0);
  g_assert_cmpuint(info_at(kl, T0).lines, ==, 0);

  g_assert_true(vgw_tls_keylog_enable(kl, VGW_TLS_KEYLOG_ANY_CONTEXT, 600000,
                                      g_get_monotonic_time() / 1000, NULL));
  handshake(0);
  g_autoptr(GPtrArray) lines = held(kl);
  /* TLS 1.3's five secrets, from each of the two ends. */
  g_assert_cmpuint(lines->len, ==, 10);
  g_assert_true(has_label(lines, "CLIENT_HANDSHAKE_TRAFFIC_SECRET "));
  g_assert_true(has_label(lines, "SERVER_HANDSHAKE_TRAFFIC_SECRET "));
  g_assert_true(has_label(lines, "CLIENT_TRAFFIC_SECRET_0 "));
  g_assert_true(has_label(lines, "SERVER_TRAFFIC_SECRET_0 "));

  /* A context 1 filter takes nothing of Context 0's connections, and only
   * the server's five secrets when the server serves Context 1. */
  g_assert_true(vgw_tls_keylog_enable(kl, 1, 600000,
                                      g_get_monotonic_time() / 1000, NULL));
  handshake(0);
  g_assert_cmpuint(info_at(kl, T0).lines, ==, 0);
  handshake(1);
  g_assert_cmpuint(info_at(kl, T0).lines, ==, 5);
  vgw_tls_keylog_free(kl);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tls/keylog/off-by-default", test_off_by_default);
  g_test_add_func("/tls/keylog/expiry-bounds", test_expiry_bounds);
  g_test_add_func("/tls/keylog/bounded", test_bounded_drops_oldest);
  g_test_add_func("/tls/keylog/expiry", test_expiry_ends_and_wipes);
  g_test_add_func("/tls/keylog/off-wipes", test_off_wipes);
  g_test_add_func("/tls/keylog/context-filter", test_context_filter);
  g_test_add_func("/tls/keylog/handshakes", test_handshakes_feed_device_keylog);
  return g_test_run();
}
