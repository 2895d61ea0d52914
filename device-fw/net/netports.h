/*
 * The gateway's two Ethernet ports. Each is found by the address of its
 * virtio-mmio transport (never by probe order), renamed to its role name
 * ("lan", "wan"), brought up and given an address by DHCP; address
 * changes are followed through rtnetlink.
 */
#ifndef VGW_NET_NETPORTS_H
#define VGW_NET_NETPORTS_H

#include <glib.h>
#include <stdint.h>

#include "net/dhcp.h"

G_BEGIN_DECLS

#define VGW_NET_PORTS 2

/* VgwNetAddressing is how a port gets its IPv4 address: DHCP, or a static
 * address (LANIPMode/LANIPAddress/... parameters). Host byte order. */
typedef struct {
  gboolean dhcp;
  uint32_t address;   /* static only; 0 = none */
  guint prefix;
  uint32_t gateway;   /* 0 = no default route */
} VgwNetAddressing;

typedef struct {
  const char *role;  /* "lan" or "wan" */
  VgwNetAddressing addressing;
  uint64_t base;     /* physical address of the virtio-mmio transport */
  char *ifname;      /* current kernel name, NULL until found */
  char mac[18];      /* "" until found */
  char *ipv4;        /* "a.b.c.d/n" or NULL */
  VgwDhcp *dhcp;
} VgwNetPort;

/* VgwNetChangedFunc is called after a port was found or its address
 * changed. */
typedef void (*VgwNetChangedFunc)(gpointer user_data);

typedef struct {
  VgwNetPort ports[VGW_NET_PORTS];
  guint retry_source;
  guint retries;
  guint addr_watch;
  VgwNetChangedFunc changed;
  gpointer changed_data;
} VgwNet;

/* vgw_net_start brings up the loopback interface, looks for the LAN and
 * WAN ports (retrying for a few seconds while drivers probe), renames and
 * raises them and addresses each as |addressing| (LAN first, then WAN)
 * says: a DHCP client, or a static address and default route. Returns at
 * once; progress is reported through |changed| from the default main
 * context. */
void vgw_net_start(VgwNet *net, const VgwNetAddressing addressing[2],
                   VgwNetChangedFunc changed, gpointer data);

/* vgw_net_port returns the port with role |role|, or NULL. */
const VgwNetPort *vgw_net_port(const VgwNet *net, const char *role);

G_END_DECLS

#endif /* VGW_NET_NETPORTS_H */
