#include "upload.h"

#include <errno.h>
#include <glib/gstdio.h>

#include "vgw-error.h"

GPtrArray *
vgw_upload_chunks(const char *what, const void *data, gsize len, GError **error)
{
  GPtrArray *chunks;
  const guint8 *p = data;

  if (len > VGW_UPLOAD_MAX) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "%s: %" G_GSIZE_FORMAT " bytes is more than the gateway accepts (%d)",
                what, len, VGW_UPLOAD_MAX);
    return NULL;
  }
  chunks = g_ptr_array_new_with_free_func(g_free);
  for (gsize off = 0; off < len; off += VGW_UPLOAD_CHUNK_BYTES)
    g_ptr_array_add(chunks, g_base64_encode(p + off, MIN(VGW_UPLOAD_CHUNK_BYTES, len - off)));
  return chunks;
}

gboolean
vgw_upload_read_file(const char *path, char **data, gsize *len, GError **error)
{
  g_autoptr(GError) local = NULL;
  GStatBuf st;

  if (g_stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > VGW_UPLOAD_MAX) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "%s: %" G_GINT64_FORMAT " bytes is more than the gateway accepts (%d)",
                path, (gint64) st.st_size, VGW_UPLOAD_MAX);
    return FALSE;
  }
  if (!g_file_get_contents(path, data, len, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s", local->message);
    return FALSE;
  }
  if (*len > VGW_UPLOAD_MAX) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "%s: %" G_GSIZE_FORMAT " bytes is more than the gateway accepts (%d)",
                path, *len, VGW_UPLOAD_MAX);
    g_clear_pointer(data, g_free);
    return FALSE;
  }
  return TRUE;
}
