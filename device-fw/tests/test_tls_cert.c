/* Certificates and requests signed elsewhere (tls/tls_cert.h), with
 * software keys standing in for the engine: what a CA or a TLS peer reads
 * from them, what `vgw cert inject --generate` validates, and the
 * refusals (a signer that fails, one that signs with another key, a bad
 * common name). */
#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "tls/tls_bundle.h"
#include "tls/tls_cert.h"
#include "tls/tls_error.h"
#include "tls/tls_softkey.h"
#include "vgw_crypto.h"

static const uint32_t key_types[] = {VGW_KEY_TYPE_EC_P256,
                                     VGW_KEY_TYPE_RSA_2048};

static GBytes *failing_sign(uint32_t scheme, const uint8_t *digest, size_t len,
                            gpointer data, GError **error) {
  vgw_tls_set_error(error, VGW_TLS_ERROR_SIGN, "engine slot 3 is busy");
  return NULL;
}

static X509_REQ *parse_request(const char *pem) {
  BIO *bio = BIO_new_mem_buf(pem, (int)strlen(pem));
  X509_REQ *req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
  BIO_free(bio);
  return req;
}

static void test_self_signed(void) {
  for (gsize i = 0; i < G_N_ELEMENTS(key_types); i++) {
    EVP_PKEY *key = vgw_tls_softkey_generate(key_types[i]);
    GBytes *spki = vgw_tls_bundle_spki(key);
    GError *error = NULL;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    X509 *cert = vgw_tls_cert_issue(spki, "gen.lab.test", now,
                                    vgw_tls_softkey_sign, key, &error);
    g_assert_no_error(error);
    g_assert_nonnull(cert);
    char *subject = vgw_tls_cert_subject(cert);
    char *issuer = vgw_tls_cert_issuer(cert);
    g_assert_cmpstr(subject, ==, "CN=gen.lab.test");
    g_assert_cmpstr(issuer, ==, "CN=gen.lab.test");
    g_assert_cmpint(X509_verify(cert, key), ==, 1);
    g_assert_true(vgw_tls_cert_matches(cert, spki));
    /* What cert-commit then checks: a complete self-signed bundle for
     * both roles, with no trusted roots. */
    g_assert_true(vgw_tls_bundle_check(cert, NULL, spki, NULL,
                                       VGW_TLS_ROLES_SIP, now, &error));
    g_assert_no_error(error);
    g_free(subject);
    g_free(issuer);
    X509_free(cert);
    g_bytes_unref(spki);
    EVP_PKEY_free(key);
  }
}

static void test_request(void) {
  for (gsize i = 0; i < G_N_ELEMENTS(key_types); i++) {
    EVP_PKEY *key = vgw_tls_softkey_generate(key_types[i]);
    GBytes *spki = vgw_tls_bundle_spki(key);
    GError *error = NULL;
    char *pem =
        vgw_tls_csr_issue(spki, "csr.lab.test", vgw_tls_softkey_sign, key,
                          &error);
    g_assert_no_error(error);
    g_assert_true(g_str_has_prefix(pem, "-----BEGIN CERTIFICATE REQUEST-----\n"));
    X509_REQ *req = parse_request(pem);
    g_assert_nonnull(req);
    g_assert_cmpint(X509_REQ_get_version(req), ==, 0);
    g_assert_cmpint(X509_REQ_verify(req, key), ==, 1);
    char cn[80];
    g_assert_cmpint(X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req),
                                              NID_commonName, cn, sizeof(cn)),
                    ==, 12);
    g_assert_cmpstr(cn, ==, "csr.lab.test");
    EVP_PKEY *pub = X509_REQ_get_pubkey(req);
    g_assert_cmpint(EVP_PKEY_cmp(pub, key), ==, 1);
    EVP_PKEY_free(pub);
    X509_REQ_free(req);
    g_free(pem);
    g_bytes_unref(spki);
    EVP_PKEY_free(key);
  }
}

static void test_signer_refusals(void) {
  EVP_PKEY *key = vgw_tls_softkey_generate(VGW_KEY_TYPE_EC_P256);
  EVP_PKEY *other = vgw_tls_softkey_generate(VGW_KEY_TYPE_EC_P256);
  GBytes *spki = vgw_tls_bundle_spki(key);
  GError *error = NULL;

  g_assert_null(vgw_tls_cert_issue(spki, "x", 0, failing_sign, NULL, &error));
  g_assert_error(error, VGW_TLS_ERROR, VGW_TLS_ERROR_SIGN);
  g_assert_cmpstr(error->message, ==, "engine slot 3 is busy");
  g_clear_error(&error);
  g_assert_null(vgw_tls_csr_issue(spki, "x", failing_sign, NULL, &error));
  g_assert_error(error, VGW_TLS_ERROR, VGW_TLS_ERROR_SIGN);
  g_clear_error(&error);

  /* A slot whose key is not the one exported: caught before use. */
  g_assert_null(vgw_tls_cert_issue(spki, "x", 0, vgw_tls_softkey_sign, other,
                                   &error));
  g_assert_error(error, VGW_TLS_ERROR, VGW_TLS_ERROR_SIGN);
  g_clear_error(&error);
  g_assert_null(
      vgw_tls_csr_issue(spki, "x", vgw_tls_softkey_sign, other, &error));
  g_assert_error(error, VGW_TLS_ERROR, VGW_TLS_ERROR_SIGN);
  g_clear_error(&error);

  GBytes *junk = g_bytes_new_static("\x30\x03\x02\x01\x00", 5);
  g_assert_null(
      vgw_tls_csr_issue(junk, "x", vgw_tls_softkey_sign, key, &error));
  g_assert_error(error, VGW_TLS_ERROR, VGW_TLS_ERROR_KEY);
  g_clear_error(&error);

  g_bytes_unref(junk);
  g_bytes_unref(spki);
  EVP_PKEY_free(key);
  EVP_PKEY_free(other);
}

static void test_common_names(void) {
  char longest[VGW_TLS_CERT_CN_MAX + 2];
  memset(longest, 'a', sizeof(longest));
  longest[VGW_TLS_CERT_CN_MAX] = '\0';
  g_assert_true(vgw_tls_cert_common_name_valid(longest));
  longest[VGW_TLS_CERT_CN_MAX] = 'a';
  longest[VGW_TLS_CERT_CN_MAX + 1] = '\0';
  g_assert_false(vgw_tls_cert_common_name_valid(longest));
  g_assert_true(vgw_tls_cert_common_name_valid("My Gateway 2"));
  g_assert_false(vgw_tls_cert_common_name_valid(""));
  g_assert_false(vgw_tls_cert_common_name_valid("gw\n"));
  g_assert_false(vgw_tls_cert_common_name_valid("g\xc3\xa9"));
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tls-cert/self-signed", test_self_signed);
  g_test_add_func("/tls-cert/request", test_request);
  g_test_add_func("/tls-cert/signer-refusals", test_signer_refusals);
  g_test_add_func("/tls-cert/common-names", test_common_names);
  return g_test_run();
}
