/*
 * CRC-32C (Castagnoli), the checksum of every on-flash structure of the
 * store (docs/flash-store.md). Chosen over CRC-32 for its better error
 * detection on short messages; no dependency on any crypto library.
 */
#ifndef VGW_STORE_CRC32C_H
#define VGW_STORE_CRC32C_H

#include <glib.h>

G_BEGIN_DECLS

/* vgw_crc32c_update extends the running CRC |crc| over |len| bytes at
 * |data| and returns it. Start a new checksum with |crc| = 0; the value
 * returned for the whole message is the final CRC (no extra step). */
guint32 vgw_crc32c_update(guint32 crc, const void *data, gsize len);

/* vgw_crc32c returns the CRC-32C of |len| bytes at |data|. */
guint32 vgw_crc32c(const void *data, gsize len);

G_END_DECLS

#endif
