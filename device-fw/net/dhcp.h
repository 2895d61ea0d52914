/*
 * DHCP client for one interface: busybox udhcpc run as a child process,
 * watched from the main loop (never waited for synchronously). udhcpc's
 * output is forwarded to the firmware log; the lease is applied by the
 * script VGW_UDHCPC_SCRIPT, and the firmware learns the address through
 * net/addrwatch.h.
 */
#ifndef VGW_NET_DHCP_H
#define VGW_NET_DHCP_H

#include <glib.h>

G_BEGIN_DECLS

#define VGW_UDHCPC_SCRIPT "/etc/vgw/udhcpc.script"
#define VGW_RUN_DIR "/run/vgw"

typedef struct VgwDhcp VgwDhcp;

/* vgw_dhcp_start kills a udhcpc left over from an earlier vgwd instance
 * for |ifname| (by its pid file, udhcpc-<ifname>.pid in VGW_RUN_DIR or
 * in the directory the environment variable VGW_RUN_DIR names), then
 * spawns "udhcpc -f -i |ifname|" (found through PATH) in the background. Returns NULL and sets |error| if spawning fails. If the
 * client exits it is restarted after a few seconds. */
VgwDhcp *vgw_dhcp_start(const char *ifname, GError **error);

/* vgw_dhcp_stop terminates the client and frees |dhcp|; NULL allowed. */
void vgw_dhcp_stop(VgwDhcp *dhcp);

G_END_DECLS

#endif /* VGW_NET_DHCP_H */
