/* Unit tests for one Proxy Set's redundancy rules (sip_proxy_set.h) with
 * canned events and a clock the test moves. */
#include <string.h>

#include "sip_proxy_set.h"

#define SECOND 1000

typedef struct {
  SipProxySet *set;
  gint64 now;
  GString *events; /* "down 0, failover 1, ..." */
} Fixture;

static const char *event_name(SipProxyEvent e) {
  switch (e) {
    case SIP_PROXY_EVENT_UP:
      return "up";
    case SIP_PROXY_EVENT_DOWN:
      return "down";
    case SIP_PROXY_EVENT_FAILOVER:
      return "failover";
    case SIP_PROXY_EVENT_HOMING:
      return "homing";
  }
  return "?";
}

static void record(SipProxySet *set, SipProxyEvent event, guint proxy,
                   gpointer data) {
  GString *events = data;
  g_string_append_printf(events, "%s%s %u", events->len ? ", " : "",
                         event_name(event), proxy);
}

static SipProxySetConfig config(SipKeepAliveMethod keepalive,
                                SipRedundancy redundancy) {
  return (SipProxySetConfig){.keepalive = keepalive,
                             .keepalive_s = 60,
                             .balancing = SIP_BALANCING_OFF,
                             .redundancy = redundancy};
}

static SipProxyTarget target(guint ip_index, const char *address) {
  SipProxyTarget t = {.ip_index = ip_index,
                      .peer = {SIP_TRANSPORT_UDP, "", 5060, 0}};
  g_strlcpy(t.peer.address, address, sizeof(t.peer.address));
  return t;
}

/* A set of |n| proxies 10.0.0.1 .. 10.0.0.n at ProxyIpIndex 0 .. n-1. */
static void setup_set(Fixture *f, const SipProxySetConfig *cfg, guint n) {
  SipProxyTarget t[SIP_PROXY_SET_MAX_PROXIES];

  f->now = 5000;
  f->events = g_string_new(NULL);
  f->set = sip_proxy_set_new(cfg, record, f->events);
  for (guint i = 0; i < n; i++) {
    char address[16];
    g_snprintf(address, sizeof(address), "10.0.0.%u", i + 1);
    t[i] = target(i, address);
  }
  sip_proxy_set_set_targets(f->set, t, n, f->now);
}

static void teardown_set(Fixture *f) {
  sip_proxy_set_free(f->set);
  g_string_free(f->events, TRUE);
}

static guint pick(Fixture *f) {
  guint i = G_MAXUINT;
  g_assert_true(sip_proxy_set_pick(f->set, f->now, 0, &i));
  return i;
}

static SipProxyState state(Fixture *f, guint i) {
  return sip_proxy_set_proxy(f->set, i)->state;
}

/* Takes every keep-alive due now and answers proxy i with codes[i]
 * (0: times out). */
static void keepalive_round(Fixture *f, const guint *codes) {
  guint i;
  guint taken = 0;

  while (sip_proxy_set_take_keepalive(f->set, f->now, &i)) {
    taken++;
    if (codes[i] == 0) {
      sip_proxy_set_failed(f->set, i, SIP_PROXY_FAILURE_TIMEOUT, TRUE,
                           f->now);
    } else {
      sip_proxy_set_answered(f->set, i, codes[i], TRUE, f->now);
    }
  }
  g_assert_cmpuint(taken, ==, sip_proxy_set_count(f->set));
}

static void test_parse_address(void) {
  char host[SIP_PROXY_HOST_LEN];
  guint16 port = 1;
  GError *error = NULL;

  g_assert_true(sip_proxy_address_parse("proxy.lab.test", host, &port,
                                        &error));
  g_assert_cmpstr(host, ==, "proxy.lab.test");
  g_assert_cmpuint(port, ==, 0);
  g_assert_true(sip_proxy_address_parse("10.0.2.2:15060", host, &port,
                                        &error));
  g_assert_cmpstr(host, ==, "10.0.2.2");
  g_assert_cmpuint(port, ==, 15060);

  char *long_name = g_strnfill(SIP_PROXY_HOST_LEN, 'a');
  const char *bad[] = {"", ":5060", "proxy:", "proxy:0", "proxy:65536",
                       "proxy:50x", "[::1]:5060", "pro xy", "proxy:5060:1",
                       "sip:proxy", long_name};
  for (gsize k = 0; k < G_N_ELEMENTS(bad); k++) {
    g_assert_false(sip_proxy_address_parse(bad[k], host, &port, &error));
    g_assert_error(error, SIP_PROXY_SET_ERROR,
                   SIP_PROXY_SET_ERROR_BAD_ADDRESS);
    g_clear_error(&error);
  }
  g_free(long_name);
}

/* Keep-alives go to every proxy at once, then ProxyKeepAliveTime after
 * each ended; one at a time per proxy. */
static void test_keepalive_schedule(void) {
  Fixture f;
  SipProxySetConfig cfg = config(SIP_KEEPALIVE_OPTIONS, SIP_REDUNDANCY_HOMING);
  guint i;

  setup_set(&f, &cfg, 2);
  g_assert_cmpint(sip_proxy_set_next_keepalive(f.set), ==, f.now);
  g_assert_true(sip_proxy_set_take_keepalive(f.set, f.now, &i));
  g_assert_cmpuint(i, ==, 0);
  g_assert_true(sip_proxy_set_take_keepalive(f.set, f.now, &i));
  g_assert_cmpuint(i, ==, 1);
  /* Both out: nothing planned. */
  g_assert_false(sip_proxy_set_take_keepalive(f.set, f.now, &i));
  g_assert_cmpint(sip_proxy_set_next_keepalive(f.set), ==, -1);

  f.now += 2 * SECOND;
  sip_proxy_set_answered(f.set, 1, 200, TRUE, f.now);
  g_assert_cmpint(sip_proxy_set_next_keepalive(f.set), ==,
                  f.now + 60 * SECOND);
  /* A provisional response does not end the keep-alive. */
  sip_proxy_set_answered(f.set, 0, 100, TRUE, f.now);
  g_assert_cmpint(state(&f, 0), ==, SIP_PROXY_UNKNOWN);
  g_assert_true(sip_proxy_set_proxy(f.set, 0)->keepalive_pending);
  f.now += 30 * SECOND;
  sip_proxy_set_failed(f.set, 0, SIP_PROXY_FAILURE_TIMEOUT, TRUE, f.now);
  g_assert_cmpint(sip_proxy_set_next_keepalive(f.set), ==,
                  f.now - 30 * SECOND + 60 * SECOND);
  g_assert_false(sip_proxy_set_take_keepalive(f.set, f.now + 29 * SECOND,
                                              &i));
  g_assert_true(sip_proxy_set_take_keepalive(f.set, f.now + 30 * SECOND, &i));
  g_assert_cmpuint(i, ==, 1);
  teardown_set(&f);

  /* Keep-alive off: nothing is ever due. */
  cfg = config(SIP_KEEPALIVE_OFF, SIP_REDUNDANCY_HOMING);
  setup_set(&f, &cfg, 2);
  g_assert_cmpint(sip_proxy_set_next_keepalive(f.set), ==, -1);
  g_assert_false(sip_proxy_set_take_keepalive(f.set, f.now, &i));
  /* Switched on: due at once. */
  cfg.keepalive = SIP_KEEPALIVE_REGISTER;
  sip_proxy_set_configure(f.set, &cfg, f.now + SECOND);
  g_assert_cmpint(sip_proxy_set_next_keepalive(f.set), ==, f.now + SECOND);
  teardown_set(&f);
}

/* KeepAliveFailureResp codes mark an OPTIONS keep-alive's proxy down;
 * other codes, any code for REGISTER, and routed requests mean alive. */
static void test_failure_response(void) {
  Fixture f;
  SipProxySetConfig cfg = config(SIP_KEEPALIVE_OPTIONS, SIP_REDUNDANCY_HOMING);

  cfg.n_failure_codes = 2;
  cfg.failure_codes[0] = 503;
  cfg.failure_codes[1] = 404;
  setup_set(&f, &cfg, 3);
  keepalive_round(&f, (const guint[]){503, 405, 404});
  g_assert_cmpint(state(&f, 0), ==, SIP_PROXY_DOWN);
  g_assert_cmpint(sip_proxy_set_proxy(f.set, 0)->failure, ==,
                  SIP_PROXY_FAILURE_RESPONSE);
  g_assert_cmpuint(sip_proxy_set_proxy(f.set, 0)->last_code, ==, 503);
  g_assert_cmpint(sip_proxy_set_proxy(f.set, 0)->last_response_ms, ==,
                  f.now);
  g_assert_cmpint(state(&f, 1), ==, SIP_PROXY_UP);
  g_assert_cmpint(state(&f, 2), ==, SIP_PROXY_DOWN);
  g_assert_cmpstr(f.events->str, ==, "down 0, failover 1, up 1, down 2");
  g_assert_cmpuint(pick(&f), ==, 1);
  /* A routed request answered 503 is an answer: alive. */
  sip_proxy_set_answered(f.set, 2, 503, FALSE, f.now);
  g_assert_cmpint(state(&f, 2), ==, SIP_PROXY_UP);
  teardown_set(&f);

  cfg.keepalive = SIP_KEEPALIVE_REGISTER;
  setup_set(&f, &cfg, 1);
  keepalive_round(&f, (const guint[]){503});
  g_assert_cmpint(state(&f, 0), ==, SIP_PROXY_UP);
  teardown_set(&f);

  /* An empty list: every response means alive. */
  cfg = config(SIP_KEEPALIVE_OPTIONS, SIP_REDUNDANCY_HOMING);
  setup_set(&f, &cfg, 1);
  keepalive_round(&f, (const guint[]){503});
  g_assert_cmpint(state(&f, 0), ==, SIP_PROXY_UP);
  teardown_set(&f);
}

/* Timeouts and transport errors mark down; a transport error also
 * forgets the connection. All down: no pick (503). */
static void test_all_down(void) {
  Fixture f;
  SipProxySetConfig cfg = config(SIP_KEEPALIVE_OPTIONS, SIP_REDUNDANCY_PARKING);
  guint i;

  setup_set(&f, &cfg, 2);
  g_assert_cmpint(state(&f, 0), ==, SIP_PROXY_UNKNOWN);
  g_assert_cmpuint(pick(&f), ==, 0); /* unknown proxies are used */
  sip_proxy_set_set_connection(f.set, 1, 7);
  g_assert_cmpuint(sip_proxy_set_proxy(f.set, 1)->target.peer.connection, ==,
                   7);
  sip_proxy_set_failed(f.set, 0, SIP_PROXY_FAILURE_TIMEOUT, FALSE, f.now);
  sip_proxy_set_failed(f.set, 1, SIP_PROXY_FAILURE_TRANSPORT, FALSE, f.now);
  g_assert_cmpuint(sip_proxy_set_proxy(f.set, 1)->target.peer.connection, ==,
                   0);
  g_assert_cmpint(sip_proxy_set_proxy(f.set, 1)->failure, ==,
                  SIP_PROXY_FAILURE_TRANSPORT);
  g_assert_false(sip_proxy_set_pick(f.set, f.now, 0, &i));
  g_assert_cmpuint(sip_proxy_set_failovers(f.set), ==, 1);
  g_assert_cmpstr(f.events->str, ==, "down 0, failover 1, down 1");
  /* With keep-alive on, only an answer brings one back. */
  g_assert_false(sip_proxy_set_pick(f.set, f.now + 3600 * SECOND, 0, &i));
  sip_proxy_set_answered(f.set, 1, 200, FALSE, f.now);
  g_assert_cmpuint(pick(&f), ==, 1);
  teardown_set(&f);
}

/* Homing: fail over to the next, return to the primary once it answers. */
static void test_homing(void) {
  Fixture f;
  SipProxySetConfig cfg = config(SIP_KEEPALIVE_OPTIONS, SIP_REDUNDANCY_HOMING);

  setup_set(&f, &cfg, 3);
  keepalive_round(&f, (const guint[]){200, 200, 200});
  g_assert_cmpint(sip_proxy_set_active(f.set), ==, 0);
  f.now += 60 * SECOND;
  keepalive_round(&f, (const guint[]){0, 200, 200});
  g_assert_cmpuint(pick(&f), ==, 1);
  g_assert_cmpuint(sip_proxy_set_failovers(f.set), ==, 1);
  f.now += 60 * SECOND;
  keepalive_round(&f, (const guint[]){200, 200, 200});
  g_assert_cmpuint(pick(&f), ==, 0);
  g_assert_cmpuint(sip_proxy_set_failovers(f.set), ==, 1);
  g_assert_cmpstr(f.events->str, ==,
                  "up 0, up 1, up 2, down 0, failover 1, up 0, homing 0");
  teardown_set(&f);
}

/* Parking: stay on the redundant proxy; move on only when it fails, in
 * order and round to the first. */
static void test_parking(void) {
  Fixture f;
  SipProxySetConfig cfg = config(SIP_KEEPALIVE_OPTIONS, SIP_REDUNDANCY_PARKING);

  setup_set(&f, &cfg, 3);
  keepalive_round(&f, (const guint[]){0, 200, 200});
  g_assert_cmpuint(pick(&f), ==, 1);
  f.now += 60 * SECOND;
  keepalive_round(&f, (const guint[]){200, 200, 200});
  g_assert_cmpuint(pick(&f), ==, 1);
  f.now += 60 * SECOND;
  keepalive_round(&f, (const guint[]){200, 0, 0});
  g_assert_cmpuint(pick(&f), ==, 0);
  g_assert_cmpuint(sip_proxy_set_failovers(f.set), ==, 3);
  g_assert_cmpstr(f.events->str, ==,
                  "down 0, failover 1, up 1, up 2, up 0, down 1, failover 2, "
                  "down 2, failover 0");
  teardown_set(&f);
}

/* Without keep-alive a down proxy is retried after ProxyKeepAliveTime. */
static void test_holdoff_without_keepalive(void) {
  Fixture f;
  SipProxySetConfig cfg = config(SIP_KEEPALIVE_OFF, SIP_REDUNDANCY_HOMING);

  setup_set(&f, &cfg, 2);
  sip_proxy_set_failed(f.set, 0, SIP_PROXY_FAILURE_TIMEOUT, FALSE, f.now);
  g_assert_cmpuint(pick(&f), ==, 1);
  f.now += 59 * SECOND;
  g_assert_cmpuint(pick(&f), ==, 1);
  f.now += SECOND;
  g_assert_cmpuint(pick(&f), ==, 0);
  g_assert_cmpint(state(&f, 0), ==, SIP_PROXY_UNKNOWN);
  teardown_set(&f);
}

/* IsProxyHotSwap: a failed request goes to the next usable proxy. */
static void test_hot_swap(void) {
  Fixture f;
  SipProxySetConfig cfg = config(SIP_KEEPALIVE_OPTIONS, SIP_REDUNDANCY_PARKING);
  guint i = G_MAXUINT;

  setup_set(&f, &cfg, 3);
  sip_proxy_set_failed(f.set, 1, SIP_PROXY_FAILURE_TIMEOUT, FALSE, f.now);
  sip_proxy_set_failed(f.set, 0, SIP_PROXY_FAILURE_TIMEOUT, FALSE, f.now);
  g_assert_false(sip_proxy_set_hot_swap(f.set, 0, f.now, &i));
  cfg.hot_swap = TRUE;
  sip_proxy_set_configure(f.set, &cfg, f.now);
  g_assert_true(sip_proxy_set_hot_swap(f.set, 0, f.now, &i));
  g_assert_cmpuint(i, ==, 2);
  sip_proxy_set_failed(f.set, 2, SIP_PROXY_FAILURE_TIMEOUT, FALSE, f.now);
  g_assert_false(sip_proxy_set_hot_swap(f.set, 2, f.now, &i));
  teardown_set(&f);
}

static void test_round_robin(void) {
  Fixture f;
  SipProxySetConfig cfg = config(SIP_KEEPALIVE_OPTIONS, SIP_REDUNDANCY_HOMING);

  cfg.balancing = SIP_BALANCING_ROUND_ROBIN;
  setup_set(&f, &cfg, 3);
  g_assert_cmpint(sip_proxy_set_active(f.set), ==, -1);
  g_assert_cmpuint(pick(&f), ==, 0);
  g_assert_cmpuint(pick(&f), ==, 1);
  g_assert_cmpuint(pick(&f), ==, 2);
  g_assert_cmpuint(pick(&f), ==, 0);
  sip_proxy_set_failed(f.set, 1, SIP_PROXY_FAILURE_TIMEOUT, FALSE, f.now);
  g_assert_cmpuint(pick(&f), ==, 2);
  g_assert_cmpuint(pick(&f), ==, 0);
  g_assert_cmpuint(pick(&f), ==, 2);
  g_assert_cmpuint(sip_proxy_set_failovers(f.set), ==, 1);
  teardown_set(&f);
}

/* Random weights, equal weights: the random number picks among the usable
 * proxies only. */
static void test_random_weights(void) {
  Fixture f;
  SipProxySetConfig cfg = config(SIP_KEEPALIVE_OPTIONS, SIP_REDUNDANCY_HOMING);
  guint i;

  cfg.balancing = SIP_BALANCING_RANDOM_WEIGHTS;
  setup_set(&f, &cfg, 3);
  for (guint32 r = 0; r < 6; r++) {
    g_assert_true(sip_proxy_set_pick(f.set, f.now, r, &i));
    g_assert_cmpuint(i, ==, r % 3);
  }
  sip_proxy_set_failed(f.set, 0, SIP_PROXY_FAILURE_TIMEOUT, FALSE, f.now);
  for (guint32 r = 0; r < 4; r++) {
    g_assert_true(sip_proxy_set_pick(f.set, f.now, r, &i));
    g_assert_cmpuint(i, ==, 1 + r % 2);
  }
  teardown_set(&f);
}

/* Re-resolving keeps what did not change: state, connection, schedule,
 * and the active proxy. */
static void test_targets_replaced(void) {
  Fixture f;
  SipProxySetConfig cfg = config(SIP_KEEPALIVE_OPTIONS, SIP_REDUNDANCY_PARKING);

  setup_set(&f, &cfg, 2);
  keepalive_round(&f, (const guint[]){0, 200});
  sip_proxy_set_set_connection(f.set, 1, 9);
  g_assert_cmpint(sip_proxy_set_active(f.set), ==, 1);

  SipProxyTarget t[] = {target(0, "10.0.0.9"), target(1, "10.0.0.2")};
  f.now += SECOND;
  sip_proxy_set_set_targets(f.set, t, 2, f.now);
  g_assert_cmpint(state(&f, 0), ==, SIP_PROXY_UNKNOWN);
  g_assert_cmpint(sip_proxy_set_proxy(f.set, 0)->keepalive_due_ms, ==, f.now);
  g_assert_cmpint(state(&f, 1), ==, SIP_PROXY_UP);
  g_assert_cmpuint(sip_proxy_set_proxy(f.set, 1)->target.peer.connection, ==,
                   9);
  g_assert_cmpint(sip_proxy_set_proxy(f.set, 1)->keepalive_due_ms, ==,
                  f.now - SECOND + 60 * SECOND);
  g_assert_cmpint(sip_proxy_set_active(f.set), ==, 1);
  g_assert_cmpint(sip_proxy_set_find(f.set, &t[0].peer), ==, 0);
  SipPeer tcp = t[0].peer;
  tcp.transport = SIP_TRANSPORT_TCP;
  g_assert_cmpint(sip_proxy_set_find(f.set, &tcp), ==, -1);

  /* The active proxy removed: the first usable one takes over. */
  sip_proxy_set_set_targets(f.set, t, 1, f.now);
  g_assert_cmpint(sip_proxy_set_active(f.set), ==, 0);
  sip_proxy_set_set_targets(f.set, t, 0, f.now);
  g_assert_cmpint(sip_proxy_set_active(f.set), ==, -1);
  guint i;
  g_assert_false(sip_proxy_set_pick(f.set, f.now, 0, &i));
  teardown_set(&f);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sip-proxy-set/parse-address", test_parse_address);
  g_test_add_func("/sip-proxy-set/keepalive-schedule",
                  test_keepalive_schedule);
  g_test_add_func("/sip-proxy-set/failure-response", test_failure_response);
  g_test_add_func("/sip-proxy-set/all-down", test_all_down);
  g_test_add_func("/sip-proxy-set/homing", test_homing);
  g_test_add_func("/sip-proxy-set/parking", test_parking);
  g_test_add_func("/sip-proxy-set/holdoff-without-keepalive",
                  test_holdoff_without_keepalive);
  g_test_add_func("/sip-proxy-set/hot-swap", test_hot_swap);
  g_test_add_func("/sip-proxy-set/round-robin", test_round_robin);
  g_test_add_func("/sip-proxy-set/random-weights", test_random_weights);
  g_test_add_func("/sip-proxy-set/targets-replaced", test_targets_replaced);
  return g_test_run();
}
