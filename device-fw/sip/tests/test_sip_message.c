/* Unit tests for SIP message checks and responses (sip_message). */
#include <string.h>

#include "sip_canned.h"
#include "sip_message.h"

static SipReason parse_text(const char *text, osip_message_t **out) {
  return sip_message_parse((const guint8 *)text, strlen(text), out);
}

/* Parses |text|, expects |reason|, frees everything. */
static void expect_reason(const char *text, SipReason reason) {
  osip_message_t *msg = NULL;
  SipReason got = parse_text(text, &msg);

  g_assert_cmpstr(sip_reason_name(got), ==, sip_reason_name(reason));
  if (msg != NULL) {
    osip_message_free(msg);
  }
}

static void expect_options_reason(const char *drop, const char *extra,
                                  SipReason reason) {
  char *text = sip_canned_options(drop, extra);
  expect_reason(text, reason);
  g_free(text);
}

static void test_valid(void) {
  osip_message_t *msg = NULL;
  char *text = sip_canned_options(NULL, NULL);

  g_assert_cmpint(parse_text(text, &msg), ==, SIP_REASON_NONE);
  g_assert_nonnull(msg);
  g_assert_cmpstr(msg->sip_method, ==, "OPTIONS");
  g_assert_cmpstr(msg->call_id->number, ==, "call-1");
  osip_message_free(msg);
  g_free(text);
  /* The largest CSeq allowed, and Max-Forwards 0 (for us, not to forward). */
  expect_options_reason("CSeq:", "CSeq: 2147483647 OPTIONS\r\n",
                        SIP_REASON_NONE);
  expect_options_reason("Max-Forwards:", "Max-Forwards: 0\r\n",
                        SIP_REASON_NONE);
}

static void test_missing_headers(void) {
  static const struct {
    const char *header;
    SipReason reason;
  } cases[] = {
      {"Via:", SIP_REASON_MISSING_VIA},
      {"From:", SIP_REASON_MISSING_FROM},
      {"To:", SIP_REASON_MISSING_TO},
      {"Call-ID:", SIP_REASON_MISSING_CALL_ID},
      {"CSeq:", SIP_REASON_MISSING_CSEQ},
      {"Max-Forwards:", SIP_REASON_MISSING_MAX_FORWARDS},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    expect_options_reason(cases[i].header, NULL, cases[i].reason);
  }
}

static void test_bad_headers(void) {
  expect_options_reason("CSeq:", "CSeq: 2147483648 OPTIONS\r\n",
                        SIP_REASON_BAD_CSEQ);
  expect_options_reason("CSeq:", "CSeq: 99999999999999999999999 OPTIONS\r\n",
                        SIP_REASON_BAD_CSEQ);
  expect_options_reason("CSeq:", "CSeq: -1 OPTIONS\r\n", SIP_REASON_BAD_CSEQ);
  expect_options_reason("CSeq:", "CSeq: 1 INVITE\r\n",
                        SIP_REASON_CSEQ_METHOD_MISMATCH);
  expect_options_reason("CSeq:", "CSeq: 1 options\r\n",
                        SIP_REASON_CSEQ_METHOD_MISMATCH);
  expect_options_reason("Max-Forwards:", "Max-Forwards: 256\r\n",
                        SIP_REASON_BAD_MAX_FORWARDS);
  expect_options_reason("Max-Forwards:", "Max-Forwards: seventy\r\n",
                        SIP_REASON_BAD_MAX_FORWARDS);
  expect_options_reason(NULL, "Max-Forwards: 69\r\n",
                        SIP_REASON_BAD_MAX_FORWARDS);
  expect_options_reason("Via:", "Via: SIP/3.0/UDP 10.0.0.1;branch=z9hG4bK-1\r\n",
                        SIP_REASON_BAD_VIA);
  expect_reason("OPTIONS sip:gw@127.0.0.1 SIP/3.0\r\n"
                "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-1\r\n"
                "From: <sip:a@b>;tag=1\r\nTo: <sip:gw@127.0.0.1>\r\n"
                "Call-ID: c\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n\r\n",
                SIP_REASON_BAD_VERSION);
  /* Headers libosip2 parses but prints in a form it cannot parse back
   * (found by fuzz_sip): a response would carry them. */
  expect_options_reason("To:", "To: <sip:gw@127.0.0.1Call-ID: >\r\n",
                        SIP_REASON_BAD_TO);
  expect_options_reason("From:", "From: <sip:a@b Call-ID: >;tag=1\r\n",
                        SIP_REASON_BAD_FROM);
  expect_reason("this is not SIP\r\n\r\n", SIP_REASON_UNPARSEABLE);
  expect_reason("", SIP_REASON_UNPARSEABLE);
}

/* Every Via of |resp| in order, printed. */
static char *vias_text(const osip_message_t *msg) {
  GString *s = g_string_new(NULL);

  for (int i = 0; i < osip_list_size(&msg->vias); i++) {
    char *via = NULL;
    osip_via_to_str(osip_list_get(&msg->vias, i), &via);
    g_string_append_printf(s, "%s\n", via);
    osip_free(via);
  }
  return g_string_free(s, FALSE);
}

static char *header_value(const osip_message_t *msg, const char *name) {
  osip_header_t *h = NULL;

  if (osip_message_header_get_byname(msg, name, 0, &h) < 0 || h == NULL) {
    return NULL;
  }
  return h->hvalue;
}

/* libosip2 splits Allow into one entry per method; joined again. */
static char *allowed_methods(const osip_message_t *msg) {
  GString *s = g_string_new(NULL);

  for (int i = 0; i < osip_list_size(&msg->allows); i++) {
    osip_allow_t *allow = osip_list_get(&msg->allows, i);
    g_string_append_printf(s, "%s%s", i > 0 ? ", " : "", allow->value);
  }
  return g_string_free(s, FALSE);
}

/* The response survives the wire: printed and parsed again, it passes the
 * checks. Takes |resp|; returns the parsed copy. */
static osip_message_t *reparse(osip_message_t *resp) {
  gsize len;
  char *bytes = sip_message_to_bytes(resp, &len);
  osip_message_t *again = NULL;

  g_assert_nonnull(bytes);
  g_assert_cmpint(sip_message_parse((const guint8 *)bytes, len, &again), ==,
                  SIP_REASON_NONE);
  g_free(bytes);
  osip_message_free(resp);
  return again;
}

static void test_options_ok(void) {
  char *text = sip_canned_options(
      NULL, "Via: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bK-proxy\r\n");
  osip_message_t *req = NULL;
  osip_message_t *resp;
  osip_generic_param_t *tag = NULL;
  char *req_vias;
  char *resp_vias;

  g_assert_cmpint(parse_text(text, &req), ==, SIP_REASON_NONE);
  sip_message_stamp_via(req, "127.0.0.1", 40000);
  resp = reparse(sip_response_options_ok(req, "gwtag"));

  g_assert_cmpint(resp->status_code, ==, 200);
  g_assert_cmpstr(resp->reason_phrase, ==, "OK");
  req_vias = vias_text(req);
  resp_vias = vias_text(resp);
  g_assert_cmpstr(resp_vias, ==, req_vias);
  g_assert_cmpint(osip_list_size(&resp->vias), ==, 2);
  g_assert_nonnull(strstr(resp_vias, "rport=40000"));
  g_assert_nonnull(strstr(resp_vias, "received=127.0.0.1"));
  g_assert_cmpint(osip_from_tag_match(req->from, resp->from), ==, 0);
  g_assert_cmpstr(resp->from->url->username, ==, "alice");
  g_assert_cmpint(osip_to_get_tag(resp->to, &tag), >=, 0);
  g_assert_cmpstr(tag->gvalue, ==, "gwtag");
  g_assert_cmpstr(resp->call_id->number, ==, req->call_id->number);
  g_assert_cmpstr(resp->call_id->host, ==, req->call_id->host);
  g_assert_cmpstr(resp->cseq->number, ==, "1");
  g_assert_cmpstr(resp->cseq->method, ==, "OPTIONS");
  char *allow = allowed_methods(resp);
  g_assert_cmpstr(allow, ==, SIP_ALLOW_METHODS);
  g_free(allow);
  g_assert_cmpstr(header_value(resp, "supported"), ==,
                  SIP_SUPPORTED_EXTENSIONS);
  g_assert_cmpint(osip_list_size(&resp->accepts), ==, 1);
  osip_accept_t *accept = osip_list_get(&resp->accepts, 0);
  g_assert_cmpstr(accept->type, ==, "application");
  g_assert_cmpstr(accept->subtype, ==, "sdp");
  g_assert_cmpstr(resp->content_length->value, ==, "0");
  g_free(req_vias);
  g_free(resp_vias);
  osip_message_free(resp);
  osip_message_free(req);
  g_free(text);
}

static void test_to_tag_kept(void) {
  /* A request inside a dialog already has a To tag: it is kept. */
  char *text = sip_canned_options("To:", "To: <sip:gw@127.0.0.1>;tag=old\r\n");
  osip_message_t *req = NULL;
  osip_message_t *resp;
  osip_generic_param_t *tag = NULL;

  g_assert_cmpint(parse_text(text, &req), ==, SIP_REASON_NONE);
  resp = sip_response_new(req, 200, NULL, "new");
  g_assert_cmpint(osip_to_get_tag(resp->to, &tag), >=, 0);
  g_assert_cmpstr(tag->gvalue, ==, "old");
  osip_message_free(resp);
  /* No tag on 100 Trying. */
  osip_message_free(req);
  g_free(text);
  text = sip_canned_options(NULL, NULL);
  g_assert_cmpint(parse_text(text, &req), ==, SIP_REASON_NONE);
  resp = sip_response_new(req, 100, NULL, "new");
  tag = NULL;
  g_assert_true(osip_to_get_tag(resp->to, &tag) < 0 || tag == NULL);
  osip_message_free(resp);
  osip_message_free(req);
  g_free(text);
}

static void test_refusal(void) {
  char *text = sip_canned_options("CSeq:", "CSeq: 1 INVITE\r\n");
  osip_message_t *req = NULL;
  osip_message_t *resp;
  SipReason reason = parse_text(text, &req);

  g_assert_cmpint(reason, ==, SIP_REASON_CSEQ_METHOD_MISMATCH);
  g_assert_nonnull(req);
  resp = reparse(sip_response_refusal(req, reason, "t1"));
  g_assert_cmpint(resp->status_code, ==, 400);
  g_assert_cmpstr(resp->reason_phrase, ==,
                  "CSeq Method Does Not Match Request");
  g_assert_cmpstr(header_value(resp, "warning"), ==,
                  "399 vgw \"CSeq Method Does Not Match Request\"");
  osip_message_free(resp);
  osip_message_free(req);
  g_free(text);

  /* Missing Call-ID: answered all the same, without one. */
  text = sip_canned_options("Call-ID:", NULL);
  g_assert_cmpint(parse_text(text, &req), ==, SIP_REASON_MISSING_CALL_ID);
  resp = sip_response_refusal(req, SIP_REASON_MISSING_CALL_ID, "t1");
  g_assert_cmpint(resp->status_code, ==, 400);
  g_assert_null(resp->call_id);
  g_assert_cmpstr(resp->reason_phrase, ==, "Missing Call-ID header");
  osip_message_free(resp);
  osip_message_free(req);
  g_free(text);
}

static void test_take_hop(void) {
  char *text = sip_canned_options("Max-Forwards:", "Max-Forwards: 1\r\n");
  osip_message_t *req = NULL;
  osip_message_t *resp;

  g_assert_cmpint(parse_text(text, &req), ==, SIP_REASON_NONE);
  g_assert_cmpint(sip_message_take_hop(req), ==, SIP_REASON_NONE);
  g_assert_cmpstr(header_value(req, "max-forwards"), ==, "0");
  g_assert_cmpint(sip_message_take_hop(req), ==, SIP_REASON_TOO_MANY_HOPS);
  resp = reparse(sip_response_refusal(req, SIP_REASON_TOO_MANY_HOPS, "t"));
  g_assert_cmpint(resp->status_code, ==, 483);
  osip_message_free(resp);
  osip_message_free(req);
  g_free(text);
}

static char *top_via_after_stamp(const char *via_line, const char *ip,
                                 guint16 port) {
  char *text = sip_canned_options("Via:", via_line);
  osip_message_t *req = NULL;
  char *via = NULL;
  char *out;

  g_assert_cmpint(parse_text(text, &req), ==, SIP_REASON_NONE);
  sip_message_stamp_via(req, ip, port);
  osip_via_to_str(osip_list_get(&req->vias, 0), &via);
  out = g_strdup(via);
  osip_free(via);
  osip_message_free(req);
  g_free(text);
  return out;
}

static void test_stamp_via(void) {
  char *via;

  via = top_via_after_stamp("Via: SIP/2.0/UDP 10.0.0.1:5070;rport;branch=z9hG4bK-1\r\n",
                            "10.0.2.2", 33333);
  g_assert_cmpstr(via, ==,
                  "SIP/2.0/UDP 10.0.0.1:5070;rport=33333;branch=z9hG4bK-1;"
                  "received=10.0.2.2");
  g_free(via);
  /* rport present: received even when the host matches (RFC 3581 §4). */
  via = top_via_after_stamp("Via: SIP/2.0/UDP 10.0.2.2:5070;rport;branch=z9hG4bK-1\r\n",
                            "10.0.2.2", 5070);
  g_assert_cmpstr(via, ==,
                  "SIP/2.0/UDP 10.0.2.2:5070;rport=5070;branch=z9hG4bK-1;"
                  "received=10.0.2.2");
  g_free(via);
  via = top_via_after_stamp("Via: SIP/2.0/UDP 10.0.2.2:5070;branch=z9hG4bK-1\r\n",
                            "10.0.2.2", 5070);
  g_assert_cmpstr(via, ==, "SIP/2.0/UDP 10.0.2.2:5070;branch=z9hG4bK-1");
  g_free(via);
  via = top_via_after_stamp("Via: SIP/2.0/UDP host.example;branch=z9hG4bK-1;received=1.1.1.1\r\n",
                            "10.0.2.2", 5060);
  g_assert_cmpstr(via, ==,
                  "SIP/2.0/UDP host.example;branch=z9hG4bK-1;received=10.0.2.2");
  g_free(via);
}

static void test_tag(void) {
  char *a = sip_tag_new();
  char *b = sip_tag_new();

  g_assert_cmpuint(strlen(a), ==, 16);
  g_assert_cmpstr(a, !=, b);
  g_free(a);
  g_free(b);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sip/message/valid", test_valid);
  g_test_add_func("/sip/message/missing-headers", test_missing_headers);
  g_test_add_func("/sip/message/bad-headers", test_bad_headers);
  g_test_add_func("/sip/message/options-ok", test_options_ok);
  g_test_add_func("/sip/message/to-tag", test_to_tag_kept);
  g_test_add_func("/sip/message/refusal", test_refusal);
  g_test_add_func("/sip/message/take-hop", test_take_hop);
  g_test_add_func("/sip/message/stamp-via", test_stamp_via);
  g_test_add_func("/sip/message/tag", test_tag);
  return g_test_run();
}
