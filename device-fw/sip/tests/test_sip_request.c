/* Unit tests for out-of-dialog requests (sip_request). */
#include <string.h>

#include "sip_message.h"
#include "sip_request.h"

static SipRequestSpec options_spec(void) {
  SipRequestSpec spec = {
      .method = "OPTIONS",
      .request_uri = "sip:proxy.example.com:5070;transport=tcp",
      .from = "<sip:vgw@10.0.2.15>",
      .to = "<sip:proxy.example.com>",
      .transport = SIP_TRANSPORT_TCP,
      .sent_by_host = "10.0.2.15",
      .sent_by_port = 5060,
  };
  return spec;
}

/* Prints |msg| and parses it back as the peer would, checked. */
static osip_message_t *over_the_wire(const osip_message_t *msg) {
  gsize len = 0;
  g_autofree char *bytes = sip_message_to_bytes(msg, &len);
  osip_message_t *back = NULL;

  g_assert_nonnull(bytes);
  g_assert_cmpstr(sip_reason_name(sip_message_parse((const guint8 *)bytes,
                                                    len, &back)),
                  ==, "none");
  return back;
}

static void test_options(void) {
  SipRequestSpec spec = options_spec();
  g_autoptr(GError) error = NULL;
  osip_message_t *msg;
  osip_message_t *back;
  osip_via_t *via;
  osip_generic_param_t *param = NULL;
  osip_header_t *max_forwards = NULL;
  osip_header_t *user_agent = NULL;

  spec.contact = "<sip:vgw@10.0.2.15:5060;transport=tcp>";
  spec.user_agent = "vgw/1";
  spec.cseq = 7;
  msg = sip_request_new(&spec, &error);
  g_assert_no_error(error);
  back = over_the_wire(msg);

  g_assert_true(MSG_IS_REQUEST(back));
  g_assert_cmpstr(back->sip_method, ==, "OPTIONS");
  g_assert_cmpstr(back->req_uri->host, ==, "proxy.example.com");
  g_assert_cmpstr(back->req_uri->port, ==, "5070");
  via = osip_list_get(&back->vias, 0);
  g_assert_cmpstr(via->protocol, ==, "TCP");
  g_assert_cmpstr(via->host, ==, "10.0.2.15");
  g_assert_cmpstr(via->port, ==, "5060");
  g_assert_cmpint(osip_via_param_get_byname(via, "rport", &param), >=, 0);
  g_assert_cmpint(osip_via_param_get_byname(via, "alias", &param), <, 0);
  g_assert_cmpint(osip_list_size(&back->vias), ==, 1);
  g_assert_true(g_str_has_prefix(sip_request_branch(back), "z9hG4bK"));
  g_assert_cmpuint(strlen(sip_request_branch(back)), >, 7 + 8);
  g_assert_cmpint(osip_message_get_max_forwards(back, 0, &max_forwards), >=,
                  0);
  g_assert_cmpstr(max_forwards->hvalue, ==, "70");
  g_assert_cmpint(osip_from_get_tag(back->from, &param), ==, OSIP_SUCCESS);
  g_assert_cmpuint(strlen(param->gvalue), >=, 8);
  g_assert_cmpint(osip_to_get_tag(back->to, &param), <, 0);
  g_assert_cmpstr(back->to->url->host, ==, "proxy.example.com");
  g_assert_nonnull(back->call_id->number);
  g_assert_cmpstr(back->cseq->number, ==, "7");
  g_assert_cmpstr(back->cseq->method, ==, "OPTIONS");
  g_assert_cmpint(osip_list_size(&back->contacts), ==, 1);
  g_assert_cmpint(osip_message_get_user_agent(back, 0, &user_agent), >=, 0);
  g_assert_cmpstr(user_agent->hvalue, ==, "vgw/1");
  osip_message_free(back);
  osip_message_free(msg);
}

static void test_defaults_and_alias(void) {
  SipRequestSpec spec = options_spec();
  g_autoptr(GError) error = NULL;
  osip_message_t *msg;
  osip_via_t *via;
  osip_generic_param_t *param = NULL;
  osip_header_t *header = NULL;

  spec.alias = TRUE;
  spec.from_tag = "given-tag";
  spec.call_id = "given-call@10.0.2.15";
  msg = sip_request_new(&spec, &error);
  g_assert_no_error(error);
  via = osip_list_get(&msg->vias, 0);
  g_assert_cmpint(osip_via_param_get_byname(via, "alias", &param), >=, 0);
  g_assert_cmpint(osip_from_get_tag(msg->from, &param), ==, OSIP_SUCCESS);
  g_assert_cmpstr(param->gvalue, ==, "given-tag");
  g_assert_cmpstr(msg->call_id->number, ==, "given-call");
  g_assert_cmpstr(msg->call_id->host, ==, "10.0.2.15");
  g_assert_cmpstr(msg->cseq->number, ==, "1");
  g_assert_cmpint(osip_list_size(&msg->contacts), ==, 0);
  g_assert_cmpint(osip_message_get_user_agent(msg, 0, &header), <, 0);
  osip_message_free(msg);

  /* UDP: no alias even when asked (RFC 5923 is for connections). */
  spec.transport = SIP_TRANSPORT_UDP;
  msg = sip_request_new(&spec, &error);
  g_assert_no_error(error);
  via = osip_list_get(&msg->vias, 0);
  g_assert_cmpstr(via->protocol, ==, "UDP");
  g_assert_cmpint(osip_via_param_get_byname(via, "alias", &param), <, 0);
  osip_message_free(msg);
}

static void test_ipv6_sent_by(void) {
  SipRequestSpec spec = options_spec();
  g_autoptr(GError) error = NULL;
  osip_message_t *msg;
  osip_via_t *via;

  spec.sent_by_host = "fd00::15";
  msg = sip_request_new(&spec, &error);
  g_assert_no_error(error);
  via = osip_list_get(&msg->vias, 0);
  g_assert_cmpstr(via->host, ==, "fd00::15");
  osip_message_free(over_the_wire(msg));
  osip_message_free(msg);
}

/* Every request gets its own branch, Call-ID and tag. */
static void test_fresh_ids(void) {
  SipRequestSpec spec = options_spec();
  g_autoptr(GHashTable) seen =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 200; i++) {
    g_autoptr(GError) error = NULL;
    osip_message_t *msg = sip_request_new(&spec, &error);
    osip_generic_param_t *tag = NULL;

    g_assert_no_error(error);
    g_assert_true(g_hash_table_add(seen, g_strdup(sip_request_branch(msg))));
    g_assert_true(
        g_hash_table_add(seen, g_strdup(msg->call_id->number)));
    osip_from_get_tag(msg->from, &tag);
    g_assert_true(g_hash_table_add(seen, g_strdup(tag->gvalue)));
    osip_message_free(msg);
  }
  g_assert_cmpuint(g_hash_table_size(seen), ==, 600);
}

static void expect_error(SipRequestSpec spec, int code, const char *needle) {
  g_autoptr(GError) error = NULL;

  g_assert_null(sip_request_new(&spec, &error));
  g_assert_error(error, SIP_REQUEST_ERROR, code);
  g_assert_nonnull(strstr(error->message, needle));
}

static void test_refusals(void) {
  SipRequestSpec spec;

  spec = options_spec();
  spec.method = "OPT IONS";
  expect_error(spec, SIP_REQUEST_ERROR_FIELD, "method");
  spec = options_spec();
  spec.method = NULL;
  expect_error(spec, SIP_REQUEST_ERROR_FIELD, "method");
  spec = options_spec();
  spec.to = "<sip:a@b>\r\nX-Injected: 1";
  expect_error(spec, SIP_REQUEST_ERROR_FIELD, "to");
  spec = options_spec();
  spec.user_agent = "vgw\n";
  expect_error(spec, SIP_REQUEST_ERROR_FIELD, "user-agent");
  spec = options_spec();
  spec.from = NULL;
  expect_error(spec, SIP_REQUEST_ERROR_FIELD, "from");
  spec = options_spec();
  spec.sent_by_port = 0;
  expect_error(spec, SIP_REQUEST_ERROR_FIELD, "sent-by");
  spec = options_spec();
  spec.sent_by_host = "10.0.2.15;branch=x";
  expect_error(spec, SIP_REQUEST_ERROR_FIELD, "sent-by");
  spec = options_spec();
  spec.cseq = 0x80000000u;
  expect_error(spec, SIP_REQUEST_ERROR_FIELD, "cseq");
  spec = options_spec();
  spec.request_uri = "not a uri";
  expect_error(spec, SIP_REQUEST_ERROR_INVALID, "unparseable");
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sip-request/options", test_options);
  g_test_add_func("/sip-request/defaults-and-alias", test_defaults_and_alias);
  g_test_add_func("/sip-request/ipv6-sent-by", test_ipv6_sent_by);
  g_test_add_func("/sip-request/fresh-ids", test_fresh_ids);
  g_test_add_func("/sip-request/refusals", test_refusals);
  return g_test_run();
}
