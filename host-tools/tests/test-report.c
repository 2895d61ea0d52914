/* The JSON report of `vgw handshakes` (host-tools/tlsdissect/report_json.c)
 * is written by hand: its strings must come back as they went in through a
 * JSON parser, its times must be what GDateTime gives, and the report
 * written in pieces must be the report built whole. */
#include <json-glib/json-glib.h>
#include <string.h>

#include "analyzer.h"
#include "report.h"

/* What report times were before they were written by hand. */
static char *
gdatetime_text(gint64 time_us)
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
check_time(gint64 time_us)
{
  g_autofree char *want = gdatetime_text(time_us);
  g_autofree char *got = tlsd_format_time(time_us);

  if (g_strcmp0(want, got) != 0)
    g_error("time %" G_GINT64_FORMAT " us: want %s, got %s", time_us, want, got);
}

static void
test_times(void)
{
  static const gint64 seconds[] = {
    0, 1, 59, 3599, 86399, 86400, 68169600 /* 1972-02-29 */, 951782400 /* 2000-02-29 */,
    951868800, 1234567890, 1767225599, 4107542400 /* 2100-03-01 */, 4107456000,
    253402300799 /* 9999-12-31T23:59:59 */, 253402300800, 253402387200, 9223372036854,
    -1, -86400,
  };
  GRand *rand = g_rand_new_with_seed(5);

  for (gsize i = 0; i < G_N_ELEMENTS(seconds); i++) {
    check_time(seconds[i] * G_USEC_PER_SEC);
    check_time(seconds[i] * G_USEC_PER_SEC + 999999);
    check_time(seconds[i] * G_USEC_PER_SEC + 1);
  }
  check_time(G_MAXINT64);
  check_time(G_MAXINT64 / G_USEC_PER_SEC * G_USEC_PER_SEC);
  check_time(G_MININT64);
  for (int i = 0; i < 20000; i++)
    check_time((gint64) (g_rand_double(rand) * 253402300800.0 * G_USEC_PER_SEC));
  g_rand_free(rand);
}

/* Every ASCII character but NUL, then multi-byte UTF-8 (the analysis
 * hands the report valid UTF-8 only), between plain ones. */
static char *
all_bytes(void)
{
  GString *s = g_string_new("<");

  for (int c = 1; c < 128; c++)
    g_string_append_c(s, (char) c);
  g_string_append(s, "\u00e9\u20ac\U0001f600>");
  return g_string_free(s, FALSE);
}

static JsonNode *
parse(const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data(parser, text, -1, &error))
    g_error("the report does not parse: %s\n%s", error->message, text);
  return json_node_copy(json_parser_get_root(parser));
}

static void
test_strings(void)
{
  g_autoptr(TlsdHandshake) hs = tlsd_handshake_new();
  g_autoptr(GString) out = g_string_new(NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *bytes = all_bytes();
  JsonObject *obj, *sip;

  hs->client_addr = g_strdup("192.0.2.1");
  hs->server_addr = g_strdup("2001:db8::1");
  hs->sni = g_strdup(bytes);
  hs->sip_request = g_strdup("say \"hi\" \\ bye\r\n\t\b\f");
  g_ptr_array_add(hs->notes, g_strdup(bytes));
  tlsd_handshake_json(out, hs, 7);

  /* No control character appears raw (RFC 8259); the escapes are the
   * usual short ones. */
  for (gsize i = 0; i < out->len; i++)
    g_assert_cmpuint((guint8) out->str[i], >=, 0x20);
  g_assert_nonnull(strstr(out->str, "\"request\":\"say \\\"hi\\\" \\\\ bye\\r\\n\\t\\b\\f\""));
  g_assert_nonnull(strstr(out->str, "<\\u0001\\u0002"));
  g_assert_nonnull(strstr(out->str, "\\u001e\\u001f !\\\"#"));
  g_assert_nonnull(strstr(out->str, "~\\u007f\u00e9\u20ac\U0001f600>"));

  root = parse(out->str);
  obj = json_node_get_object(root);
  g_assert_cmpint(json_object_get_int_member(obj, "index"), ==, 7);
  g_assert_cmpstr(json_object_get_string_member(obj, "sni"), ==, bytes);
  g_assert_cmpstr(json_array_get_string_element(json_object_get_array_member(obj, "notes"), 0),
                  ==, bytes);
  sip = json_object_get_object_member(obj, "sip");
  g_assert_cmpstr(json_object_get_string_member(sip, "request"), ==, hs->sip_request);
  g_assert_true(json_object_get_null_member(sip, "response"));
  g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(obj, "server"),
                                                "address"), ==, "2001:db8::1");
}

static TlsdHandshake *
handshake(guint index, guint16 cipher, guint16 unknown_group)
{
  TlsdHandshake *hs = tlsd_handshake_new();
  guint16 versions[] = { 0x0304, 0x0303 };
  guint16 groups[] = { 29, unknown_group };
  TlsdAlert alert = { TLSD_SERVER, 2, 116, TRUE, 1700000000123456 };

  hs->index = index;
  hs->client_addr = g_strdup("127.0.0.1");
  hs->client_port = 40000;
  hs->server_addr = g_strdup("127.0.0.1");
  hs->server_port = 5061;
  hs->start_us = 1700000000000001;
  hs->client_hello_us = 1700000000000100;
  hs->have_client_hello = TRUE;
  hs->client_legacy_version = 0x0303;
  g_array_append_vals(hs->offered_versions, versions, G_N_ELEMENTS(versions));
  g_array_append_val(hs->offered_ciphers, cipher);
  g_array_append_vals(hs->offered_groups, groups, G_N_ELEMENTS(groups));
  hs->have_server_hello = TRUE;
  hs->version = 0x0304;
  hs->cipher = cipher;
  g_array_append_val(hs->alerts, alert);
  hs->outcome = TLSD_OUTCOME_REFUSED;
  hs->refused_by = TLSD_SERVER;
  hs->reason = g_strdup("the server sent certificate_required");
  return hs;
}

/* The report built whole and the report written in pieces are the same
 * text (plus a newline), and say what the handshakes hold. */
static void
test_report(void)
{
  g_autoptr(TlsdResult) result = g_new0(TlsdResult, 1);
  g_autoptr(GPtrArray) shown = g_ptr_array_new();
  g_autoptr(GString) whole = g_string_new(NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *written = NULL;
  gsize written_len = 0;
  FILE *f;
  JsonArray *list;
  JsonObject *second, *cipher, *group;

  result->format = TLSD_FORMAT_PCAPNG;
  result->packets = 12;
  result->connections = 3;
  result->complete = FALSE;
  result->errors = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(result->errors, g_strdup("after packet 12: truncated \"block\""));
  result->handshakes = g_ptr_array_new_with_free_func((GDestroyNotify) tlsd_handshake_free);
  result->sip_flows = g_ptr_array_new_with_free_func((GDestroyNotify) tlsd_sip_flow_free);
  for (guint i = 0; i < 2; i++) {
    TlsdSipFlow *flow = tlsd_sip_flow_new(TLSD_SIP_TLS, g_strdup("10.0.2.2"), 40000 + i,
                                          g_strdup("10.0.2.15"), 5061);
    TlsdSipLine *line = g_new0(TlsdSipLine, 1);
    line->time_us = 1700000000000100;
    line->from = TLSD_SERVER;
    line->start_line = g_strdup("SIP/2.0 200 \"OK\"");
    flow->handshake = i + 1;
    tlsd_sip_flow_add_line(flow, line);
    g_ptr_array_add(result->sip_flows, flow);
  }
  for (guint i = 1; i <= 300; i++)
    g_ptr_array_add(result->handshakes, handshake(i, i % 2 ? 0x1301 : 0xc02b, 0x7777));
  /* A filter showed every other one. */
  for (guint i = 1; i < result->handshakes->len; i += 2)
    g_ptr_array_add(shown, g_ptr_array_index(result->handshakes, i));

  tlsd_report_json(whole, result, "dir/file \"x\".pcapng", shown);
  f = open_memstream(&written, &written_len);
  g_assert_true(tlsd_report_write(f, TRUE, result, "dir/file \"x\".pcapng", shown));
  fclose(f);
  g_assert_cmpuint(written_len, ==, whole->len + 1);
  g_assert_true(memcmp(written, whole->str, whole->len) == 0);
  g_assert_cmpint(written[whole->len], ==, '\n');

  root = parse(whole->str);
  g_assert_cmpstr(json_object_get_string_member(json_node_get_object(root), "file"), ==,
                  "dir/file \"x\".pcapng");
  g_assert_false(json_object_get_boolean_member(json_node_get_object(root), "complete"));
  g_assert_cmpint(json_object_get_int_member(json_node_get_object(root), "handshakes_total"),
                  ==, 300);
  list = json_object_get_array_member(json_node_get_object(root), "sip_flows");
  g_assert_cmpuint(json_array_get_length(list), ==, 2);
  g_assert_cmpint(json_object_get_int_member(json_array_get_object_element(list, 1), "handshake"),
                  ==, 2);
  g_assert_cmpstr(json_object_get_string_member(
                      json_array_get_object_element(
                          json_object_get_array_member(json_array_get_object_element(list, 1),
                                                       "messages"), 0),
                      "line"),
                  ==, "SIP/2.0 200 \"OK\"");
  list = json_object_get_array_member(json_node_get_object(root), "handshakes");
  g_assert_cmpuint(json_array_get_length(list), ==, 150);
  second = json_array_get_object_element(list, 1);
  g_assert_cmpint(json_object_get_int_member(second, "index"), ==, 4);
  g_assert_cmpstr(json_object_get_string_member(second, "time"), ==,
                  "2023-11-14T22:13:20.000100Z");
  cipher = json_object_get_object_member(json_object_get_object_member(second, "chosen"),
                                         "cipher_suite");
  g_assert_cmpint(json_object_get_int_member(cipher, "value"), ==, 0xc02b);
  g_assert_cmpstr(json_object_get_string_member(cipher, "name"), ==,
                  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
  group = json_array_get_object_element(
      json_object_get_array_member(json_object_get_object_member(second, "offered"), "groups"), 1);
  g_assert_cmpint(json_object_get_int_member(group, "value"), ==, 0x7777);
  g_assert_true(json_object_get_null_member(group, "name"));
  g_assert_cmpstr(json_object_get_string_member(
                      json_object_get_object_member(
                          json_array_get_object_element(
                              json_object_get_array_member(second, "alerts"), 0),
                          "description"),
                      "name"),
                  ==, "certificate_required");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/report/times", test_times);
  g_test_add_func("/report/strings", test_strings);
  g_test_add_func("/report/whole-and-written", test_report);
  return g_test_run();
}
