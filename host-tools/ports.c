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

/* Picks come from below the kernel's ephemeral range: a port from inside
 * it can be taken by any outgoing connection on the host between the
 * check here and QEMU's bind (a clone failed so, "port 33775/tcp on
 * 127.0.0.1 is in use", while other tests ran).  Random, so that several
 * `vgw up`s at once do not try the same port. */
#define PICK_LOW 16384u
#define EPHEMERAL_RANGE "/proc/sys/net/ipv4/ip_local_port_range"

/* The first port of the kernel's ephemeral range (32768 by default). */
static guint
ephemeral_low(void)
{
  g_autofree char *text = NULL;
  char *end = NULL;
  guint64 low = 0;

  /* "32768\t60999\n" */
  if (g_file_get_contents(EPHEMERAL_RANGE, &text, NULL, NULL))
    low = g_ascii_strtoull(text, &end, 10);
  return end != text && low > 0 && low <= 65535 ? (guint) low : 32768u;
}

/* A candidate port: random below the ephemeral range, or, when that range
 * leaves too little room below it, the kernel's own pick. */
static guint16
candidate_port(int type)
{
  guint high = ephemeral_low();

  if (high >= PICK_LOW + 1024u)
    return (guint16) g_random_int_range((gint32) PICK_LOW, (gint32) high);
  return try_bind(type, 0);
}

gboolean
vgw_port_pick_free(VgwPortProto protos, const guint16 *avoid, gsize n_avoid,
                   guint16 *out, GError **error)
{
  int first_type = (protos & VGW_PORT_TCP) ? SOCK_STREAM : SOCK_DGRAM;

  for (int attempt = 0; attempt < 64; attempt++) {
    guint16 port = candidate_port(first_type);
    gboolean clash = FALSE;

    if (port == 0)
      continue;
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
