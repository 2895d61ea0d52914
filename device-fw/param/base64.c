/* Strict base64: see vgw_base64.h. BoringSSL's decoder is strict already
 * (GLib's skips characters outside the alphabet). */
#include "vgw_base64.h"

#include <openssl/base64.h>
#include <openssl/mem.h>

guchar *vgw_base64_decode(const char *text, gsize len, gsize *out_len) {
  size_t max = 0;
  if (len == 0 || !EVP_DecodedLength(&max, len)) {
    return NULL;
  }
  guchar *out = g_malloc(max);
  size_t n = 0;
  if (!EVP_DecodeBase64(out, &n, max, (const uint8_t *)text, len)) {
    OPENSSL_cleanse(out, max);
    g_free(out);
    return NULL;
  }
  *out_len = n;
  return out;
}
