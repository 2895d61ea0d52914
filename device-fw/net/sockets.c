#include "net/sockets.h"

#include <arpa/inet.h>
#include <sys/socket.h>

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
