/* Unit tests for vgwd's Proxy Sets (vgwd/proxy_sets.h) on a real
 * SipTxnLayer: the configuration from ini text, keep-alives out through the
 * layer's send callback, responses in as bytes, the state read back from
 * status rows, pick, classify and the sip-proxies verb. */
#include <string.h>

#include "param_ini.h"
#include "sip_message.h"
#include "vgwd/proxy_sets.h"

typedef struct {
  SipPeer to;
  osip_message_t *msg;
} Sent;

typedef struct {
  SipTxnLayer *layer;
  VgwProxySets *sets;
  VgwParamConfig *cfg;
  GArray *sent;   /* Sent */
  GString *pings; /* "10.0.0.9:5060/tcp 5, ..." */
  GString *server_names; /* "192.0.2.10:5071=proxy.lab.test, ..." */
  guint64 proxy_connection; /* connection_to() 10.0.0.9:5060/tcp */
  guint16 ports[SIP_TRANSPORT_COUNT]; /* our listeners on 10.0.2.15 */
} Fixture;

static gboolean capture_send(const SipPeer *to, const char *bytes, gsize len,
                             gpointer data) {
  Fixture *f = data;
  Sent s = {*to, NULL};

  g_assert_cmpint(sip_message_parse((const guint8 *)bytes, len, &s.msg), ==,
                  SIP_REASON_NONE);
  g_array_append_val(f->sent, s);
  return TRUE;
}

static void unexpected_request(SipTxnLayer *layer, SipTxn *txn,
                               const osip_message_t *req, const SipPeer *from,
                               gpointer data) {
  g_assert_not_reached();
}

static const char *lan(gpointer data) {
  return "10.0.2.15/24";
}

static void record_ping(const SipPeer *peer, guint interval_s,
                        gpointer data) {
  Fixture *f = data;
  g_string_append_printf(f->pings, "%s%s:%u/%s %u", f->pings->len ? ", " : "",
                         peer->address, peer->port,
                         sip_transport_name(peer->transport), interval_s);
}

static void record_server_name(const SipPeer *peer, const char *name,
                               gpointer data) {
  Fixture *f = data;
  g_string_append_printf(f->server_names, "%s%s:%u=%s",
                         f->server_names->len ? ", " : "", peer->address,
                         peer->port, name ? name : "(address)");
}

/* The transport's connection to 10.0.0.9:5060/tcp is
 * Fixture.proxy_connection (0: none); to any other peer there is none. */
static guint64 connection_to(const SipPeer *peer, gpointer data) {
  Fixture *f = data;

  return peer->transport == SIP_TRANSPORT_TCP &&
                 strcmp(peer->address, "10.0.0.9") == 0 && peer->port == 5060
             ? f->proxy_connection
             : 0;
}

/* Our listeners: Fixture.ports, on the LAN address only. */
static guint16 listener_port(const char *address, SipTransport transport,
                             gpointer data) {
  Fixture *f = data;

  return strcmp(address, "10.0.2.15") == 0 ? f->ports[transport] : 0;
}

static const char base_ini[] =
    "UsePingPongKeepAlive = 1\n"
    "[ ProxySet ]\n"
    "FORMAT ProxySet_Index = ProxySet_ProxyName, ProxySet_EnableProxyKeepAlive, "
    "ProxySet_ProxyKeepAliveTime, ProxySet_KeepAliveFailureResp;\n"
    "ProxySet 1 = \"ITSP\", 1, 30, \"503\";\n"
    "[ \\ProxySet ]\n"
    "[ ProxyIp ]\n"
    "FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, "
    "ProxyIp_IpAddress, ProxyIp_TransportType;\n"
    "ProxyIp 0 = 1, 1, \"10.0.0.9\", 1;\n"
    "ProxyIp 1 = 1, 0, \"proxy.lab.test:5070\", -1;\n"
    "ProxyIp 2 = 1, 2, \"bad host:1\", 0;\n"
    "[ \\ProxyIp ]\n"
    "[ DNS2IP ]\n"
    "FORMAT DNS2IP_Index = DNS2IP_DomainName, DNS2IP_FirstIpAddress;\n"
    "DNS2IP 0 = \"proxy.lab.test\", 192.0.2.10;\n"
    "[ \\DNS2IP ]\n";

static void load(Fixture *f, const char *ini) {
  GError *error = NULL;

  g_assert_true(vgw_ini_load(f->cfg, ini, strlen(ini), "test.ini",
                             VGW_INI_INCREMENTAL, NULL, &error));
  g_assert_no_error(error);
}

static void fixture_set_up(Fixture *f, gconstpointer unused) {
  SipTxnCallbacks cb = {.send = capture_send, .request = unexpected_request};
  VgwProxyLocal local = {.lan_address = lan,
                         .set_ping = record_ping,
                         .connection_to = connection_to,
                         .port = listener_port,
                         .set_server_name = record_server_name,
                         .data = f};

  f->ports[SIP_TRANSPORT_UDP] = 5060;
  f->ports[SIP_TRANSPORT_TCP] = 5060;
  f->ports[SIP_TRANSPORT_TLS] = 5061;
  f->layer = sip_txn_layer_new(NULL, NULL, &cb, f);
  f->sets = vgw_proxy_sets_new(f->layer, &local);
  f->sent = g_array_new(FALSE, TRUE, sizeof(Sent));
  f->pings = g_string_new(NULL);
  f->server_names = g_string_new(NULL);
  f->cfg = vgw_param_config_new();
  load(f, base_ini);
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "ProxyIp 2: IpAddress 'bad host:1': ' ' cannot be*");
  vgw_proxy_sets_apply(f->sets, f->cfg);
  g_test_assert_expected_messages();
}

static void fixture_tear_down(Fixture *f, gconstpointer unused) {
  vgw_proxy_sets_free(f->sets);
  sip_txn_layer_free(f->layer);
  for (guint i = 0; i < f->sent->len; i++) {
    osip_message_free(g_array_index(f->sent, Sent, i).msg);
  }
  g_array_unref(f->sent);
  g_string_free(f->pings, TRUE);
  g_string_free(f->server_names, TRUE);
  vgw_param_config_free(f->cfg);
}

/* Runs the loop until |n| messages were sent in all. */
static void wait_sent(Fixture *f, guint n) {
  while (f->sent->len < n) {
    g_main_context_iteration(NULL, TRUE);
  }
}

static Sent *sent(Fixture *f, guint i) {
  return &g_array_index(f->sent, Sent, i);
}

static char *start_line(const osip_message_t *msg) {
  char *uri = NULL;
  osip_uri_to_str(msg->req_uri, &uri);
  char *line = g_strdup_printf("%s %s", msg->sip_method, uri);
  osip_free(uri);
  return line;
}

/* Answers keep-alive |i| with |status|, as its proxy would. */
static void answer(Fixture *f, guint i, guint status) {
  Sent *s = sent(f, i);
  osip_message_t *resp = sip_response_new(s->msg, status, NULL, "tag9");
  gsize len;
  char *bytes = sip_message_to_bytes(resp, &len);

  g_assert_cmpint(sip_txn_layer_receive(f->layer, (const guint8 *)bytes, len,
                                        &s->to),
                  ==, SIP_REASON_NONE);
  g_free(bytes);
  osip_message_free(resp);
}

static gsize status(Fixture *f, VgwStatusProxy *rows) {
  return vgw_proxy_sets_status(f->sets, rows, VGW_STATUS_MAX_PROXIES);
}

/* The keep-alives: one per proxy at once, in ProxyIpIndex order, to the
 * resolved address with the configured name in the Request-URI. */
static void test_keepalives(Fixture *f, gconstpointer unused) {
  VgwStatusProxy rows[VGW_STATUS_MAX_PROXIES];

  wait_sent(f, 2);
  char *line = start_line(sent(f, 0)->msg);
  g_assert_cmpstr(line, ==, "OPTIONS sip:proxy.lab.test:5070");
  g_free(line);
  g_assert_cmpint(sent(f, 0)->to.transport, ==, SIP_TRANSPORT_UDP);
  g_assert_cmpstr(sent(f, 0)->to.address, ==, "192.0.2.10");
  g_assert_cmpuint(sent(f, 0)->to.port, ==, 5070);
  osip_via_t *via = osip_list_get(&sent(f, 0)->msg->vias, 0);
  g_assert_cmpstr(via->host, ==, "10.0.2.15");
  g_assert_cmpstr(via->port, ==, "5060");
  line = start_line(sent(f, 1)->msg);
  g_assert_cmpstr(line, ==, "OPTIONS sip:10.0.0.9:5060;transport=tcp");
  g_free(line);
  g_assert_cmpint(sent(f, 1)->to.transport, ==, SIP_TRANSPORT_TCP);
  g_assert_cmpuint(sent(f, 1)->to.connection, ==, 0);
  /* UsePingPongKeepAlive: the TCP proxy only, every ProxyKeepAliveTime. */
  g_assert_nonnull(strstr(f->pings->str, "10.0.0.9:5060/tcp 30"));
  g_assert_null(strstr(f->pings->str, "/udp"));

  g_assert_cmpuint(status(f, rows), ==, 2);
  g_assert_cmpstr(rows[0].configured, ==, "proxy.lab.test:5070");
  g_assert_cmpstr(rows[0].resolved_by, ==, "dns2ip");
  g_assert_cmpstr(rows[0].state, ==, "unknown");
  g_assert_true(rows[0].active);
  g_assert_cmpstr(rows[1].resolved_by, ==, "literal");

  answer(f, 0, 200);
  status(f, rows);
  g_assert_cmpstr(rows[0].state, ==, "up");
  g_assert_cmpuint(rows[0].last_code, ==, 200);
  g_assert_cmpint(rows[0].last_response_age_s, ==, 0);

  SipPeer to;
  g_assert_true(vgw_proxy_sets_pick(f->sets, "itsp", &to));
  g_assert_cmpstr(to.address, ==, "192.0.2.10");
  g_assert_false(vgw_proxy_sets_pick(f->sets, "nosuch", &to));
}

/* Each keep-alive's Via names the listener of its transport as it is
 * when the keep-alive is sent (here, changed after the sets started), not
 * as it was at start: a SIP Interface changed live counts. A transport
 * with no listener open sends no keep-alive, and its proxy is down. */
static void test_listener_ports(Fixture *f, gconstpointer unused) {
  VgwStatusProxy rows[VGW_STATUS_MAX_PROXIES];

  f->ports[SIP_TRANSPORT_UDP] = 0;
  f->ports[SIP_TRANSPORT_TCP] = 5072;
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "proxy set 1 ITSP: no udp listener on 10.0.2.15 to "
                        "send a keep-alive from");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "proxy set 1 ITSP: 192.0.2.10:5070/udp (ProxyIpIndex 0)"
                        " is down: transport-error*");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "proxy set 1 ITSP: failover to 10.0.0.9:5060/tcp*");
  wait_sent(f, 1);
  g_test_assert_expected_messages();
  g_assert_cmpint(sent(f, 0)->to.transport, ==, SIP_TRANSPORT_TCP);
  osip_via_t *via = osip_list_get(&sent(f, 0)->msg->vias, 0);
  g_assert_cmpstr(via->protocol, ==, "TCP");
  g_assert_cmpstr(via->port, ==, "5072");
  status(f, rows);
  g_assert_cmpstr(rows[0].state, ==, "down");
  g_assert_cmpstr(rows[0].reason, ==, "transport-error");
}

/* An INVITE whose top Via is |via|. */
static osip_message_t *invite_via(const char *via) {
  char *text = g_strdup_printf(
      "INVITE sip:bob@10.0.2.15 SIP/2.0\r\n"
      "Via: %s;branch=z9hG4bK-1\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:alice@example.test>;tag=a1\r\n"
      "To: <sip:bob@example.test>\r\n"
      "Call-ID: classify-1\r\n"
      "CSeq: 1 INVITE\r\n"
      "Content-Length: 0\r\n\r\n",
      via);
  osip_message_t *msg = NULL;

  g_assert_cmpint(sip_message_parse((const guint8 *)text, strlen(text), &msg),
                  ==, SIP_REASON_NONE);
  g_free(text);
  return msg;
}

static const char *classify(Fixture *f, SipTransport transport,
                            const char *address, guint16 port,
                            guint64 connection, const char *via) {
  SipPeer from = {.transport = transport, .port = port,
                  .connection = connection};
  osip_message_t *req = invite_via(via);

  g_strlcpy(from.address, address, sizeof(from.address));
  const char *name = vgw_proxy_sets_classify(f->sets, &from, req);
  osip_message_free(req);
  return name;
}

/* Classification by address, port and transport (proxy_sets.h): over UDP
 * the proxy's port (a user on the proxy's host, as every host program is
 * behind slirp, is no proxy); over TCP the connection to the proxy, or the
 * proxy's address with its listening port in the Via. */
static void test_classify(Fixture *f, gconstpointer unused) {
  const char *udp_via = "SIP/2.0/UDP 192.0.2.10:5070";

  g_assert_cmpstr(classify(f, SIP_TRANSPORT_UDP, "192.0.2.10", 5070, 0,
                           udp_via), ==, "ITSP");
  g_assert_null(classify(f, SIP_TRANSPORT_UDP, "192.0.2.10", 40000, 0,
                         "SIP/2.0/UDP 192.0.2.10:40000"));
  g_assert_null(classify(f, SIP_TRANSPORT_UDP, "192.0.2.11", 5070, 0,
                         udp_via));
  g_assert_null(classify(f, SIP_TRANSPORT_TCP, "192.0.2.10", 5070, 0,
                         "SIP/2.0/TCP 192.0.2.10:5070"));

  /* 10.0.0.9:5060 over TCP: a connection it opened says its port in the
   * Via (none: 5060); a user's connection from that host says another. */
  g_assert_cmpstr(classify(f, SIP_TRANSPORT_TCP, "10.0.0.9", 41000, 3,
                           "SIP/2.0/TCP 10.0.0.9:5060"), ==, "ITSP");
  g_assert_cmpstr(classify(f, SIP_TRANSPORT_TCP, "10.0.0.9", 41000, 3,
                           "SIP/2.0/TCP proxy.example.test"), ==, "ITSP");
  g_assert_null(classify(f, SIP_TRANSPORT_TCP, "10.0.0.9", 41000, 3,
                         "SIP/2.0/TCP 10.0.0.9:41000"));
  g_assert_null(classify(f, SIP_TRANSPORT_UDP, "10.0.0.9", 5060, 0,
                         "SIP/2.0/UDP 10.0.0.9:5060"));
  /* The connection the transport holds to the proxy is the proxy's,
   * whatever the Via says; another connection is not. */
  f->proxy_connection = 7;
  g_assert_cmpstr(classify(f, SIP_TRANSPORT_TCP, "10.0.0.9", 41000, 7,
                           "SIP/2.0/TCP 10.0.0.9:41000"), ==, "ITSP");
  g_assert_null(classify(f, SIP_TRANSPORT_TCP, "10.0.0.9", 41000, 8,
                         "SIP/2.0/TCP 10.0.0.9:41000"));
}

/* What a TLS client's certificate must name, by the address it connects
 * from: the TLS proxies' addresses as configured (an FQDN, not what it
 * resolves to), each once; proxies over other transports do not count.
 * The TLS client is told the same of the TLS proxies it dials. */
static void test_tls_references(Fixture *f, gconstpointer unused) {
  static const char ini[] =
      "[ ProxySet ]\n"
      "FORMAT ProxySet_Index = ProxySet_ProxyName;\n"
      "ProxySet 2 = \"SECURE\";\n"
      "ProxySet 3 = \"ALSO\";\n"
      "[ \\ProxySet ]\n"
      "[ ProxyIp ]\n"
      "FORMAT ProxyIp_Index = ProxyIp_ProxySetId, ProxyIp_ProxyIpIndex, "
      "ProxyIp_IpAddress, ProxyIp_TransportType;\n"
      "ProxyIp 3 = 2, 0, \"proxy.lab.test:5071\", 2;\n"
      "ProxyIp 4 = 2, 1, \"192.0.2.10:5072\", 2;\n"
      "ProxyIp 5 = 3, 0, \"proxy.lab.test\", 2;\n"
      "ProxyIp 6 = 3, 1, \"10.0.0.9:5061\", 2;\n"
      "[ \\ProxyIp ]\n";
  g_autoptr(GPtrArray) refs = g_ptr_array_new();

  vgw_proxy_sets_tls_references(f->sets, "192.0.2.10", refs);
  g_assert_cmpuint(refs->len, ==, 0); /* ITSP's proxies are UDP/TCP */
  g_assert_cmpstr(f->server_names->str, ==, "");
  load(f, ini);
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "ProxyIp 2: IpAddress 'bad host:1'*");
  vgw_proxy_sets_apply(f->sets, f->cfg);
  g_test_assert_expected_messages();
  g_assert_cmpstr(f->server_names->str, ==,
                  "192.0.2.10:5071=proxy.lab.test, 192.0.2.10:5072=(address), "
                  "192.0.2.10:5061=proxy.lab.test, 10.0.0.9:5061=(address)");
  vgw_proxy_sets_tls_references(f->sets, "192.0.2.10", refs);
  g_assert_cmpuint(refs->len, ==, 2);
  g_assert_cmpstr(g_ptr_array_index(refs, 0), ==, "proxy.lab.test");
  g_assert_cmpstr(g_ptr_array_index(refs, 1), ==, "192.0.2.10");
  g_ptr_array_set_size(refs, 0);
  vgw_proxy_sets_tls_references(f->sets, "10.0.0.9", refs);
  g_assert_cmpuint(refs->len, ==, 1);
  g_assert_cmpstr(g_ptr_array_index(refs, 0), ==, "10.0.0.9");
  g_ptr_array_set_size(refs, 0);
  vgw_proxy_sets_tls_references(f->sets, "10.0.0.10", refs);
  g_assert_cmpuint(refs->len, ==, 0);
}

/* A KeepAliveFailureResp code marks the proxy down: the set fails over,
 * the verb shows it. */
static void test_failure_response(Fixture *f, gconstpointer unused) {
  VgwStatusProxy rows[VGW_STATUS_MAX_PROXIES];
  VgwMgmtReply out = {0};
  char *argv[] = {"sip-proxies", NULL};

  wait_sent(f, 2);
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "proxy set 1 ITSP: 192.0.2.10:5070/udp (ProxyIpIndex 0)"
                        " is down: failure-response (last response 503)");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "proxy set 1 ITSP: failover to 10.0.0.9:5060/tcp*");
  answer(f, 0, 503);
  g_test_assert_expected_messages();
  status(f, rows);
  g_assert_cmpstr(rows[0].state, ==, "down");
  g_assert_cmpstr(rows[0].reason, ==, "failure-response");
  g_assert_true(rows[1].active);
  g_assert_cmpuint(rows[1].failovers, ==, 1);
  SipPeer to;
  g_assert_true(vgw_proxy_sets_pick(f->sets, "ITSP", &to));
  g_assert_cmpstr(to.address, ==, "10.0.0.9");

  g_assert_true(vgw_mgmt_verb_set_call(&vgw_proxy_sets_verb_set, f->sets,
                                       argv, FALSE, &out));
  g_assert_true(out.ok);
  g_assert_true(g_str_has_prefix(out.body, "{\"proxies\":[{\"set\":1,"));
  g_assert_nonnull(strstr(out.body, "\"state\":\"down\",\"reason\":"
                                    "\"failure-response\""));
  g_free(out.body);
}

/* A routed request that times out marks its proxy down; with hot swap the
 * caller is told where to send it again. */
static void test_report(Fixture *f, gconstpointer unused) {
  SipPeer to, retry;

  load(f, "[ ProxySet ]\nFORMAT ProxySet_Index = ProxySet_ProxyName, "
          "ProxySet_IsProxyHotSwap;\nProxySet 1 = \"ITSP\", 1;\n"
          "[ \\ProxySet ]\n");
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING, "ProxyIp 2: *");
  vgw_proxy_sets_apply(f->sets, f->cfg);
  g_test_assert_expected_messages();
  g_assert_true(vgw_proxy_sets_pick(f->sets, "ITSP", &to));
  g_assert_cmpstr(to.address, ==, "192.0.2.10");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE, "*is down: timeout*");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE, "*failover to*");
  g_assert_true(vgw_proxy_sets_report(f->sets, &to, SIP_CLIENT_TIMEOUT, 0,
                                      &retry));
  g_test_assert_expected_messages();
  g_assert_cmpstr(retry.address, ==, "10.0.0.9");
  g_assert_cmpint(retry.transport, ==, SIP_TRANSPORT_TCP);
}

/* REGISTER keep-alive: to the proxy's domain, with a Contact and Expires
 * twice the interval; any final response means up. */
static void test_register_keepalive(Fixture *f, gconstpointer unused) {
  VgwStatusProxy rows[VGW_STATUS_MAX_PROXIES];

  load(f, "[ ProxySet ]\nFORMAT ProxySet_Index = ProxySet_ProxyName, "
          "ProxySet_EnableProxyKeepAlive, ProxySet_ProxyKeepAliveTime;\n"
          "ProxySet 1 = \"ITSP\", 2, 40;\n[ \\ProxySet ]\n");
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING, "ProxyIp 2: *");
  vgw_proxy_sets_apply(f->sets, f->cfg);
  g_test_assert_expected_messages();
  f->ports[SIP_TRANSPORT_UDP] = 5064; /* the UDP listener moved */
  /* Nothing went out before this apply: both keep-alives are REGISTERs. */
  wait_sent(f, 2);
  const osip_message_t *reg = sent(f, 0)->msg;
  g_assert_true(MSG_IS_REGISTER(sent(f, 1)->msg));
  char *line = start_line(reg);
  g_assert_cmpstr(line, ==, "REGISTER sip:proxy.lab.test:5070");
  g_free(line);
  g_assert_cmpstr(reg->to->url->username, ==, "vgw");
  g_assert_cmpstr(reg->to->url->host, ==, "proxy.lab.test");
  osip_header_t *expires = NULL;
  g_assert_cmpint(osip_message_get_expires(reg, 0, &expires), >=, 0);
  g_assert_cmpstr(expires->hvalue, ==, "80");
  osip_contact_t *contact = osip_list_get(&reg->contacts, 0);
  g_assert_nonnull(contact);
  g_assert_cmpstr(contact->url->host, ==, "10.0.2.15");
  g_assert_cmpstr(contact->url->port, ==, "5064");
  answer(f, 0, 503);
  status(f, rows);
  g_assert_cmpstr(rows[0].state, ==, "up");
  g_assert_cmpuint(rows[0].last_code, ==, 503);
}

/* A changed DNS2IP row moves the proxy to the new address (a new proxy:
 * unknown, due a keep-alive); a deleted set stops its pings. */
static void test_changes(Fixture *f, gconstpointer unused) {
  VgwStatusProxy rows[VGW_STATUS_MAX_PROXIES];

  wait_sent(f, 2);
  answer(f, 0, 200);
  load(f, "[ DNS2IP ]\nFORMAT DNS2IP_Index = DNS2IP_DomainName, "
          "DNS2IP_FirstIpAddress, DNS2IP_SecondIpAddress;\n"
          "DNS2IP 0 = \"proxy.lab.test\", 192.0.2.11, 192.0.2.12;\n"
          "[ \\DNS2IP ]\n");
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING, "ProxyIp 2: *");
  vgw_proxy_sets_apply(f->sets, f->cfg);
  g_test_assert_expected_messages();
  g_assert_cmpuint(status(f, rows), ==, 3);
  g_assert_cmpstr(rows[0].address, ==, "192.0.2.11");
  g_assert_cmpstr(rows[0].state, ==, "unknown");
  g_assert_cmpstr(rows[1].address, ==, "192.0.2.12");
  g_assert_cmpuint(rows[1].ip_index, ==, 0);
  g_assert_cmpstr(rows[2].address, ==, "10.0.0.9");
  wait_sent(f, 4);
  g_assert_cmpstr(sent(f, 2)->to.address, ==, "192.0.2.11");
  g_assert_cmpstr(sent(f, 3)->to.address, ==, "192.0.2.12");

  g_string_truncate(f->pings, 0);
  vgw_param_config_clear_table(f->cfg, VGW_TABLE_PROXY_IP);
  vgw_param_config_clear_table(f->cfg, VGW_TABLE_PROXY_SET);
  vgw_proxy_sets_apply(f->sets, f->cfg);
  g_assert_cmpstr(f->pings->str, ==, "10.0.0.9:5060/tcp 0");
  g_assert_cmpuint(status(f, rows), ==, 0);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add("/proxy-sets/keepalives", Fixture, NULL, fixture_set_up,
             test_keepalives, fixture_tear_down);
  g_test_add("/proxy-sets/listener-ports", Fixture, NULL, fixture_set_up,
             test_listener_ports, fixture_tear_down);
  g_test_add("/proxy-sets/tls-references", Fixture, NULL, fixture_set_up,
             test_tls_references, fixture_tear_down);
  g_test_add("/proxy-sets/classify", Fixture, NULL, fixture_set_up,
             test_classify, fixture_tear_down);
  g_test_add("/proxy-sets/failure-response", Fixture, NULL, fixture_set_up,
             test_failure_response, fixture_tear_down);
  g_test_add("/proxy-sets/report", Fixture, NULL, fixture_set_up,
             test_report, fixture_tear_down);
  g_test_add("/proxy-sets/register-keepalive", Fixture, NULL, fixture_set_up,
             test_register_keepalive, fixture_tear_down);
  g_test_add("/proxy-sets/changes", Fixture, NULL, fixture_set_up,
             test_changes, fixture_tear_down);
  return g_test_run();
}
