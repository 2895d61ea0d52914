#include "fileread.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static void
set_errno_error(GError **error, const char *path, int err)
{
  g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(err), "%s: %s", path,
              g_strerror(err));
}

static void
set_too_large(GError **error, const char *path, gsize limit)
{
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
              "%s: larger than %" G_GSIZE_FORMAT " bytes", path, limit);
}

/* Opens |path| for reading and refuses what cannot be read whole: a
 * directory, or a regular file already over |limit|.  Returns the fd
 * (|*st| filled) or -1. */
static int
open_bounded(const char *path, gsize limit, struct stat *st, GError **error)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

  if (fd < 0) {
    set_errno_error(error, path, errno);
    return -1;
  }
  if (fstat(fd, st) != 0) {
    set_errno_error(error, path, errno);
    close(fd);
    return -1;
  }
  if (S_ISDIR(st->st_mode)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_ISDIR, "%s: is a directory", path);
    close(fd);
    return -1;
  }
  if (S_ISREG(st->st_mode) && (guint64) st->st_size > (guint64) limit) {
    set_too_large(error, path, limit);
    close(fd);
    return -1;
  }
  return fd;
}

/* Reads |fd| to its end, failing once more than |limit| bytes came: a
 * device or a pipe has no size to check in advance. */
static gboolean
read_to_end(int fd, const char *path, gsize limit, char **data, gsize *len,
            GError **error)
{
  GByteArray *buf = g_byte_array_new();

  for (;;) {
    guint8 chunk[65536];
    ssize_t n = read(fd, chunk, sizeof chunk);

    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      set_errno_error(error, path, errno);
      break;
    }
    if (n == 0) {
      *len = buf->len;
      g_byte_array_append(buf, (const guint8 *) "", 1);
      *data = (char *) g_byte_array_free(buf, FALSE);
      return TRUE;
    }
    if ((gsize) n > limit - MIN(buf->len, limit)) {
      set_too_large(error, path, limit);
      break;
    }
    g_byte_array_append(buf, chunk, (guint) n);
  }
  g_byte_array_free(buf, TRUE);
  return FALSE;
}

gboolean
vgw_file_read(const char *path, gsize limit, char **data, gsize *len, GError **error)
{
  struct stat st;
  int fd = open_bounded(path, limit, &st, error);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = read_to_end(fd, path, limit, data, len, error);
  close(fd);
  return ok;
}

GBytes *
vgw_file_map(const char *path, gsize limit, GError **error)
{
  struct stat st;
  int fd = open_bounded(path, limit, &st, error);
  GBytes *bytes = NULL;

  if (fd < 0)
    return NULL;
  if (S_ISREG(st.st_mode)) {
    g_autoptr(GError) local = NULL;
    GMappedFile *map = g_mapped_file_new_from_fd(fd, FALSE, &local);

    if (map == NULL) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", path, local->message);
    } else {
      bytes = g_mapped_file_get_bytes(map);
      g_mapped_file_unref(map);
    }
  } else {
    char *data;
    gsize len;

    if (read_to_end(fd, path, limit, &data, &len, error))
      bytes = g_bytes_new_take(data, len);
  }
  close(fd);
  return bytes;
}
