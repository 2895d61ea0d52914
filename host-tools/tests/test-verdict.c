/* The gateway rule `vgw handshakes` names for a failed handshake
 * (host-tools/tlsdissect/tls_verdict.c), on handshake summaries built by
 * hand: for each alert the gateway sends, the facts a capture shows decide
 * between the rules that share it, and without them the token the alert
 * implies is kept and said to rest on the alert alone. */
#include <string.h>

#include <openssl/ssl.h>

#include "handshake.h"
#include "tls_verdict.h"

#define ALERT_TIME_US ((gint64) 1767225600 * G_USEC_PER_SEC) /* 2026-01-01 */
#define DAY (24 * 3600)

static TlsdCert *
cert(const char *subject, const char *issuer, gint64 not_before, gint64 not_after,
     const char *const *dns)
{
  TlsdCert *c = g_new0(TlsdCert, 1);

  c->subject = g_strdup(subject);
  c->issuer = g_strdup(issuer);
  c->not_before = not_before;
  c->not_after = not_after;
  c->san_dns = g_strdupv((char **) (dns != NULL ? dns : (const char *const[]){ NULL }));
  c->self_signed = g_str_equal(subject, issuer);
  c->for_server = TRUE;
  c->for_client = TRUE;
  return c;
}

/* A certificate valid for a year around the alert. */
static TlsdCert *
valid_cert(const char *subject, const char *issuer, const char *const *dns)
{
  gint64 t = ALERT_TIME_US / G_USEC_PER_SEC;

  return cert(subject, issuer, t - 180 * DAY, t + 180 * DAY, dns);
}

/* A CA certificate valid for a year around the alert. */
static TlsdCert *
ca_cert(const char *subject, const char *issuer)
{
  TlsdCert *c = valid_cert(subject, issuer, NULL);

  c->is_ca = TRUE;
  return c;
}

static void
add_alert(TlsdHandshake *hs, TlsdRole from, guint8 description)
{
  TlsdAlert a = { .from = from, .level = 2, .description = description,
                  .time_us = ALERT_TIME_US };

  g_array_append_val(hs->alerts, a);
}

/* A TLS 1.3 handshake up to the server's Finished, with the gateway as
 * server asking for a client certificate. */
static TlsdHandshake *
mutual_handshake(void)
{
  TlsdHandshake *hs = tlsd_handshake_new();
  guint16 v13 = 0x0304;

  hs->have_client_hello = TRUE;
  hs->have_server_hello = TRUE;
  hs->version = 0x0304;
  g_array_append_val(hs->offered_versions, v13);
  hs->cert_requested = TLSD_YES;
  hs->finished[TLSD_SERVER] = TRUE;
  g_ptr_array_add(hs->server_certs, valid_cert("CN=gw", "CN=inter", NULL));
  return hs;
}

/* Concludes |hs| and checks its rule. */
static void
check(TlsdHandshake *hs, VgwTlsError reason, TlsdRole by, TlsdVerdictBasis basis,
      const char *explains, VgwTlsError receiver_reason)
{
  tlsd_handshake_conclude(hs);
  g_assert_true(hs->verdict.known);
  g_assert_cmpstr(vgw_tls_error_name(hs->verdict.reason), ==, vgw_tls_error_name(reason));
  g_assert_cmpint(hs->verdict.by, ==, by);
  g_assert_cmpstr(tlsd_verdict_basis_name(hs->verdict.basis), ==,
                  tlsd_verdict_basis_name(basis));
  g_assert_nonnull(hs->verdict.explanation);
  if (strstr(hs->verdict.explanation, explains) == NULL)
    g_error("the explanation \"%s\" does not say \"%s\"", hs->verdict.explanation, explains);
  g_assert_cmpstr(vgw_tls_error_name(hs->verdict.receiver_reason), ==,
                  vgw_tls_error_name(receiver_reason));
  tlsd_handshake_free(hs);
}

static void
test_no_certificate_tls13(void)
{
  TlsdHandshake *hs = mutual_handshake();

  hs->client_sent_cert = TLSD_NO;
  hs->finished[TLSD_CLIENT] = TRUE;
  add_alert(hs, TLSD_SERVER, SSL_AD_CERTIFICATE_REQUIRED);
  check(hs, VGW_TLS_ERROR_NO_PEER_CERTIFICATE, TLSD_SERVER, TLSD_VERDICT_FROM_CAPTURE,
        "Certificate message was empty", VGW_TLS_ERROR_PEER_ALERT);
}

static void
test_no_certificate_tls12(void)
{
  TlsdHandshake *hs = mutual_handshake();

  hs->version = 0x0303;
  hs->client_sent_cert = TLSD_NO;
  add_alert(hs, TLSD_SERVER, SSL_AD_HANDSHAKE_FAILURE);
  check(hs, VGW_TLS_ERROR_NO_PEER_CERTIFICATE, TLSD_SERVER, TLSD_VERDICT_FROM_CAPTURE,
        "TLS 1.2 and earlier refuse that with handshake_failure", VGW_TLS_ERROR_PEER_ALERT);
}

/* handshake_failure with no certificate asked for: no shared algorithm. */
static void
test_handshake_failure_without_request(void)
{
  TlsdHandshake *hs = tlsd_handshake_new();

  hs->have_client_hello = TRUE;
  add_alert(hs, TLSD_SERVER, SSL_AD_HANDSHAKE_FAILURE);
  check(hs, VGW_TLS_ERROR_NO_SHARED_ALGORITHM, TLSD_SERVER, TLSD_VERDICT_FROM_ALERT,
        "shares no cipher suite", VGW_TLS_ERROR_PEER_ALERT);
}

/* A handshake in which the server refuses with |alert| the client's
 * certificate |leaf|, sent with |second| (NULL: alone). */
static TlsdHandshake *
server_refuses(TlsdCert *leaf, TlsdCert *second, guint8 alert)
{
  TlsdHandshake *hs = mutual_handshake();

  hs->client_sent_cert = TLSD_YES;
  g_ptr_array_add(hs->client_certs, leaf);
  if (second != NULL)
    g_ptr_array_add(hs->client_certs, second);
  add_alert(hs, TLSD_SERVER, alert);
  return hs;
}

/* A handshake in which a client that asked for |sni| (NULL: none) at
 * 10.0.2.2 refuses with bad_certificate the server's certificate |leaf|,
 * sent with |second| (NULL: alone). */
static TlsdHandshake *
client_refuses(const char *sni, TlsdCert *leaf, TlsdCert *second)
{
  TlsdHandshake *hs = mutual_handshake();

  hs->sni = g_strdup(sni);
  hs->server_addr = g_strdup("10.0.2.2");
  g_ptr_array_set_size(hs->server_certs, 0);
  g_ptr_array_add(hs->server_certs, leaf);
  if (second != NULL)
    g_ptr_array_add(hs->server_certs, second);
  add_alert(hs, TLSD_CLIENT, SSL_AD_BAD_CERTIFICATE);
  return hs;
}

static void
test_untrusted(void)
{
  check(server_refuses(valid_cert("CN=mallory", "CN=rogue", NULL), NULL, SSL_AD_UNKNOWN_CA),
        VGW_TLS_ERROR_UNTRUSTED, TLSD_SERVER, TLSD_VERDICT_FROM_ALERT,
        "CN=mallory (issuer CN=rogue), sent without its issuer's certificate, is not trusted "
        "by the server: its issuer CN=rogue",
        VGW_TLS_ERROR_PEER_ALERT);
  check(server_refuses(valid_cert("CN=self", "CN=self", NULL), NULL, SSL_AD_UNKNOWN_CA),
        VGW_TLS_ERROR_UNTRUSTED, TLSD_SERVER, TLSD_VERDICT_FROM_CAPTURE, "is self-signed",
        VGW_TLS_ERROR_PEER_ALERT);
}

/* TLS 1.3 without keys: the alert is all there is. */
static void
test_untrusted_unseen(void)
{
  TlsdHandshake *hs = tlsd_handshake_new();

  add_alert(hs, TLSD_SERVER, SSL_AD_UNKNOWN_CA);
  check(hs, VGW_TLS_ERROR_UNTRUSTED, TLSD_SERVER, TLSD_VERDICT_FROM_ALERT,
        "does not show that certificate", VGW_TLS_ERROR_PEER_ALERT);
}

static void
test_expired(void)
{
  gint64 t = ALERT_TIME_US / G_USEC_PER_SEC;

  check(server_refuses(cert("CN=old", "CN=inter", t - 30 * DAY, t - DAY, NULL),
                       ca_cert("CN=inter", "CN=root"), SSL_AD_CERTIFICATE_EXPIRED),
        VGW_TLS_ERROR_EXPIRED, TLSD_SERVER, TLSD_VERDICT_FROM_CAPTURE,
        "CN=old (issuer CN=inter) expired at 2025-12-31T00:00:00.000000Z, before the alert at "
        "2026-01-01T00:00:00.000000Z",
        VGW_TLS_ERROR_PEER_ALERT);
  /* Everything sent still valid: the root, unseen. */
  check(server_refuses(valid_cert("CN=alice", "CN=inter", NULL), NULL,
                       SSL_AD_CERTIFICATE_EXPIRED),
        VGW_TLS_ERROR_EXPIRED, TLSD_SERVER, TLSD_VERDICT_FROM_ALERT,
        "the root it leads to may have", VGW_TLS_ERROR_PEER_ALERT);
}

static void
test_not_yet_valid(void)
{
  gint64 t = ALERT_TIME_US / G_USEC_PER_SEC;

  check(server_refuses(cert("CN=early", "CN=inter", t + DAY, t + 30 * DAY, NULL),
                       ca_cert("CN=inter", "CN=root"), SSL_AD_BAD_CERTIFICATE),
        VGW_TLS_ERROR_NOT_YET_VALID, TLSD_SERVER, TLSD_VERDICT_FROM_CAPTURE,
        "CN=early (issuer CN=inter) is valid only from 2026-01-02T00:00:00.000000Z",
        VGW_TLS_ERROR_PEER_ALERT);
}

/* The root sent in place of the intermediate, an issuer that is no CA, a
 * leaf not for a client: the chain, whoever refuses it (before the names:
 * the gateway verifies the chain first). */
static void
test_chain_faults(void)
{
  TlsdCert *leaf = valid_cert("CN=alice", "CN=inter", NULL);

  check(server_refuses(valid_cert("CN=alice", "CN=inter", NULL), ca_cert("CN=root", "CN=root"),
                       SSL_AD_BAD_CERTIFICATE),
        VGW_TLS_ERROR_CHAIN, TLSD_SERVER, TLSD_VERDICT_FROM_CAPTURE, "do not include its issuer",
        VGW_TLS_ERROR_PEER_ALERT);
  check(client_refuses("elsewhere.test", valid_cert("CN=proxy", "CN=inter", NULL),
                       ca_cert("CN=root", "CN=root")),
        VGW_TLS_ERROR_CHAIN, TLSD_CLIENT, TLSD_VERDICT_FROM_CAPTURE, "do not include its issuer",
        VGW_TLS_ERROR_PEER_ALERT);
  check(server_refuses(valid_cert("CN=alice", "CN=inter", NULL),
                       valid_cert("CN=inter", "CN=root", NULL), SSL_AD_BAD_CERTIFICATE),
        VGW_TLS_ERROR_CHAIN, TLSD_SERVER, TLSD_VERDICT_FROM_CAPTURE,
        "the issuer of the client's certificate CN=alice (issuer CN=inter), CN=inter, is not a CA",
        VGW_TLS_ERROR_PEER_ALERT);
  leaf->for_client = FALSE;
  check(server_refuses(leaf, ca_cert("CN=inter", "CN=root"), SSL_AD_BAD_CERTIFICATE),
        VGW_TLS_ERROR_CHAIN, TLSD_SERVER, TLSD_VERDICT_FROM_CAPTURE,
        "CN=alice (issuer CN=inter) is not for a TLS client", VGW_TLS_ERROR_PEER_ALERT);
}

/* A sound-looking chain refused by a server: its names, against what the
 * server knows the client's address by (not in a capture). */
static void
test_chain_sound_server(void)
{
  check(server_refuses(valid_cert("CN=alice", "CN=inter", NULL), ca_cert("CN=inter", "CN=root"),
                       SSL_AD_BAD_CERTIFICATE),
        VGW_TLS_ERROR_HOSTNAME, TLSD_SERVER, TLSD_VERDICT_FROM_ALERT,
        "left are its names, which the server matches against what it knows the client's "
        "address by", VGW_TLS_ERROR_PEER_ALERT);
}

/* The gateway as client: the server's certificate does not name the SNI
 * by the gateway's wildcard rule (one label), nor without SNI the address
 * (only an iPAddress SAN or a CN spelling it does). */
static void
test_hostname(void)
{
  static const char *const wildcard[] = { "*.lab.test", NULL };
  TlsdCert *ip = valid_cert("CN=proxy", "CN=inter", NULL);

  check(client_refuses("a.b.lab.test", valid_cert("CN=proxy", "CN=inter", wildcard), NULL),
        VGW_TLS_ERROR_HOSTNAME, TLSD_CLIENT, TLSD_VERDICT_FROM_CAPTURE,
        "the server's certificate CN=proxy (issuer CN=inter) names DNS:*.lab.test, not "
        "a.b.lab.test (the host name the client asked for by SNI)",
        VGW_TLS_ERROR_PEER_ALERT);
  g_strfreev(ip->san_ip);
  ip->san_ip = g_strdupv((char **) (const char *const[]){ "10.0.2.3", NULL });
  check(client_refuses(NULL, ip, NULL), VGW_TLS_ERROR_HOSTNAME, TLSD_CLIENT,
        TLSD_VERDICT_FROM_CAPTURE,
        "names IP:10.0.2.3, not 10.0.2.2 (the address the client connected to, no SNI)",
        VGW_TLS_ERROR_PEER_ALERT);
}

/* Names that match (the wildcard's one label, a CN naming the SNI
 * without DNS SANs, the address's iPAddress SAN) and a sound chain: the
 * client's refusal is left to a signature. */
static void
test_hostname_matches(void)
{
  static const char *const wildcard[] = { "*.lab.test", NULL };
  TlsdCert *ip = valid_cert("CN=proxy", "CN=inter", NULL);
  TlsdHandshake *cases[] = {
    client_refuses("proxy.lab.test", valid_cert("CN=proxy", "CN=inter", wildcard), NULL),
    client_refuses("proxy.lab.test", valid_cert("O=lab,CN=proxy.lab.test", "CN=inter", NULL),
                   NULL),
    client_refuses(NULL, ip, NULL),
  };

  g_strfreev(ip->san_ip);
  ip->san_ip = g_strdupv((char **) (const char *const[]){ "10.0.2.2", NULL });
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    check(cases[i], VGW_TLS_ERROR_CHAIN, TLSD_CLIENT, TLSD_VERDICT_FROM_ALERT,
          "left is a signature that does not verify", VGW_TLS_ERROR_PEER_ALERT);
}

/* A TLS 1.1-only client: the server refuses its offer; the receiver of a
 * protocol_version logs "version" as well. */
static void
test_version(void)
{
  TlsdHandshake *hs = tlsd_handshake_new();
  guint16 v11 = 0x0302, grease = 0x0a0a;

  hs->have_client_hello = TRUE;
  g_array_append_val(hs->offered_versions, grease);
  g_array_append_val(hs->offered_versions, v11);
  add_alert(hs, TLSD_SERVER, SSL_AD_PROTOCOL_VERSION);
  check(hs, VGW_TLS_ERROR_VERSION, TLSD_SERVER, TLSD_VERDICT_FROM_CAPTURE,
        "the client offered TLS 1.1; the server's policy allows none of them",
        VGW_TLS_ERROR_VERSION);
}

static void
test_version_client(void)
{
  TlsdHandshake *hs = tlsd_handshake_new();
  guint16 v12 = 0x0303, v11 = 0x0302;

  hs->have_client_hello = TRUE;
  hs->have_server_hello = TRUE;
  hs->version = 0x0302;
  g_array_append_val(hs->offered_versions, v12);
  g_array_append_val(hs->offered_versions, v11);
  add_alert(hs, TLSD_CLIENT, SSL_AD_PROTOCOL_VERSION);
  check(hs, VGW_TLS_ERROR_VERSION, TLSD_CLIENT, TLSD_VERDICT_FROM_CAPTURE,
        "the server chose TLS 1.1, which the client's policy does not allow (it offered "
        "TLS 1.2, TLS 1.1)",
        VGW_TLS_ERROR_VERSION);
}

/* A TLS 1.2 client renegotiating after the handshake, after SIP went
 * both ways. */
static void
test_renegotiation(void)
{
  TlsdHandshake *hs = mutual_handshake();

  hs->version = 0x0303;
  hs->finished[TLSD_CLIENT] = TRUE;
  hs->app_records[TLSD_CLIENT] = 1;
  hs->app_records[TLSD_SERVER] = 1;
  hs->renegotiation_by = TLSD_CLIENT;
  add_alert(hs, TLSD_SERVER, SSL_AD_NO_RENEGOTIATION);
  check(hs, VGW_TLS_ERROR_RENEGOTIATION, TLSD_SERVER, TLSD_VERDICT_FROM_CAPTURE,
        "the client tried to renegotiate the established connection (a ClientHello after its "
        "Finished)",
        VGW_TLS_ERROR_PEER_ALERT);
}

static void
test_protocol(void)
{
  TlsdHandshake *hs = tlsd_handshake_new();

  add_alert(hs, TLSD_CLIENT, SSL_AD_DECODE_ERROR);
  check(hs, VGW_TLS_ERROR_PROTOCOL, TLSD_CLIENT, TLSD_VERDICT_FROM_ALERT, "(decode_error)",
        VGW_TLS_ERROR_PEER_ALERT);
}

/* No rule: a completed handshake, an orderly close, an alert no gateway
 * rule sends. */
static void
test_no_rule(void)
{
  TlsdHandshake *hs = mutual_handshake();

  hs->finished[TLSD_CLIENT] = TRUE;
  add_alert(hs, TLSD_CLIENT, SSL_AD_CLOSE_NOTIFY);
  g_array_index(hs->alerts, TlsdAlert, 0).level = 1;
  tlsd_handshake_conclude(hs);
  g_assert_cmpint(hs->outcome, ==, TLSD_OUTCOME_COMPLETED);
  g_assert_false(hs->verdict.known);
  g_assert_null(hs->verdict.explanation);
  tlsd_handshake_free(hs);

  hs = tlsd_handshake_new();
  add_alert(hs, TLSD_SERVER, SSL_AD_INTERNAL_ERROR);
  tlsd_handshake_conclude(hs);
  g_assert_cmpint(hs->outcome, ==, TLSD_OUTCOME_REFUSED);
  g_assert_false(hs->verdict.known);
  tlsd_handshake_free(hs);
}

/* The refusal decides, not an alert the other side answers with. */
static void
test_first_refusal_decides(void)
{
  TlsdHandshake *hs = mutual_handshake();

  hs->client_sent_cert = TLSD_NO;
  add_alert(hs, TLSD_SERVER, SSL_AD_CERTIFICATE_REQUIRED);
  add_alert(hs, TLSD_CLIENT, SSL_AD_DECODE_ERROR);
  check(hs, VGW_TLS_ERROR_NO_PEER_CERTIFICATE, TLSD_SERVER, TLSD_VERDICT_FROM_CAPTURE,
        "empty", VGW_TLS_ERROR_PEER_ALERT);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/verdict/no-certificate/tls13", test_no_certificate_tls13);
  g_test_add_func("/verdict/no-certificate/tls12", test_no_certificate_tls12);
  g_test_add_func("/verdict/handshake-failure", test_handshake_failure_without_request);
  g_test_add_func("/verdict/untrusted", test_untrusted);
  g_test_add_func("/verdict/untrusted/unseen", test_untrusted_unseen);
  g_test_add_func("/verdict/expired", test_expired);
  g_test_add_func("/verdict/not-yet-valid", test_not_yet_valid);
  g_test_add_func("/verdict/chain", test_chain_faults);
  g_test_add_func("/verdict/chain/sound", test_chain_sound_server);
  g_test_add_func("/verdict/hostname", test_hostname);
  g_test_add_func("/verdict/hostname/matches", test_hostname_matches);
  g_test_add_func("/verdict/version", test_version);
  g_test_add_func("/verdict/version/client", test_version_client);
  g_test_add_func("/verdict/renegotiation", test_renegotiation);
  g_test_add_func("/verdict/protocol", test_protocol);
  g_test_add_func("/verdict/no-rule", test_no_rule);
  g_test_add_func("/verdict/first-refusal", test_first_refusal_decides);
  return g_test_run();
}
