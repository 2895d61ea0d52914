/* Instance state: state root selection, paths, instance.json round trip,
 * listing, and deciding from the live process whether one is running. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "instance.h"
#include "vgw-error.h"

static char *root;

static void
test_state_root(void)
{
  g_autofree char *saved_state = g_strdup(g_getenv("VGW_STATE_DIR"));
  g_autofree char *saved_xdg = g_strdup(g_getenv("XDG_RUNTIME_DIR"));
  g_autofree char *tmp = g_strdup_printf("/tmp/vgw-%u", (unsigned) getuid());
  char *r;

  g_setenv("VGW_STATE_DIR", "/s", TRUE);
  g_setenv("XDG_RUNTIME_DIR", "/x", TRUE);
  r = vgw_state_root();
  g_assert_cmpstr(r, ==, "/s");
  g_free(r);
  g_unsetenv("VGW_STATE_DIR");
  r = vgw_state_root();
  g_assert_cmpstr(r, ==, "/x/vgw");
  g_free(r);
  g_unsetenv("XDG_RUNTIME_DIR");
  r = vgw_state_root();
  g_assert_cmpstr(r, ==, tmp);
  g_free(r);
  g_setenv("VGW_STATE_DIR", saved_state, TRUE);
  if (saved_xdg != NULL)
    g_setenv("XDG_RUNTIME_DIR", saved_xdg, TRUE);
}

static void
test_names(void)
{
  const char *good[] = { "default", "b", "gw-1", "A_b.c", "12345678901234567890123456789012" };
  const char *bad[] = { "", ".", "..", ".hidden", "a/b", "a b", "x\n", "123456789012345678901234567890123" };

  for (gsize i = 0; i < G_N_ELEMENTS(good); i++)
    g_assert_true(vgw_instance_name_check(good[i], NULL));
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    g_assert_false(vgw_instance_name_check(bad[i], &error));
    g_assert_error(error, VGW_ERROR, VGW_ERROR_USAGE);
  }
}

static void
test_paths(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VgwInstance) inst = vgw_instance_new("p", &error);
  g_autofree char *dir = g_build_filename(root, "p", NULL);
  g_autofree char *long_root = g_strnfill(100, 'r');
  g_autofree char *long_path = g_build_filename(root, long_root, NULL);

  g_assert_no_error(error);
  g_assert_cmpstr(inst->dir, ==, dir);
  g_assert_true(g_str_has_suffix(inst->qmp_sock, "/p/qmp.sock"));
  g_assert_true(g_str_has_suffix(inst->console_sock, "/p/console.sock"));
  g_assert_true(g_str_has_suffix(inst->maint_sock, "/p/maint.sock"));
  g_assert_true(g_str_has_suffix(inst->console_log, "/p/console.log"));
  g_assert_true(g_str_has_suffix(inst->qemu_log, "/p/qemu.log"));
  g_assert_true(g_str_has_suffix(inst->pid_file, "/p/qemu.pid"));
  g_assert_true(g_str_has_suffix(inst->flash, "/p/flash.img"));
  g_assert_true(g_str_has_suffix(inst->json_file, "/p/instance.json"));

  /* A state root too long for sun_path fails clearly, before anything. */
  g_setenv("VGW_STATE_DIR", long_path, TRUE);
  g_assert_null(vgw_instance_new("p", &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, "too long for unix sockets"));
  g_assert_nonnull(strstr(error->message, "VGW_STATE_DIR"));
  g_setenv("VGW_STATE_DIR", root, TRUE);
}

static void
test_round_trip(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VgwInstance) a = vgw_instance_new("rt", &error);
  g_autoptr(VgwInstance) b = vgw_instance_new("rt", &error);
  const char *argv[] = { "/q/qemu-system-aarch64", "-M", "vgw,serial=VGW1", "-append", "console=ttyAMA0 quiet", NULL };

  g_assert_false(vgw_instance_known(a));
  g_assert_false(vgw_instance_load(b, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_UNKNOWN);
  g_assert_nonnull(strstr(error->message, "no gateway named 'rt'"));
  g_clear_error(&error);

  g_assert_true(vgw_instance_ensure_dir(a, &error));
  a->serial = g_strdup("VGW0123456789");
  a->mac_base = g_strdup("02:11:22:33:44:56");
  a->sip_port = 15060;
  a->sip_tls_port = 15061;
  a->pid = 4242;
  a->started_unix = 1700000000;
  a->qemu = g_strdup("/q/qemu-system-aarch64");
  a->images = g_strdup("/images");
  a->qemu_argv = g_strdupv((char **) argv);
  a->wan_link = (VgwWanLink){ VGW_WAN_LINK_CONNECT, 47000 };
  a->seed = (VgwSeed){ TRUE, G_MAXINT64 };
  g_assert_true(vgw_instance_save(a, &error));
  g_assert_no_error(error);
  g_assert_true(vgw_instance_known(b));

  g_assert_true(vgw_instance_load(b, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(b->serial, ==, a->serial);
  g_assert_cmpstr(b->mac_base, ==, a->mac_base);
  g_assert_cmpuint(b->sip_port, ==, 15060);
  g_assert_cmpuint(b->sip_tls_port, ==, 15061);
  g_assert_cmpint(b->pid, ==, 4242);
  g_assert_cmpint(b->started_unix, ==, 1700000000);
  g_assert_cmpstr(b->qemu, ==, a->qemu);
  g_assert_cmpstr(b->images, ==, a->images);
  g_assert_cmpstrv(b->qemu_argv, a->qemu_argv);
  g_assert_cmpint(b->wan_link.mode, ==, VGW_WAN_LINK_CONNECT);
  g_assert_cmpuint(b->wan_link.port, ==, 47000);
  g_assert_true(b->seed.set);
  g_assert_cmpuint(b->seed.value, ==, G_MAXINT64);

  /* No seed is recorded as null and read back as none. */
  a->seed = (VgwSeed){ FALSE, 0 };
  g_assert_true(vgw_instance_save(a, &error));
  g_assert_true(vgw_instance_load(b, &error));
  g_assert_false(b->seed.set);

  /* Loading again replaces, never leaks or merges. */
  g_assert_true(vgw_instance_load(b, &error));
  g_assert_cmpstrv(b->qemu_argv, a->qemu_argv);

  /* A file from before WAN links has slirp; a bad link is an error. */
  g_assert_true(g_file_set_contents(a->json_file, "{\"serial\":\"VGW1\"}", -1, NULL));
  g_assert_true(vgw_instance_load(b, &error));
  g_assert_cmpint(b->wan_link.mode, ==, VGW_WAN_LINK_SLIRP);
  g_assert_false(b->seed.set);
  g_assert_true(g_file_set_contents(a->json_file, "{\"wan_link\":\"connect:0\"}", -1, NULL));
  g_assert_false(vgw_instance_load(b, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, "instance.json: wan_link: invalid port '0'"));
  g_clear_error(&error);

  /* A corrupt file is an error naming the file. */
  g_assert_true(g_file_set_contents(a->json_file, "{not json", -1, NULL));
  g_assert_false(vgw_instance_load(b, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_FAILED);
  g_assert_nonnull(strstr(error->message, "instance.json"));
}

static void
test_list(void)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  const char *make[] = { "zeta", "alpha", "mid" };
  g_autofree char *stray = g_build_filename(root, "not-an-instance", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS(make); i++) {
    g_autoptr(VgwInstance) inst = vgw_instance_new(make[i], &error);
    inst->serial = g_strdup("VGW");
    g_assert_true(vgw_instance_ensure_dir(inst, &error));
    g_assert_true(vgw_instance_save(inst, &error));
  }
  g_mkdir(stray, 0700);
  names = vgw_instance_list_names();
  /* Sorted; directories without instance.json are not instances. */
  g_assert_true(g_strv_contains((const char *const *) names, "alpha"));
  g_assert_false(g_strv_contains((const char *const *) names, "not-an-instance"));
  for (guint i = 1; names[i] != NULL; i++)
    g_assert_cmpint(strcmp(names[i - 1], names[i]), <, 0);
  g_assert_true(g_strv_contains((const char *const *) names, "mid"));
  g_assert_true(g_strv_contains((const char *const *) names, "zeta"));
}

static void
test_running_pid(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VgwInstance) inst = vgw_instance_new("run", &error);
  g_autoptr(GSubprocess) other = NULL;
  g_autoptr(GSubprocess) ours = NULL;
  g_autofree char *pid_text = NULL;
  int pid;

  g_assert_true(vgw_instance_ensure_dir(inst, &error));
  g_assert_true(vgw_instance_save(inst, &error));
  g_assert_cmpint(vgw_instance_running_pid(inst), ==, 0);
  g_assert_cmpint(vgw_instance_require_running(inst, &error), ==, 0);
  g_assert_error(error, VGW_ERROR, VGW_ERROR_NOT_RUNNING);
  g_assert_cmpstr(error->message, ==, "gateway 'run' is not running");
  g_clear_error(&error);

  /* A live process that is not this instance's QEMU does not count. */
  other = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                           &error, "sleep", "30", NULL);
  inst->pid = atoi(g_subprocess_get_identifier(other));
  g_assert_cmpint(vgw_instance_running_pid(inst), ==, 0);

  /* One whose command line names this instance's QMP socket does. */
  /* exec -a: the process itself (not a child left behind when it is
   * killed) carries the socket path in its command line. */
  ours = g_subprocess_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                          &error, "bash", "-c", "exec -a \"$0\" sleep 30", inst->qmp_sock, NULL);
  g_assert_no_error(error);
  pid = atoi(g_subprocess_get_identifier(ours));
  inst->pid = pid;
  /* While bash execs sleep, /proc/PID/cmdline can read empty for a
   * moment: give the exec time to finish (QEMU never execs). */
  for (int i = 0; i < 200 && vgw_instance_running_pid(inst) != pid; i++)
    g_usleep(10 * 1000);
  g_assert_cmpint(vgw_instance_running_pid(inst), ==, pid);
  /* Found through qemu.pid too, as after a crash of vgw itself. */
  inst->pid = 0;
  pid_text = g_strdup_printf("%d\n", pid);
  g_assert_true(g_file_set_contents(inst->pid_file, pid_text, -1, NULL));
  g_assert_cmpint(vgw_instance_running_pid(inst), ==, pid);

  g_subprocess_force_exit(ours);
  g_subprocess_force_exit(other);
  g_assert_true(g_subprocess_wait(ours, NULL, NULL));
  g_subprocess_wait(other, NULL, NULL);
  g_assert_false(vgw_pid_alive(pid));
  g_assert_cmpint(vgw_instance_running_pid(inst), ==, 0);

  vgw_instance_remove_runtime_files(inst);
  g_assert_false(g_file_test(inst->pid_file, G_FILE_TEST_EXISTS));
  g_assert_true(g_file_test(inst->json_file, G_FILE_TEST_EXISTS));
}

int
main(int argc, char **argv)
{
  int status;
  g_autofree char *cmd = NULL;

  g_test_init(&argc, &argv, NULL);
  root = g_dir_make_tmp("vgwinst-XXXXXX", NULL);
  g_setenv("VGW_STATE_DIR", root, TRUE);
  g_test_add_func("/instance/state-root", test_state_root);
  g_test_add_func("/instance/names", test_names);
  g_test_add_func("/instance/paths", test_paths);
  g_test_add_func("/instance/round-trip", test_round_trip);
  g_test_add_func("/instance/list", test_list);
  g_test_add_func("/instance/running-pid", test_running_pid);
  status = g_test_run();
  cmd = g_strdup_printf("rm -rf '%s'", root);
  if (system(cmd) != 0)
    g_warning("could not remove %s", root);
  return status;
}
