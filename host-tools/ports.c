#include "ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vgw-error.h"

gboolean
vgw_port_parse(const char *text, const char *option, guint16 *out,
               GError **error)
{
  guint64 v;

  if (text == NULL || !g_ascii_string_to_unsigned(text, 10, 0, 65535, &v, NULL)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "invalid port '%s' for %s (expected 0..65535, 0 picks a free port)",
                text != NULL ? text : "", option);
    return FALSE;
  }
  *out = (guint16) v;
  return TRUE;
}

/* Binds |port| (0 = any) on 127.0.0.1; returns the bound port, 0 with
 * errno set on failure. */
static guint16
try_bind(int type, guint16 port)
{
  struct sockaddr_in sa;
  socklen_t len = sizeof sa;
  int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
  int one = 1;
  guint16 bound = 0;

  if (fd < 0)
    return 0;
  /* slirp sets SO_REUSEADDR on its TCP listeners, so a port in TIME_WAIT
   * is usable for QEMU and must count as free here too. */
  if (type == SOCK_STREAM)
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, (struct sockaddr *) &sa, sizeof sa) == 0 &&
      (type != SOCK_STREAM || listen(fd, 1) == 0) &&
      getsockname(fd, (struct sockaddr *) &sa, &len) == 0)
    bound = ntohs(sa.sin_port);
  int saved = errno;
  close(fd);
  errno = saved;
  return bound;
}

gboolean
vgw_port_check_free(guint16 port, VgwPortProto protos, GError **error)
{
  static const struct { VgwPortProto proto; int type; const char *name; } kinds[] = {
    { VGW_PORT_UDP, SOCK_DGRAM, "udp" },
    { VGW_PORT_TCP, SOCK_STREAM, "tcp" },
  };

  /* TCP first: it is the one a user most likely holds (a SIP proxy). */
  for (int i = G_N_ELEMENTS(kinds) - 1; i >= 0; i--) {
    if (!(protos & kinds[i].proto))
      continue;
    if (try_bind(kinds[i].type, port) == 0) {
      int e = errno;
      if (e == EADDRINUSE || e == EACCES)
        g_set_error(error, VGW_ERROR, VGW_ERROR_PORT_IN_USE,
                    e == EADDRINUSE ? "port %u/%s on 127.0.0.1 is in use"
                                    : "port %u/%s on 127.0.0.1 is not permitted (privileged port)",
                    port, kinds[i].name);
      else
        g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                    "cannot bind port %u/%s on 127.0.0.1: %s", port,
                    kinds[i].name, g_strerror(e));
      return FALSE;
    }
  }
  return TRUE;
}

gboolean
vgw_port_pick_free(VgwPortProto protos, const guint16 *avoid, gsize n_avoid,
                   guint16 *out, GError **error)
{
  int first_type = (protos & VGW_PORT_TCP) ? SOCK_STREAM : SOCK_DGRAM;

  for (int attempt = 0; attempt < 64; attempt++) {
    /* Let the kernel pick from its ephemeral range, then confirm the
     * other protocols are free on the same number. */
    guint16 port = try_bind(first_type, 0);
    gboolean clash = FALSE;

    if (port == 0)
      break;
    for (gsize i = 0; i < n_avoid; i++)
      clash |= avoid[i] == port;
    if (!clash && vgw_port_check_free(port, protos, NULL)) {
      *out = port;
      return TRUE;
    }
  }
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
              "could not find a free port on 127.0.0.1");
  return FALSE;
}

gboolean
vgw_port_pick_free_range(VgwPortProto protos, guint count,
                         const guint16 *avoid, gsize n_avoid,
                         guint16 *first, GError **error)
{
  for (int attempt = 0; attempt < 64; attempt++) {
    guint16 start;
    gboolean usable = TRUE;

    if (!vgw_port_pick_free(protos, avoid, n_avoid, &start, error))
      return FALSE;
    for (guint i = 1; i < count && usable; i++) {
      guint port = (guint) start + i;
      for (gsize k = 0; k < n_avoid; k++)
        usable &= avoid[k] != port;
      usable &= port <= G_MAXUINT16 &&
                vgw_port_check_free((guint16) port, protos, NULL);
    }
    if (usable) {
      *first = start;
      return TRUE;
    }
  }
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
              "could not find %u consecutive free ports on 127.0.0.1", count);
  return FALSE;
}

gboolean
vgw_ports_resolve(guint16 sip_requested, guint16 tls_requested,
                  guint16 *sip_out, guint16 *tls_out, GError **error)
{
  guint16 sip = sip_requested, tls = tls_requested;

  if (sip != 0 && sip == tls) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "--sip-port and --sip-tls-port must differ (both %u)", sip);
    return FALSE;
  }
  /* Check the fixed ports before picking, so a pick never takes one. */
  if (sip != 0 && !vgw_port_check_free(sip, VGW_PORT_UDP | VGW_PORT_TCP, error))
    return FALSE;
  if (tls != 0 && !vgw_port_check_free(tls, VGW_PORT_TCP, error))
    return FALSE;
  if (sip == 0 &&
      !vgw_port_pick_free(VGW_PORT_UDP | VGW_PORT_TCP, &tls, 1, &sip, error))
    return FALSE;
  if (tls == 0 && !vgw_port_pick_free(VGW_PORT_TCP, &sip, 1, &tls, error))
    return FALSE;
  *sip_out = sip;
  *tls_out = tls;
  return TRUE;
}
