/* SIP listeners: see listeners.h. */
#include "vgwd/listeners.h"

#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "net/sockets.h"

#define TCP_BACKLOG 64

struct VgwListeners {
  uint16_t port;
  int udp_fd;
  int tcp_fd;
  VgwSipTransport *sip;
};

static gboolean on_tcp_accept(int fd, GIOCondition cond, gpointer data) {
  VgwListeners *l = data;

  vgw_tcp_accept_all(fd, vgw_sip_transport_accept_tcp, l->sip);
  return G_SOURCE_CONTINUE;
}

VgwListeners *vgw_listeners_start(uint16_t port, VgwSipTransport *sip,
                                  GError **error) {
  int udp = vgw_inet_bind_any(SOCK_DGRAM, port, 0, NULL, error);
  if (udp < 0) {
    return NULL;
  }
  int tcp = vgw_inet_bind_any(SOCK_STREAM, port, TCP_BACKLOG, NULL, error);
  if (tcp < 0) {
    close(udp);
    return NULL;
  }
  VgwListeners *l = g_new0(VgwListeners, 1);
  l->port = port;
  l->udp_fd = udp;
  l->tcp_fd = tcp;
  l->sip = sip;
  vgw_sip_transport_serve_udp(sip, udp);
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
