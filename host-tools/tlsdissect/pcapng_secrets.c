#include "pcapng_secrets.h"

#include <openssl/bytestring.h>

#define PCAP_MAGIC_US 0xa1b2c3d4
#define PCAP_MAGIC_NS 0xa1b23c4d
#define PCAPNG_BYTE_ORDER_MAGIC 0x1a2b3c4d

TlsdFileFormat
tlsd_file_format(const guint8 *data, gsize len)
{
  CBS cbs;
  uint32_t be;

  CBS_init(&cbs, data, len);
  if (!CBS_get_u32(&cbs, &be))
    return TLSD_FORMAT_UNKNOWN;
  if (be == TLSD_PCAPNG_SHB)
    return TLSD_FORMAT_PCAPNG;
  if (be == PCAP_MAGIC_US || be == PCAP_MAGIC_NS || GUINT32_SWAP_LE_BE(be) == PCAP_MAGIC_US ||
      GUINT32_SWAP_LE_BE(be) == PCAP_MAGIC_NS)
    return TLSD_FORMAT_PCAP;
  return TLSD_FORMAT_UNKNOWN;
}

static gboolean
get_u32(CBS *cbs, gboolean little, uint32_t *out)
{
  return little ? CBS_get_u32le(cbs, out) : CBS_get_u32(cbs, out);
}

guint
tlsd_pcapng_read_secrets(const guint8 *data, gsize len, TlsdKeylog *keylog,
                         const char **damaged)
{
  CBS file;
  gboolean little = TRUE;
  guint found = 0;

  *damaged = NULL;
  CBS_init(&file, data, len);
  while (CBS_len(&file) > 0) {
    uint32_t type, total, trailer;
    CBS peek = file, body;

    if (!CBS_get_u32(&peek, &type)) {
      *damaged = "the file ends inside a block header";
      break;
    }
    if (type == TLSD_PCAPNG_SHB) {
      /* A section header fixes the byte order of what follows. */
      CBS bom = peek;
      uint32_t magic;
      if (!CBS_skip(&bom, 4) || !CBS_get_u32le(&bom, &magic)) {
        *damaged = "the file ends inside a section header";
        break;
      }
      if (magic == PCAPNG_BYTE_ORDER_MAGIC)
        little = TRUE;
      else if (GUINT32_SWAP_LE_BE(magic) == PCAPNG_BYTE_ORDER_MAGIC)
        little = FALSE;
      else {
        *damaged = "a section header has a bad byte-order magic";
        break;
      }
    } else if (little) {
      type = GUINT32_SWAP_LE_BE(type);
    }
    if (!get_u32(&peek, little, &total)) {
      *damaged = "the file ends inside a block header";
      break;
    }
    if (total < 12 || total % 4 != 0 || !CBS_get_bytes(&peek, &body, total - 12) ||
        !get_u32(&peek, little, &trailer) || trailer != total) {
      *damaged = total > CBS_len(&file) ? "the file ends inside a block"
                                        : "a block's length fields are inconsistent";
      break;
    }
    if (type == TLSD_PCAPNG_DSB) {
      uint32_t secrets_type, secrets_len;
      CBS secrets;
      if (get_u32(&body, little, &secrets_type) && get_u32(&body, little, &secrets_len) &&
          CBS_get_bytes(&body, &secrets, secrets_len) && secrets_type == TLSD_DSB_TLS_KEY_LOG) {
        tlsd_keylog_add_text(keylog, (const char *) CBS_data(&secrets), CBS_len(&secrets));
        found++;
      }
    }
    file = peek;
  }
  return found;
}
