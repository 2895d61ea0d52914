#include "gateway_files.h"

#include <glib/gstdio.h>

typedef struct {
  const char *file;        /* in the directory */
  gsize instance_member;   /* offset of the path in VgwInstance */
  gboolean optional;       /* a gateway that has not booted has no keystore */
} StateFile;

static const StateFile state_files[] = {
  { "flash.img", G_STRUCT_OFFSET(VgwInstance, flash), FALSE },
  { "keystore.bin", G_STRUCT_OFFSET(VgwInstance, keystore), TRUE },
  { "keystore.secret", G_STRUCT_OFFSET(VgwInstance, keystore_secret), FALSE },
};

/* Their size is machine state (the kernel's and the initramfs' place in
 * RAM), so a snapshot or a recording needs the very images it ran. */
static const char *const boot_images[] = { "Image", "initramfs.cpio" };

static const char *
state_path(const VgwInstance *inst, const StateFile *f)
{
  return G_STRUCT_MEMBER(const char *, inst, f->instance_member);
}

gboolean
vgw_gateway_files_save(const VgwInstance *inst, const char *images, const char *dir,
                       GError **error)
{
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
vgw_gateway_files_restore(const char *dir, const VgwInstance *inst, GError **error)
{
  for (gsize i = 0; i < G_N_ELEMENTS(state_files); i++) {
    g_autofree char *from = g_build_filename(dir, state_files[i].file, NULL);
    const char *to = state_path(inst, &state_files[i]);
    g_unlink(to);
    if (state_files[i].optional && !g_file_test(from, G_FILE_TEST_EXISTS))
      continue;
    if (!vgw_file_copy(from, to, error))
      return FALSE;
  }
  return TRUE;
}
