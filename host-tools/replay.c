#include "replay.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "gateway_files.h"
#include "qemu_cmdline.h"
#include "vgw-error.h"

#define LOG_FILE "replay.bin"
#define INSTANCE_FILE "instance.json"
#define END_FILE "end.icount"
#define RRFILE_KEY "rrfile="
/* HMP `info replay`: "Recording execution 'F': instruction count = N". */
#define ICOUNT_MARK "instruction count = "
#define END_POLL_US (10 * 1000)
#define END_POLLS 500
#define QMP_TIMEOUT_MS 10000

char *
vgw_replay_log(const char *dir)
{
  return g_build_filename(dir, LOG_FILE, NULL);
}

char **
vgw_replay_flash_args(const char *flash)
{
  char **args = g_new0(char *, 5);

  args[0] = g_strdup("-drive");
  args[1] = g_strdup_printf("file=%s,format=raw,if=none,id=flash-direct", flash);
  args[2] = g_strdup("-drive");
  args[3] = g_strdup("driver=blkreplay,if=mtd,image=flash-direct");
  return args;
}

char *
vgw_replay_console_chardev(const char *console_log)
{
  return g_strdup_printf("file,id=console,path=%s", console_log);
}

char **
vgw_replay_args(VgwReplayMode mode, const char *log, const char *const *netdevs)
{
  GPtrArray *a = g_ptr_array_new();

  g_return_val_if_fail(mode != VGW_REPLAY_NONE, NULL);
  g_ptr_array_add(a, g_strdup("-icount"));
  g_ptr_array_add(a, g_strdup_printf("shift=auto,rr=%s,rrfile=%s",
                                     mode == VGW_REPLAY_RECORD ? "record" : "replay", log));
  for (gsize i = 0; netdevs[i] != NULL; i++) {
    g_ptr_array_add(a, g_strdup("-object"));
    g_ptr_array_add(a, g_strdup_printf("filter-replay,id=replay-%s,netdev=%s", netdevs[i],
                                       netdevs[i]));
  }
  g_ptr_array_add(a, g_strdup("-global"));
  g_ptr_array_add(a, g_strdup("virtio-net-device.tx=timer"));
  /* Paused until vgw_replay_pause_at_end has set the end. */
  if (mode == VGW_REPLAY_PLAY)
    g_ptr_array_add(a, g_strdup("-S"));
  g_ptr_array_add(a, NULL);
  return (char **) g_ptr_array_free(a, FALSE);
}

gboolean
vgw_replay_record_begin(const VgwInstance *inst, const char *images, const char *dir,
                        GError **error)
{
  if (g_file_test(dir, G_FILE_TEST_EXISTS)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_RUNNING,
                "%s exists: --record writes a new recording directory", dir);
    return FALSE;
  }
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot create %s: %s", dir,
                g_strerror(errno));
    return FALSE;
  }
  return vgw_gateway_files_save(inst, images, dir, error);
}

gboolean
vgw_replay_record_instance(const VgwInstance *inst, const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename(dir, INSTANCE_FILE, NULL);
  g_autofree char *json = vgw_instance_to_json(inst);

  return g_file_set_contents(path, json, -1, error);
}

gboolean
vgw_replay_provision(const char *dir, VgwInstance *clone, guint *smp, char **qemu,
                     char **images, GError **error)
{
  g_autofree char *log = vgw_replay_log(dir);
  g_autofree char *json = g_build_filename(dir, INSTANCE_FILE, NULL);

  if (!g_file_test(log, G_FILE_TEST_IS_REGULAR) || !g_file_test(json, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_UNKNOWN,
                "no recording in %s (vgw up --record writes one)", dir);
    return FALSE;
  }
  /* Identity, forwards and seed are the recording gateway's; the rest
   * (pid, ports) is this one's. */
  if (!vgw_instance_load_from(clone, json, error))
    return FALSE;
  clone->pid = 0;
  clone->started_unix = 0;
  *smp = vgw_qemu_argv_uint(clone->qemu_argv, "-smp");
  if (!vgw_gateway_files_restore(dir, clone, error))
    return FALSE;
  *qemu = g_strdup(clone->qemu);
  *images = g_strdup(dir);
  return TRUE;
}

VgwReplayMode
vgw_replay_mode_of(char **argv, char **dir)
{
  for (; argv != NULL && argv[0] != NULL && argv[1] != NULL; argv++) {
    const char *file;
    if (!g_str_equal(argv[0], "-icount") || (file = strstr(argv[1], RRFILE_KEY)) == NULL)
      continue;
    if (dir != NULL)
      *dir = g_path_get_dirname(file + strlen(RRFILE_KEY));
    return strstr(argv[1], "rr=record") != NULL ? VGW_REPLAY_RECORD : VGW_REPLAY_PLAY;
  }
  return VGW_REPLAY_NONE;
}

gboolean
vgw_replay_icount(VgwQmp *qmp, guint64 *icount, GError **error)
{
  g_autofree char *out = vgw_qmp_hmp(qmp, "info replay", error);
  const char *n;

  if (out == NULL)
    return FALSE;
  n = strstr(out, ICOUNT_MARK);
  if (n == NULL || !g_ascii_isdigit(n[strlen(ICOUNT_MARK)])) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "QEMU reports no record/replay instruction count: %s", g_strstrip(out));
    return FALSE;
  }
  *icount = g_ascii_strtoull(n + strlen(ICOUNT_MARK), NULL, 10);
  return TRUE;
}

static gboolean
qmp_simple(VgwQmp *qmp, const char *command, GError **error)
{
  JsonNode *ret = vgw_qmp_execute(qmp, command, NULL, error);

  if (ret == NULL)
    return FALSE;
  json_node_unref(ret);
  return TRUE;
}

gboolean
vgw_replay_record_end(VgwQmp *qmp, const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename(dir, END_FILE, NULL);
  g_autofree char *text = NULL;
  guint64 end = 0, now = 0;

  if (!qmp_simple(qmp, "stop", error) || !vgw_replay_icount(qmp, &end, error))
    return FALSE;
  text = g_strdup_printf("%" G_GUINT64_FORMAT "\n", end);
  if (!g_file_set_contents(path, text, -1, error) || !qmp_simple(qmp, "cont", error))
    return FALSE;
  for (guint i = 0; i < END_POLLS; i++) {
    if (!vgw_replay_icount(qmp, &now, error))
      return FALSE;
    if (now > end)
      return TRUE;
    g_usleep(END_POLL_US);
  }
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
              "the recording gateway did not run on past instruction %" G_GUINT64_FORMAT, end);
  return FALSE;
}

gboolean
vgw_replay_end_icount(const char *dir, guint64 *icount, GError **error)
{
  g_autofree char *path = g_build_filename(dir, END_FILE, NULL);
  g_autofree char *text = NULL;

  if (!g_file_get_contents(path, &text, NULL, error))
    return FALSE;
  if (!g_ascii_string_to_unsigned(g_strstrip(text), 10, 1, G_MAXUINT64, icount, NULL)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s: not an instruction count", path);
    return FALSE;
  }
  return TRUE;
}

gboolean
vgw_replay_pause_at_end(VgwQmp *qmp, const char *dir, GError **error)
{
  g_autofree char *line = NULL;
  g_autofree char *out = NULL;
  guint64 end = 0;

  if (!vgw_replay_end_icount(dir, &end, error))
    return FALSE;
  line = g_strdup_printf("replay_break %" G_GUINT64_FORMAT, end);
  if ((out = vgw_qmp_hmp(qmp, line, error)) == NULL)
    return FALSE;
  if (*g_strstrip(out) != '\0') {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "QEMU refused %s: %s", line, out);
    return FALSE;
  }
  return qmp_simple(qmp, "cont", error);
}

gboolean
vgw_replay_start(const char *qmp_sock, const char *dir, guint timeout_s, VgwAliveFunc alive,
                 gpointer alive_data, GError **error)
{
  gint64 deadline = g_get_monotonic_time() + (gint64) timeout_s * G_USEC_PER_SEC;
  g_autoptr(VgwQmp) qmp = NULL;

  while ((qmp = vgw_qmp_connect(qmp_sock, QMP_TIMEOUT_MS, NULL)) == NULL) {
    /* Lets GLib reap QEMU, which |alive| reports. */
    while (g_main_context_iteration(NULL, FALSE))
      ;
    if (!alive(alive_data)) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_EXITED, "QEMU exited before the replay began");
      return FALSE;
    }
    if (g_get_monotonic_time() > deadline) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "QEMU's QMP socket %s did not answer",
                  qmp_sock);
      return FALSE;
    }
    g_usleep(END_POLL_US);
  }
  return vgw_replay_pause_at_end(qmp, dir, error);
}

gboolean
vgw_replay_run_to_end(VgwQmp *qmp, GError **error)
{
  g_autofree char *out = vgw_qmp_hmp(qmp, "replay_delete_break", error);

  return out != NULL && qmp_simple(qmp, "cont", error);
}
