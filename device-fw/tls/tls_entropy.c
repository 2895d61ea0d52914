/* TRNG bytes into the kernel's pool: see tls_entropy.h. */
#include "tls/tls_entropy.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/random.h>
#include <openssl/mem.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define MAX_BYTES 512

gboolean vgw_tls_feed_kernel_entropy(VgwCryptoEngine *engine,
                                     const char *urandom_path, size_t len,
                                     GError **error) {
  g_return_val_if_fail(len <= MAX_BYTES, FALSE);
  struct {
    struct rand_pool_info info;
    uint8_t bytes[MAX_BYTES];
  } req;
  if (!vgw_crypto_trng(engine, req.bytes, len, error)) {
    return FALSE;
  }
  req.info.entropy_count = (int)(len * 8);
  req.info.buf_size = (int)len;
  int fd = open(urandom_path, O_WRONLY | O_CLOEXEC);
  int r = fd >= 0 ? ioctl(fd, RNDADDENTROPY, &req) : -1;
  int e = errno;
  if (fd >= 0) {
    close(fd);
  }
  OPENSSL_cleanse(&req, sizeof(req));
  if (r < 0) {
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e),
                "RNDADDENTROPY on %s: %s", urandom_path, g_strerror(e));
    return FALSE;
  }
  return TRUE;
}
