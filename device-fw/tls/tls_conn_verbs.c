/* The TLS connections verb: see tls_conn_verbs.h. */
#include "tls/tls_conn_verbs.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <string.h>

#include "mgmt/mgmt_proto.h"
#include "mgmt/mgmt_reply.h"
#include "tls/tls_hostname.h"
#include "tls/tls_peer_name.h"
#include "tls/tls_peer_verify.h"
#include "tls/tls_service.h"

/* What a connection's peer presented and how it was checked. */
typedef struct {
  VgwTlsPeerIdentity *id;    /* NULL: no certificate */
  const char *authenticated; /* "verified", "not requested", ... */
  char failure[128];         /* "failed: ..." when verification failed */
} PeerCert;

/* peer_cert_read describes the certificate |ssl|'s peer presented and
 * whether it was verified. */
static void peer_cert_read(const SSL *ssl, PeerCert *out) {
  memset(out, 0, sizeof(*out));
  X509 *cert = SSL_get_peer_certificate(ssl);
  gboolean requested = (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0;
  if (cert != NULL) {
    out->id = vgw_tls_peer_identity_new(cert);
    X509_free(cert);
  }
  long result = SSL_get_verify_result(ssl);
  if (!requested) {
    out->authenticated = "not requested";
  } else if (out->id == NULL) {
    out->authenticated = "no certificate";
  } else if (result == X509_V_OK) {
    out->authenticated = "verified";
  } else {
    g_snprintf(out->failure, sizeof(out->failure), "failed: %s",
               X509_verify_cert_error_string(result));
    out->authenticated = out->failure;
  }
}

static void peer_cert_clear(PeerCert *p) {
  vgw_tls_peer_identity_free(p->id);
}

/* What the handshake agreed; NULLs while it runs. */
typedef struct {
  const char *version;
  const char *cipher;
  const char *group;
} Negotiated;

static Negotiated negotiated(const VgwTlsConnInfo *info) {
  if (!info->established) {
    return (Negotiated){NULL, NULL, NULL};
  }
  const SSL_CIPHER *cipher = SSL_get_current_cipher(info->ssl);
  return (Negotiated){
      SSL_get_version(info->ssl),
      cipher != NULL ? SSL_CIPHER_standard_name(cipher) : NULL,
      SSL_get_curve_name(SSL_get_curve_id(info->ssl)),
  };
}

/* What became of the peer's names (tls_peer_name.h): the verdict, or why
 * they were not checked; both NULL while the handshake runs. */
typedef struct {
  const VgwTlsNameVerdict *verdict;
  const char *not_checked;
} Names;

/* Why the names of a connection that recorded no reason were not
 * checked: a connection of the gateway's checks them exactly when
 * PeerHostNameVerificationMode covers the client role. */
#define NAMES_ROLE_NOT_COVERED \
  "PeerHostNameVerificationMode does not cover the client role"

static Names names_of(const VgwTlsConnInfo *info) {
  if (!info->established) {
    return (Names){NULL, NULL};
  }
  const VgwTlsNameVerdict *v = vgw_tls_peer_name_verdict(info->ssl);
  if (v != NULL) {
    return (Names){v, NULL};
  }
  const char *why = vgw_tls_peer_name_skipped(info->ssl);
  return (Names){NULL, why != NULL ? why : NAMES_ROLE_NOT_COVERED};
}

static const char *role_name(const VgwTlsConnInfo *info) {
  return info->client ? "client" : "server";
}

static void append_json(const VgwTlsConnInfo *info, gpointer data) {
  GString *j = data;
  Negotiated n = negotiated(info);
  Names names = names_of(info);
  PeerCert peer;

  peer_cert_read(info->ssl, &peer);
  if (j->str[j->len - 1] != '[') {
    g_string_append_c(j, ',');
  }
  g_string_append_c(j, '{');
  vgw_json_str(j, "peer", info->peer);
  vgw_json_str(j, "role", role_name(info));
  vgw_json_str(j, "state", info->established ? "established" : "handshaking");
  vgw_json_str(j, "belongs_to", info->owner);
  vgw_json_str(j, "context", info->context);
  vgw_json_str(j, "version", n.version);
  vgw_json_str(j, "cipher", n.cipher);
  vgw_json_str(j, "group", n.group);
  vgw_json_key(j, "peer_certificate");
  if (peer.id == NULL) {
    g_string_append(j, "null");
  } else {
    g_string_append_c(j, '{');
    vgw_json_str(j, "subject", peer.id->subject);
    vgw_json_str(j, "issuer", peer.id->issuer);
    vgw_json_key(j, "san");
    g_string_append_c(j, '[');
    for (guint i = 0; peer.id->san[i] != NULL; i++) {
      /* "KIND:value" (tls_peer_verify.h): split at the first colon. */
      g_auto(GStrv) kind_value = g_strsplit(peer.id->san[i], ":", 2);
      g_string_append(j, i > 0 ? ",{" : "{");
      vgw_json_str(j, "type", kind_value[0]);
      vgw_json_str(j, "value", kind_value[1]);
      g_string_append_c(j, '}');
    }
    g_string_append(j, "]}");
  }
  vgw_json_str(j, "authenticated",
               info->established ? peer.authenticated : NULL);
  vgw_json_key(j, "hostname_rule");
  if (names.verdict == NULL) {
    g_string_append(j, "null");
  } else {
    g_string_append_c(j, '{');
    vgw_json_str(j, "rule", vgw_tls_name_rule_name(names.verdict->rule));
    vgw_json_str(j, "sentence", names.verdict->sentence);
    g_string_append_c(j, '}');
  }
  vgw_json_str(j, "hostname_not_checked", names.not_checked);
  vgw_json_uint(j, "age_s", info->age_s);
  vgw_json_uint(j, "bytes_in", info->bytes_in);
  vgw_json_uint(j, "bytes_out", info->bytes_out);
  vgw_json_uint(j, "key_updates", info->key_updates);
  vgw_json_uint(j, "rehandshakes", info->renewals);
  g_string_append_c(j, '}');
  peer_cert_clear(&peer);
}

/* The text form: one block per connection, its labels aligned. */
#define LABEL "  %-15s"

static void append_text(const VgwTlsConnInfo *info, gpointer data) {
  GString *t = data;
  Negotiated n = negotiated(info);
  PeerCert peer;

  g_string_append_printf(t, "\n%s  %s, %s, %s, %" G_GUINT64_FORMAT " s\n",
                         info->peer, role_name(info),
                         info->established ? "established" : "handshaking",
                         info->owner ? info->owner : "belongs to -",
                         info->age_s);
  g_string_append_printf(t, LABEL "%s\n", "context", info->context);
  if (!info->established) {
    return;
  }
  peer_cert_read(info->ssl, &peer);
  g_string_append_printf(t, LABEL "%s, %s, %s\n", "negotiated", n.version,
                         n.cipher ? n.cipher : "-", n.group ? n.group : "-");
  g_string_append_printf(t, LABEL "%s\n", "peer subject",
                         peer.id ? peer.id->subject : "(no certificate)");
  if (peer.id != NULL) {
    g_autofree char *sans = g_strjoinv(", ", peer.id->san);
    g_string_append_printf(t, LABEL "%s\n", "peer SANs",
                           sans[0] != '\0' ? sans : "(none)");
    g_string_append_printf(t, LABEL "%s\n", "peer issuer", peer.id->issuer);
  }
  g_string_append_printf(t, LABEL "%s\n", "authenticated",
                         peer.authenticated);
  Names names = names_of(info);
  if (names.verdict != NULL) {
    g_string_append_printf(t, LABEL "%s: %s\n", "hostname rule",
                           vgw_tls_name_rule_name(names.verdict->rule),
                           names.verdict->sentence);
  } else {
    g_string_append_printf(t, LABEL "not checked: %s\n", "hostname rule",
                           names.not_checked);
  }
  g_string_append_printf(t,
                         LABEL "%" G_GUINT64_FORMAT " bytes in, %"
                               G_GUINT64_FORMAT " bytes out\n",
                         "application", info->bytes_in, info->bytes_out);
  g_string_append_printf(t, LABEL "%" G_GUINT64_FORMAT "\n", "key updates",
                         info->key_updates);
  g_string_append_printf(t, LABEL "%" G_GUINT64_FORMAT "\n", "re-handshakes",
                         info->renewals);
  peer_cert_clear(&peer);
}

/* count_one counts established (data[0]) and half-open (data[1]). */
static void count_one(const VgwTlsConnInfo *info, gpointer data) {
  guint *counts = data;
  counts[info->established ? 0 : 1]++;
}

static void verb_connections(const VgwMgmtCall *c, VgwMgmtReply *out) {
  guint counts[2] = {0, 0};
  GString *body = g_string_new(NULL);

  if (c->argc != 2 || strcmp(c->argv[2], "connections") != 0) {
    g_string_free(body, TRUE);
    vgw_reply_usage(c, out);
    return;
  }
  vgw_tls_service_foreach_conn(c->data, count_one, counts);
  if (c->human) {
    g_string_append_printf(body,
                           "TLS connections: %u established, %u handshaking\n",
                           counts[0], counts[1]);
    vgw_tls_service_foreach_conn(c->data, append_text, body);
  } else {
    g_string_append_c(body, '{');
    vgw_json_uint(body, "established", counts[0]);
    vgw_json_uint(body, "handshaking", counts[1]);
    vgw_json_key(body, "connections");
    g_string_append_c(body, '[');
    vgw_tls_service_foreach_conn(c->data, append_json, body);
    g_string_append(body, "]}");
  }
  vgw_reply_ok(out, body);
}

static const VgwMgmtVerb tls_conn_verbs[] = {
    {"show tls", "connections",
     "the TLS connections, both roles: peer, context, certificate", 0,
     verb_connections},
};

const VgwMgmtVerbSet vgw_tls_conn_verb_set = {
    tls_conn_verbs, G_N_ELEMENTS(tls_conn_verbs), NULL};
