/*
 * The network behind a gateway's WAN port: slirp user networking (the
 * default), or a point-to-point link to another gateway's WAN port over
 * a TCP connection on 127.0.0.1, which QEMU 7.2's `-netdev socket`
 * carries (each Ethernet frame with a 4-byte length).  One gateway
 * listens, the other connects; `vgw up --wan-link SPEC` chooses, and the
 * instance records it (instance.json "wan_link") so a later `vgw up`
 * without the option keeps it.
 *
 * QEMU's socket netdev does not reconnect: the listening side accepts
 * again after its peer goes away, the connecting side never does.  So a
 * stopped and restarted connecting gateway links up again, while a
 * restarted listening gateway needs its peer restarted too.  A connection
 * that fails leaves QEMU running with no link, so `vgw up` asks QEMU
 * (`info network`) whether the link is up, and `vgw status` shows it.
 */
#ifndef VGW_WAN_LINK_H
#define VGW_WAN_LINK_H

#include <glib.h>

G_BEGIN_DECLS

/* The peer is always on this host: the link never leaves the loopback. */
#define VGW_WAN_LINK_HOST "127.0.0.1"

typedef enum {
  VGW_WAN_LINK_SLIRP = 0,  /* user networking, 10.0.3.0/24, DHCP */
  VGW_WAN_LINK_LISTEN,     /* accept the peer on 127.0.0.1:port */
  VGW_WAN_LINK_CONNECT,    /* connect to the peer on 127.0.0.1:port */
} VgwWanLinkMode;

typedef struct {
  VgwWanLinkMode mode;
  guint16 port;  /* LISTEN: 0 until a free one is picked; CONNECT: 1.. */
} VgwWanLink;

/* vgw_wan_link_parse reads |spec|: "slirp", "listen:PORT" (0..65535, 0
 * picks a free port) or "connect:PORT" (1..65535).  Anything else is a
 * VGW_ERROR_USAGE error naming --wan-link and what is expected. */
gboolean vgw_wan_link_parse(const char *spec, VgwWanLink *out, GError **error);

/* vgw_wan_link_to_string returns |link| as vgw_wan_link_parse reads it. */
char *vgw_wan_link_to_string(const VgwWanLink *link);

/* vgw_wan_link_mode_name returns "slirp", "listen" or "connect". */
const char *vgw_wan_link_mode_name(VgwWanLinkMode mode);

/* vgw_wan_link_netdev returns the value of QEMU's -netdev option for the
 * WAN port (netdev id "wan") of a LISTEN or CONNECT |link| with its port
 * set; for SLIRP, the user network 10.0.3.0/24. */
char *vgw_wan_link_netdev(const VgwWanLink *link);

/* vgw_wan_link_bind_failed returns TRUE, with the port in |*port|, if
 * QEMU's stderr |qemu_log| says the WAN link could not listen on its
 * port (taken by someone else). */
gboolean vgw_wan_link_bind_failed(const char *qemu_log, guint16 *port);

/* vgw_wan_link_connected_from_info reads the text of QEMU's HMP `info
 * network` and stores in |*connected| whether the socket netdev "wan"
 * carries a connection (QEMU names its peer then, and nothing before or
 * after).  FALSE when the text lists no socket netdev "wan". */
gboolean vgw_wan_link_connected_from_info(const char *info, gboolean *connected);

/* vgw_wan_link_query_connected asks the QEMU whose QMP socket is
 * |qmp_path| whether its WAN link is connected (as above).  Fails with
 * the QMP error, or VGW_ERROR_FAILED when QEMU has no socket netdev
 * "wan". */
gboolean vgw_wan_link_query_connected(const char *qmp_path, gboolean *connected,
                                      GError **error);

G_END_DECLS

#endif /* VGW_WAN_LINK_H */
