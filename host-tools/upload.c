#include "upload.h"

#include "fileread.h"
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

  if (!vgw_file_read(path, VGW_UPLOAD_MAX, data, len, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s", local->message);
    return FALSE;
  }
  return TRUE;
}
