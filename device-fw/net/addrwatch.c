/* rtnetlink address watch: see addrwatch.h. */
#include "net/addrwatch.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

#include <glib-unix.h>

#include "net/sockets.h"

typedef struct {
  VgwAddrChangedFunc func;
  gpointer user_data;
} Watch;

static gboolean on_netlink(int fd, GIOCondition cond, gpointer data) {
  Watch *w = data;
  char buf[8192];
  gboolean any = FALSE;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) {
      any = TRUE;
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    /* EAGAIN: drained. ENOBUFS: we lost events; re-reading covers it. */
    if (n < 0 && errno == ENOBUFS) {
      any = TRUE;
      continue;
    }
    break;
  }
  if (any) {
    w->func(w->user_data);
  }
  return G_SOURCE_CONTINUE;
}

guint vgw_addrwatch_start(VgwAddrChangedFunc func, gpointer user_data,
                          GError **error) {
  struct sockaddr_nl sa;
  memset(&sa, 0, sizeof(sa));
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = RTMGRP_IPV4_IFADDR | RTMGRP_LINK;
  int fd = vgw_socket_bind(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE,
                           (struct sockaddr *)&sa, sizeof(sa), 0, "netlink",
                           error);
  if (fd < 0) {
    return 0;
  }
  Watch *w = g_new0(Watch, 1);
  w->func = func;
  w->user_data = user_data;
  return g_unix_fd_add_full(G_PRIORITY_DEFAULT, fd, G_IO_IN, on_netlink, w,
                            g_free);
}
