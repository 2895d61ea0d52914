/*
 * sip_tls_load: a SIP-over-TLS load generator for the benchmarks
 * (tests/bench/sip_tls.py). One thread, non-blocking sockets on epoll,
 * BoringSSL.
 *
 *   sip_tls_load [--mode options|connect] --port P [--host A]
 *                [--connections N] [--window W] [--ramp R]
 *                [--seconds S | --requests N] [--drain S]
 *                [--tls 1.2|1.3|any] [--cert F --key F]
 *
 * options: N persistent TLS connections (at most R handshakes in flight
 *   while they open, so a server that bounds half-open connections is not
 *   overrun); once all are up, each keeps W OPTIONS outstanding, a new one
 *   sent as each final answer arrives, for S seconds or until N requests
 *   (--requests) are sent; then it waits up to --drain seconds for the
 *   outstanding answers.
 * connect: N connections at a time, each a full cycle: TCP connect, a
 *   full TLS handshake (no session reuse), one OPTIONS, its final answer,
 *   close_notify and close; a new cycle starts as one ends.
 *
 * Every OPTIONS has its own branch and Call-ID, and Content-Length 0.
 * Answers are matched to requests by CSeq (each connection numbers its
 * requests from 1). The server's certificate is not verified: this
 * measures a server, it does not trust one. With --cert/--key the client
 * presents that certificate when asked (mutual TLS).
 *
 * Output: one JSON line on stdout (the figures), a human summary on
 * stderr. The rate is final answers per second (options) or completed
 * cycles per second (connect) over the measured time: from the first
 * request after the connections are up (options) or from the start
 * (connect) to the last answer. Latency percentiles are those of a
 * request's final answer (options) or of a whole cycle (connect).
 *
 * Counts add up: sent = ok + other + unanswered, where unanswered are the
 * requests still outstanding when the run ended (drain expired, or their
 * connection failed). Exit status: 0 the run was made (its answers may be
 * anything: the counts say), 1 usage, 2 the connections could not be set
 * up (options mode) or no cycle completed (connect mode).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sip_framing.h"

typedef enum { MODE_OPTIONS, MODE_CONNECT } Mode;

typedef struct {
  Mode mode;
  char *host;
  int port;
  guint connections;
  guint window;
  guint ramp;
  double seconds;
  guint64 requests; /* 0: run for |seconds| */
  double drain;
  char *tls;
  char *cert;
  char *key;
} Options;

typedef enum {
  CONN_CONNECTING, /* TCP connect in progress */
  CONN_HANDSHAKE,
  CONN_READY,
  CONN_CLOSED,
} ConnState;

typedef struct {
  guint index; /* slot in the run's connection array */
  guint64 id;  /* unique in the run, part of every Call-ID */
  int fd;
  SSL *ssl;
  ConnState state;
  SipFramer *framer;
  GByteArray *out;     /* SIP bytes not yet taken by SSL_write */
  gboolean want_write; /* EPOLLOUT registered */
  char via[64];        /* our address for Via: "a.b.c.d:port" */
  guint32 next_cseq;   /* CSeq of the next request */
  guint32 first_open;  /* lowest CSeq not yet answered */
  gint64 *sent_at;     /* send time by CSeq % window; 0: answered */
  guint outstanding;
  gint64 started_at;   /* connect mode: when the cycle began */
} Conn;

typedef struct {
  guint64 sent, ok, other, provisional, unmatched;
  guint64 handshakes, connect_failed, handshake_failed, conn_lost;
  guint64 cycles;  /* connect mode: cycles that got a final answer */
  guint64 abandoned; /* outstanding on a connection that failed */
  GArray *latency_us; /* guint32 */
} Counts;

typedef struct {
  Options opt;
  SSL_CTX *ctx;
  struct sockaddr_in target;
  int epoll_fd;
  Conn *conns;
  guint64 next_conn_id;
  char run_id[17];
  gboolean sending;     /* new requests may start */
  GArray *reopen;       /* guint: slots whose connection ended */
  guint handshaking;    /* connections between connect and READY */
  guint ready;
  Counts n;
  const char *version;  /* TLS version of the first handshake */
  gint64 t0, t_last;
  guint8 buf[16384];
} Run;

static gint64 now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void die_ssl(const char *what) {
  fprintf(stderr, "sip_tls_load: %s: ", what);
  ERR_print_errors_fp(stderr);
  fputc('\n', stderr);
  exit(1);
}

/* ---- reading answers: bounded scans over one framed message ---- */

/* Parses "SIP/2.0 NNN " at the start of |msg|: the status, or -1 when the
 * message is not a response. */
static int response_status(const guint8 *msg, gsize len) {
  static const char prefix[] = "SIP/2.0 ";
  const gsize plen = sizeof(prefix) - 1;
  if (len < plen + 3 || memcmp(msg, prefix, plen) != 0) {
    return -1;
  }
  int status = 0;
  for (gsize i = plen; i < plen + 3; i++) {
    if (!g_ascii_isdigit(msg[i])) {
      return -1;
    }
    status = status * 10 + (msg[i] - '0');
  }
  return status;
}

/* Finds the CSeq header field's number among the header lines of
 * |msg|[0, header_len) ("CSeq:" at the start of a line, any case). FALSE
 * when there is none or it is not a number that fits 32 bits. */
static gboolean response_cseq(const guint8 *msg, gsize header_len,
                              guint32 *cseq) {
  static const char name[] = "\r\ncseq:";
  const gsize nlen = sizeof(name) - 1;
  for (gsize at = 0; at + nlen <= header_len; at++) {
    if (g_ascii_strncasecmp((const char *)msg + at, name, nlen) != 0) {
      continue;
    }
    gsize i = at + nlen;
    while (i < header_len && (msg[i] == ' ' || msg[i] == '\t')) {
      i++;
    }
    guint64 v = 0;
    gsize digits = 0;
    while (i < header_len && g_ascii_isdigit(msg[i]) && digits < 10) {
      v = v * 10 + (msg[i] - '0');
      i++;
      digits++;
    }
    if (digits == 0 || v > G_MAXUINT32) {
      return FALSE;
    }
    *cseq = (guint32)v;
    return TRUE;
  }
  return FALSE;
}

/* ---- connections ---- */

static void conn_watch(Run *r, Conn *c, gboolean want_write) {
  struct epoll_event ev = {.events = EPOLLIN | (want_write ? EPOLLOUT : 0),
                           .data.u32 = c->index};
  if (epoll_ctl(r->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) != 0) {
    perror("sip_tls_load: epoll_ctl");
    exit(1);
  }
  c->want_write = want_write;
}

/* Ends |c|. Requests still outstanding on it stay unanswered. In connect
 * mode, and in options mode while requests are still being sent, the slot
 * opens a new connection. */
static void conn_close(Run *r, Conn *c, gboolean clean) {
  if (c->state == CONN_READY) {
    r->ready--;
  } else if (c->state != CONN_CLOSED) {
    r->handshaking--;
  }
  if (clean && c->state == CONN_READY) {
    SSL_shutdown(c->ssl); /* close_notify, best effort */
  }
  if (c->ssl != NULL) {
    SSL_free(c->ssl);
    c->ssl = NULL;
  }
  if (c->fd >= 0) {
    close(c->fd); /* also leaves the epoll set */
    c->fd = -1;
  }
  c->state = CONN_CLOSED;
  r->n.abandoned += c->outstanding;
  c->outstanding = 0;
  if (r->sending) {
    g_array_append_val(r->reopen, c->index);
  }
}

static void conn_fail(Run *r, Conn *c, guint64 *counter) {
  (*counter)++;
  conn_close(r, c, FALSE);
}

static void conn_open(Run *r, Conn *c) {
  c->id = r->next_conn_id++;
  c->started_at = now_us();
  c->next_cseq = 1;
  c->first_open = 1;
  c->outstanding = 0;
  memset(c->sent_at, 0, sizeof(gint64) * r->opt.window);
  g_byte_array_set_size(c->out, 0);
  sip_framer_free(c->framer);
  SipLimits limits;
  sip_limits_init_default(&limits);
  c->framer = sip_framer_new(&limits, SIP_FRAMER_OPENED);

  c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (c->fd < 0) {
    perror("sip_tls_load: socket");
    exit(1);
  }
  int one = 1;
  setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  c->state = CONN_CONNECTING;
  r->handshaking++;
  struct epoll_event ev = {.events = EPOLLOUT, .data.u32 = c->index};
  if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, c->fd, &ev) != 0) {
    perror("sip_tls_load: epoll_ctl");
    exit(1);
  }
  c->want_write = TRUE;
  if (connect(c->fd, (struct sockaddr *)&r->target, sizeof(r->target)) != 0 &&
      errno != EINPROGRESS) {
    conn_fail(r, c, &r->n.connect_failed);
  }
}

/* Queues one OPTIONS on |c|. */
static void conn_queue_options(Run *r, Conn *c) {
  guint32 cseq = c->next_cseq++;
  char msg[768];
  int len = snprintf(msg, sizeof(msg),
      "OPTIONS sip:%s:%d;transport=tls SIP/2.0\r\n"
      "Via: SIP/2.0/TLS %s;branch=z9hG4bK%s.%" G_GUINT64_FORMAT ".%u\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:bench@%s>;tag=%s.%" G_GUINT64_FORMAT "\r\n"
      "To: <sip:%s:%d>\r\n"
      "Call-ID: %s.%" G_GUINT64_FORMAT ".%u@bench\r\n"
      "CSeq: %u OPTIONS\r\n"
      "Accept: application/sdp\r\n"
      "Content-Length: 0\r\n"
      "\r\n",
      r->opt.host, r->opt.port, c->via, r->run_id, c->id, cseq,
      c->via, r->run_id, c->id, r->opt.host, r->opt.port,
      r->run_id, c->id, cseq, cseq);
  g_assert(len > 0 && (gsize)len < sizeof(msg));
  g_byte_array_append(c->out, (const guint8 *)msg, (guint)len);
  c->sent_at[cseq % r->opt.window] = now_us();
  c->outstanding++;
  r->n.sent++;
  if (r->opt.requests != 0 && r->n.sent >= r->opt.requests) {
    r->sending = FALSE;
  }
}

/* Tops |c| up to its window of outstanding requests (one per cycle in
 * connect mode). */
static void conn_fill(Run *r, Conn *c) {
  guint window = r->opt.mode == MODE_CONNECT ? 1 : r->opt.window;
  if (r->opt.mode == MODE_CONNECT && c->next_cseq > 1) {
    return;
  }
  /* Answers are matched through sent_at[CSeq % window]: the CSeqs in
   * flight may span no more than the window. */
  while (r->sending && c->outstanding < window &&
         c->next_cseq - c->first_open < r->opt.window) {
    conn_queue_options(r, c);
  }
}

/* Hands queued bytes to TLS. FALSE when the connection failed. */
static gboolean conn_flush(Run *r, Conn *c) {
  while (c->out->len > 0) {
    int n = SSL_write(c->ssl, c->out->data, (int)MIN(c->out->len, 65536u));
    if (n > 0) {
      g_byte_array_remove_range(c->out, 0, (guint)n);
      continue;
    }
    int err = SSL_get_error(c->ssl, n);
    if (err == SSL_ERROR_WANT_WRITE || err == SSL_ERROR_WANT_READ) {
      if (!c->want_write) {
        conn_watch(r, c, TRUE);
      }
      return TRUE;
    }
    conn_fail(r, c, &r->n.conn_lost);
    return FALSE;
  }
  if (c->want_write) {
    conn_watch(r, c, FALSE);
  }
  return TRUE;
}

/* One framed answer on |c|. FALSE when |c| was closed (connect mode:
 * its cycle is done). */
static gboolean conn_answer(Run *r, Conn *c, const SipFrame *f) {
  int status = response_status(f->data, f->len);
  guint32 cseq;
  if (status < 0 || !response_cseq(f->data, f->header_len, &cseq) ||
      cseq < c->first_open || cseq >= c->next_cseq ||
      c->sent_at[cseq % r->opt.window] == 0) {
    r->n.unmatched++;
    return TRUE;
  }
  if (status < 200) {
    r->n.provisional++;
    return TRUE;
  }
  gint64 now = now_us();
  gint64 *sent = &c->sent_at[cseq % r->opt.window];
  gint64 began = r->opt.mode == MODE_CONNECT ? c->started_at : *sent;
  guint32 us = (guint32)MIN(now - began, (gint64)G_MAXUINT32);
  g_array_append_val(r->n.latency_us, us);
  *sent = 0;
  c->outstanding--;
  while (c->first_open < c->next_cseq &&
         c->sent_at[c->first_open % r->opt.window] == 0) {
    c->first_open++;
  }
  if (status >= 200 && status < 300) {
    r->n.ok++;
  } else {
    r->n.other++;
  }
  r->t_last = now;
  if (r->opt.mode == MODE_CONNECT) {
    r->n.cycles++;
    conn_close(r, c, TRUE);
    return FALSE;
  }
  return TRUE;
}

/* Reads what TLS has for |c| and handles every whole answer. */
static void conn_read(Run *r, Conn *c) {
  for (;;) {
    int n = SSL_read(c->ssl, r->buf, sizeof(r->buf));
    if (n <= 0) {
      int err = SSL_get_error(c->ssl, n);
      if (err == SSL_ERROR_WANT_READ) {
        return;
      }
      if (err == SSL_ERROR_WANT_WRITE) {
        conn_watch(r, c, TRUE);
        return;
      }
      conn_fail(r, c, &r->n.conn_lost);
      return;
    }
    sip_framer_push(c->framer, r->buf, (gsize)n);
    SipFrame f;
    SipFrameKind kind;
    while ((kind = sip_framer_next(c->framer, &f)) != SIP_FRAME_NEED_MORE) {
      if (kind == SIP_FRAME_ERROR) {
        fprintf(stderr, "sip_tls_load: connection %" G_GUINT64_FORMAT
                ": unframeable answer (%s)\n", c->id,
                sip_reason_name(f.reason));
        conn_fail(r, c, &r->n.conn_lost);
        return;
      }
      if (kind == SIP_FRAME_MESSAGE && !conn_answer(r, c, &f)) {
        return;
      }
    }
  }
}

static void conn_ready(Run *r, Conn *c) {
  c->state = CONN_READY;
  r->handshaking--;
  r->ready++;
  r->n.handshakes++;
  if (r->version == NULL) {
    r->version = SSL_get_version(c->ssl); /* a static string */
  }
  struct sockaddr_in local;
  socklen_t llen = sizeof(local);
  if (getsockname(c->fd, (struct sockaddr *)&local, &llen) == 0) {
    char addr[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &local.sin_addr, addr, sizeof(addr));
    g_snprintf(c->via, sizeof(c->via), "%s:%u", addr, ntohs(local.sin_port));
  } else {
    g_strlcpy(c->via, "127.0.0.1", sizeof(c->via));
  }
}

static void conn_handshake(Run *r, Conn *c) {
  int rc = SSL_do_handshake(c->ssl);
  if (rc == 1) {
    conn_ready(r, c);
    conn_watch(r, c, FALSE);
    /* A cycle's OPTIONS, or a replacement connection's window during an
     * options run (none while the connections first open). */
    conn_fill(r, c);
    if (conn_flush(r, c)) {
      conn_read(r, c); /* TLS 1.3 tickets may already be buffered */
    }
    return;
  }
  int err = SSL_get_error(c->ssl, rc);
  if (err == SSL_ERROR_WANT_READ) {
    if (c->want_write) {
      conn_watch(r, c, FALSE);
    }
  } else if (err == SSL_ERROR_WANT_WRITE) {
    if (!c->want_write) {
      conn_watch(r, c, TRUE);
    }
  } else {
    if (r->n.handshake_failed == 0) {
      fprintf(stderr, "sip_tls_load: handshake failed: ");
      ERR_print_errors_fp(stderr);
      fputc('\n', stderr);
    }
    ERR_clear_error();
    conn_fail(r, c, &r->n.handshake_failed);
  }
}

static void conn_event(Run *r, Conn *c, guint32 events) {
  switch (c->state) {
  case CONN_CONNECTING: {
    int soerr = 0;
    socklen_t len = sizeof(soerr);
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
    if (soerr != 0) {
      if (r->n.connect_failed == 0) {
        fprintf(stderr, "sip_tls_load: connect: %s\n", g_strerror(soerr));
      }
      conn_fail(r, c, &r->n.connect_failed);
      return;
    }
    c->ssl = SSL_new(r->ctx);
    if (c->ssl == NULL) {
      die_ssl("SSL_new");
    }
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_connect_state(c->ssl);
    c->state = CONN_HANDSHAKE;
    conn_handshake(r, c);
    return;
  }
  case CONN_HANDSHAKE:
    conn_handshake(r, c);
    return;
  case CONN_READY:
    if ((events & EPOLLOUT) && !conn_flush(r, c)) {
      return;
    }
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
      conn_read(r, c);
    }
    if (c->state == CONN_READY) {
      conn_fill(r, c);
      conn_flush(r, c);
    }
    return;
  case CONN_CLOSED:
    return;
  }
}

/* ---- the run ---- */

static void run_poll(Run *r, int timeout_ms) {
  struct epoll_event events[256];
  int n = epoll_wait(r->epoll_fd, events, G_N_ELEMENTS(events), timeout_ms);
  if (n < 0 && errno != EINTR) {
    perror("sip_tls_load: epoll_wait");
    exit(1);
  }
  for (int i = 0; i < n; i++) {
    conn_event(r, &r->conns[events[i].data.u32], events[i].events);
  }
  /* Outside the event handlers, so that a connect failing at once does
   * not recurse. */
  guint due = r->reopen->len; /* a failing connect appends: next round */
  for (guint i = 0; i < due; i++) {
    Conn *c = &r->conns[g_array_index(r->reopen, guint, i)];
    if (r->sending && c->state == CONN_CLOSED) {
      conn_open(r, c);
    }
  }
  g_array_remove_range(r->reopen, 0, due);
}

static int ms_until(gint64 deadline) {
  gint64 left = deadline - now_us();
  return left <= 0 ? 0 : (int)MIN(left / 1000 + 1, 1000);
}

static guint64 run_outstanding(const Run *r) {
  guint64 n = 0;
  for (guint i = 0; i < r->opt.connections; i++) {
    n += r->conns[i].outstanding;
  }
  return n;
}

/* options mode: opens every connection, R handshakes at a time. FALSE
 * when one fails (the server is not taking this load). */
static gboolean run_open_all(Run *r) {
  guint opened = 0;
  gint64 deadline = now_us() + 60 * G_USEC_PER_SEC;
  r->sending = FALSE; /* a failed connection is not reopened */
  while (r->ready < r->opt.connections) {
    while (opened < r->opt.connections && r->handshaking < r->opt.ramp) {
      conn_open(r, &r->conns[opened++]);
    }
    if (r->n.connect_failed + r->n.handshake_failed + r->n.conn_lost > 0 ||
        now_us() > deadline) {
      return FALSE;
    }
    run_poll(r, 100);
  }
  return TRUE;
}

/* The measured part: every connection starts its requests (options mode:
 * its window on the open connection; connect mode: its first cycle), then
 * answers drive new ones until --seconds or --requests. */
static void run_send(Run *r) {
  r->sending = TRUE;
  r->t0 = r->t_last = now_us();
  for (guint i = 0; i < r->opt.connections && r->sending; i++) {
    if (r->opt.mode == MODE_CONNECT) {
      conn_open(r, &r->conns[i]);
    } else {
      conn_fill(r, &r->conns[i]);
      conn_flush(r, &r->conns[i]);
    }
  }
  gint64 stop = r->t0 + (gint64)(r->opt.seconds * G_USEC_PER_SEC);
  while (r->sending) {
    if (r->opt.requests == 0 && now_us() >= stop) {
      r->sending = FALSE;
      break;
    }
    run_poll(r, r->opt.requests == 0 ? ms_until(stop) : 1000);
  }
}

/* Waits up to --drain seconds for the answers still outstanding. */
static void run_drain(Run *r) {
  gint64 deadline = now_us() + (gint64)(r->opt.drain * G_USEC_PER_SEC);
  while (run_outstanding(r) > 0 && now_us() < deadline) {
    run_poll(r, ms_until(deadline));
  }
}

static int cmp_u32(const void *a, const void *b) {
  guint32 x = *(const guint32 *)a, y = *(const guint32 *)b;
  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of the sorted latencies, in milliseconds. */
static double percentile_ms(const GArray *sorted, double p) {
  if (sorted->len == 0) {
    return 0;
  }
  guint rank = (guint)(p / 100.0 * sorted->len + 0.999999);
  rank = CLAMP(rank, 1u, sorted->len);
  return g_array_index(sorted, guint32, rank - 1) / 1000.0;
}

static void run_report(Run *r) {
  guint64 unanswered = run_outstanding(r) + r->n.abandoned;
  double elapsed = (r->t_last - r->t0) / (double)G_USEC_PER_SEC;
  guint64 done = r->opt.mode == MODE_CONNECT ? r->n.cycles
                                             : r->n.ok + r->n.other;
  double rate = elapsed > 0 ? done / elapsed : 0;
  GArray *lat = r->n.latency_us;
  qsort(lat->data, lat->len, sizeof(guint32), cmp_u32);
  double p50 = percentile_ms(lat, 50), p90 = percentile_ms(lat, 90);
  double p99 = percentile_ms(lat, 99);
  double max = lat->len ? g_array_index(lat, guint32, lat->len - 1) / 1000.0
                        : 0;
  const char *mode = r->opt.mode == MODE_CONNECT ? "connect" : "options";

  printf("{\"mode\":\"%s\",\"target\":\"%s:%d\",\"tls\":\"%s\","
         "\"version\":\"%s\","
         "\"client_cert\":%s,\"connections\":%u,\"window\":%u,"
         "\"seconds\":%.3f,\"rate\":%.1f,\"sent\":%" G_GUINT64_FORMAT
         ",\"ok\":%" G_GUINT64_FORMAT ",\"other\":%" G_GUINT64_FORMAT
         ",\"unanswered\":%" G_GUINT64_FORMAT
         ",\"provisional\":%" G_GUINT64_FORMAT
         ",\"unmatched\":%" G_GUINT64_FORMAT
         ",\"handshakes\":%" G_GUINT64_FORMAT
         ",\"cycles\":%" G_GUINT64_FORMAT
         ",\"connect_failed\":%" G_GUINT64_FORMAT
         ",\"handshake_failed\":%" G_GUINT64_FORMAT
         ",\"conn_lost\":%" G_GUINT64_FORMAT
         ",\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
         mode, r->opt.host, r->opt.port, r->opt.tls,
         r->version != NULL ? r->version : "none", r->opt.cert != NULL ? "true" : "false", r->opt.connections,
         r->opt.mode == MODE_CONNECT ? 1 : r->opt.window, elapsed, rate,
         r->n.sent, r->n.ok, r->n.other, unanswered, r->n.provisional,
         r->n.unmatched, r->n.handshakes, r->n.cycles, r->n.connect_failed,
         r->n.handshake_failed, r->n.conn_lost, p50, p90, p99, max);
  fflush(stdout);

  fprintf(stderr,
          "%s %s:%d, %u connections%s: %.1f %s/s over %.2f s\n"
          "  OPTIONS sent %" G_GUINT64_FORMAT ": 2xx %" G_GUINT64_FORMAT
          ", other final %" G_GUINT64_FORMAT ", unanswered %" G_GUINT64_FORMAT
          " (provisional %" G_GUINT64_FORMAT ", unmatched %" G_GUINT64_FORMAT
          ")\n"
          "  TLS handshakes %" G_GUINT64_FORMAT " (%s), connect failed %"
          G_GUINT64_FORMAT ", handshake failed %" G_GUINT64_FORMAT
          ", lost %" G_GUINT64_FORMAT "\n"
          "  %s latency ms: p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n",
          mode, r->opt.host, r->opt.port, r->opt.connections,
          r->opt.mode == MODE_CONNECT ? " at a time" : "", rate,
          r->opt.mode == MODE_CONNECT ? "connections" : "answers", elapsed,
          r->n.sent, r->n.ok, r->n.other, unanswered, r->n.provisional,
          r->n.unmatched, r->n.handshakes,
          r->version != NULL ? r->version : "none", r->n.connect_failed,
          r->n.handshake_failed, r->n.conn_lost,
          r->opt.mode == MODE_CONNECT ? "cycle" : "answer", p50, p90, p99,
          max);
}

static SSL_CTX *make_ctx(const Options *o) {
  SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == NULL) {
    die_ssl("SSL_CTX_new");
  }
  uint16_t min = TLS1_2_VERSION, max = TLS1_3_VERSION;
  if (g_strcmp0(o->tls, "1.2") == 0) {
    max = TLS1_2_VERSION;
  } else if (g_strcmp0(o->tls, "1.3") == 0) {
    min = TLS1_3_VERSION;
  } else if (g_strcmp0(o->tls, "any") != 0) {
    fprintf(stderr, "sip_tls_load: --tls is 1.2, 1.3 or any\n");
    exit(1);
  }
  SSL_CTX_set_min_proto_version(ctx, min);
  SSL_CTX_set_max_proto_version(ctx, max);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
  /* Every connection a full handshake. */
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                            SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if ((o->cert == NULL) != (o->key == NULL)) {
    fprintf(stderr, "sip_tls_load: --cert and --key go together\n");
    exit(1);
  }
  if (o->cert != NULL &&
      (SSL_CTX_use_certificate_chain_file(ctx, o->cert) != 1 ||
       SSL_CTX_use_PrivateKey_file(ctx, o->key, SSL_FILETYPE_PEM) != 1)) {
    die_ssl("client certificate");
  }
  return ctx;
}

static void parse_options(int argc, char **argv, Options *o) {
  char *mode = NULL;
  gint connections = 0, window = 4, ramp = 16;
  gint64 requests = 0;
  o->seconds = 10;
  o->drain = 5;
  o->port = 0;
  GOptionEntry entries[] = {
      {"mode", 0, 0, G_OPTION_ARG_STRING, &mode, "options or connect", "M"},
      {"host", 0, 0, G_OPTION_ARG_STRING, &o->host, "server IPv4 address",
       "A"},
      {"port", 0, 0, G_OPTION_ARG_INT, &o->port, "server TLS port", "P"},
      {"connections", 0, 0, G_OPTION_ARG_INT, &connections,
       "connections (options: persistent, default 100; connect: at a time, "
       "default 8)", "N"},
      {"window", 0, 0, G_OPTION_ARG_INT, &window,
       "OPTIONS outstanding per connection (options mode)", "W"},
      {"ramp", 0, 0, G_OPTION_ARG_INT, &ramp,
       "handshakes in flight while connections open (options mode)", "R"},
      {"seconds", 0, 0, G_OPTION_ARG_DOUBLE, &o->seconds, "run time", "S"},
      {"requests", 0, 0, G_OPTION_ARG_INT64, &requests,
       "send this many OPTIONS (cycles in connect mode) instead", "N"},
      {"drain", 0, 0, G_OPTION_ARG_DOUBLE, &o->drain,
       "wait this long for outstanding answers at the end", "S"},
      {"tls", 0, 0, G_OPTION_ARG_STRING, &o->tls, "1.2, 1.3 or any", "V"},
      {"cert", 0, 0, G_OPTION_ARG_FILENAME, &o->cert,
       "client certificate (PEM)", "F"},
      {"key", 0, 0, G_OPTION_ARG_FILENAME, &o->key, "its key (PEM)", "F"},
      {NULL}};
  GOptionContext *ctx = g_option_context_new("- SIP OPTIONS over TLS load");
  g_option_context_add_main_entries(ctx, entries, NULL);
  GError *error = NULL;
  if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
    fprintf(stderr, "sip_tls_load: %s\n", error->message);
    exit(1);
  }
  g_option_context_free(ctx);
  if (mode == NULL || g_strcmp0(mode, "options") == 0) {
    o->mode = MODE_OPTIONS;
  } else if (g_strcmp0(mode, "connect") == 0) {
    o->mode = MODE_CONNECT;
  } else {
    fprintf(stderr, "sip_tls_load: --mode is options or connect\n");
    exit(1);
  }
  g_free(mode);
  if (connections == 0) {
    connections = o->mode == MODE_CONNECT ? 8 : 100;
  }
  if (o->port <= 0 || o->port > 65535 || connections < 1 ||
      connections > 10000 || window < 1 || window > 1024 || ramp < 1 ||
      requests < 0 || o->seconds <= 0 || o->drain < 0) {
    fprintf(stderr, "sip_tls_load: --port is required; --connections "
            "1-10000, --window 1-1024, --ramp, --seconds positive\n");
    exit(1);
  }
  o->connections = (guint)connections;
  o->window = (guint)window;
  o->ramp = (guint)ramp;
  o->requests = (guint64)requests;
  if (o->host == NULL) {
    o->host = g_strdup("127.0.0.1");
  }
  if (o->tls == NULL) {
    o->tls = g_strdup("any");
  }
}

int main(int argc, char **argv) {
  Run *r = g_new0(Run, 1);
  parse_options(argc, argv, &r->opt);
  r->target.sin_family = AF_INET;
  r->target.sin_port = htons((uint16_t)r->opt.port);
  if (inet_pton(AF_INET, r->opt.host, &r->target.sin_addr) != 1) {
    fprintf(stderr, "sip_tls_load: --host is an IPv4 address\n");
    return 1;
  }
  r->ctx = make_ctx(&r->opt);
  guint8 id[8];
  RAND_bytes(id, sizeof(id));
  for (guint i = 0; i < sizeof(id); i++) {
    g_snprintf(r->run_id + 2 * i, 3, "%02x", id[i]);
  }
  r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  r->n.latency_us = g_array_sized_new(FALSE, FALSE, sizeof(guint32), 65536);
  r->conns = g_new0(Conn, r->opt.connections);
  r->reopen = g_array_new(FALSE, FALSE, sizeof(guint));
  for (guint i = 0; i < r->opt.connections; i++) {
    r->conns[i].index = i;
    r->conns[i].fd = -1;
    r->conns[i].state = CONN_CLOSED;
    r->conns[i].out = g_byte_array_new();
    r->conns[i].sent_at = g_new0(gint64, r->opt.window);
  }

  int status = 0;
  if (r->opt.mode == MODE_OPTIONS && !run_open_all(r)) {
    fprintf(stderr, "sip_tls_load: %u of %u connections up: the server "
            "did not take them all\n", r->ready, r->opt.connections);
    status = 2;
  } else {
    run_send(r);
  }
  run_drain(r);
  run_report(r);
  if (r->opt.mode == MODE_CONNECT && r->n.cycles == 0) {
    status = 2;
  }
  for (guint i = 0; i < r->opt.connections; i++) {
    if (r->conns[i].state != CONN_CLOSED) {
      conn_close(r, &r->conns[i], TRUE);
    }
  }
  return status;
}
