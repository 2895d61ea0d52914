/* Unit tests for the hardware lookups: device tree (compatible search,
 * reg decoding) and sysfs bus-address matching, against fake trees in a
 * temporary directory; and the flash blank check. */
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "hal/devtree.h"
#include "net/netif.h"
#include "config/flash.h"

static char *tmp;

static void write_file(const char *rel, const void *data, gsize len) {
  char *path = g_build_filename(tmp, rel, NULL);
  char *dir = g_path_get_dirname(path);
  g_mkdir_with_parents(dir, 0755);
  g_assert_true(g_file_set_contents(path, data, (gssize)len, NULL));
  g_free(dir);
  g_free(path);
}

static void build_tree(void) {
  static const guchar two[] = {0, 0, 0, 2}, one[] = {0, 0, 0, 1};
  write_file("dt/#address-cells", two, 4);
  write_file("dt/#size-cells", two, 4);
  write_file("dt/compatible", "vgw,board\0", 10);
  static const char pl011[] = "arm,pl011\0arm,primecell";
  write_file("dt/pl011@9000000/compatible", pl011, sizeof(pl011));
  static const guchar reg2[] = {0, 0, 0, 0, 0x09, 0x03, 0, 0,
                                0, 0, 0, 0, 0, 0, 0x10, 0};
  write_file("dt/sysctl@9030000/compatible", "vgw,sysctl", 11);
  write_file("dt/sysctl@9030000/reg", reg2, sizeof(reg2));
  /* A node under a bus with one address and one size cell. */
  write_file("dt/soc/#address-cells", one, 4);
  write_file("dt/soc/#size-cells", one, 4);
  static const guchar reg1[] = {0x0a, 0, 0, 0, 0, 0, 0x02, 0};
  write_file("dt/soc/thing@a000000/compatible", "vgw,thing", 10);
  write_file("dt/soc/thing@a000000/reg", reg1, sizeof(reg1));
  write_file("dt/soc/short@0/compatible", "vgw,short", 10);
  write_file("dt/soc/short@0/reg", reg1, 4);
}

static void test_devtree(void) {
  char *root = g_build_filename(tmp, "dt", NULL);
  char *node = vgw_dt_find_compatible(root, "vgw,sysctl");
  g_assert_nonnull(node);
  g_assert_true(g_str_has_suffix(node, "/sysctl@9030000"));
  uint64_t base = 0, size = 0;
  g_assert_true(vgw_dt_read_reg(node, &base, &size, NULL));
  g_assert_cmphex(base, ==, 0x09030000);
  g_assert_cmphex(size, ==, 0x1000);
  g_free(node);

  node = vgw_dt_find_compatible(root, "arm,primecell");
  g_assert_nonnull(node);
  g_assert_true(g_str_has_suffix(node, "/pl011@9000000"));
  g_free(node);

  node = vgw_dt_find_compatible(root, "vgw,thing");
  g_assert_true(vgw_dt_read_reg(node, &base, &size, NULL));
  g_assert_cmphex(base, ==, 0x0a000000);
  g_assert_cmphex(size, ==, 0x200);
  g_free(node);

  node = vgw_dt_find_compatible(root, "vgw,short");
  GError *error = NULL;
  g_assert_false(vgw_dt_read_reg(node, &base, &size, &error));
  g_assert_nonnull(error);
  g_clear_error(&error);
  g_free(node);

  g_assert_null(vgw_dt_find_compatible(root, "vgw,absent"));
  g_assert_null(vgw_dt_find_compatible(root, "arm"));
  g_free(root);
}

static void make_link(const char *target_rel, const char *link_rel) {
  char *target = g_build_filename(tmp, target_rel, NULL);
  char *link = g_build_filename(tmp, link_rel, NULL);
  char *dir = g_path_get_dirname(link);
  g_mkdir_with_parents(target, 0755);
  g_mkdir_with_parents(dir, 0755);
  g_assert_cmpint(symlink(target, link), ==, 0);
  g_free(dir);
  g_free(link);
  g_free(target);
}

static void test_sysfs_bus_addr(void) {
  g_assert_true(vgw_sysfs_path_has_bus_addr(
      "/sys/devices/platform/a000000.virtio_mmio/virtio0", 0x0a000000));
  g_assert_false(vgw_sysfs_path_has_bus_addr(
      "/sys/devices/platform/a000000.virtio_mmio/virtio0", 0x0a010000));
  g_assert_false(vgw_sysfs_path_has_bus_addr(
      "/sys/devices/platform/1a000000.virtio_mmio/virtio0", 0x0a000000));

  /* Probe order reversed on purpose: eth0 is the WAN transport. */
  make_link("devices/platform/a010000.virtio_mmio/virtio0",
            "class/net/eth0/device");
  make_link("devices/platform/a000000.virtio_mmio/virtio1",
            "class/net/eth1/device");
  g_mkdir_with_parents(g_build_filename(tmp, "class/net/lo", NULL), 0755);
  char *cls = g_build_filename(tmp, "class/net", NULL);
  char *lan = vgw_sysfs_find_by_bus_addr(cls, 0x0a000000);
  char *wan = vgw_sysfs_find_by_bus_addr(cls, 0x0a010000);
  g_assert_cmpstr(lan, ==, "eth1");
  g_assert_cmpstr(wan, ==, "eth0");
  g_assert_null(vgw_sysfs_find_by_bus_addr(cls, 0x0a020000));
  g_free(lan);
  g_free(wan);
  g_free(cls);
}

static void test_flash_erased(void) {
  guint8 buf[64];
  memset(buf, 0xff, sizeof(buf));
  g_assert_true(vgw_flash_is_erased(buf, sizeof(buf)));
  buf[63] = 0xfe;
  g_assert_false(vgw_flash_is_erased(buf, sizeof(buf)));
  g_assert_true(vgw_flash_is_erased(buf, 0));
}

static void rm_rf(const char *path) {
  char *argv[] = {"rm", "-rf", (char *)path, NULL};
  g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
               NULL, NULL);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  tmp = g_dir_make_tmp("vgw-hw-XXXXXX", NULL);
  g_assert_nonnull(tmp);
  build_tree();
  g_test_add_func("/hw/devtree", test_devtree);
  g_test_add_func("/hw/sysfs-bus-addr", test_sysfs_bus_addr);
  g_test_add_func("/hw/flash-erased", test_flash_erased);
  int rc = g_test_run();
  rm_rf(tmp);
  g_free(tmp);
  return rc;
}
