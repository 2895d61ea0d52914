/*
 * SIP over UDP, TCP and TLS: see sip_transport.h.
 *
 * Connections we open go CONNECTING (TCP connect), then, for TLS,
 * HANDSHAKING (tls_client.h), then READY; until READY what the layer sends
 * waits in the backlog. When a connection we opened, or one whose peer
 * offered ;alias, goes away, the transactions still waiting on its peer
 * are ended at once (sip_txn_layer_peer_failed()) with the reason in
 * SipConn.failure.
 *
 * A TCP connection is freed only from its own watch or timer callbacks
 * (conn_close()). The layer's send callback, which may run in the middle
 * of that connection's read handler, never frees it: a send that fails
 * shuts the socket down and marks the connection broken, and its read
 * handler then closes it. A TLS connection belongs to the TLS listener
 * (tls_server.h): it is ended with vgw_tls_conn_abort(), and freed here
 * only when the listener reports it closed.
 */
#include "vgwd/sip_transport.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "mgmt/mgmt_reply.h"
#include "net/sockets.h"
#include "tls/tls_client.h"

#define UDP_MAX_DATAGRAM 65535
#define DEBUG_IDLE_TIMEOUT_MAX_S 3600
#define TCP_READ_CHUNK 16384
/* Reads per wake-up of a socket's watch: a flood must not keep the main
 * loop (and the watchdog kick) waiting; the watch fires again while data
 * is pending. */
#define READS_PER_WAKEUP 64

/* The transport's own refusals, next to the layer's SipReasons. */
#define REFUSED_CONNECTION_LIMIT "connection-limit"
#define REFUSED_INTERFACE_LIMIT "interface-connection-limit"
#define REFUSED_SEND_BACKLOG "send-backlog"

#define OUTGOING_IFACE VGW_SIP_INTERFACES
/* How long a replaced connection stays open for what is under way on it:
 * 64*T1, the longest a transaction waits for its final response. */
#define RETIRE_S 32

typedef enum {
  CONN_READY,       /* bytes go out as they are sent */
  CONN_CONNECTING,  /* we opened it: TCP connect in progress */
  CONN_HANDSHAKING, /* we opened it: TLS handshake in progress */
} ConnState;
/* One served UDP socket (a SIP Interface's UDP listener). */
typedef struct {
  VgwSipTransport *t;
  int fd;
  guint iface;
  guint watch;
} UdpSocket;

typedef struct {
  VgwSipTransport *t;
  guint64 id;                 /* SipPeer.connection; the key in t->conns */
  VgwTlsConn *tls;            /* TLS: the listener's connection, else NULL */
  guint iface;                /* the SIP Interface it was accepted on */
  int fd;                     /* TCP: the socket (TLS: -1) */
  SipPeer peer;
  char name[VGW_PEER_LEN];    /* "a.b.c.d:port", for logs */
  SipFramer *framer;
  GByteArray *backlog;        /* TCP: bytes send() did not take yet */
  guint in_watch;
  guint out_watch;            /* while the backlog is not empty */
  guint idle_timer;
  gint64 last_active_us;
  gboolean broken;            /* a send failed: close at the next read */
  gboolean outgoing;          /* we opened it */
  ConnState state;
  SipPeerFailure failure;     /* why it went, for the transactions on it */
  gboolean has_alias;         /* accepted; the peer offered ;alias */
  SipPeer alias;              /* then: its address and sent-by port */
  guint ping_timer;           /* outgoing: CRLF CRLF keep-alives */
  guint pong_timer;           /* a ping is waiting for its pong */
  guint64 turn_iteration;     /* the main-loop iteration of its turn */
  guint taken;                /* frames taken in that turn */
  guint turn;                 /* bytes wait in the framer: its next turn,
                               * while it is not read */
  guint64 replacing;          /* outgoing TLS: the connection this one is
                               * to replace once ready (conn_renew), or 0 */
  gboolean retiring;          /* replaced: serves what is under way on it,
                               * takes nothing new; closed by retire_timer */
  guint retire_timer;
} SipConn;

/* The connection counters of one stream transport (TCP, TLS). */
typedef struct {
  guint open;
  guint64 accepted;
  guint64 refused_limit;
  guint64 refused_interface_limit;
  guint64 refused_backlog;
  guint64 closed_idle;
  guint64 pings;
  guint outgoing;             /* open now, opened by us */
  guint64 opened;             /* connections we opened (connect started) */
  guint64 connect_failures;   /* connect or TLS handshake failed */
  guint64 pings_sent;
  guint64 pongs;
  guint64 ping_timeouts;
  guint64 deferred;           /* turns that used the budget, more waiting */
} StreamStats;

/* The TLS Context connections to a peer present, and why
 * (vgw_sip_transport_set_tls_context). */
typedef struct {
  guint context;
  char *why;
} TlsChoice;

static void tls_choice_free(TlsChoice *choice) {
  g_free(choice->why);
  g_free(choice);
}

/* Why a peer no Proxy Set named gets Context 0 (`sip options sips:`). */
#define VGW_SIP_TLS_CONTEXT_DEFAULT \
  "default: no Proxy Set names this peer"

struct VgwSipTransport {
  VgwSipTransportLimits limits;
  SipLimits sip_limits;
  SipTxnLayer *layer;
  VgwSipRequestFunc request;
  gpointer request_data;
  int udp_fd;                 /* for requests of our own (connection 0) */
  GHashTable *udp_sockets;    /* served UDP socket fd -> UdpSocket, owned */
  GHashTable *conns;          /* guint64 id -> SipConn, owned */
  guint64 next_id;
  StreamStats stream[SIP_TRANSPORT_COUNT]; /* TCP and TLS used */
  GHashTable *pings;          /* "tcp a.b.c.d:port" -> interval s */
  GHashTable *server_names;   /* "tls a.b.c.d:port" -> host name, owned */
  GHashTable *tls_contexts;   /* "tls a.b.c.d:port" -> TlsChoice*, owned */
  VgwTlsClient *tls_client;   /* NULL: no TLS (no crypto engine) */
  char *last_failure_peer;    /* peer_key() of the last connect failure */
  char *last_failure;         /* and why, for people */
  /* By SIP Interface, and last (OUTGOING_IFACE) the connections we
   * opened, which belong to no interface and have no per-interface bound. */
  VgwSipInterfaceConns iface[VGW_SIP_INTERFACES + 1][SIP_TRANSPORT_COUNT];
  guint64 iteration;          /* main-loop iterations (IterationSource) */
};

/* ---- Main-loop iterations ---- */

/* A source that is never ready: GLib calls its prepare() at the start of
 * every main-loop iteration (first, as nothing has a higher priority), so
 * it counts them. A connection's turn is one iteration. */
typedef struct {
  GSource source;
  guint64 *count;
} IterationSource;

static gboolean iteration_prepare(GSource *source, gint *timeout) {
  IterationSource *s = (IterationSource *)source;

  (*s->count)++;
  *timeout = -1;
  return FALSE;
}

static GSourceFuncs iteration_source_funcs = {.prepare = iteration_prepare};

static void count_iterations(guint64 *count) {
  GSource *source =
      g_source_new(&iteration_source_funcs, sizeof(IterationSource));

  ((IterationSource *)source)->count = count;
  g_source_set_priority(source, G_MININT);
  g_source_set_name(source, "vgw-sip-iterations");
  g_source_attach(source, NULL);
  g_source_unref(source);
}

/* ---- Sending ---- */

static gboolean send_udp(VgwSipTransport *t, const SipPeer *to,
                         const char *bytes, gsize len) {
  struct sockaddr_in sa;

  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(to->port);
  /* A request's answer leaves from the socket it came in on (its
   * SipPeer.connection, the socket + 1) while that is still served. */
  int fd = to->connection != 0 &&
                   g_hash_table_contains(t->udp_sockets,
                                         GINT_TO_POINTER(to->connection - 1))
               ? (int)to->connection - 1
               : t->udp_fd;
  if (fd < 0 || inet_pton(AF_INET, to->address, &sa.sin_addr) != 1) {
    g_message("sip/udp: no route for a response to %s:%u", to->address,
              to->port);
    return FALSE;
  }
  if (sendto(fd, bytes, len, MSG_DONTWAIT, (struct sockaddr *)&sa,
             sizeof(sa)) != (ssize_t)len) {
    g_message("sip/udp: sending %zu bytes to %s:%u: %s", (size_t)len,
              to->address, to->port, g_strerror(errno));
    return FALSE;
  }
  return TRUE;
}

static const char *conn_transport(const SipConn *c) {
  return sip_transport_name(c->peer.transport);
}

static StreamStats *conn_stats(SipConn *c) {
  return &c->t->stream[c->peer.transport];
}

/* conn_break ends |c| from wherever it is called: nothing more is read or
 * sent, and it is freed from the main loop. */
static void conn_break(SipConn *c, const char *why) {
  if (!c->broken) {
    g_message("sip/%s: %s: closing: %s", conn_transport(c), c->name, why);
    c->broken = TRUE;
    if (c->tls != NULL) {
      vgw_tls_conn_abort(c->tls, why);
    } else {
      shutdown(c->fd, SHUT_RDWR);
    }
  }
}

static gboolean conn_flush(SipConn *c);

static gboolean on_conn_writable(int fd, GIOCondition cond, gpointer data) {
  SipConn *c = data;

  if (conn_flush(c)) {
    return G_SOURCE_CONTINUE;
  }
  c->out_watch = 0;
  return G_SOURCE_REMOVE;
}

/* conn_flush sends what it can of the backlog; TRUE while some is left.
 * On an error the connection is broken and the backlog dropped. */
static gboolean conn_flush(SipConn *c) {
  while (c->backlog->len > 0 && !c->broken) {
    ssize_t n = send(c->fd, c->backlog->data, c->backlog->len,
                     MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      return TRUE;
    }
    if (n <= 0) {
      conn_break(c, g_strerror(errno));
      break;
    }
    g_byte_array_remove_range(c->backlog, 0, (guint)n);
    c->last_active_us = g_get_monotonic_time();
  }
  g_byte_array_set_size(c->backlog, 0);
  return FALSE;
}

static gboolean conn_send(SipConn *c, const char *bytes, gsize len) {
  VgwSipTransport *t = c->t;
  gsize queued = c->tls != NULL && c->state == CONN_READY
                     ? vgw_tls_conn_pending(c->tls)
                     : c->backlog->len;

  if (c->broken) {
    return FALSE;
  }
  if (queued + len > t->limits.max_send_backlog) {
    conn_stats(c)->refused_backlog++;
    conn_break(c, REFUSED_SEND_BACKLOG " (the peer does not read)");
    return FALSE;
  }
  if (c->state != CONN_READY) {
    /* Goes out when the connection is up (conn_ready). */
    g_byte_array_append(c->backlog, (const guint8 *)bytes, (guint)len);
    return TRUE;
  }
  if (c->tls != NULL) {
    c->last_active_us = g_get_monotonic_time();
    if (!vgw_tls_conn_write(c->tls, (const guint8 *)bytes, len)) {
      conn_break(c, "TLS write failed");
    }
    return !c->broken;
  }
  g_byte_array_append(c->backlog, (const guint8 *)bytes, (guint)len);
  if (conn_flush(c) && c->out_watch == 0) {
    c->out_watch = g_unix_fd_add(c->fd, G_IO_OUT, on_conn_writable, c);
  }
  return !c->broken;
}

static SipConn *conn_to(VgwSipTransport *t, const SipPeer *to);
static SipConn *conn_dial(VgwSipTransport *t, const SipPeer *to);

static gboolean layer_send(const SipPeer *to, const char *bytes, gsize len,
                           gpointer data) {
  VgwSipTransport *t = data;

  if (to->transport == SIP_TRANSPORT_UDP) {
    return send_udp(t, to, bytes, len);
  }
  if (to->connection == 0) {
    SipConn *c = conn_to(t, to);
    if (c == NULL) {
      c = conn_dial(t, to);
    }
    /* NULL: the failure is reported from the main loop, with its reason. */
    return c == NULL || conn_send(c, bytes, len);
  }
  SipConn *c = g_hash_table_lookup(t->conns, &to->connection);
  if (c == NULL) {
    g_message("sip/%s: connection to %s:%u is gone; %zu bytes not sent",
              sip_transport_name(to->transport), to->address, to->port,
              (size_t)len);
    return FALSE;
  }
  return conn_send(c, bytes, len);
}

/* ---- Receiving ---- */

static void log_refused(const SipPeer *from, SipReason reason) {
  guint status = sip_reason_status(reason);

  if (status != 0) {
    g_message("sip/%s: %s:%u: message refused: %s (%s); a request is "
              "answered %u",
              sip_transport_name(from->transport), from->address, from->port,
              sip_reason_text(reason), sip_reason_name(reason), status);
  } else {
    g_message("sip/%s: %s:%u: message refused: %s (%s); nothing answered",
              sip_transport_name(from->transport), from->address, from->port,
              sip_reason_text(reason), sip_reason_name(reason));
  }
}

static void receive_message(VgwSipTransport *t, const guint8 *bytes,
                            gsize len, const SipPeer *from) {
  SipReason reason = sip_txn_layer_receive(t->layer, bytes, len, from);

  if (reason != SIP_REASON_NONE) {
    log_refused(from, reason);
  }
}

static gboolean on_udp(int fd, GIOCondition cond, gpointer data) {
  UdpSocket *u = data;
  VgwSipTransport *t = u->t;
  static guint8 buf[UDP_MAX_DATAGRAM];

  for (guint i = 0; i < READS_PER_WAKEUP; i++) {
    struct sockaddr_in sa;
    socklen_t salen = sizeof(sa);
    ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
                         (struct sockaddr *)&sa, &salen);
    if (n < 0) {
      break;
    }
    SipPeer from = {.transport = SIP_TRANSPORT_UDP,
                    .connection = (guint64)fd + 1,
                    .port = ntohs(sa.sin_port),
                    .interface = u->iface};
    inet_ntop(AF_INET, &sa.sin_addr, from.address, sizeof(from.address));
    receive_message(t, buf, (gsize)n, &from);
  }
  return G_SOURCE_CONTINUE;
}

/* ---- Stream connections (TCP, TLS) ---- */

static gboolean peer_is(const SipPeer *a, const SipPeer *b) {
  return a->transport == b->transport && a->port == b->port &&
         strcmp(a->address, b->address) == 0;
}

/* conn_to finds a live connection to |to| (transport, address, port): one
 * we opened, else one whose peer offered it as an alias. */
static SipConn *conn_to(VgwSipTransport *t, const SipPeer *to) {
  GHashTableIter iter;
  gpointer value;
  SipConn *alias = NULL;

  g_hash_table_iter_init(&iter, t->conns);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    SipConn *c = value;
    /* A replacement takes over only once ready; its predecessor then
     * takes nothing new. */
    if (c->broken || c->retiring ||
        (c->replacing != 0 && c->state != CONN_READY)) {
      continue;
    }
    if (c->outgoing && peer_is(&c->peer, to)) {
      return c;
    }
    if (c->has_alias && peer_is(&c->alias, to)) {
      alias = c;
    }
  }
  return alias;
}

/* conn_free forgets |c|; the caller has released its socket or TLS
 * connection. Transactions waiting on a peer it served are ended, unless
 * another connection to that peer lives on. */
static void conn_free(SipConn *c) {
  VgwSipTransport *t = c->t;
  gboolean report = c->outgoing || c->has_alias;
  SipPeer gone = c->outgoing ? c->peer : c->alias;
  SipPeerFailure failure = c->failure;

  gone.connection = c->id;
  g_clear_handle_id(&c->idle_timer, g_source_remove);
  g_clear_handle_id(&c->ping_timer, g_source_remove);
  g_clear_handle_id(&c->pong_timer, g_source_remove);
  g_clear_handle_id(&c->turn, g_source_remove);
  g_clear_handle_id(&c->retire_timer, g_source_remove);
  sip_framer_free(c->framer);
  if (c->backlog != NULL) {
    g_byte_array_unref(c->backlog);
  }
  conn_stats(c)->open--;
  if (c->outgoing) {
    conn_stats(c)->outgoing--;
  }
  t->iface[c->iface][c->peer.transport].open--;
  g_hash_table_remove(t->conns, &c->id); /* frees c */
  if (report && conn_to(t, &gone) == NULL) {
    sip_txn_layer_peer_failed(t->layer, &gone, failure);
  }
}

/* conn_close closes the TCP connection |c| and frees it. */
static void conn_close(SipConn *c) {
  g_clear_handle_id(&c->in_watch, g_source_remove);
  g_clear_handle_id(&c->out_watch, g_source_remove);
  close(c->fd);
  conn_free(c);
}

static gboolean on_conn_turn(gpointer data);

/* conn_defer stops reading |c|, whose framer may hold more messages than
 * its turn allowed: they are taken at its next turn. */
static void conn_defer(SipConn *c) {
  StreamStats *st = conn_stats(c);

  if (st->deferred++ == 0) {
    g_message("sip/%s: %s: more than %u messages in one main-loop "
              "iteration: the rest wait for its next turn (so for every "
              "connection from now on; counted in status as deferred)",
              conn_transport(c), c->name, VGW_SIP_MESSAGES_PER_TURN);
  }
  /* A TCP connection's read handler drops its watch when it sees this.
   * At the default priority, like the socket watches, so that it comes in
   * the next iteration however busy the others are. */
  if (c->turn == 0) {
    c->turn = g_idle_add_full(G_PRIORITY_DEFAULT, on_conn_turn, c, NULL);
  }
  if (c->tls != NULL) {
    vgw_tls_conn_hold(c->tls, TRUE);
  }
}

/* conn_take_frames hands out what the framer holds, up to
 * VGW_SIP_MESSAGES_PER_TURN frames (keep-alives count too) in this
 * main-loop iteration, however many reads brought them, and defers the
 * rest (c->turn is then set); FALSE when the connection must be closed (a
 * framing error: it is broken). */
static gboolean conn_take_frames(SipConn *c) {
  VgwSipTransport *t = c->t;
  SipFrame frame;

  if (c->turn_iteration != t->iteration) {
    c->turn_iteration = t->iteration;
    c->taken = 0;
  }
  for (; !c->broken; c->taken++) {
    if (c->taken >= VGW_SIP_MESSAGES_PER_TURN) {
      if (sip_framer_buffered(c->framer) > 0) {
        conn_defer(c);
      }
      return TRUE;
    }
    switch (sip_framer_next(c->framer, &frame)) {
    case SIP_FRAME_NEED_MORE:
      return TRUE;
    case SIP_FRAME_MESSAGE:
      receive_message(t, frame.data, frame.len, &c->peer);
      break;
    case SIP_FRAME_PING:
      conn_stats(c)->pings++;
      conn_send(c, "\r\n", 2);
      break;
    case SIP_FRAME_PONG:
      conn_stats(c)->pongs++;
      g_clear_handle_id(&c->pong_timer, g_source_remove);
      break;
    case SIP_FRAME_ERROR: {
      char why[160];
      sip_txn_layer_count_stream_error(t->layer, &c->peer, frame.reason);
      g_snprintf(why, sizeof(why), "%s (%s)", sip_reason_text(frame.reason),
                 sip_reason_name(frame.reason));
      conn_break(c, why);
      return FALSE;
    }
    }
  }
  return TRUE;
}

/* conn_received takes |len| bytes of |c|'s stream. */
static void conn_received(SipConn *c, const guint8 *bytes, gsize len) {
  c->last_active_us = g_get_monotonic_time();
  sip_framer_push(c->framer, bytes, len);
  conn_take_frames(c);
}

static gboolean on_conn_readable(int fd, GIOCondition cond, gpointer data) {
  SipConn *c = data;
  guint8 buf[TCP_READ_CHUNK];

  for (guint i = 0; !c->broken; i++) {
    if (c->turn != 0) {
      c->in_watch = 0; /* read again once its turns took what it holds */
      return G_SOURCE_REMOVE;
    }
    if (i == READS_PER_WAKEUP) {
      return G_SOURCE_CONTINUE;
    }
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
      g_message("sip/tcp: %s closed%s%s", c->name, n < 0 ? ": " : "",
                n < 0 ? g_strerror(errno) : "");
      break;
    }
    conn_received(c, buf, (gsize)n);
  }
  c->in_watch = 0; /* this source ends: conn_close must not remove it */
  conn_close(c);
  return G_SOURCE_REMOVE;
}

/* on_conn_turn: |c|'s next turn at the messages its framer holds; once
 * they are all taken it is read again. */
static gboolean on_conn_turn(gpointer data) {
  SipConn *c = data;

  c->turn = 0; /* this source ends; conn_take_frames may set another */
  conn_take_frames(c);
  if (c->broken) {
    if (c->tls == NULL) {
      conn_close(c); /* it has no read handler to close it */
    }
    return G_SOURCE_REMOVE; /* TLS: freed when the listener reports it */
  }
  if (c->turn == 0) {
    if (c->tls != NULL) {
      vgw_tls_conn_hold(c->tls, FALSE);
    } else {
      c->in_watch = g_unix_fd_add(c->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                  on_conn_readable, c);
    }
  }
  return G_SOURCE_REMOVE;
}

static gboolean on_conn_idle(gpointer data) {
  SipConn *c = data;
  VgwSipTransport *t = c->t;
  gint64 limit_us = (gint64)t->limits.idle_timeout_s * G_USEC_PER_SEC;
  gint64 idle_us = g_get_monotonic_time() - c->last_active_us;

  c->idle_timer = 0; /* this source ends either way */
  if (idle_us >= limit_us) {
    char why[48];
    conn_stats(c)->closed_idle++;
    g_snprintf(why, sizeof(why), "idle for %u s", t->limits.idle_timeout_s);
    if (c->tls != NULL) {
      conn_break(c, why); /* freed when the listener reports it closed */
    } else {
      g_message("sip/tcp: %s: closing: %s", c->name, why);
      conn_close(c);
    }
  } else {
    guint left_s = (guint)((limit_us - idle_us + G_USEC_PER_SEC - 1) /
                           G_USEC_PER_SEC);
    c->idle_timer = g_timeout_add_seconds(left_s, on_conn_idle, c);
  }
  return G_SOURCE_REMOVE;
}

/* connections_max bounds the connections of |transport|, accepted and
 * opened together: for TLS the TLS listener's bound on established
 * connections, so that there is one number for it. */
static guint connections_max(const VgwSipTransport *t, SipTransport transport) {
  guint tls_max = t->limits.max_tls_connections != 0
                      ? t->limits.max_tls_connections
                      : VGW_TLS_MAX_ESTABLISHED;

  return transport == SIP_TRANSPORT_TLS
             ? MIN(t->limits.max_connections, tls_max)
             : t->limits.max_connections;
}

/* conn_admit counts a new |transport| connection from |name| on
 * interface |iface|; FALSE, and the refusal logged and counted, when
 * max_connections are open, or max_interface_connections on |iface|. */
static gboolean conn_admit(VgwSipTransport *t, SipTransport transport,
                           guint iface, const char *name) {
  StreamStats *st = &t->stream[transport];
  VgwSipInterfaceConns *on_iface = &t->iface[iface][transport];

  if (st->open >= connections_max(t, transport)) {
    st->refused_limit++;
    g_message("sip/%s: %s: refused: " REFUSED_CONNECTION_LIMIT
              " (%u connections open)",
              sip_transport_name(transport), name, st->open);
    return FALSE;
  }
  if (iface != OUTGOING_IFACE &&
      on_iface->open >= t->limits.max_interface_connections) {
    st->refused_interface_limit++;
    on_iface->refused++;
    g_message("sip/%s: %s: refused: " REFUSED_INTERFACE_LIMIT
              " (%u connections open on SIPInterface %u)",
              sip_transport_name(transport), name, on_iface->open, iface);
    return FALSE;
  }
  return TRUE;
}

/* conn_new serves a new |transport| connection with |sa| (|name|): one
 * we accepted on interface |iface|, or one we are opening (|outgoing|). */
static SipConn *conn_new(VgwSipTransport *t, SipTransport transport,
                         guint iface, const struct sockaddr_in *sa,
                         const char *name, gboolean outgoing) {
  SipConn *c = g_new0(SipConn, 1);
  StreamStats *st = &t->stream[transport];

  c->t = t;
  c->iface = iface;
  c->id = ++t->next_id;
  c->fd = -1;
  c->peer.transport = transport;
  c->peer.interface = iface;
  c->peer.connection = c->id;
  c->peer.port = ntohs(sa->sin_port);
  inet_ntop(AF_INET, &sa->sin_addr, c->peer.address, sizeof(c->peer.address));
  g_strlcpy(c->name, name, sizeof(c->name));
  c->outgoing = outgoing;
  c->failure = SIP_PEER_CLOSED;
  c->framer = sip_framer_new(&t->sip_limits, outgoing ? SIP_FRAMER_OPENED
                                                      : SIP_FRAMER_ACCEPTED);
  c->last_active_us = g_get_monotonic_time();
  g_hash_table_insert(t->conns, &c->id, c);
  st->open++;
  if (outgoing) {
    st->outgoing++;
    st->opened++;
  } else {
    st->accepted++;
  }
  t->iface[iface][transport].open++;
  g_debug("sip/%s: connection %" G_GUINT64_FORMAT " %s %s",
          sip_transport_name(transport), c->id, outgoing ? "to" : "from",
          name);
  c->idle_timer = g_timeout_add_seconds(t->limits.idle_timeout_s,
                                        on_conn_idle, c);
  return c;
}

void vgw_sip_transport_accept_tcp(VgwSipTransport *t, guint iface, int fd,
                                  const char *peer) {
  struct sockaddr_in sa;
  socklen_t salen = sizeof(sa);

  g_return_if_fail(iface < VGW_SIP_INTERFACES);
  if (!conn_admit(t, SIP_TRANSPORT_TCP, iface, peer)) {
    close(fd);
    return;
  }
  if (getpeername(fd, (struct sockaddr *)&sa, &salen) < 0 ||
      sa.sin_family != AF_INET) {
    g_message("sip/tcp: %s: closed before it was served", peer);
    close(fd);
    return;
  }
  SipConn *c = conn_new(t, SIP_TRANSPORT_TCP, iface, &sa, peer, FALSE);
  c->fd = fd;
  c->backlog = g_byte_array_new();
  c->in_watch = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                              on_conn_readable, c);
}

/* ---- Connections we open ---- */

static char *peer_key(const SipPeer *peer) {
  return g_strdup_printf("%s %s:%u", sip_transport_name(peer->transport),
                         peer->address, peer->port);
}

static gboolean on_pong_timeout(gpointer data) {
  SipConn *c = data;
  char why[64];

  c->pong_timer = 0;
  conn_stats(c)->ping_timeouts++;
  c->failure = SIP_PEER_PING_TIMEOUT;
  g_snprintf(why, sizeof(why), "no pong within %u s of a keep-alive ping",
             VGW_SIP_PONG_TIMEOUT_S);
  if (c->tls != NULL) {
    conn_break(c, why); /* freed when the TLS side reports it closed */
  } else {
    g_message("sip/tcp: %s: closing: %s", c->name, why);
    conn_close(c);
  }
  return G_SOURCE_REMOVE;
}

static gboolean on_ping(gpointer data) {
  SipConn *c = data;

  if (c->state == CONN_READY && conn_send(c, "\r\n\r\n", 4)) {
    conn_stats(c)->pings_sent++;
    if (c->pong_timer == 0) {
      c->pong_timer = g_timeout_add_seconds(VGW_SIP_PONG_TIMEOUT_S,
                                            on_pong_timeout, c);
    }
  }
  return G_SOURCE_CONTINUE;
}

/* conn_ping_apply (re)starts |c|'s keep-alive pings at the interval set
 * for its peer, or stops them. */
static void conn_ping_apply(SipConn *c) {
  g_autofree char *key = peer_key(&c->peer);
  guint interval_s =
      GPOINTER_TO_UINT(g_hash_table_lookup(c->t->pings, key));

  g_clear_handle_id(&c->ping_timer, g_source_remove);
  if (interval_s == 0) {
    g_clear_handle_id(&c->pong_timer, g_source_remove);
    return;
  }
  c->ping_timer = g_timeout_add_seconds(interval_s, on_ping, c);
}

/* conn_ready: |c| is up (connected; for TLS, handshake done). What waited
 * goes out and keep-alives start. */
static void conn_take_over(SipConn *c);

static void conn_ready(SipConn *c) {
  GByteArray *waiting = c->backlog;

  c->state = CONN_READY;
  conn_take_over(c);
  g_debug("sip/%s: connected to %s", conn_transport(c), c->name);
  if (c->tls != NULL) {
    c->backlog = NULL;
    if (waiting->len > 0) {
      conn_send(c, (const char *)waiting->data, waiting->len);
    }
    g_byte_array_unref(waiting);
  } else {
    c->in_watch = g_unix_fd_add(c->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                on_conn_readable, c);
    if (conn_flush(c) && c->out_watch == 0) {
      c->out_watch = g_unix_fd_add(c->fd, G_IO_OUT, on_conn_writable, c);
    }
  }
  conn_ping_apply(c);
}

/* connect_failed: a connection to |name| could not be made. */
static void connect_failed(VgwSipTransport *t, SipTransport transport,
                           const char *name, SipPeerFailure failure,
                           const char *why) {
  t->stream[transport].connect_failures++;
  g_free(t->last_failure_peer);
  g_free(t->last_failure);
  t->last_failure_peer =
      g_strdup_printf("%s %s", sip_transport_name(transport), name);
  t->last_failure = g_strdup(why);
  g_message("sip/%s: cannot connect to %s: %s (%s)",
            sip_transport_name(transport), name, why,
            sip_peer_failure_name(failure));
}

static SipPeerFailure connect_failure(int error) {
  return error == ECONNREFUSED ? SIP_PEER_CONNECTION_REFUSED
                               : SIP_PEER_UNREACHABLE;
}

static gboolean on_conn_connected(int fd, GIOCondition cond, gpointer data) {
  SipConn *c = data;
  VgwSipTransport *t = c->t;
  int error = 0;
  socklen_t len = sizeof(error);

  c->out_watch = 0; /* this source ends either way */
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0) {
    error = errno;
  }
  if (error != 0) {
    c->failure = connect_failure(error);
    connect_failed(t, c->peer.transport, c->name, c->failure,
                   g_strerror(error));
    conn_close(c);
    return G_SOURCE_REMOVE;
  }
  if (c->peer.transport != SIP_TRANSPORT_TLS) {
    conn_ready(c);
    return G_SOURCE_REMOVE;
  }
  g_autoptr(GError) tls_error = NULL;
  g_autofree char *key = peer_key(&c->peer);
  const char *server_name = g_hash_table_lookup(t->server_names, key);
  c->state = CONN_HANDSHAKING;
  c->fd = -1; /* the TLS connection's now, closed with it */
  const TlsChoice *choice = g_hash_table_lookup(t->tls_contexts, key);
  c->tls = vgw_tls_client_connect(
      t->tls_client, fd, choice ? choice->context : 0,
      choice ? choice->why : VGW_SIP_TLS_CONTEXT_DEFAULT,
      server_name ? server_name : c->peer.address, c->name, c, &tls_error);
  if (c->tls == NULL) {
    c->failure = SIP_PEER_TLS_HANDSHAKE;
    connect_failed(t, c->peer.transport, c->name, c->failure,
                   tls_error->message);
    conn_free(c);
  }
  return G_SOURCE_REMOVE;
}

/* A failure found while the layer was sending: reported from the main
 * loop, where the transactions it ends can be told. */
typedef struct {
  VgwSipTransport *t;
  SipPeer peer;
  SipPeerFailure failure;
} PendingFailure;

static gboolean on_pending_failure(gpointer data) {
  PendingFailure *p = data;

  /* As conn_free: not while another connection serves the peer (a
   * replacement that could not start leaves its predecessor in place). */
  if (conn_to(p->t, &p->peer) == NULL) {
    sip_txn_layer_peer_failed(p->t->layer, &p->peer, p->failure);
  }
  return G_SOURCE_REMOVE;
}

static void report_later(VgwSipTransport *t, const SipPeer *peer,
                         SipPeerFailure failure, const char *name,
                         const char *why) {
  PendingFailure *p = g_new0(PendingFailure, 1);

  connect_failed(t, peer->transport, name, failure, why);
  p->t = t;
  p->peer = *peer;
  p->failure = failure;
  g_idle_add_full(G_PRIORITY_DEFAULT, on_pending_failure, p, g_free);
}

/* conn_dial opens a connection to |to| (non-blocking: it is CONNECTING).
 * NULL when it cannot even start; the failure is then reported from the
 * main loop. */
static SipConn *conn_dial(VgwSipTransport *t, const SipPeer *to) {
  char name[VGW_PEER_LEN];
  struct sockaddr_in sa;
  int fd;

  g_snprintf(name, sizeof(name), "%s:%u", to->address, to->port);
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(to->port);
  if (inet_pton(AF_INET, to->address, &sa.sin_addr) != 1) {
    report_later(t, to, SIP_PEER_UNREACHABLE, name, "not an IPv4 address");
    return NULL;
  }
  if (to->transport == SIP_TRANSPORT_TLS && t->tls_client == NULL) {
    report_later(t, to, SIP_PEER_TLS_HANDSHAKE, name,
                 "no TLS client (no crypto engine)");
    return NULL;
  }
  if (!conn_admit(t, to->transport, OUTGOING_IFACE, name)) {
    report_later(t, to, SIP_PEER_CONNECTION_LIMIT, name,
                 REFUSED_CONNECTION_LIMIT);
    return NULL;
  }
  fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    report_later(t, to, SIP_PEER_UNREACHABLE, name, g_strerror(errno));
    return NULL;
  }
  if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
      errno != EINPROGRESS) {
    int error = errno;
    close(fd);
    report_later(t, to, connect_failure(error), name, g_strerror(error));
    return NULL;
  }
  SipConn *c = conn_new(t, to->transport, OUTGOING_IFACE, &sa, name, TRUE);
  c->fd = fd;
  c->state = CONN_CONNECTING;
  c->backlog = g_byte_array_new();
  c->out_watch = g_unix_fd_add(fd, G_IO_OUT, on_conn_connected, c);
  return c;
}

void vgw_sip_transport_set_server_name(VgwSipTransport *t,
                                       const SipPeer *peer,
                                       const char *name) {
  g_return_if_fail(peer->transport == SIP_TRANSPORT_TLS);
  if (name == NULL) {
    g_autofree char *key = peer_key(peer);
    g_hash_table_remove(t->server_names, key);
  } else {
    g_hash_table_insert(t->server_names, peer_key(peer), g_strdup(name));
  }
}

void vgw_sip_transport_set_tls_context(VgwSipTransport *t,
                                       const SipPeer *peer, guint context,
                                       const char *why) {
  g_return_if_fail(peer->transport == SIP_TRANSPORT_TLS);
  if (why == NULL) {
    g_autofree char *key = peer_key(peer);
    g_hash_table_remove(t->tls_contexts, key);
    return;
  }
  TlsChoice *choice = g_new0(TlsChoice, 1);
  choice->context = context;
  choice->why = g_strdup(why);
  g_hash_table_insert(t->tls_contexts, peer_key(peer), choice);
}

void vgw_sip_transport_set_ping(VgwSipTransport *t, const SipPeer *peer,
                                guint interval_s) {
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail(peer->transport != SIP_TRANSPORT_UDP);
  if (interval_s == 0) {
    g_autofree char *key = peer_key(peer);
    g_hash_table_remove(t->pings, key);
  } else {
    g_hash_table_insert(t->pings, peer_key(peer),
                        GUINT_TO_POINTER(interval_s));
  }
  g_hash_table_iter_init(&iter, t->conns);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    SipConn *c = value;
    if (c->outgoing && c->state == CONN_READY && peer_is(&c->peer, peer)) {
      conn_ping_apply(c);
    }
  }
}

/* ---- Replacing a TLS 1.2 connection (TLSReHandshakeInterval) ---- */

static gboolean on_retire(gpointer data) {
  SipConn *c = data;

  c->retire_timer = 0;
  vgw_tls_conn_abort(c->tls, "replaced by a new connection");
  return G_SOURCE_REMOVE;
}

/* conn_take_over: when |c|, now ready, replaces a connection, new
 * requests go on |c| from now on, and the old one retires: what is under
 * way on it (our transactions' responses, the peer's requests and our
 * answers) keeps it for RETIRE_S, then it closes. */
static void conn_take_over(SipConn *c) {
  SipConn *old = c->replacing != 0
                     ? g_hash_table_lookup(c->t->conns, &c->replacing)
                     : NULL;

  c->replacing = 0;
  if (old == NULL || old->retiring) {
    return;
  }
  old->retiring = TRUE;
  old->retire_timer = g_timeout_add_seconds(RETIRE_S, on_retire, old);
  g_message("sip/tls: %s: new requests go on the new connection; the one it "
            "replaces closes in %u s",
            c->name, RETIRE_S);
}

/* conn_renew: |c|'s TLS 1.2 connection is due for a re-handshake, which
 * BoringSSL cannot do: a new connection (a full handshake: nothing
 * resumes) replaces it once ready, make-before-break (conn_take_over). */
static void conn_renew(gpointer conn) {
  SipConn *c = conn;
  GHashTableIter iter;
  gpointer value;

  if (c->retiring || c->broken || c->state != CONN_READY) {
    return;
  }
  g_hash_table_iter_init(&iter, c->t->conns);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    if (((SipConn *)value)->replacing == c->id) {
      return; /* one is on its way */
    }
  }
  g_message("sip/tls: %s: re-establishing the connection (TLS 1.2 "
            "re-handshake, TLSReHandshakeInterval)",
            c->name);
  SipConn *next = conn_dial(c->t, &c->peer);
  if (next != NULL) {
    next->replacing = c->id;
  }
}

/* ---- TLS connections (the TLS listener's stream handler) ---- */

gboolean vgw_sip_transport_client_identity(VgwSipTransport *t,
                                           guint64 connection,
                                           SipClientIdentity *out) {
  SipConn *c = g_hash_table_lookup(t->conns, &connection);
  const VgwTlsPeerIdentity *id =
      c != NULL && c->tls != NULL ? vgw_tls_conn_peer_identity(c->tls) : NULL;
  if (id == NULL) {
    return FALSE;
  }
  *out = (SipClientIdentity){.subject = id->subject,
                             .issuer = id->issuer,
                             .sha256 = id->sha256,
                             .san = id->san};
  return TRUE;
}

static gpointer tls_open(VgwTlsConn *tls, const struct sockaddr_in *addr,
                         const char *name, gpointer data) {
  VgwSipTransport *t = data;
  int tag = vgw_tls_conn_tag(tls);
  guint iface = tag >= 0 && tag < VGW_SIP_INTERFACES ? (guint)tag : 0;

  if (!conn_admit(t, SIP_TRANSPORT_TLS, iface, name)) {
    return NULL;
  }
  SipConn *c = conn_new(t, SIP_TRANSPORT_TLS, iface, addr, name, FALSE);
  c->tls = tls;
  return c;
}

static void tls_received(gpointer conn, const guint8 *bytes, gsize len) {
  SipConn *c = conn;

  if (!c->broken) {
    conn_received(c, bytes, len);
  }
}

static void tls_closed(gpointer conn) {
  SipConn *c = conn;

  if (!c->broken) {
    g_message("sip/tls: %s closed", c->name);
  }
  conn_free(c);
}

const VgwTlsStreamOps vgw_sip_tls_stream_ops = {
    .open = tls_open, .received = tls_received, .closed = tls_closed};

/* The TLS client's stream handler: connections we opened. */
static void tls_established(gpointer conn) {
  conn_ready(conn);
}

static void tls_failed(gpointer conn, VgwTlsError code, const char *detail) {
  SipConn *c = conn;

  c->failure = SIP_PEER_TLS_HANDSHAKE;
  c->broken = TRUE; /* nothing more to send; freed by tls_closed */
  connect_failed(c->t, SIP_TRANSPORT_TLS, c->name, c->failure,
                 vgw_tls_error_name(code));
}

static const VgwTlsStreamOps sip_tls_client_ops = {
    .received = tls_received,
    .closed = tls_closed,
    .established = tls_established,
    .renew = conn_renew,
    .failed = tls_failed,
};

void vgw_sip_transport_set_tls_client(VgwSipTransport *t,
                                      VgwTlsClient *client) {
  t->tls_client = client;
  if (client != NULL) {
    vgw_tls_client_set_stream(client, &sip_tls_client_ops, t);
  }
}

/* ---- The transport ---- */

/* note_alias: a request on an accepted connection whose top Via carries
 * ;alias (RFC 5923 §5.2) lets us send our own requests to the peer's
 * source address and sent-by port on that connection. */
static void note_alias(VgwSipTransport *t, const osip_message_t *req,
                       const SipPeer *from) {
  osip_via_t *via = osip_list_get(&req->vias, 0);
  osip_generic_param_t *alias = NULL;
  SipConn *c;
  guint64 port;

  if (from->transport == SIP_TRANSPORT_UDP || via == NULL ||
      osip_via_param_get_byname(via, "alias", &alias) < 0 ||
      (c = g_hash_table_lookup(t->conns, &from->connection)) == NULL ||
      c->outgoing || c->has_alias) {
    return;
  }
  if (via->port == NULL) {
    port = from->transport == SIP_TRANSPORT_TLS ? 5061 : 5060;
  } else if (!g_ascii_string_to_unsigned(via->port, 10, 1, G_MAXUINT16, &port,
                                         NULL)) {
    return;
  }
  c->has_alias = TRUE;
  c->alias = c->peer;
  c->alias.port = (guint16)port;
  g_debug("sip/%s: %s offers its connection as alias for %s:%u",
          conn_transport(c), c->name, c->alias.address, c->alias.port);
}

/* The layer's user data is the transport (layer_send needs it): hand new
 * requests on with the data the transport was made with. */
static void layer_request(SipTxnLayer *layer, SipTxn *txn,
                          const osip_message_t *req, const SipPeer *from,
                          gpointer user_data) {
  VgwSipTransport *t = user_data;

  if (txn != NULL) {
    note_alias(t, req, from);
  }
  t->request(layer, txn, req, from, t->request_data);
}

SipTxnLayer *vgw_sip_transport_layer(VgwSipTransport *t) {
  return t->layer;
}

gboolean vgw_sip_transport_sent_by(const VgwSipTransport *t,
                                   const SipPeer *to, char *host,
                                   gsize host_len, guint16 *port) {
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(to->port)};
  struct sockaddr_in local;
  socklen_t len = sizeof(local);
  int fd;
  gboolean ok;

  if (inet_pton(AF_INET, to->address, &sa.sin_addr) != 1) {
    return FALSE;
  }
  /* A UDP socket's connect() sends nothing: it only asks the routing
   * table which of our addresses faces |to|. */
  fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
       getsockname(fd, (struct sockaddr *)&local, &len) == 0 &&
       inet_ntop(AF_INET, &local.sin_addr, host, (socklen_t)host_len) != NULL;
  if (fd >= 0) {
    close(fd);
  }
  len = sizeof(local);
  *port = t->udp_fd >= 0 &&
                  getsockname(t->udp_fd, (struct sockaddr *)&local, &len) == 0
              ? ntohs(local.sin_port)
              : 5060;
  return ok;
}

guint64 vgw_sip_transport_connection_to(VgwSipTransport *t, const SipPeer *to,
                                        gboolean *outgoing) {
  SipConn *c = to->transport == SIP_TRANSPORT_UDP ? NULL : conn_to(t, to);

  if (c == NULL) {
    return 0;
  }
  *outgoing = c->outgoing;
  return c->id;
}

const char *vgw_sip_transport_failure_detail(const VgwSipTransport *t,
                                             const SipPeer *peer) {
  g_autofree char *key = peer_key(peer);

  return g_strcmp0(key, t->last_failure_peer) == 0 ? t->last_failure : NULL;
}

VgwSipTransport *vgw_sip_transport_new(const VgwSipTransportLimits *limits,
                                       VgwSipRequestFunc request,
                                       gpointer data) {
  VgwSipTransport *t = g_new0(VgwSipTransport, 1);
  SipTxnCallbacks cb = {.send = layer_send, .request = layer_request};

  if (limits != NULL) {
    t->limits = *limits;
    if (t->limits.max_interface_connections == 0) {
      t->limits.max_interface_connections = t->limits.max_connections;
    }
  } else {
    t->limits = (VgwSipTransportLimits){
        .max_connections = VGW_SIP_MAX_CONNECTIONS,
        .idle_timeout_s = VGW_SIP_IDLE_TIMEOUT_S,
        .max_send_backlog = VGW_SIP_MAX_SEND_BACKLOG,
        .max_interface_connections = VGW_SIP_MAX_INTERFACE_CONNECTIONS};
  }
  t->request = request;
  t->request_data = data;
  sip_limits_init_default(&t->sip_limits);
  t->layer = sip_txn_layer_new(NULL, &t->sip_limits, &cb, t);
  if (t->layer == NULL) {
    g_free(t);
    return NULL;
  }
  t->udp_fd = -1;
  t->udp_sockets = g_hash_table_new_full(NULL, NULL, NULL, g_free);
  t->conns = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
  t->pings = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  t->server_names =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  t->tls_contexts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)tls_choice_free);
  count_iterations(&t->iteration);
  return t;
}

void vgw_sip_transport_serve_udp(VgwSipTransport *t, guint iface, int fd) {
  UdpSocket *u = g_new0(UdpSocket, 1);

  g_return_if_fail(iface < VGW_SIP_INTERFACES);
  u->t = t;
  u->fd = fd;
  u->iface = iface;
  u->watch = g_unix_fd_add(fd, G_IO_IN, on_udp, u);
  if (t->udp_fd < 0) {
    t->udp_fd = fd;
  }
  g_hash_table_insert(t->udp_sockets, GINT_TO_POINTER(fd), u);
}

void vgw_sip_transport_stop_udp(VgwSipTransport *t, int fd) {
  UdpSocket *u = g_hash_table_lookup(t->udp_sockets, GINT_TO_POINTER(fd));

  if (u == NULL) {
    return;
  }
  g_source_remove(u->watch);
  g_hash_table_remove(t->udp_sockets, GINT_TO_POINTER(fd)); /* frees u */
  if (t->udp_fd == fd) {
    GHashTableIter it;
    gpointer other = NULL;
    g_hash_table_iter_init(&it, t->udp_sockets);
    t->udp_fd = g_hash_table_iter_next(&it, &other, NULL)
                    ? GPOINTER_TO_INT(other)
                    : -1;
  }
}

void vgw_sip_transport_close_interface(VgwSipTransport *t,
                                       SipTransport transport, guint iface,
                                       const char *why) {
  GHashTableIter it;
  gpointer value;

  g_hash_table_iter_init(&it, t->conns);
  while (g_hash_table_iter_next(&it, NULL, &value)) {
    SipConn *c = value;
    if (c->iface == iface && c->peer.transport == transport) {
      conn_break(c, why);
    }
  }
}

VgwSipInterfaceConns vgw_sip_transport_interface_conns(
    const VgwSipTransport *t, SipTransport transport, guint iface) {
  VgwSipInterfaceConns none = {0, 0};

  g_return_val_if_fail(iface < VGW_SIP_INTERFACES, none);
  return t->iface[iface][transport];
}

/* status_transport fills |out| with the layer's counters of |transport|:
 * the non-zero refusals and then |extra|. */
static void status_transport(const VgwSipTransport *t, SipTransport transport,
                             const VgwStatusCount *extra, size_t n_extra,
                             VgwStatusSipTransport *out) {
  const SipTransportStats *s =
      &sip_txn_layer_stats(t->layer)->transport[transport];

  out->name = sip_transport_name(transport);
  out->received = s->received;
  out->sent = s->sent;
  for (int r = SIP_REASON_NONE + 1; r < SIP_REASON_COUNT; r++) {
    if (s->rejected[r] != 0 && out->n_rejected < VGW_STATUS_MAX_SIP_REASONS) {
      out->rejected[out->n_rejected++] =
          (VgwStatusCount){sip_reason_name(r), s->rejected[r]};
    }
  }
  for (size_t i = 0; i < n_extra; i++) {
    if (extra[i].count != 0 &&
        out->n_rejected < VGW_STATUS_MAX_SIP_REASONS) {
      out->rejected[out->n_rejected++] = extra[i];
    }
  }
}

/* status_stream fills |out| with the counters of the stream |transport|. */
static void status_stream(const VgwSipTransport *t, SipTransport transport,
                          VgwStatusSipTransport *out) {
  const StreamStats *st = &t->stream[transport];
  const VgwStatusCount refusals[] = {
      {REFUSED_CONNECTION_LIMIT, st->refused_limit},
      {REFUSED_INTERFACE_LIMIT, st->refused_interface_limit},
      {REFUSED_SEND_BACKLOG, st->refused_backlog},
  };

  status_transport(t, transport, refusals, G_N_ELEMENTS(refusals), out);
  out->stream = TRUE;
  out->connections = st->open;
  out->connections_max = connections_max(t, transport);
  out->accepted = st->accepted;
  out->closed_idle = st->closed_idle;
  out->idle_timeout_s = t->limits.idle_timeout_s;
  out->pings = st->pings;
  out->outgoing = st->outgoing;
  out->opened = st->opened;
  out->connect_failures = st->connect_failures;
  out->pings_sent = st->pings_sent;
  out->pongs = st->pongs;
  out->ping_timeouts = st->ping_timeouts;
  out->messages_per_turn = VGW_SIP_MESSAGES_PER_TURN;
  out->deferred = st->deferred;
}

void vgw_sip_transport_status(const VgwSipTransport *t, VgwStatusSip *out) {
  const SipTxnStats *s = sip_txn_layer_stats(t->layer);

  memset(out, 0, sizeof(*out));
  out->present = TRUE;
  out->server_transactions = s->server_transactions;
  out->retransmissions = s->retransmissions;
  out->send_errors = s->transport_errors;
  out->client_transactions = s->client_transactions;
  out->peer_failures = s->peer_failures;
  status_transport(t, SIP_TRANSPORT_UDP, NULL, 0,
                   &out->transports[out->n_transports++]);
  status_stream(t, SIP_TRANSPORT_TCP, &out->transports[out->n_transports++]);
  status_stream(t, SIP_TRANSPORT_TLS, &out->transports[out->n_transports++]);
}

/* ---- Test switch ---- */

static void verb_debug_idle_timeout(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwSipTransport *t = c->data;
  guint64 seconds = 0;

  if (c->argc != 2 ||
      !g_ascii_string_to_unsigned(c->argv[2], 10, 1, DEBUG_IDLE_TIMEOUT_MAX_S,
                                  &seconds, NULL)) {
    vgw_reply_usage(c, out);
    return;
  }
  t->limits.idle_timeout_s = (guint)seconds;
  g_message("sip: DEBUG: TCP and TLS connections are closed after %u s idle",
            t->limits.idle_timeout_s);
  GString *body = g_string_new(NULL);
  if (c->human) {
    g_string_printf(body, "SIP TCP and TLS idle timeout: %u s\n",
                    t->limits.idle_timeout_s);
  } else {
    g_string_printf(body, "{\"idle_timeout_s\":%u}",
                    t->limits.idle_timeout_s);
  }
  vgw_reply_ok(out, body);
}

static void verb_debug_ping(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwSipTransport *t = c->data;
  SipPeer peer = {0};
  guint64 port = 0;
  guint64 seconds = 0;
  struct in_addr addr;

  if (c->argc != 5 ||
      (g_strcmp0(c->argv[2], "tcp") != 0 &&
       g_strcmp0(c->argv[2], "tls") != 0) ||
      inet_pton(AF_INET, c->argv[3], &addr) != 1 ||
      !g_ascii_string_to_unsigned(c->argv[4], 10, 1, G_MAXUINT16, &port,
                                  NULL) ||
      !g_ascii_string_to_unsigned(c->argv[5], 10, 0, DEBUG_IDLE_TIMEOUT_MAX_S,
                                  &seconds, NULL)) {
    vgw_reply_usage(c, out);
    return;
  }
  peer.transport = g_strcmp0(c->argv[2], "tcp") == 0 ? SIP_TRANSPORT_TCP
                                                     : SIP_TRANSPORT_TLS;
  g_strlcpy(peer.address, c->argv[3], sizeof(peer.address));
  peer.port = (guint16)port;
  vgw_sip_transport_set_ping(t, &peer, (guint)seconds);
  g_message("sip: DEBUG: keep-alive pings to %s %s:%u every %u s (0: off)",
            c->argv[2], peer.address, peer.port, (guint)seconds);
  vgw_reply_done(c, out, "keep-alive set\n");
}

static const VgwMgmtVerb sip_debug_verbs[] = {
    {"debug sip-ping", "tcp|tls ADDRESS PORT SECONDS",
     "CRLF keep-alives on our connection to a SIP peer (test switch)", 0,
     verb_debug_ping},
    {"debug sip-idle-timeout", "SECONDS",
     "idle timeout of SIP TCP and TLS connections (test switch)", 0,
     verb_debug_idle_timeout},
};

const VgwMgmtVerbSet vgw_sip_debug_verb_set = {
    sip_debug_verbs, G_N_ELEMENTS(sip_debug_verbs), NULL};
