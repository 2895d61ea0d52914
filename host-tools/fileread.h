/*
 * Bounded file reads: the one way vgw reads a file the user names.
 *
 * A path can name anything: /dev/zero, a FIFO, a directory, a 50 GB
 * capture.  Every read therefore has a limit chosen by its use, refuses
 * directories with a plain message, and stops reading a non-regular file
 * once it passes the limit, so `vgw ini check /dev/zero` fails at once
 * instead of filling memory.
 *
 * Errors are in G_FILE_ERROR, with one-line messages that start with the
 * path, so callers in vgw and in the tlsdissect library pass them on as
 * they are:
 *   G_FILE_ERROR_ISDIR  "F: is a directory"
 *   G_FILE_ERROR_FAILED "F: larger than N bytes"
 *   others              "F: <strerror>" from open(2)/read(2)
 */
#ifndef VGW_FILEREAD_H
#define VGW_FILEREAD_H

#include <glib.h>

G_BEGIN_DECLS

/* vgw_file_read reads the whole of |path| into a new buffer, like
 * g_file_get_contents: |*data| is NUL-terminated (the NUL is not counted
 * in |*len|) and the caller frees it.  A file of more than |limit| bytes
 * fails without returning any of it. */
gboolean vgw_file_read(const char *path, gsize limit, char **data, gsize *len,
                       GError **error);

/* vgw_file_map returns the contents of |path| (at most |limit| bytes) as
 * read-only bytes: a regular file is mapped, not copied, so a large
 * capture costs no heap; anything else is read as vgw_file_read does.
 * Errors as vgw_file_read. */
GBytes *vgw_file_map(const char *path, gsize limit, GError **error);

G_END_DECLS

#endif /* VGW_FILEREAD_H */
