#include "net/sockets.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

int vgw_socket_bind(int family, int type, int protocol,
                    const struct sockaddr *sa, socklen_t len, int backlog,
                    const char *what, GError **error) {
  int one = 1;
  int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
  if (fd < 0 ||
      (family == AF_INET &&
       setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
      bind(fd, sa, len) < 0 || (backlog > 0 && listen(fd, backlog) < 0)) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s",
                what, g_strerror(e));
    if (fd >= 0) {
      close(fd);
    }
    return -1;
  }
  return fd;
}

int vgw_inet_bind(int type, struct in_addr address, uint16_t port,
                  int backlog, uint16_t *bound_port, GError **error) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof(sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr = address;
  char what[48];
  if (address.s_addr == htonl(INADDR_ANY)) {
    g_snprintf(what, sizeof(what), "%s port %u",
               type == SOCK_STREAM ? "tcp" : "udp", port);
  } else {
    char ip[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &address, ip, sizeof(ip));
    g_snprintf(what, sizeof(what), "%s %s:%u",
               type == SOCK_STREAM ? "tcp" : "udp", ip, port);
  }
  int fd = vgw_socket_bind(AF_INET, type, 0, (struct sockaddr *)&sa,
                           sizeof(sa), type == SOCK_STREAM ? backlog : 0,
                           what, error);
  socklen_t salen = sizeof(sa);
  if (fd >= 0 && bound_port != NULL) {
    if (getsockname(fd, (struct sockaddr *)&sa, &salen) < 0) {
      int e = errno;
      g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s",
                  what, g_strerror(e));
      close(fd);
      return -1;
    }
    *bound_port = ntohs(sa.sin_port);
  }
  return fd;
}

int vgw_inet_bind_any(int type, uint16_t port, int backlog,
                      uint16_t *bound_port, GError **error) {
  struct in_addr any = {htonl(INADDR_ANY)};
  return vgw_inet_bind(type, any, port, backlog, bound_port, error);
}

void vgw_peer_format(const struct sockaddr_in *sa, char out[VGW_PEER_LEN]) {
  char ip[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &sa->sin_addr, ip, sizeof(ip));
  g_snprintf(out, VGW_PEER_LEN, "%s:%u", ip, ntohs(sa->sin_port));
}

void vgw_tcp_accept_all(int listen_fd, VgwAcceptFunc fn, gpointer data) {
  for (;;) {
    struct sockaddr_in sa;
    socklen_t salen = sizeof(sa);
    int fd = accept4(listen_fd, (struct sockaddr *)&sa, &salen,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      return;
    }
    char peer[VGW_PEER_LEN];
    vgw_peer_format(&sa, peer);
    fn(fd, peer, data);
  }
}
