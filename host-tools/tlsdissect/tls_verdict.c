/* The gateway rule behind an alert: see tls_verdict.h. */
#include "tls_verdict.h"

#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "report.h"
#include "tls/tls_hostname.h"
#include "tls_names.h"

static TlsdRole
other(TlsdRole role)
{
  return role == TLSD_CLIENT ? TLSD_SERVER : TLSD_CLIENT;
}

/* The certificates |role| sent, leaf first. */
static const GPtrArray *
certs_of(const TlsdHandshake *hs, TlsdRole role)
{
  return role == TLSD_CLIENT ? hs->client_certs : hs->server_certs;
}

static const TlsdCert *
leaf_of(const TlsdHandshake *hs, TlsdRole role)
{
  const GPtrArray *certs = certs_of(hs, role);

  return certs->len > 0 ? g_ptr_array_index(certs, 0) : NULL;
}

/* "CN=alice (issuer CN=inter)" */
static char *
describe(const TlsdCert *cert)
{
  if (cert->error != NULL)
    return g_strdup_printf("(unreadable: %s)", cert->error);
  return g_strdup_printf("%s (issuer %s)", cert->subject, cert->issuer);
}

/* The first certificate |role| sent whose validity starts after (|after|)
 * or ends before (!|after|) |time_us|, NULL if none. */
static const TlsdCert *
outside_validity(const TlsdHandshake *hs, TlsdRole role, gint64 time_us, gboolean after)
{
  const GPtrArray *certs = certs_of(hs, role);
  gint64 t = time_us / G_USEC_PER_SEC;

  for (guint i = 0; i < certs->len; i++) {
    const TlsdCert *c = g_ptr_array_index(certs, i);
    if (c->error == NULL && (after ? c->not_before > t : c->not_after < t))
      return c;
  }
  return NULL;
}

/* The certificate other than the leaf that |role| sent that is the
 * leaf's issuer (by name), NULL if none. */
static const TlsdCert *
issuer_of(const TlsdHandshake *hs, TlsdRole role)
{
  const GPtrArray *certs = certs_of(hs, role);
  const TlsdCert *leaf = g_ptr_array_index(certs, 0);

  for (guint i = 1; i < certs->len; i++) {
    const TlsdCert *c = g_ptr_array_index(certs, i);
    if (c->error == NULL && g_strcmp0(c->subject, leaf->issuer) == 0)
      return c;
  }
  return NULL;
}

/* What the capture shows wrong with the chain |role| sent, leaf |cert|
 * (described), as a sentence; NULL if nothing: a leaf whose usages do not
 * allow its role, an issuer left out of the certificates sent with it, an
 * issuer that is no CA.  (Signatures are not checked.) */
static char *
chain_fault(const TlsdHandshake *hs, TlsdRole role, const char *cert)
{
  const GPtrArray *certs = certs_of(hs, role);
  const TlsdCert *leaf = g_ptr_array_index(certs, 0);
  const TlsdCert *issuer = issuer_of(hs, role);

  if (!(role == TLSD_CLIENT ? leaf->for_client : leaf->for_server))
    return g_strdup_printf("the %s's certificate %s is not for a TLS %s (its key usages)",
                           tlsd_role_name(role), cert, tlsd_role_name(role));
  if (issuer == NULL && certs->len > 1 && !leaf->self_signed)
    return g_strdup_printf("the certificates the %s sent with %s do not include its issuer",
                           tlsd_role_name(role), cert);
  if (issuer != NULL && !issuer->is_ca)
    return g_strdup_printf("the issuer of the %s's certificate %s, %s, is not a CA",
                           tlsd_role_name(role), cert, issuer->subject);
  return NULL;
}

/* The value of the first CN= of an RFC 2253 name (escapes kept), or NULL. */
static char *
common_name(const char *dn)
{
  for (const char *p = dn; p != NULL && *p != '\0';) {
    const char *end = p;
    while (*end != '\0' && *end != ',') {
      if (*end == '\\' && end[1] != '\0')
        end++;
      end++;
    }
    if (g_str_has_prefix(p, "CN="))
      return g_strndup(p + 3, end - p - 3);
    p = *end == ',' ? end + 1 : NULL;
  }
  return NULL;
}

/* TRUE if |cert| could name |reference| under the gateway's rules
 * (tls_hostname.h): a DNS reference by a SAN dNSName or the CN (wildcard
 * included), an IP address by a SAN iPAddress or a CN spelling it. The CN
 * always counts, as outside strict mode: a mismatch claimed here is one
 * under every mode. */
static gboolean
names_reference(const TlsdCert *cert, const char *reference, gboolean is_ip)
{
  g_autofree char *cn = common_name(cert->subject);
  char **sans = is_ip ? cert->san_ip : cert->san_dns;

  for (char **n = sans; n != NULL && *n != NULL; n++) {
    if (is_ip ? g_str_equal(*n, reference)
              : vgw_tls_dns_name_matches((const uint8_t *) *n, strlen(*n), reference, TRUE))
      return TRUE;
  }
  if (cn == NULL)
    return FALSE;
  return is_ip ? g_str_equal(cn, reference)
               : vgw_tls_dns_name_matches((const uint8_t *) cn, strlen(cn), reference, TRUE);
}

/* The names |cert| offers, for a sentence: "DNS:a, IP:b" or its subject. */
static char *
offered_names(const TlsdCert *cert)
{
  GString *out = g_string_new(NULL);

  for (char **n = cert->san_dns; n != NULL && *n != NULL; n++)
    g_string_append_printf(out, "%sDNS:%s", out->len > 0 ? ", " : "", *n);
  for (char **n = cert->san_ip; n != NULL && *n != NULL; n++)
    g_string_append_printf(out, "%sIP:%s", out->len > 0 ? ", " : "", *n);
  if (out->len == 0)
    g_string_append_printf(out, "no SAN, subject %s", cert->subject);
  return g_string_free(out, FALSE);
}

/* "TLS 1.1, TLS 1.0" for |versions| (GREASE left out). */
static char *
version_list(const GArray *versions)
{
  GString *out = g_string_new(NULL);

  for (guint i = 0; i < versions->len; i++) {
    guint16 v = g_array_index(versions, guint16, i);
    const char *name = tlsd_version_name(v);
    if (tlsd_is_grease(v))
      continue;
    if (out->len > 0)
      g_string_append(out, ", ");
    if (name != NULL)
      g_string_append(out, name);
    else
      g_string_append_printf(out, "0x%04x", v);
  }
  if (out->len == 0)
    g_string_append(out, "no version");
  return g_string_free(out, FALSE);
}

static void
set(TlsdVerdict *v, VgwTlsError reason, TlsdVerdictBasis basis, char *explanation)
{
  v->known = TRUE;
  v->reason = reason;
  v->basis = basis;
  v->explanation = explanation;
}

/* TRUE if the server, |by|, asked for a certificate and got an empty
 * Certificate message. */
static gboolean
empty_certificate_seen(const TlsdHandshake *hs, TlsdRole by)
{
  return by == TLSD_SERVER && hs->cert_requested == TLSD_YES && hs->client_sent_cert == TLSD_NO;
}

static void
judge_missing_certificate(const TlsdHandshake *hs, TlsdVerdict *v, gboolean tls12_alert)
{
  if (empty_certificate_seen(hs, v->by)) {
    set(v, VGW_TLS_ERROR_NO_PEER_CERTIFICATE, TLSD_VERDICT_FROM_CAPTURE,
        g_strdup_printf("the server asked for a client certificate (CertificateRequest) and "
                        "the client's Certificate message was empty%s",
                        tls12_alert ? " (TLS 1.2 and earlier refuse that with handshake_failure)"
                                    : ""));
    return;
  }
  set(v, VGW_TLS_ERROR_NO_PEER_CERTIFICATE, TLSD_VERDICT_FROM_ALERT,
      g_strdup("the alert says the client sent no certificate; the capture does not show "
               "its Certificate message"));
}

static void
judge_no_shared_algorithm(const TlsdHandshake *hs, TlsdVerdict *v)
{
  set(v, VGW_TLS_ERROR_NO_SHARED_ALGORITHM, TLSD_VERDICT_FROM_ALERT,
      g_strdup_printf("the %s shares no cipher suite, group or signature scheme with the %s "
                      "(the client offered %u cipher suites, %u groups, %u signature schemes)",
                      tlsd_role_name(v->by), tlsd_role_name(other(v->by)),
                      hs->offered_ciphers->len, hs->offered_groups->len,
                      hs->offered_sigalgs->len));
}

static void
judge_untrusted(const TlsdHandshake *hs, TlsdVerdict *v)
{
  TlsdRole peer = other(v->by);
  const TlsdCert *leaf = leaf_of(hs, peer);
  g_autofree char *cert = NULL;

  if (leaf == NULL || leaf->error != NULL) {
    set(v, VGW_TLS_ERROR_UNTRUSTED, TLSD_VERDICT_FROM_ALERT,
        g_strdup_printf("the alert says no root the %s trusts issued the %s's certificate; "
                        "the capture does not show that certificate",
                        tlsd_role_name(v->by), tlsd_role_name(peer)));
    return;
  }
  cert = describe(leaf);
  if (leaf->self_signed) {
    set(v, VGW_TLS_ERROR_UNTRUSTED, TLSD_VERDICT_FROM_CAPTURE,
        g_strdup_printf("the %s's certificate %s is self-signed and the %s does not trust it",
                        tlsd_role_name(peer), cert, tlsd_role_name(v->by)));
    return;
  }
  set(v, VGW_TLS_ERROR_UNTRUSTED, TLSD_VERDICT_FROM_ALERT,
      g_strdup_printf("the %s's certificate %s%s is not trusted by the %s: its issuer %s leads "
                      "to none of the %s's roots (which a capture cannot show)",
                      tlsd_role_name(peer), cert,
                      issuer_of(hs, peer) != NULL ? "" : ", sent without its issuer's certificate,",
                      tlsd_role_name(v->by), leaf->issuer, tlsd_role_name(v->by)));
}

static void
judge_expired(const TlsdHandshake *hs, TlsdVerdict *v, gint64 time_us)
{
  TlsdRole peer = other(v->by);
  const TlsdCert *late = outside_validity(hs, peer, time_us, FALSE);
  g_autofree char *cert = NULL;
  g_autofree char *end = NULL;
  g_autofree char *now = NULL;

  if (late == NULL) {
    set(v, VGW_TLS_ERROR_EXPIRED, TLSD_VERDICT_FROM_ALERT,
        g_strdup_printf("the alert says a certificate on the %s's path has expired; none the "
                        "%s sent had, at the alert's time (the root it leads to may have)",
                        tlsd_role_name(peer), tlsd_role_name(peer)));
    return;
  }
  cert = describe(late);
  end = tlsd_format_time(late->not_after * G_USEC_PER_SEC);
  now = tlsd_format_time(time_us);
  set(v, VGW_TLS_ERROR_EXPIRED, TLSD_VERDICT_FROM_CAPTURE,
      g_strdup_printf("the %s's certificate %s expired at %s, before the alert at %s",
                      tlsd_role_name(peer), cert, end, now));
}

static void
judge_bad_certificate(const TlsdHandshake *hs, TlsdVerdict *v, gint64 time_us)
{
  TlsdRole peer = other(v->by);
  const TlsdCert *early = outside_validity(hs, peer, time_us, TRUE);
  const TlsdCert *leaf = leaf_of(hs, peer);
  g_autofree char *cert = NULL;
  g_autofree char *fault = NULL;

  if (early != NULL) {
    g_autofree char *start = tlsd_format_time(early->not_before * G_USEC_PER_SEC);
    g_autofree char *now = tlsd_format_time(time_us);
    cert = describe(early);
    set(v, VGW_TLS_ERROR_NOT_YET_VALID, TLSD_VERDICT_FROM_CAPTURE,
        g_strdup_printf("the %s's certificate %s is valid only from %s, after the alert at %s",
                        tlsd_role_name(peer), cert, start, now));
    return;
  }
  if (leaf == NULL || leaf->error != NULL) {
    set(v, VGW_TLS_ERROR_CHAIN, TLSD_VERDICT_FROM_ALERT,
        g_strdup_printf("the alert says the %s refused the %s's certificates; the capture "
                        "does not show them",
                        tlsd_role_name(v->by), tlsd_role_name(peer)));
    return;
  }
  cert = describe(leaf);
  /* The chain is judged before the names, as the gateway does. */
  fault = chain_fault(hs, peer, cert);
  if (fault != NULL) {
    set(v, VGW_TLS_ERROR_CHAIN, TLSD_VERDICT_FROM_CAPTURE, g_steal_pointer(&fault));
    return;
  }
  /* A client's reference is the host name it sent as SNI or, without
   * one, the address it connected to (no SNI for an IP address, RFC 6066
   * §3). */
  if (v->by == TLSD_CLIENT && (hs->sni != NULL || hs->server_addr != NULL)) {
    const char *reference = hs->sni != NULL ? hs->sni : hs->server_addr;
    if (!names_reference(leaf, reference, hs->sni == NULL)) {
      g_autofree char *names = offered_names(leaf);
      set(v, VGW_TLS_ERROR_HOSTNAME, TLSD_VERDICT_FROM_CAPTURE,
          g_strdup_printf("the server's certificate %s names %s, not %s (%s)", cert, names,
                          reference,
                          hs->sni != NULL ? "the host name the client asked for by SNI"
                                          : "the address the client connected to, no SNI"));
      return;
    }
  }
  if (v->by == TLSD_SERVER) {
    /* A server checks a client's names against what it knows the
     * client's address by (the gateway: the Proxy Sets it classifies
     * to): not in a capture, but the one cause left that is common. */
    set(v, VGW_TLS_ERROR_HOSTNAME, TLSD_VERDICT_FROM_ALERT,
        g_strdup_printf("the client's certificate %s and the chain it sent look sound (within "
                        "their validity, usages fit, issuer a CA); left are its names, which the "
                        "server matches against what it knows the client's address by (not in "
                        "a capture), or a signature that does not verify (not checked here)",
                        cert));
    return;
  }
  set(v, VGW_TLS_ERROR_CHAIN, TLSD_VERDICT_FROM_ALERT,
      g_strdup_printf("the server's certificate %s names what the client asked for, and it "
                      "and its chain look sound (within their validity, usages fit, issuer a "
                      "CA); left is a signature that does not verify (not checked here)",
                      cert));
}

static void
judge_version(const TlsdHandshake *hs, TlsdVerdict *v)
{
  g_autofree char *offered = version_list(hs->offered_versions);

  if (v->by == TLSD_SERVER && hs->have_client_hello) {
    set(v, VGW_TLS_ERROR_VERSION, TLSD_VERDICT_FROM_CAPTURE,
        g_strdup_printf("the client offered %s; the server's policy allows none of them",
                        offered));
    return;
  }
  if (v->by == TLSD_CLIENT && hs->have_server_hello) {
    const char *chosen = tlsd_version_name(hs->version);
    set(v, VGW_TLS_ERROR_VERSION, TLSD_VERDICT_FROM_CAPTURE,
        g_strdup_printf("the server chose %s, which the client's policy does not allow "
                        "(it offered %s)",
                        chosen != NULL ? chosen : "an unknown version", offered));
    return;
  }
  set(v, VGW_TLS_ERROR_VERSION, TLSD_VERDICT_FROM_ALERT,
      g_strdup_printf("the alert says the %s found no version both sides accept",
                      tlsd_role_name(v->by)));
}

static void
judge_renegotiation(const TlsdHandshake *hs, TlsdVerdict *v)
{
  TlsdRole peer = other(v->by);

  if (hs->renegotiation_by == (int) peer) {
    set(v, VGW_TLS_ERROR_RENEGOTIATION, TLSD_VERDICT_FROM_CAPTURE,
        g_strdup_printf("the %s tried to renegotiate the established connection (a %s after "
                        "its Finished) and the %s refuses renegotiation",
                        tlsd_role_name(peer),
                        peer == TLSD_CLIENT ? "ClientHello" : "HelloRequest",
                        tlsd_role_name(v->by)));
    return;
  }
  set(v, VGW_TLS_ERROR_RENEGOTIATION, TLSD_VERDICT_FROM_ALERT,
      g_strdup_printf("the alert says the %s refused a renegotiation; the capture does not "
                      "show the attempt",
                      tlsd_role_name(v->by)));
}

static void
judge_protocol(TlsdVerdict *v)
{
  const char *name = tlsd_alert_name(v->alert);

  set(v, VGW_TLS_ERROR_PROTOCOL, TLSD_VERDICT_FROM_ALERT,
      g_strdup_printf("the %s found a message of the %s's malformed or out of place (%s)",
                      tlsd_role_name(v->by), tlsd_role_name(other(v->by)), name));
}

void
tlsd_verdict_judge(TlsdHandshake *hs)
{
  TlsdVerdict *v = &hs->verdict;
  const TlsdAlert *ending;

  g_clear_pointer(&v->explanation, g_free);
  v->known = FALSE;
  if (hs->ending_alert < 0 || (guint) hs->ending_alert >= hs->alerts->len)
    return;
  ending = &g_array_index(hs->alerts, TlsdAlert, hs->ending_alert);
  v->by = ending->from;
  v->alert = ending->description;
  /* The receiver logs what BoringSSL reports of a received alert. */
  v->receiver_reason = vgw_tls_handshake_error(
      SSL_ERROR_SSL, -1, ERR_PACK(ERR_LIB_SSL, SSL_AD_REASON_OFFSET + ending->description), 0);
  switch (ending->description) {
  case SSL_AD_CERTIFICATE_REQUIRED:
    judge_missing_certificate(hs, v, FALSE);
    break;
  case SSL_AD_HANDSHAKE_FAILURE:
    if (empty_certificate_seen(hs, v->by))
      judge_missing_certificate(hs, v, TRUE);
    else
      judge_no_shared_algorithm(hs, v);
    break;
  case SSL_AD_INSUFFICIENT_SECURITY:
    judge_no_shared_algorithm(hs, v);
    break;
  case SSL_AD_UNKNOWN_CA:
    judge_untrusted(hs, v);
    break;
  case SSL_AD_CERTIFICATE_EXPIRED:
    judge_expired(hs, v, ending->time_us);
    break;
  case SSL_AD_BAD_CERTIFICATE:
    judge_bad_certificate(hs, v, ending->time_us);
    break;
  case SSL_AD_PROTOCOL_VERSION:
    judge_version(hs, v);
    break;
  case SSL_AD_NO_RENEGOTIATION:
    judge_renegotiation(hs, v);
    break;
  case SSL_AD_UNEXPECTED_MESSAGE:
  case SSL_AD_BAD_RECORD_MAC:
  case SSL_AD_RECORD_OVERFLOW:
  case SSL_AD_ILLEGAL_PARAMETER:
  case SSL_AD_DECODE_ERROR:
  case SSL_AD_DECRYPT_ERROR:
  case SSL_AD_MISSING_EXTENSION:
  case SSL_AD_UNSUPPORTED_EXTENSION:
    judge_protocol(v);
    break;
  default:
    break;
  }
}

const char *
tlsd_verdict_basis_name(TlsdVerdictBasis basis)
{
  return basis == TLSD_VERDICT_FROM_CAPTURE ? "capture" : "alert";
}
