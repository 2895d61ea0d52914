#include "wan_link.h"

#include <string.h>

#include "qmp.h"
#include "vgw-error.h"

/* How long a QMP connection and command may take: the same QEMU answers
 * `vgw status` this way. */
#define WAN_LINK_QMP_TIMEOUT_MS 5000

static const char *const mode_names[] = {
  [VGW_WAN_LINK_SLIRP] = "slirp",
  [VGW_WAN_LINK_LISTEN] = "listen",
  [VGW_WAN_LINK_CONNECT] = "connect",
};

const char *
vgw_wan_link_mode_name(VgwWanLinkMode mode)
{
  return (guint) mode < G_N_ELEMENTS(mode_names) ? mode_names[mode] : "?";
}

gboolean
vgw_wan_link_parse(const char *spec, VgwWanLink *out, GError **error)
{
  const char *text = spec != NULL ? spec : "";
  const char *colon = strchr(text, ':');
  guint64 port = 0;

  if (g_str_equal(text, "slirp")) {
    *out = (VgwWanLink){ VGW_WAN_LINK_SLIRP, 0 };
    return TRUE;
  }
  for (VgwWanLinkMode m = VGW_WAN_LINK_LISTEN; colon != NULL && m <= VGW_WAN_LINK_CONNECT; m++) {
    /* listen:0 asks for a free port; a connection needs a real one. */
    guint64 min = m == VGW_WAN_LINK_LISTEN ? 0 : 1;

    if ((gsize) (colon - text) != strlen(mode_names[m]) ||
        strncmp(text, mode_names[m], (gsize) (colon - text)) != 0)
      continue;
    if (!g_ascii_string_to_unsigned(colon + 1, 10, min, 65535, &port, NULL)) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                  "invalid port '%s' in --wan-link %s (expected %u..65535%s)", colon + 1,
                  text, (guint) min, min == 0 ? ", 0 picks a free port" : "");
      return FALSE;
    }
    *out = (VgwWanLink){ m, (guint16) port };
    return TRUE;
  }
  g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
              "invalid value '%s' for --wan-link (expected slirp, listen:PORT or connect:PORT; "
              "the peer is always on " VGW_WAN_LINK_HOST ")", text);
  return FALSE;
}

char *
vgw_wan_link_to_string(const VgwWanLink *link)
{
  if (link->mode == VGW_WAN_LINK_SLIRP)
    return g_strdup(mode_names[VGW_WAN_LINK_SLIRP]);
  return g_strdup_printf("%s:%u", vgw_wan_link_mode_name(link->mode), link->port);
}

#define LISTEN_NETDEV "socket,id=wan,listen=" VGW_WAN_LINK_HOST ":"
#define CONNECT_NETDEV "socket,id=wan,connect=" VGW_WAN_LINK_HOST ":"

char *
vgw_wan_link_netdev(const VgwWanLink *link)
{
  /* -netdev socket rather than stream: on QEMU 7.2 a stream server that
   * cannot bind its port only logs it and runs on with no listener, while
   * socket exits, which `vgw up` turns into a clear error. */
  switch (link->mode) {
  case VGW_WAN_LINK_LISTEN:
    return g_strdup_printf(LISTEN_NETDEV "%u", link->port);
  case VGW_WAN_LINK_CONNECT:
    return g_strdup_printf(CONNECT_NETDEV "%u", link->port);
  case VGW_WAN_LINK_SLIRP:
  default:
    return g_strdup("user,id=wan,net=10.0.3.0/24");
  }
}

gboolean
vgw_wan_link_bind_failed(const char *qemu_log, guint16 *port)
{
  /* QEMU 7.2's net/socket.c: "-netdev <the option>: can't bind ip=..." */
  const char *netdev = qemu_log != NULL ? strstr(qemu_log, LISTEN_NETDEV) : NULL;
  const char *digits = netdev != NULL ? netdev + strlen(LISTEN_NETDEV) : NULL;
  const char *end = digits != NULL ? strstr(digits, ": can't bind ") : NULL;
  g_autofree char *number = NULL;
  guint64 v = 0;

  if (end == NULL)
    return FALSE;
  number = g_strndup(digits, (gsize) (end - digits));
  if (!g_ascii_string_to_unsigned(number, 10, 1, 65535, &v, NULL))
    return FALSE;
  *port = (guint16) v;
  return TRUE;
}

gboolean
vgw_wan_link_connected_from_info(const char *info, gboolean *connected)
{
  /* " \ wan: index=0,type=socket,socket: connect to 127.0.0.1:P" */
  static const char prefix[] = "\\ wan: ";
  static const char type[] = "type=socket,";
  g_auto(GStrv) lines = g_strsplit(info != NULL ? info : "", "\n", -1);

  for (char **l = lines; *l != NULL; l++) {
    const char *line = g_strstrip(*l);
    const char *kind;

    if (!g_str_has_prefix(line, prefix))
      continue;
    kind = strstr(line + strlen(prefix), type);
    if (kind == NULL)
      return FALSE;
    *connected = kind[strlen(type)] != '\0';
    return TRUE;
  }
  return FALSE;
}

gboolean
vgw_wan_link_query_connected(const char *qmp_path, gboolean *connected, GError **error)
{
  g_autoptr(VgwQmp) qmp = vgw_qmp_connect(qmp_path, WAN_LINK_QMP_TIMEOUT_MS, error);
  g_autofree char *info = NULL;

  if (qmp == NULL || (info = vgw_qmp_hmp(qmp, "info network", error)) == NULL)
    return FALSE;
  if (!vgw_wan_link_connected_from_info(info, connected)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "QEMU's 'info network' shows no socket link on WAN");
    return FALSE;
  }
  return TRUE;
}
