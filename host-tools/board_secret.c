#include "board_secret.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "vgw-error.h"

static gboolean
fill_random(guint8 *buf, size_t len, GError **error)
{
  size_t done = 0;

  while (done < len) {
    ssize_t n = getrandom(buf + done, len - done, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                  "cannot read random bytes for the board secret: %s",
                  g_strerror(errno));
      return FALSE;
    }
    done += (size_t) n;
  }
  return TRUE;
}

/* Writes a fresh secret to |path|, which does not exist. */
static gboolean
create_secret(const char *path, GError **error)
{
  guint8 raw[VGW_BOARD_SECRET_LEN];
  g_autofree char *text = NULL;
  g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
  gboolean ok = FALSE;
  int fd;

  if (!fill_random(raw, sizeof raw, error))
    return FALSE;
  text = g_base64_encode(raw, sizeof raw);
  explicit_bzero(raw, sizeof raw);

  fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "cannot create the board secret %s: %s", tmp, g_strerror(errno));
    goto out;
  }
  if (write(fd, text, strlen(text)) != (ssize_t) strlen(text) || fsync(fd) != 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "cannot write the board secret %s: %s", tmp, g_strerror(errno));
    close(fd);
    g_unlink(tmp);
    goto out;
  }
  close(fd);
  /* link() rather than rename(): two racing creators keep the first one. */
  if (link(tmp, path) != 0 && errno != EEXIST) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "cannot install the board secret %s: %s", path, g_strerror(errno));
    g_unlink(tmp);
    goto out;
  }
  g_unlink(tmp);
  ok = TRUE;
out:
  explicit_bzero(text, strlen(text));
  return ok;
}

gboolean
vgw_board_secret_ensure(const char *path, const char *keystore_path, GError **error)
{
  if (g_file_test(path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (g_file_test(keystore_path, G_FILE_TEST_EXISTS)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "the board secret %s is missing, so the keystore %s cannot be read; "
                "put the secret back, or start over with `vgw keystore reset --yes` "
                "(every key is lost)", path, keystore_path);
    return FALSE;
  }
  return create_secret(path, error);
}

static gboolean
remove_if_there(const char *path, GError **error)
{
  if (g_unlink(path) == 0 || errno == ENOENT)
    return TRUE;
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot remove %s: %s", path,
              g_strerror(errno));
  return FALSE;
}

gboolean
vgw_board_secret_renew(const char *path, const char *keystore_path, GError **error)
{
  /* The keystore goes first: a secret without a keystore is a fresh
   * board, a keystore without its secret is the dead end we leave. */
  return remove_if_there(keystore_path, error) && remove_if_there(path, error) &&
         create_secret(path, error);
}

char *
vgw_board_secret_qemu_object(const char *path)
{
  return g_strdup_printf("secret,id=%s,file=%s,format=base64", VGW_BOARD_SECRET_ID, path);
}
