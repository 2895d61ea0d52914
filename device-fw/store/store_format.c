/* Encoding and checking of slot headers and records: see store_format.h
 * and docs/flash-store.md. */
#include "store_format.h"

#include <string.h>

#include "crc32c.h"
#include "store_cursor.h"

VgwStoreBlob *vgw_store_blob_new(VgwStoreBlobType type, GBytes *data) {
  VgwStoreBlob *blob = g_new(VgwStoreBlob, 1);
  blob->type = type;
  blob->data = g_bytes_ref(data);
  return blob;
}

void vgw_store_blob_free(gpointer p) {
  VgwStoreBlob *blob = p;
  g_bytes_unref(blob->data);
  g_free(blob);
}

static gint compare_names(gconstpointer a, gconstpointer b, gpointer unused) {
  return strcmp(a, b);
}

GTree *vgw_blob_tree_new(void) {
  return g_tree_new_full(compare_names, NULL, g_free, vgw_store_blob_free);
}

static gboolean copy_one(gpointer name, gpointer value, gpointer tree) {
  VgwStoreBlob *blob = value;
  g_tree_insert(tree, g_strdup(name),
                vgw_store_blob_new(blob->type, blob->data));
  return FALSE;
}

GTree *vgw_blob_tree_copy(GTree *blobs) {
  GTree *copy = vgw_blob_tree_new();
  g_tree_foreach(blobs, copy_one, copy);
  return copy;
}

gboolean vgw_store_name_is_valid(const char *name) {
  gsize len = strlen(name);
  if (len == 0 || len > VGW_STORE_NAME_MAX || name[0] == '/' ||
      name[0] == '.') {
    return FALSE;
  }
  for (gsize i = 0; i < len; i++) {
    if (!g_ascii_isalnum(name[i]) && strchr("._/-", name[i]) == NULL) {
      return FALSE;
    }
  }
  return TRUE;
}

void vgw_slot_header_encode(const VgwSlotHeader *h,
                            guint8 out[VGW_STORE_HEADER_SIZE]) {
  GByteArray *a = g_byte_array_sized_new(VGW_STORE_HEADER_SIZE);
  g_byte_array_append(a, (const guint8 *)VGW_STORE_MAGIC, 8);
  vgw_put_u16(a, h->version);
  vgw_put_u16(a, VGW_STORE_HEADER_SIZE);
  vgw_put_u32(a, h->slot_index);
  vgw_put_u64(a, h->store_size);
  vgw_put_u32(a, h->slot_size);
  vgw_put_u32(a, h->flags);
  vgw_put_u64(a, h->sequence);
  vgw_put_u32(a, h->record_count);
  vgw_put_u32(a, h->payload_len);
  vgw_put_u32(a, h->payload_crc);
  vgw_put_u32(a, 0); /* reserved */
  vgw_put_u32(a, 0); /* reserved */
  g_assert(a->len == VGW_STORE_HEADER_SIZE - 4);
  vgw_put_u32(a, vgw_crc32c(a->data, a->len));
  memcpy(out, a->data, VGW_STORE_HEADER_SIZE);
  g_byte_array_unref(a);
}

static gboolean all_bytes_are(const guint8 *p, gsize len, guint8 value) {
  for (gsize i = 0; i < len; i++) {
    if (p[i] != value) {
      return FALSE;
    }
  }
  return TRUE;
}

VgwSlotState vgw_slot_header_decode(const guint8 in[VGW_STORE_HEADER_SIZE],
                                    VgwSlotHeader *out, char **why) {
  if (all_bytes_are(in, VGW_STORE_HEADER_SIZE, 0xff) ||
      all_bytes_are(in, VGW_STORE_HEADER_SIZE, 0x00)) {
    return VGW_SLOT_EMPTY;
  }
  if (memcmp(in, VGW_STORE_MAGIC, 8) != 0) {
    *why = g_strdup("no store magic in the header");
    return VGW_SLOT_CORRUPT;
  }
  VgwCursor c = vgw_cursor_init(in, VGW_STORE_HEADER_SIZE);
  const guint8 *magic;
  guint16 header_size;
  guint32 reserved[2], crc;
  memset(out, 0, sizeof(*out));
  /* The 64 bytes are there, so none of these reads can fail. */
  vgw_cursor_bytes(&c, 8, &magic);
  vgw_cursor_u16(&c, &out->version);
  vgw_cursor_u16(&c, &header_size);
  vgw_cursor_u32(&c, &out->slot_index);
  vgw_cursor_u64(&c, &out->store_size);
  vgw_cursor_u32(&c, &out->slot_size);
  vgw_cursor_u32(&c, &out->flags);
  vgw_cursor_u64(&c, &out->sequence);
  vgw_cursor_u32(&c, &out->record_count);
  vgw_cursor_u32(&c, &out->payload_len);
  vgw_cursor_u32(&c, &out->payload_crc);
  vgw_cursor_u32(&c, &reserved[0]);
  vgw_cursor_u32(&c, &reserved[1]);
  vgw_cursor_u32(&c, &crc);
  if (crc != vgw_crc32c(in, VGW_STORE_HEADER_SIZE - 4)) {
    *why = g_strdup("header checksum mismatch (torn or damaged header)");
    return VGW_SLOT_CORRUPT;
  }
  if (out->version > VGW_STORE_FORMAT_VERSION) {
    *why = g_strdup_printf("written by store format version %u; this "
                           "software reads version %u",
                           out->version, VGW_STORE_FORMAT_VERSION);
    return VGW_SLOT_NEWER;
  }
  if (out->version != VGW_STORE_FORMAT_VERSION ||
      header_size != VGW_STORE_HEADER_SIZE) {
    *why = g_strdup_printf("bad format version %u or header size %u",
                           out->version, header_size);
    return VGW_SLOT_CORRUPT;
  }
  if ((out->flags & ~VGW_STORE_FLAGS_KNOWN) != 0 || reserved[0] != 0 ||
      reserved[1] != 0) {
    *why = g_strdup_printf("unknown flags 0x%x or reserved fields set",
                           out->flags);
    return VGW_SLOT_CORRUPT;
  }
  if (out->sequence == 0) {
    *why = g_strdup("sequence number 0 (generations start at 1)");
    return VGW_SLOT_CORRUPT;
  }
  return VGW_SLOT_VALID;
}

static gsize padding_for(gsize len) {
  return (VGW_STORE_RECORD_ALIGN - len % VGW_STORE_RECORD_ALIGN) %
         VGW_STORE_RECORD_ALIGN;
}

typedef struct {
  GByteArray *out;
  guint32 count;
} EncodeState;

static gboolean encode_one(gpointer key, gpointer value, gpointer data) {
  const char *name = key;
  VgwStoreBlob *blob = value;
  EncodeState *st = data;
  gsize data_len;
  const guint8 *bytes = g_bytes_get_data(blob->data, &data_len);
  gsize name_len = strlen(name);
  guint start = st->out->len;
  vgw_put_u32(st->out, VGW_STORE_RECORD_MAGIC);
  vgw_put_u16(st->out, (guint16)blob->type);
  vgw_put_u16(st->out, (guint16)name_len);
  vgw_put_u32(st->out, (guint32)data_len);
  guint32 crc = vgw_crc32c(st->out->data + start, 12);
  crc = vgw_crc32c_update(crc, name, name_len);
  crc = vgw_crc32c_update(crc, bytes, data_len);
  vgw_put_u32(st->out, crc);
  g_byte_array_append(st->out, (const guint8 *)name, (guint)name_len);
  if (data_len > 0) {
    g_byte_array_append(st->out, bytes, (guint)data_len);
  }
  static const guint8 zeros[VGW_STORE_RECORD_ALIGN];
  g_byte_array_append(st->out, zeros,
                      (guint)padding_for(st->out->len - start));
  st->count++;
  return FALSE;
}

GByteArray *vgw_records_encode(GTree *blobs, guint32 *count) {
  EncodeState st = {g_byte_array_new(), 0};
  g_tree_foreach(blobs, encode_one, &st);
  *count = st.count;
  return st.out;
}

gboolean vgw_records_decode(const guint8 *payload, gsize len, guint32 count,
                            GTree *blobs, char **why) {
  VgwCursor c = vgw_cursor_init(payload, len);
  for (guint32 i = 0; i < count; i++) {
    const guint8 *start = c.pos, *name, *data, *pad;
    guint32 magic, data_len, crc;
    guint16 type, name_len;
    if (!vgw_cursor_u32(&c, &magic) || !vgw_cursor_u16(&c, &type) ||
        !vgw_cursor_u16(&c, &name_len) || !vgw_cursor_u32(&c, &data_len) ||
        !vgw_cursor_u32(&c, &crc)) {
      *why = g_strdup_printf("record %u: truncated record header", i);
      return FALSE;
    }
    if (magic != VGW_STORE_RECORD_MAGIC) {
      *why = g_strdup_printf("record %u: no record magic", i);
      return FALSE;
    }
    if (name_len == 0 || name_len > VGW_STORE_NAME_MAX ||
        data_len > VGW_STORE_BLOB_MAX) {
      *why = g_strdup_printf("record %u: name length %u or data length %u "
                             "out of bounds", i, name_len, data_len);
      return FALSE;
    }
    if (!vgw_cursor_bytes(&c, name_len, &name) ||
        !vgw_cursor_bytes(&c, data_len, &data)) {
      *why = g_strdup_printf("record %u: runs past the end of the payload",
                             i);
      return FALSE;
    }
    guint32 want = vgw_crc32c(start, 12);
    want = vgw_crc32c_update(want, name, name_len);
    want = vgw_crc32c_update(want, data, data_len);
    char *name_str = g_strndup((const char *)name, name_len);
    /* Only name a record once its checksum vouches for the name. */
    if (crc != want) {
      g_free(name_str);
      *why = g_strdup_printf("record %u: checksum mismatch", i);
      return FALSE;
    }
    gsize pad_len = padding_for((gsize)(c.pos - start));
    if (!vgw_cursor_bytes(&c, pad_len, &pad) ||
        !all_bytes_are(pad, pad_len, 0x00)) {
      *why = g_strdup_printf("record %u '%s': bad padding", i, name_str);
      g_free(name_str);
      return FALSE;
    }
    if (strlen(name_str) != name_len || !vgw_store_name_is_valid(name_str) ||
        g_tree_lookup(blobs, name_str) != NULL) {
      *why = g_strdup_printf("record %u: invalid or duplicate name", i);
      g_free(name_str);
      return FALSE;
    }
    if (type < VGW_STORE_BLOB_CONFIG || type > VGW_STORE_BLOB_TRUSTED_ROOTS) {
      *why = g_strdup_printf("record %u '%s': unknown type %u", i, name_str,
                             type);
      g_free(name_str);
      return FALSE;
    }
    GBytes *bytes = g_bytes_new(data, data_len);
    g_tree_insert(blobs, name_str, vgw_store_blob_new(type, bytes));
    g_bytes_unref(bytes);
  }
  if (c.left != 0) {
    *why = g_strdup_printf("%" G_GSIZE_FORMAT " bytes after the last record",
                           c.left);
    return FALSE;
  }
  return TRUE;
}
