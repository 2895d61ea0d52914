#include "pcapng_write.h"

#include <string.h>

#include <glib/gstdio.h>
#include <openssl/bytestring.h>
#include <openssl/mem.h>

#include "analyzer.h"
#include "fileread.h"
#include "pcapng_secrets.h"

#define OPT_END 0
#define OPT_COMMENT 1
#define SHB_USERAPPL 4
#define IF_NAME 2
#define IF_DESCRIPTION 3

static gboolean
add_option(CBB *cbb, guint16 code, const char *value)
{
  gsize len = strlen(value);
  static const guint8 zeros[4] = { 0 };

  return CBB_add_u16le(cbb, code) && CBB_add_u16le(cbb, (uint16_t) len) &&
         CBB_add_bytes(cbb, (const uint8_t *) value, len) &&
         CBB_add_bytes(cbb, zeros, (4 - len % 4) % 4);
}

/* Wraps |body| in type, total length (twice); the body is padded to 4. */
static GBytes *
finish_block(guint32 type, CBB *body)
{
  static const guint8 zeros[4] = { 0 };
  CBB block;
  guint8 *out = NULL;
  size_t out_len;
  gsize body_len;

  if (!CBB_flush(body))
    g_error("pcapng: out of memory");
  body_len = CBB_len(body);
  if (!CBB_init(&block, body_len + 16) || !CBB_add_u32le(&block, type) ||
      !CBB_add_u32le(&block, (uint32_t) (12 + body_len + (4 - body_len % 4) % 4)) ||
      !CBB_add_bytes(&block, CBB_data(body), body_len) ||
      !CBB_add_bytes(&block, zeros, (4 - body_len % 4) % 4) ||
      !CBB_add_u32le(&block, (uint32_t) (12 + body_len + (4 - body_len % 4) % 4)) ||
      !CBB_finish(&block, &out, &out_len))
    g_error("pcapng: out of memory");
  CBB_cleanup(body);
  {
    GBytes *bytes = g_bytes_new(out, out_len);
    OPENSSL_free(out);
    return bytes;
  }
}

GBytes *
tlsd_pcapng_shb(const char *application)
{
  CBB body;

  if (!CBB_init(&body, 64) || !CBB_add_u32le(&body, 0x1a2b3c4d) ||
      !CBB_add_u16le(&body, 1) || !CBB_add_u16le(&body, 0) ||
      !CBB_add_u64le(&body, UINT64_MAX) /* section length unknown */ ||
      !add_option(&body, SHB_USERAPPL, application) ||
      !CBB_add_u32le(&body, OPT_END))
    g_error("pcapng: out of memory");
  return finish_block(TLSD_PCAPNG_SHB, &body);
}

GBytes *
tlsd_pcapng_idb(guint16 linktype, guint32 snaplen, const char *name, const char *description)
{
  CBB body;

  if (!CBB_init(&body, 64) || !CBB_add_u16le(&body, linktype) || !CBB_add_u16le(&body, 0) ||
      !CBB_add_u32le(&body, snaplen) || !add_option(&body, IF_NAME, name) ||
      (description != NULL && !add_option(&body, IF_DESCRIPTION, description)) ||
      !CBB_add_u32le(&body, OPT_END))
    g_error("pcapng: out of memory");
  return finish_block(TLSD_PCAPNG_IDB, &body);
}

GBytes *
tlsd_pcapng_epb(guint32 interface_id, gint64 time_us, const guint8 *data, guint32 caplen,
                guint32 len)
{
  CBB body;
  guint64 ts = (guint64) MAX(time_us, 0);

  if (!CBB_init(&body, caplen + 32) || !CBB_add_u32le(&body, interface_id) ||
      !CBB_add_u32le(&body, (uint32_t) (ts >> 32)) || !CBB_add_u32le(&body, (uint32_t) ts) ||
      !CBB_add_u32le(&body, caplen) || !CBB_add_u32le(&body, len) ||
      !CBB_add_bytes(&body, data, caplen))
    g_error("pcapng: out of memory");
  return finish_block(TLSD_PCAPNG_EPB, &body);
}

GBytes *
tlsd_pcapng_dsb(const char *keylog, gsize len)
{
  CBB body;

  if (!CBB_init(&body, len + 16) || !CBB_add_u32le(&body, TLSD_DSB_TLS_KEY_LOG) ||
      !CBB_add_u32le(&body, (uint32_t) len) ||
      !CBB_add_bytes(&body, (const uint8_t *) keylog, len))
    g_error("pcapng: out of memory");
  return finish_block(TLSD_PCAPNG_DSB, &body);
}

gboolean
tlsd_pcapng_embed_secrets(const char *in_path, const char *out_path, const char *keylog,
                          gsize keylog_len, GError **error)
{
  g_autoptr(GBytes) map = vgw_file_map(in_path, TLSD_CAPTURE_MAX, error);
  g_autoptr(GByteArray) out = NULL;
  g_autoptr(GBytes) dsb = NULL;
  g_autofree char *tmp = NULL;
  CBS file;
  gboolean inserted = FALSE;

  if (map == NULL)
    return FALSE;
  CBS_init(&file, g_bytes_get_data(map, NULL), g_bytes_get_size(map));
  if (tlsd_file_format(CBS_data(&file), CBS_len(&file)) != TLSD_FORMAT_PCAPNG) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s is not a pcapng file", in_path);
    return FALSE;
  }
  out = g_byte_array_sized_new(CBS_len(&file) + keylog_len + 64);
  dsb = tlsd_pcapng_dsb(keylog, keylog_len);
  /* Our own files are little-endian; walk their blocks and put the
   * secrets before the first block that is not SHB, IDB or DSB. */
  while (CBS_len(&file) > 0) {
    uint32_t type, total;
    CBS peek = file, block;
    /* A block cut short at the end (the writer stopped mid-write) is
     * dropped; inconsistent lengths are damage. */
    if (!CBS_get_u32le(&peek, &type) || !CBS_get_u32le(&peek, &total) || total > CBS_len(&file))
      break;
    if (total < 12 || total % 4 != 0 || !CBS_get_bytes(&file, &block, total)) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s: damaged pcapng block structure", in_path);
      return FALSE;
    }
    if (!inserted && type != TLSD_PCAPNG_SHB && type != TLSD_PCAPNG_IDB &&
        type != TLSD_PCAPNG_DSB) {
      g_byte_array_append(out, g_bytes_get_data(dsb, NULL), g_bytes_get_size(dsb));
      inserted = TRUE;
    }
    g_byte_array_append(out, CBS_data(&block), CBS_len(&block));
  }
  if (!inserted)
    g_byte_array_append(out, g_bytes_get_data(dsb, NULL), g_bytes_get_size(dsb));
  tmp = g_strconcat(out_path, ".tmp", NULL);
  if (!g_file_set_contents(tmp, (const char *) out->data, out->len, error))
    return FALSE;
  if (g_rename(tmp, out_path) != 0) {
    int saved = errno;
    g_unlink(tmp);
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(saved), "cannot write %s: %s",
                out_path, g_strerror(saved));
    return FALSE;
  }
  return TRUE;
}
