#include "report.h"

#include "tls_names.h"

char *
tlsd_format_time(gint64 time_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(time_us / G_USEC_PER_SEC);

  if (dt == NULL || time_us < 0)
    return g_strdup("(time out of range)");
  return g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", g_date_time_get_year(dt),
                         g_date_time_get_month(dt), g_date_time_get_day_of_month(dt),
                         g_date_time_get_hour(dt), g_date_time_get_minute(dt),
                         g_date_time_get_second(dt), (int) (time_us % G_USEC_PER_SEC));
}

static void
add_time(JsonBuilder *b, const char *member, gint64 time_us)
{
  g_autofree char *text = tlsd_format_time(time_us);

  json_builder_set_member_name(b, member);
  json_builder_add_string_value(b, text);
}

static void
add_string_or_null(JsonBuilder *b, const char *member, const char *value)
{
  json_builder_set_member_name(b, member);
  if (value != NULL)
    json_builder_add_string_value(b, value);
  else
    json_builder_add_null_value(b);
}

/* { "value": 4865, "name": "TLS_AES_128_GCM_SHA256" } (name null if unknown) */
static void
add_code(JsonBuilder *b, guint16 value, const char *(*namer)(guint16))
{
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "value");
  json_builder_add_int_value(b, value);
  add_string_or_null(b, "name", namer(value));
  json_builder_end_object(b);
}

static void
add_code_or_null(JsonBuilder *b, const char *member, guint16 value,
                 const char *(*namer)(guint16))
{
  json_builder_set_member_name(b, member);
  if (value == 0)
    json_builder_add_null_value(b);
  else
    add_code(b, value, namer);
}

static void
add_code_list(JsonBuilder *b, const char *member, const GArray *values,
              const char *(*namer)(guint16))
{
  json_builder_set_member_name(b, member);
  json_builder_begin_array(b);
  for (guint i = 0; i < values->len; i++)
    add_code(b, g_array_index(values, guint16, i), namer);
  json_builder_end_array(b);
}

static void
add_strv(JsonBuilder *b, const char *member, char **values)
{
  json_builder_set_member_name(b, member);
  json_builder_begin_array(b);
  for (char **v = values; v != NULL && *v != NULL; v++)
    json_builder_add_string_value(b, *v);
  json_builder_end_array(b);
}

static void
add_tristate(JsonBuilder *b, const char *member, TlsdTristate v)
{
  json_builder_set_member_name(b, member);
  if (v == TLSD_UNKNOWN)
    json_builder_add_null_value(b);
  else
    json_builder_add_boolean_value(b, v == TLSD_YES);
}

static void
add_endpoint(JsonBuilder *b, const char *member, const char *addr, guint16 port)
{
  json_builder_set_member_name(b, member);
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "address");
  json_builder_add_string_value(b, addr);
  json_builder_set_member_name(b, "port");
  json_builder_add_int_value(b, port);
  json_builder_end_object(b);
}

static void
add_cert(JsonBuilder *b, const TlsdCert *c, gint64 at_us)
{
  json_builder_begin_object(b);
  add_string_or_null(b, "error", c->error);
  add_string_or_null(b, "subject", c->subject);
  add_string_or_null(b, "issuer", c->issuer);
  add_string_or_null(b, "serial", c->serial);
  if (c->error == NULL) {
    add_time(b, "not_before", c->not_before * G_USEC_PER_SEC);
    add_time(b, "not_after", c->not_after * G_USEC_PER_SEC);
  } else {
    add_string_or_null(b, "not_before", NULL);
    add_string_or_null(b, "not_after", NULL);
  }
  json_builder_set_member_name(b, "san");
  json_builder_begin_object(b);
  add_strv(b, "dns", c->san_dns);
  add_strv(b, "ip", c->san_ip);
  add_strv(b, "uri", c->san_uri);
  add_strv(b, "email", c->san_email);
  json_builder_end_object(b);
  json_builder_set_member_name(b, "key");
  json_builder_begin_object(b);
  add_string_or_null(b, "type", c->key_type);
  json_builder_set_member_name(b, "bits");
  if (c->key_bits > 0)
    json_builder_add_int_value(b, c->key_bits);
  else
    json_builder_add_null_value(b);
  add_string_or_null(b, "curve", c->key_curve);
  json_builder_end_object(b);
  add_string_or_null(b, "signature_algorithm", c->signature_algorithm);
  json_builder_set_member_name(b, "valid_at_handshake");
  if (c->error == NULL)
    json_builder_add_boolean_value(b, tlsd_cert_valid_at(c, at_us));
  else
    json_builder_add_null_value(b);
  json_builder_set_member_name(b, "self_signed");
  json_builder_add_boolean_value(b, c->self_signed);
  add_string_or_null(b, "sha256", c->sha256);
  json_builder_end_object(b);
}

static void
add_certs(JsonBuilder *b, const char *member, const GPtrArray *certs, gint64 at_us)
{
  json_builder_set_member_name(b, member);
  json_builder_begin_array(b);
  for (guint i = 0; i < certs->len; i++)
    add_cert(b, g_ptr_array_index(certs, i), at_us);
  json_builder_end_array(b);
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

static const char *
alert_name16(guint16 v)
{
  return tlsd_alert_name((guint8) v);
}

JsonNode *
tlsd_handshake_json(const TlsdHandshake *hs, guint index)
{
  g_autoptr(JsonBuilder) b = json_builder_new();

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "index");
  json_builder_add_int_value(b, index);
  add_time(b, "time", hs->client_hello_us != 0 ? hs->client_hello_us : hs->start_us);
  add_time(b, "connection_time", hs->start_us);
  add_endpoint(b, "client", hs->client_addr, hs->client_port);
  add_endpoint(b, "server", hs->server_addr, hs->server_port);
  add_string_or_null(b, "sni", hs->sni);

  json_builder_set_member_name(b, "offered");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "client_hello_seen");
  json_builder_add_boolean_value(b, hs->have_client_hello);
  add_code_or_null(b, "legacy_version", hs->client_legacy_version, tlsd_version_name);
  add_code_list(b, "versions", hs->offered_versions, tlsd_version_name);
  add_code_list(b, "cipher_suites", hs->offered_ciphers, tlsd_cipher_name);
  add_code_list(b, "groups", hs->offered_groups, tlsd_group_name);
  add_code_list(b, "key_share_groups", hs->key_share_groups, tlsd_group_name);
  add_code_list(b, "signature_algorithms", hs->offered_sigalgs, tlsd_sigalg_name);
  json_builder_set_member_name(b, "alpn");
  json_builder_begin_array(b);
  for (guint i = 0; i < hs->offered_alpn->len; i++)
    json_builder_add_string_value(b, g_ptr_array_index(hs->offered_alpn, i));
  json_builder_end_array(b);
  json_builder_end_object(b);

  json_builder_set_member_name(b, "chosen");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "server_hello_seen");
  json_builder_add_boolean_value(b, hs->have_server_hello);
  add_code_or_null(b, "version", hs->have_server_hello ? hs->version : 0, tlsd_version_name);
  json_builder_set_member_name(b, "cipher_suite");
  if (hs->have_server_hello)
    add_code(b, hs->cipher, tlsd_cipher_name);
  else
    json_builder_add_null_value(b);
  add_code_or_null(b, "group", hs->group, tlsd_group_name);
  add_string_or_null(b, "alpn", hs->alpn);
  json_builder_set_member_name(b, "hello_retry_request");
  json_builder_add_boolean_value(b, hs->hello_retry_request);
  json_builder_set_member_name(b, "resumed");
  json_builder_add_boolean_value(b, hs->resumed);
  json_builder_end_object(b);

  json_builder_set_member_name(b, "client_auth");
  json_builder_begin_object(b);
  add_tristate(b, "requested", hs->cert_requested);
  add_tristate(b, "client_sent_certificate", hs->client_sent_cert);
  add_tristate(b, "client_sent_certificate_verify", hs->client_cert_verify);
  json_builder_end_object(b);

  add_certs(b, "server_certificates", hs->server_certs, hs->start_us);
  add_certs(b, "client_certificates", hs->client_certs, hs->start_us);

  json_builder_set_member_name(b, "alerts");
  json_builder_begin_array(b);
  for (guint i = 0; i < hs->alerts->len; i++) {
    const TlsdAlert *a = &g_array_index(hs->alerts, TlsdAlert, i);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "from");
    json_builder_add_string_value(b, tlsd_role_name(a->from));
    json_builder_set_member_name(b, "level");
    json_builder_add_string_value(b, alert_level_name(a->level));
    json_builder_set_member_name(b, "description");
    add_code(b, a->description, alert_name16);
    add_string_or_null(b, "meaning", tlsd_alert_meaning(a->description));
    json_builder_set_member_name(b, "encrypted");
    json_builder_add_boolean_value(b, a->encrypted);
    add_time(b, "time", a->time_us);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);

  json_builder_set_member_name(b, "decryption");
  json_builder_add_string_value(b, decryption_name(hs->decryption));

  json_builder_set_member_name(b, "outcome");
  json_builder_begin_object(b);
  json_builder_set_member_name(b, "result");
  json_builder_add_string_value(b, outcome_name(hs->outcome));
  add_string_or_null(b, "by", hs->refused_by >= 0 ? tlsd_role_name(hs->refused_by) : NULL);
  add_string_or_null(b, "reason", hs->reason);
  json_builder_end_object(b);

  json_builder_set_member_name(b, "sip");
  json_builder_begin_object(b);
  add_string_or_null(b, "request", hs->sip_request);
  add_string_or_null(b, "response", hs->sip_response);
  json_builder_set_member_name(b, "encrypted_unread");
  json_builder_add_boolean_value(b, hs->sip_unreadable);
  json_builder_end_object(b);

  json_builder_set_member_name(b, "partial");
  json_builder_add_boolean_value(b, hs->partial);
  json_builder_set_member_name(b, "notes");
  json_builder_begin_array(b);
  for (guint i = 0; i < hs->notes->len; i++)
    json_builder_add_string_value(b, g_ptr_array_index(hs->notes, i));
  json_builder_end_array(b);
  json_builder_end_object(b);
  return json_builder_get_root(b);
}

static const char *
format_name(TlsdFileFormat f)
{
  return f == TLSD_FORMAT_PCAP ? "pcap" : f == TLSD_FORMAT_PCAPNG ? "pcapng" : "unknown";
}

JsonNode *
tlsd_report_json(const TlsdResult *result, const char *file_name, const GPtrArray *shown)
{
  g_autoptr(JsonBuilder) b = json_builder_new();

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "schema");
  json_builder_add_int_value(b, TLSD_JSON_SCHEMA);
  json_builder_set_member_name(b, "file");
  json_builder_add_string_value(b, file_name);
  json_builder_set_member_name(b, "format");
  json_builder_add_string_value(b, format_name(result->format));
  json_builder_set_member_name(b, "complete");
  json_builder_add_boolean_value(b, result->complete);
  json_builder_set_member_name(b, "errors");
  json_builder_begin_array(b);
  for (guint i = 0; i < result->errors->len; i++)
    json_builder_add_string_value(b, g_ptr_array_index(result->errors, i));
  json_builder_end_array(b);
  json_builder_set_member_name(b, "packets");
  json_builder_add_int_value(b, (gint64) result->packets);
  json_builder_set_member_name(b, "tcp_connections");
  json_builder_add_int_value(b, (gint64) result->connections);
  json_builder_set_member_name(b, "embedded_secret_blocks");
  json_builder_add_int_value(b, result->embedded_secret_blocks);
  json_builder_set_member_name(b, "keylog_entries");
  json_builder_add_int_value(b, result->keylog_entries);
  json_builder_set_member_name(b, "handshakes_total");
  json_builder_add_int_value(b, result->handshakes->len);
  json_builder_set_member_name(b, "handshakes");
  json_builder_begin_array(b);
  for (guint i = 0; i < shown->len; i++) {
    const TlsdHandshake *hs = g_ptr_array_index(shown, i);
    /* The index is the position in the whole file, filtered or not. */
    json_builder_add_value(b, tlsd_handshake_json(hs, hs->index));
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  return json_builder_get_root(b);
}
