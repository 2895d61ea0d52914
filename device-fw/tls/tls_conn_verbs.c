/* The TLS connections verb: see tls_conn_verbs.h. */
#include "tls/tls_conn_verbs.h"

#include <arpa/inet.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "mgmt/mgmt_proto.h"
#include "mgmt/mgmt_reply.h"
#include "tls/tls_cert.h"
#include "tls/tls_service.h"

/* One SAN, as text: its type ("DNS", "IP", "URI", "email", "other") and
 * value. */
typedef struct {
  const char *type;
  char *value;
} San;

/* What a connection's peer presented and how it was checked. */
typedef struct {
  char *subject; /* NULL: no certificate */
  char *issuer;
  GArray *sans;  /* San */
  const char *authenticated; /* "verified", "not requested", ... */
  char failure[128];         /* "failed: ..." when verification failed */
} PeerCert;

/* ascii_text copies the |len| bytes of a SAN string, bounded by its
 * length (not by a NUL it may hide), with each byte that is not
 * printable ASCII shown as '?'. */
static char *ascii_text(const ASN1_STRING *str) {
  const unsigned char *bytes = ASN1_STRING_get0_data(str);
  int len = ASN1_STRING_length(str);
  GString *out = g_string_sized_new(len > 0 ? (gsize)len : 0);
  for (int i = 0; i < len; i++) {
    g_string_append_c(out, bytes[i] >= 0x20 && bytes[i] < 0x7f
                               ? (char)bytes[i]
                               : '?');
  }
  return g_string_free(out, FALSE);
}

/* ip_text words an iPAddress SAN: 4 or 16 bytes, anything else is shown
 * as what it is. */
static char *ip_text(const ASN1_OCTET_STRING *ip) {
  char buf[INET6_ADDRSTRLEN];
  int len = ASN1_STRING_length(ip);
  int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : AF_UNSPEC;
  if (family == AF_UNSPEC ||
      inet_ntop(family, ASN1_STRING_get0_data(ip), buf, sizeof(buf)) ==
          NULL) {
    return g_strdup_printf("(%d bytes: not an address)", len);
  }
  return g_strdup(buf);
}

static void san_clear(gpointer p) { g_free(((San *)p)->value); }

/* cert_sans lists every subjectAltName entry of |cert|, in order. */
static GArray *cert_sans(X509 *cert) {
  GArray *out = g_array_new(FALSE, FALSE, sizeof(San));
  g_array_set_clear_func(out, san_clear);
  GENERAL_NAMES *names =
      X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
  for (size_t i = 0; names != NULL && i < sk_GENERAL_NAME_num(names); i++) {
    const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
    San san;
    switch (gn->type) {
      case GEN_DNS:
        san = (San){"DNS", ascii_text(gn->d.dNSName)};
        break;
      case GEN_URI:
        san = (San){"URI", ascii_text(gn->d.uniformResourceIdentifier)};
        break;
      case GEN_EMAIL:
        san = (San){"email", ascii_text(gn->d.rfc822Name)};
        break;
      case GEN_IPADD:
        san = (San){"IP", ip_text(gn->d.iPAddress)};
        break;
      default:
        san = (San){"other", g_strdup_printf("(type %d)", gn->type)};
        break;
    }
    g_array_append_val(out, san);
  }
  GENERAL_NAMES_free(names);
  return out;
}

/* peer_cert_read describes the certificate |ssl|'s peer presented and
 * whether it was verified. */
static void peer_cert_read(const SSL *ssl, PeerCert *out) {
  memset(out, 0, sizeof(*out));
  X509 *cert = SSL_get_peer_certificate(ssl);
  gboolean requested = (SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) != 0;
  if (cert != NULL) {
    out->subject = vgw_tls_cert_subject(cert);
    out->issuer = vgw_tls_cert_issuer(cert);
    out->sans = cert_sans(cert);
    X509_free(cert);
  }
  long result = SSL_get_verify_result(ssl);
  if (!requested) {
    out->authenticated = "not requested";
  } else if (out->subject == NULL) {
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
  g_free(p->subject);
  g_free(p->issuer);
  if (p->sans != NULL) {
    g_array_unref(p->sans);
  }
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

/* The host-name rule that matched: hostname verification does not
 * record one yet, so every connection says so. */
#define HOSTNAME_RULE_NOT_CHECKED "not checked"

static const char *role_name(const VgwTlsConnInfo *info) {
  return info->client ? "client" : "server";
}

static void append_json(const VgwTlsConnInfo *info, gpointer data) {
  GString *j = data;
  Negotiated n = negotiated(info);
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
  if (peer.subject == NULL) {
    g_string_append(j, "null");
  } else {
    g_string_append_c(j, '{');
    vgw_json_str(j, "subject", peer.subject);
    vgw_json_str(j, "issuer", peer.issuer);
    vgw_json_key(j, "san");
    g_string_append_c(j, '[');
    for (guint i = 0; i < peer.sans->len; i++) {
      const San *san = &g_array_index(peer.sans, San, i);
      g_string_append(j, i > 0 ? ",{" : "{");
      vgw_json_str(j, "type", san->type);
      vgw_json_str(j, "value", san->value);
      g_string_append_c(j, '}');
    }
    g_string_append(j, "]}");
  }
  vgw_json_str(j, "authenticated",
               info->established ? peer.authenticated : NULL);
  vgw_json_str(j, "hostname_rule", NULL);
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
                         peer.subject ? peer.subject : "(no certificate)");
  if (peer.subject != NULL) {
    g_string_append_printf(t, LABEL, "peer SANs");
    for (guint i = 0; i < peer.sans->len; i++) {
      const San *san = &g_array_index(peer.sans, San, i);
      g_string_append_printf(t, "%s%s:%s", i > 0 ? ", " : "", san->type,
                             san->value);
    }
    g_string_append_printf(t, "%s\n", peer.sans->len == 0 ? "(none)" : "");
    g_string_append_printf(t, LABEL "%s\n", "peer issuer", peer.issuer);
  }
  g_string_append_printf(t, LABEL "%s\n", "authenticated",
                         peer.authenticated);
  g_string_append_printf(t, LABEL "%s\n", "hostname rule",
                         HOSTNAME_RULE_NOT_CHECKED);
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
