/* The SIP lines of `vgw handshakes` (host-tools/tlsdissect/sip_lines.c):
 * message heads read from canned bytes, streams framed by Content-Length
 * however their bytes are cut, and a capture built here (raw IPv4, SIP over
 * UDP and TCP) whose report lists each message with time, direction and
 * Call-ID. */
#include <json-glib/json-glib.h>
#include <string.h>

#include "analyzer.h"
#include "report.h"
#include "sip_lines.h"

#define OPTIONS_HEAD                                              \
  "OPTIONS sip:gw.example SIP/2.0\r\n"                            \
  "Via: SIP/2.0/TCP 10.0.2.2:5060;branch=z9hG4bK1\r\n"            \
  "Subject: folded\r\n"                                           \
  " Call-ID: not-this-one\r\n"                                    \
  "i: opt-1@test\r\n"                                             \
  "CSeq: 1 OPTIONS\r\n"

#define OK_WITH_BODY                                              \
  "SIP/2.0 200 OK\r\n"                                            \
  "Call-ID: opt-1@test\r\n"                                       \
  "Content-Length: 5\r\n"                                         \
  "\r\n"                                                          \
  "v=0\r\n"

static const char options_msg[] = OPTIONS_HEAD "l: 0\r\n\r\n";

static void
test_head(void)
{
  TlsdSipHead head;
  static const guint8 tls_hello[] = { 0x16, 0x03, 0x01, 0x00, 0x80, 0x01 };
  static const char bad_version[] = "OPTIONS sip:gw SIP/3.0\r\n\r\n";

  g_assert_cmpint(tlsd_sip_parse_head((const guint8 *) options_msg, strlen(options_msg), FALSE,
                                      &head), ==, TLSD_SIP_HEAD_DONE);
  g_assert_cmpstr(head.start_line, ==, "OPTIONS sip:gw.example SIP/2.0");
  /* The compact form counts; a folded line is not a header of its own. */
  g_assert_cmpstr(head.call_id, ==, "opt-1@test");
  g_assert_true(head.have_length);
  g_assert_cmpuint(head.content_length, ==, 0);
  g_assert_cmpuint(head.head_len, ==, strlen(options_msg));
  g_free(head.start_line);
  g_free(head.call_id);

  /* Without its empty line a stream's head is not over; a datagram's is. */
  g_assert_cmpint(tlsd_sip_parse_head((const guint8 *) OPTIONS_HEAD, strlen(OPTIONS_HEAD), FALSE,
                                      &head), ==, TLSD_SIP_HEAD_PARTIAL);
  g_assert_null(head.start_line);
  g_assert_cmpint(tlsd_sip_parse_head((const guint8 *) OPTIONS_HEAD, strlen(OPTIONS_HEAD), TRUE,
                                      &head), ==, TLSD_SIP_HEAD_DONE);
  g_assert_false(head.have_length);
  g_free(head.start_line);
  g_free(head.call_id);

  g_assert_cmpint(tlsd_sip_parse_head(tls_hello, sizeof tls_hello, FALSE, &head), ==,
                  TLSD_SIP_HEAD_NOT_SIP);
  g_assert_cmpint(tlsd_sip_parse_head((const guint8 *) bad_version, strlen(bad_version), FALSE,
                                      &head), ==, TLSD_SIP_HEAD_NOT_SIP);
  g_assert_false(tlsd_sip_could_start(0x16));
  g_assert_true(tlsd_sip_could_start('\r'));
}

static void
test_datagram(void)
{
  static const char junk[] = "\x80\x00\x12\x34 RTP";
  static const char nul_line[] = "SIP/2.0 400 Bad\x01 Request\r\nCall-ID: x\r\n\r\n";
  TlsdSipLine *line = tlsd_sip_datagram((const guint8 *) OK_WITH_BODY, strlen(OK_WITH_BODY),
                                        TLSD_SERVER, 42);

  g_assert_nonnull(line);
  g_assert_cmpstr(line->start_line, ==, "SIP/2.0 200 OK");
  g_assert_cmpstr(line->call_id, ==, "opt-1@test");
  g_assert_cmpint(line->from, ==, TLSD_SERVER);
  g_assert_cmpint(line->time_us, ==, 42);
  tlsd_sip_line_free(line);
  g_assert_null(tlsd_sip_datagram((const guint8 *) junk, sizeof junk - 1, TLSD_CLIENT, 0));
  /* Control characters are not passed to a terminal. */
  line = tlsd_sip_datagram((const guint8 *) nul_line, strlen(nul_line), TLSD_SERVER, 0);
  g_assert_cmpstr(line->start_line, ==, "SIP/2.0 400 Bad? Request");
  tlsd_sip_line_free(line);
}

/* Feeds |text| to a new stream |step| bytes at a time (time = offset). */
static GPtrArray *
stream_lines(const char *text, gsize step, const char **stopped)
{
  g_autoptr(TlsdSipStream) s = tlsd_sip_stream_new(TLSD_CLIENT);
  GPtrArray *lines = g_ptr_array_new_with_free_func((GDestroyNotify) tlsd_sip_line_free);
  gsize len = strlen(text);

  for (gsize at = 0; at < len; at += step)
    tlsd_sip_stream_feed(s, (const guint8 *) text + at, MIN(step, len - at), (gint64) at, lines);
  *stopped = tlsd_sip_stream_stopped(s);
  return lines;
}

static void
test_stream(void)
{
  static const char stream[] = "\r\n\r\n" OK_WITH_BODY "\r\n\r\n" OK_WITH_BODY
                               "INVITE sip:1000@gw SIP/2.0\r\nContent-Length: 0\r\n"
                               "Call-ID: c2\r\n\r\n";
  static const gsize steps[] = { 1, 2, 7, 64, sizeof stream };
  static const char unframed[] = OPTIONS_HEAD "\r\nSIP/2.0 200 OK\r\n\r\n";

  for (gsize i = 0; i < G_N_ELEMENTS(steps); i++) {
    const char *stopped;
    g_autoptr(GPtrArray) lines = stream_lines(stream, steps[i], &stopped);
    TlsdSipLine *second, *third;

    g_test_message("fed %zu bytes at a time", steps[i]);
    g_assert_cmpuint(lines->len, ==, 3);
    second = g_ptr_array_index(lines, 1);
    third = g_ptr_array_index(lines, 2);
    g_assert_cmpstr(second->start_line, ==, "SIP/2.0 200 OK");
    g_assert_cmpstr(third->start_line, ==, "INVITE sip:1000@gw SIP/2.0");
    g_assert_cmpstr(third->call_id, ==, "c2");
    /* Each message has the time of the bytes its start line began in. */
    g_assert_cmpint(second->time_us, ==,
                    (gint64) ((4 + strlen(OK_WITH_BODY) + 4) / steps[i] * steps[i]));
    g_assert_null(stopped);
  }

  /* A message without Content-Length ends what a stream can be framed by. */
  {
    const char *stopped;
    g_autoptr(GPtrArray) lines = stream_lines(unframed, 5, &stopped);
    g_assert_cmpuint(lines->len, ==, 1);
    g_assert_cmpstr(stopped, ==, "a message without a usable Content-Length");
  }
}

/* -- a capture built here: raw IPv4 (LINKTYPE_RAW) -------------------- */

static void
put_be(GByteArray *b, guint64 v, int bytes)
{
  for (int i = bytes - 1; i >= 0; i--) {
    guint8 c = (guint8) (v >> (8 * i));
    g_byte_array_append(b, &c, 1);
  }
}

static void
put_le32(GByteArray *b, guint32 v)
{
  guint8 c[4] = { (guint8) v, (guint8) (v >> 8), (guint8) (v >> 16), (guint8) (v >> 24) };
  g_byte_array_append(b, c, 4);
}

#define HOST 0x0a000202u  /* 10.0.2.2 */
#define GW 0x0a00020fu    /* 10.0.2.15 */
#define T0 1700000000u

/* One IPv4 packet at second T0 + |usec| µs of the capture. */
static void
packet(GByteArray *pcap, guint32 usec, guint8 proto, guint32 src, guint16 sport, guint32 dst,
       guint16 dport, guint32 seq, guint8 flags, const char *payload)
{
  g_autoptr(GByteArray) ip = g_byte_array_new();
  gsize plen = payload != NULL ? strlen(payload) : 0;
  gsize l4 = proto == 17 ? 8 : 20;

  put_be(ip, 0x45, 1);
  put_be(ip, 0, 1);
  put_be(ip, 20 + l4 + plen, 2);
  put_be(ip, 0, 4);  /* id, flags */
  put_be(ip, 64, 1);
  put_be(ip, proto, 1);
  put_be(ip, 0, 2);
  put_be(ip, src, 4);
  put_be(ip, dst, 4);
  put_be(ip, sport, 2);
  put_be(ip, dport, 2);
  if (proto == 17) {
    put_be(ip, 8 + plen, 2);
    put_be(ip, 0, 2);
  } else {
    put_be(ip, seq, 4);
    put_be(ip, 0, 4);
    put_be(ip, 0x5000 | flags, 2);
    put_be(ip, 0xffff, 2);
    put_be(ip, 0, 4);
  }
  g_byte_array_append(ip, (const guint8 *) payload, (guint) plen);
  put_le32(pcap, T0);
  put_le32(pcap, usec);
  put_le32(pcap, ip->len);
  put_le32(pcap, ip->len);
  g_byte_array_append(pcap, ip->data, ip->len);
}

static const char invite[] = "INVITE sip:1000@10.0.2.15 SIP/2.0\r\nCall-ID: call-7\r\n"
                             "Content-Length: 4\r\n\r\nsdp!";
static const char ringing_ok[] = "SIP/2.0 100 Trying\r\nCall-ID: call-7\r\nContent-Length: 0\r\n\r\n"
                                 "SIP/2.0 200 OK\r\nCall-ID: call-7\r\nContent-Length: 0\r\n\r\n";
static const char bye[] = "BYE sip:1000@10.0.2.15 SIP/2.0\r\ni: call-7\r\nl: 0\r\n\r\n";

static GByteArray *
capture(void)
{
  GByteArray *pcap = g_byte_array_new();
  guint32 c = 1000, s = 5000;

  put_le32(pcap, 0xa1b2c3d4);
  put_be(pcap, 0x0200, 2);  /* version 2.4, little-endian */
  put_be(pcap, 0x0400, 2);
  put_le32(pcap, 0);
  put_le32(pcap, 0);
  put_le32(pcap, 65535);
  put_le32(pcap, 101);      /* LINKTYPE_RAW */

  /* UDP: OPTIONS and its 200, then RTP-like bytes that are not SIP. */
  packet(pcap, 10, 17, HOST, 40000, GW, 5060, 0, 0, options_msg);
  packet(pcap, 20, 17, GW, 5060, HOST, 40000, 0, 0, OK_WITH_BODY);
  packet(pcap, 25, 17, HOST, 40002, GW, 6000, 0, 0, "\x80\x00rtp");
  /* TCP: the host opens the connection; the gateway answers both
   * responses in one segment. */
  packet(pcap, 30, 6, HOST, 41000, GW, 5060, c++, 0x02, NULL);
  packet(pcap, 31, 6, GW, 5060, HOST, 41000, s++, 0x12, NULL);
  packet(pcap, 40, 6, HOST, 41000, GW, 5060, c, 0x18, invite);
  c += (guint32) strlen(invite);
  packet(pcap, 50, 6, GW, 5060, HOST, 41000, s, 0x18, ringing_ok);
  s += (guint32) strlen(ringing_ok);
  packet(pcap, 60, 6, HOST, 41000, GW, 5060, c, 0x18, bye);
  return pcap;
}

static void
check_line(const TlsdSipLine *line, guint32 usec, TlsdRole from, const char *text,
           const char *call_id)
{
  g_assert_cmpint(line->time_us, ==, (gint64) T0 * G_USEC_PER_SEC + usec);
  g_assert_cmpint(line->from, ==, from);
  g_assert_cmpstr(line->start_line, ==, text);
  g_assert_cmpstr(line->call_id, ==, call_id);
}

static void
test_capture(void)
{
  g_autoptr(GByteArray) pcap = capture();
  g_autoptr(GError) error = NULL;
  g_autoptr(TlsdResult) r = tlsd_analyze_memory(pcap->data, pcap->len, "canned", NULL, &error);
  g_autoptr(GPtrArray) shown = g_ptr_array_new();
  g_autoptr(GString) text = g_string_new(NULL);
  g_autoptr(GString) json = g_string_new(NULL);
  g_autoptr(JsonParser) parser = json_parser_new();
  const TlsdSipFlow *udp, *tcp;
  JsonArray *flows, *messages;
  JsonObject *flow, *msg;

  g_assert_no_error(error);
  g_assert_cmpuint(r->handshakes->len, ==, 0);
  g_assert_cmpuint(r->sip_flows->len, ==, 2);
  udp = g_ptr_array_index(r->sip_flows, 0);
  tcp = g_ptr_array_index(r->sip_flows, 1);

  g_assert_cmpint(udp->transport, ==, TLSD_SIP_UDP);
  g_assert_cmpstr(udp->client_addr, ==, "10.0.2.2");
  g_assert_cmpuint(udp->client_port, ==, 40000);
  g_assert_cmpstr(udp->server_addr, ==, "10.0.2.15");
  g_assert_cmpuint(udp->server_port, ==, 5060);
  g_assert_cmpuint(udp->lines->len, ==, 2);
  check_line(g_ptr_array_index(udp->lines, 0), 10, TLSD_CLIENT, "OPTIONS sip:gw.example SIP/2.0",
             "opt-1@test");
  check_line(g_ptr_array_index(udp->lines, 1), 20, TLSD_SERVER, "SIP/2.0 200 OK", "opt-1@test");

  g_assert_cmpint(tcp->transport, ==, TLSD_SIP_TCP);
  g_assert_cmpstr(tcp->client_addr, ==, "10.0.2.2");
  g_assert_cmpuint(tcp->client_port, ==, 41000);
  g_assert_cmpuint(tcp->lines->len, ==, 4);
  check_line(g_ptr_array_index(tcp->lines, 0), 40, TLSD_CLIENT,
             "INVITE sip:1000@10.0.2.15 SIP/2.0", "call-7");
  check_line(g_ptr_array_index(tcp->lines, 1), 50, TLSD_SERVER, "SIP/2.0 100 Trying", "call-7");
  check_line(g_ptr_array_index(tcp->lines, 2), 50, TLSD_SERVER, "SIP/2.0 200 OK", "call-7");
  check_line(g_ptr_array_index(tcp->lines, 3), 60, TLSD_CLIENT, "BYE sip:1000@10.0.2.15 SIP/2.0",
             "call-7");
  g_assert_null(tcp->stopped);

  tlsd_report_text(text, r, "canned", shown);
  g_assert_nonnull(strstr(text->str, "0 TLS handshakes, 2 SIP flows"));
  g_assert_nonnull(strstr(text->str, "SIP flow 2: tcp, client 10.0.2.2:41000, server 10.0.2.15:5060\n"
                                     "  2023-11-14T22:13:20.000040Z  client -> server  "
                                     "INVITE sip:1000@10.0.2.15 SIP/2.0  [Call-ID call-7]\n"));

  tlsd_report_json(json, r, "canned", shown);
  g_assert_true(json_parser_load_from_data(parser, json->str, -1, &error));
  g_assert_no_error(error);
  flows = json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)),
                                       "sip_flows");
  g_assert_cmpuint(json_array_get_length(flows), ==, 2);
  flow = json_array_get_object_element(flows, 0);
  g_assert_cmpstr(json_object_get_string_member(flow, "transport"), ==, "udp");
  g_assert_true(json_object_get_null_member(flow, "handshake"));
  messages = json_object_get_array_member(flow, "messages");
  g_assert_cmpuint(json_array_get_length(messages), ==, 2);
  msg = json_array_get_object_element(messages, 1);
  g_assert_cmpstr(json_object_get_string_member(msg, "time"), ==, "2023-11-14T22:13:20.000020Z");
  g_assert_cmpstr(json_object_get_string_member(msg, "from"), ==, "server");
  g_assert_cmpstr(json_object_get_string_member(msg, "line"), ==, "SIP/2.0 200 OK");
  g_assert_cmpstr(json_object_get_string_member(msg, "call_id"), ==, "opt-1@test");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sip-lines/head", test_head);
  g_test_add_func("/sip-lines/datagram", test_datagram);
  g_test_add_func("/sip-lines/stream", test_stream);
  g_test_add_func("/sip-lines/capture", test_capture);
  return g_test_run();
}
