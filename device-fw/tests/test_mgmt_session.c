/* Unit tests for the maintenance-port session (login, verbs, human mode)
 * and the status renderings. */
#include <string.h>

#include "mgmt/mgmt_proto.h"
#include "mgmt/mgmt_reply.h"
#include "mgmt/mgmt_session.h"
#include "mgmt/mgmt_status.h"
#include "param_registry.h"
#include "param_secret.h"

static void fake_status(VgwStatus *st, gpointer data) {
  st->state = "running";
  st->firmware = "0.1.0";
  st->uptime_s = 12;
  st->reset_cause = "watchdog";
  st->reset_count = 2;
  st->serial = "VGW\"1";
  st->hw_rev = 1;
  st->mac_base = "02:00:00:00:00:01";
  st->crash_count = 3;
  st->wdt_enabled = TRUE;
  st->wdt_timeout_ms = 10000;
  st->n_ifaces = 2;
  st->ifaces[0] = (VgwStatusIface){"lan", "52:54:00:12:34:56", "10.0.2.15/24"};
  st->ifaces[1] = (VgwStatusIface){"wan", NULL, NULL};
  st->n_listeners = 2;
  st->listeners[0] = (VgwStatusListener){.transport = "udp",
                                         .port = 5060,
                                         .interface = "default",
                                         .network = "LAN",
                                         .address = "10.0.2.15"};
  st->listeners[1] = (VgwStatusListener){.transport = "tcp",
                                         .port = 5060,
                                         .interface = "default",
                                         .network = "LAN",
                                         .address = "10.0.2.15",
                                         .stream = TRUE,
                                         .connections = 2,
                                         .refused = 1};
}

static const char STATUS_JSON[] =
    "{\"state\":\"running\",\"uptime_s\":12,\"firmware\":\"0.1.0\","
    "\"serial\":\"VGW\\\"1\",\"hw_rev\":1,\"mac_base\":\"02:00:00:00:00:01\","
    "\"reset_cause\":\"watchdog\",\"reset_count\":2,\"crash_count\":3,"
    "\"watchdog\":{\"enabled\":true,\"timeout_ms\":10000},"
    "\"interfaces\":[{\"name\":\"lan\",\"mac\":\"52:54:00:12:34:56\","
    "\"ipv4\":\"10.0.2.15/24\"},{\"name\":\"wan\",\"mac\":null,"
    "\"ipv4\":null}],"
    "\"listeners\":[{\"transport\":\"udp\",\"port\":5060,"
    "\"interface\":\"default\",\"network\":\"LAN\","
    "\"address\":\"10.0.2.15\"},"
    "{\"transport\":\"tcp\",\"port\":5060,\"interface\":\"default\","
    "\"network\":\"LAN\",\"address\":\"10.0.2.15\",\"connections\":2,"
    "\"refused\":1}],"
    "\"pending\":0,\"config\":{\"source\":\"factory\",\"generation\":null,"
    "\"unsaved\":false},"
    "\"config_source\":{\"generation\":null,\"skipped\":[]},"
    "\"proxies\":[],\"tls\":null,\"tls_keylog\":null,\"sip\":null}";

static void test_status_json(void) {
  VgwStatus st;
  memset(&st, 0, sizeof(st));
  fake_status(&st, NULL);
  char *json = vgw_status_to_json(&st);
  g_assert_cmpstr(json, ==, STATUS_JSON);
  g_free(json);
  json = vgw_status_to_ready_json(&st);
  g_assert_true(g_str_has_prefix(json, "{\"firmware\":\"0.1.0\",\"serial\""));
  g_assert_nonnull(strstr(json, "\"reset_cause\":\"watchdog\""));
  g_assert_nonnull(strstr(json, "\"listeners\":[{\"transport\":\"udp\""));
  g_assert_null(strstr(json, "uptime_s"));
  g_assert_true(g_str_has_suffix(
      json, ",\"config_source\":{\"generation\":null,\"skipped\":[]}}"));
  g_free(json);
  char *text = vgw_status_to_text(&st);
  g_assert_nonnull(strstr(text, "Reset cause:  watchdog"));
  g_assert_nonnull(strstr(text, "10.0.2.15/24"));
  g_free(text);
}

/* Where the configuration came from: a rollback names the generations
 * skipped and why. */
static void test_status_config_source(void) {
  VgwStatus st;
  memset(&st, 0, sizeof(st));
  fake_status(&st, NULL);
  VgwConfigSource src = {
      .generation = 2,
      .n_skipped = 2,
      .skipped = {{3, "payload-checksum"}, {0, "header"}},
  };
  st.config_boot = &src;
  char *json = vgw_status_to_json(&st);
  g_assert_nonnull(strstr(
      json, ",\"config_source\":{\"generation\":2,\"skipped\":["
            "{\"generation\":3,\"reason\":\"payload-checksum\"},"
            "{\"generation\":null,\"reason\":\"header\"}]},"));
  g_free(json);
  /* The ready line carries it too: `vgw up` reports the rollback from it. */
  json = vgw_status_to_ready_json(&st);
  g_assert_nonnull(strstr(
      json, ",\"config_source\":{\"generation\":2,\"skipped\":["
            "{\"generation\":3,\"reason\":\"payload-checksum\"},"
            "{\"generation\":null,\"reason\":\"header\"}]}}"));
  g_free(json);
  char *text = vgw_status_to_text(&st);
  g_assert_nonnull(strstr(text, "Rolled back:  flash generation 3 skipped "
                                "(payload-checksum)\n"));
  g_assert_nonnull(strstr(text, "Rolled back:  a flash slot of unknown "
                                "generation skipped (header)\n"));
  g_free(text);
}

/* Proxies in status: each with its state, last response and failovers;
 * what is not known is null. */
static void test_status_proxies(void) {
  VgwStatus st;
  memset(&st, 0, sizeof(st));
  fake_status(&st, NULL);
  st.n_proxies = 2;
  st.proxies[0] = (VgwStatusProxy){
      .set = 1, .set_name = "ITSP", .ip_index = 0,
      .configured = "proxy.lab.test:5070", .address = "10.0.2.2",
      .resolved_by = "dns2ip", .port = 5070, .transport = "udp",
      .state = "down", .reason = "timeout", .last_code = 200,
      .last_response_age_s = 31, .active = FALSE, .failovers = 1};
  st.proxies[1] = (VgwStatusProxy){
      .set = 1, .set_name = "ITSP", .ip_index = 1,
      .configured = "nowhere.test", .transport = "tls",
      .state = "unresolved", .reason = "nowhere.test: Name or service not known",
      .last_response_age_s = -1, .connection = 0, .failovers = 1};
  char *json = vgw_status_to_json(&st);
  g_assert_nonnull(strstr(
      json, ",\"proxies\":[{\"set\":1,\"set_name\":\"ITSP\",\"ip_index\":0,"
            "\"configured\":\"proxy.lab.test:5070\",\"address\":\"10.0.2.2\","
            "\"resolved_by\":\"dns2ip\",\"port\":5070,\"transport\":\"udp\","
            "\"state\":\"down\",\"reason\":\"timeout\","
            "\"last_response\":{\"code\":200,\"age_s\":31},"
            "\"connection\":null,\"active\":false,\"failovers\":1},"
            "{\"set\":1,\"set_name\":\"ITSP\",\"ip_index\":1,"
            "\"configured\":\"nowhere.test\",\"address\":null,"
            "\"resolved_by\":null,\"port\":0,\"transport\":\"tls\","
            "\"state\":\"unresolved\","
            "\"reason\":\"nowhere.test: Name or service not known\","
            "\"last_response\":null,\"connection\":null,\"active\":false,"
            "\"failovers\":1}],\"tls\":null,"));
  g_free(json);
  char *text = vgw_status_to_text(&st);
  g_assert_nonnull(strstr(text, "Proxy:        set 1 (ITSP) #0 proxy.lab.test:5070 "
                                "= 10.0.2.2:5070/udp down (timeout), last "
                                "response 200 31 s ago, 1 failovers\n"));
  g_free(text);
}

/* The TLS listener in status: an object when it runs. */
static void test_status_tls(void) {
  VgwStatus st;
  memset(&st, 0, sizeof(st));
  fake_status(&st, NULL);
  st.tls = (VgwStatusTls){
      .present = TRUE,
      .port = 5061,
      .key_source = "engine",
      .slot = 0,
      .key_type = "rsa-2048",
      .subject = "CN=ACL_VGW1",
      .cert_sha256 = "ab12",
      .handshakes = 7,
      .failures = 3,
      .n_failure_reasons = 2,
      .failure_reasons = {{"version", 1}, {"evicted", 2}},
      .half_open = 1,
      .half_open_max = 64,
      .half_open_dropped = 2,
      .established = 1,
      .established_max = 128,
      .handshake_timeout_s = 10,
      .engine_signatures = 7,
      .key_updates = 4,
  };
  st.tls_keylog = (VgwStatusTlsKeylog){
      .present = TRUE,
      .on = TRUE,
      .context = -1,
      .expires_in_s = 60,
      .lines = 5,
      .max_lines = 4096,
      .recorded = 5,
      .last_end = "none",
  };
  char *json = vgw_status_to_json(&st);
  g_assert_true(g_str_has_suffix(
      json, ",\"tls\":{\"port\":5061,\"key_source\":\"engine\",\"slot\":0,"
            "\"key_type\":\"rsa-2048\",\"subject\":\"CN=ACL_VGW1\","
            "\"cert_sha256\":\"ab12\",\"handshakes\":7,\"failures\":3,"
            "\"failure_reasons\":{\"version\":1,\"evicted\":2},"
            "\"connections\":2,\"half_open\":1,\"half_open_max\":64,"
            "\"half_open_dropped\":2,\"established\":1,"
            "\"established_max\":128,\"handshake_timeout_s\":10,"
            "\"engine_signatures\":7,\"key_updates\":4,\"rehandshakes\":0,"
            "\"client_handshakes\":0,"
            "\"client_failures\":0,\"client_failure_reasons\":{}},"
            "\"tls_keylog\":{\"on\":true,\"context\":null,"
            "\"expires_in_s\":60,\"lines\":5,\"max_lines\":4096,"
            "\"recorded\":5,\"dropped\":0,\"last_end\":\"none\"},"
            "\"sip\":null}"));
  g_free(json);
  st.tls.key_source = "software";
  st.tls.slot = -1;
  json = vgw_status_to_json(&st);
  g_assert_nonnull(strstr(json, "\"key_source\":\"software\",\"slot\":null,"));
  g_free(json);
  char *text = vgw_status_to_text(&st);
  g_assert_nonnull(strstr(text, "TLS:          port 5061, software key, "
                                "rsa-2048, CN=ACL_VGW1; 7 handshakes, 3 "
                                "failed, 1 half-open (of 64, 2 dropped), 1 "
                                "established (of 128)\n"));
  g_assert_nonnull(strstr(text, "TLS KEY LOG:  ON, TLS SECRETS ARE RECORDED "
                                "for every context; expires in 60 s; 5 lines "
                                "held (of 4096), 0 dropped\n"));
  g_free(text);
  st.tls_keylog = (VgwStatusTlsKeylog){
      .present = TRUE, .context = 0, .last_end = "expired"};
  json = vgw_status_to_json(&st);
  g_assert_nonnull(strstr(json, ",\"tls_keylog\":{\"on\":false,"
                                "\"context\":0,\"expires_in_s\":null,"));
  g_free(json);
  text = vgw_status_to_text(&st);
  g_assert_nonnull(
      strstr(text, "TLS key log:  off (last ended: expired)\n"));
  g_free(text);
}

/* The SIP transports in status: per transport counters, rejections by
 * reason, the TCP connection fields only on TCP. */
static void test_status_sip(void) {
  VgwStatus st;
  memset(&st, 0, sizeof(st));
  fake_status(&st, NULL);
  st.sip = (VgwStatusSip){
      .present = TRUE,
      .n_transports = 2,
      .transports = {
          {.name = "udp", .received = 5, .sent = 4, .n_rejected = 1,
           .rejected = {{"bad-cseq", 1}}},
          {.name = "tcp", .received = 3, .sent = 2, .n_rejected = 2,
           .rejected = {{"content-length-missing", 1},
                        {"connection-limit", 2}},
           .stream = TRUE, .connections = 1, .connections_max = 256,
           .accepted = 4, .closed_idle = 1, .idle_timeout_s = 300,
           .pings = 2, .outgoing = 1, .opened = 2, .connect_failures = 1,
           .pings_sent = 5, .pongs = 4, .ping_timeouts = 1,
           .messages_per_turn = 4, .deferred = 7},
      },
      .server_transactions = 1,
      .retransmissions = 6,
      .send_errors = 0,
      .client_transactions = 1,
      .peer_failures = 2,
      .registrations = 3,
  };
  char *json = vgw_status_to_json(&st);
  g_assert_true(g_str_has_suffix(
      json, ",\"sip\":{\"server_transactions\":1,\"retransmissions\":6,"
            "\"send_errors\":0,\"client_transactions\":1,"
            "\"peer_failures\":2,\"registrations\":3,"
            "\"udp\":{\"received\":5,\"sent\":4,"
            "\"rejected\":{\"bad-cseq\":1}},"
            "\"tcp\":{\"received\":3,\"sent\":2,"
            "\"rejected\":{\"content-length-missing\":1,"
            "\"connection-limit\":2},\"connections\":1,"
            "\"connections_max\":256,\"accepted\":4,\"closed_idle\":1,"
            "\"idle_timeout_s\":300,\"pings\":2,\"outgoing\":1,"
            "\"opened\":2,\"connect_failures\":1,\"pings_sent\":5,"
            "\"pongs\":4,\"ping_timeouts\":1,\"messages_per_turn\":4,"
            "\"deferred\":7},"
            "\"test_extension\":null,\"calls\":null}}"));
  g_free(json);
  st.sip.test_extension = (VgwStatusTestExtension){
      .present = TRUE, .calls = 3, .active = 1, .echoed_packets = 250};
  json = vgw_status_to_json(&st);
  g_assert_true(g_str_has_suffix(
      json, ",\"test_extension\":{\"calls\":3,\"active\":1,"
            "\"echoed_packets\":250},\"calls\":null}}"));
  g_free(json);
  st.sip.calls = (VgwStatusCalls){.present = TRUE, .in_progress = 2,
                                  .total = 9};
  json = vgw_status_to_json(&st);
  g_assert_true(g_str_has_suffix(
      json, "\"calls\":{\"in_progress\":2,\"total\":9}}}"));
  g_free(json);
  char *text = vgw_status_to_text(&st);
  g_assert_nonnull(strstr(text, "Test call:    3 calls answered, 1 active, "
                                "250 RTP packets echoed\n"));
  g_assert_nonnull(strstr(text, "SIP udp       5 received, 4 sent, 1 rejected "
                                "(bad-cseq 1)\n"));
  g_assert_nonnull(strstr(text, "SIP tcp       3 received, 2 sent, 3 rejected "
                                "(content-length-missing 1, connection-limit "
                                "2); 1 connections (of 256), 4 accepted, 1 "
                                "closed idle after 300 s, 2 pings; 1 opened by us "
                                "now, 2 opened, 1 failed to connect\n"));
  g_assert_nonnull(strstr(text, "0 send errors, 3 contacts registered\n"));
  g_assert_nonnull(strstr(text, "Calls:        2 in progress, 9 routed "
                                "(vgw sip calls)\n"));
  g_free(text);
}

/* new_session returns a session accepting the factory login Admin/Admin,
 * whose password the registry holds in stored form. */
static VgwMgmtSession *new_session(void) {
  gssize p = vgw_param_find_global("MaintenancePassword", 19);
  g_assert_cmpint(p, >=, 0);
  return vgw_mgmt_session_new("Admin", vgw_param_global((gsize)p)->default_text,
                              fake_status, NULL);
}

/* run feeds |line| at |now| seconds and returns the output (caller frees),
 * storing delay and action. */
static char *run(VgwMgmtSession *s, const char *line, gint64 now_s,
                 guint *delay, VgwMgmtAction *action) {
  VgwMgmtResult r;
  vgw_mgmt_session_handle_line(s, line, FALSE, now_s * G_USEC_PER_SEC, &r);
  if (delay != NULL) {
    *delay = r.delay_ms;
  }
  if (action != NULL) {
    *action = r.action;
  }
  char *out = g_steal_pointer(&r.output);
  vgw_mgmt_result_clear(&r);
  return out;
}

static void expect(VgwMgmtSession *s, const char *line, gint64 now_s,
                   const char *want) {
  char *out = run(s, line, now_s, NULL, NULL);
  g_assert_cmpstr(out, ==, want);
  g_free(out);
}

static void test_login(void) {
  VgwMgmtSession *s = new_session();
  expect(s, "@1 status", 1, "@1 error {\"error\":\"login required\"}\n");
  expect(s, "@1 reset", 1, "@1 error {\"error\":\"login required\"}\n");
  guint delay = 0;
  g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                        "*login failed for user \"Admin\"*");
  char *out = run(s, "@2 login Admin secret", 2, &delay, NULL);
  g_test_assert_expected_messages();
  g_assert_cmpstr(out, ==, "@2 error {\"error\":\"login failed\"}\n");
  g_assert_cmpuint(delay, ==, 1000);
  g_free(out);
  g_assert_false(vgw_mgmt_session_logged_in(s, 2 * G_USEC_PER_SEC));
  expect(s, "@3 login Admin", 3,
         "@3 error {\"error\":\"usage: login <user> <password>\"}\n");
  out = run(s, "@4 login Admin Admin", 4, &delay, NULL);
  g_assert_cmpstr(out, ==, "@4 ok {\"user\":\"Admin\"}\n");
  g_assert_cmpuint(delay, ==, 0);
  g_free(out);
  char *want = g_strdup_printf("@5 ok %s\n", STATUS_JSON);
  expect(s, "@5 status", 5, want);
  g_free(want);
  expect(s, "@6 logout", 6, "@6 ok {}\n");
  expect(s, "@7 status", 7, "@7 error {\"error\":\"login required\"}\n");
  vgw_mgmt_session_free(s);
}

static void test_idle_timeout(void) {
  VgwMgmtSession *s = new_session();
  g_free(run(s, "@1 login Admin Admin", 10, NULL, NULL));
  g_free(run(s, "@2 status", 300, NULL, NULL));
  g_assert_true(vgw_mgmt_session_logged_in(s, 599 * G_USEC_PER_SEC));
  expect(s, "@3 status", 601, "@3 error {\"error\":\"login required\"}\n");
  vgw_mgmt_session_free(s);
}

static void test_verbs(void) {
  VgwMgmtSession *s = new_session();
  g_free(run(s, "@1 login Admin Admin", 1, NULL, NULL));
  VgwMgmtAction action = VGW_MGMT_ACTION_NONE;
  char *out = run(s, "@w debug watchdog-stall", 1, NULL, &action);
  g_assert_cmpstr(out, ==, "@w ok {}\n");
  g_assert_cmpint(action, ==, VGW_MGMT_ACTION_WATCHDOG_STALL);
  g_free(out);
  out = run(s, "@c debug crash", 1, NULL, &action);
  g_assert_cmpstr(out, ==, "@c ok {}\n");
  g_assert_cmpint(action, ==, VGW_MGMT_ACTION_CRASH);
  g_free(out);
  out = run(s, "@d debug", 1, NULL, &action);
  g_assert_cmpint(action, ==, VGW_MGMT_ACTION_NONE);
  g_assert_cmpstr(out, ==,
                  "@d error {\"error\":\"usage: debug watchdog-stall|crash\"}\n");
  g_free(out);
  expect(s, "@e frobnicate", 1, "@e error {\"error\":\"unknown verb: frobnicate\"}\n");
  expect(s, "@f status now", 1, "@f error {\"error\":\"unexpected arguments\"}\n");
  expect(s, "@g x \"open", 1,
         "@g error {\"error\":\"unterminated quoted argument\"}\n");
  out = run(s, "@bad.id status", 1, NULL, NULL);
  g_assert_true(g_str_has_prefix(out, "Error: "));
  g_free(out);

  VgwMgmtResult r;
  vgw_mgmt_session_handle_line(s, "@big x aaaa", TRUE, G_USEC_PER_SEC, &r);
  g_assert_cmpstr(r.output, ==, "@big error {\"error\":\"line too long\"}\n");
  g_assert_true(r.machine);
  vgw_mgmt_result_clear(&r);
  vgw_mgmt_session_free(s);
}

/* A verb set of another module, as TLS adds debug tls-key. */
static void verb_tls_key(const VgwMgmtCall *c, VgwMgmtReply *out) {
  g_assert_cmpstr(c->argv[0], ==, "debug");
  g_assert_cmpuint(c->argc, ==, 2);
  vgw_reply_ok(out, g_string_new("{\"handled\":true}"));
}

static int ended;

static void count_end(gpointer data) { ended++; }

static const VgwMgmtVerb extra_verbs[] = {
    {"debug tls-key", "engine|software", "switch keys", 0, verb_tls_key},
};
static const VgwMgmtVerbSet extra_set = {extra_verbs,
                                         G_N_ELEMENTS(extra_verbs), count_end};

static void test_added_verbs(void) {
  VgwMgmtSession *s = new_session();
  vgw_mgmt_session_add_verbs(s, &extra_set, NULL);
  expect(s, "@1 debug tls-key software", 1,
         "@1 error {\"error\":\"login required\"}\n");
  g_free(run(s, "@1 login Admin Admin", 1, NULL, NULL));
  expect(s, "@2 debug tls-key software", 1, "@2 ok {\"handled\":true}\n");
  VgwMgmtAction action = VGW_MGMT_ACTION_NONE;
  char *out = run(s, "@3 debug crash", 1, NULL, &action);
  g_assert_cmpstr(out, ==, "@3 ok {}\n");
  g_assert_cmpint(action, ==, VGW_MGMT_ACTION_CRASH);
  g_free(out);
  /* The family of debug verbs is listed from the registry. */
  expect(s, "@4 debug nothing", 1,
         "@4 error {\"error\":\"usage: debug watchdog-stall|crash|"
         "tls-key\"}\n");
  /* Help lists every verb of every set, the added ones included. */
  out = run(s, "help", 1, NULL, NULL);
  g_assert_nonnull(strstr(out, "\n  debug tls-key engine|software  "));
  g_assert_nonnull(strstr(out, "\n  login <user> <password> "));
  g_free(out);
  out = run(s, "@5 help", 1, NULL, NULL);
  g_assert_true(g_str_has_prefix(out, "@5 ok {\"verbs\":[{\"name\":\"help\""));
  g_assert_nonnull(strstr(out, "{\"name\":\"debug tls-key\",\"usage\":"
                               "\"engine|software\",\"summary\":"
                               "\"switch keys\"}]}\n"));
  g_free(out);
  /* A logout ends the session for every set. */
  ended = 0;
  expect(s, "@6 logout", 1, "@6 ok {}\n");
  g_assert_cmpint(ended, ==, 1);
  vgw_mgmt_session_free(s);
}

/* feed sends |len| raw bytes and collects everything the session answers
 * to them (caller frees), counting hang-ups in |*hangups|. */
static char *feed(VgwMgmtSession *s, const char *bytes, gsize len,
                  gint64 now_s, guint *hangups) {
  GString *all = g_string_new(NULL);
  VgwMgmtResult r;
  vgw_mgmt_session_feed(s, bytes, len);
  while (vgw_mgmt_session_next(s, now_s * G_USEC_PER_SEC, &r)) {
    g_string_append(all, r.output);
    *hangups += r.hangup;
    vgw_mgmt_result_clear(&r);
  }
  return g_string_free(all, FALSE);
}

/* A NUL byte (the break the board sends when a host client connects or
 * hangs up) ends the session: the next client is not logged in, and a
 * half line left by the previous one does not spoil its first request. */
static void test_break(void) {
  VgwMgmtSession *s = new_session();
  guint hangups = 0;
  static const char first[] = "\0@1 login Admin Admin\n@2 status\n@3 sta\0";
  char *out = feed(s, first, sizeof(first) - 1, 1, &hangups);
  g_assert_true(g_str_has_prefix(out, "@1 ok {\"user\":\"Admin\"}\n@2 ok {"));
  g_assert_null(strstr(out, "@3"));
  g_assert_cmpuint(hangups, ==, 2);
  g_assert_false(vgw_mgmt_session_logged_in(s, G_USEC_PER_SEC));
  g_free(out);
  static const char second[] = "\0@4 status\n";
  out = feed(s, second, sizeof(second) - 1, 2, &hangups);
  g_assert_cmpstr(out, ==, "@4 error {\"error\":\"login required\"}\n");
  g_assert_cmpuint(hangups, ==, 3);
  g_free(out);
  /* A line and an immediate hang-up: the line is still answered (to no
   * one), then the session ends. */
  static const char third[] = "@5 login Admin Admin\n\0@6 status\n";
  out = feed(s, third, sizeof(third) - 1, 3, &hangups);
  g_assert_cmpstr(out, ==, "@5 ok {\"user\":\"Admin\"}\n"
                           "@6 error {\"error\":\"login required\"}\n");
  g_free(out);
  vgw_mgmt_session_free(s);
}

/* A login always starts a fresh session: a failed one ends the login in
 * force, and every set forgets its session state. */
static void test_new_login(void) {
  VgwMgmtSession *s = new_session();
  vgw_mgmt_session_add_verbs(s, &extra_set, NULL);
  g_free(run(s, "@1 login Admin Admin", 1, NULL, NULL));
  ended = 0;
  g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                        "*session of Admin ended: new login*");
  g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                        "*login failed for user \"Admin\"*");
  g_free(run(s, "@2 login Admin wrong", 1, NULL, NULL));
  g_test_assert_expected_messages();
  g_assert_cmpint(ended, ==, 1);
  expect(s, "@3 status", 1, "@3 error {\"error\":\"login required\"}\n");
  vgw_mgmt_session_free(s);
}

static void test_human(void) {
  VgwMgmtSession *s = new_session();
  expect(s, "", 1, "vgw> ");
  char *out = run(s, "help", 1, NULL, NULL);
  g_assert_nonnull(strstr(out, "login <user> <password>"));
  g_assert_true(g_str_has_suffix(out, "vgw> "));
  g_free(out);
  expect(s, "status", 1,
         "Error: login required (login <user> <password>)\nvgw> ");
  guint delay = 0;
  g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE,
                        "*login failed for user \"Admin\"*");
  out = run(s, "login Admin nope", 1, &delay, NULL);
  g_test_assert_expected_messages();
  g_assert_cmpstr(out, ==, "Error: login failed\nvgw> ");
  g_assert_cmpuint(delay, ==, 1000);
  g_free(out);
  expect(s, "login  Admin  Admin ", 2, "Logged in as Admin.\nvgw> ");
  out = run(s, "status", 3, NULL, NULL);
  g_assert_nonnull(strstr(out, "Serial:       VGW\"1\n"));
  g_assert_true(g_str_has_suffix(out, "vgw> "));
  g_free(out);
  expect(s, "bogus", 3, "Error: unknown command: bogus (try help)\nvgw> ");
  expect(s, " \t ", 3, "vgw> ");
  expect(s, "logout", 3, "Logged out.\nvgw> ");
  vgw_mgmt_session_free(s);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mgmt/status/json", test_status_json);
  g_test_add_func("/mgmt/status/config-source", test_status_config_source);
  g_test_add_func("/mgmt/status/tls", test_status_tls);
  g_test_add_func("/mgmt/status/proxies", test_status_proxies);
  g_test_add_func("/mgmt/status/sip", test_status_sip);
  g_test_add_func("/mgmt/session/added-verbs", test_added_verbs);
  g_test_add_func("/mgmt/session/break", test_break);
  g_test_add_func("/mgmt/session/new-login", test_new_login);
  g_test_add_func("/mgmt/session/login", test_login);
  g_test_add_func("/mgmt/session/idle-timeout", test_idle_timeout);
  g_test_add_func("/mgmt/session/verbs", test_verbs);
  g_test_add_func("/mgmt/session/human", test_human);
  return g_test_run();
}
