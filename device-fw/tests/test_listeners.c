/* The SIP Interfaces' listeners on the host, on 127.0.0.1 as the LAN
 * address: each interface answers on its own ports, a connection beyond
 * an interface's bound is refused and counted while the other interface
 * still admits, and a row deleted live stops answering and closes the
 * connections accepted on it while the remaining interface goes on. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/sockets.h"
#include "param_ini.h"
#include "sip_message.h"
#include "vgwd/listeners.h"

/* Main-loop turns a test waits for the gateway's side before it gives up
 * (each turn sleeps 1 ms when there is nothing to do). */
#define MAX_TURNS 20000

typedef struct {
  VgwSipTransport *sip;
  VgwListeners *listeners;
  guint16 port[2];
} Fixture;

/* Answers 200, with the SIPInterface row the request came in on as the
 * To tag ("if<row>"). */
static void answer(SipTxnLayer *layer, SipTxn *txn, const osip_message_t *req,
                   const SipPeer *from, gpointer data) {
  if (txn != NULL) {
    char *tag = g_strdup_printf("if%u", from->interface);
    sip_txn_respond(txn, sip_response_options_ok(req, tag));
    g_free(tag);
  }
}

/* free_port is a port free for UDP and TCP on 127.0.0.1 (none of |avoid|). */
static guint16 free_port(guint16 avoid) {
  for (;;) {
    struct in_addr lo = {htonl(INADDR_LOOPBACK)};
    guint16 port = 0;
    int tcp = vgw_inet_bind(SOCK_STREAM, lo, 0, 1, &port, NULL);
    g_assert_cmpint(tcp, >=, 0);
    int udp = vgw_inet_bind(SOCK_DGRAM, lo, port, 0, NULL, NULL);
    close(tcp);
    if (udp >= 0) {
      close(udp);
      if (port != avoid) {
        return port;
      }
    }
  }
}

static VgwParamConfig *config(const char *rows) {
  char *ini = g_strconcat("[ SIPInterface ]\n"
                          "FORMAT Index = InterfaceName, NetworkInterface, "
                          "UDPPort, TCPPort, TLSPort;\n",
                          rows, "[ \\SIPInterface ]\n", NULL);
  VgwParamConfig *cfg = vgw_param_config_new();
  GError *error = NULL;
  g_assert_true(vgw_ini_load(cfg, ini, strlen(ini), "test.ini", VGW_INI_FULL,
                             NULL, &error));
  g_assert_no_error(error);
  g_free(ini);
  return cfg;
}

static void apply_rows(Fixture *f, gboolean both) {
  char *rows = g_strdup_printf(
      "SIPInterface 0 = \"first\", \"LAN\", %u, %u, 0;\n%s", f->port[0],
      f->port[0],
      both ? "" : "");
  if (both) {
    char *second = g_strdup_printf(
        "%sSIPInterface 3 = \"second\", \"LAN\", %u, %u, 0;\n", rows,
        f->port[1], f->port[1]);
    g_free(rows);
    rows = second;
  }
  VgwParamConfig *cfg = config(rows);
  vgw_listeners_apply(f->listeners, cfg);
  vgw_param_config_free(cfg);
  g_free(rows);
}

static void setup(Fixture *f, gconstpointer data) {
  VgwSipTransportLimits limits = {
      .max_connections = VGW_SIP_MAX_CONNECTIONS,
      .idle_timeout_s = VGW_SIP_IDLE_TIMEOUT_S,
      .max_send_backlog = VGW_SIP_MAX_SEND_BACKLOG,
      .max_interface_connections = 2};
  f->sip = vgw_sip_transport_new(&limits, answer, NULL);
  g_assert_nonnull(f->sip);
  f->listeners = vgw_listeners_new(f->sip);
  f->port[0] = free_port(0);
  f->port[1] = free_port(f->port[0]);
  apply_rows(f, TRUE);
  g_assert_false(vgw_listeners_complete(f->listeners)); /* no address yet */
  vgw_listeners_set_address(f->listeners, VGW_NETWORK_LAN, "127.0.0.1/8");
  g_assert_true(vgw_listeners_complete(f->listeners));
}

static void teardown(Fixture *f, gconstpointer data) {
  /* Without an address every listener closes. */
  vgw_listeners_set_address(f->listeners, VGW_NETWORK_LAN, NULL);
  VgwStatusListener st[8];
  g_assert_cmpuint(vgw_listeners_describe(f->listeners, st, 8), ==, 0);
}

static char *options(const char *transport, const char *branch) {
  return g_strdup_printf(
      "OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\n"
      "Via: SIP/2.0/%s 127.0.0.1:5999;rport;branch=z9hG4bK%s\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:t@test>;tag=1\r\nTo: <sip:gw@test>\r\n"
      "Call-ID: %s@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
      transport, branch, branch);
}

/* receive turns the main loop until |fd| (non-blocking) has bytes or is
 * closed; returns what recv() returned, bytes in |buf|. */
static ssize_t receive(int fd, char *buf, size_t size) {
  for (guint turn = 0; turn < MAX_TURNS; turn++) {
    ssize_t n = recv(fd, buf, size - 1, MSG_DONTWAIT);
    if (n >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
      if (n >= 0) {
        buf[n] = '\0';
      }
      return n;
    }
    if (!g_main_context_iteration(NULL, FALSE)) {
      g_usleep(1000);
    }
  }
  errno = ETIMEDOUT;
  return -1;
}

static int connect_to(int type, guint16 port) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = socket(AF_INET, type | SOCK_NONBLOCK, 0);
  g_assert_cmpint(fd, >=, 0);
  if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
      errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

/* ask_on sends an OPTIONS on |fd| and returns whether 200 came back,
 * from SIPInterface |row| when |row| >= 0. */
static gboolean ask_on(int fd, const char *transport, const char *branch,
                       int row) {
  char *req = options(transport, branch);
  char buf[2048];
  gboolean ok = FALSE;
  /* A TCP connect completes in the loop; send once it is writable. */
  for (guint turn = 0; turn < MAX_TURNS; turn++) {
    if (send(fd, req, strlen(req), MSG_NOSIGNAL) == (ssize_t)strlen(req)) {
      char *tag = g_strdup_printf(";tag=if%d\r\n", row);
      ok = receive(fd, buf, sizeof(buf)) > 0 &&
           g_str_has_prefix(buf, "SIP/2.0 200 ") &&
           (row < 0 || strstr(buf, tag) != NULL);
      g_free(tag);
      break;
    }
    if (errno != EAGAIN && errno != ENOTCONN) {
      break;
    }
    g_main_context_iteration(NULL, FALSE);
  }
  g_free(req);
  return ok;
}

static gboolean ask(int fd, const char *transport, const char *branch) {
  return ask_on(fd, transport, branch, -1);
}

/* closed_by_gateway says whether the gateway closed |fd| (EOF or reset). */
static gboolean closed_by_gateway(int fd) {
  char buf[64];
  return receive(fd, buf, sizeof(buf)) <= 0 && errno != ETIMEDOUT;
}

static const VgwStatusListener *find(const VgwStatusListener *st, size_t n,
                                     const char *transport, guint16 port) {
  for (size_t i = 0; i < n; i++) {
    if (strcmp(st[i].transport, transport) == 0 && st[i].port == port) {
      return &st[i];
    }
  }
  return NULL;
}

static void test_each_interface_answers(Fixture *f, gconstpointer data) {
  VgwStatusListener st[8];
  size_t n = vgw_listeners_describe(f->listeners, st, 8);
  g_assert_cmpuint(n, ==, 4);
  const VgwStatusListener *second = find(st, n, "tcp", f->port[1]);
  g_assert_nonnull(second);
  g_assert_cmpstr(second->interface, ==, "second");
  g_assert_cmpstr(second->network, ==, "LAN");
  g_assert_cmpstr(second->address, ==, "127.0.0.1");
  g_assert_true(second->stream);
  g_assert_false(find(st, n, "udp", f->port[0])->stream);

  for (int i = 0; i < 2; i++) {
    int udp = connect_to(SOCK_DGRAM, f->port[i]);
    int tcp = connect_to(SOCK_STREAM, f->port[i]);
    /* Each request is known to come in on its interface (rows 0, 3). */
    g_assert_true(ask_on(udp, "UDP", i ? "u1" : "u0", i ? 3 : 0));
    g_assert_true(ask_on(tcp, "TCP", i ? "t1" : "t0", i ? 3 : 0));
    close(udp);
    close(tcp);
  }
}

static void test_interface_bound(Fixture *f, gconstpointer data) {
  int held[2];
  for (int i = 0; i < 2; i++) {
    held[i] = connect_to(SOCK_STREAM, f->port[0]);
    g_assert_true(ask(held[i], "TCP", i ? "h1" : "h0"));
  }
  int extra = connect_to(SOCK_STREAM, f->port[0]);
  g_assert_true(closed_by_gateway(extra));
  close(extra);

  VgwStatusListener st[8];
  size_t n = vgw_listeners_describe(f->listeners, st, 8);
  const VgwStatusListener *first = find(st, n, "tcp", f->port[0]);
  g_assert_cmpuint(first->connections, ==, 2);
  g_assert_cmpuint(first->refused, ==, 1);
  g_assert_cmpuint(find(st, n, "tcp", f->port[1])->refused, ==, 0);

  /* The other interface has its own bound. */
  int other = connect_to(SOCK_STREAM, f->port[1]);
  g_assert_true(ask(other, "TCP", "o1"));
  /* Held connections are still served. */
  g_assert_true(ask(held[0], "TCP", "h2"));
  close(other);
  for (int i = 0; i < 2; i++) {
    close(held[i]);
  }
}

static void test_row_deleted_live(Fixture *f, gconstpointer data) {
  int on_second = connect_to(SOCK_STREAM, f->port[1]);
  int on_first = connect_to(SOCK_STREAM, f->port[0]);
  g_assert_true(ask(on_second, "TCP", "d0"));
  g_assert_true(ask(on_first, "TCP", "d1"));

  apply_rows(f, FALSE);
  g_assert_true(vgw_listeners_complete(f->listeners));
  VgwStatusListener st[8];
  size_t n = vgw_listeners_describe(f->listeners, st, 8);
  g_assert_cmpuint(n, ==, 2);
  g_assert_null(find(st, n, "tcp", f->port[1]));

  /* The deleted interface's connection is closed, its ports refuse. */
  g_assert_true(closed_by_gateway(on_second));
  close(on_second);
  int tcp = connect_to(SOCK_STREAM, f->port[1]);
  g_assert_true(tcp < 0 || closed_by_gateway(tcp));
  if (tcp >= 0) {
    close(tcp);
  }
  int udp = connect_to(SOCK_DGRAM, f->port[1]);
  g_assert_false(ask(udp, "UDP", "d2"));
  close(udp);

  /* The remaining one goes on, its connection too. */
  g_assert_true(ask(on_first, "TCP", "d3"));
  udp = connect_to(SOCK_DGRAM, f->port[0]);
  g_assert_true(ask(udp, "UDP", "d4"));
  close(udp);
  close(on_first);
}

/* A row whose ports change live moves: its old port refuses, its new one
 * answers; the unchanged row keeps its listeners and connections. */
static void test_row_changed_live(Fixture *f, gconstpointer data) {
  int on_first = connect_to(SOCK_STREAM, f->port[0]);
  g_assert_true(ask(on_first, "TCP", "c0"));
  guint16 moved = free_port(f->port[0]);
  char *rows = g_strdup_printf(
      "SIPInterface 0 = \"first\", \"LAN\", %u, %u, 0;\n"
      "SIPInterface 3 = \"second\", \"LAN\", %u, %u, 0;\n",
      f->port[0], f->port[0], moved, moved);
  VgwParamConfig *cfg = config(rows);
  vgw_listeners_apply(f->listeners, cfg);
  vgw_param_config_free(cfg);
  g_free(rows);

  int old_port = connect_to(SOCK_STREAM, f->port[1]);
  g_assert_true(old_port < 0 || closed_by_gateway(old_port));
  if (old_port >= 0) {
    close(old_port);
  }
  int udp = connect_to(SOCK_DGRAM, moved);
  int tcp = connect_to(SOCK_STREAM, moved);
  g_assert_true(ask_on(udp, "UDP", "c1", 3));
  g_assert_true(ask_on(tcp, "TCP", "c2", 3));
  g_assert_true(ask_on(on_first, "TCP", "c3", 0));
  close(udp);
  close(tcp);
  close(on_first);
}

/* vgw_listeners_port: the first interface's listener on the address, by
 * transport, as the interfaces are now (row 0 moved live), and none for a
 * transport or an address nothing listens on. */
static void test_port(Fixture *f, gconstpointer data) {
  g_assert_cmpuint(vgw_listeners_port(f->listeners, "127.0.0.1",
                                      SIP_TRANSPORT_UDP), ==, f->port[0]);
  g_assert_cmpuint(vgw_listeners_port(f->listeners, "127.0.0.1",
                                      SIP_TRANSPORT_TCP), ==, f->port[0]);
  g_assert_cmpuint(vgw_listeners_port(f->listeners, "127.0.0.1",
                                      SIP_TRANSPORT_TLS), ==, 0);
  g_assert_cmpuint(vgw_listeners_port(f->listeners, "10.0.2.15",
                                      SIP_TRANSPORT_UDP), ==, 0);

  guint16 moved = free_port(f->port[1]);
  char *rows = g_strdup_printf(
      "SIPInterface 0 = \"first\", \"LAN\", %u, 0, 0;\n"
      "SIPInterface 3 = \"second\", \"LAN\", %u, %u, 0;\n",
      moved, f->port[1], f->port[1]);
  VgwParamConfig *cfg = config(rows);
  vgw_listeners_apply(f->listeners, cfg);
  vgw_param_config_free(cfg);
  g_free(rows);
  g_assert_cmpuint(vgw_listeners_port(f->listeners, "127.0.0.1",
                                      SIP_TRANSPORT_UDP), ==, moved);
  g_assert_cmpuint(vgw_listeners_port(f->listeners, "127.0.0.1",
                                      SIP_TRANSPORT_TCP), ==, f->port[1]);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  sip_message_library_init();
  g_test_add("/listeners/each-interface-answers", Fixture, NULL, setup,
             test_each_interface_answers, teardown);
  g_test_add("/listeners/interface-bound", Fixture, NULL, setup,
             test_interface_bound, teardown);
  g_test_add("/listeners/row-deleted-live", Fixture, NULL, setup,
             test_row_deleted_live, teardown);
  g_test_add("/listeners/port", Fixture, NULL, setup, test_port, teardown);
  g_test_add("/listeners/row-changed-live", Fixture, NULL, setup,
             test_row_changed_live, teardown);
  return g_test_run();
}
