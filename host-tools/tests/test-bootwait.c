/* Following console.log for the ready line, panics, truncation, and the
 * boot wait's outcomes (ready, QEMU gone, timeout). */
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootwait.h"
#include "vgw-error.h"

static char *dir;

static char *
log_path(const char *name)
{
  return g_build_filename(dir, name, NULL);
}

static void
append(const char *path, const char *text)
{
  FILE *f = fopen(path, "ab");

  g_assert_nonnull(f);
  fputs(text, f);
  fclose(f);
}

static void
test_ready_line(void)
{
  g_autofree char *path = log_path("ready.log");
  g_autoptr(VgwConsoleScan) scan = vgw_console_scan_new(path, 0);
  JsonObject *ready = NULL;

  /* No file yet: nothing, no error. */
  g_assert_cmpint(vgw_console_scan_poll(scan, &ready), ==, VGW_CONSOLE_NOTHING);
  append(path, "[    0.000000] Booting Linux\r\ninit: starting vgwd\r\nVGW-READY {\"firmware\":");
  g_assert_cmpint(vgw_console_scan_poll(scan, &ready), ==, VGW_CONSOLE_NOTHING);
  /* A line only counts once it is complete. */
  append(path, "\"0.1.0\",\"serial\":\"VGW1\",\"listeners\":[]}\r\nmore\n");
  g_assert_cmpint(vgw_console_scan_poll(scan, &ready), ==, VGW_CONSOLE_READY);
  g_assert_nonnull(ready);
  g_assert_cmpstr(json_object_get_string_member(ready, "firmware"), ==, "0.1.0");
  g_assert_cmpstr(json_object_get_string_member(ready, "serial"), ==, "VGW1");
  json_object_unref(ready);
}

static void
test_offset_skips_old_boot(void)
{
  g_autofree char *path = log_path("offset.log");
  g_autoptr(VgwConsoleScan) scan = NULL;
  JsonObject *ready = NULL;

  append(path, "VGW-READY {\"reset_cause\":\"power-on\"}\n");
  scan = vgw_console_scan_new(path, vgw_file_size(path));
  g_assert_cmpint(vgw_console_scan_poll(scan, &ready), ==, VGW_CONSOLE_NOTHING);
  append(path, "reboot: Restarting system\n[    1.0] vgwd: x VGW-READY {\"reset_cause\":\"host\"}\n");
  g_assert_cmpint(vgw_console_scan_poll(scan, &ready), ==, VGW_CONSOLE_READY);
  g_assert_cmpstr(json_object_get_string_member(ready, "reset_cause"), ==, "host");
  json_object_unref(ready);
}

/* vgw reset asks the firmware only once the boot under way is ready. */
static void
test_firmware_ready(void)
{
  g_autofree char *path = log_path("fwready.log");
  static const char boot1[] = "init: started at 1.0 s\nVGW-READY {}\n";
  static const char boot2[] = "reboot: Restarting system\ninit: started at 1.2 s\n";
  goffset at = -1;

  /* Nothing yet (QEMU just started): not ready, wait from the start. */
  g_assert_false(vgw_console_firmware_ready(path, &at));
  g_assert_cmpint(at, ==, 0);
  append(path, boot1);
  g_assert_true(vgw_console_firmware_ready(path, &at));
  g_assert_cmpint(at, ==, strlen("init: started at 1.0 s\n"));
  /* A second boot has started: the first boot's ready line no longer
   * counts, and the wait begins after the new start mark. */
  append(path, boot2);
  g_assert_false(vgw_console_firmware_ready(path, &at));
  g_assert_cmpint(at, ==, strlen(boot1) + strlen(boot2));
  append(path, "vgwd: x\nVGW-READY {\"reset_cause\":\"firmware\"}\n");
  g_assert_true(vgw_console_firmware_ready(path, &at));
  g_assert_cmpint(at, ==, strlen(boot1) + strlen(boot2));
}

static void
test_truncation_and_bad_json(void)
{
  g_autofree char *path = log_path("trunc.log");
  g_autoptr(VgwConsoleScan) scan = NULL;
  JsonObject *ready = NULL;

  append(path, "old boot output that is long enough\n");
  scan = vgw_console_scan_new(path, vgw_file_size(path));
  /* QEMU starts the log over: scanning restarts at 0. */
  g_assert_true(g_file_set_contents(path, "VGW-READY not json\n", -1, NULL));
  g_assert_cmpint(vgw_console_scan_poll(scan, &ready), ==, VGW_CONSOLE_READY);
  g_assert_nonnull(ready);
  g_assert_cmpuint(json_object_get_size(ready), ==, 0);
  json_object_unref(ready);
}

static void
test_panic_and_tail(void)
{
  g_autofree char *path = log_path("panic.log");
  g_autoptr(VgwConsoleScan) scan = vgw_console_scan_new(path, 0);
  g_autofree char *tail = NULL;
  g_auto(GStrv) lines = NULL;

  for (int i = 0; i < 30; i++) {
    g_autofree char *l = g_strdup_printf("line %d\n", i);
    append(path, l);
  }
  append(path, "Kernel panic - not syncing: Attempted to kill init!\nunfinished");
  g_assert_cmpint(vgw_console_scan_poll(scan, NULL), ==, VGW_CONSOLE_PANIC);
  vgw_console_scan_poll(scan, NULL);
  tail = vgw_console_scan_tail(scan, 15);
  lines = g_strsplit(tail, "\n", -1);
  g_assert_cmpuint(g_strv_length(lines), ==, 15);
  g_assert_cmpstr(lines[0], ==, "line 17");
  g_assert_cmpstr(lines[13], ==, "Kernel panic - not syncing: Attempted to kill init!");
  g_assert_cmpstr(lines[14], ==, "unfinished");
}

static gboolean
always(gpointer data)
{
  return TRUE;
}

static gboolean
alive_until_flag(gpointer data)
{
  return !*(gboolean *) data;
}

static gboolean
write_ready_later(gpointer data)
{
  append(data, "VGW-READY {\"firmware\":\"9\"}\n");
  return G_SOURCE_REMOVE;
}

static gboolean
set_flag_later(gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* After a reset the ready line of the boot that was still under way must
 * not count: only one after a new start mark does. */
static void
test_wait_after_start(void)
{
  g_autofree char *path = log_path("afterstart.log");
  VgwBootResult r = { 0 };
  g_autoptr(GError) error = NULL;

  append(path, "init: started at 1.0 s\n");
  append(path, "VGW-READY {\"reset_cause\":\"host\"}\ninit: started at 1.1 s\n"
               "VGW-READY {\"reset_cause\":\"firmware\"}\n");
  g_assert_true(vgw_boot_wait("w", path, strlen("init: started at 1.0 s\n"), TRUE, 10,
                              always, NULL, &r, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(json_object_get_string_member(r.ready, "reset_cause"), ==, "firmware");
  vgw_boot_result_clear(&r);

  /* Only the old boot's ready line: not ready. */
  g_assert_true(g_file_set_contents(path, "VGW-READY {}\n", -1, NULL));
  g_assert_false(vgw_boot_wait("w", path, 0, TRUE, 1, always, NULL, &r, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT);
  vgw_boot_result_clear(&r);
}

static void
test_boot_wait(void)
{
  g_autofree char *path = log_path("wait.log");
  VgwBootResult r = { 0 };
  g_autoptr(GError) error = NULL;
  gboolean gone = FALSE;

  /* Ready arrives while waiting. */
  g_timeout_add(200, write_ready_later, path);
  g_assert_true(vgw_boot_wait("w", path, 0, FALSE, 10, always, NULL, &r, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(json_object_get_string_member(r.ready, "firmware"), ==, "9");
  g_assert_cmpfloat(r.elapsed_s, >=, 0.15);
  vgw_boot_result_clear(&r);

  /* QEMU goes away first. */
  append(path, "booting\n");
  g_timeout_add(100, set_flag_later, &gone);
  g_assert_false(vgw_boot_wait("w", path, vgw_file_size(path) - 8, FALSE, 10,
                               alive_until_flag, &gone, &r, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_EXITED);
  g_assert_cmpstr(r.tail, ==, "booting");
  g_clear_error(&error);
  vgw_boot_result_clear(&r);

  /* Nothing happens: timeout, with the message scripts rely on. */
  {
    goffset before = vgw_file_size(path);
    append(path, "still booting\n");
    g_assert_false(vgw_boot_wait("w", path, before, FALSE, 1, always, NULL, &r, &error));
  }
  g_assert_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT);
  g_assert_cmpstr(r.tail, ==, "still booting");
  g_assert_cmpstr(error->message, ==, "gateway 'w' did not become ready within 1 s (last console lines follow)");
  g_clear_error(&error);
  vgw_boot_result_clear(&r);
  {
    g_autofree char *empty = log_path("empty.log");
    g_assert_false(vgw_boot_wait("w", empty, 0, FALSE, 1, always, NULL, &r, &error));
    g_assert_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT);
    g_assert_cmpstr(error->message, ==, "gateway 'w' did not become ready within 1 s (no console output)");
    g_assert_null(r.tail);
  }
  g_clear_error(&error);
  vgw_boot_result_clear(&r);

  /* A panic. */
  {
    goffset before = vgw_file_size(path);
    append(path, "Kernel panic - not syncing: VFS\n");
    g_assert_false(vgw_boot_wait("w", path, before, FALSE, 10, always, NULL, &r, &error));
  }
  g_assert_cmpstr(error->message, ==, "gateway 'w': kernel panic during boot: VFS (last console lines follow)");
  g_assert_error(error, VGW_ERROR, VGW_ERROR_PANIC);
  g_assert_nonnull(strstr(r.tail, "Kernel panic"));
  vgw_boot_result_clear(&r);
}

int
main(int argc, char **argv)
{
  int status;
  g_autofree char *cmd = NULL;

  g_test_init(&argc, &argv, NULL);
  dir = g_dir_make_tmp("vgwboot-XXXXXX", NULL);
  g_test_add_func("/bootwait/ready-line", test_ready_line);
  g_test_add_func("/bootwait/offset-skips-old-boot", test_offset_skips_old_boot);
  g_test_add_func("/bootwait/firmware-ready", test_firmware_ready);
  g_test_add_func("/bootwait/wait-after-start", test_wait_after_start);
  g_test_add_func("/bootwait/truncation-and-bad-json", test_truncation_and_bad_json);
  g_test_add_func("/bootwait/panic-and-tail", test_panic_and_tail);
  g_test_add_func("/bootwait/wait", test_boot_wait);
  status = g_test_run();
  cmd = g_strdup_printf("rm -rf '%s'", dir);
  if (system(cmd) != 0)
    g_warning("could not remove %s", dir);
  return status;
}
