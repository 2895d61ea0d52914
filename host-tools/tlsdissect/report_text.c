#include "report.h"

#include <string.h>

#include "report_put.h"
#include "tls_names.h"
#include "tls_verdict.h"

/* The text report appends piece by piece rather than through printf: on a
 * capture of thousands of handshakes, formatting was most of its time.
 * The text is unchanged: strings that printf's "%s" was given NULL for
 * (never expected) still read "(null)". */

#define LABEL_WIDTH 15

static void
put_text(GString *out, const char *s)
{
  if (s != NULL)
    tlsd_put_str(out, s);
  else
    TLSD_PUT(out, "(null)");
}

/* "  name" padded to the label column ("  %-15s"). */
static void
label(GString *out, const char *name)
{
  gsize len = strlen(name);

  TLSD_PUT(out, "  ");
  tlsd_put_bytes(out, name, len);
  if (len < LABEL_WIDTH)
    tlsd_put_spaces(out, LABEL_WIDTH - len);
}

/* The indent of a label's continuation lines ("%*s" of LABEL_WIDTH + 2). */
static void
indent(GString *out)
{
  tlsd_put_spaces(out, LABEL_WIDTH + 2);
}

/* "0x%04x" */
static void
put_hex16(GString *out, guint16 v)
{
  static const char hex[] = "0123456789abcdef";
  char buf[6] = { '0', 'x', hex[v >> 12], hex[(v >> 8) & 15], hex[(v >> 4) & 15], hex[v & 15] };

  tlsd_put_bytes(out, buf, sizeof buf);
}

static void
code_name(GString *out, guint16 v, const char *(*namer)(guint16))
{
  const char *name = namer(v);

  if (name != NULL)
    tlsd_put_str(out, name);
  else
    put_hex16(out, v);
}

/* Each offered list of the text report remembers its last rendering
 * (report_put.h says why): the wrapping below depends on the list only.
 * The reports run on one thread. */
static TlsdListMemo versions_memo, ciphers_memo, groups_memo;

/* Appends the names of |values|, wrapped under the label column. */
static void
code_list(GString *out, const GArray *values, const char *(*namer)(guint16), TlsdListMemo *memo)
{
  gsize start = out->len, line_start = out->len;

  if (tlsd_list_memo_put(out, memo, values))
    return;
  if (values->len == 0) {
    TLSD_PUT(out, "(none)");
    return;
  }
  for (guint i = 0; i < values->len; i++) {
    guint16 v = g_array_index(values, guint16, i);
    const char *name = namer(v);
    gsize name_len = name != NULL ? strlen(name) : 6; /* "0x%04x" */
    if (i > 0) {
      tlsd_put_char(out, ',');
      if (out->len - line_start + name_len > 100) {
        tlsd_put_char(out, '\n');
        indent(out);
        line_start = out->len - LABEL_WIDTH - 2;
      } else {
        tlsd_put_char(out, ' ');
      }
    }
    if (name != NULL)
      tlsd_put_bytes(out, name, name_len);
    else
      put_hex16(out, v);
  }
  tlsd_list_memo_keep(memo, values, out, start);
}

static const char *
tristate(TlsdTristate t, const char *yes, const char *no, const char *unknown)
{
  return t == TLSD_YES ? yes : t == TLSD_NO ? no : unknown;
}

/* The first ten characters of the time: the date. */
static void
date_only(GString *out, gint64 t)
{
  gsize start = out->len;

  tlsd_append_time(out, t * G_USEC_PER_SEC);
  if (out->len - start > 10)
    g_string_truncate(out, start + 10);
}

static void
certs(GString *out, const char *name, const GPtrArray *list, gint64 at_us)
{
  for (guint i = 0; i < list->len; i++) {
    const TlsdCert *c = g_ptr_array_index(list, i);
    label(out, i == 0 ? name : "");
    tlsd_put_char(out, '[');
    tlsd_put_uint(out, i);
    TLSD_PUT(out, "] ");
    if (c->error != NULL) {
      put_text(out, c->error);
      TLSD_PUT(out, " (sha256 ");
      put_text(out, c->sha256);
      TLSD_PUT(out, ")\n");
      continue;
    }
    TLSD_PUT(out, "subject ");
    put_text(out, c->subject);
    tlsd_put_char(out, '\n');
    indent(out);
    TLSD_PUT(out, "    issuer  ");
    put_text(out, c->issuer);
    if (c->self_signed)
      TLSD_PUT(out, " (self-signed)");
    tlsd_put_char(out, '\n');
    if (c->san_dns[0] != NULL || c->san_ip[0] != NULL || c->san_uri[0] != NULL ||
        c->san_email[0] != NULL) {
      indent(out);
      TLSD_PUT(out, "    SANs   ");
      for (char **v = c->san_dns; *v != NULL; v++) {
        TLSD_PUT(out, " DNS:");
        tlsd_put_str(out, *v);
      }
      for (char **v = c->san_ip; *v != NULL; v++) {
        TLSD_PUT(out, " IP:");
        tlsd_put_str(out, *v);
      }
      for (char **v = c->san_uri; *v != NULL; v++) {
        TLSD_PUT(out, " URI:");
        tlsd_put_str(out, *v);
      }
      for (char **v = c->san_email; *v != NULL; v++) {
        TLSD_PUT(out, " email:");
        tlsd_put_str(out, *v);
      }
      tlsd_put_char(out, '\n');
    }
    indent(out);
    TLSD_PUT(out, "    valid   ");
    date_only(out, c->not_before);
    TLSD_PUT(out, " to ");
    date_only(out, c->not_after);
    if (!tlsd_cert_valid_at(c, at_us))
      TLSD_PUT(out, "  ** NOT VALID at the time of the handshake **");
    tlsd_put_char(out, '\n');
    indent(out);
    TLSD_PUT(out, "    key     ");
    put_text(out, c->key_type);
    if (c->key_bits > 0) {
      tlsd_put_char(out, ' ');
      tlsd_put_uint(out, (guint) c->key_bits);
      TLSD_PUT(out, " bits");
    }
    if (c->key_curve != NULL) {
      TLSD_PUT(out, " (");
      tlsd_put_str(out, c->key_curve);
      tlsd_put_char(out, ')');
    }
    TLSD_PUT(out, ", signed with ");
    put_text(out, c->signature_algorithm);
    tlsd_put_char(out, '\n');
  }
}

/* "rule  untrusted (the server's, alert unknown_ca): EXPLANATION" and
 * what the other side logs. */
static void
verdict(GString *out, const TlsdVerdict *v)
{
  const char *alert = tlsd_alert_name(v->alert);

  label(out, "rule");
  tlsd_put_str(out, vgw_tls_error_name(v->reason));
  TLSD_PUT(out, " (the ");
  tlsd_put_str(out, tlsd_role_name(v->by));
  TLSD_PUT(out, "'s rule, alert ");
  tlsd_put_str(out, alert != NULL ? alert : "unknown");
  if (v->basis == TLSD_VERDICT_FROM_CAPTURE)
    TLSD_PUT(out, ", shown by the capture): ");
  else
    TLSD_PUT(out, ", implied by the alert): ");
  tlsd_put_str(out, v->explanation);
  tlsd_put_char(out, '\n');
  indent(out);
  TLSD_PUT(out, "the ");
  tlsd_put_str(out, tlsd_role_name(v->by == TLSD_CLIENT ? TLSD_SERVER : TLSD_CLIENT));
  TLSD_PUT(out, ", receiving the alert, logs ");
  tlsd_put_str(out, vgw_tls_error_name(v->receiver_reason));
  tlsd_put_char(out, '\n');
}

void
tlsd_handshake_text(GString *out, const TlsdHandshake *hs)
{
  const char *result = hs->outcome == TLSD_OUTCOME_COMPLETED ? "completed"
                       : hs->outcome == TLSD_OUTCOME_REFUSED ? "REFUSED"
                                                             : "incomplete";

  tlsd_put_char(out, '#');
  tlsd_put_uint(out, hs->index);
  TLSD_PUT(out, "  ");
  tlsd_append_time(out, hs->client_hello_us != 0 ? hs->client_hello_us : hs->start_us);
  TLSD_PUT(out, "  ");
  put_text(out, hs->client_addr);
  tlsd_put_char(out, ':');
  tlsd_put_uint(out, hs->client_port);
  TLSD_PUT(out, " -> ");
  put_text(out, hs->server_addr);
  tlsd_put_char(out, ':');
  tlsd_put_uint(out, hs->server_port);
  TLSD_PUT(out, "  ");
  tlsd_put_str(out, result);
  if (hs->refused_by >= 0) {
    TLSD_PUT(out, " by the ");
    tlsd_put_str(out, tlsd_role_name(hs->refused_by));
  }
  if (hs->partial)
    TLSD_PUT(out, "  [partial]");
  tlsd_put_char(out, '\n');

  label(out, "SNI");
  tlsd_put_str(out, hs->sni != NULL ? hs->sni : "(none)");
  tlsd_put_char(out, '\n');
  if (hs->have_client_hello) {
    label(out, "offered");
    TLSD_PUT(out, "versions ");
    code_list(out, hs->offered_versions, tlsd_version_name, &versions_memo);
    tlsd_put_char(out, '\n');
    label(out, "");
    TLSD_PUT(out, "ciphers  ");
    code_list(out, hs->offered_ciphers, tlsd_cipher_name, &ciphers_memo);
    tlsd_put_char(out, '\n');
    label(out, "");
    TLSD_PUT(out, "groups   ");
    code_list(out, hs->offered_groups, tlsd_group_name, &groups_memo);
    tlsd_put_char(out, '\n');
  } else {
    label(out, "offered");
    TLSD_PUT(out, "(no ClientHello in the capture)\n");
  }
  label(out, "chosen");
  if (hs->have_server_hello) {
    code_name(out, hs->version, tlsd_version_name);
    TLSD_PUT(out, ", ");
    code_name(out, hs->cipher, tlsd_cipher_name);
    if (hs->group != 0) {
      TLSD_PUT(out, ", group ");
      code_name(out, hs->group, tlsd_group_name);
    }
    if (hs->alpn != NULL) {
      TLSD_PUT(out, ", ALPN ");
      tlsd_put_str(out, hs->alpn);
    }
    if (hs->hello_retry_request)
      TLSD_PUT(out, " (after a HelloRetryRequest)");
    if (hs->resumed)
      TLSD_PUT(out, " (resumed session)");
    tlsd_put_char(out, '\n');
  } else {
    tlsd_put_str(out, hs->hello_retry_request ? "(HelloRetryRequest only)\n"
                                              : "(no ServerHello)\n");
  }
  label(out, "client cert");
  tlsd_put_str(out, tristate(hs->cert_requested, "requested by the server",
                             "not requested by the server",
                             "request unknown (encrypted, no key log)"));
  TLSD_PUT(out, "; ");
  tlsd_put_str(out, tristate(hs->client_sent_cert, "the client sent one",
                             "the client sent none", "sent: unknown"));
  tlsd_put_char(out, '\n');
  certs(out, "server certs", hs->server_certs, hs->start_us);
  certs(out, "client certs", hs->client_certs, hs->start_us);
  for (guint i = 0; i < hs->alerts->len; i++) {
    const TlsdAlert *a = &g_array_index(hs->alerts, TlsdAlert, i);
    const char *name = tlsd_alert_name(a->description);
    const char *meaning = tlsd_alert_meaning(a->description);
    label(out, i == 0 ? "alerts" : "");
    tlsd_put_str(out, tlsd_role_name(a->from));
    TLSD_PUT(out, ": ");
    tlsd_put_str(out, a->level == 2 ? "fatal" : "warning");
    tlsd_put_char(out, ' ');
    tlsd_put_str(out, name != NULL ? name : "unknown");
    if (a->encrypted)
      TLSD_PUT(out, " (was encrypted)");
    if (meaning != NULL) {
      TLSD_PUT(out, " - ");
      tlsd_put_str(out, meaning);
    }
    tlsd_put_char(out, '\n');
  }
  label(out, "outcome");
  if (hs->reason != NULL)
    tlsd_put_str(out, hs->reason);
  tlsd_put_char(out, '\n');
  if (hs->verdict.known)
    verdict(out, &hs->verdict);
  label(out, "SIP");
  if (hs->sip_request != NULL || hs->sip_response != NULL) {
    tlsd_put_str(out, hs->sip_request != NULL ? hs->sip_request : "(no request seen)");
    TLSD_PUT(out, "  ->  ");
    tlsd_put_str(out, hs->sip_response != NULL ? hs->sip_response : "(no response seen)");
    tlsd_put_char(out, '\n');
  } else {
    tlsd_put_str(out, hs->sip_unreadable ? "encrypted (no key log to read it)\n" : "(none)\n");
  }
  label(out, "decryption");
  switch (hs->decryption) {
  case TLSD_DECRYPT_NOT_NEEDED:
    TLSD_PUT(out, "not needed for the handshake\n");
    break;
  case TLSD_DECRYPT_DONE:
    TLSD_PUT(out, "decrypted with the key log\n");
    break;
  case TLSD_DECRYPT_NO_KEYS:
    TLSD_PUT(out, "encrypted, no key log entry for this connection\n");
    break;
  case TLSD_DECRYPT_UNSUPPORTED:
    TLSD_PUT(out, "encrypted with a cipher suite this tool cannot decrypt\n");
    break;
  case TLSD_DECRYPT_FAILED:
    TLSD_PUT(out, "FAILED: records did not decrypt with the key log's secrets\n");
    break;
  }
  for (guint i = 0; i < hs->notes->len; i++) {
    label(out, i == 0 ? "notes" : "");
    put_text(out, g_ptr_array_index(hs->notes, i));
    tlsd_put_char(out, '\n');
  }
  tlsd_put_char(out, '\n');
}

void
tlsd_report_text_head(GString *out, const TlsdResult *result, const char *file_name,
                      const GPtrArray *shown)
{
  g_string_append_printf(out, "%s: %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT
                         " TCP connections, %u TLS handshakes, %u SIP flows",
                         file_name, result->packets, result->connections,
                         result->handshakes->len, result->sip_flows->len);
  if (shown->len != result->handshakes->len)
    g_string_append_printf(out, " (%u shown)", shown->len);
  if (result->keylog_entries > 0)
    g_string_append_printf(out, "; key log: %u entries%s", result->keylog_entries,
                           result->embedded_secret_blocks > 0 ? " (embedded)" : "");
  g_string_append(out, "\n");
  if (!result->complete)
    g_string_append(out, "WARNING: the capture file is damaged or cut short; what follows is partial.\n");
  for (guint i = 0; i < result->errors->len; i++)
    g_string_append_printf(out, "  %s\n", (const char *) g_ptr_array_index(result->errors, i));
  g_string_append_c(out, '\n');
}

void
tlsd_report_text(GString *out, const TlsdResult *result, const char *file_name,
                 const GPtrArray *shown)
{
  tlsd_report_text_head(out, result, file_name, shown);
  for (guint i = 0; i < shown->len; i++)
    tlsd_handshake_text(out, g_ptr_array_index(shown, i));
  for (guint i = 0; i < result->sip_flows->len; i++)
    tlsd_sip_flow_text(out, g_ptr_array_index(result->sip_flows, i), i + 1);
}

static void
put_endpoint(GString *out, const char *addr, guint16 port)
{
  put_text(out, addr);
  tlsd_put_char(out, ':');
  tlsd_put_uint(out, port);
}

void
tlsd_sip_flow_text(GString *out, const TlsdSipFlow *flow, guint index)
{
  TLSD_PUT(out, "SIP flow ");
  tlsd_put_uint(out, index);
  TLSD_PUT(out, ": ");
  tlsd_put_str(out, tlsd_sip_transport_name(flow->transport));
  if (flow->handshake > 0) {
    TLSD_PUT(out, " (handshake ");
    tlsd_put_uint(out, flow->handshake);
    tlsd_put_char(out, ')');
  }
  TLSD_PUT(out, ", client ");
  put_endpoint(out, flow->client_addr, flow->client_port);
  TLSD_PUT(out, ", server ");
  put_endpoint(out, flow->server_addr, flow->server_port);
  TLSD_PUT(out, "\n");
  for (guint i = 0; i < flow->lines->len; i++) {
    const TlsdSipLine *line = g_ptr_array_index(flow->lines, i);
    TLSD_PUT(out, "  ");
    tlsd_append_time(out, line->time_us);
    if (line->from == TLSD_CLIENT)
      TLSD_PUT(out, "  client -> server  ");
    else
      TLSD_PUT(out, "  server -> client  ");
    put_text(out, line->start_line);
    if (line->call_id != NULL) {
      TLSD_PUT(out, "  [Call-ID ");
      tlsd_put_str(out, line->call_id);
      tlsd_put_char(out, ']');
    }
    tlsd_put_char(out, '\n');
  }
  if (flow->stopped != NULL) {
    TLSD_PUT(out, "  (not followed further: ");
    tlsd_put_str(out, flow->stopped);
    TLSD_PUT(out, ")\n");
  }
  tlsd_put_char(out, '\n');
}
