/*
 * The JSON report, written straight into a GString.
 *
 * The output is the documented contract of docs/handshakes.md and stays
 * byte for byte what the json-glib tree this replaces wrote (compact
 * json_to_string of json-glib 1.6): members in the order below, no
 * spaces, integers in decimal, strings escaped as the maintenance
 * protocol's vgw_mgmt_json_append_string does.  Building a tree per handshake cost four times the analysis
 * itself on a large capture; appending is a few copies per field.
 */
#include "report.h"

#include <string.h>

#include "mgmt_proto.h"
#include "report_put.h"
#include "tls_names.h"
#include "tls_verdict.h"

/* put_string appends |s| as a JSON string, or null if |s| is NULL. */
static void
put_string(GString *out, const char *s)
{
  vgw_mgmt_json_append_string(out, s);
}

/* put_int appends |v| in decimal, as "%" G_GINT64_FORMAT would. */
static void
put_int(GString *out, gint64 v)
{
  if (v < 0) {
    tlsd_put_char(out, '-');
    /* As unsigned, so G_MININT64 negates without overflow. */
    tlsd_put_uint(out, -(guint64) v);
  } else {
    tlsd_put_uint(out, (guint64) v);
  }
}

static void
put_bool(GString *out, gboolean v)
{
  if (v)
    TLSD_PUT(out, "true");
  else
    TLSD_PUT(out, "false");
}

static void
put_tristate(GString *out, TlsdTristate v)
{
  if (v == TLSD_UNKNOWN)
    TLSD_PUT(out, "null");
  else
    put_bool(out, v == TLSD_YES);
}

static void
put_time(GString *out, gint64 time_us)
{
  tlsd_put_char(out, '"');
  tlsd_append_time(out, time_us);
  tlsd_put_char(out, '"');
}

/* A code's object, {"value":4865,"name":"TLS_AES_128_GCM_SHA256"} (name
 * null if unknown), is the same text every time: a handshake lists some
 * sixty, and finding and escaping their names was a fifth of the JSON
 * report's instructions.  So each namer keeps the texts it rendered in a
 * small open addressing table.  The reports run on one thread; nothing else touches
 * these. */
#define CODE_SLOTS 256
#define CODE_PROBES 8

typedef struct {
  guint16 value;
  guint8 len;     /* 0: empty */
  char text[93];  /* longer texts are not kept */
} CodeSlot;

typedef struct {
  const char *(*namer)(guint16);
  CodeSlot slots[CODE_SLOTS];
} CodeCache;

static const char *
alert_name16(guint16 v)
{
  return tlsd_alert_name((guint8) v);
}

static CodeCache version_codes = { .namer = tlsd_version_name };
static CodeCache cipher_codes = { .namer = tlsd_cipher_name };
static CodeCache group_codes = { .namer = tlsd_group_name };
static CodeCache sigalg_codes = { .namer = tlsd_sigalg_name };
static CodeCache alert_codes = { .namer = alert_name16 };

static void
put_code(GString *out, guint16 value, CodeCache *codes)
{
  /* Fibonacci hashing spreads the registries' runs of values. */
  guint first = ((guint32) value * 2654435769u) >> 24;
  CodeSlot *free_slot = NULL;
  gsize start = out->len, len;

  for (guint i = 0; i < CODE_PROBES; i++) {
    CodeSlot *slot = &codes->slots[(first + i) % CODE_SLOTS];
    if (slot->len == 0) {
      free_slot = slot;
      break;
    }
    if (slot->value == value) {
      tlsd_put_bytes(out, slot->text, slot->len);
      return;
    }
  }
  TLSD_PUT(out, "{\"value\":");
  put_int(out, value);
  TLSD_PUT(out, ",\"name\":");
  put_string(out, codes->namer(value));
  tlsd_put_char(out, '}');
  len = out->len - start;
  if (free_slot != NULL && len <= sizeof free_slot->text) {
    memcpy(free_slot->text, out->str + start, len);
    free_slot->len = (guint8) len;
    free_slot->value = value;
  }
}

/* A code, or null for 0 (not known). */
static void
put_code_or_null(GString *out, guint16 value, CodeCache *codes)
{
  if (value == 0)
    TLSD_PUT(out, "null");
  else
    put_code(out, value, codes);
}

/* Each offered list of the JSON report remembers its last rendering
 * (report_put.h says why).  The reports run on one thread. */
static TlsdListMemo versions_memo, ciphers_memo, groups_memo, key_shares_memo, sigalgs_memo;

static void
put_code_list(GString *out, const GArray *values, CodeCache *codes, TlsdListMemo *memo)
{
  gsize start = out->len;

  if (tlsd_list_memo_put(out, memo, values))
    return;
  tlsd_put_char(out, '[');
  for (guint i = 0; i < values->len; i++) {
    if (i > 0)
      tlsd_put_char(out, ',');
    put_code(out, g_array_index(values, guint16, i), codes);
  }
  tlsd_put_char(out, ']');
  tlsd_list_memo_keep(memo, values, out, start);
}

/* A NULL-terminated vector (NULL itself: empty) as an array of strings. */
static void
put_strv(GString *out, char **values)
{
  tlsd_put_char(out, '[');
  for (char **v = values; v != NULL && *v != NULL; v++) {
    if (v != values)
      tlsd_put_char(out, ',');
    put_string(out, *v);
  }
  tlsd_put_char(out, ']');
}

static void
put_string_array(GString *out, const GPtrArray *values)
{
  tlsd_put_char(out, '[');
  for (guint i = 0; i < values->len; i++) {
    if (i > 0)
      tlsd_put_char(out, ',');
    put_string(out, g_ptr_array_index(values, i));
  }
  tlsd_put_char(out, ']');
}

static void
put_endpoint(GString *out, const char *addr, guint16 port)
{
  TLSD_PUT(out, "{\"address\":");
  put_string(out, addr);
  TLSD_PUT(out, ",\"port\":");
  put_int(out, port);
  tlsd_put_char(out, '}');
}

static void
put_cert(GString *out, const TlsdCert *c, gint64 at_us)
{
  TLSD_PUT(out, "{\"error\":");
  put_string(out, c->error);
  TLSD_PUT(out, ",\"subject\":");
  put_string(out, c->subject);
  TLSD_PUT(out, ",\"issuer\":");
  put_string(out, c->issuer);
  TLSD_PUT(out, ",\"serial\":");
  put_string(out, c->serial);
  if (c->error == NULL) {
    TLSD_PUT(out, ",\"not_before\":");
    put_time(out, c->not_before * G_USEC_PER_SEC);
    TLSD_PUT(out, ",\"not_after\":");
    put_time(out, c->not_after * G_USEC_PER_SEC);
  } else {
    TLSD_PUT(out, ",\"not_before\":null,\"not_after\":null");
  }
  TLSD_PUT(out, ",\"san\":{\"dns\":");
  put_strv(out, c->san_dns);
  TLSD_PUT(out, ",\"ip\":");
  put_strv(out, c->san_ip);
  TLSD_PUT(out, ",\"uri\":");
  put_strv(out, c->san_uri);
  TLSD_PUT(out, ",\"email\":");
  put_strv(out, c->san_email);
  TLSD_PUT(out, "},\"key\":{\"type\":");
  put_string(out, c->key_type);
  TLSD_PUT(out, ",\"bits\":");
  if (c->key_bits > 0)
    put_int(out, c->key_bits);
  else
    TLSD_PUT(out, "null");
  TLSD_PUT(out, ",\"curve\":");
  put_string(out, c->key_curve);
  TLSD_PUT(out, "},\"signature_algorithm\":");
  put_string(out, c->signature_algorithm);
  TLSD_PUT(out, ",\"valid_at_handshake\":");
  if (c->error == NULL)
    put_bool(out, tlsd_cert_valid_at(c, at_us));
  else
    TLSD_PUT(out, "null");
  TLSD_PUT(out, ",\"self_signed\":");
  put_bool(out, c->self_signed);
  TLSD_PUT(out, ",\"sha256\":");
  put_string(out, c->sha256);
  tlsd_put_char(out, '}');
}

static void
put_certs(GString *out, const GPtrArray *certs, gint64 at_us)
{
  tlsd_put_char(out, '[');
  for (guint i = 0; i < certs->len; i++) {
    if (i > 0)
      tlsd_put_char(out, ',');
    put_cert(out, g_ptr_array_index(certs, i), at_us);
  }
  tlsd_put_char(out, ']');
}

static const char *
decryption_name(TlsdDecryptStatus s)
{
  switch (s) {
  case TLSD_DECRYPT_NOT_NEEDED: return "not_needed";
  case TLSD_DECRYPT_DONE: return "decrypted";
  case TLSD_DECRYPT_NO_KEYS: return "no_keys";
  case TLSD_DECRYPT_UNSUPPORTED: return "unsupported_cipher";
  case TLSD_DECRYPT_FAILED: return "failed";
  }
  return "?";
}

static const char *
outcome_name(TlsdOutcome o)
{
  switch (o) {
  case TLSD_OUTCOME_COMPLETED: return "completed";
  case TLSD_OUTCOME_REFUSED: return "refused";
  case TLSD_OUTCOME_INCOMPLETE: return "incomplete";
  }
  return "?";
}

static const char *
alert_level_name(guint8 level)
{
  return level == 1 ? "warning" : level == 2 ? "fatal" : "unknown";
}

/* The gateway rule (tls_verdict.h): an object, or null. */
static void
put_verdict(GString *out, const TlsdVerdict *v)
{
  if (!v->known) {
    TLSD_PUT(out, "null");
    return;
  }
  TLSD_PUT(out, "{\"reason\":");
  put_string(out, vgw_tls_error_name(v->reason));
  TLSD_PUT(out, ",\"by\":");
  put_string(out, tlsd_role_name(v->by));
  TLSD_PUT(out, ",\"alert\":");
  put_string(out, tlsd_alert_name(v->alert));
  TLSD_PUT(out, ",\"basis\":");
  put_string(out, tlsd_verdict_basis_name(v->basis));
  TLSD_PUT(out, ",\"explanation\":");
  put_string(out, v->explanation);
  TLSD_PUT(out, ",\"receiver_reason\":");
  put_string(out, vgw_tls_error_name(v->receiver_reason));
  tlsd_put_char(out, '}');
}

static void
put_alerts(GString *out, const GArray *alerts)
{
  tlsd_put_char(out, '[');
  for (guint i = 0; i < alerts->len; i++) {
    const TlsdAlert *a = &g_array_index(alerts, TlsdAlert, i);
    if (i > 0)
      tlsd_put_char(out, ',');
    TLSD_PUT(out, "{\"from\":");
    put_string(out, tlsd_role_name(a->from));
    TLSD_PUT(out, ",\"level\":");
    put_string(out, alert_level_name(a->level));
    TLSD_PUT(out, ",\"description\":");
    put_code(out, a->description, &alert_codes);
    TLSD_PUT(out, ",\"meaning\":");
    put_string(out, tlsd_alert_meaning(a->description));
    TLSD_PUT(out, ",\"encrypted\":");
    put_bool(out, a->encrypted);
    TLSD_PUT(out, ",\"time\":");
    put_time(out, a->time_us);
    tlsd_put_char(out, '}');
  }
  tlsd_put_char(out, ']');
}

void
tlsd_handshake_json(GString *out, const TlsdHandshake *hs, guint index)
{
  TLSD_PUT(out, "{\"index\":");
  put_int(out, index);
  TLSD_PUT(out, ",\"time\":");
  put_time(out, hs->client_hello_us != 0 ? hs->client_hello_us : hs->start_us);
  TLSD_PUT(out, ",\"connection_time\":");
  put_time(out, hs->start_us);
  TLSD_PUT(out, ",\"client\":");
  put_endpoint(out, hs->client_addr, hs->client_port);
  TLSD_PUT(out, ",\"server\":");
  put_endpoint(out, hs->server_addr, hs->server_port);
  TLSD_PUT(out, ",\"sni\":");
  put_string(out, hs->sni);

  TLSD_PUT(out, ",\"offered\":{\"client_hello_seen\":");
  put_bool(out, hs->have_client_hello);
  TLSD_PUT(out, ",\"legacy_version\":");
  put_code_or_null(out, hs->client_legacy_version, &version_codes);
  TLSD_PUT(out, ",\"versions\":");
  put_code_list(out, hs->offered_versions, &version_codes, &versions_memo);
  TLSD_PUT(out, ",\"cipher_suites\":");
  put_code_list(out, hs->offered_ciphers, &cipher_codes, &ciphers_memo);
  TLSD_PUT(out, ",\"groups\":");
  put_code_list(out, hs->offered_groups, &group_codes, &groups_memo);
  TLSD_PUT(out, ",\"key_share_groups\":");
  put_code_list(out, hs->key_share_groups, &group_codes, &key_shares_memo);
  TLSD_PUT(out, ",\"signature_algorithms\":");
  put_code_list(out, hs->offered_sigalgs, &sigalg_codes, &sigalgs_memo);
  TLSD_PUT(out, ",\"alpn\":");
  put_string_array(out, hs->offered_alpn);

  TLSD_PUT(out, "},\"chosen\":{\"server_hello_seen\":");
  put_bool(out, hs->have_server_hello);
  TLSD_PUT(out, ",\"version\":");
  put_code_or_null(out, hs->have_server_hello ? hs->version : 0, &version_codes);
  TLSD_PUT(out, ",\"cipher_suite\":");
  if (hs->have_server_hello)
    put_code(out, hs->cipher, &cipher_codes);
  else
    TLSD_PUT(out, "null");
  TLSD_PUT(out, ",\"group\":");
  put_code_or_null(out, hs->group, &group_codes);
  TLSD_PUT(out, ",\"alpn\":");
  put_string(out, hs->alpn);
  TLSD_PUT(out, ",\"hello_retry_request\":");
  put_bool(out, hs->hello_retry_request);
  TLSD_PUT(out, ",\"resumed\":");
  put_bool(out, hs->resumed);

  TLSD_PUT(out, "},\"client_auth\":{\"requested\":");
  put_tristate(out, hs->cert_requested);
  TLSD_PUT(out, ",\"client_sent_certificate\":");
  put_tristate(out, hs->client_sent_cert);
  TLSD_PUT(out, ",\"client_sent_certificate_verify\":");
  put_tristate(out, hs->client_cert_verify);

  TLSD_PUT(out, "},\"server_certificates\":");
  put_certs(out, hs->server_certs, hs->start_us);
  TLSD_PUT(out, ",\"client_certificates\":");
  put_certs(out, hs->client_certs, hs->start_us);
  TLSD_PUT(out, ",\"alerts\":");
  put_alerts(out, hs->alerts);
  TLSD_PUT(out, ",\"decryption\":");
  put_string(out, decryption_name(hs->decryption));

  TLSD_PUT(out, ",\"outcome\":{\"result\":");
  put_string(out, outcome_name(hs->outcome));
  TLSD_PUT(out, ",\"by\":");
  put_string(out, hs->refused_by >= 0 ? tlsd_role_name(hs->refused_by) : NULL);
  TLSD_PUT(out, ",\"reason\":");
  put_string(out, hs->reason);
  TLSD_PUT(out, ",\"rule\":");
  put_verdict(out, &hs->verdict);

  TLSD_PUT(out, "},\"sip\":{\"request\":");
  put_string(out, hs->sip_request);
  TLSD_PUT(out, ",\"response\":");
  put_string(out, hs->sip_response);
  TLSD_PUT(out, ",\"encrypted_unread\":");
  put_bool(out, hs->sip_unreadable);

  TLSD_PUT(out, "},\"partial\":");
  put_bool(out, hs->partial);
  TLSD_PUT(out, ",\"notes\":");
  put_string_array(out, hs->notes);
  tlsd_put_char(out, '}');
}

static const char *
format_name(TlsdFileFormat f)
{
  return f == TLSD_FORMAT_PCAP ? "pcap" : f == TLSD_FORMAT_PCAPNG ? "pcapng" : "unknown";
}

void
tlsd_report_json_head(GString *out, const TlsdResult *result, const char *file_name)
{
  TLSD_PUT(out, "{\"schema\":");
  put_int(out, TLSD_JSON_SCHEMA);
  TLSD_PUT(out, ",\"file\":");
  put_string(out, file_name);
  TLSD_PUT(out, ",\"format\":");
  put_string(out, format_name(result->format));
  TLSD_PUT(out, ",\"complete\":");
  put_bool(out, result->complete);
  TLSD_PUT(out, ",\"errors\":");
  put_string_array(out, result->errors);
  TLSD_PUT(out, ",\"packets\":");
  put_int(out, (gint64) result->packets);
  TLSD_PUT(out, ",\"tcp_connections\":");
  put_int(out, (gint64) result->connections);
  TLSD_PUT(out, ",\"embedded_secret_blocks\":");
  put_int(out, result->embedded_secret_blocks);
  TLSD_PUT(out, ",\"keylog_entries\":");
  put_int(out, result->keylog_entries);
  TLSD_PUT(out, ",\"handshakes_total\":");
  put_int(out, result->handshakes->len);
  TLSD_PUT(out, ",\"handshakes\":[");
}

void
tlsd_report_json(GString *out, const TlsdResult *result, const char *file_name,
                 const GPtrArray *shown)
{
  tlsd_report_json_head(out, result, file_name);
  for (guint i = 0; i < shown->len; i++) {
    const TlsdHandshake *hs = g_ptr_array_index(shown, i);
    if (i > 0)
      tlsd_put_char(out, ',');
    /* The index is the position in the whole file, filtered or not. */
    tlsd_handshake_json(out, hs, hs->index);
  }
  TLSD_PUT(out, TLSD_REPORT_JSON_SIP_HEAD);
  for (guint i = 0; i < result->sip_flows->len; i++) {
    if (i > 0)
      tlsd_put_char(out, ',');
    tlsd_sip_flow_json(out, g_ptr_array_index(result->sip_flows, i), i + 1);
  }
  TLSD_PUT(out, TLSD_REPORT_JSON_TAIL);
}

void
tlsd_sip_flow_json(GString *out, const TlsdSipFlow *flow, guint index)
{
  TLSD_PUT(out, "{\"index\":");
  put_int(out, index);
  TLSD_PUT(out, ",\"transport\":");
  put_string(out, tlsd_sip_transport_name(flow->transport));
  TLSD_PUT(out, ",\"client\":");
  put_endpoint(out, flow->client_addr, flow->client_port);
  TLSD_PUT(out, ",\"server\":");
  put_endpoint(out, flow->server_addr, flow->server_port);
  TLSD_PUT(out, ",\"handshake\":");
  if (flow->handshake > 0)
    put_int(out, flow->handshake);
  else
    TLSD_PUT(out, "null");
  TLSD_PUT(out, ",\"stopped\":");
  put_string(out, flow->stopped);
  TLSD_PUT(out, ",\"messages\":[");
  for (guint i = 0; i < flow->lines->len; i++) {
    const TlsdSipLine *line = g_ptr_array_index(flow->lines, i);
    if (i > 0)
      tlsd_put_char(out, ',');
    TLSD_PUT(out, "{\"time\":");
    put_time(out, line->time_us);
    TLSD_PUT(out, ",\"from\":");
    put_string(out, tlsd_role_name(line->from));
    TLSD_PUT(out, ",\"line\":");
    put_string(out, line->start_line);
    TLSD_PUT(out, ",\"call_id\":");
    put_string(out, line->call_id);
    tlsd_put_char(out, '}');
  }
  TLSD_PUT(out, "]}");
}
