/*
 * libFuzzer target for `vgw handshakes`' parser (host-tools/tlsdissect):
 * pcap/pcapng framing (libpcap and the secrets-block walker), link/IP/TCP
 * headers, TCP reassembly, TLS records, handshake messages, X.509 and
 * both reports.  Built by run-fuzz.sh with clang from the library sources.
 *
 * The first byte picks what the rest is:
 *   even: a whole capture file (seeds: real captures, one with embedded
 *         secrets, so decryption paths are reached);
 *   odd:  two TLS byte streams for one connection, client then server,
 *         cut where the second byte says, fed in small interleaved pieces
 *         so records and messages straddle deliveries.
 * Beyond no crash/leak/UB it checks what the analyzer promises for any
 * input (analyzer.h, handshake.h, docs/handshakes.md):
 *   - a result marked incomplete says why in |errors|, and each of its
 *     handshakes carries a note saying the file is damaged;
 *   - the counts nest: handshakes <= connections <= TCP packets <= packets,
 *     and handshakes are numbered 1..n in order;
 *   - every handshake is concluded: it has a reason, and it names who
 *     refused it exactly when its outcome is "refused";
 *   - the JSON report is valid JSON (so valid UTF-8) and says what the
 *     result holds: complete, packets, the number of handshakes;
 *   - the text report is valid UTF-8;
 *   - every SIP flow lists at least one message and at most
 *     TLSD_SIP_LINES_MAX, in time order, with printable start lines; the
 *     JSON lists every SIP flow.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "analyzer.h"
#include "report.h"
#include "tls_conn.h"

static void must(gboolean cond, const char *what) {
  if (!cond) {
    g_printerr("fuzz_handshakes: property violated: %s\n", what);
    abort();
  }
}

/* check_handshake asserts that |hs| was concluded consistently. */
static void check_handshake(const TlsdHandshake *hs) {
  must(hs->reason != NULL && g_utf8_validate(hs->reason, -1, NULL),
       "every handshake has a reason in UTF-8");
  must(hs->refused_by == -1 || hs->refused_by == TLSD_CLIENT || hs->refused_by == TLSD_SERVER,
       "refused_by is a role or -1");
  must((hs->outcome == TLSD_OUTCOME_REFUSED) == (hs->refused_by != -1),
       "a refused handshake names who refused it, and only a refused one does");
  must(hs->client_session_id_len <= sizeof(hs->client_session_id),
       "the session id fits its field");
}

/* parse_json parses |json|, which must be one JSON object, and returns it. */
static JsonObject *parse_json(JsonParser *parser, const GString *json) {
  GError *error = NULL;
  gboolean ok = json_parser_load_from_data(parser, json->str, (gssize) json->len, &error);

  if (!ok)
    g_printerr("fuzz_handshakes: %s\n", error->message);
  g_clear_error(&error);
  must(ok, "the JSON report parses");
  must(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)), "the JSON report is an object");
  return json_node_get_object(json_parser_get_root(parser));
}

static void check_result(TlsdResult *r) {
  g_autoptr(GString) json = g_string_new(NULL);
  g_autoptr(GString) text = g_string_new(NULL);
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *root;

  must(r->complete || r->errors->len > 0, "an incomplete result says why");
  must(r->tcp_packets <= r->packets && r->connections <= r->tcp_packets &&
       r->handshakes->len <= r->connections,
       "handshakes <= connections <= TCP packets <= packets");
  for (guint i = 0; i < r->handshakes->len; i++) {
    const TlsdHandshake *hs = g_ptr_array_index(r->handshakes, i);
    must(hs->index == i + 1, "handshakes are numbered 1..n in order");
    must(r->complete || hs->notes->len > 0, "a handshake of a damaged file carries a note");
    check_handshake(hs);
  }

  for (guint i = 0; i < r->sip_flows->len; i++) {
    const TlsdSipFlow *flow = g_ptr_array_index(r->sip_flows, i);
    must(flow->lines->len > 0 && flow->lines->len <= TLSD_SIP_LINES_MAX,
         "a SIP flow lists 1..TLSD_SIP_LINES_MAX messages");
    for (guint j = 0; j < flow->lines->len; j++) {
      const TlsdSipLine *line = g_ptr_array_index(flow->lines, j);
      must(g_utf8_validate(line->start_line, -1, NULL), "a SIP start line is UTF-8");
      for (const char *c = line->start_line; *c != '\0'; c++)
        must((guchar) *c >= 0x20 && *c != 0x7f, "a SIP start line has no control character");
      must(j == 0 || ((const TlsdSipLine *) g_ptr_array_index(flow->lines, j - 1))->time_us <=
                         line->time_us,
           "a SIP flow's messages are in time order");
    }
  }

  tlsd_report_json(json, r, "fuzz", r->handshakes);
  must(g_utf8_validate(json->str, (gssize) json->len, NULL), "the JSON report is UTF-8");
  root = parse_json(parser, json);
  must(json_object_has_member(root, "complete") &&
       json_object_get_boolean_member(root, "complete") == r->complete,
       "JSON complete is the result's");
  must(json_object_has_member(root, "packets") &&
       json_object_get_int_member(root, "packets") == (gint64) r->packets,
       "JSON packets is the result's");
  must(json_object_has_member(root, "handshakes_total") &&
       json_object_get_int_member(root, "handshakes_total") == r->handshakes->len,
       "JSON handshakes_total is the number of handshakes");
  must(json_object_has_member(root, "handshakes") &&
       json_array_get_length(json_object_get_array_member(root, "handshakes")) ==
           r->handshakes->len,
       "JSON lists every handshake");
  must(json_object_has_member(root, "sip_flows") &&
       json_array_get_length(json_object_get_array_member(root, "sip_flows")) ==
           r->sip_flows->len,
       "JSON lists every SIP flow");

  tlsd_report_text(text, r, "fuzz", r->handshakes);
  must(g_utf8_validate(text->str, (gssize) text->len, NULL), "the text report is UTF-8");
}

static void fuzz_capture(const uint8_t *data, size_t size) {
  g_autoptr(TlsdKeylog) keylog = tlsd_keylog_new();
  GError *error = NULL;
  TlsdResult *r = tlsd_analyze_memory(data, size, "fuzz", keylog, &error);
  if (r == NULL) {
    must(error != NULL && error->message[0] != '\0', "failure has a message");
    g_error_free(error);
    return;
  }
  check_result(r);
  tlsd_result_free(r);
}

static void fuzz_streams(const uint8_t *data, size_t size) {
  TlsdConn *conn = tlsd_conn_new(NULL);
  size_t cut = size > 0 ? (size_t)data[0] * size / 256 : 0;
  const uint8_t *streams[2] = { data + 1, data + 1 + cut };
  size_t lens[2] = { cut, size > cut + 1 ? size - cut - 1 : 0 };
  size_t off[2] = { 0, 0 };
  size_t step = 1;

  if (size < 1) {
    tlsd_conn_free(conn);
    return;
  }
  if (cut > size - 1) {
    lens[0] = size - 1;
    lens[1] = 0;
  }
  tlsd_conn_set_client_side(conn, 0);
  while (off[0] < lens[0] || off[1] < lens[1]) {
    for (int side = 0; side < 2; side++) {
      size_t n = MIN(step, lens[side] - off[side]);
      if (n > 0)
        tlsd_conn_data(conn, side, streams[side] + off[side], n, 1000000);
      off[side] += n;
    }
    step = step * 3 % 1031 + 1;
  }
  tlsd_conn_close(conn, 1, FALSE, 2000000);
  TlsdHandshake *hs = tlsd_conn_finish(conn);
  g_autoptr(GString) json = g_string_new(NULL);
  g_autoptr(JsonParser) parser = json_parser_new();
  check_handshake(hs);
  tlsd_handshake_json(json, hs, 1);
  must(g_utf8_validate(json->str, (gssize) json->len, NULL), "the handshake's JSON is UTF-8");
  must(json_object_get_int_member(parse_json(parser, json), "index") == 1,
       "the handshake's JSON parses and carries its number");
  tlsd_handshake_free(hs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  if (data[0] & 1)
    fuzz_streams(data + 1, size - 1);
  else
    fuzz_capture(data + 1, size - 1);
  return 0;
}
