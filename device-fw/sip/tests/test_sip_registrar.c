/* Unit tests for the registrar (sip_registrar) with canned REGISTERs and
 * a clock the test moves. */
#include <string.h>

#include "sip_canned.h"
#include "sip_message.h"
#include "sip_registrar.h"

typedef struct {
  gint64 now;
  SipRegistrar *registrar;
  SipPeer peer;
} Fixture;

static gint64 fake_clock(gpointer data) {
  return ((Fixture *)data)->now;
}

static void setup(Fixture *f, gconstpointer limits) {
  f->now = 1000;
  f->registrar = sip_registrar_new(limits, fake_clock, f);
  f->peer = (SipPeer){SIP_TRANSPORT_UDP, "10.0.0.1", 5070, 0, 0};
}

static void teardown(Fixture *f, gconstpointer unused) {
  sip_registrar_free(f->registrar);
}

/* Sends the REGISTER and checks the result; returns the response. */
static osip_message_t *do_register(Fixture *f, const char *aor,
                                   const char *call_id, guint cseq,
                                   const char *extra,
                                   SipRegisterResult expected) {
  osip_message_t *req =
      sip_canned_parse(sip_canned_register(aor, call_id, cseq, extra));
  SipRegisterResult result = SIP_REGISTER_RESULT_COUNT;
  osip_message_t *resp =
      sip_registrar_register(f->registrar, req, &f->peer, NULL, "tag1",
                             &result);

  g_assert_cmpstr(sip_register_result_name(result), ==,
                  sip_register_result_name(expected));
  g_assert_nonnull(resp);
  g_assert_cmpint(resp->status_code, ==, sip_register_result_status(expected));
  osip_message_free(req);
  return resp;
}

static void expect(Fixture *f, const char *aor, const char *call_id,
                   guint cseq, const char *extra, SipRegisterResult expected) {
  osip_message_free(do_register(f, aor, call_id, cseq, extra, expected));
}

/* The Contact fields of |resp|, "uri;expires=N" joined by " | ". */
static char *contacts_of(const osip_message_t *resp) {
  GString *s = g_string_new(NULL);
  osip_contact_t *c;

  for (int i = 0; osip_message_get_contact(resp, i, &c) >= 0; i++) {
    char *text = NULL;
    g_assert_cmpint(osip_contact_to_str(c, &text), ==, 0);
    g_string_append_printf(s, "%s%s", i ? " | " : "", text);
    osip_free(text);
  }
  return g_string_free(s, FALSE);
}

static void binding_line(const SipBinding *b, gpointer data) {
  g_string_append_printf(data, "%s %s %u %s %s:%u|", b->aor, b->contact,
                         b->expires, sip_transport_name(b->transport),
                         b->source_address, b->source_port);
}

/* Every live binding, one "aor contact expires transport addr:port|" each. */
static char *bindings_of(Fixture *f) {
  GString *s = g_string_new(NULL);
  sip_registrar_foreach(f->registrar, binding_line, s);
  return g_string_free(s, FALSE);
}

static void assert_bindings(Fixture *f, const char *want) {
  char *got = bindings_of(f);
  g_assert_cmpstr(got, ==, want);
  g_free(got);
}

static void test_register_and_expire(Fixture *f, gconstpointer unused) {
  osip_message_t *resp =
      do_register(f, "sip:alice@Example.TEST;user=phone", "c1", 1,
                  "Contact: <sip:alice@10.0.0.1:5070>\r\nExpires: 120\r\n",
                  SIP_REGISTER_OK);
  char *contacts = contacts_of(resp);

  g_assert_cmpstr(contacts, ==, "<sip:alice@10.0.0.1:5070>;expires=120");
  g_free(contacts);
  osip_message_free(resp);
  assert_bindings(
      f, "sip:alice@example.test sip:alice@10.0.0.1:5070 120 udp 10.0.0.1:5070|");
  f->now += 119;
  assert_bindings(
      f, "sip:alice@example.test sip:alice@10.0.0.1:5070 1 udp 10.0.0.1:5070|");
  g_assert_cmpuint(sip_registrar_stats(f->registrar)->bindings, ==, 1);
  f->now += 1;
  assert_bindings(f, "");
  g_assert_cmpuint(sip_registrar_stats(f->registrar)->aors, ==, 0);
  g_assert_cmpuint(sip_registrar_stats(f->registrar)->results[SIP_REGISTER_OK],
                   ==, 1);
}

static void test_expires_sources(Fixture *f, gconstpointer unused) {
  /* The contact's parameter beats the header; no expires: the default;
   * too long: cut to the maximum. */
  expect(f, "sip:bob@example.test", "c1", 1,
         "Contact: <sip:bob@10.0.0.2>;expires=300, <sip:bob@10.0.0.3>\r\n"
         "Expires: 600\r\n",
         SIP_REGISTER_OK);
  expect(f, "sip:carol@example.test", "c2", 1,
         "Contact: <sip:carol@10.0.0.4>\r\n", SIP_REGISTER_OK);
  expect(f, "sip:dave@example.test", "c3", 1,
         "Contact: <sip:dave@10.0.0.5>;expires=99999999999\r\n",
         SIP_REGISTER_OK);
  assert_bindings(f, "sip:bob@example.test sip:bob@10.0.0.2 300 udp 10.0.0.1:5070|"
                     "sip:bob@example.test sip:bob@10.0.0.3 600 udp 10.0.0.1:5070|"
                     "sip:carol@example.test sip:carol@10.0.0.4 3600 udp 10.0.0.1:5070|"
                     "sip:dave@example.test sip:dave@10.0.0.5 7200 udp 10.0.0.1:5070|");
}

static void test_several_contacts_and_removal(Fixture *f,
                                              gconstpointer unused) {
  expect(f, "sip:bob@example.test", "c1", 1,
         "Contact: <sip:bob@10.0.0.2>, <sip:bob@10.0.0.3>\r\nExpires: 600\r\n",
         SIP_REGISTER_OK);
  /* A second phone from another Call-ID adds a third contact; the 200
   * lists all three, each with its time left. */
  f->now += 100;
  f->peer = (SipPeer){SIP_TRANSPORT_TCP, "10.0.0.9", 40000, 7, 0};
  osip_message_t *resp = do_register(f, "sip:bob@example.test", "other", 1,
                                     "Contact: <sip:bob@10.0.0.9;transport=tcp>\r\n"
                                     "Expires: 300\r\n",
                                     SIP_REGISTER_OK);
  char *contacts = contacts_of(resp);
  g_assert_cmpstr(contacts, ==,
                  "<sip:bob@10.0.0.2>;expires=500 | <sip:bob@10.0.0.3>;expires=500 | "
                  "<sip:bob@10.0.0.9;transport=tcp>;expires=300");
  g_free(contacts);
  osip_message_free(resp);

  /* expires=0 removes that one contact only. */
  f->peer.transport = SIP_TRANSPORT_UDP;
  expect(f, "sip:bob@example.test", "c1", 2,
         "Contact: <sip:bob@10.0.0.3>;expires=0\r\n", SIP_REGISTER_OK);
  assert_bindings(f, "sip:bob@example.test sip:bob@10.0.0.2 500 udp 10.0.0.1:5070|"
                     "sip:bob@example.test sip:bob@10.0.0.9;transport=tcp 300 tcp 10.0.0.9:40000|");

  /* No Contact: a query, nothing changes. */
  resp = do_register(f, "sip:bob@example.test", "c1", 3, "", SIP_REGISTER_OK);
  contacts = contacts_of(resp);
  g_assert_cmpstr(contacts, ==,
                  "<sip:bob@10.0.0.2>;expires=500 | "
                  "<sip:bob@10.0.0.9;transport=tcp>;expires=300");
  g_free(contacts);
  osip_message_free(resp);

  /* Contact: * with Expires: 0 removes them all; the 200 lists none. */
  resp = do_register(f, "sip:bob@example.test", "c1", 4,
                     "Contact: *\r\nExpires: 0\r\n", SIP_REGISTER_OK);
  contacts = contacts_of(resp);
  g_assert_cmpstr(contacts, ==, "");
  g_free(contacts);
  osip_message_free(resp);
  assert_bindings(f, "");
}

static void test_refresh_order(Fixture *f, gconstpointer unused) {
  expect(f, "sip:eve@example.test", "c1", 5,
         "Contact: <sip:eve@10.0.0.6>\r\nExpires: 100\r\n", SIP_REGISTER_OK);
  /* Same Call-ID, CSeq not higher: refused, the binding unchanged. */
  expect(f, "sip:eve@example.test", "c1", 5,
         "Contact: <sip:eve@10.0.0.6>\r\nExpires: 900\r\n",
         SIP_REGISTER_OUT_OF_ORDER);
  expect(f, "sip:eve@example.test", "c1", 4,
         "Contact: *\r\nExpires: 0\r\n", SIP_REGISTER_OUT_OF_ORDER);
  assert_bindings(f, "sip:eve@example.test sip:eve@10.0.0.6 100 udp 10.0.0.1:5070|");
  /* A higher CSeq refreshes it; another Call-ID may too, with any CSeq. */
  f->now += 50;
  expect(f, "sip:eve@example.test", "c1", 6,
         "Contact: <sip:eve@10.0.0.6>\r\nExpires: 900\r\n", SIP_REGISTER_OK);
  assert_bindings(f, "sip:eve@example.test sip:eve@10.0.0.6 900 udp 10.0.0.1:5070|");
  expect(f, "sip:eve@example.test", "new", 1,
         "Contact: <sip:eve@10.0.0.6>\r\nExpires: 200\r\n", SIP_REGISTER_OK);
  assert_bindings(f, "sip:eve@example.test sip:eve@10.0.0.6 200 udp 10.0.0.1:5070|");
}

static void test_too_brief(Fixture *f, gconstpointer unused) {
  osip_message_t *resp =
      do_register(f, "sip:frank@example.test", "c1", 1,
                  "Contact: <sip:frank@10.0.0.7>, <sip:frank@10.0.0.8>;expires=59\r\n",
                  SIP_REGISTER_INTERVAL_TOO_BRIEF);
  osip_header_t *min = NULL;

  g_assert_cmpint(osip_message_header_get_byname(resp, "min-expires", 0, &min),
                  >=, 0);
  g_assert_cmpstr(min->hvalue, ==, "60");
  g_assert_cmpstr(resp->reason_phrase, ==, "Interval Too Brief");
  osip_message_free(resp);
  /* The whole request was refused: not even the first contact is bound. */
  assert_bindings(f, "");
  /* The minimum itself is fine. */
  expect(f, "sip:frank@example.test", "c1", 2,
         "Contact: <sip:frank@10.0.0.7>;expires=60\r\n", SIP_REGISTER_OK);
  g_assert_cmpuint(sip_registrar_stats(f->registrar)
                       ->results[SIP_REGISTER_INTERVAL_TOO_BRIEF],
                   ==, 1);
}

static void test_malformed(Fixture *f, gconstpointer unused) {
  expect(f, "sip:g@example.test", "c1", 1,
         "Contact: <sip:g@10.0.0.1>\r\nExpires: soon\r\n",
         SIP_REGISTER_BAD_EXPIRES);
  expect(f, "sip:g@example.test", "c1", 2,
         "Contact: <sip:g@10.0.0.1>;expires=-1\r\n", SIP_REGISTER_BAD_EXPIRES);
  expect(f, "sip:g@example.test", "c1", 3, "Contact: *\r\n",
         SIP_REGISTER_BAD_WILDCARD);
  expect(f, "sip:g@example.test", "c1", 4,
         "Contact: *\r\nContact: <sip:g@10.0.0.1>\r\nExpires: 0\r\n",
         SIP_REGISTER_BAD_WILDCARD);
  expect(f, "tel:+15551234", "c1", 5, "Contact: <sip:g@10.0.0.1>\r\n",
         SIP_REGISTER_BAD_SCHEME);
  assert_bindings(f, "");
}

static const SipRegistrarLimits small_limits = {
    .default_expires = 3600,
    .min_expires = 60,
    .max_expires = 7200,
    .max_contacts_per_aor = 2,
    .max_aors = 2,
};

static void test_limits(Fixture *f, gconstpointer unused) {
  expect(f, "sip:a@example.test", "c1", 1,
         "Contact: <sip:a@10.0.0.1>, <sip:a@10.0.0.2>\r\n", SIP_REGISTER_OK);
  osip_message_t *resp = do_register(f, "sip:a@example.test", "c1", 2,
                                     "Contact: <sip:a@10.0.0.3>\r\n",
                                     SIP_REGISTER_TOO_MANY_CONTACTS);
  osip_header_t *warning = NULL;
  g_assert_cmpint(osip_message_header_get_byname(resp, "warning", 0, &warning),
                  >=, 0);
  g_assert_cmpstr(warning->hvalue, ==,
                  "399 vgw \"Too many contacts for this AOR\"");
  osip_message_free(resp);
  /* Swapping one contact for another in one request stays within it. */
  expect(f, "sip:a@example.test", "c1", 3,
         "Contact: <sip:a@10.0.0.2>;expires=0, <sip:a@10.0.0.3>\r\n",
         SIP_REGISTER_OK);
  expect(f, "sip:b@example.test", "c2", 1, "Contact: <sip:b@10.0.0.1>\r\n",
         SIP_REGISTER_OK);
  expect(f, "sip:c@example.test", "c3", 1, "Contact: <sip:c@10.0.0.1>\r\n",
         SIP_REGISTER_TOO_MANY_AORS);
  /* Once an AOR is gone there is room again. */
  expect(f, "sip:b@example.test", "c2", 2, "Contact: *\r\nExpires: 0\r\n",
         SIP_REGISTER_OK);
  expect(f, "sip:c@example.test", "c3", 2, "Contact: <sip:c@10.0.0.1>\r\n",
         SIP_REGISTER_OK);
  const SipRegistrarStats *st = sip_registrar_stats(f->registrar);
  g_assert_cmpuint(st->aors, ==, 2);
  g_assert_cmpuint(st->bindings, ==, 3);
  g_assert_cmpuint(st->results[SIP_REGISTER_TOO_MANY_CONTACTS], ==, 1);
  g_assert_cmpuint(st->results[SIP_REGISTER_TOO_MANY_AORS], ==, 1);
  assert_bindings(f, "sip:a@example.test sip:a@10.0.0.1 3600 udp 10.0.0.1:5070|"
                     "sip:a@example.test sip:a@10.0.0.3 3600 udp 10.0.0.1:5070|"
                     "sip:c@example.test sip:c@10.0.0.1 3600 udp 10.0.0.1:5070|");
}

static void test_sweep(Fixture *f, gconstpointer unused) {
  expect(f, "sip:a@example.test", "c1", 1,
         "Contact: <sip:a@10.0.0.1>;expires=60, <sip:a@10.0.0.2>;expires=120\r\n",
         SIP_REGISTER_OK);
  f->now += 60;
  g_assert_cmpuint(sip_registrar_sweep(f->registrar), ==, 1);
  g_assert_cmpuint(sip_registrar_sweep(f->registrar), ==, 0);
  f->now += 60;
  g_assert_cmpuint(sip_registrar_sweep(f->registrar), ==, 1);
  g_assert_cmpuint(sip_registrar_stats(f->registrar)->aors, ==, 0);
}

/* A call goes to the newest binding of the user at that host, or of the
 * user at any host when the caller named the gateway; a binding keeps the
 * connection it came on, and an expired one is never found. */
static void test_lookup(Fixture *f, gconstpointer unused) {
  SipBinding b;

  g_assert_false(sip_registrar_lookup(f->registrar, "a", NULL, &b));
  expect(f, "sip:a@Example.test:5090", "c1", 1,
         "Contact: <sip:a@10.0.0.1>;expires=60\r\n", SIP_REGISTER_OK);
  f->peer = (SipPeer){.transport = SIP_TRANSPORT_TCP, .address = "10.0.0.2",
                      .port = 40000, .connection = 7};
  expect(f, "sip:a@example.test", "c2", 1,
         "Contact: <sip:a@10.0.0.2;transport=tcp>;expires=120\r\n",
         SIP_REGISTER_OK);
  expect(f, "sip:b@other.test", "c3", 1, "Contact: <sip:b@10.0.0.3>\r\n",
         SIP_REGISTER_OK);

  g_assert_true(sip_registrar_lookup(f->registrar, "a", "EXAMPLE.test", &b));
  g_assert_cmpstr(b.contact, ==, "sip:a@10.0.0.2;transport=tcp");
  g_assert_cmpint(b.transport, ==, SIP_TRANSPORT_TCP);
  g_assert_cmpuint(b.connection, ==, 7);
  g_assert_cmpstr(b.source_address, ==, "10.0.0.2");
  g_assert_cmpuint(b.source_port, ==, 40000);
  g_assert_true(sip_registrar_lookup(f->registrar, "b", NULL, &b));
  g_assert_cmpstr(b.aor, ==, "sip:b@other.test");
  g_assert_false(sip_registrar_lookup(f->registrar, "b", "example.test", &b));
  g_assert_false(sip_registrar_lookup(f->registrar, "A", NULL, &b));

  /* A fresher registration wins; an expired one is never found. */
  f->now += 60; /* the first binding expires */
  g_assert_true(sip_registrar_lookup(f->registrar, "a", "example.test", &b));
  g_assert_cmpuint(b.connection, ==, 7);
  f->peer = (SipPeer){.transport = SIP_TRANSPORT_UDP, .address = "10.0.0.1",
                      .port = 5070};
  expect(f, "sip:a@example.test:5090", "c1", 2,
         "Contact: <sip:a@10.0.0.1>;expires=3600\r\n", SIP_REGISTER_OK);
  g_assert_true(sip_registrar_lookup(f->registrar, "a", "example.test", &b));
  g_assert_cmpstr(b.contact, ==, "sip:a@10.0.0.1");
  g_assert_cmpuint(b.connection, ==, 0);
  f->now += 60; /* the TCP binding expires */
  g_assert_true(sip_registrar_lookup(f->registrar, "a", NULL, &b));
  g_assert_cmpstr(b.contact, ==, "sip:a@10.0.0.1");
  g_assert_cmpuint(b.expires, ==, 3540);
}

/* The Contact URI is kept as registered, its URI parameters (transport,
 * maddr, ob) and headers included; the field's own parameters (expires,
 * +sip.instance) are not part of it. Without angle brackets, parameters
 * after the URI belong to the header field (RFC 3261 §20.10), so they are
 * not the URI's. The routed INVITE's Request-URI is this contact
 * (sip_route.h). */
static void test_contact_uri_kept(Fixture *f, gconstpointer unused) {
  SipBinding b;

  f->peer = (SipPeer){SIP_TRANSPORT_TLS, "10.0.0.5", 40001, 4, 0};
  expect(f, "sips:alice@example.test", "k1", 1,
         "Contact: <sips:alice@10.0.0.5:5071;transport=tls;ob;"
         "maddr=10.0.0.6?X-Y=z>;+sip.instance=\"<urn:uuid:1>\";expires=600\r\n",
         SIP_REGISTER_OK);
  g_assert_true(sip_registrar_lookup(f->registrar, "alice", NULL, &b));
  g_assert_cmpstr(b.contact, ==,
                  "sips:alice@10.0.0.5:5071;transport=tls;ob;maddr=10.0.0.6"
                  "?X-Y=z");
  g_assert_cmpint(b.transport, ==, SIP_TRANSPORT_TLS);
  g_assert_cmpuint(b.connection, ==, 4);
  g_assert_cmpuint(b.expires, ==, 600);

  f->peer = (SipPeer){SIP_TRANSPORT_TCP, "10.0.0.7", 40002, 5, 0};
  expect(f, "sip:eve@example.test", "k2", 1,
         "Contact: sip:eve@10.0.0.7:5072;transport=tcp;expires=300\r\n",
         SIP_REGISTER_OK);
  g_assert_true(sip_registrar_lookup(f->registrar, "eve", NULL, &b));
  g_assert_cmpstr(b.contact, ==, "sip:eve@10.0.0.7:5072");
  g_assert_cmpuint(b.expires, ==, 300);
}

/* Registers |aor|'s |contact| with |identity| (may be NULL). */
static void register_with(Fixture *f, const char *aor, const char *call_id,
                          guint cseq, const char *contact,
                          const SipClientIdentity *identity) {
  char *extra = g_strdup_printf("Contact: <%s>\r\n", contact);
  osip_message_t *req =
      sip_canned_parse(sip_canned_register(aor, call_id, cseq, extra));
  SipRegisterResult result = SIP_REGISTER_RESULT_COUNT;
  osip_message_t *resp = sip_registrar_register(f->registrar, req, &f->peer,
                                                identity, "tag1", &result);
  g_assert_cmpint(result, ==, SIP_REGISTER_OK);
  osip_message_free(resp);
  osip_message_free(req);
  g_free(extra);
}

static void identity_line(const SipBinding *b, gpointer data) {
  const SipClientIdentity *id = b->client_identity;
  char *san = id != NULL ? g_strjoinv(",", id->san) : NULL;
  g_string_append_printf(data, "%s %s %s %s %s|", b->aor,
                         id ? id->subject : "none", id ? id->issuer : "-",
                         id ? id->sha256 : "-", san ? san : "-");
  g_free(san);
}

static void assert_identities(Fixture *f, const char *want) {
  GString *s = g_string_new(NULL);
  sip_registrar_foreach(f->registrar, identity_line, s);
  g_assert_cmpstr(s->str, ==, want);
  g_string_free(s, TRUE);
}

/* A binding keeps a copy of the client certificate identity its REGISTER
 * came with; one without has none; a refresh records the refresh's. */
static void test_client_identity(Fixture *f, gconstpointer unused) {
  char subject[] = "CN=alice";
  char *san[] = {"URI:sip:alice@lab.test", "DNS:alice.lab.test", NULL};
  SipClientIdentity id = {subject, "CN=inter", "ab12", san};

  register_with(f, "sip:alice@example.test", "i1", 1,
                "sip:alice@10.0.0.1:5070", &id);
  register_with(f, "sip:bob@example.test", "i2", 1, "sip:bob@10.0.0.1:5070",
                NULL);
  subject[3] = 'X'; /* the caller's strings are not kept */
  assert_identities(f,
                    "sip:alice@example.test CN=alice CN=inter ab12 "
                    "URI:sip:alice@lab.test,DNS:alice.lab.test|"
                    "sip:bob@example.test none - - -|");
  register_with(f, "sip:alice@example.test", "i1", 2,
                "sip:alice@10.0.0.1:5070", NULL);
  assert_identities(f, "sip:alice@example.test none - - -|"
                       "sip:bob@example.test none - - -|");
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
#define ADD(path, fn, limits) \
  g_test_add(path, Fixture, limits, setup, fn, teardown)
  ADD("/sip-registrar/register-and-expire", test_register_and_expire, NULL);
  ADD("/sip-registrar/expires-sources", test_expires_sources, NULL);
  ADD("/sip-registrar/several-contacts-and-removal",
      test_several_contacts_and_removal, NULL);
  ADD("/sip-registrar/refresh-order", test_refresh_order, NULL);
  ADD("/sip-registrar/too-brief", test_too_brief, NULL);
  ADD("/sip-registrar/malformed", test_malformed, NULL);
  ADD("/sip-registrar/limits", test_limits, &small_limits);
  ADD("/sip-registrar/sweep", test_sweep, NULL);
  ADD("/sip-registrar/lookup", test_lookup, NULL);
  ADD("/sip-registrar/contact-uri-kept", test_contact_uri_kept, NULL);
  ADD("/sip-registrar/client-identity", test_client_identity, NULL);
#undef ADD
  return g_test_run();
}
