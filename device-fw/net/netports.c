/* LAN and WAN bring-up: see netports.h. */
#include "net/netports.h"

#include <string.h>

#include "net/addrwatch.h"
#include "net/netif.h"
#include "vgw_memmap.h"

#define RETRY_MS 100
#define RETRY_MAX 50 /* 5 s */

/* set_static gives |p| its configured static address and default route.
 * LAN's route gets the lower metric, as the DHCP lease script does. */
static void set_static(VgwNetPort *p) {
  const VgwNetAddressing *a = &p->addressing;
  GError *error = NULL;
  if (a->address == 0) {
    g_warning("net: %s: static addressing without an address; the port "
              "stays unaddressed",
              p->role);
    return;
  }
  char *addr = vgw_netif_ipv4_text(a->address);
  g_message("net: %s static %s/%u", p->role, addr, a->prefix);
  g_free(addr);
  if (!vgw_netif_set_ipv4(p->ifname, a->address, a->prefix, &error)) {
    g_warning("net: %s", error->message);
    g_clear_error(&error);
    return;
  }
  if (a->gateway != 0 &&
      !vgw_netif_add_default_route(p->ifname, a->gateway,
                                   strcmp(p->role, "lan") == 0 ? 10 : 20,
                                   &error)) {
    g_warning("net: %s", error->message);
    g_clear_error(&error);
  }
}

/* bring_up renames |p|'s interface to its role, raises it and starts
 * DHCP. */
static void bring_up(VgwNetPort *p, const char *found) {
  GError *error = NULL;
  if (strcmp(found, p->role) != 0 &&
      !vgw_netif_rename(found, p->role, &error)) {
    g_warning("net: %s: %s", p->role, error->message);
    g_clear_error(&error);
    p->ifname = g_strdup(found);
  } else {
    p->ifname = g_strdup(p->role);
  }
  vgw_netif_get_mac(p->ifname, p->mac);
  g_message("net: %s is %s (virtio-mmio at 0x%" G_GINT64_MODIFIER
            "x), mac %s",
            p->role, found, (guint64)p->base, p->mac);
  if (!vgw_netif_set_up(p->ifname, &error)) {
    g_warning("net: %s", error->message);
    g_clear_error(&error);
    return;
  }
  if (!p->addressing.dhcp) {
    set_static(p);
    return;
  }
  p->dhcp = vgw_dhcp_start(p->ifname, &error);
  if (p->dhcp == NULL) {
    g_warning("net: %s: cannot start DHCP: %s", p->role, error->message);
    g_clear_error(&error);
  }
}

static void refresh_addresses(gpointer data) {
  VgwNet *net = data;
  gboolean changed = FALSE;
  for (size_t i = 0; i < VGW_NET_PORTS; i++) {
    VgwNetPort *p = &net->ports[i];
    if (p->ifname == NULL) {
      continue;
    }
    char *ipv4 = vgw_netif_get_ipv4(p->ifname);
    if (g_strcmp0(ipv4, p->ipv4) != 0) {
      g_message("net: %s address %s", p->role, ipv4 ? ipv4 : "none");
      g_free(p->ipv4);
      p->ipv4 = ipv4;
      changed = TRUE;
    } else {
      g_free(ipv4);
    }
  }
  if (changed) {
    net->changed(net->changed_data);
  }
}

static gboolean poll_addresses(gpointer data) {
  refresh_addresses(data);
  return G_SOURCE_CONTINUE;
}

/* find_ports looks for every port not found yet; it keeps running from a
 * timer until all are found or the retries run out. */
static gboolean find_ports(gpointer data) {
  VgwNet *net = data;
  gboolean missing = FALSE, found_any = FALSE;
  for (size_t i = 0; i < VGW_NET_PORTS; i++) {
    VgwNetPort *p = &net->ports[i];
    if (p->ifname != NULL) {
      continue;
    }
    char *name = vgw_sysfs_find_by_bus_addr(VGW_SYSFS_NET, p->base);
    if (name == NULL) {
      missing = TRUE;
      continue;
    }
    bring_up(p, name);
    g_free(name);
    found_any = TRUE;
  }
  if (found_any) {
    refresh_addresses(net);
    net->changed(net->changed_data);
  }
  if (missing && ++net->retries < RETRY_MAX) {
    return G_SOURCE_CONTINUE;
  }
  for (size_t i = 0; missing && i < VGW_NET_PORTS; i++) {
    if (net->ports[i].ifname == NULL) {
      g_warning("net: no %s port (virtio-mmio at 0x%" G_GINT64_MODIFIER "x)",
                net->ports[i].role, (guint64)net->ports[i].base);
    }
  }
  net->retry_source = 0;
  return G_SOURCE_REMOVE;
}

void vgw_net_start(VgwNet *net, const VgwNetAddressing addressing[2],
                   VgwNetChangedFunc changed, gpointer data) {
  GError *error = NULL;
  if (!vgw_netif_set_up("lo", &error)) {
    g_warning("net: %s", error->message);
    g_clear_error(&error);
  }
  memset(net, 0, sizeof(*net));
  net->ports[0].role = "lan";
  net->ports[0].base = VGW_VIRTIO_LAN_BASE;
  net->ports[1].role = "wan";
  net->ports[1].base = VGW_VIRTIO_WAN_BASE;
  net->ports[0].addressing = addressing[0];
  net->ports[1].addressing = addressing[1];
  net->changed = changed;
  net->changed_data = data;
  net->addr_watch = vgw_addrwatch_start(refresh_addresses, net, &error);
  if (net->addr_watch == 0) {
    g_warning("net: %s; polling addresses instead", error->message);
    g_clear_error(&error);
    g_timeout_add_seconds(1, poll_addresses, net);
  }
  if (find_ports(net)) {
    net->retry_source = g_timeout_add(RETRY_MS, find_ports, net);
  }
}

const VgwNetPort *vgw_net_port(const VgwNet *net, const char *role) {
  for (size_t i = 0; i < VGW_NET_PORTS; i++) {
    if (strcmp(net->ports[i].role, role) == 0) {
      return &net->ports[i];
    }
  }
  return NULL;
}
