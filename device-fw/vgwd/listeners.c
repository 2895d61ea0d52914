/* SIP listeners (log and drop for now): see listeners.h. */
#include "vgwd/listeners.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "net/sockets.h"

#define MAX_TCP_CONNS 32
#define LOG_PREVIEW 80

struct VgwListeners {
  uint16_t port;
  int udp_fd;
  int tcp_fd;
  guint n_conns;
};

typedef struct {
  VgwListeners *l;
  int fd;
  char peer[VGW_PEER_LEN];
} TcpConn;

/* first_line returns a printable preview of the start of |data|. */
static char *first_line(const char *data, size_t len) {
  GString *s = g_string_new(NULL);
  for (size_t i = 0; i < len && s->len < LOG_PREVIEW; i++) {
    char c = data[i];
    if (c == '\r' || c == '\n') {
      break;
    }
    g_string_append_c(s, g_ascii_isprint(c) ? c : '.');
  }
  return g_string_free(s, FALSE);
}

static void log_dropped(const char *transport, const char *peer,
                        const char *data, size_t len) {
  char *preview = first_line(data, len);
  g_message("sip/%s: %zu bytes from %s dropped (no SIP stack yet): %s",
            transport, len, peer, preview);
  g_free(preview);
}

static gboolean on_udp(int fd, GIOCondition cond, gpointer data) {
  char buf[65536];
  for (;;) {
    struct sockaddr_in sa;
    socklen_t salen = sizeof(sa);
    ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
                         (struct sockaddr *)&sa, &salen);
    if (n < 0) {
      break;
    }
    char peer[VGW_PEER_LEN];
    vgw_peer_format(&sa, peer);
    log_dropped("udp", peer, buf, (size_t)n);
  }
  return G_SOURCE_CONTINUE;
}

static void conn_free(gpointer data) {
  TcpConn *c = data;
  close(c->fd);
  c->l->n_conns--;
  g_free(c);
}

static gboolean on_tcp_data(int fd, GIOCondition cond, gpointer data) {
  TcpConn *c = data;
  char buf[4096];
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) {
      log_dropped("tcp", c->peer, buf, (size_t)n);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      return G_SOURCE_CONTINUE;
    }
    g_message("sip/tcp: %s closed", c->peer);
    return G_SOURCE_REMOVE; /* conn_free closes */
  }
}

static void accept_tcp(int cfd, const char *peer, gpointer data) {
  VgwListeners *l = data;
  if (l->n_conns >= MAX_TCP_CONNS) {
    g_warning("sip/tcp: refusing %s: %u connections open", peer, l->n_conns);
    close(cfd);
    return;
  }
  TcpConn *c = g_new0(TcpConn, 1);
  c->l = l;
  c->fd = cfd;
  g_strlcpy(c->peer, peer, sizeof(c->peer));
  l->n_conns++;
  g_message("sip/tcp: connection from %s", peer);
  g_unix_fd_add_full(G_PRIORITY_DEFAULT, cfd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                     on_tcp_data, c, conn_free);
}

static gboolean on_tcp_accept(int fd, GIOCondition cond, gpointer data) {
  vgw_tcp_accept_all(fd, accept_tcp, data);
  return G_SOURCE_CONTINUE;
}

VgwListeners *vgw_listeners_start(uint16_t port, GError **error) {
  int udp = vgw_inet_bind_any(SOCK_DGRAM, port, 0, NULL, error);
  if (udp < 0) {
    return NULL;
  }
  int tcp = vgw_inet_bind_any(SOCK_STREAM, port, 16, NULL, error);
  if (tcp < 0) {
    close(udp);
    return NULL;
  }
  VgwListeners *l = g_new0(VgwListeners, 1);
  l->port = port;
  l->udp_fd = udp;
  l->tcp_fd = tcp;
  g_unix_fd_add(udp, G_IO_IN, on_udp, l);
  g_unix_fd_add(tcp, G_IO_IN, on_tcp_accept, l);
  return l;
}

size_t vgw_listeners_describe(const VgwListeners *l, VgwStatusListener *out,
                              size_t max) {
  size_t n = 0;
  if (l == NULL) {
    return 0;
  }
  if (n < max) {
    out[n++] = (VgwStatusListener){"udp", l->port};
  }
  if (n < max) {
    out[n++] = (VgwStatusListener){"tcp", l->port};
  }
  return n;
}
