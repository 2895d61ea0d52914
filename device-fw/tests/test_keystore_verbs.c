/* The keystore verbs through a maintenance session, against the real
 * engine (QEMU's vgw board under qtest, $VGW_QEMU): replies as
 * docs/maintenance-protocol.md specifies them, the engine's refusals as
 * errors, and an imported key never echoed or logged. Without $VGW_QEMU
 * the tests fail. */
#include <openssl/bn.h>
#include <openssl/bytestring.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <string.h>

#include "hal/crypto_engine.h"
#include "hal/crypto_qtest.h"
#include "mgmt/mgmt_keystore_verbs.h"
#include "mgmt/mgmt_session.h"
#include "param_registry.h"
#include "vgw_crypto.h"

static VgwCryptoEngine *engine;

typedef struct {
  VgwMgmtSession *session;
  VgwKeystoreVerbs *verbs;
  GArray *changed; /* guint slots passed to the changed callback */
} Gw;

/* Every log line, to check no key material reaches the log. */
static GString *log_text;

static void capture_log(const gchar *domain, GLogLevelFlags level,
                        const gchar *message, gpointer data) {
  g_string_append_printf(log_text, "%s\n", message);
}

static void no_status(VgwStatus *st, gpointer data) {}

static void on_changed(guint slot, gpointer data) {
  Gw *gw = data;
  g_array_append_val(gw->changed, slot);
}

static gboolean gw_up(Gw *gw, gboolean with_engine) {
  if (with_engine && engine == NULL) {
    const char *qemu = g_getenv("VGW_QEMU");
    if (qemu == NULL || *qemu == '\0') {
      g_test_fail_printf(
          "VGW_QEMU is not set: configure the build with "
          "-Dqemu_build_dir (scripts/build.sh does)");
      return FALSE;
    }
    GError *error = NULL;
    engine = vgw_crypto_qtest_open(qemu, NULL, NULL, &error);
    g_assert_no_error(error);
  }
  if (with_engine) {
    GError *error = NULL;
    g_assert_true(vgw_crypto_zeroize(engine, &error));
  }
  /* The factory login, its password in stored form from the registry. */
  gssize p = vgw_param_find_global("MaintenancePassword", 19);
  gw->session = vgw_mgmt_session_new(
      "Admin", vgw_param_global((gsize)p)->default_text, no_status, NULL);
  gw->changed = g_array_new(FALSE, FALSE, sizeof(guint));
  gw->verbs =
      vgw_keystore_verbs_new(with_engine ? engine : NULL, on_changed, gw);
  vgw_mgmt_session_add_verbs(gw->session, &vgw_keystore_verb_set, gw->verbs);
  return TRUE;
}

static void gw_down(Gw *gw) {
  vgw_keystore_verbs_free(gw->verbs);
  vgw_mgmt_session_free(gw->session);
  g_array_unref(gw->changed);
}

/* request sends one line and returns the output (newly allocated). */
static char *request(Gw *gw, const char *line) {
  VgwMgmtResult r;
  vgw_mgmt_session_handle_line(gw->session, line, FALSE, g_get_monotonic_time(),
                               &r);
  char *out = g_strdup(r.output);
  vgw_mgmt_result_clear(&r);
  return out;
}

static void expect(Gw *gw, const char *line, const char *reply) {
  char *out = request(gw, line);
  g_assert_cmpstr(out, ==, reply);
  g_free(out);
}

static char *sha256_hex(const uint8_t *data, size_t len) {
  return g_compute_checksum_for_data(G_CHECKSUM_SHA256, data, len);
}

static void login(Gw *gw) {
  expect(gw, "@l login Admin Admin", "@l ok {\"user\":\"Admin\"}\n");
}

/* pub_fingerprint fetches keystore-pub |slot| and returns the SHA-256 of
 * the SPKI it carries (hex), checking the SPKI parses. */
static char *pub_fingerprint(Gw *gw, guint slot, GBytes **spki_out) {
  char *line = g_strdup_printf("@p keystore-pub %u", slot);
  char *out = request(gw, line);
  g_free(line);
  const char *prefix = "@p ok {\"spki\":\"";
  g_assert_true(g_str_has_prefix(out, prefix));
  char *b64 = out + strlen(prefix);
  char *end = strchr(b64, '"');
  g_assert_nonnull(end);
  g_assert_cmpstr(end, ==, "\"}\n");
  *end = '\0';
  gsize len;
  guchar *der = g_base64_decode(b64, &len);
  CBS cbs;
  CBS_init(&cbs, der, len);
  EVP_PKEY *pkey = EVP_parse_public_key(&cbs);
  g_assert_nonnull(pkey);
  EVP_PKEY_free(pkey);
  char *fp = sha256_hex(der, len);
  if (spki_out != NULL) {
    *spki_out = g_bytes_new(der, len);
  }
  g_free(der);
  g_free(out);
  return fp;
}

static void test_login_required(void) {
  Gw gw;
  if (!gw_up(&gw, TRUE)) {
    return;
  }
  expect(&gw, "@1 keystore-list", "@1 error {\"error\":\"login required\"}\n");
  expect(&gw, "@2 keystore-gen 1 ec-p256",
         "@2 error {\"error\":\"login required\"}\n");
  gw_down(&gw);
}

static void test_gen_list_lock_pub(void) {
  Gw gw;
  if (!gw_up(&gw, TRUE)) {
    return;
  }
  login(&gw);
  expect(&gw, "@1 keystore-list", "@1 ok {\"num_slots\":16,\"slots\":[]}\n");

  char *out = request(&gw, "@2 keystore-gen 3 ec-p256");
  char *fp = pub_fingerprint(&gw, 3, NULL);
  char *want = g_strdup_printf(
      "@2 ok {\"slot\":3,\"type\":\"ec-p256\",\"locked\":false,"
      "\"origin\":\"generated\",\"fingerprint\":\"%s\"}\n",
      fp);
  g_assert_cmpstr(out, ==, want);
  g_free(out);
  g_free(want);
  g_assert_cmpuint(gw.changed->len, ==, 1);
  g_assert_cmpuint(g_array_index(gw.changed, guint, 0), ==, 3);

  out = request(&gw, "@3 keystore-gen 0 rsa-2048");
  g_assert_true(
      g_str_has_prefix(out, "@3 ok {\"slot\":0,\"type\":\"rsa-2048\""));
  g_free(out);
  char *fp0 = pub_fingerprint(&gw, 0, NULL);

  out = request(&gw, "@4 keystore-lock 3");
  want = g_strdup_printf(
      "@4 ok {\"slot\":3,\"type\":\"ec-p256\",\"locked\":true,"
      "\"origin\":\"generated\",\"fingerprint\":\"%s\"}\n",
      fp);
  g_assert_cmpstr(out, ==, want);
  g_free(out);
  g_free(want);
  g_assert_cmpuint(gw.changed->len, ==, 2); /* a lock changes no key */

  out = request(&gw, "@5 keystore-list");
  want = g_strdup_printf(
      "@5 ok {\"num_slots\":16,\"slots\":["
      "{\"slot\":0,\"type\":\"rsa-2048\",\"locked\":false,"
      "\"origin\":\"generated\",\"fingerprint\":\"%s\"},"
      "{\"slot\":3,\"type\":\"ec-p256\",\"locked\":true,"
      "\"origin\":\"generated\",\"fingerprint\":\"%s\"}]}\n",
      fp0, fp);
  g_assert_cmpstr(out, ==, want);
  g_free(out);
  g_free(want);

  /* The engine's refusals. */
  expect(&gw, "@6 keystore-gen 3 rsa-2048",
         "@6 error {\"error\":\"slot 3 is locked\"}\n");
  expect(&gw, "@7 keystore-gen 16 ec-p256",
         "@7 error {\"error\":\"slot 16 does not exist (the engine has slots "
         "0 to 15)\"}\n");
  expect(&gw, "@8 keystore-pub 9",
         "@8 error {\"error\":\"slot 9 is empty\"}\n");
  expect(&gw, "@9 keystore-lock 9",
         "@9 error {\"error\":\"slot 9 is empty\"}\n");
  expect(&gw, "@a keystore-gen 1 dsa-1024",
         "@a error {\"error\":\"bad key type: TYPE is one of ec-p256, "
         "rsa-2048, rsa-3072\"}\n");
  expect(&gw, "@b keystore-gen one ec-p256",
         "@b error {\"error\":\"bad slot: SLOT is a slot number\"}\n");
  expect(&gw, "@c keystore-gen 1",
         "@c error {\"error\":\"usage: keystore-gen SLOT "
         "ec-p256|rsa-2048|rsa-3072\"}\n");
  expect(&gw, "@d keystore-list 1",
         "@d error {\"error\":\"usage: keystore-list\"}\n");
  g_assert_cmpuint(gw.changed->len, ==, 2);

  /* Human mode. */
  out = request(&gw, "keystore-list");
  want = g_strdup_printf(
      "slot  0  rsa-2048  generated  unlocked  sha256:%s\n"
      "slot  3  ec-p256   generated  locked    sha256:%s\n"
      "2 of 16 slots hold a key.\nvgw> ",
      fp0, fp);
  g_assert_cmpstr(out, ==, want);
  g_free(out);
  g_free(want);
  out = request(&gw, "keystore-pub 3");
  g_assert_true(g_str_has_prefix(out, "-----BEGIN PUBLIC KEY-----\n"));
  g_assert_nonnull(strstr(out, "-----END PUBLIC KEY-----\nvgw> "));
  g_free(out);
  g_free(fp);
  g_free(fp0);
  gw_down(&gw);
}

/* rsa_key_der returns a fresh RSA-2048 key as PKCS#1 DER and its SPKI. */
static GBytes *rsa_key_der(GBytes **spki) {
  RSA *rsa = RSA_new();
  BIGNUM *e = BN_new();
  BN_set_word(e, RSA_F4);
  g_assert_true(RSA_generate_key_ex(rsa, 2048, e, NULL));
  BN_free(e);
  uint8_t *der;
  size_t len;
  g_assert_true(RSA_private_key_to_bytes(&der, &len, rsa));
  GBytes *key = g_bytes_new(der, len);
  OPENSSL_free(der);
  EVP_PKEY *pkey = EVP_PKEY_new();
  EVP_PKEY_assign_RSA(pkey, rsa);
  CBB cbb;
  g_assert_true(CBB_init(&cbb, 0));
  g_assert_true(EVP_marshal_public_key(&cbb, pkey));
  g_assert_true(CBB_finish(&cbb, &der, &len));
  *spki = g_bytes_new(der, len);
  OPENSSL_free(der);
  EVP_PKEY_free(pkey);
  return key;
}

static void test_import(void) {
  Gw gw;
  if (!gw_up(&gw, TRUE)) {
    return;
  }
  login(&gw);
  GBytes *spki;
  GBytes *key = rsa_key_der(&spki);
  char *b64 =
      g_base64_encode(g_bytes_get_data(key, NULL), g_bytes_get_size(key));
  /* A short piece of the key that would show up if any of it leaked. */
  char piece[41];
  g_strlcpy(piece, b64 + 100, sizeof(piece));

  log_text = g_string_new(NULL);
  guint handler = g_log_set_handler("vgw", G_LOG_LEVEL_MASK, capture_log, NULL);

  char *line = g_strdup_printf("@1 keystore-import 4 rsa-2048 %s", b64);
  char *out = request(&gw, line);
  g_free(line);
  char *fp = sha256_hex(g_bytes_get_data(spki, NULL), g_bytes_get_size(spki));
  char *want = g_strdup_printf(
      "@1 ok {\"slot\":4,\"type\":\"rsa-2048\",\"locked\":false,"
      "\"origin\":\"imported\",\"fingerprint\":\"%s\"}\n",
      fp);
  g_assert_cmpstr(out, ==, want);
  g_free(out);
  g_free(want);
  GBytes *served;
  char *pub_fp = pub_fingerprint(&gw, 4, &served);
  g_assert_true(g_bytes_equal(served, spki));
  g_assert_cmpstr(pub_fp, ==, fp);
  g_bytes_unref(served);
  g_free(pub_fp);
  g_assert_cmpuint(gw.changed->len, ==, 1);
  g_assert_cmpuint(g_array_index(gw.changed, guint, 0), ==, 4);

  /* Refusals: locked, wrong type, not base64, arguments out of order. None
   * echoes the key. */
  out = request(&gw, "@2 keystore-lock 4");
  g_assert_true(g_str_has_prefix(out, "@2 ok {\"slot\":4,"));
  g_free(out);
  line = g_strdup_printf("@3 keystore-import 4 rsa-2048 %s", b64);
  expect(&gw, line, "@3 error {\"error\":\"slot 4 is locked\"}\n");
  g_free(line);
  line = g_strdup_printf("@4 keystore-import 5 rsa-3072 %s", b64);
  expect(&gw, line,
         "@4 error {\"error\":\"the key is malformed or not an rsa-3072 "
         "key\"}\n");
  g_free(line);
  expect(&gw, "@5 keystore-import 5 ec-p256 AAAA!!!=",
         "@5 error {\"error\":\"the key is not valid base64\"}\n");
  line = g_strdup_printf("@6 keystore-import %s rsa-2048 5", b64);
  expect(&gw, line,
         "@6 error {\"error\":\"bad slot: SLOT is a slot number\"}\n");
  g_free(line);
  line = g_strdup_printf("keystore-import 6 %s rsa-2048", b64);
  out = request(&gw, line);
  g_free(line);
  g_assert_null(strstr(out, piece));
  g_assert_cmpstr(out, ==,
                  "Error: bad key type: TYPE is one of ec-p256, rsa-2048, "
                  "rsa-3072\nvgw> ");
  g_free(out);
  g_assert_cmpuint(gw.changed->len, ==, 1);

  g_log_remove_handler("vgw", handler);
  g_assert_null(strstr(log_text->str, piece));
  g_assert_nonnull(strstr(log_text->str,
                          "keystore: slot 4: rsa-2048 key "
                          "imported"));
  g_string_free(log_text, TRUE);

  g_free(fp);
  g_free(b64);
  g_bytes_unref(key);
  g_bytes_unref(spki);
  gw_down(&gw);
}

/* The request's copy of the arguments is wiped once the key is used. */
static void test_import_wipes_argument(void) {
  Gw gw;
  if (!gw_up(&gw, TRUE)) {
    return;
  }
  char *argv[] = {"keystore-import", g_strdup("7"), g_strdup("ec-p256"),
                  g_strdup("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAE="),
                  NULL};
  size_t len = strlen(argv[3]);
  VgwMgmtReply reply;
  g_assert_true(vgw_keystore_verbs_handle(argv, FALSE, &reply, gw.verbs));
  g_assert_true(reply.ok);
  for (size_t i = 0; i < len; i++) {
    g_assert_cmpint(argv[3][i], ==, 0);
  }
  vgw_mgmt_reply_clear(&reply);
  for (int i = 1; i <= 3; i++) {
    g_free(argv[i]);
  }
  gw_down(&gw);
}

static void test_zeroize(void) {
  Gw gw;
  if (!gw_up(&gw, TRUE)) {
    return;
  }
  login(&gw);
  g_free(request(&gw, "@1 keystore-gen 0 ec-p256"));
  g_free(request(&gw, "@2 keystore-gen 5 ec-p256"));
  g_free(request(&gw, "@3 keystore-lock 5"));
  guint changed_before = gw.changed->len;

  /* Without the confirmation word nothing is erased. */
  expect(&gw, "@4 keystore-zeroize",
         "@4 error {\"error\":\"usage: keystore-zeroize all-keys (erases "
         "every key, locked or not)\"}\n");
  expect(&gw, "@5 keystore-zeroize yes",
         "@5 error {\"error\":\"usage: keystore-zeroize all-keys (erases "
         "every key, locked or not)\"}\n");
  char *out = request(&gw, "@6 keystore-list");
  g_assert_nonnull(strstr(out, "\"slot\":5,\"type\":\"ec-p256\",\"locked\":true"));
  g_free(out);

  /* With it, every slot empties, the locked one too, and every slot's
   * user hears of it. */
  expect(&gw, "@7 keystore-zeroize all-keys",
         "@7 ok {\"zeroized\":true,\"num_slots\":16}\n");
  expect(&gw, "@8 keystore-list", "@8 ok {\"num_slots\":16,\"slots\":[]}\n");
  g_assert_cmpuint(gw.changed->len, ==, changed_before + 16);
  g_assert_cmpuint(g_array_index(gw.changed, guint, changed_before), ==, 0);
  gw_down(&gw);
}

static void test_no_engine(void) {
  Gw gw;
  gw_up(&gw, FALSE);
  login(&gw);
  expect(&gw, "@1 keystore-list",
         "@1 error {\"error\":\"no crypto engine on this board\"}\n");
  expect(&gw, "@2 keystore-import 1 ec-p256 AAAA",
         "@2 error {\"error\":\"no crypto engine on this board\"}\n");
  gw_down(&gw);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/keystore-verbs/login-required", test_login_required);
  g_test_add_func("/keystore-verbs/gen-list-lock-pub", test_gen_list_lock_pub);
  g_test_add_func("/keystore-verbs/import", test_import);
  g_test_add_func("/keystore-verbs/import-wipes-argument",
                  test_import_wipes_argument);
  g_test_add_func("/keystore-verbs/zeroize", test_zeroize);
  g_test_add_func("/keystore-verbs/no-engine", test_no_engine);
  int rc = g_test_run();
  vgw_crypto_engine_free(engine);
  return rc;
}
