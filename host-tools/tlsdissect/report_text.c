#include "report.h"

#include <string.h>

#include "tls_names.h"

#define LABEL_WIDTH 15

static void
label(GString *out, const char *name)
{
  g_string_append_printf(out, "  %-*s", LABEL_WIDTH, name);
}

static void
code_name(GString *out, guint16 v, const char *(*namer)(guint16))
{
  const char *name = namer(v);

  if (name != NULL)
    g_string_append(out, name);
  else
    g_string_append_printf(out, "0x%04x", v);
}

/* Appends the names of |values|, wrapped under the label column. */
static void
code_list(GString *out, const GArray *values, const char *(*namer)(guint16))
{
  gsize line_start = out->len;

  if (values->len == 0) {
    g_string_append(out, "(none)");
    return;
  }
  for (guint i = 0; i < values->len; i++) {
    guint16 v = g_array_index(values, guint16, i);
    const char *name = namer(v);
    char hex[8];
    if (name == NULL) {
      g_snprintf(hex, sizeof hex, "0x%04x", v);
      name = hex;
    }
    if (i > 0) {
      g_string_append_c(out, ',');
      if (out->len - line_start + strlen(name) > 100) {
        g_string_append_c(out, '\n');
        g_string_append_len(out, "                                 ", LABEL_WIDTH + 2);
        line_start = out->len - LABEL_WIDTH - 2;
      } else {
        g_string_append_c(out, ' ');
      }
    }
    g_string_append(out, name);
  }
}

static const char *
tristate(TlsdTristate t, const char *yes, const char *no, const char *unknown)
{
  return t == TLSD_YES ? yes : t == TLSD_NO ? no : unknown;
}

static void
date_only(GString *out, gint64 t)
{
  g_autofree char *s = tlsd_format_time(t * G_USEC_PER_SEC);

  g_string_append_len(out, s, MIN(strlen(s), 10));
}

static void
certs(GString *out, const char *name, const GPtrArray *list, gint64 at_us)
{
  for (guint i = 0; i < list->len; i++) {
    const TlsdCert *c = g_ptr_array_index(list, i);
    label(out, i == 0 ? name : "");
    g_string_append_printf(out, "[%u] ", i);
    if (c->error != NULL) {
      g_string_append_printf(out, "%s (sha256 %s)\n", c->error, c->sha256);
      continue;
    }
    g_string_append_printf(out, "subject %s\n", c->subject);
    g_string_append_printf(out, "%*s    issuer  %s%s\n", LABEL_WIDTH + 2, "", c->issuer,
                           c->self_signed ? " (self-signed)" : "");
    if (c->san_dns[0] != NULL || c->san_ip[0] != NULL || c->san_uri[0] != NULL ||
        c->san_email[0] != NULL) {
      g_string_append_printf(out, "%*s    SANs   ", LABEL_WIDTH + 2, "");
      for (char **v = c->san_dns; *v != NULL; v++)
        g_string_append_printf(out, " DNS:%s", *v);
      for (char **v = c->san_ip; *v != NULL; v++)
        g_string_append_printf(out, " IP:%s", *v);
      for (char **v = c->san_uri; *v != NULL; v++)
        g_string_append_printf(out, " URI:%s", *v);
      for (char **v = c->san_email; *v != NULL; v++)
        g_string_append_printf(out, " email:%s", *v);
      g_string_append_c(out, '\n');
    }
    g_string_append_printf(out, "%*s    valid   ", LABEL_WIDTH + 2, "");
    date_only(out, c->not_before);
    g_string_append(out, " to ");
    date_only(out, c->not_after);
    if (!tlsd_cert_valid_at(c, at_us))
      g_string_append(out, "  ** NOT VALID at the time of the handshake **");
    g_string_append_c(out, '\n');
    g_string_append_printf(out, "%*s    key     %s", LABEL_WIDTH + 2, "", c->key_type);
    if (c->key_bits > 0)
      g_string_append_printf(out, " %d bits", c->key_bits);
    if (c->key_curve != NULL)
      g_string_append_printf(out, " (%s)", c->key_curve);
    g_string_append_printf(out, ", signed with %s\n", c->signature_algorithm);
  }
}

void
tlsd_handshake_text(GString *out, const TlsdHandshake *hs)
{
  g_autofree char *time = tlsd_format_time(hs->client_hello_us != 0 ? hs->client_hello_us
                                                                     : hs->start_us);
  const char *result = hs->outcome == TLSD_OUTCOME_COMPLETED ? "completed"
                       : hs->outcome == TLSD_OUTCOME_REFUSED ? "REFUSED"
                                                             : "incomplete";

  g_string_append_printf(out, "#%u  %s  %s:%u -> %s:%u  %s", hs->index, time, hs->client_addr,
                         hs->client_port, hs->server_addr, hs->server_port, result);
  if (hs->refused_by >= 0)
    g_string_append_printf(out, " by the %s", tlsd_role_name(hs->refused_by));
  g_string_append_printf(out, "%s\n", hs->partial ? "  [partial]" : "");

  label(out, "SNI");
  g_string_append_printf(out, "%s\n", hs->sni != NULL ? hs->sni : "(none)");
  if (hs->have_client_hello) {
    label(out, "offered");
    g_string_append(out, "versions ");
    code_list(out, hs->offered_versions, tlsd_version_name);
    g_string_append_c(out, '\n');
    label(out, "");
    g_string_append(out, "ciphers  ");
    code_list(out, hs->offered_ciphers, tlsd_cipher_name);
    g_string_append_c(out, '\n');
    label(out, "");
    g_string_append(out, "groups   ");
    code_list(out, hs->offered_groups, tlsd_group_name);
    g_string_append_c(out, '\n');
  } else {
    label(out, "offered");
    g_string_append(out, "(no ClientHello in the capture)\n");
  }
  label(out, "chosen");
  if (hs->have_server_hello) {
    code_name(out, hs->version, tlsd_version_name);
    g_string_append(out, ", ");
    code_name(out, hs->cipher, tlsd_cipher_name);
    if (hs->group != 0) {
      g_string_append(out, ", group ");
      code_name(out, hs->group, tlsd_group_name);
    }
    if (hs->alpn != NULL)
      g_string_append_printf(out, ", ALPN %s", hs->alpn);
    if (hs->hello_retry_request)
      g_string_append(out, " (after a HelloRetryRequest)");
    if (hs->resumed)
      g_string_append(out, " (resumed session)");
    g_string_append_c(out, '\n');
  } else {
    g_string_append(out, hs->hello_retry_request ? "(HelloRetryRequest only)\n"
                                                 : "(no ServerHello)\n");
  }
  label(out, "client cert");
  g_string_append_printf(out, "%s; %s\n",
                         tristate(hs->cert_requested, "requested by the server",
                                  "not requested by the server",
                                  "request unknown (encrypted, no key log)"),
                         tristate(hs->client_sent_cert, "the client sent one",
                                  "the client sent none", "sent: unknown"));
  certs(out, "server certs", hs->server_certs, hs->start_us);
  certs(out, "client certs", hs->client_certs, hs->start_us);
  for (guint i = 0; i < hs->alerts->len; i++) {
    const TlsdAlert *a = &g_array_index(hs->alerts, TlsdAlert, i);
    const char *name = tlsd_alert_name(a->description);
    const char *meaning = tlsd_alert_meaning(a->description);
    label(out, i == 0 ? "alerts" : "");
    g_string_append_printf(out, "%s: %s %s%s", tlsd_role_name(a->from),
                           a->level == 2 ? "fatal" : "warning",
                           name != NULL ? name : "unknown", a->encrypted ? " (was encrypted)" : "");
    if (meaning != NULL)
      g_string_append_printf(out, " - %s", meaning);
    g_string_append_c(out, '\n');
  }
  label(out, "outcome");
  g_string_append_printf(out, "%s\n", hs->reason != NULL ? hs->reason : "");
  label(out, "SIP");
  if (hs->sip_request != NULL || hs->sip_response != NULL)
    g_string_append_printf(out, "%s  ->  %s\n",
                           hs->sip_request != NULL ? hs->sip_request : "(no request seen)",
                           hs->sip_response != NULL ? hs->sip_response : "(no response seen)");
  else
    g_string_append(out, hs->sip_unreadable ? "encrypted (no key log to read it)\n" : "(none)\n");
  label(out, "decryption");
  switch (hs->decryption) {
  case TLSD_DECRYPT_NOT_NEEDED:
    g_string_append(out, "not needed for the handshake\n");
    break;
  case TLSD_DECRYPT_DONE:
    g_string_append(out, "decrypted with the key log\n");
    break;
  case TLSD_DECRYPT_NO_KEYS:
    g_string_append(out, "encrypted, no key log entry for this connection\n");
    break;
  case TLSD_DECRYPT_UNSUPPORTED:
    g_string_append(out, "encrypted with a cipher suite this tool cannot decrypt\n");
    break;
  case TLSD_DECRYPT_FAILED:
    g_string_append(out, "FAILED: records did not decrypt with the key log's secrets\n");
    break;
  }
  for (guint i = 0; i < hs->notes->len; i++) {
    label(out, i == 0 ? "notes" : "");
    g_string_append_printf(out, "%s\n", (const char *) g_ptr_array_index(hs->notes, i));
  }
  g_string_append_c(out, '\n');
}

void
tlsd_report_text_head(GString *out, const TlsdResult *result, const char *file_name,
                      const GPtrArray *shown)
{
  g_string_append_printf(out, "%s: %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT
                         " TCP connections, %u TLS handshakes",
                         file_name, result->packets, result->connections,
                         result->handshakes->len);
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
}
