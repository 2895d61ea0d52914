#include "replay.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "qemu_cmdline.h"
#include "vgw-error.h"

#define LOG_FILE "replay.bin"
#define INSTANCE_FILE "instance.json"

/* The gateway's files a recording keeps as they were at its start. */
typedef struct {
  const char *file;        /* in the recording */
  gsize instance_member;   /* offset of the path in VgwInstance */
  gboolean optional;       /* a first boot has no keystore yet */
} StateFile;

static const StateFile state_files[] = {
  { "flash.img", G_STRUCT_OFFSET(VgwInstance, flash), FALSE },
  { "keystore.bin", G_STRUCT_OFFSET(VgwInstance, keystore), TRUE },
  { "keystore.secret", G_STRUCT_OFFSET(VgwInstance, keystore_secret), FALSE },
};

static const char *const boot_images[] = { "Image", "initramfs.cpio.gz" };

static const char *
state_path(const VgwInstance *inst, const StateFile *f)
{
  return G_STRUCT_MEMBER(const char *, inst, f->instance_member);
}

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
  for (gsize i = 0; i < G_N_ELEMENTS(state_files); i++) {
    const char *from = state_path(inst, &state_files[i]);
    g_autofree char *to = g_build_filename(dir, state_files[i].file, NULL);
    if (state_files[i].optional && !g_file_test(from, G_FILE_TEST_EXISTS))
      continue;
    if (!vgw_file_copy(from, to, error))
      return FALSE;
  }
  for (gsize i = 0; i < G_N_ELEMENTS(boot_images); i++) {
    g_autofree char *from = g_build_filename(images, boot_images[i], NULL);
    g_autofree char *to = g_build_filename(dir, boot_images[i], NULL);
    if (!vgw_file_copy(from, to, error))
      return FALSE;
  }
  return TRUE;
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
  for (gsize i = 0; i < G_N_ELEMENTS(state_files); i++) {
    g_autofree char *from = g_build_filename(dir, state_files[i].file, NULL);
    const char *to = state_path(clone, &state_files[i]);
    g_unlink(to);
    if (state_files[i].optional && !g_file_test(from, G_FILE_TEST_EXISTS))
      continue;
    if (!vgw_file_copy(from, to, error))
      return FALSE;
  }
  *qemu = g_strdup(clone->qemu);
  *images = g_strdup(dir);
  return TRUE;
}
