/* Unit tests for the registrar's Digest authentication
 * (vgwd/registrar_auth.h) on a real SipTxnLayer and configuration:
 * REGISTERs in as bytes, the 401s out through the layer's send callback. */
#include <string.h>

#include "param/param_config.h"
#include "param/param_ini.h"
#include "param/param_registry.h"
#include "sip_digest.h"
#include "sip_message.h"
#include "tests/vgwd_test_util.h"
#include "vgwd/registrar_auth.h"

typedef struct {
  GPtrArray *sent; /* first: vgwd_test_keep_sent() appends to it */
  SipTxnLayer *layer;
  VgwRegistrarAuth *auth;
  VgwConfigState *config;
  guint admitted;    /* REGISTERs let through */
  guint cseq;
} Fixture;

static void on_request(SipTxnLayer *layer, SipTxn *txn,
                       const osip_message_t *req, const SipPeer *from,
                       gpointer data) {
  Fixture *f = data;

  if (vgw_registrar_auth_admit(f->auth, txn, req, from)) {
    f->admitted++;
    sip_txn_respond(txn, sip_response_new(req, 200, NULL, "t"));
  }
}

static void fixture_set_up(Fixture *f, gconstpointer unused) {
  SipTxnCallbacks cb = {.send = vgwd_test_keep_sent, .request = on_request};

  f->config = vgwd_test_config_new();
  f->auth = vgw_registrar_auth_new(f->config);
  f->layer = sip_txn_layer_new(NULL, NULL, &cb, f);
  f->sent = vgwd_test_sent_new();
}

static void fixture_tear_down(Fixture *f, gconstpointer unused) {
  sip_txn_layer_free(f->layer);
  g_ptr_array_unref(f->sent);
  vgw_registrar_auth_free(f->auth);
  vgw_config_state_free(f->config);
}

static void set_global(VgwParamConfig *next, const char *name,
                       const char *value) {
  g_autofree char *reason = NULL;
  g_assert_true(vgw_param_config_set_text(
      next, (gsize)vgw_param_find_global(name, strlen(name)), value,
      strlen(value), &reason));
}

static void set_user(VgwParamConfig *next, guint index, const char *local,
                     const char *username, const char *password) {
  const VgwTableDesc *table = vgw_param_table(VGW_TABLE_USER_INFO);
  VgwParamRow *row =
      vgw_param_config_ensure_row(next, VGW_TABLE_USER_INFO, index);
  const char *cells[][2] = {
      {"LocalUser", local}, {"Username", username}, {"Password", password}};

  for (gsize i = 0; i < G_N_ELEMENTS(cells); i++) {
    g_autofree char *reason = NULL;
    gssize c = vgw_param_find_column(table, cells[i][0], strlen(cells[i][0]));
    g_assert_cmpint(c, >=, 0);
    g_assert_true(vgw_param_config_set_cell(row, VGW_TABLE_USER_INFO, c,
                                            cells[i][1], strlen(cells[i][1]),
                                            &reason));
  }
}

/* Authentication on in realm "lab" (|algorithms| RegistrarAuthAlgorithms)
 * with alice (Username empty) and bob (as bob-auth). */
static void configure(Fixture *f, const char *algorithms) {
  g_autoptr(GError) error = NULL;
  VgwParamConfig *next =
      vgw_param_config_copy(vgw_config_state_staged(f->config));

  set_global(next, "RegistrarAuthentication", "1");
  set_global(next, "RegistrarAuthRealm", "lab");
  set_global(next, "RegistrarAuthAlgorithms", algorithms);
  set_user(next, 0, "alice", "", "alice-pw");
  set_user(next, 1, "bob", "bob-auth", "bob-pw");
  g_assert_true(vgw_config_state_stage(f->config, next, NULL, &error));
}

static const SipPeer peer = {.transport = SIP_TRANSPORT_UDP,
                             .address = "127.0.0.1",
                             .port = 5999};

/* A REGISTER for |aor_user| with |authorization| (NULL: none); returns
 * what was sent back. */
static osip_message_t *do_register(Fixture *f, const char *aor_user,
                                   const char *authorization) {
  f->cseq++;
  char *text = g_strdup_printf(
      "REGISTER sip:127.0.0.1 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKr%u;rport\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:%s@lab.test>;tag=a\r\n"
      "To: <sip:%s@lab.test>\r\n"
      "Call-ID: reg-1\r\n"
      "CSeq: %u REGISTER\r\n"
      "%s%s%s"
      "Content-Length: 0\r\n\r\n",
      f->cseq, aor_user, aor_user, f->cseq,
      authorization != NULL ? "Authorization: " : "",
      authorization != NULL ? authorization : "",
      authorization != NULL ? "\r\n" : "");
  guint before = f->sent->len;

  g_assert_cmpint(sip_txn_layer_receive(f->layer, (const guint8 *)text,
                                        strlen(text), &peer),
                  ==, SIP_REASON_NONE);
  g_free(text);
  g_assert_cmpuint(f->sent->len, ==, before + 1);
  return g_ptr_array_index(f->sent, before);
}

/* The nonce and algorithms ("SHA-256,MD5") of the 401 |resp|, which
 * must challenge in |realm|. */
static char *challenge_of(const osip_message_t *resp, char **nonce,
                          const char *realm) {
  g_autofree char *quoted = g_strdup_printf("\"%s\"", realm);
  GString *algorithms = g_string_new(NULL);
  osip_www_authenticate_t *w = NULL;

  g_assert_cmpint(resp->status_code, ==, 401);
  for (int i = 0; osip_message_get_www_authenticate(resp, i, &w) >= 0; i++) {
    g_assert_cmpstr(w->realm, ==, quoted);
    g_string_append_printf(algorithms, "%s%s", i > 0 ? "," : "",
                           w->algorithm);
    g_free(*nonce);
    *nonce = g_strndup(w->nonce + 1, strlen(w->nonce) - 2);
  }
  return g_string_free(algorithms, FALSE);
}

/* The Authorization of |username| with |password| answering |nonce| in
 * |realm|. */
static char *credentials_in(const char *realm, const char *username,
                            const char *password, VgwDigestAlgorithm alg,
                            const char *nonce) {
  const char *a1[] = {username, realm, password};
  g_autofree char *ha1 = vgw_digest_hash_hex(alg, a1, G_N_ELEMENTS(a1));
  g_autofree char *response =
      sip_digest_response(alg, ha1, "REGISTER", "sip:127.0.0.1", nonce,
                          "00000001", "cafe");
  return g_strdup_printf(
      "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
      "uri=\"sip:127.0.0.1\", response=\"%s\", algorithm=%s, qop=auth, "
      "nc=00000001, cnonce=\"cafe\"",
      username, realm, nonce, response, sip_digest_algorithm_token(alg));
}

static char *credentials(const char *username, const char *password,
                         VgwDigestAlgorithm alg, const char *nonce) {
  return credentials_in("lab", username, password, alg, nonce);
}

/* A REGISTER for alice without credentials: the nonce of the 401, which
 * must challenge in |realm|. */
static char *alice_nonce(Fixture *f, const char *realm) {
  char *nonce = NULL;

  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE, "*(no-credentials)");
  g_free(challenge_of(do_register(f, "alice", NULL), &nonce, realm));
  g_test_assert_expected_messages();
  return nonce;
}

/* Off by default: everything is admitted, nothing challenged. */
static void test_off(Fixture *f, gconstpointer unused) {
  g_autoptr(GString) j = g_string_new("{");

  g_assert_cmpint(do_register(f, "alice", NULL)->status_code, ==, 200);
  g_assert_cmpuint(f->admitted, ==, 1);
  vgw_registrar_auth_json(f->auth, j);
  g_assert_cmpstr(j->str, ==,
                  "{\"auth\":{\"enabled\":false,\"realm\":\"vgw\","
                  "\"accepted\":0,\"challenged\":{}}");
}

static void test_users(Fixture *f, gconstpointer unused) {
  g_autofree char *nonce = NULL;
  g_autofree char *offered = NULL;
  g_autoptr(GString) j = g_string_new("{");

  configure(f, "0");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "sip/udp: 127.0.0.1:5999: REGISTER for "
                        "sip:alice@lab.test challenged: no credentials for "
                        "our realm (no-credentials)");
  offered = challenge_of(do_register(f, "alice", NULL), &nonce, "lab");
  g_test_assert_expected_messages();
  g_assert_cmpstr(offered, ==, "SHA-256,MD5");

  g_autofree char *alice = credentials("alice", "alice-pw",
                                       VGW_DIGEST_SHA256, nonce);
  g_assert_cmpint(do_register(f, "alice", alice)->status_code, ==, 200);

  /* bob authenticates as bob-auth (with a nonce of his own: nonce counts
   * are per nonce), and only for his own AOR. */
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE, "*(no-credentials)");
  g_free(challenge_of(do_register(f, "bob", NULL), &nonce, "lab"));
  g_test_assert_expected_messages();
  g_autofree char *bob = credentials("bob-auth", "bob-pw", VGW_DIGEST_MD5,
                                     nonce);
  g_assert_cmpint(do_register(f, "bob", bob)->status_code, ==, 200);
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "*REGISTER for sip:alice@lab.test challenged: no such "
                        "user for this AOR (unknown-user)");
  g_assert_cmpint(do_register(f, "alice", bob)->status_code, ==, 401);
  g_test_assert_expected_messages();
  g_assert_cmpuint(f->admitted, ==, 2);

  vgw_registrar_auth_json(f->auth, j);
  g_assert_cmpstr(j->str, ==,
                  "{\"auth\":{\"enabled\":true,\"realm\":\"lab\","
                  "\"accepted\":2,\"challenged\":{\"no-credentials\":2,"
                  "\"unknown-user\":1}}");
}

/* The staged and running configurations hold the passwords only as
 * their HA1s for realm lab (the stage sealed them). */
static void test_stored_as_ha1(Fixture *f, gconstpointer unused) {
  configure(f, "0");
  const VgwTableDesc *table = vgw_param_table(VGW_TABLE_USER_INFO);
  gssize c = vgw_param_find_column(table, "Password", 8);
  g_autofree char *bob = vgw_secret_digest_store("lab", "bob-auth", "bob-pw",
                                                 6);
  const VgwParamConfig *cfgs[] = {vgw_config_state_staged(f->config),
                                  vgw_config_state_running(f->config)};

  for (gsize i = 0; i < G_N_ELEMENTS(cfgs); i++) {
    const VgwParamRow *row =
        vgw_param_config_find_row(cfgs[i], VGW_TABLE_USER_INFO, 1);
    g_assert_cmpstr(row->values[c].str, ==, bob);
    g_autofree char *ini = vgw_ini_export(cfgs[i]);
    g_assert_null(strstr(ini, "alice-pw"));
    g_assert_null(strstr(ini, "bob-pw"));
  }
}

/* A new realm leaves the HA1s bound to the old one: the registrar refuses
 * the user, saying why and what to do; setting the password again in the
 * new realm lets them in. */
static void test_realm_changed(Fixture *f, gconstpointer unused) {
  g_autoptr(GError) error = NULL;

  configure(f, "0");
  VgwParamConfig *next =
      vgw_param_config_copy(vgw_config_state_staged(f->config));
  set_global(next, "RegistrarAuthRealm", "lab2");
  g_assert_true(vgw_config_state_stage(f->config, next, NULL, &error));

  g_autofree char *nonce = alice_nonce(f, "lab2");
  g_autofree char *alice = credentials_in("lab2", "alice", "alice-pw",
                                          VGW_DIGEST_SHA256, nonce);
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "sip/udp: 127.0.0.1:5999: REGISTER for "
                        "sip:alice@lab.test challenged: SBCUserInfoTable 0: "
                        "password stored for realm lab, realm is now lab2: "
                        "set it again (unusable-password)");
  g_assert_cmpint(do_register(f, "alice", alice)->status_code, ==, 401);
  g_test_assert_expected_messages();

  next = vgw_param_config_copy(vgw_config_state_staged(f->config));
  set_user(next, 0, "alice", "", "alice-pw");
  g_assert_true(vgw_config_state_stage(f->config, next, NULL, &error));
  g_autofree char *fresh = alice_nonce(f, "lab2");
  g_autofree char *again = credentials_in("lab2", "alice", "alice-pw",
                                          VGW_DIGEST_SHA256, fresh);
  g_assert_cmpint(do_register(f, "alice", again)->status_code, ==, 200);
}

/* MD5 alone: the challenge offers it alone and a SHA-256 answer is
 * refused. */
static void test_md5_only(Fixture *f, gconstpointer unused) {
  g_autofree char *nonce = NULL;
  g_autofree char *offered = NULL;

  configure(f, "1");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE, "*(no-credentials)");
  offered = challenge_of(do_register(f, "alice", NULL), &nonce, "lab");
  g_test_assert_expected_messages();
  g_assert_cmpstr(offered, ==, "MD5");
  g_autofree char *sha =
      credentials("alice", "alice-pw", VGW_DIGEST_SHA256, nonce);
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE, "*(bad-algorithm)");
  g_assert_cmpint(do_register(f, "alice", sha)->status_code, ==, 401);
  g_test_assert_expected_messages();
  g_assert_cmpuint(f->admitted, ==, 0);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
#define ADD(path, fn)                                                       \
  g_test_add("/registrar-auth/" path, Fixture, NULL, fixture_set_up, fn,   \
             fixture_tear_down)
  ADD("off", test_off);
  ADD("users", test_users);
  ADD("md5-only", test_md5_only);
  ADD("stored-as-ha1", test_stored_as_ha1);
  ADD("realm-changed", test_realm_changed);
#undef ADD
  return g_test_run();
}
