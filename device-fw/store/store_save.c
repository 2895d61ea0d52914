/* Saving: transactions, commit of a generation, factory reset. See
 * store.h for the contracts and docs/flash-store.md for why the writes
 * come in this order. */
#include "store_internal.h"

#include <string.h>

#include "crc32c.h"

/* Large writes are issued in pieces of this size (bounded system calls;
 * the store does not depend on it: any write may be torn anyway). */
#define WRITE_CHUNK (64 * 1024)

VgwStoreTxn *vgw_store_begin(VgwStore *store) {
  VgwStoreTxn *txn = g_new0(VgwStoreTxn, 1);
  txn->blobs = vgw_blob_tree_copy(store->blobs);
  return txn;
}

void vgw_store_txn_free(VgwStoreTxn *txn) {
  if (txn != NULL) {
    g_tree_destroy(txn->blobs);
    g_free(txn);
  }
}

gboolean vgw_store_txn_put(VgwStoreTxn *txn, VgwStoreBlobType type,
                           const char *name, const void *data, gsize len,
                           GError **error) {
  if (!vgw_store_name_is_valid(name)) {
    g_set_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_BAD_NAME,
                "blob name '%s' is invalid (1 to %d of A-Z a-z 0-9 . _ / -, "
                "not starting with '/' or '.')",
                name, VGW_STORE_NAME_MAX);
    return FALSE;
  }
  if (type < VGW_STORE_BLOB_CONFIG || type > VGW_STORE_BLOB_TRUSTED_ROOTS) {
    g_set_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_BAD_TYPE,
                "blob '%s': unknown type %d", name, (int)type);
    return FALSE;
  }
  if (len > VGW_STORE_BLOB_MAX) {
    g_set_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_TOO_LARGE,
                "blob '%s' is %" G_GSIZE_FORMAT " bytes; the largest blob "
                "the store takes is %d bytes",
                name, len, VGW_STORE_BLOB_MAX);
    return FALSE;
  }
  if (type == VGW_STORE_BLOB_KEY_REFERENCE &&
      len > VGW_STORE_KEY_REFERENCE_MAX) {
    g_set_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_TOO_LARGE,
                "key reference '%s' is %" G_GSIZE_FORMAT " bytes; a "
                "reference names a key slot and is at most %d bytes",
                name, len, VGW_STORE_KEY_REFERENCE_MAX);
    return FALSE;
  }
  /* Private keys live in the crypto engine; "-----BEGIN ... PRIVATE
   * KEY-----" covers PKCS#8, encrypted PKCS#8, RSA and EC PEM keys. */
  static const char pem_key[] = "PRIVATE KEY-----";
  if (len > 0 && memmem(data, len, pem_key, sizeof(pem_key) - 1) != NULL) {
    g_set_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_PRIVATE_KEY,
                "blob '%s' holds a PEM private key; private keys stay in "
                "the crypto engine, store a key reference instead",
                name);
    return FALSE;
  }
  GBytes *bytes = g_bytes_new(data, len);
  g_tree_replace(txn->blobs, g_strdup(name), vgw_store_blob_new(type, bytes));
  g_bytes_unref(bytes);
  return TRUE;
}

gboolean vgw_store_txn_delete(VgwStoreTxn *txn, const char *name,
                              GError **error) {
  if (!g_tree_remove(txn->blobs, name)) {
    g_set_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_NOT_FOUND,
                "no blob named '%s' in the store", name);
    return FALSE;
  }
  return TRUE;
}

static gboolean remove_all(gpointer key, gpointer value, gpointer keys) {
  g_ptr_array_add(keys, key);
  return FALSE;
}

void vgw_store_txn_clear(VgwStoreTxn *txn) {
  /* Collect first: a GTree must not change while it is walked. */
  GPtrArray *keys = g_ptr_array_new();
  g_tree_foreach(txn->blobs, remove_all, keys);
  for (guint i = 0; i < keys->len; i++) {
    g_tree_remove(txn->blobs, keys->pdata[i]);
  }
  g_ptr_array_unref(keys);
}

static gboolean write_chunked(VgwStore *store, guint64 offset,
                              const guint8 *data, gsize len, GError **error) {
  while (len > 0) {
    gsize n = MIN(len, (gsize)WRITE_CHUNK);
    if (!vgw_blockdev_write(store->dev, offset, data, n, error)) {
      return FALSE;
    }
    offset += n;
    data += n;
    len -= n;
  }
  return TRUE;
}

/* The slot a new generation goes to: never the current generation's. */
static int target_slot(const VgwStore *store) {
  return store->active_slot == 0 ? 1 : 0;
}

/* Writes one generation into |slot|: (1) erase its header and flush, so
 * the slot's old header can never describe the new payload; (2) write the
 * payload and flush; (3) write the header and flush. Until (3) completes
 * the slot has no intact header and the other slot is current; a torn (3)
 * fails the header checksum. */
static gboolean write_generation(VgwStore *store, int slot,
                                 const VgwSlotHeader *header,
                                 const guint8 *payload, GError **error) {
  guint64 base = vgw_store_slot_offset(store, slot);
  guint8 raw[VGW_STORE_HEADER_SIZE];
  memset(raw, 0xff, sizeof(raw));
  if (!vgw_blockdev_write(store->dev, base, raw, sizeof(raw), error) ||
      !vgw_blockdev_flush(store->dev, error)) {
    return FALSE;
  }
  if (header->payload_len > 0 &&
      (!write_chunked(store, base + VGW_STORE_HEADER_BLOCK, payload,
                      header->payload_len, error) ||
       !vgw_blockdev_flush(store->dev, error))) {
    return FALSE;
  }
  vgw_slot_header_encode(header, raw);
  return vgw_blockdev_write(store->dev, base, raw, sizeof(raw), error) &&
         vgw_blockdev_flush(store->dev, error);
}

static gboolean next_sequence(const VgwStore *store, guint64 *out,
                              GError **error) {
  /* Above every intact header on flash, so a stale generation whose
   * payload is damaged can never outrank the new one. Wrap cannot happen
   * in practice (2^64 saves); it is refused rather than handled. */
  guint64 highest = MAX(store->sequence, store->highest_sequence);
  if (highest == G_MAXUINT64) {
    g_set_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_SEQUENCE_EXHAUSTED,
                "flash store sequence numbers exhausted; factory reset it");
    return FALSE;
  }
  *out = highest + 1;
  return TRUE;
}

static VgwSlotHeader header_for(const VgwStore *store, int slot,
                                guint64 sequence) {
  VgwSlotHeader h = {
      .version = VGW_STORE_FORMAT_VERSION,
      .slot_index = (guint32)slot,
      .store_size = (guint64)store->slot_size * VGW_STORE_SLOT_COUNT,
      .slot_size = store->slot_size,
      .sequence = sequence,
  };
  return h;
}

gboolean vgw_store_commit(VgwStore *store, VgwStoreTxn *txn, GError **error) {
  guint32 count;
  GByteArray *payload = vgw_records_encode(txn->blobs, &count);
  gboolean ok = FALSE;
  guint64 sequence;
  if (payload->len > vgw_store_capacity(store)) {
    g_set_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_TOO_LARGE,
                "the new generation needs %u bytes but a slot of this "
                "flash store holds %" G_GSIZE_FORMAT " bytes",
                payload->len, vgw_store_capacity(store));
    goto out;
  }
  if (!next_sequence(store, &sequence, error)) {
    goto out;
  }
  int slot = target_slot(store);
  VgwSlotHeader h = header_for(store, slot, sequence);
  h.record_count = count;
  h.payload_len = payload->len;
  h.payload_crc = vgw_crc32c(payload->data, payload->len);
  if (!write_generation(store, slot, &h, payload->data, error)) {
    goto out;
  }
  g_tree_destroy(store->blobs);
  store->blobs = vgw_blob_tree_copy(txn->blobs);
  store->sequence = store->highest_sequence = sequence;
  store->active_slot = slot;
  store->blank = FALSE;
  ok = TRUE;
out:
  g_byte_array_unref(payload);
  return ok;
}

/* Erases |slot| to 0xFF, header block first: from the first flush on the
 * slot reads as empty, whatever happens to the rest. */
static gboolean erase_slot(VgwStore *store, int slot, GError **error) {
  guint64 base = vgw_store_slot_offset(store, slot);
  guint8 *ones = g_malloc(WRITE_CHUNK);
  memset(ones, 0xff, WRITE_CHUNK);
  gboolean ok =
      vgw_blockdev_write(store->dev, base, ones, VGW_STORE_HEADER_BLOCK,
                         error) &&
      vgw_blockdev_flush(store->dev, error);
  for (guint64 off = VGW_STORE_HEADER_BLOCK; ok && off < store->slot_size;
       off += WRITE_CHUNK) {
    gsize n = (gsize)MIN((guint64)WRITE_CHUNK, store->slot_size - off);
    ok = vgw_blockdev_write(store->dev, base + off, ones, n, error);
  }
  g_free(ones);
  return ok && vgw_blockdev_flush(store->dev, error);
}

gboolean vgw_store_factory_reset(VgwStore *store, GError **error) {
  /* The slot of the current generation is erased last: while it is
   * intact it is the newest, and once its header is touched the other
   * slot is already empty, so a cut finds the old generation or nothing.
   * (Erasing the current slot first would let a cut resurrect the older
   * generation in the other slot: a mix of old and blank.) */
  int last = store->active_slot >= 0 ? store->active_slot : 1;
  if (!erase_slot(store, 1 - last, error) ||
      !erase_slot(store, last, error)) {
    return FALSE;
  }
  g_tree_destroy(store->blobs);
  store->blobs = vgw_blob_tree_new();
  store->active_slot = -1;
  store->sequence = store->highest_sequence = 0;
  store->blank = TRUE;
  return TRUE;
}
