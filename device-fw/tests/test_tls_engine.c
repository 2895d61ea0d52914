/* TLS with the crypto engine's key, against the real engine (QEMU's vgw
 * board under qtest, $VGW_QEMU): Context 0's identity (key generated in
 * slot 0, certificate issued through the engine, stored, reused, reissued
 * after the key changed) and the TLS listener completing TLS 1.2 and 1.3
 * handshakes with BoringSSL clients in the same GLib loop, the server's
 * signatures made by the engine through the private-key method. Without
 * $VGW_QEMU the tests fail. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/bytestring.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hal/crypto_engine.h"
#include "hal/crypto_qtest.h"
#include "tls/tls_cert.h"
#include "tls/tls_identity.h"
#include "tls/tls_server.h"
#include "tls/tls_signer.h"
#include "tls/tls_softkey.h"
#include "vgw_crypto.h"

#define FLASH_SIZE (1024 * 1024)
#define SERIAL "TEST0042"

static VgwCryptoEngine *engine;

static VgwCryptoEngine *the_engine(void) {
  if (engine == NULL) {
    const char *qemu = g_getenv("VGW_QEMU");
    if (qemu == NULL || *qemu == '\0') {
      g_test_fail_printf(
          "VGW_QEMU is not set: configure the build with "
          "-Dqemu_build_dir (scripts/build.sh does)");
      return NULL;
    }
    GError *error = NULL;
    engine = vgw_crypto_qtest_open(qemu, NULL, NULL, &error);
    g_assert_no_error(error);
  }
  GError *error = NULL;
  g_assert_true(vgw_crypto_zeroize(engine, &error));
  g_assert_no_error(error);
  return engine;
}

static GBytes *stored(VgwConfigState *cs, const char *name) {
  return vgw_config_state_blob(cs, name);
}

/* Context 0: first boot generates and issues; the next boot reuses; a
 * replaced key gets a new certificate. */
static void test_identity(void) {
  VgwCryptoEngine *e = the_engine();
  if (e == NULL) {
    return;
  }
  VgwConfigState *cs =
      vgw_config_state_open(vgw_blockdev_new_memory(FLASH_SIZE, 0xff));
  GError *error = NULL;
  int64_t now = 1700000000;

  VgwTlsIdentity *id = vgw_tls_identity_context0(
      e, cs, SERIAL, VGW_KEY_TYPE_RSA_2048, now, &error);
  g_assert_no_error(error);
  g_assert_true(id->issued);
  g_assert_cmpuint(id->slot, ==, 0);
  g_assert_cmpuint(id->key_type, ==, VGW_KEY_TYPE_RSA_2048);
  VgwCryptoSlotInfo info;
  g_assert_true(vgw_crypto_info(e, 0, &info, &error));
  g_assert_cmpuint(info.key_type, ==, VGW_KEY_TYPE_RSA_2048);
  g_assert_false(info.imported);

  /* The certificate: CN=ACL_<serial>, self-signed by the engine key, ten
   * years, stored with its key reference. */
  char *subject = vgw_tls_cert_subject(id->cert);
  g_assert_cmpstr(subject, ==, "CN=ACL_" SERIAL);
  g_free(subject);
  g_assert_true(vgw_tls_cert_matches(id->cert, id->spki));
  EVP_PKEY *pub = X509_get_pubkey(id->cert);
  g_assert_cmpint(X509_verify(id->cert, pub), ==, 1);
  EVP_PKEY_free(pub);
  g_assert_cmpint(X509_get_signature_nid(id->cert), ==,
                  NID_sha256WithRSAEncryption);
  int days, secs;
  g_assert_true(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(id->cert),
                               X509_get0_notAfter(id->cert)));
  g_assert_cmpint(days, >=, 3652);
  g_assert_cmpint(days, <=, 3653);
  ASN1_TIME *expect_from = ASN1_TIME_set(NULL, (time_t)now);
  g_assert_true(
      ASN1_TIME_diff(&days, &secs, expect_from, X509_get0_notBefore(id->cert)));
  g_assert_cmpint(days, ==, 0);
  g_assert_cmpint(secs, ==, 0);
  ASN1_TIME_free(expect_from);
  GBytes *pem = stored(cs, VGW_TLS_CONTEXT0_CERT);
  g_assert_nonnull(pem);
  X509 *from_flash = vgw_tls_cert_from_pem(g_bytes_get_data(pem, NULL),
                                           g_bytes_get_size(pem), &error);
  g_assert_no_error(error);
  g_assert_cmpint(X509_cmp(from_flash, id->cert), ==, 0);
  X509_free(from_flash);
  g_bytes_unref(pem);
  GBytes *ref = stored(cs, VGW_TLS_CONTEXT0_KEY_REF);
  g_assert_cmpmem(g_bytes_get_data(ref, NULL), g_bytes_get_size(ref),
                  "engine-slot=0", 13);
  g_bytes_unref(ref);
  char *first_fp = vgw_tls_cert_fingerprint(id->cert);
  vgw_tls_identity_free(id);

  /* Next boot: key and certificate are reused. */
  id = vgw_tls_identity_context0(e, cs, SERIAL, VGW_KEY_TYPE_RSA_2048,
                                 now + 100, &error);
  g_assert_no_error(error);
  g_assert_false(id->issued);
  char *fp = vgw_tls_cert_fingerprint(id->cert);
  g_assert_cmpstr(fp, ==, first_fp);
  g_free(fp);
  vgw_tls_identity_free(id);

  /* Slot 0 replaced (an imported P-256 key): a new certificate. */
  EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  g_assert_true(EC_KEY_generate_key(ec));
  uint8_t scalar[32];
  g_assert_true(
      BN_bn2bin_padded(scalar, sizeof(scalar), EC_KEY_get0_private_key(ec)));
  g_assert_true(vgw_crypto_import(e, 0, VGW_KEY_TYPE_EC_P256, scalar,
                                  sizeof(scalar), &error));
  g_assert_no_error(error);
  id = vgw_tls_identity_context0(e, cs, SERIAL, VGW_KEY_TYPE_RSA_2048,
                                 now + 200, &error);
  g_assert_no_error(error);
  g_assert_true(id->issued);
  g_assert_cmpuint(id->key_type, ==, VGW_KEY_TYPE_EC_P256);
  g_assert_cmpint(X509_get_signature_nid(id->cert), ==, NID_ecdsa_with_SHA256);
  EVP_PKEY *ec_pub = EVP_PKEY_new();
  EC_KEY *ec_only = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  EC_KEY_set_public_key(ec_only, EC_KEY_get0_public_key(ec));
  EVP_PKEY_assign_EC_KEY(ec_pub, ec_only);
  g_assert_cmpint(X509_verify(id->cert, ec_pub), ==, 1);
  EVP_PKEY_free(ec_pub);
  EC_KEY_free(ec);
  pem = stored(cs, VGW_TLS_CONTEXT0_CERT);
  from_flash = vgw_tls_cert_from_pem(g_bytes_get_data(pem, NULL),
                                     g_bytes_get_size(pem), &error);
  g_assert_cmpint(X509_cmp(from_flash, id->cert), ==, 0);
  X509_free(from_flash);
  g_bytes_unref(pem);
  vgw_tls_identity_free(id);
  g_free(first_fp);
  vgw_config_state_free(cs);
}

/* A BoringSSL client driven by the same loop as the server. */
typedef struct {
  SSL *ssl;
  int fd;
  gboolean done;
  gboolean failed;
  char failure[256];
  guint watch;
} Client;

static gboolean on_client_io(int fd, GIOCondition cond, gpointer data);

static void client_step(Client *c) {
  int r = SSL_do_handshake(c->ssl);
  if (r == 1) {
    c->done = TRUE;
    return;
  }
  int err = SSL_get_error(c->ssl, r);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    c->watch =
        g_unix_fd_add(c->fd, err == SSL_ERROR_WANT_READ ? G_IO_IN : G_IO_OUT,
                      on_client_io, c);
    return;
  }
  c->failed = TRUE;
  ERR_error_string_n(ERR_get_error(), c->failure, sizeof(c->failure));
}

static gboolean on_client_io(int fd, GIOCondition cond, gpointer data) {
  Client *c = data;
  c->watch = 0;
  client_step(c);
  return G_SOURCE_REMOVE;
}

static Client *client_start(SSL_CTX *ctx, uint16_t port) {
  Client *c = g_new0(Client, 1);
  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  g_assert_cmpint(connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
  g_unix_set_fd_nonblocking(c->fd, TRUE, NULL);
  c->ssl = SSL_new(ctx);
  SSL_set_fd(c->ssl, c->fd);
  SSL_set_connect_state(c->ssl);
  client_step(c);
  return c;
}

static void client_free(Client *c) {
  if (c->watch != 0) {
    g_source_remove(c->watch);
  }
  SSL_free(c->ssl);
  close(c->fd);
  g_free(c);
}

/* run_until_clients iterates the default context until each of the |n|
 * clients has finished or failed.  These waits have no deadline of their
 * own (a loaded machine may take long): a wait that never ends is caught
 * by the test harness's timeout. */
static void run_until_clients(Client **clients, size_t n) {
  for (;;) {
    gboolean all = TRUE;
    for (size_t i = 0; i < n; i++) {
      all = all && (clients[i]->done || clients[i]->failed);
    }
    if (all) {
      return;
    }
    g_main_context_iteration(NULL, TRUE);
  }
}

static void run_until_server(VgwTlsServer *server, guint64 handshakes,
                             guint64 failures) {
  VgwTlsServerInfo info;
  for (;;) {
    vgw_tls_server_info(server, &info);
    if (info.handshakes >= handshakes && info.failures >= failures) {
      break;
    }
    g_main_context_iteration(NULL, FALSE);
    g_usleep(1000);
  }
  g_assert_cmpuint(info.handshakes, ==, handshakes);
  g_assert_cmpuint(info.failures, ==, failures);
}

static SSL_CTX *client_ctx(uint16_t version, const uint16_t *sigalgs,
                           size_t n) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  g_assert_true(SSL_CTX_set_min_proto_version(ctx, version));
  g_assert_true(SSL_CTX_set_max_proto_version(ctx, version));
  if (sigalgs != NULL) {
    g_assert_true(SSL_CTX_set_verify_algorithm_prefs(ctx, sigalgs, n));
  }
  return ctx;
}

/* handshake connects |n| clients at once and checks each completes with
 * |version|, sees |cert| and that the server's signatures came from the
 * engine (|engine_signs| more of them) or not. */
static void handshake(VgwTlsServer *server, VgwTlsSigner *signer, SSL_CTX *ctx,
                      size_t n, uint16_t version, X509 *cert,
                      guint64 engine_signs) {
  VgwTlsServerInfo before;
  vgw_tls_server_info(server, &before);
  guint64 signs = vgw_tls_signer_signatures(signer);
  Client *clients[8];
  g_assert_cmpuint(n, <=, G_N_ELEMENTS(clients));
  for (size_t i = 0; i < n; i++) {
    clients[i] = client_start(ctx, vgw_tls_server_port(server));
  }
  run_until_clients(clients, n);
  for (size_t i = 0; i < n; i++) {
    Client *c = clients[i];
    if (c->failed) {
      g_error("client %zu: handshake failed: %s", i, c->failure);
    }
    g_assert_cmpint(SSL_version(c->ssl), ==, version);
    X509 *peer = SSL_get_peer_certificate(c->ssl);
    g_assert_nonnull(peer);
    g_assert_cmpint(X509_cmp(peer, cert), ==, 0);
    X509_free(peer);
    /* Application data is read and discarded by the server. */
    g_assert_cmpint(SSL_write(c->ssl, "OPTIONS sip:x SIP/2.0\r\n\r\n", 25), ==,
                    25);
  }
  run_until_server(server, before.handshakes + n, before.failures);
  g_assert_cmpuint(vgw_tls_signer_signatures(signer), ==, signs + engine_signs);
  for (size_t i = 0; i < n; i++) {
    client_free(clients[i]);
  }
}

typedef struct {
  VgwCryptoEngine *e;
  VgwConfigState *cs;
  VgwTlsSigner *signer;
  VgwTlsServer *server;
  VgwTlsIdentity *id;
} Fixture;

static gboolean fixture_up(Fixture *f, uint32_t key_type) {
  f->e = the_engine();
  if (f->e == NULL) {
    return FALSE;
  }
  GError *error = NULL;
  f->cs = vgw_config_state_open(vgw_blockdev_new_memory(FLASH_SIZE, 0xff));
  f->id = vgw_tls_identity_context0(f->e, f->cs, SERIAL, key_type,
                                    g_get_real_time() / G_USEC_PER_SEC, &error);
  g_assert_no_error(error);
  f->signer = vgw_tls_signer_new(f->e);
  f->server = vgw_tls_server_start(0, f->signer, &error);
  g_assert_no_error(error);
  g_assert_true(vgw_tls_server_set_engine_identity(
      f->server, f->id->cert, f->id->chain, f->id->slot, f->id->key_type, &error));
  g_assert_no_error(error);
  return TRUE;
}

static void fixture_down(Fixture *f) {
  vgw_tls_server_free(f->server);
  vgw_tls_signer_free(f->signer);
  vgw_tls_identity_free(f->id);
  vgw_config_state_free(f->cs);
}

static void test_handshake_rsa(void) {
  Fixture f;
  if (!fixture_up(&f, VGW_KEY_TYPE_RSA_2048)) {
    return;
  }
  VgwTlsServerInfo info;
  vgw_tls_server_info(f.server, &info);
  g_assert_cmpstr(info.key_source, ==, "engine");
  g_assert_cmpint(info.slot, ==, 0);
  g_assert_cmpstr(info.key_type, ==, "rsa-2048");
  g_assert_cmpstr(info.subject, ==, "CN=ACL_" SERIAL);

  /* TLS 1.3 (RSA-PSS), several at once through the engine's queue. */
  SSL_CTX *c13 = client_ctx(TLS1_3_VERSION, NULL, 0);
  handshake(f.server, f.signer, c13, 4, TLS1_3_VERSION, f.id->cert, 4);
  /* TLS 1.2 with PKCS#1 v1.5 only, and with PSS SHA-512. */
  static const uint16_t pkcs1[] = {SSL_SIGN_RSA_PKCS1_SHA384};
  SSL_CTX *c12 = client_ctx(TLS1_2_VERSION, pkcs1, 1);
  handshake(f.server, f.signer, c12, 2, TLS1_2_VERSION, f.id->cert, 2);
  static const uint16_t pss512[] = {SSL_SIGN_RSA_PSS_RSAE_SHA512};
  SSL_CTX *c12p = client_ctx(TLS1_2_VERSION, pss512, 1);
  handshake(f.server, f.signer, c12p, 1, TLS1_2_VERSION, f.id->cert, 1);

  /* A client the server cannot serve (TLS 1.1) fails, counted, logged
   * with the reason and the alert. */
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "tls: handshake with 127.0.0.1:* failed: "
                        "UNSUPPORTED_PROTOCOL; alert sent: protocol version; "
                        "TLS Context 0 (default: no other context is "
                        "configured); rule: built-in (no configuration): "
                        "TLS 1.2-1.3; reason: version");
  SSL_CTX *c11 = client_ctx(TLS1_1_VERSION, NULL, 0);
  Client *bad = client_start(c11, vgw_tls_server_port(f.server));
  run_until_clients(&bad, 1);
  g_assert_true(bad->failed);
  run_until_server(f.server, 7, 1);
  g_test_assert_expected_messages();
  client_free(bad);

  SSL_CTX_free(c13);
  SSL_CTX_free(c12);
  SSL_CTX_free(c12p);
  SSL_CTX_free(c11);
  fixture_down(&f);
}

static void test_handshake_ec(void) {
  Fixture f;
  if (!fixture_up(&f, VGW_KEY_TYPE_EC_P256)) {
    return;
  }
  SSL_CTX *c13 = client_ctx(TLS1_3_VERSION, NULL, 0);
  handshake(f.server, f.signer, c13, 2, TLS1_3_VERSION, f.id->cert, 2);
  SSL_CTX *c12 = client_ctx(TLS1_2_VERSION, NULL, 0);
  handshake(f.server, f.signer, c12, 2, TLS1_2_VERSION, f.id->cert, 2);
  SSL_CTX_free(c13);
  SSL_CTX_free(c12);
  fixture_down(&f);
}

/* The benchmark's software key: same subject, the engine signs nothing;
 * switching back uses the engine again. A new engine identity serves the
 * next connections. */
static void test_software_key_and_new_identity(void) {
  Fixture f;
  if (!fixture_up(&f, VGW_KEY_TYPE_RSA_2048)) {
    return;
  }
  EVP_PKEY *key;
  X509 *cert;
  GError *error = NULL;
  g_assert_false(vgw_tls_server_use_software(f.server, TRUE));
  g_assert_true(vgw_tls_softkey_make(VGW_KEY_TYPE_RSA_2048, "ACL_" SERIAL,
                                     g_get_real_time() / G_USEC_PER_SEC, &key,
                                     &cert, &error));
  g_assert_no_error(error);
  g_assert_true(
      vgw_tls_server_set_software_identity(f.server, cert, key, &error));
  g_assert_true(vgw_tls_server_use_software(f.server, TRUE));
  VgwTlsServerInfo info;
  vgw_tls_server_info(f.server, &info);
  g_assert_cmpstr(info.key_source, ==, "software");
  g_assert_cmpint(info.slot, ==, -1);
  g_assert_cmpstr(info.subject, ==, "CN=ACL_" SERIAL);
  SSL_CTX *c13 = client_ctx(TLS1_3_VERSION, NULL, 0);
  handshake(f.server, f.signer, c13, 2, TLS1_3_VERSION, cert, 0);
  g_assert_true(vgw_tls_server_use_software(f.server, FALSE));
  handshake(f.server, f.signer, c13, 1, TLS1_3_VERSION, f.id->cert, 1);

  /* A new key in slot 0 and its certificate: new connections get both. */
  g_assert_true(vgw_crypto_generate(f.e, 0, VGW_KEY_TYPE_RSA_3072, &error));
  VgwTlsIdentity *id2 =
      vgw_tls_identity_context0(f.e, f.cs, SERIAL, VGW_KEY_TYPE_RSA_2048,
                                g_get_real_time() / G_USEC_PER_SEC, &error);
  g_assert_no_error(error);
  g_assert_true(id2->issued);
  g_assert_true(vgw_tls_server_set_engine_identity(
      f.server, id2->cert, id2->chain, id2->slot, id2->key_type, &error));
  handshake(f.server, f.signer, c13, 1, TLS1_3_VERSION, id2->cert, 1);
  vgw_tls_identity_free(id2);

  SSL_CTX_free(c13);
  EVP_PKEY_free(key);
  X509_free(cert);
  fixture_down(&f);
}

/* A connection that got the old certificate gets no signature by a new
 * key: its queued signature fails (the handshake fails cleanly) and the
 * next connection gets the new key. */
static void test_key_change_during_handshake(void) {
  Fixture f;
  if (!fixture_up(&f, VGW_KEY_TYPE_EC_P256)) {
    return;
  }
  SSL_CTX *c13 = client_ctx(TLS1_3_VERSION, NULL, 0);
  Client *c = client_start(c13, vgw_tls_server_port(f.server));
  /* The server reads the ClientHello and queues its signature; the poll
   * that would start it runs at a later iteration. */
  while (vgw_tls_signer_pending(f.signer) == 0) {
    g_main_context_iteration(NULL, TRUE);
  }
  GError *error = NULL;
  g_assert_true(vgw_crypto_generate(f.e, 0, VGW_KEY_TYPE_EC_P256, &error));
  vgw_tls_signer_key_changed(f.signer, 0);
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "tls: engine signature (slot 0) failed: the key in "
                        "slot 0 was replaced during the handshake");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "tls: handshake with 127.0.0.1:* failed: *");
  run_until_clients(&c, 1);
  g_assert_true(c->failed);
  run_until_server(f.server, 0, 1);
  g_test_assert_expected_messages();
  client_free(c);

  VgwTlsIdentity *id2 =
      vgw_tls_identity_context0(f.e, f.cs, SERIAL, VGW_KEY_TYPE_EC_P256,
                                g_get_real_time() / G_USEC_PER_SEC, &error);
  g_assert_no_error(error);
  g_assert_true(vgw_tls_server_set_engine_identity(
      f.server, id2->cert, id2->chain, id2->slot, id2->key_type, &error));
  handshake(f.server, f.signer, c13, 1, TLS1_3_VERSION, id2->cert, 1);
  vgw_tls_identity_free(id2);
  SSL_CTX_free(c13);
  fixture_down(&f);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tls-engine/identity", test_identity);
  g_test_add_func("/tls-engine/handshake-rsa", test_handshake_rsa);
  g_test_add_func("/tls-engine/handshake-ec", test_handshake_ec);
  g_test_add_func("/tls-engine/software-key-and-new-identity",
                  test_software_key_and_new_identity);
  g_test_add_func("/tls-engine/key-change-during-handshake",
                  test_key_change_during_handshake);
  int rc = g_test_run();
  vgw_crypto_engine_free(engine);
  return rc;
}
