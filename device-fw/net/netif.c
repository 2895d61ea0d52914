/* Network interface helpers: see netif.h. */
#include "net/netif.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

gboolean vgw_sysfs_path_has_bus_addr(const char *path, uint64_t base) {
  char prefix[32];
  snprintf(prefix, sizeof(prefix), "/%" G_GINT64_MODIFIER "x.", (guint64)base);
  return strstr(path, prefix) != NULL;
}

char *vgw_sysfs_find_by_bus_addr(const char *sysfs_net, uint64_t base) {
  GDir *dir = g_dir_open(sysfs_net, 0, NULL);
  if (dir == NULL) {
    return NULL;
  }
  char *found = NULL;
  const char *name;
  while (found == NULL && (name = g_dir_read_name(dir)) != NULL) {
    char *link = g_build_filename(sysfs_net, name, "device", NULL);
    char *real = realpath(link, NULL);
    if (real != NULL && vgw_sysfs_path_has_bus_addr(real, base)) {
      found = g_strdup(name);
    }
    free(real);
    g_free(link);
  }
  g_dir_close(dir);
  return found;
}

/* ifreq_ioctl runs |request| on a throwaway datagram socket. */
static gboolean ifreq_ioctl(unsigned long request, struct ifreq *ifr,
                            const char *what, GError **error) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ioctl(fd, request, ifr) < 0) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s %s: %s",
                what, ifr->ifr_name, g_strerror(e));
    if (fd >= 0) {
      close(fd);
    }
    return FALSE;
  }
  close(fd);
  return TRUE;
}

gboolean vgw_netif_rename(const char *from, const char *to, GError **error) {
  if (strcmp(from, to) == 0) {
    return TRUE;
  }
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  g_strlcpy(ifr.ifr_name, from, IFNAMSIZ);
  g_strlcpy(ifr.ifr_newname, to, IFNAMSIZ);
  return ifreq_ioctl(SIOCSIFNAME, &ifr, "rename", error);
}

gboolean vgw_netif_set_up(const char *name, GError **error) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
  if (!ifreq_ioctl(SIOCGIFFLAGS, &ifr, "get flags", error)) {
    return FALSE;
  }
  if (ifr.ifr_flags & IFF_UP) {
    return TRUE;
  }
  ifr.ifr_flags |= IFF_UP;
  return ifreq_ioctl(SIOCSIFFLAGS, &ifr, "set up", error);
}

gboolean vgw_netif_get_mac(const char *name, char out[18]) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  g_strlcpy(ifr.ifr_name, name, IFNAMSIZ);
  if (!ifreq_ioctl(SIOCGIFHWADDR, &ifr, "get mac", NULL)) {
    return FALSE;
  }
  const unsigned char *m = (const unsigned char *)ifr.ifr_hwaddr.sa_data;
  snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3],
           m[4], m[5]);
  return TRUE;
}

/* prefix_len counts the set bits of a network-order netmask. */
static int prefix_len(const struct sockaddr_in *mask) {
  return mask != NULL ? __builtin_popcount(mask->sin_addr.s_addr) : 32;
}

char *vgw_netif_get_ipv4(const char *name) {
  struct ifaddrs *list = NULL;
  if (getifaddrs(&list) < 0) {
    return NULL;
  }
  char *result = NULL;
  for (struct ifaddrs *ifa = list; ifa != NULL && result == NULL;
       ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET ||
        strcmp(ifa->ifa_name, name) != 0) {
      continue;
    }
    char buf[INET_ADDRSTRLEN];
    const struct sockaddr_in *sin = (const struct sockaddr_in *)ifa->ifa_addr;
    inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
    result = g_strdup_printf(
        "%s/%d", buf, prefix_len((const struct sockaddr_in *)ifa->ifa_netmask));
  }
  freeifaddrs(list);
  return result;
}

/* ipv4_ioctl runs |request| on an AF_INET datagram socket, the handle the
 * kernel's classic address and route ioctls want. */
static gboolean ipv4_ioctl(unsigned long request, void *arg, const char *what,
                           const char *name, GError **error) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ioctl(fd, request, arg) < 0) {
    int err = errno;
    if (fd >= 0) {
      close(fd);
    }
    if (err == EEXIST) {
      return TRUE;
    }
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s: %s",
                name, what, g_strerror(err));
    return FALSE;
  }
  close(fd);
  return TRUE;
}

static void set_sin(struct sockaddr *sa, uint32_t addr) {
  struct sockaddr_in sin;
  memset(&sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(addr);
  memcpy(sa, &sin, sizeof(sin));
}

gboolean vgw_netif_set_ipv4(const char *name, uint32_t addr, guint prefix,
                            GError **error) {
  struct ifreq ifr;
  memset(&ifr, 0, sizeof(ifr));
  g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
  set_sin(&ifr.ifr_addr, addr);
  if (!ipv4_ioctl(SIOCSIFADDR, &ifr, "set address", name, error)) {
    return FALSE;
  }
  uint32_t mask = prefix == 0 ? 0 : 0xffffffffu << (32 - MIN(prefix, 32u));
  set_sin(&ifr.ifr_netmask, mask);
  return ipv4_ioctl(SIOCSIFNETMASK, &ifr, "set netmask", name, error);
}

gboolean vgw_netif_add_default_route(const char *name, uint32_t gateway,
                                     int metric, GError **error) {
  struct rtentry rt;
  memset(&rt, 0, sizeof(rt));
  set_sin(&rt.rt_dst, 0);
  set_sin(&rt.rt_genmask, 0);
  set_sin(&rt.rt_gateway, gateway);
  rt.rt_flags = RTF_UP | RTF_GATEWAY;
  /* The ioctl interface stores metric - 1 (route(8) does the same). */
  rt.rt_metric = (short)(metric + 1);
  rt.rt_dev = (char *)name;
  return ipv4_ioctl(SIOCADDRT, &rt, "add default route", name, error);
}

char *vgw_netif_ipv4_text(uint32_t addr) {
  return g_strdup_printf("%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255,
                         (addr >> 8) & 255, addr & 255);
}
