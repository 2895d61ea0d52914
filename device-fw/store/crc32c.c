/* CRC-32C: see crc32c.h. Table-driven (one byte per step), reflected,
 * polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF. */
#include "crc32c.h"

static guint32 crc_table[256];

static gpointer build_table(gpointer unused) {
  for (guint32 i = 0; i < 256; i++) {
    guint32 c = i;
    for (int bit = 0; bit < 8; bit++) {
      c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    }
    crc_table[i] = c;
  }
  return NULL;
}

guint32 vgw_crc32c_update(guint32 crc, const void *data, gsize len) {
  static GOnce once = G_ONCE_INIT;
  g_once(&once, build_table, NULL);
  const guint8 *p = data;
  crc = ~crc;
  for (gsize i = 0; i < len; i++) {
    crc = crc_table[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  }
  return ~crc;
}

guint32 vgw_crc32c(const void *data, gsize len) {
  return vgw_crc32c_update(0, data, len);
}
