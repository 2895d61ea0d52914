/* Unit tests of the certificate bundle check (device-fw/tls/tls_bundle.h)
 * and of the verification of a TLS peer's certificate built on it
 * (device-fw/tls/tls_peer_verify.h: the reason and the alert of every
 * mutual-authentication refusal) over certificates `vgw pki` makes (the
 * same code, pki_cert.h, run here so that every case is made at test time
 * with the times it needs). */
#include <glib.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string.h>

#include "pki_cert.h"
#include "pki_san.h"
#include "tls/tls_bundle.h"
#include "tls/tls_peer_verify.h"
#include "tls/tls_softkey.h"
#include "vgw_crypto.h"

#define DAY (24 * 3600)

/* A certificate and its key. */
typedef struct {
  X509 *cert;
  EVP_PKEY *key;
} Made;

static gint64 now;

/* make issues a certificate named |cn| under |issuer| (NULL: self-signed),
 * valid from now+|from_days| to now+|to_days|, with |eku| bits. */
static Made make(const char *cn, gboolean ca, guint eku, const Made *issuer,
                 int from_days, int to_days) {
  Made m;
  m.key = vgw_tls_softkey_generate(VGW_KEY_TYPE_EC_P256);
  g_assert_nonnull(m.key);
  VgwPkiCertSpec spec = {
      .common_name = cn,
      .ca = ca,
      .eku = eku,
      .not_before = now + (gint64)from_days * DAY,
      .not_after = now + (gint64)to_days * DAY,
  };
  GError *error = NULL;
  m.cert = vgw_pki_cert_make(&spec, m.key, issuer ? issuer->cert : NULL,
                             issuer ? issuer->key : NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(m.cert);
  return m;
}

static Made make_device(const char *cn, guint eku, const Made *issuer) {
  return make(cn, FALSE, eku, issuer, -1, 365);
}

static void made_free(Made *m) {
  X509_free(m->cert);
  EVP_PKEY_free(m->key);
}

/* certs returns a stack referencing the NULL-terminated certificates. */
static STACK_OF(X509) *certs(X509 *first, ...) {
  STACK_OF(X509) *sk = sk_X509_new_null();
  va_list ap;
  va_start(ap, first);
  for (X509 *x = first; x != NULL; x = va_arg(ap, X509 *)) {
    X509_up_ref(x);
    sk_X509_push(sk, x);
  }
  va_end(ap);
  return sk;
}

/* The test PKI: root -> inter -> devices. */
typedef struct {
  Made root, inter;
} Pki;

static void pki_setup(Pki *p, gconstpointer unused) {
  p->root = make("root", TRUE, 0, NULL, -10, 3650);
  p->inter = make("inter", TRUE, 0, &p->root, -10, 3650);
}

static void pki_teardown(Pki *p, gconstpointer unused) {
  made_free(&p->root);
  made_free(&p->inter);
}

/* check runs vgw_tls_bundle_check on |dev| with |key|'s public half and
 * returns the error code, -1 for acceptance; |message| gets the text. */
static int check(const Made *dev, EVP_PKEY *key, STACK_OF(X509) *chain,
                 STACK_OF(X509) *roots, guint roles, char **message) {
  GBytes *spki = vgw_tls_bundle_spki(key);
  g_assert_nonnull(spki);
  GError *error = NULL;
  gboolean ok =
      vgw_tls_bundle_check(dev->cert, chain, spki, roots, roles, now, &error);
  g_bytes_unref(spki);
  sk_X509_pop_free(chain, X509_free);
  sk_X509_pop_free(roots, X509_free);
  if (ok) {
    g_assert_null(error);
    if (message != NULL) {
      *message = NULL;
    }
    return -1;
  }
  g_assert_nonnull(error);
  g_assert_true(error->domain == VGW_TLS_BUNDLE_ERROR);
  int code = error->code;
  if (message != NULL) {
    *message = g_strdup(error->message);
  } else {
    g_test_message("%s: %s", vgw_tls_bundle_error_name(code), error->message);
  }
  g_error_free(error);
  return code;
}

static const guint both = VGW_PKI_EKU_SERVER | VGW_PKI_EKU_CLIENT;

static void test_good_chain_to_trusted_root(Pki *p, gconstpointer unused) {
  Made dev = make_device("gw", both, &p->inter);
  g_assert_cmpint(check(&dev, dev.key, certs(p->inter.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLES_SIP, NULL),
                  ==, -1);
  made_free(&dev);
}

static void test_good_chain_complete_to_own_root(Pki *p,
                                                 gconstpointer unused) {
  Made dev = make_device("gw", both, &p->inter);
  g_assert_cmpint(check(&dev, dev.key, certs(p->inter.cert, p->root.cert, NULL),
                        NULL, VGW_TLS_ROLES_SIP, NULL),
                  ==, -1);
  made_free(&dev);
}

/* The root sent in the chain and trusted too: one anchor, no conflict. */
static void test_good_root_in_chain_and_trusted(Pki *p, gconstpointer unused) {
  Made dev = make_device("gw", both, &p->inter);
  g_assert_cmpint(check(&dev, dev.key, certs(p->inter.cert, p->root.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLES_SIP, NULL),
                  ==, -1);
  made_free(&dev);
}

static void test_good_self_signed(Pki *p, gconstpointer unused) {
  Made dev = make("ACL_1", FALSE, both, NULL, -1, 365);
  g_assert_cmpint(check(&dev, dev.key, NULL, NULL, VGW_TLS_ROLES_SIP, NULL), ==,
                  -1);
  made_free(&dev);
}

static void test_self_signed_expired(Pki *p, gconstpointer unused) {
  Made dev = make("ACL_1", FALSE, both, NULL, -30, -1);
  g_assert_cmpint(check(&dev, dev.key, NULL, NULL, VGW_TLS_ROLES_SIP, NULL), ==,
                  VGW_TLS_BUNDLE_ERROR_EXPIRED);
  made_free(&dev);
}

static void test_key_mismatch(Pki *p, gconstpointer unused) {
  Made dev = make_device("gw", both, &p->inter);
  char *msg;
  /* The intermediate's key is a good key, just not the device's. */
  g_assert_cmpint(check(&dev, p->inter.key, certs(p->inter.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLES_SIP, &msg),
                  ==, VGW_TLS_BUNDLE_ERROR_KEY_MISMATCH);
  g_assert_nonnull(strstr(msg, "CN=gw"));
  g_free(msg);
  made_free(&dev);
}

static void test_unknown_ca_without_chain(Pki *p, gconstpointer unused) {
  Made dev = make_device("gw", both, &p->inter);
  char *msg;
  /* The root is trusted but the intermediate is missing. */
  g_assert_cmpint(check(&dev, dev.key, NULL, certs(p->root.cert, NULL),
                        VGW_TLS_ROLES_SIP, &msg),
                  ==, VGW_TLS_BUNDLE_ERROR_UNTRUSTED);
  g_assert_nonnull(strstr(msg, "CN=gw"));
  g_free(msg);
  /* The intermediate is there but its root is neither trusted nor sent. */
  g_assert_cmpint(check(&dev, dev.key, certs(p->inter.cert, NULL), NULL,
                        VGW_TLS_ROLES_SIP, &msg),
                  ==, VGW_TLS_BUNDLE_ERROR_UNTRUSTED);
  g_assert_nonnull(strstr(msg, "CN=inter"));
  g_free(msg);
  made_free(&dev);
}

/* tampered returns a copy of |x| whose signature's last byte is flipped:
 * still a well-formed certificate, no longer signed by its issuer. */
static X509 *tampered(X509 *x) {
  uint8_t *der = NULL;
  int len = i2d_X509(x, &der);
  g_assert_cmpint(len, >, 0);
  der[len - 1] ^= 0x01;
  const uint8_t *p = der;
  X509 *bad = d2i_X509(NULL, &p, len);
  g_assert_nonnull(bad);
  OPENSSL_free(der);
  return bad;
}

static void test_bad_signature(Pki *p, gconstpointer unused) {
  Made dev = make_device("gw", both, &p->inter);
  X509 *good = dev.cert;
  dev.cert = tampered(good);
  X509_free(good);
  char *msg;
  g_assert_cmpint(check(&dev, dev.key, certs(p->inter.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLES_SIP, &msg),
                  ==, VGW_TLS_BUNDLE_ERROR_CHAIN_INVALID);
  g_assert_nonnull(strstr(msg, "CN=gw"));
  g_free(msg);
  made_free(&dev);
}

/* An issuer that is no CA cannot issue: the path does not build. */
static void test_issuer_not_a_ca(Pki *p, gconstpointer unused) {
  Made issuer = make_device("not-a-ca", both, &p->root);
  Made dev = make_device("gw", both, &issuer);
  g_assert_cmpint(check(&dev, dev.key, certs(issuer.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLES_SIP, NULL),
                  ==, VGW_TLS_BUNDLE_ERROR_UNTRUSTED);
  made_free(&dev);
  made_free(&issuer);
}

static void test_expired(Pki *p, gconstpointer unused) {
  Made dev = make("gw", FALSE, both, &p->inter, -30, -1);
  char *msg;
  g_assert_cmpint(check(&dev, dev.key, certs(p->inter.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLES_SIP, &msg),
                  ==, VGW_TLS_BUNDLE_ERROR_EXPIRED);
  g_assert_nonnull(strstr(msg, "CN=gw"));
  g_free(msg);
  made_free(&dev);
}

static void test_expired_intermediate(Pki *p, gconstpointer unused) {
  Made old = make("old-inter", TRUE, 0, &p->root, -30, -1);
  Made dev = make_device("gw", both, &old);
  char *msg;
  g_assert_cmpint(check(&dev, dev.key, certs(old.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLES_SIP, &msg),
                  ==, VGW_TLS_BUNDLE_ERROR_EXPIRED);
  /* The reason names the certificate that expired, not the device's. */
  g_assert_nonnull(strstr(msg, "CN=old-inter"));
  g_free(msg);
  made_free(&dev);
  made_free(&old);
}

static void test_not_yet_valid(Pki *p, gconstpointer unused) {
  Made dev = make("gw", FALSE, both, &p->inter, 2, 30);
  g_assert_cmpint(check(&dev, dev.key, certs(p->inter.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLES_SIP, NULL),
                  ==, VGW_TLS_BUNDLE_ERROR_NOT_YET_VALID);
  made_free(&dev);
}

static void test_eku_client_only(Pki *p, gconstpointer unused) {
  Made dev = make_device("gw", VGW_PKI_EKU_CLIENT, &p->inter);
  char *msg;
  g_assert_cmpint(check(&dev, dev.key, certs(p->inter.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLES_SIP, &msg),
                  ==, VGW_TLS_BUNDLE_ERROR_NO_SERVER_AUTH);
  g_assert_nonnull(strstr(msg, "serverAuth"));
  g_assert_null(strstr(msg, "clientAuth"));
  g_free(msg);
  /* Fit for the client role alone. */
  g_assert_cmpint(check(&dev, dev.key, certs(p->inter.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLE_CLIENT, NULL),
                  ==, -1);
  made_free(&dev);
}

static void test_eku_server_only(Pki *p, gconstpointer unused) {
  Made dev = make_device("gw", VGW_PKI_EKU_SERVER, &p->inter);
  g_assert_cmpint(check(&dev, dev.key, certs(p->inter.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLES_SIP, NULL),
                  ==, VGW_TLS_BUNDLE_ERROR_NO_CLIENT_AUTH);
  g_assert_cmpint(check(&dev, dev.key, certs(p->inter.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLE_SERVER, NULL),
                  ==, -1);
  made_free(&dev);
}

static void test_eku_absent_allows_both(Pki *p, gconstpointer unused) {
  Made dev = make_device("gw", 0, &p->inter);
  g_assert_cmpint(check(&dev, dev.key, certs(p->inter.cert, NULL),
                        certs(p->root.cert, NULL), VGW_TLS_ROLES_SIP, NULL),
                  ==, -1);
  made_free(&dev);
}

static void test_key_usage_without_signature(Pki *p, gconstpointer unused) {
  /* A CA's key usage is keyCertSign, cRLSign: no digitalSignature. */
  g_assert_cmpint(check(&p->inter, p->inter.key, NULL,
                        certs(p->root.cert, NULL), VGW_TLS_ROLES_SIP, NULL),
                  ==, VGW_TLS_BUNDLE_ERROR_KEY_USAGE);
}

static char *to_pem(X509 *x) {
  BIO *bio = BIO_new(BIO_s_mem());
  const uint8_t *data;
  size_t len;
  g_assert_true(PEM_write_bio_X509(bio, x));
  g_assert_true(BIO_mem_contents(bio, &data, &len));
  char *pem = g_strndup((const char *)data, len);
  BIO_free(bio);
  return pem;
}

static void test_read_pem(Pki *p, gconstpointer unused) {
  char *root = to_pem(p->root.cert), *inter = to_pem(p->inter.cert);
  char *two = g_strconcat(inter, "\n", root, NULL);
  GError *error = NULL;
  STACK_OF(X509) *sk = vgw_tls_bundle_read_pem(two, strlen(two), "c", &error);
  g_assert_no_error(error);
  g_assert_cmpint(sk_X509_num(sk), ==, 2);
  g_assert_cmpint(X509_cmp(sk_X509_value(sk, 0), p->inter.cert), ==, 0);
  g_assert_cmpint(X509_cmp(sk_X509_value(sk, 1), p->root.cert), ==, 0);
  sk_X509_pop_free(sk, X509_free);

  sk = vgw_tls_bundle_read_pem(" \n", 2, "c", &error);
  g_assert_no_error(error);
  g_assert_cmpint(sk_X509_num(sk), ==, 0);
  sk_X509_pop_free(sk, X509_free);

  const char *garbage = "not a certificate\n";
  g_assert_null(
      vgw_tls_bundle_read_pem(garbage, strlen(garbage), "the chain", &error));
  g_assert_error(error, VGW_TLS_BUNDLE_ERROR, VGW_TLS_BUNDLE_ERROR_UNREADABLE);
  g_assert_nonnull(strstr(error->message, "the chain"));
  g_clear_error(&error);

  /* A key where a certificate belongs is refused, naming the block. */
  BIO *bio = BIO_new(BIO_s_mem());
  const uint8_t *data;
  size_t len;
  g_assert_true(PEM_write_bio_PrivateKey(bio, p->root.key, NULL, NULL, 0, NULL,
                                         NULL));
  g_assert_true(BIO_mem_contents(bio, &data, &len));
  char *with_key = g_strdup_printf("%s%.*s", inter, (int)len, data);
  BIO_free(bio);
  g_assert_null(vgw_tls_bundle_read_pem(with_key, strlen(with_key), "the chain",
                                        &error));
  g_assert_error(error, VGW_TLS_BUNDLE_ERROR, VGW_TLS_BUNDLE_ERROR_UNREADABLE);
  g_assert_nonnull(strstr(error->message, "block 2"));
  g_clear_error(&error);

  g_free(with_key);
  g_free(two);
  g_free(root);
  g_free(inter);
}

/* ---- a peer's certificate (tls_peer_verify.h) ---- */

/* peer runs vgw_tls_peer_verify on |sent| (taken) against |roots|
 * (taken) for a TLS client; returns the VgwTlsError code, -1 for
 * acceptance (*identity then set, the caller's), with *alert the alert. */
static int peer(STACK_OF(X509) *sent, STACK_OF(X509) *roots, uint8_t *alert,
                VgwTlsPeerIdentity **identity, char **message) {
  GError *error = NULL;
  *alert = 0;
  VgwTlsPeerIdentity *id = vgw_tls_peer_verify(sent, roots, VGW_TLS_ROLE_CLIENT,
                                               now, alert, &error);
  sk_X509_pop_free(sent, X509_free);
  sk_X509_pop_free(roots, X509_free);
  if (id != NULL) {
    g_assert_null(error);
    if (identity != NULL) {
      *identity = id;
    } else {
      vgw_tls_peer_identity_free(id);
    }
    return -1;
  }
  g_assert_error(error, VGW_TLS_ERROR, error->code);
  g_test_message("%s: %s", vgw_tls_error_name(error->code), error->message);
  int code = error->code;
  if (message != NULL) {
    *message = g_strdup(error->message);
  }
  g_error_free(error);
  return code;
}

static void test_peer_good(Pki *p, gconstpointer unused) {
  Made m;
  m.key = vgw_tls_softkey_generate(VGW_KEY_TYPE_EC_P256);
  char *specs[] = {"uri:sip:alice@lab.test", "dns:alice.lab.test",
                   "ip:192.0.2.7", NULL};
  GError *error = NULL;
  VgwPkiCertSpec spec = {.common_name = "alice",
                         .eku = VGW_PKI_EKU_CLIENT,
                         .sans = vgw_pki_sans_parse(specs, &error),
                         .not_before = now - DAY,
                         .not_after = now + DAY};
  g_assert_no_error(error);
  m.cert = vgw_pki_cert_make(&spec, m.key, p->inter.cert, p->inter.key, &error);
  g_assert_no_error(error);
  GENERAL_NAMES_free(spec.sans);
  uint8_t alert;
  VgwTlsPeerIdentity *id = NULL;
  g_assert_cmpint(peer(certs(m.cert, p->inter.cert, NULL),
                       certs(p->root.cert, NULL), &alert, &id, NULL),
                  ==, -1);
  g_assert_cmpstr(id->subject, ==, "CN=alice");
  g_assert_cmpstr(id->issuer, ==, "CN=inter");
  g_assert_cmpuint(strlen(id->sha256), ==, 64);
  g_assert_cmpuint(g_strv_length(id->san), ==, 3);
  g_assert_cmpstr(id->san[0], ==, "URI:sip:alice@lab.test");
  g_assert_cmpstr(id->san[1], ==, "DNS:alice.lab.test");
  g_assert_cmpstr(id->san[2], ==, "IP:192.0.2.7");
  vgw_tls_peer_identity_free(id);
  made_free(&m);
}

static void test_peer_none(Pki *p, gconstpointer unused) {
  uint8_t alert;
  g_assert_cmpint(peer(sk_X509_new_null(), certs(p->root.cert, NULL), &alert,
                       NULL, NULL),
                  ==, VGW_TLS_ERROR_NO_PEER_CERTIFICATE);
  g_assert_cmpuint(alert, ==, SSL_AD_CERTIFICATE_REQUIRED);
}

/* One refused case: |leaf| sent with |chain| (taken) against the root. */
static void refused(Pki *p, Made *leaf, STACK_OF(X509) *chain, int want_code,
                    uint8_t want_alert, const char *want_text) {
  STACK_OF(X509) *sent = certs(leaf->cert, NULL);
  while (chain != NULL && sk_X509_num(chain) > 0) {
    sk_X509_push(sent, sk_X509_shift(chain));
  }
  sk_X509_free(chain);
  uint8_t alert;
  char *message = NULL;
  g_assert_cmpint(peer(sent, certs(p->root.cert, NULL), &alert, NULL, &message),
                  ==, want_code);
  g_assert_cmpuint(alert, ==, want_alert);
  g_assert_nonnull(strstr(message, want_text));
  g_free(message);
  made_free(leaf);
}

static void test_peer_unknown_ca(Pki *p, gconstpointer unused) {
  Made rogue = make("rogue", TRUE, 0, NULL, -10, 3650);
  Made m = make_device("mallory", VGW_PKI_EKU_CLIENT, &rogue);
  refused(p, &m, NULL, VGW_TLS_ERROR_UNTRUSTED, SSL_AD_UNKNOWN_CA,
          "certificate CN=mallory (issuer CN=rogue): untrusted");
  made_free(&rogue);
}

static void test_peer_self_signed(Pki *p, gconstpointer unused) {
  Made m = make("self", FALSE, VGW_PKI_EKU_CLIENT, NULL, -1, 30);
  refused(p, &m, NULL, VGW_TLS_ERROR_UNTRUSTED, SSL_AD_UNKNOWN_CA, "untrusted");
}

/* A chain complete up to a root the context does not trust: a bundle
 * stands on its own root, a peer does not. */
static void test_peer_own_root_not_trusted(Pki *p, gconstpointer unused) {
  Made other = make("other-root", TRUE, 0, NULL, -10, 3650);
  Made m = make_device("alice", VGW_PKI_EKU_CLIENT, &other);
  refused(p, &m, certs(other.cert, NULL), VGW_TLS_ERROR_UNTRUSTED,
          SSL_AD_UNKNOWN_CA, "untrusted");
  made_free(&other);
}

static void test_peer_expired(Pki *p, gconstpointer unused) {
  Made m = make("old", FALSE, VGW_PKI_EKU_CLIENT, &p->inter, -30, -1);
  refused(p, &m, certs(p->inter.cert, NULL), VGW_TLS_ERROR_EXPIRED,
          SSL_AD_CERTIFICATE_EXPIRED,
          "certificate CN=old has expired (notAfter ");
}

static void test_peer_not_yet_valid(Pki *p, gconstpointer unused) {
  Made m = make("early", FALSE, VGW_PKI_EKU_CLIENT, &p->inter, 1, 30);
  refused(p, &m, certs(p->inter.cert, NULL), VGW_TLS_ERROR_NOT_YET_VALID,
          SSL_AD_BAD_CERTIFICATE, "is not yet valid (notBefore ");
}

/* The leaf alone: its issuer is unknown, as an unknown CA's is. */
static void test_peer_leaf_alone(Pki *p, gconstpointer unused) {
  Made m = make_device("alice", VGW_PKI_EKU_CLIENT, &p->inter);
  refused(p, &m, NULL, VGW_TLS_ERROR_UNTRUSTED, SSL_AD_UNKNOWN_CA, "untrusted");
}

/* Certificates sent with the leaf, none its issuer: a broken chain. */
static void test_peer_intermediate_missing(Pki *p, gconstpointer unused) {
  Made m = make_device("alice", VGW_PKI_EKU_CLIENT, &p->inter);
  refused(p, &m, certs(p->root.cert, NULL), VGW_TLS_ERROR_CHAIN,
          SSL_AD_BAD_CERTIFICATE,
          "do not include its issuer CN=inter (a missing intermediate)");
}

static void test_peer_eku_server_only(Pki *p, gconstpointer unused) {
  Made m = make_device("alice", VGW_PKI_EKU_SERVER, &p->inter);
  refused(p, &m, certs(p->inter.cert, NULL), VGW_TLS_ERROR_CHAIN,
          SSL_AD_BAD_CERTIFICATE, "lacks clientAuth");
}

static void test_names(void) {
  g_assert_cmpstr(vgw_tls_bundle_error_name(VGW_TLS_BUNDLE_ERROR_KEY_MISMATCH),
                  ==, "key-mismatch");
  g_assert_cmpstr(vgw_tls_bundle_error_name(VGW_TLS_BUNDLE_ERROR_NO_SERVER_AUTH),
                  ==, "no-server-auth");
  g_assert_cmpstr(vgw_tls_bundle_error_name(VGW_TLS_BUNDLE_ERROR_COUNT), ==,
                  "unknown");
  for (int c = 0; c < VGW_TLS_BUNDLE_ERROR_COUNT; c++) {
    g_assert_cmpstr(vgw_tls_bundle_error_name(c), !=, "unknown");
  }
}

#define ADD(path, fn) \
  g_test_add(path, Pki, NULL, pki_setup, fn, pki_teardown)

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  now = g_get_real_time() / G_USEC_PER_SEC;
  ADD("/tls-bundle/good/chain-to-trusted-root", test_good_chain_to_trusted_root);
  ADD("/tls-bundle/good/chain-complete-to-own-root",
      test_good_chain_complete_to_own_root);
  ADD("/tls-bundle/good/root-in-chain-and-trusted",
      test_good_root_in_chain_and_trusted);
  ADD("/tls-bundle/good/self-signed", test_good_self_signed);
  ADD("/tls-bundle/good/no-eku", test_eku_absent_allows_both);
  ADD("/tls-bundle/key-mismatch", test_key_mismatch);
  ADD("/tls-bundle/untrusted", test_unknown_ca_without_chain);
  ADD("/tls-bundle/untrusted/issuer-not-a-ca", test_issuer_not_a_ca);
  ADD("/tls-bundle/chain-invalid", test_bad_signature);
  ADD("/tls-bundle/expired/device", test_expired);
  ADD("/tls-bundle/expired/self-signed", test_self_signed_expired);
  ADD("/tls-bundle/expired/intermediate", test_expired_intermediate);
  ADD("/tls-bundle/not-yet-valid", test_not_yet_valid);
  ADD("/tls-bundle/eku/client-only", test_eku_client_only);
  ADD("/tls-bundle/eku/server-only", test_eku_server_only);
  ADD("/tls-bundle/key-usage", test_key_usage_without_signature);
  ADD("/tls-bundle/read-pem", test_read_pem);
  ADD("/tls-peer-verify/good", test_peer_good);
  ADD("/tls-peer-verify/no-certificate", test_peer_none);
  ADD("/tls-peer-verify/unknown-ca", test_peer_unknown_ca);
  ADD("/tls-peer-verify/self-signed", test_peer_self_signed);
  ADD("/tls-peer-verify/own-root-not-trusted", test_peer_own_root_not_trusted);
  ADD("/tls-peer-verify/expired", test_peer_expired);
  ADD("/tls-peer-verify/not-yet-valid", test_peer_not_yet_valid);
  ADD("/tls-peer-verify/leaf-alone", test_peer_leaf_alone);
  ADD("/tls-peer-verify/intermediate-missing", test_peer_intermediate_missing);
  ADD("/tls-peer-verify/eku-server-only", test_peer_eku_server_only);
  g_test_add_func("/tls-bundle/names", test_names);
  return g_test_run();
}
