/*
 * Text uploads to the gateway (docs/maintenance-protocol.md: upload-begin,
 * upload-chunk, then ini-load): the file is sent as base64 chunks of at
 * most VGW_UPLOAD_CHUNK_MAX characters, VGW_UPLOAD_MAX bytes in all.
 */
#ifndef VGW_UPLOAD_H
#define VGW_UPLOAD_H

#include <glib.h>

G_BEGIN_DECLS

/* Characters of base64 per upload-chunk request (a multiple of 4, so each
 * chunk decodes on its own: 2250 bytes of the file). */
#define VGW_UPLOAD_CHUNK_MAX 3000
#define VGW_UPLOAD_CHUNK_BYTES (VGW_UPLOAD_CHUNK_MAX / 4 * 3)
/* The most the gateway takes in one upload. */
#define VGW_UPLOAD_MAX (1024 * 1024)

/* vgw_upload_chunks returns the base64 chunks (a GPtrArray of char*
 * owning its strings; none for empty data) that carry the |len| bytes at
 * |data|.  Data over VGW_UPLOAD_MAX fails with VGW_ERROR_FAILED
 * "<what>: N bytes is more than the gateway accepts (1048576)". */
GPtrArray *vgw_upload_chunks(const char *what, const void *data, gsize len,
                             GError **error);

/* vgw_upload_read_file reads the file |path| for an upload or a check:
 * at most VGW_UPLOAD_MAX bytes ("F: larger than 1048576 bytes"), never a
 * directory; failures are one-line VGW_ERROR_FAILED errors naming the
 * file (fileread.h). */
gboolean vgw_upload_read_file(const char *path, char **data, gsize *len,
                              GError **error);

G_END_DECLS

#endif /* VGW_UPLOAD_H */
