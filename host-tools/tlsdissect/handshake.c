#include "handshake.h"

#include <stdarg.h>

#include "tls_names.h"
#include "tls_verdict.h"

#define ALERT_CLOSE_NOTIFY 0
#define ALERT_USER_CANCELED 90
#define ALERT_LEVEL_FATAL 2

TlsdHandshake *
tlsd_handshake_new(void)
{
  TlsdHandshake *hs = g_new0(TlsdHandshake, 1);

  hs->offered_versions = g_array_new(FALSE, FALSE, sizeof(guint16));
  hs->offered_ciphers = g_array_new(FALSE, FALSE, sizeof(guint16));
  hs->offered_groups = g_array_new(FALSE, FALSE, sizeof(guint16));
  hs->key_share_groups = g_array_new(FALSE, FALSE, sizeof(guint16));
  hs->offered_sigalgs = g_array_new(FALSE, FALSE, sizeof(guint16));
  hs->offered_alpn = g_ptr_array_new_with_free_func(g_free);
  hs->server_certs = g_ptr_array_new_with_free_func((GDestroyNotify) tlsd_cert_free);
  hs->client_certs = g_ptr_array_new_with_free_func((GDestroyNotify) tlsd_cert_free);
  hs->alerts = g_array_new(FALSE, FALSE, sizeof(TlsdAlert));
  hs->notes = g_ptr_array_new_with_free_func(g_free);
  hs->cert_requested = TLSD_UNKNOWN;
  hs->client_sent_cert = TLSD_UNKNOWN;
  hs->server_cert_verify = TLSD_UNKNOWN;
  hs->client_cert_verify = TLSD_UNKNOWN;
  hs->refused_by = -1;
  hs->first_close = -1;
  hs->renegotiation_by = -1;
  hs->ending_alert = -1;
  return hs;
}

void
tlsd_handshake_free(TlsdHandshake *hs)
{
  if (hs == NULL)
    return;
  g_free(hs->client_addr);
  g_free(hs->server_addr);
  g_free(hs->sni);
  g_array_unref(hs->offered_versions);
  g_array_unref(hs->offered_ciphers);
  g_array_unref(hs->offered_groups);
  g_array_unref(hs->key_share_groups);
  g_array_unref(hs->offered_sigalgs);
  g_ptr_array_unref(hs->offered_alpn);
  g_free(hs->alpn);
  g_ptr_array_unref(hs->server_certs);
  g_ptr_array_unref(hs->client_certs);
  g_array_unref(hs->alerts);
  g_free(hs->reason);
  g_free(hs->verdict.explanation);
  g_free(hs->sip_request);
  g_free(hs->sip_response);
  if (hs->sip_lines != NULL)
    g_ptr_array_unref(hs->sip_lines);
  g_ptr_array_unref(hs->notes);
  g_free(hs);
}

void
tlsd_handshake_note(TlsdHandshake *hs, gboolean partial, const char *fmt, ...)
{
  va_list ap;
  char *text;

  va_start(ap, fmt);
  text = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  for (guint i = 0; i < hs->notes->len; i++) {
    if (g_str_equal(g_ptr_array_index(hs->notes, i), text)) {
      g_free(text);
      hs->partial |= partial;
      return;
    }
  }
  g_ptr_array_add(hs->notes, text);
  hs->partial |= partial;
}

const char *
tlsd_role_name(TlsdRole role)
{
  return role == TLSD_CLIENT ? "client" : "server";
}

static char *
alert_sentence(const TlsdAlert *a)
{
  const char *name = tlsd_alert_name(a->description);
  const char *meaning = tlsd_alert_meaning(a->description);

  if (name == NULL)
    return g_strdup_printf("the %s sent %s alert %u (unknown alert)",
                           tlsd_role_name(a->from),
                           a->level == ALERT_LEVEL_FATAL ? "fatal" : "warning",
                           a->description);
  return g_strdup_printf("the %s sent %s alert %s: %s", tlsd_role_name(a->from),
                         a->level == ALERT_LEVEL_FATAL ? "fatal" : "warning", name, meaning);
}

/* TRUE if the handshake reached both Finished messages. */
static gboolean
both_finished(const TlsdHandshake *hs)
{
  return hs->finished[TLSD_CLIENT] && hs->finished[TLSD_SERVER];
}

void
tlsd_handshake_conclude(TlsdHandshake *hs)
{
  const TlsdAlert *refusal = NULL;

  g_clear_pointer(&hs->reason, g_free);
  hs->refused_by = -1;
  hs->ending_alert = -1;

  /* An alert that ends the connection before its sender has sent any
   * application data refuses the handshake: in TLS 1.3 the server judges
   * the client's certificate after both Finished messages, so "both
   * Finished seen" alone does not mean accepted. */
  for (guint i = 0; i < hs->alerts->len; i++) {
    const TlsdAlert *a = &g_array_index(hs->alerts, TlsdAlert, i);
    gboolean ends = a->level == ALERT_LEVEL_FATAL ||
                    (a->description != ALERT_CLOSE_NOTIFY &&
                     a->description != ALERT_USER_CANCELED);
    if (!ends)
      continue;
    /* The rule: of the refusal, else of whatever alert ended an
     * established connection (a refused renegotiation). */
    if (hs->ending_alert < 0 || hs->app_records[a->from] == 0)
      hs->ending_alert = (int) i;
    if (hs->app_records[a->from] == 0) {
      refusal = a;
      break;
    }
  }
  tlsd_verdict_judge(hs);
  if (refusal != NULL) {
    hs->outcome = TLSD_OUTCOME_REFUSED;
    hs->refused_by = refusal->from;
    hs->reason = alert_sentence(refusal);
    return;
  }
  if (both_finished(hs)) {
    hs->outcome = TLSD_OUTCOME_COMPLETED;
    if (hs->version == 0x0304 && hs->decryption != TLSD_DECRYPT_DONE)
      hs->reason = g_strdup("both sides sent Finished (seen from the record flow; no key log to read them)");
    else
      hs->reason = g_strdup("both sides sent Finished");
    return;
  }
  /* TLS 1.3 without keys: the Finished messages are encrypted. */
  if (hs->version == 0x0304 && hs->decryption != TLSD_DECRYPT_DONE &&
      hs->encrypted_unread[TLSD_CLIENT] > 0 && hs->encrypted_unread[TLSD_SERVER] > 0) {
    hs->outcome = TLSD_OUTCOME_COMPLETED;
    hs->reason = g_strdup("probably completed: both sides sent encrypted records, but "
                          "without a key log the Finished messages and any encrypted "
                          "alert cannot be read");
    tlsd_handshake_note(hs, FALSE, "TLS 1.3 handshake not decrypted: give a key log "
                        "(--keylog, or a pcapng with embedded secrets) to see the "
                        "certificates and the real outcome");
    return;
  }
  if (hs->first_close >= 0) {
    /* Whoever closed first, during the handshake, refused it. */
    int side = hs->first_close;
    hs->outcome = TLSD_OUTCOME_REFUSED;
    hs->refused_by = side;
    hs->reason = g_strdup_printf("the %s %s the connection during the handshake without an alert",
                                 tlsd_role_name(side), hs->rst[side] ? "reset" : "closed");
    return;
  }
  hs->outcome = TLSD_OUTCOME_INCOMPLETE;
  hs->reason = g_strdup(hs->have_server_hello ? "the capture ends before the handshake finished"
                                              : "the capture ends before the server answered the ClientHello");
}
