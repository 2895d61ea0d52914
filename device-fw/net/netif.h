/*
 * Network interface helpers: find an interface by the bus address of its
 * virtio-mmio transport, rename it, bring it up, read its MAC and IPv4
 * address. Synchronous but non-blocking (sysfs reads and ioctls).
 */
#ifndef VGW_NET_NETIF_H
#define VGW_NET_NETIF_H

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* VGW_SYSFS_NET is where the kernel lists network interfaces. */
#define VGW_SYSFS_NET "/sys/class/net"

/* vgw_sysfs_path_has_bus_addr returns TRUE if the resolved device path
 * |path| has a component naming the platform device at |base|, which the
 * kernel writes as "<hex base>.<node name>" (e.g. "a000000.virtio_mmio"). */
gboolean vgw_sysfs_path_has_bus_addr(const char *path, uint64_t base);

/* vgw_sysfs_find_by_bus_addr returns the newly allocated name of the
 * entry of the sysfs class directory |class_dir| (VGW_SYSFS_NET for
 * interfaces, "/sys/class/block" for disks) whose "device" link resolves
 * to a path under the platform device at |base|, or NULL. */
char *vgw_sysfs_find_by_bus_addr(const char *class_dir, uint64_t base);

/* vgw_netif_rename renames interface |from| to |to|; the interface must be
 * down. Renaming to the current name succeeds at once. */
gboolean vgw_netif_rename(const char *from, const char *to, GError **error);

/* vgw_netif_set_up sets IFF_UP on |name|. */
gboolean vgw_netif_set_up(const char *name, GError **error);

/* vgw_netif_get_mac writes the hardware address of |name| as
 * "aa:bb:cc:dd:ee:ff" into |out|; returns FALSE if it cannot be read. */
gboolean vgw_netif_get_mac(const char *name, char out[18]);

/* vgw_netif_get_ipv4 returns the first IPv4 address of |name| as a newly
 * allocated "a.b.c.d/n", or NULL when it has none. */
char *vgw_netif_get_ipv4(const char *name);

/* vgw_netif_set_ipv4 gives |name| the IPv4 address |addr| (host byte
 * order) with |prefix| bits of netmask, replacing its primary address. */
gboolean vgw_netif_set_ipv4(const char *name, uint32_t addr, guint prefix,
                            GError **error);

/* vgw_netif_add_default_route adds a default route via |gateway| (host
 * byte order) on |name| with |metric|; an identical route already there
 * (a restarted vgwd) counts as success. */
gboolean vgw_netif_add_default_route(const char *name, uint32_t gateway,
                                     int metric, GError **error);

/* vgw_netif_ipv4_text returns |addr| (host byte order) as newly allocated
 * dotted-quad text. */
char *vgw_netif_ipv4_text(uint32_t addr);

G_END_DECLS

#endif /* VGW_NET_NETIF_H */
