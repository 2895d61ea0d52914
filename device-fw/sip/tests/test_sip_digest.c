/* Unit tests for Digest authentication (sip_digest): the RFC known
 * answers, then challenges and answers to them, with a clock the test
 * moves. */
#include <string.h>

#include "sip_canned.h"
#include "sip_digest.h"
#include "sip_message.h"

/* The response a client that knows |password| computes: its HA1 first,
 * as the gateway keeps it (param_secret.h). */
static char *client_response(VgwDigestAlgorithm alg, const char *user,
                             const char *realm, const char *password,
                             const char *method, const char *uri,
                             const char *nonce, const char *nc,
                             const char *cnonce) {
  const char *a1[] = {user, realm, password};
  char *ha1 = vgw_digest_hash_hex(alg, a1, G_N_ELEMENTS(a1));
  char *r = sip_digest_response(alg, ha1, method, uri, nonce, nc, cnonce);
  g_free(ha1);
  return r;
}

/* RFC 2617 §3.5: MD5, qop=auth. */
static void test_rfc2617_md5(void) {
  char *r = client_response(VGW_DIGEST_MD5, "Mufasa", "testrealm@host.com",
                            "Circle Of Life", "GET", "/dir/index.html",
                            "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                            "00000001", "0a4f113b");
  g_assert_cmpstr(r, ==, "6629fae49393a05397450978507c4ef1");
  g_free(r);
}

/* RFC 7616 §3.9.1, the example RFC 8760 relies on: one request answered
 * under MD5 and under SHA-256. */
static void test_rfc7616(gconstpointer data) {
  VgwDigestAlgorithm alg = GPOINTER_TO_UINT(data);
  static const char *expected[] = {
      [VGW_DIGEST_MD5] = "8ca523f5e9506fed4657c9700eebdbec",
      [VGW_DIGEST_SHA256] =
          "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1",
  };
  char *r = client_response(
      alg, "Mufasa", "http-auth@example.org", "Circle of Life", "GET",
      "/dir/index.html", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
      "00000001", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
  g_assert_cmpstr(r, ==, expected[alg]);
  g_free(r);
}

#define REALM "vgw.test"
#define URI "sip:127.0.0.1"

typedef struct {
  gint64 now;
  guint offer; /* SIP_DIGEST_OFFER() set */
  SipDigestAuth *auth;
  char *nonce; /* from the last challenge */
} Fixture;

static gint64 fake_clock(gpointer data) {
  return ((Fixture *)data)->now;
}

static void setup_offering(Fixture *f, guint offer) {
  f->now = 1000;
  f->offer = offer;
  f->auth = sip_digest_auth_new(REALM, offer, 60, fake_clock, f);
}

static void setup(Fixture *f, gconstpointer unused) {
  setup_offering(f, SIP_DIGEST_OFFER_ALL);
}

static void setup_md5_only(Fixture *f, gconstpointer unused) {
  setup_offering(f, SIP_DIGEST_OFFER(VGW_DIGEST_MD5));
}

static void setup_sha256_only(Fixture *f, gconstpointer unused) {
  setup_offering(f, SIP_DIGEST_OFFER(VGW_DIGEST_SHA256));
}

static void teardown(Fixture *f, gconstpointer unused) {
  sip_digest_auth_free(f->auth);
  g_free(f->nonce);
}

/* Alice's password is "secret"; carol's was stored for another realm;
 * nobody else exists. The authenticator gets only HA1s. */
static SipDigestResult ha1_of(const char *username, VgwDigestAlgorithm alg,
                              char ha1[VGW_DIGEST_HEX_MAX + 1],
                              gpointer data) {
  const char *a1[] = {username, REALM, "secret"};
  if (strcmp(username, "carol") == 0) return SIP_DIGEST_UNUSABLE_PASSWORD;
  if (strcmp(username, "alice") != 0) return SIP_DIGEST_UNKNOWN_USER;
  char *hex = vgw_digest_hash_hex(alg, a1, G_N_ELEMENTS(a1));
  g_strlcpy(ha1, hex, VGW_DIGEST_HEX_MAX + 1);
  g_free(hex);
  return SIP_DIGEST_OK;
}

static osip_message_t *parse(const char *text) {
  osip_message_t *m = NULL;
  g_assert_cmpint(sip_message_parse((const guint8 *)text, strlen(text), &m),
                  ==, SIP_REASON_NONE);
  return m;
}

/* Challenges in a 401 to a REGISTER, checks the WWW-Authenticate fields
 * (the offered algorithms, SHA-256 first, one nonce, stale as asked) and
 * keeps the nonce. */
static void challenge(Fixture *f, gboolean stale) {
  char *text = sip_canned_request("REGISTER", "UDP", NULL, NULL);
  osip_message_t *req = parse(text);
  osip_message_t *resp = sip_response_new(req, 401, NULL, "t1");
  GString *algorithms = g_string_new(NULL);
  osip_www_authenticate_t *w = NULL;
  osip_www_authenticate_t *first = NULL;

  g_assert_true(sip_digest_auth_challenge(f->auth, resp, stale));
  for (int i = 0; osip_message_get_www_authenticate(resp, i, &w) >= 0; i++) {
    first = first != NULL ? first : w;
    g_string_append_printf(algorithms, "%s%s", i > 0 ? "," : "",
                           w->algorithm);
    g_assert_cmpstr(w->auth_type, ==, "Digest");
    g_assert_cmpstr(w->realm, ==, "\"" REALM "\"");
    g_assert_cmpstr(w->qop_options, ==, "\"auth\"");
    g_assert_cmpstr(w->stale, ==, stale ? "true" : NULL);
    g_assert_cmpstr(w->nonce, ==, first->nonce);
  }
  g_assert_cmpstr(algorithms->str, ==,
                  f->offer == SIP_DIGEST_OFFER_ALL ? "SHA-256,MD5"
                  : f->offer == SIP_DIGEST_OFFER(VGW_DIGEST_MD5) ? "MD5"
                                                                 : "SHA-256");
  g_assert_cmpuint(strlen(first->nonce), ==, 34); /* 32 hex digits, quoted */
  g_free(f->nonce);
  f->nonce = g_strndup(first->nonce + 1, 32);
  g_string_free(algorithms, TRUE);
  osip_message_free(resp);
  osip_message_free(req);
  g_free(text);
}

/* A REGISTER answering the last challenge as |user| with |password|
 * under |alg| (NULL: no algorithm field) and |nc|, checked. */
static SipDigestResult answer(Fixture *f, const char *user,
                              const char *password, const char *alg,
                              const char *nc) {
  VgwDigestAlgorithm a =
      alg != NULL && strcmp(alg, "SHA-256") == 0 ? VGW_DIGEST_SHA256
                                                 : VGW_DIGEST_MD5;
  char *response = client_response(a, user, REALM, password, "REGISTER", URI,
                                   f->nonce, nc, "c0ffee");
  char *alg_field = alg != NULL ? g_strdup_printf(", algorithm=%s", alg)
                                : g_strdup("");
  char *extra = g_strdup_printf(
      "Authorization: Digest username=\"%s\", realm=\"" REALM "\", "
      "nonce=\"%s\", uri=\"" URI "\", response=\"%s\"%s, qop=auth, "
      "nc=%s, cnonce=\"c0ffee\"\r\n",
      user, f->nonce, response, alg_field, nc);
  char *text = sip_canned_request("REGISTER", "UDP", NULL, extra);
  osip_message_t *req = parse(text);
  char *who = NULL;
  SipDigestResult result =
      sip_digest_auth_check(f->auth, req, ha1_of, NULL, &who);

  g_assert_cmpstr(who, ==, result == SIP_DIGEST_OK ? user : NULL);
  g_free(who);
  osip_message_free(req);
  g_free(text);
  g_free(extra);
  g_free(alg_field);
  g_free(response);
  return result;
}

static void test_right_password(Fixture *f, gconstpointer alg) {
  challenge(f, FALSE);
  g_assert_cmpint(answer(f, "alice", "secret", alg, "00000001"), ==,
                  SIP_DIGEST_OK);
  /* The same nonce again with a higher count is fine (RFC 2617 §3.2.3). */
  g_assert_cmpint(answer(f, "alice", "secret", alg, "00000002"), ==,
                  SIP_DIGEST_OK);
}

static void test_wrong_password(Fixture *f, gconstpointer unused) {
  challenge(f, FALSE);
  g_assert_cmpint(answer(f, "alice", "Secret", "SHA-256", "00000001"), ==,
                  SIP_DIGEST_WRONG_RESPONSE);
  g_assert_cmpint(answer(f, "alice", "secret", "MD5", "00000001"), ==,
                  SIP_DIGEST_OK);
}

static void test_unknown_user(Fixture *f, gconstpointer unused) {
  challenge(f, FALSE);
  g_assert_cmpint(answer(f, "bob", "secret", "MD5", "00000001"), ==,
                  SIP_DIGEST_UNKNOWN_USER);
}

/* A user whose stored HA1 cannot serve is refused as such, whatever the
 * answer; the nonce stays good for the others. */
static void test_unusable_password(Fixture *f, gconstpointer unused) {
  challenge(f, FALSE);
  g_assert_cmpint(answer(f, "carol", "secret", "SHA-256", "00000001"), ==,
                  SIP_DIGEST_UNUSABLE_PASSWORD);
  g_assert_cmpint(answer(f, "alice", "secret", "SHA-256", "00000001"), ==,
                  SIP_DIGEST_OK);
}

static void test_replay(Fixture *f, gconstpointer unused) {
  challenge(f, FALSE);
  g_assert_cmpint(answer(f, "alice", "secret", "MD5", "00000005"), ==,
                  SIP_DIGEST_OK);
  g_assert_cmpint(answer(f, "alice", "secret", "MD5", "00000005"), ==,
                  SIP_DIGEST_REPLAYED);
  g_assert_cmpint(answer(f, "alice", "secret", "MD5", "00000004"), ==,
                  SIP_DIGEST_REPLAYED);
  g_assert_cmpint(answer(f, "alice", "secret", "MD5", "00000006"), ==,
                  SIP_DIGEST_OK);
}

static void test_stale_then_forgotten(Fixture *f, gconstpointer unused) {
  challenge(f, FALSE);
  f->now += 59;
  g_assert_cmpint(answer(f, "alice", "secret", "MD5", "00000001"), ==,
                  SIP_DIGEST_OK);
  f->now += 1;
  /* Only the right password hears that the nonce is stale. */
  g_assert_cmpint(answer(f, "alice", "wrong", "MD5", "00000002"), ==,
                  SIP_DIGEST_WRONG_RESPONSE);
  g_assert_cmpint(answer(f, "alice", "secret", "MD5", "00000002"), ==,
                  SIP_DIGEST_STALE_NONCE);
  f->now += 60;
  g_assert_cmpint(answer(f, "alice", "secret", "MD5", "00000003"), ==,
                  SIP_DIGEST_UNKNOWN_NONCE);
  challenge(f, TRUE);
  g_assert_cmpint(answer(f, "alice", "secret", "MD5", "00000001"), ==,
                  SIP_DIGEST_OK);
}

static void test_nonce_not_ours(Fixture *f, gconstpointer unused) {
  challenge(f, FALSE);
  f->nonce[0] = f->nonce[0] == 'a' ? 'b' : 'a';
  g_assert_cmpint(answer(f, "alice", "secret", "MD5", "00000001"), ==,
                  SIP_DIGEST_UNKNOWN_NONCE);
}

static void test_bad_algorithm(Fixture *f, gconstpointer unused) {
  challenge(f, FALSE);
  g_assert_cmpint(answer(f, "alice", "secret", "MD5-sess", "00000001"), ==,
                  SIP_DIGEST_BAD_ALGORITHM);
  /* No algorithm field means MD5. */
  g_assert_cmpint(answer(f, "alice", "secret", NULL, "00000001"), ==,
                  SIP_DIGEST_OK);
}

/* An authenticator offering one algorithm refuses answers under the
 * other: no downgrade to MD5, no SHA-256 where only MD5 is offered. */
static void test_one_algorithm(Fixture *f, gconstpointer refused) {
  const char *accepted = strcmp(refused, "MD5") == 0 ? "SHA-256" : "MD5";

  challenge(f, FALSE);
  g_assert_cmpint(answer(f, "alice", "secret", refused, "00000001"), ==,
                  SIP_DIGEST_BAD_ALGORITHM);
  g_assert_cmpint(answer(f, "alice", "secret", accepted, "00000001"), ==,
                  SIP_DIGEST_OK);
}

static void test_bad_nc(Fixture *f, gconstpointer unused) {
  challenge(f, FALSE);
  g_assert_cmpint(answer(f, "alice", "secret", "MD5", "1"), ==,
                  SIP_DIGEST_BAD_QOP);
  g_assert_cmpint(answer(f, "alice", "secret", "MD5", "0000000g"), ==,
                  SIP_DIGEST_BAD_QOP);
}

/* Requests that carry no usable Authorization for our realm. */
static void test_refused_headers(Fixture *f, gconstpointer unused) {
  static const struct {
    const char *extra;
    SipDigestResult result;
  } cases[] = {
      {NULL, SIP_DIGEST_NO_CREDENTIALS},
      {"Authorization: Digest username=\"alice\", realm=\"other\", "
       "nonce=\"x\", uri=\"" URI "\", response=\"0\"\r\n",
       SIP_DIGEST_NO_CREDENTIALS},
      {"Authorization: Digest username=\"alice\", realm=\"" REALM "\", "
       "uri=\"" URI "\", response=\"0\"\r\n",
       SIP_DIGEST_MALFORMED},
      {"Authorization: Digest username=\"alice\", realm=\"" REALM "\", "
       "nonce=\"x\", uri=\"" URI "\", response=\"0\"\r\n",
       SIP_DIGEST_BAD_QOP},
      {"Authorization: Digest username=\"alice\", realm=\"" REALM "\", "
       "nonce=\"x\", uri=\"" URI "\", response=\"0\", qop=auth, "
       "nc=00000001, cnonce=\"c\"\r\n",
       SIP_DIGEST_UNKNOWN_NONCE},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *text = sip_canned_request("REGISTER", "UDP", NULL, cases[i].extra);
    osip_message_t *req = parse(text);
    char *who = NULL;
    g_assert_cmpint(sip_digest_auth_check(f->auth, req, ha1_of, NULL, &who),
                    ==, cases[i].result);
    g_assert_null(who);
    osip_message_free(req);
    g_free(text);
  }
}

static void test_result_names(void) {
  for (guint r = 0; r < SIP_DIGEST_RESULT_COUNT; r++) {
    g_assert_cmpstr(sip_digest_result_name(r), !=, "?");
    g_assert_cmpstr(sip_digest_result_text(r), !=, "?");
  }
  g_assert_cmpstr(sip_digest_result_name(SIP_DIGEST_STALE_NONCE), ==,
                  "stale-nonce");
  g_assert_cmpstr(sip_digest_result_name(SIP_DIGEST_RESULT_COUNT), ==, "?");
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sip-digest/rfc2617-md5", test_rfc2617_md5);
  g_test_add_data_func("/sip-digest/rfc7616-md5",
                       GUINT_TO_POINTER(VGW_DIGEST_MD5), test_rfc7616);
  g_test_add_data_func("/sip-digest/rfc7616-sha256",
                       GUINT_TO_POINTER(VGW_DIGEST_SHA256), test_rfc7616);
  g_test_add_func("/sip-digest/result-names", test_result_names);
#define ADD(path, fn, data) \
  g_test_add("/sip-digest/" path, Fixture, data, setup, fn, teardown)
  ADD("right-password-md5", test_right_password, "MD5");
  ADD("right-password-sha256", test_right_password, "SHA-256");
  ADD("wrong-password", test_wrong_password, NULL);
  ADD("unknown-user", test_unknown_user, NULL);
  ADD("unusable-password", test_unusable_password, NULL);
  ADD("replay", test_replay, NULL);
  ADD("stale-then-forgotten", test_stale_then_forgotten, NULL);
  ADD("nonce-not-ours", test_nonce_not_ours, NULL);
  ADD("bad-algorithm", test_bad_algorithm, NULL);
  ADD("bad-nc", test_bad_nc, NULL);
  g_test_add("/sip-digest/md5-only", Fixture, "SHA-256", setup_md5_only,
             test_one_algorithm, teardown);
  g_test_add("/sip-digest/sha256-only", Fixture, "MD5", setup_sha256_only,
             test_one_algorithm, teardown);
  ADD("refused-headers", test_refused_headers, NULL);
#undef ADD
  return g_test_run();
}
