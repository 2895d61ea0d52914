/*
 * Length-checked cursors over bytes read from flash. Nothing on flash is
 * trusted: every read states how many bytes it needs and fails (returns
 * FALSE, consumes nothing) if fewer are left. Integers are little-endian.
 */
#ifndef VGW_STORE_CURSOR_H
#define VGW_STORE_CURSOR_H

#include <glib.h>
#include <string.h>

typedef struct {
  const guint8 *pos;
  gsize left;
} VgwCursor;

static inline VgwCursor vgw_cursor_init(const guint8 *data, gsize len) {
  VgwCursor c = {data, len};
  return c;
}

/* vgw_cursor_bytes points |*out| at the next |n| bytes and skips them. */
static inline gboolean vgw_cursor_bytes(VgwCursor *c, gsize n,
                                        const guint8 **out) {
  if (c->left < n) {
    return FALSE;
  }
  *out = c->pos;
  c->pos += n;
  c->left -= n;
  return TRUE;
}

static inline gboolean vgw_cursor_u16(VgwCursor *c, guint16 *out) {
  const guint8 *p;
  if (!vgw_cursor_bytes(c, 2, &p)) {
    return FALSE;
  }
  *out = (guint16)(p[0] | p[1] << 8);
  return TRUE;
}

static inline gboolean vgw_cursor_u32(VgwCursor *c, guint32 *out) {
  const guint8 *p;
  if (!vgw_cursor_bytes(c, 4, &p)) {
    return FALSE;
  }
  *out = (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 |
         (guint32)p[3] << 24;
  return TRUE;
}

static inline gboolean vgw_cursor_u64(VgwCursor *c, guint64 *out) {
  guint32 lo, hi;
  if (c->left < 8) {
    return FALSE;
  }
  vgw_cursor_u32(c, &lo);
  vgw_cursor_u32(c, &hi);
  *out = (guint64)hi << 32 | lo;
  return TRUE;
}

/* Appending little-endian integers to a GByteArray (the encoder side). */
static inline void vgw_put_u16(GByteArray *a, guint16 v) {
  guint8 b[2] = {(guint8)v, (guint8)(v >> 8)};
  g_byte_array_append(a, b, 2);
}

static inline void vgw_put_u32(GByteArray *a, guint32 v) {
  guint8 b[4] = {(guint8)v, (guint8)(v >> 8), (guint8)(v >> 16),
                 (guint8)(v >> 24)};
  g_byte_array_append(a, b, 4);
}

static inline void vgw_put_u64(GByteArray *a, guint64 v) {
  vgw_put_u32(a, (guint32)v);
  vgw_put_u32(a, (guint32)(v >> 32));
}

#endif
