/* Digest authentication, server side: see sip_digest.h. */
#include "sip_digest.h"

#include <openssl/mem.h>
#include <openssl/rand.h>
#include <osipparser2/osip_parser.h>
#include <string.h>

#define NONCE_BYTES 16

static const struct {
  const char *name;
  const char *text;
} results[SIP_DIGEST_RESULT_COUNT] = {
    [SIP_DIGEST_OK] = {"ok", "authenticated"},
    [SIP_DIGEST_NO_CREDENTIALS] = {"no-credentials",
                                   "no credentials for our realm"},
    [SIP_DIGEST_MALFORMED] = {"malformed-credentials",
                              "credentials not Digest or incomplete"},
    [SIP_DIGEST_BAD_ALGORITHM] = {"bad-algorithm",
                                  "an algorithm we do not offer"},
    [SIP_DIGEST_BAD_QOP] = {"bad-qop", "not qop=auth with nc and cnonce"},
    [SIP_DIGEST_UNKNOWN_NONCE] = {"unknown-nonce", "a nonce we did not issue"},
    [SIP_DIGEST_STALE_NONCE] = {"stale-nonce", "the nonce has expired"},
    [SIP_DIGEST_REPLAYED] = {"replayed", "nonce count not above the last one"},
    [SIP_DIGEST_UNKNOWN_USER] = {"unknown-user", "no such user for this AOR"},
    [SIP_DIGEST_UNUSABLE_PASSWORD] = {"unusable-password",
                                      "no password usable in our realm"},
    [SIP_DIGEST_WRONG_RESPONSE] = {"wrong-response",
                                   "wrong password (response does not match)"},
};

const char *sip_digest_result_name(SipDigestResult result) {
  return result < SIP_DIGEST_RESULT_COUNT ? results[result].name : "?";
}

const char *sip_digest_result_text(SipDigestResult result) {
  return result < SIP_DIGEST_RESULT_COUNT ? results[result].text : "?";
}

static const char *const algorithm_tokens[VGW_DIGEST_ALGORITHM_COUNT] = {
    [VGW_DIGEST_MD5] = "MD5",
    [VGW_DIGEST_SHA256] = "SHA-256",
};

const char *sip_digest_algorithm_token(VgwDigestAlgorithm alg) {
  return alg < VGW_DIGEST_ALGORITHM_COUNT ? algorithm_tokens[alg] : "?";
}

char *sip_digest_response(VgwDigestAlgorithm alg, const char *ha1,
                          const char *method, const char *uri,
                          const char *nonce, const char *nc,
                          const char *cnonce) {
  const char *a2[] = {method, uri};
  char *ha2 = vgw_digest_hash_hex(alg, a2, G_N_ELEMENTS(a2));
  const char *kd[] = {ha1, nonce, nc, cnonce, "auth", ha2};
  char *response = vgw_digest_hash_hex(alg, kd, G_N_ELEMENTS(kd));

  g_free(ha2);
  return response;
}

/* ---- nonces ---- */

typedef struct {
  char hex[2 * NONCE_BYTES + 1];
  gint64 issued_s;
  guint32 last_nc; /* 0: none accepted yet */
} Nonce;

struct SipDigestAuth {
  char *realm;
  guint algorithms; /* SIP_DIGEST_OFFER() set */
  guint lifetime_s;
  SipDigestClock clock;
  gpointer clock_data;
  GHashTable *by_hex; /* Nonce.hex -> Nonce, owned by |order| */
  GQueue order;       /* oldest first */
};

static gint64 monotonic_s(gpointer data) {
  (void)data;
  return g_get_monotonic_time() / G_USEC_PER_SEC;
}

SipDigestAuth *sip_digest_auth_new(const char *realm, guint algorithms,
                                   guint nonce_lifetime_s,
                                   SipDigestClock clock, gpointer clock_data) {
  g_return_val_if_fail((algorithms & SIP_DIGEST_OFFER_ALL) != 0, NULL);
  SipDigestAuth *auth = g_new0(SipDigestAuth, 1);
  auth->realm = g_strdup(realm);
  auth->algorithms = algorithms & SIP_DIGEST_OFFER_ALL;
  auth->lifetime_s = MAX(nonce_lifetime_s, 1);
  auth->clock = clock != NULL ? clock : monotonic_s;
  auth->clock_data = clock_data;
  auth->by_hex = g_hash_table_new(g_str_hash, g_str_equal);
  g_queue_init(&auth->order);
  return auth;
}

void sip_digest_auth_free(SipDigestAuth *auth) {
  if (auth == NULL) {
    return;
  }
  g_hash_table_destroy(auth->by_hex);
  g_queue_clear_full(&auth->order, g_free);
  g_free(auth->realm);
  g_free(auth);
}

const char *sip_digest_auth_realm(const SipDigestAuth *auth) {
  return auth->realm;
}

/* Forgets the nonces past twice their lifetime, and the oldest beyond
 * SIP_DIGEST_MAX_NONCES - |room|. */
static void forget_old(SipDigestAuth *auth, guint room) {
  gint64 now = auth->clock(auth->clock_data);
  Nonce *n;

  while ((n = g_queue_peek_head(&auth->order)) != NULL &&
         (now - n->issued_s >= 2 * (gint64)auth->lifetime_s ||
          g_queue_get_length(&auth->order) + room > SIP_DIGEST_MAX_NONCES)) {
    g_hash_table_remove(auth->by_hex, n->hex);
    g_free(g_queue_pop_head(&auth->order));
  }
}

static const Nonce *nonce_issue(SipDigestAuth *auth) {
  static const char digits[] = "0123456789abcdef";
  guint8 raw[NONCE_BYTES];
  Nonce *n = g_new0(Nonce, 1);

  forget_old(auth, 1);
  RAND_bytes(raw, sizeof(raw));
  for (gsize i = 0; i < sizeof(raw); i++) {
    n->hex[2 * i] = digits[raw[i] >> 4];
    n->hex[2 * i + 1] = digits[raw[i] & 0xf];
  }
  n->issued_s = auth->clock(auth->clock_data);
  g_queue_push_tail(&auth->order, n);
  g_hash_table_insert(auth->by_hex, n->hex, n);
  return n;
}

/* ---- checking ---- */

/* The text of a quoted-string or token |v| (RFC 3261 §25.1), newly
 * allocated; NULL for NULL or an unterminated quoted-string. */
static char *unquote(const char *v) {
  gsize len = v != NULL ? strlen(v) : 0;

  if (v == NULL) {
    return NULL;
  }
  if (len == 0 || v[0] != '"') {
    return g_strndup(v, len);
  }
  GString *out = g_string_sized_new(len);
  for (gsize i = 1; i < len; i++) {
    if (v[i] == '"') {
      if (i + 1 != len) {
        break;
      }
      return g_string_free(out, FALSE);
    }
    if (v[i] == '\\') {
      if (++i == len) {
        break;
      }
    }
    g_string_append_c(out, v[i]);
  }
  g_string_free(out, TRUE);
  return NULL;
}

/* nc: exactly 8 hex digits (RFC 2617 §3.2.2). */
static gboolean parse_nc(const char *text, guint32 *nc) {
  guint64 v = 0;

  if (text == NULL || strlen(text) != 8) {
    return FALSE;
  }
  for (gsize i = 0; i < 8; i++) {
    int d = g_ascii_xdigit_value(text[i]);
    if (d < 0) {
      return FALSE;
    }
    v = v * 16 + (guint)d;
  }
  *nc = (guint32)v;
  return TRUE;
}

/* The fields of one Authorization, unquoted. */
typedef struct {
  char *username, *realm, *nonce, *uri, *response, *algorithm, *qop, *nc,
      *cnonce;
} Credentials;

static void credentials_clear(Credentials *c) {
  char **fields[] = {&c->username, &c->realm, &c->nonce,
                     &c->uri,      &c->response, &c->algorithm,
                     &c->qop,      &c->nc,       &c->cnonce};
  for (gsize i = 0; i < G_N_ELEMENTS(fields); i++) {
    g_clear_pointer(fields[i], g_free);
  }
}

/* Finds the Authorization for |realm| in |req| and unquotes its fields:
 * NO_CREDENTIALS, MALFORMED (not Digest, or a field badly quoted) or OK. */
static SipDigestResult credentials_find(const osip_message_t *req,
                                        const char *realm, Credentials *c) {
  osip_authorization_t *a = NULL;

  for (int pos = 0;
       osip_message_get_authorization(req, pos, &a) >= 0 && a != NULL;
       pos++) {
    char *r = unquote(a->realm);
    gboolean ours = g_strcmp0(r, realm) == 0;
    g_free(r);
    if (!ours) {
      continue;
    }
    if (a->auth_type == NULL ||
        g_ascii_strcasecmp(a->auth_type, "Digest") != 0) {
      return SIP_DIGEST_MALFORMED;
    }
    const char *raw[] = {a->username,  a->realm,    a->nonce,
                         a->uri,       a->response, a->algorithm,
                         a->message_qop, a->nonce_count, a->cnonce};
    char **fields[] = {&c->username, &c->realm,     &c->nonce,
                       &c->uri,      &c->response,  &c->algorithm,
                       &c->qop,      &c->nc,        &c->cnonce};
    for (gsize i = 0; i < G_N_ELEMENTS(raw); i++) {
      *fields[i] = unquote(raw[i]);
      if (raw[i] != NULL && *fields[i] == NULL) {
        return SIP_DIGEST_MALFORMED;
      }
    }
    return c->username != NULL && c->nonce != NULL && c->uri != NULL &&
                   c->response != NULL
               ? SIP_DIGEST_OK
               : SIP_DIGEST_MALFORMED;
  }
  return SIP_DIGEST_NO_CREDENTIALS;
}

static gboolean algorithm_parse(const char *token, VgwDigestAlgorithm *alg) {
  if (token == NULL) {
    *alg = VGW_DIGEST_MD5; /* RFC 2617 §3.2.1: absent means MD5 */
    return TRUE;
  }
  for (guint i = 0; i < VGW_DIGEST_ALGORITHM_COUNT; i++) {
    if (g_ascii_strcasecmp(token, algorithm_tokens[i]) == 0) {
      *alg = i;
      return TRUE;
    }
  }
  return FALSE;
}

/* Compares the responses in constant time; the client's may be in
 * upper-case hex. */
static gboolean response_matches(const char *expected, const char *given) {
  gsize len = strlen(expected);
  gboolean same;

  if (strlen(given) != len) {
    return FALSE;
  }
  char *lower = g_ascii_strdown(given, len);
  same = CRYPTO_memcmp(expected, lower, len) == 0;
  g_free(lower);
  return same;
}

static SipDigestResult check(SipDigestAuth *auth, const osip_message_t *req,
                             const Credentials *c, SipDigestHa1Func ha1_of,
                             gpointer data) {
  VgwDigestAlgorithm alg;
  guint32 nc = 0;

  if (!algorithm_parse(c->algorithm, &alg) ||
      (auth->algorithms & SIP_DIGEST_OFFER(alg)) == 0) {
    return SIP_DIGEST_BAD_ALGORITHM;
  }
  if (c->qop == NULL || strcmp(c->qop, "auth") != 0 || c->cnonce == NULL ||
      !parse_nc(c->nc, &nc)) {
    return SIP_DIGEST_BAD_QOP;
  }
  forget_old(auth, 0);
  Nonce *n = g_hash_table_lookup(auth->by_hex, c->nonce);
  if (n == NULL) {
    return SIP_DIGEST_UNKNOWN_NONCE;
  }
  char ha1[VGW_DIGEST_HEX_MAX + 1] = "";
  SipDigestResult found = ha1_of(c->username, alg, ha1, data);
  if (found != SIP_DIGEST_OK) {
    OPENSSL_cleanse(ha1, sizeof(ha1));
    return found;
  }
  char *expected = sip_digest_response(alg, ha1, req->sip_method, c->uri,
                                       c->nonce, c->nc, c->cnonce);
  OPENSSL_cleanse(ha1, sizeof(ha1));
  gboolean ok = response_matches(expected, c->response);
  g_free(expected);
  if (!ok) {
    return SIP_DIGEST_WRONG_RESPONSE;
  }
  /* Only now: stale=true tells the client its password was right
   * (RFC 2617 §3.2.1), so it retries without asking its user. */
  if (auth->clock(auth->clock_data) - n->issued_s >=
      (gint64)auth->lifetime_s) {
    return SIP_DIGEST_STALE_NONCE;
  }
  if (nc <= n->last_nc) {
    return SIP_DIGEST_REPLAYED;
  }
  n->last_nc = nc;
  return SIP_DIGEST_OK;
}

SipDigestResult sip_digest_auth_check(SipDigestAuth *auth,
                                      const osip_message_t *req,
                                      SipDigestHa1Func ha1_of, gpointer data,
                                      char **username) {
  Credentials c = {0};
  SipDigestResult result = credentials_find(req, auth->realm, &c);

  if (username != NULL) {
    *username = NULL;
  }
  if (result == SIP_DIGEST_OK) {
    result = check(auth, req, &c, ha1_of, data);
  }
  if (result == SIP_DIGEST_OK && username != NULL) {
    *username = g_steal_pointer(&c.username);
  }
  credentials_clear(&c);
  return result;
}

/* |text| as a quoted-string (RFC 3261 §25.1). */
static void append_quoted(GString *out, const char *text) {
  g_string_append_c(out, '"');
  for (const char *p = text; *p != '\0'; p++) {
    if (*p == '"' || *p == '\\') {
      g_string_append_c(out, '\\');
    }
    g_string_append_c(out, *p);
  }
  g_string_append_c(out, '"');
}

gboolean sip_digest_auth_challenge(SipDigestAuth *auth, osip_message_t *resp,
                                   gboolean stale) {
  static const VgwDigestAlgorithm preference[] = {VGW_DIGEST_SHA256,
                                                  VGW_DIGEST_MD5};
  const Nonce *n = nonce_issue(auth);
  GString *value = g_string_new(NULL);
  gboolean ok = TRUE;

  for (gsize i = 0; ok && i < G_N_ELEMENTS(preference); i++) {
    if ((auth->algorithms & SIP_DIGEST_OFFER(preference[i])) == 0) {
      continue;
    }
    g_string_assign(value, "Digest realm=");
    append_quoted(value, auth->realm);
    g_string_append_printf(value,
                           ", nonce=\"%s\", algorithm=%s, qop=\"auth\"%s",
                           n->hex, algorithm_tokens[preference[i]],
                           stale ? ", stale=true" : "");
    ok = osip_message_set_www_authenticate(resp, value->str) == OSIP_SUCCESS;
  }
  g_string_free(value, TRUE);
  return ok;
}
