/* The TLS listener's connection bounds, failure reasons and stream
 * hand-off, on the host
 * (no crypto engine: the listener serves a software P-256 key, which
 * takes the same paths except where the signature is made).
 *
 * Idle TCP peers fill the half-open pool; each newcomer drops the oldest
 * of them, so a real client still completes its handshake while they are
 * held open. Established connections have their own bound. Each failure
 * is counted under its reason. Real BoringSSL clients run in threads with
 * blocking sockets while the test thread runs the listener's main loop;
 * every wait is for an event, never for a time. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/sockets.h"
#include "tls/tls_error.h"
#include "tls/tls_server.h"
#include "tls/tls_softkey.h"
#include "vgw_crypto.h"

#define HALF_OPEN_MAX 4
#define ESTABLISHED_MAX 2

typedef struct {
  VgwTlsServer *server;
  uint16_t port;
} Fixture;

static void fixture_start(Fixture *f) {
  GError *error = NULL;
  EVP_PKEY *key = NULL;
  X509 *cert = NULL;
  f->server = vgw_tls_server_start(0, NULL, &error);
  g_assert_no_error(error);
  g_assert_true(vgw_tls_softkey_make(VGW_KEY_TYPE_EC_P256, "ACL_LIMITS",
                                     1700000000, &key, &cert, &error));
  g_assert_no_error(error);
  g_assert_true(
      vgw_tls_server_set_software_identity(f->server, cert, key, &error));
  g_assert_no_error(error);
  g_assert_true(vgw_tls_server_use_software(f->server, TRUE));
  EVP_PKEY_free(key);
  X509_free(cert);
  vgw_tls_server_set_limits(f->server, HALF_OPEN_MAX, ESTABLISHED_MAX);
  f->port = vgw_tls_server_port(f->server);
}

static VgwTlsServerInfo info(const Fixture *f) {
  VgwTlsServerInfo i;
  vgw_tls_server_info(f->server, &i);
  return i;
}

/* A plain TCP connection to the listener (blocking). */
static int tcp_connect(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  g_assert_cmpint(fd, >=, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
  return fd;
}

/* wait_closed_by_server waits until the server has closed |fd| and
 * checks it: end of file (or a reset) is all there is to read. */
static void wait_closed_by_server(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  g_assert_cmpint(poll(&p, 1, -1), ==, 1);
  char c;
  g_assert_cmpint(recv(fd, &c, 1, MSG_DONTWAIT), <=, 0);
}

/* still_open tells that the server has not closed |fd|: an idle
 * connection has nothing to read. */
static gboolean still_open(int fd) {
  struct pollfd p = {.fd = fd, .events = POLLIN};
  return poll(&p, 1, 0) == 0;
}

/* Runs the main loop until the listener has counted |n| failures of
 * |reason|. */
static void run_until_failures(const Fixture *f, VgwTlsError reason,
                               guint64 n) {
  while (info(f).failures_by_reason[reason] < n) {
    g_main_context_iteration(NULL, TRUE);
  }
}

static void run_until_half_open(const Fixture *f, guint n) {
  while (info(f).half_open != n) {
    g_main_context_iteration(NULL, TRUE);
  }
}

/* A blocking BoringSSL client connection to the listener, versions
 * |min_version| to |max_version|, before its handshake. */
typedef struct {
  SSL_CTX *ctx;
  SSL *ssl;
  int fd;
} Dial;

static Dial tls_dial(uint16_t port, int min_version, int max_version) {
  Dial d;
  d.ctx = SSL_CTX_new(TLS_method());
  SSL_CTX_set_min_proto_version(d.ctx, min_version);
  SSL_CTX_set_max_proto_version(d.ctx, max_version);
  d.fd = tcp_connect(port);
  d.ssl = SSL_new(d.ctx);
  SSL_set_fd(d.ssl, d.fd);
  return d;
}

static void tls_hangup(Dial *d) {
  SSL_free(d->ssl);
  close(d->fd);
  SSL_CTX_free(d->ctx);
}

/* A TLS client in its own thread: connects, handshakes, then holds the
 * connection until released. */
typedef struct {
  uint16_t port;
  int max_version;
  GThread *thread;
  gint done;      /* the handshake finished, either way */
  gboolean ok;    /* it succeeded */
  GMutex lock;
  GCond cond;
  gboolean release;
} Client;

static gpointer client_main(gpointer data) {
  Client *c = data;
  Dial d = tls_dial(c->port, TLS1_VERSION, c->max_version);
  c->ok = SSL_connect(d.ssl) == 1;
  g_atomic_int_set(&c->done, 1);
  g_main_context_wakeup(NULL);
  g_mutex_lock(&c->lock);
  while (!c->release) {
    g_cond_wait(&c->cond, &c->lock);
  }
  g_mutex_unlock(&c->lock);
  tls_hangup(&d);
  return NULL;
}

/* client_handshake starts a client and runs the listener until its
 * handshake finished; the connection stays open until client_release. */
static Client *client_handshake(const Fixture *f, int max_version) {
  Client *c = g_new0(Client, 1);
  c->port = f->port;
  c->max_version = max_version;
  g_mutex_init(&c->lock);
  g_cond_init(&c->cond);
  c->thread = g_thread_new("tls-client", client_main, c);
  while (!g_atomic_int_get(&c->done)) {
    g_main_context_iteration(NULL, TRUE);
  }
  return c;
}

static void client_release(Client *c) {
  g_mutex_lock(&c->lock);
  c->release = TRUE;
  g_cond_signal(&c->cond);
  g_mutex_unlock(&c->lock);
  g_thread_join(c->thread);
  g_mutex_clear(&c->lock);
  g_cond_clear(&c->cond);
  g_free(c);
}

/* Idle peers fill the half-open pool; the next connection drops the
 * oldest (logged with its peer, counted), and a real client completes its
 * handshake while the idle ones are held open. */
static void test_half_open_drops_oldest(void) {
  Fixture f;
  fixture_start(&f);
  int idle[HALF_OPEN_MAX + 1];
  for (int i = 0; i < HALF_OPEN_MAX; i++) {
    idle[i] = tcp_connect(f.port);
  }
  run_until_half_open(&f, HALF_OPEN_MAX);
  g_assert_cmpuint(info(&f).failures, ==, 0);

  g_test_expect_message(
      "vgw", G_LOG_LEVEL_MESSAGE,
      "tls: handshake with 127.0.0.1:* failed: dropped as the oldest of 4 "
      "half-open connections to admit 127.0.0.1:*; TLS Context 0 (default: "
      "no other context is configured); reason: evicted");
  idle[HALF_OPEN_MAX] = tcp_connect(f.port);
  run_until_failures(&f, VGW_TLS_ERROR_EVICTED, 1);
  g_test_assert_expected_messages();
  VgwTlsServerInfo i = info(&f);
  g_assert_cmpuint(i.half_open, ==, HALF_OPEN_MAX);
  g_assert_cmpuint(i.failures, ==, 1);
  /* The oldest went, the others are still open. */
  wait_closed_by_server(idle[0]);
  for (int k = 1; k <= HALF_OPEN_MAX; k++) {
    g_assert_true(still_open(idle[k]));
  }

  /* A real client gets in: it drops the next oldest idle peer. */
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "tls: handshake with 127.0.0.1:* failed: dropped *");
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "tls: handshake with 127.0.0.1:*: TLSv1.3, *");
  Client *c = client_handshake(&f, TLS1_3_VERSION);
  g_test_assert_expected_messages();
  g_assert_true(c->ok);
  i = info(&f);
  g_assert_cmpuint(i.handshakes, ==, 1);
  g_assert_cmpuint(i.failures_by_reason[VGW_TLS_ERROR_EVICTED], ==, 2);
  g_assert_cmpuint(i.established, ==, 1);
  g_assert_cmpuint(i.half_open, ==, HALF_OPEN_MAX - 1);
  wait_closed_by_server(idle[1]);
  g_assert_true(still_open(idle[2]));

  client_release(c);
  for (int k = 0; k <= HALF_OPEN_MAX; k++) {
    close(idle[k]);
  }
  vgw_tls_server_free(f.server);
}

/* Established connections have their own bound: beyond it a newcomer is
 * refused ("limit"), and gets in once one of them closed. */
static void test_established_bound(void) {
  Fixture f;
  fixture_start(&f);
  Client *held[ESTABLISHED_MAX];
  for (int k = 0; k < ESTABLISHED_MAX; k++) {
    held[k] = client_handshake(&f, TLS1_3_VERSION);
    g_assert_true(held[k]->ok);
  }
  g_assert_cmpuint(info(&f).established, ==, ESTABLISHED_MAX);

  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "tls: refusing 127.0.0.1:*: 2 established "
                        "connections open; reason: limit");
  Client *refused = client_handshake(&f, TLS1_3_VERSION);
  g_test_assert_expected_messages();
  g_assert_false(refused->ok);
  VgwTlsServerInfo i = info(&f);
  g_assert_cmpuint(i.failures_by_reason[VGW_TLS_ERROR_LIMIT], ==, 1);
  g_assert_cmpuint(i.established, ==, ESTABLISHED_MAX);
  g_assert_cmpuint(i.half_open, ==, 0);
  client_release(refused);

  /* One closes; the server sees it go, and the next client gets in. */
  client_release(held[0]);
  while (info(&f).established == ESTABLISHED_MAX) {
    g_main_context_iteration(NULL, TRUE);
  }
  held[0] = client_handshake(&f, TLS1_3_VERSION);
  g_assert_true(held[0]->ok);
  g_assert_cmpuint(info(&f).handshakes, ==, ESTABLISHED_MAX + 1);
  for (int k = 0; k < ESTABLISHED_MAX; k++) {
    client_release(held[k]);
  }
  vgw_tls_server_free(f.server);
}

/* Each way a handshake fails is counted under its own reason, and the
 * log line names it. */
static void test_failure_reasons(void) {
  Fixture f;
  fixture_start(&f);

  /* A peer that is not TLS. */
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "tls: handshake with 127.0.0.1:* failed: "
                        "HTTP_REQUEST; *reason: not-tls");
  int fd = tcp_connect(f.port);
  static const char http[] = "GET / HTTP/1.1\r\nHost: gw\r\n\r\n";
  g_assert_cmpint(send(fd, http, strlen(http), 0), ==, (int)strlen(http));
  run_until_failures(&f, VGW_TLS_ERROR_NOT_TLS, 1);
  close(fd);

  /* A peer that leaves before its ClientHello. */
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "tls: handshake with 127.0.0.1:* failed: peer closed "
                        "the connection; *reason: peer-closed");
  fd = tcp_connect(f.port);
  run_until_half_open(&f, 1);
  close(fd);
  run_until_failures(&f, VGW_TLS_ERROR_PEER_CLOSED, 1);

  /* A client that only speaks TLS 1.1. */
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "tls: handshake with 127.0.0.1:* failed: "
                        "UNSUPPORTED_PROTOCOL; alert sent: protocol version; "
                        "TLS Context 0 (default: no other context is "
                        "configured); rule: built-in (no configuration): "
                        "TLS 1.2-1.3; reason: version");
  Client *c = client_handshake(&f, TLS1_1_VERSION);
  g_assert_false(c->ok);
  run_until_failures(&f, VGW_TLS_ERROR_VERSION, 1);
  client_release(c);
  g_test_assert_expected_messages();

  /* A peer that never sends its ClientHello, with a 1 s deadline. */
  vgw_tls_server_set_handshake_timeout(f.server, 1);
  g_assert_cmpuint(info(&f).handshake_timeout_s, ==, 1);
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "tls: handshake with 127.0.0.1:* failed: no "
                        "handshake within 1 s; *reason: timeout");
  fd = tcp_connect(f.port);
  run_until_failures(&f, VGW_TLS_ERROR_TIMEOUT, 1);
  g_test_assert_expected_messages();
  close(fd);

  VgwTlsServerInfo i = info(&f);
  g_assert_cmpuint(i.failures, ==, 4);
  g_assert_cmpuint(i.handshakes, ==, 0);
  g_assert_cmpuint(i.half_open, ==, 0);
  vgw_tls_server_free(f.server);
}

/* A stream handler that records what it is given and echoes it back; it
 * aborts the connection when it receives "bye". */
typedef struct {
  const Fixture *f;
  VgwTlsConn *conn;
  guint64 handshakes_at_open; /* the listener's count when open() came */
  GString *received;
  gboolean closed;
} Echo;

static gpointer echo_open(VgwTlsConn *conn, const struct sockaddr_in *addr,
                          const char *name, gpointer data) {
  Echo *e = data;
  g_assert_null(e->conn);
  g_assert_cmpuint(ntohl(addr->sin_addr.s_addr), ==, INADDR_LOOPBACK);
  g_assert_true(g_str_has_prefix(name, "127.0.0.1:"));
  e->conn = conn;
  e->handshakes_at_open = info(e->f).handshakes;
  return e;
}

static void echo_received(gpointer conn_data, const guint8 *bytes,
                          gsize len) {
  Echo *e = conn_data;
  g_assert_false(e->closed);
  g_string_append_len(e->received, (const char *)bytes, (gssize)len);
  g_assert_true(vgw_tls_conn_write(e->conn, bytes, len));
  if (g_str_has_suffix(e->received->str, "bye")) {
    vgw_tls_conn_abort(e->conn, "the peer said bye");
  }
}

static void echo_closed(gpointer conn_data) {
  Echo *e = conn_data;
  g_assert_false(e->closed);
  e->closed = TRUE;
}

static const VgwTlsStreamOps echo_ops = {
    .open = echo_open, .received = echo_received, .closed = echo_closed};

/* A client that writes right behind its Finished, then reads the echo
 * until the server closes. */
typedef struct {
  uint16_t port;
  int max_version;
  const char *say;
  GString *heard;
} Talker;

static gpointer talker_main(gpointer data) {
  Talker *t = data;
  Dial d = tls_dial(t->port, TLS1_2_VERSION, t->max_version);
  g_assert_cmpint(SSL_connect(d.ssl), ==, 1);
  g_assert_cmpint(SSL_write(d.ssl, t->say, (int)strlen(t->say)), ==,
                  (int)strlen(t->say));
  char buf[256];
  int n;
  while ((n = SSL_read(d.ssl, buf, sizeof(buf))) > 0) {
    g_string_append_len(t->heard, buf, n);
  }
  tls_hangup(&d);
  g_main_context_wakeup(NULL);
  return NULL;
}

/* The stream handler gets a connection only once its handshake is
 * complete, then its decrypted bytes in order, even those the client sent
 * right behind its Finished; what it writes reaches the client; an abort
 * closes the connection from the loop and closed() follows. */
static void test_stream_after_handshake(gconstpointer data) {
  Fixture f;
  fixture_start(&f);
  Echo e = {.f = &f, .received = g_string_new(NULL)};
  vgw_tls_server_set_stream(f.server, &echo_ops, &e);
  Talker t = {.port = f.port, .max_version = GPOINTER_TO_INT(data),
              .say = "OPTIONS sips:gw SIP/2.0 ... bye",
              .heard = g_string_new(NULL)};
  g_test_expect_message("vgw", G_LOG_LEVEL_MESSAGE,
                        "tls: handshake with 127.0.0.1:*");
  GThread *thread = g_thread_new("tls-talker", talker_main, &t);
  while (!e.closed) {
    g_main_context_iteration(NULL, TRUE);
  }
  g_thread_join(thread);
  g_test_assert_expected_messages();
  g_assert_cmpuint(e.handshakes_at_open, ==, 1);
  g_assert_cmpstr(e.received->str, ==, t.say);
  g_assert_cmpstr(t.heard->str, ==, t.say);
  VgwTlsServerInfo i = info(&f);
  g_assert_cmpuint(i.established, ==, 0);
  g_assert_cmpuint(i.failures, ==, 0);
  g_string_free(e.received, TRUE);
  g_string_free(t.heard, TRUE);
  vgw_tls_server_free(f.server);
}

/* Records the tag of each connection handed over, and closes. */
typedef struct {
  int tags[4];
  guint opened;
  guint closed;
} Tags;

static gpointer tags_open(VgwTlsConn *conn, const struct sockaddr_in *addr,
                          const char *name, gpointer data) {
  Tags *t = data;
  g_assert_cmpuint(t->opened, <, G_N_ELEMENTS(t->tags));
  t->tags[t->opened++] = vgw_tls_conn_tag(conn);
  return t;
}

static void tags_received(gpointer conn_data, const guint8 *bytes,
                          gsize len) {}

static void tags_closed(gpointer conn_data) { ((Tags *)conn_data)->closed++; }

static const VgwTlsStreamOps tags_ops = {
    .open = tags_open, .received = tags_received, .closed = tags_closed};

/* One server, two listening sockets with their tags (the SIP Interface in
 * vgwd): each connection carries its listener's tag; closing a listener
 * with its connections closes those of its tag only, and its port then
 * refuses. */
static void test_listener_tags(void) {
  Fixture f;
  fixture_start(&f);
  Tags t = {0};
  vgw_tls_server_set_stream(f.server, &tags_ops, &t);
  GError *error = NULL;
  uint16_t port7 = 0;
  struct in_addr lo = {htonl(INADDR_LOOPBACK)};
  int fd = vgw_inet_bind(SOCK_STREAM, lo, 0, 8, &port7, &error);
  g_assert_no_error(error);
  VgwTlsListener *l7 = vgw_tls_server_listen(f.server, fd, 7);

  Client *on0 = client_handshake(&f, TLS1_3_VERSION);
  Fixture f7 = f;
  f7.port = port7;
  Client *on7 = client_handshake(&f7, TLS1_3_VERSION);
  g_assert_true(on0->ok && on7->ok);
  while (t.opened < 2) {
    g_main_context_iteration(NULL, TRUE);
  }
  g_assert_cmpint(t.tags[0], ==, 0);
  g_assert_cmpint(t.tags[1], ==, 7);

  vgw_tls_server_unlisten(f.server, l7, TRUE);
  g_assert_cmpuint(t.closed, ==, 1);
  g_assert_cmpuint(info(&f).established, ==, 1);
  g_assert_cmpuint(vgw_tls_server_port(f.server), ==, f.port);
  int refused = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port7)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  g_assert_cmpint(connect(refused, (struct sockaddr *)&sa, sizeof(sa)), <,
                  0);
  close(refused);

  client_release(on0);
  client_release(on7);
  vgw_tls_server_free(f.server);
  g_assert_cmpuint(t.closed, ==, 2);
}

/* A stream handler for several connections: echoes what it gets, aborts
 * a connection that says "bye". */
typedef struct {
  VgwTlsConn *conns[4];
  guint opened;
} Echoes;

static gpointer echoes_open(VgwTlsConn *conn, const struct sockaddr_in *addr,
                            const char *name, gpointer data) {
  Echoes *e = data;
  g_assert_cmpuint(e->opened, <, G_N_ELEMENTS(e->conns));
  e->conns[e->opened++] = conn;
  return conn;
}

static void echoes_received(gpointer conn_data, const guint8 *bytes,
                            gsize len) {
  g_assert_true(vgw_tls_conn_write(conn_data, bytes, len));
  if (len >= 3 && memcmp(bytes + len - 3, "bye", 3) == 0) {
    vgw_tls_conn_abort(conn_data, "the peer said bye");
  }
}

static void echoes_closed(gpointer conn_data) {}

static const VgwTlsStreamOps echoes_ops = {
    .open = echoes_open, .received = echoes_received, .closed = echoes_closed};

/* A TLS 1.3 client that waits for what the server sends (through its
 * KeyUpdates), answers "pong bye" and reads the echo until closed. */
typedef struct {
  uint16_t port;
  GString *heard;
} Ponger;

static gpointer ponger_main(gpointer data) {
  Ponger *p = data;
  Dial d = tls_dial(p->port, TLS1_3_VERSION, TLS1_3_VERSION);
  g_assert_cmpint(SSL_connect(d.ssl), ==, 1);
  char buf[256];
  int n = SSL_read(d.ssl, buf, sizeof(buf));
  g_assert_cmpint(n, >, 0);
  g_string_append_len(p->heard, buf, n);
  g_assert_cmpint(SSL_write(d.ssl, "pong bye", 8), ==, 8);
  while ((n = SSL_read(d.ssl, buf, sizeof(buf))) > 0) {
    g_string_append_len(p->heard, buf, n);
  }
  tls_hangup(&d);
  g_main_context_wakeup(NULL);
  return NULL;
}

/* What vgw_tls_server_foreach_conn reported, by TLS version. */
typedef struct {
  guint established;
  guint half_open;
  guint64 key_updates_13;
  guint64 key_updates_12;
  gboolean owners_ok;  /* every connection belongs to "SIP Interface lab" */
  gboolean contexts_ok; /* every connection has its context and why */
} Listing;

static void list_one(const VgwTlsConnInfo *info, gpointer data) {
  Listing *l = data;
  l->owners_ok &= !info->client &&
                  g_strcmp0(info->owner, "SIP Interface lab") == 0 &&
                  g_str_has_prefix(info->peer, "127.0.0.1:");
  l->contexts_ok &=
      g_strcmp0(info->context, "TLS Context 0 (the lab's choice)") == 0;
  if (!info->established) {
    l->half_open++;
    return;
  }
  l->established++;
  if (SSL_version(info->ssl) == TLS1_3_VERSION) {
    l->key_updates_13 = info->key_updates;
  } else {
    l->key_updates_12 = info->key_updates;
  }
}

static Listing list_conns(const Fixture *f) {
  Listing l = {.owners_ok = TRUE, .contexts_ok = TRUE};
  vgw_tls_server_foreach_conn(f->server, list_one, &l);
  return l;
}

/* TLSReHandshakeInterval's KeyUpdates: with an interval set, the TLS 1.3
 * connection sends KeyUpdates (counted per connection and in the
 * listener's info), the TLS 1.2 one none; the listing shows both, and a
 * half-open one, with their listener's owner and context. The 1.3 peer
 * then still reads what the server sends and is read (its own KeyUpdate
 * answers went out first). */
static void test_key_updates(void) {
  Fixture f;
  fixture_start(&f);
  Echoes e = {0};
  vgw_tls_server_set_stream(f.server, &echoes_ops, &e);
  GError *error = NULL;
  struct in_addr lo = {htonl(INADDR_LOOPBACK)};
  int fd = vgw_inet_bind(SOCK_STREAM, lo, 0, 8, &f.port, &error);
  g_assert_no_error(error);
  VgwTlsListener *lab = vgw_tls_server_listen(f.server, fd, 3);
  vgw_tls_listener_set_owner(lab, "SIP Interface lab");
  vgw_tls_listener_set_context(lab, 0, "the lab's choice");
  vgw_tls_server_set_rehandshake_interval(f.server, 1);
  vgw_tls_server_set_limits(f.server, HALF_OPEN_MAX, 4);

  Ponger p = {.port = f.port, .heard = g_string_new(NULL)};
  GThread *thread = g_thread_new("tls-ponger", ponger_main, &p);
  while (e.opened < 1) {
    g_main_context_iteration(NULL, TRUE);
  }
  Client *old = client_handshake(&f, TLS1_2_VERSION);
  g_assert_true(old->ok);
  int idle = tcp_connect(f.port);
  run_until_half_open(&f, 1);
  while (info(&f).key_updates < 2) {
    g_main_context_iteration(NULL, TRUE);
  }
  Listing l = list_conns(&f);
  g_assert_cmpuint(l.established, ==, 2);
  g_assert_cmpuint(l.half_open, ==, 1);
  g_assert_true(l.owners_ok);
  g_assert_true(l.contexts_ok);
  g_assert_cmpuint(l.key_updates_13, ==, info(&f).key_updates);
  g_assert_cmpuint(l.key_updates_12, ==, 0);

  /* The TLS 1.3 connection: the first opened (the 1.2 one began after
   * it). */
  g_assert_cmpuint(e.opened, ==, 2);
  g_assert_true(vgw_tls_conn_write(e.conns[0], (const guint8 *)"ping ", 5));
  while (info(&f).established > 1) {
    g_main_context_iteration(NULL, TRUE);
  }
  g_thread_join(thread);
  g_assert_cmpstr(p.heard->str, ==, "ping pong bye");
  g_assert_cmpuint(info(&f).failures, ==, 0);

  close(idle);
  client_release(old);
  g_string_free(p.heard, TRUE);
  vgw_tls_server_free(f.server);
}

/* The names are the interface: stable, distinct, one per code. */
static void test_reason_names(void) {
  g_assert_cmpstr(vgw_tls_error_name(VGW_TLS_ERROR_EVICTED), ==, "evicted");
  g_assert_cmpstr(vgw_tls_error_name(VGW_TLS_ERROR_TIMEOUT), ==, "timeout");
  g_assert_cmpstr(vgw_tls_error_name(VGW_TLS_ERROR_COUNT), ==, "unknown");
  GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
  for (int r = 0; r < VGW_TLS_ERROR_COUNT; r++) {
    const char *name = vgw_tls_error_name(r);
    g_assert_cmpstr(name, !=, "unknown");
    g_assert_false(g_hash_table_contains(seen, name));
    g_hash_table_add(seen, (gpointer)name);
  }
  g_hash_table_unref(seen);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/tls/limits/half-open-drops-oldest",
                  test_half_open_drops_oldest);
  g_test_add_func("/tls/limits/established-bound", test_established_bound);
  g_test_add_func("/tls/failure-reasons", test_failure_reasons);
  g_test_add_func("/tls/reason-names", test_reason_names);
  g_test_add_func("/tls/listener-tags", test_listener_tags);
  g_test_add_func("/tls/key-updates", test_key_updates);
  g_test_add_data_func("/tls/stream/after-handshake/tls1.3",
                       GINT_TO_POINTER(TLS1_3_VERSION),
                       test_stream_after_handshake);
  g_test_add_data_func("/tls/stream/after-handshake/tls1.2",
                       GINT_TO_POINTER(TLS1_2_VERSION),
                       test_stream_after_handshake);
  return g_test_run();
}
