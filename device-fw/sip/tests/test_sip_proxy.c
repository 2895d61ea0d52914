/* Unit tests for the proxy's message transforms (sip_proxy) with canned
 * messages: what goes out must parse again and carry the headers RFC 3261
 * §16 asks for. */
#include <string.h>

#include "sip_canned.h"
#include "sip_message.h"
#include "sip_proxy.h"

static const char *const own_hosts[] = {"10.0.2.15", "127.0.0.1", NULL};
static const SipProxyIdentity self = {own_hosts, {5060, 5060, 5061}};
static const SipProxyHop udp_hop = {SIP_TRANSPORT_UDP, "10.0.2.15", 5060};
static const SipProxyHop tcp_hop = {SIP_TRANSPORT_TCP, "10.0.2.15", 5060};

/* |msg| printed and parsed back, as the next hop sees it. */
static osip_message_t *on_the_wire(const osip_message_t *msg) {
  gsize len;
  char *bytes = sip_message_to_bytes(msg, &len);

  g_assert_nonnull(bytes);
  return sip_canned_parse(bytes);
}

static char *header_text(const osip_message_t *msg, const char *which,
                         int pos) {
  char *text = NULL;

  if (strcmp(which, "via") == 0) {
    osip_via_t *v = osip_list_get(&msg->vias, pos);
    if (v != NULL) {
      osip_via_to_str(v, &text);
    }
  } else if (strcmp(which, "route") == 0) {
    osip_route_t *r = osip_list_get(&msg->routes, pos);
    if (r != NULL) {
      osip_route_to_str(r, &text);
    }
  } else {
    osip_record_route_t *r = osip_list_get(&msg->record_routes, pos);
    if (r != NULL) {
      osip_record_route_to_str(r, &text);
    }
  }
  char *copy = g_strdup(text);
  osip_free(text);
  return copy;
}

static void assert_header(const osip_message_t *msg, const char *which,
                          int pos, const char *expected) {
  char *text = header_text(msg, which, pos);

  g_assert_cmpstr(text, ==, expected);
  g_free(text);
}

static char *uri_text(const osip_uri_t *uri) {
  char *text = NULL;

  osip_uri_to_str(uri, &text);
  char *copy = g_strdup(text);
  osip_free(text);
  return copy;
}

/* An INVITE to a registered user: new Request-URI, our Via on top with a
 * fresh branch and rport, Record-Route with lr, one hop fewer. */
static void test_forward_invite(void) {
  osip_message_t *req =
      sip_canned_parse(sip_canned_invite("sip:bob@127.0.0.1", "UDP", NULL));
  SipProxyForward how = {.target_uri = "sip:bob@192.0.2.2:5062;transport=tcp",
                         .record_route = TRUE};
  osip_message_t *fwd = NULL;

  g_assert_cmpint(sip_proxy_forward(req, &how, &tcp_hop, &self, &fwd), ==,
                  SIP_REASON_NONE);
  osip_message_t *wire = on_the_wire(fwd);
  char *ruri = uri_text(wire->req_uri);
  g_assert_cmpstr(ruri, ==, "sip:bob@192.0.2.2:5062;transport=tcp");
  g_free(ruri);
  g_assert_cmpint(osip_list_size(&wire->vias), ==, 2);
  const char *branch = sip_proxy_top_branch(wire);
  g_assert_true(g_str_has_prefix(branch, "z9hG4bK"));
  g_assert_cmpstr(branch, !=, "z9hG4bK-i1");
  char *via = g_strdup_printf("SIP/2.0/TCP 10.0.2.15:5060;branch=%s;rport",
                              branch);
  assert_header(wire, "via", 0, via);
  g_free(via);
  assert_header(wire, "via", 1,
                "SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-i1;rport");
  assert_header(wire, "record-route", 0,
                "<sip:10.0.2.15:5060;transport=tcp;lr>");
  osip_header_t *mf = NULL;
  osip_message_get_max_forwards(wire, 0, &mf);
  g_assert_cmpstr(mf->hvalue, ==, "69");
  /* The original is untouched. */
  g_assert_cmpint(osip_list_size(&req->vias), ==, 1);
  osip_message_get_max_forwards(req, 0, &mf);
  g_assert_cmpstr(mf->hvalue, ==, "70");

  /* Two forwards of one request: two branches. */
  osip_message_t *again = NULL;
  g_assert_cmpint(sip_proxy_forward(req, &how, &tcp_hop, &self, &again), ==,
                  SIP_REASON_NONE);
  g_assert_cmpstr(sip_proxy_top_branch(again), !=, branch);
  osip_message_free(again);
  osip_message_free(wire);
  osip_message_free(fwd);
  osip_message_free(req);
}

/* A BYE in the dialog: the Route naming us (any of our hosts, our port)
 * goes, the next one stays, the Request-URI is kept, no Record-Route. */
static void test_forward_in_dialog(void) {
  osip_message_t *req = sip_canned_parse(sip_canned_request(
      "BYE", "UDP", NULL,
      "Route: <sip:10.0.2.15:5060;lr>, <sip:proxy.example.test;lr>\r\n"));
  SipProxyForward how = {0};
  osip_message_t *fwd = NULL;

  g_assert_cmpint(sip_proxy_forward(req, &how, &udp_hop, &self, &fwd), ==,
                  SIP_REASON_NONE);
  osip_message_t *wire = on_the_wire(fwd);
  char *ruri = uri_text(wire->req_uri);
  g_assert_cmpstr(ruri, ==, "sip:gw@127.0.0.1");
  g_free(ruri);
  g_assert_cmpint(osip_list_size(&wire->routes), ==, 1);
  assert_header(wire, "route", 0, "<sip:proxy.example.test;lr>");
  g_assert_cmpint(osip_list_size(&wire->record_routes), ==, 0);
  osip_message_free(wire);
  osip_message_free(fwd);
  osip_message_free(req);

  /* A Route to another port of ours, or another host, is not ours. */
  req = sip_canned_parse(sip_canned_request(
      "BYE", "UDP", NULL, "Route: <sip:10.0.2.15:5080;lr>\r\n"));
  g_assert_cmpint(sip_proxy_forward(req, &how, &udp_hop, &self, &fwd), ==,
                  SIP_REASON_NONE);
  g_assert_cmpint(osip_list_size(&fwd->routes), ==, 1);
  osip_message_free(fwd);
  osip_message_free(req);
}

static void test_own_uri(void) {
  static const char *const cases[][2] = {
      {"sip:10.0.2.15;lr", "own"},          {"sip:127.0.0.1:5060", "own"},
      {"sips:10.0.2.15:5061;lr", "own"},    {"sips:10.0.2.15;lr", "own"},
      {"sip:10.0.2.15:5061;lr", "own"},     {"sip:10.0.2.16;lr", "other"},
      {"sip:10.0.2.15:5062;lr", "other"},   {"sip:10.0.2.15:x;lr", "other"},
      {"sip:bob@192.0.2.1", "other"},
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    osip_uri_t *uri = NULL;
    osip_uri_init(&uri);
    g_assert_cmpint(osip_uri_parse(uri, cases[i][0]), ==, 0);
    g_assert_cmpstr(sip_proxy_uri_is_own(&self, uri) ? "own" : "other", ==,
                    cases[i][1]);
    osip_uri_free(uri);
  }
  SipProxyHop tls = {SIP_TRANSPORT_TLS, "10.0.2.15", 5061};
  char *text = sip_proxy_hop_uri(&tls);
  g_assert_cmpstr(text, ==, "<sips:10.0.2.15:5061;lr>");
  g_free(text);
  text = sip_proxy_hop_uri(&udp_hop);
  g_assert_cmpstr(text, ==, "<sip:10.0.2.15:5060;lr>");
  g_free(text);
}

/* A request that changes transport at the gateway is record-routed twice
 * (RFC 5658): the departure hop on top, the arrival hop under it; the one
 * coming back with both as Routes loses both. The same transport: one. */
static void test_double_record_route(void) {
  osip_message_t *req =
      sip_canned_parse(sip_canned_invite("sip:bob@127.0.0.1", "UDP", NULL));
  SipProxyForward how = {.target_uri = "sip:bob@192.0.2.2;transport=tcp",
                         .record_route = TRUE,
                         .arrival = &udp_hop};
  osip_message_t *fwd = NULL;

  g_assert_cmpint(sip_proxy_forward(req, &how, &tcp_hop, &self, &fwd), ==,
                  SIP_REASON_NONE);
  osip_message_t *wire = on_the_wire(fwd);
  g_assert_cmpint(osip_list_size(&wire->record_routes), ==, 2);
  assert_header(wire, "record-route", 0,
                "<sip:10.0.2.15:5060;transport=tcp;lr>");
  assert_header(wire, "record-route", 1, "<sip:10.0.2.15:5060;lr>");
  osip_message_free(wire);
  osip_message_free(fwd);

  how.arrival = &tcp_hop;
  g_assert_cmpint(sip_proxy_forward(req, &how, &tcp_hop, &self, &fwd), ==,
                  SIP_REASON_NONE);
  g_assert_cmpint(osip_list_size(&fwd->record_routes), ==, 1);
  osip_message_free(fwd);
  osip_message_free(req);

  req = sip_canned_parse(sip_canned_request(
      "BYE", "TCP", NULL,
      "Route: <sip:10.0.2.15:5060;transport=tcp;lr>, "
      "<sip:10.0.2.15:5060;lr>, <sip:p.test;lr>\r\n"));
  SipProxyForward in_dialog = {0};
  g_assert_cmpint(
      sip_proxy_forward(req, &in_dialog, &udp_hop, &self, &fwd), ==,
      SIP_REASON_NONE);
  g_assert_cmpint(osip_list_size(&fwd->routes), ==, 1);
  assert_header(fwd, "route", 0, "<sip:p.test;lr>");
  osip_message_free(fwd);
  osip_message_free(req);
}

/* Max-Forwards 0: 483, nothing to send; a bad target is refused. */
static void test_forward_refused(void) {
  osip_message_t *req = sip_canned_parse(sip_canned_request(
      "INVITE", "UDP", "Max-Forwards:", "Max-Forwards: 0\r\n"));
  SipProxyForward how = {.target_uri = "sip:bob@192.0.2.2",
                         .record_route = TRUE};
  osip_message_t *fwd = NULL;

  g_assert_cmpint(sip_proxy_forward(req, &how, &udp_hop, &self, &fwd), ==,
                  SIP_REASON_TOO_MANY_HOPS);
  g_assert_null(fwd);
  osip_message_free(req);

  req = sip_canned_parse(sip_canned_invite("sip:bob@127.0.0.1", "UDP", NULL));
  how.target_uri = "not a uri";
  g_assert_cmpint(sip_proxy_forward(req, &how, &udp_hop, &self, &fwd), ==,
                  SIP_REASON_UNPARSEABLE);
  g_assert_null(fwd);
  osip_message_free(req);
}

/* A response relayed upstream loses our Via, and only that; one for the
 * gateway itself (one Via) is not relayed. */
static void test_response(void) {
  osip_message_t *req =
      sip_canned_parse(sip_canned_invite("sip:bob@127.0.0.1", "UDP", NULL));
  SipProxyForward how = {.target_uri = "sip:bob@192.0.2.2",
                         .record_route = TRUE};
  osip_message_t *fwd = NULL;

  g_assert_cmpint(sip_proxy_forward(req, &how, &udp_hop, &self, &fwd), ==,
                  SIP_REASON_NONE);
  osip_message_t *ringing = sip_response_new(fwd, 180, NULL, "b1");
  osip_message_t *up = sip_proxy_response(ringing);
  g_assert_nonnull(up);
  osip_message_t *wire = on_the_wire(up);
  g_assert_cmpint(wire->status_code, ==, 180);
  g_assert_cmpint(osip_list_size(&wire->vias), ==, 1);
  assert_header(wire, "via", 0,
                "SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-i1;rport");
  g_assert_null(sip_proxy_response(wire));
  osip_message_free(wire);
  osip_message_free(up);
  osip_message_free(ringing);
  osip_message_free(fwd);
  osip_message_free(req);
}

/* The CANCEL of a forwarded INVITE matches its client transaction: same
 * Request-URI, branch, Call-ID, From, To, CSeq number. */
static void test_cancel(void) {
  osip_message_t *req = sip_canned_parse(sip_canned_invite(
      "sip:bob@127.0.0.1", "UDP", "Route: <sip:10.0.2.15;lr>, <sip:p.test;lr>\r\n"));
  SipProxyForward how = {.target_uri = "sip:bob@192.0.2.2",
                         .record_route = TRUE};
  osip_message_t *fwd = NULL;

  g_assert_cmpint(sip_proxy_forward(req, &how, &udp_hop, &self, &fwd), ==,
                  SIP_REASON_NONE);
  osip_message_t *cancel = sip_proxy_cancel(fwd);
  g_assert_nonnull(cancel);
  osip_message_t *wire = on_the_wire(cancel);
  g_assert_cmpstr(wire->sip_method, ==, "CANCEL");
  g_assert_cmpstr(wire->cseq->method, ==, "CANCEL");
  g_assert_cmpstr(wire->cseq->number, ==, "1");
  g_assert_cmpstr(sip_proxy_top_branch(wire), ==, sip_proxy_top_branch(fwd));
  g_assert_cmpint(osip_list_size(&wire->vias), ==, 1);
  char *ruri = uri_text(wire->req_uri);
  g_assert_cmpstr(ruri, ==, "sip:bob@192.0.2.2");
  g_free(ruri);
  g_assert_cmpstr(wire->call_id->number, ==, "call-1");
  g_assert_cmpint(osip_list_size(&wire->routes), ==, 1);
  assert_header(wire, "route", 0, "<sip:p.test;lr>");
  g_assert_cmpint(sip_message_validate(wire), ==, SIP_REASON_NONE);
  osip_message_free(wire);
  osip_message_free(cancel);
  osip_message_free(fwd);
  osip_message_free(req);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  sip_message_library_init();
  g_test_add_func("/sip-proxy/forward-invite", test_forward_invite);
  g_test_add_func("/sip-proxy/forward-in-dialog", test_forward_in_dialog);
  g_test_add_func("/sip-proxy/own-uri", test_own_uri);
  g_test_add_func("/sip-proxy/double-record-route", test_double_record_route);
  g_test_add_func("/sip-proxy/forward-refused", test_forward_refused);
  g_test_add_func("/sip-proxy/response", test_response);
  g_test_add_func("/sip-proxy/cancel", test_cancel);
  return g_test_run();
}
