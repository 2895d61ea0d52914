/* Unit tests for the routing rules (sip_route) with canned INVITEs and a
 * registrar holding canned REGISTERs. */
#include <string.h>

#include "sip_canned.h"
#include "sip_route.h"

static const char *const own_hosts[] = {"10.0.2.15", "127.0.0.1", NULL};

typedef struct {
  SipRegistrar *registrar;
  SipRoutePolicy policy;
} Fixture;

static void register_contact(Fixture *f, const char *aor, SipTransport transport,
                 guint64 connection, const char *contact) {
  SipPeer from = {.transport = transport, .address = "10.0.0.9",
                  .port = 5099, .connection = connection};
  char *line = g_strdup_printf("Contact: <%s>\r\n", contact);
  osip_message_t *req =
      sip_canned_parse(sip_canned_register(aor, contact, 1, line));
  SipRegisterResult result;
  osip_message_t *resp =
      sip_registrar_register(f->registrar, req, &from, NULL, "t", &result);

  g_assert_cmpint(result, ==, SIP_REGISTER_OK);
  osip_message_free(resp);
  osip_message_free(req);
  g_free(line);
}

static void setup(Fixture *f, gconstpointer unused) {
  f->registrar = sip_registrar_new(NULL, NULL, NULL);
  f->policy = (SipRoutePolicy){
      .test_call_number = "1000",
      .enable_sips = TRUE,
      .own_hosts = own_hosts,
  };
  register_contact(f, "sip:bob@example.test", SIP_TRANSPORT_UDP, 0,
       "sip:bob@192.0.2.2:5062");
  register_contact(f, "sips:carol@127.0.0.1:5061", SIP_TRANSPORT_TLS, 4,
       "sips:carol@192.0.2.3:5063");
  register_contact(f, "sip:dave@127.0.0.1:5060", SIP_TRANSPORT_TCP, 9,
       "sip:dave@192.0.2.4:5064;transport=tcp");
}

static void teardown(Fixture *f, gconstpointer unused) {
  sip_registrar_free(f->registrar);
}

static void decide(Fixture *f, const char *uri, SipRouteSource source,
                   SipRouteDecision *out) {
  osip_message_t *req =
      sip_canned_parse(sip_canned_invite(uri, "UDP", NULL));

  sip_route_decide(req, f->registrar, source, &f->policy, out);
  osip_message_free(req);
}

static void assert_refused(const SipRouteDecision *d, guint status,
                           guint warn_code) {
  g_assert_cmpstr(sip_route_target_name(d->target), ==, "refused");
  g_assert_cmpuint(d->status, ==, status);
  g_assert_cmpuint(d->warn_code, ==, warn_code);
  g_assert_nonnull(d->text);
}

/* Rule 1 comes first, even over a binding of the same user. */
static void test_test_extension(Fixture *f, gconstpointer unused) {
  SipRouteDecision d;

  register_contact(f, "sip:1000@127.0.0.1", SIP_TRANSPORT_UDP, 0, "sip:1000@192.0.2.9");
  decide(f, "sip:1000@127.0.0.1:5060", SIP_ROUTE_FROM_USER, &d);
  g_assert_cmpstr(sip_route_target_name(d.target), ==, "test-extension");
  decide(f, "sip:1000@127.0.0.1", SIP_ROUTE_FROM_PROXY, &d);
  g_assert_cmpstr(sip_route_target_name(d.target), ==, "test-extension");
  f->policy.test_call_number = "";
  decide(f, "sip:1000@127.0.0.1", SIP_ROUTE_FROM_USER, &d);
  g_assert_cmpstr(sip_route_target_name(d.target), ==, "registered");
  g_assert_cmpstr(d.binding.contact, ==, "sip:1000@192.0.2.9");
}

/* Rule 2: user and host, the AOR's port not compared; the user alone when
 * the host is the gateway's. */
static void test_registered(Fixture *f, gconstpointer unused) {
  SipRouteDecision d;

  decide(f, "sip:bob@EXAMPLE.test:5070;user=phone", SIP_ROUTE_FROM_USER, &d);
  g_assert_cmpstr(sip_route_target_name(d.target), ==, "registered");
  g_assert_cmpstr(d.binding.contact, ==, "sip:bob@192.0.2.2:5062");
  g_assert_cmpint(d.binding.transport, ==, SIP_TRANSPORT_UDP);
  g_assert_cmpstr(d.binding.source_address, ==, "10.0.0.9");
  g_assert_cmpuint(d.binding.source_port, ==, 5099);
  g_assert_false(d.sips);

  decide(f, "sip:bob@10.0.2.15", SIP_ROUTE_FROM_PROXY, &d);
  g_assert_cmpstr(d.binding.aor, ==, "sip:bob@example.test");

  decide(f, "sip:dave@127.0.0.1:5999", SIP_ROUTE_FROM_USER, &d);
  g_assert_cmpstr(sip_route_target_name(d.target), ==, "registered");
  g_assert_cmpuint(d.binding.connection, ==, 9);
  g_assert_cmpint(d.binding.transport, ==, SIP_TRANSPORT_TCP);

  /* Another host that is not ours: bob is not there. */
  decide(f, "sip:bob@elsewhere.test", SIP_ROUTE_FROM_USER, &d);
  assert_refused(&d, 404, 399);
  /* Users are case-sensitive (RFC 3261 §19.1.4). */
  decide(f, "sip:Bob@example.test", SIP_ROUTE_FROM_USER, &d);
  assert_refused(&d, 404, 399);
}

/* sips: is kept when EnableSIPS is on and the binding came over TLS; one
 * that can only go over TCP or UDP gets 480 with Warning 380; with
 * EnableSIPS off, or another scheme, 416. */
static void test_sips(Fixture *f, gconstpointer unused) {
  SipRouteDecision d;

  decide(f, "sips:carol@127.0.0.1", SIP_ROUTE_FROM_USER, &d);
  g_assert_cmpstr(sip_route_target_name(d.target), ==, "registered");
  g_assert_true(d.sips);
  g_assert_cmpuint(d.binding.connection, ==, 4);

  decide(f, "sips:dave@127.0.0.1", SIP_ROUTE_FROM_USER, &d);
  assert_refused(&d, 480, 380);
  g_assert_cmpstr(d.text, ==, "SIPS Not Allowed");

  /* A sip: request to a TLS binding goes, and is no sips: one. */
  decide(f, "sip:carol@127.0.0.1", SIP_ROUTE_FROM_USER, &d);
  g_assert_cmpstr(sip_route_target_name(d.target), ==, "registered");
  g_assert_false(d.sips);

  f->policy.enable_sips = FALSE;
  decide(f, "sips:carol@127.0.0.1", SIP_ROUTE_FROM_USER, &d);
  assert_refused(&d, 416, 399);
  decide(f, "tel:+15551234", SIP_ROUTE_FROM_USER, &d);
  assert_refused(&d, 416, 399);
}

/* Rule 3: a Proxy Set takes what no user does, from users only; a sips:
 * request to a proxy reached over TCP is refused once the address is
 * picked. */
static void test_proxy_set(Fixture *f, gconstpointer unused) {
  SipRouteDecision d;

  decide(f, "sip:erin@example.test", SIP_ROUTE_FROM_USER, &d);
  assert_refused(&d, 404, 399);

  f->policy.server_proxy_set = "ITSP";
  decide(f, "sip:erin@example.test", SIP_ROUTE_FROM_USER, &d);
  g_assert_cmpstr(sip_route_target_name(d.target), ==, "proxy-set");
  g_assert_cmpstr(d.proxy_set, ==, "ITSP");
  g_assert_false(sip_route_refuse_insecure(&d, SIP_TRANSPORT_TCP));
  g_assert_cmpstr(sip_route_target_name(d.target), ==, "proxy-set");

  decide(f, "sip:bob@example.test", SIP_ROUTE_FROM_USER, &d);
  g_assert_cmpstr(sip_route_target_name(d.target), ==, "registered");

  decide(f, "sip:erin@example.test", SIP_ROUTE_FROM_PROXY, &d);
  assert_refused(&d, 404, 399);

  decide(f, "sips:erin@example.test", SIP_ROUTE_FROM_USER, &d);
  g_assert_cmpstr(sip_route_target_name(d.target), ==, "proxy-set");
  g_assert_false(sip_route_refuse_insecure(&d, SIP_TRANSPORT_TLS));
  g_assert_true(sip_route_refuse_insecure(&d, SIP_TRANSPORT_TCP));
  assert_refused(&d, 480, 380);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
  ADD("/sip-route/test-extension", test_test_extension);
  ADD("/sip-route/registered", test_registered);
  ADD("/sip-route/sips", test_sips);
  ADD("/sip-route/proxy-set", test_proxy_set);
#undef ADD
  return g_test_run();
}
