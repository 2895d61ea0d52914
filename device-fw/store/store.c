/* Opening and reading the store: see store.h. Writing is in
 * store_save.c. */
#include "store_internal.h"

#include <string.h>

#include "crc32c.h"

G_DEFINE_QUARK(vgw-store-error-quark, vgw_store_error)

const char *vgw_store_blob_type_name(VgwStoreBlobType type) {
  switch (type) {
  case VGW_STORE_BLOB_CONFIG:
    return "config";
  case VGW_STORE_BLOB_CERTIFICATE:
    return "certificate";
  case VGW_STORE_BLOB_KEY_REFERENCE:
    return "key-reference";
  case VGW_STORE_BLOB_TRUSTED_ROOTS:
    return "trusted-roots";
  }
  return "unknown";
}

const char *vgw_store_damage_reason_name(VgwStoreDamageReason reason) {
  switch (reason) {
  case VGW_STORE_DAMAGE_HEADER:
    return "header";
  case VGW_STORE_DAMAGE_WRONG_SLOT:
    return "wrong-slot";
  case VGW_STORE_DAMAGE_PAYLOAD_LENGTH:
    return "payload-length";
  case VGW_STORE_DAMAGE_PAYLOAD_CHECKSUM:
    return "payload-checksum";
  case VGW_STORE_DAMAGE_RECORDS:
    return "records";
  }
  return "unknown";
}

/* A slot whose header checked out, awaiting payload verification. */
typedef struct {
  int index;
  VgwSlotHeader header;
} Candidate;

/* note_slot_damage records that slot |index| (holding |generation|, 0 if
 * unknown) is unusable for |reason|. */
static void note_slot_damage(VgwStore *store, int index, guint64 generation,
                             VgwStoreDamageReason reason) {
  VgwStoreSlotDamage d = {index, generation, reason};
  g_array_append_val(store->damaged_slots, d);
}

static gint by_slot(gconstpointer a, gconstpointer b) {
  return ((const VgwStoreSlotDamage *)a)->slot -
         ((const VgwStoreSlotDamage *)b)->slot;
}

static void note_damage(GString *damage, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

static void note_damage(GString *damage, const char *fmt, ...) {
  va_list ap;
  if (damage->len > 0) {
    g_string_append(damage, "; ");
  }
  va_start(ap, fmt);
  g_string_append_vprintf(damage, fmt, ap);
  va_end(ap);
}

/* Geometry: two equal slots, as large as the device allows (aligned, and
 * capped so a factory reset stays cheap on big devices). */
static gboolean derive_geometry(VgwStore *store, GError **error) {
  guint64 half = store->dev->size / VGW_STORE_SLOT_COUNT;
  half -= half % VGW_STORE_SLOT_ALIGN;
  if (half > VGW_STORE_SLOT_MAX) {
    half = VGW_STORE_SLOT_MAX;
  }
  if (half < 2 * VGW_STORE_HEADER_BLOCK) {
    g_set_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_DEVICE_TOO_SMALL,
                "flash device of %" G_GUINT64_FORMAT " bytes is too small "
                "for a store (at least %d bytes)",
                store->dev->size,
                VGW_STORE_SLOT_COUNT * 2 * VGW_STORE_HEADER_BLOCK);
    return FALSE;
  }
  store->slot_size = (guint32)half;
  return TRUE;
}

/* Reads and classifies slot |index|'s header. Returns FALSE (with |error|)
 * for what makes the whole store unusable; otherwise TRUE, adding the slot
 * to |candidates| if its header is intact and fits this device. */
static gboolean examine_header(VgwStore *store, int index,
                               GArray *candidates, GString *damage,
                               GError **error) {
  guint8 raw[VGW_STORE_HEADER_SIZE];
  if (!vgw_blockdev_read(store->dev, vgw_store_slot_offset(store, index), raw,
                         sizeof(raw), error)) {
    return FALSE;
  }
  Candidate cand = {.index = index};
  char *why = NULL;
  VgwSlotHeader *h = &cand.header;
  guint64 store_size = (guint64)store->slot_size * VGW_STORE_SLOT_COUNT;
  switch (vgw_slot_header_decode(raw, h, &why)) {
  case VGW_SLOT_EMPTY:
    return TRUE;
  case VGW_SLOT_NEWER:
    g_set_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_VERSION,
                "flash store slot %d: %s", index, why);
    g_free(why);
    return FALSE;
  case VGW_SLOT_CORRUPT:
    note_slot_damage(store, index, 0, VGW_STORE_DAMAGE_HEADER);
    note_damage(damage, "slot %d: %s", index, why);
    g_free(why);
    return TRUE;
  case VGW_SLOT_VALID:
    break;
  }
  /* An intact header vouches for its geometry: a mismatch means the store
   * was made for another device (or the image was truncated or grown), and
   * writing to it would destroy data, so refuse rather than fall back. */
  if (h->store_size > store->dev->size) {
    g_set_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_GEOMETRY,
                "flash store slot %d: the store spans %" G_GUINT64_FORMAT
                " bytes but the device holds only %" G_GUINT64_FORMAT,
                index, h->store_size, store->dev->size);
    return FALSE;
  }
  if (h->store_size != store_size || h->slot_size != store->slot_size) {
    g_set_error(error, VGW_STORE_ERROR, VGW_STORE_ERROR_GEOMETRY,
                "flash store slot %d: made for %" G_GUINT64_FORMAT
                "-byte store with %u-byte slots, but this %" G_GUINT64_FORMAT
                "-byte device gives %" G_GUINT64_FORMAT "-byte store with "
                "%u-byte slots",
                index, h->store_size, h->slot_size, store->dev->size,
                store_size, store->slot_size);
    return FALSE;
  }
  if (h->slot_index != (guint32)index) {
    note_slot_damage(store, index, h->sequence, VGW_STORE_DAMAGE_WRONG_SLOT);
    note_damage(damage, "slot %d: header claims to be slot %u", index,
                h->slot_index);
    return TRUE;
  }
  if (h->payload_len > store->slot_size - VGW_STORE_HEADER_BLOCK) {
    note_slot_damage(store, index, h->sequence,
                     VGW_STORE_DAMAGE_PAYLOAD_LENGTH);
    note_damage(damage, "slot %d (generation %" G_GUINT64_FORMAT "): "
                "payload length %u exceeds the slot", index, h->sequence,
                h->payload_len);
    return TRUE;
  }
  store->highest_sequence = MAX(store->highest_sequence, h->sequence);
  g_array_append_val(candidates, cand);
  return TRUE;
}

/* Reads and verifies |cand|'s payload. Returns the blobs, or NULL after
 * noting the damage. */
static GTree *load_generation(VgwStore *store, const Candidate *cand,
                              GString *damage, GError **error) {
  const VgwSlotHeader *h = &cand->header;
  guint8 *payload = g_malloc(h->payload_len > 0 ? h->payload_len : 1);
  GTree *blobs = NULL;
  char *why = NULL;
  if (!vgw_blockdev_read(store->dev,
                         vgw_store_slot_offset(store, cand->index) +
                             VGW_STORE_HEADER_BLOCK,
                         payload, h->payload_len, error)) {
    goto out;
  }
  if (vgw_crc32c(payload, h->payload_len) != h->payload_crc) {
    why = g_strdup("payload checksum mismatch (torn or damaged records)");
    note_slot_damage(store, cand->index, h->sequence,
                     VGW_STORE_DAMAGE_PAYLOAD_CHECKSUM);
  } else {
    blobs = vgw_blob_tree_new();
    if (!vgw_records_decode(payload, h->payload_len, h->record_count, blobs,
                            &why)) {
      g_tree_destroy(blobs);
      blobs = NULL;
      note_slot_damage(store, cand->index, h->sequence,
                       VGW_STORE_DAMAGE_RECORDS);
    }
  }
  if (why != NULL) {
    note_damage(damage, "slot %d (generation %" G_GUINT64_FORMAT "): %s",
                cand->index, h->sequence, why);
    g_free(why);
  }
out:
  g_free(payload);
  return blobs;
}

static gint newest_first(gconstpointer a, gconstpointer b) {
  guint64 sa = ((const Candidate *)a)->header.sequence;
  guint64 sb = ((const Candidate *)b)->header.sequence;
  return sa < sb ? 1 : sa > sb ? -1 : 0;
}

VgwStore *vgw_store_open(VgwBlockDev *dev, GError **error) {
  VgwStore *store = g_new0(VgwStore, 1);
  store->dev = dev;
  store->active_slot = -1;
  store->blank = TRUE;
  store->damaged_slots = g_array_new(FALSE, FALSE, sizeof(VgwStoreSlotDamage));
  GArray *candidates = g_array_new(FALSE, FALSE, sizeof(Candidate));
  GString *damage = g_string_new(NULL);
  gboolean ok = derive_geometry(store, error);
  for (int i = 0; ok && i < VGW_STORE_SLOT_COUNT; i++) {
    ok = examine_header(store, i, candidates, damage, error);
  }
  g_array_sort(candidates, newest_first);
  /* Every intact generation is verified, not only the one used, so that
   * damage to the fallback copy is reported while there is still time. */
  for (guint i = 0; ok && i < candidates->len; i++) {
    const Candidate *cand = &g_array_index(candidates, Candidate, i);
    GError *io_error = NULL;
    GTree *blobs = load_generation(store, cand, damage, &io_error);
    if (io_error != NULL) {
      g_propagate_error(error, io_error);
      ok = FALSE;
    } else if (blobs != NULL && store->blobs == NULL) {
      store->blobs = blobs;
      store->sequence = cand->header.sequence;
      store->active_slot = cand->index;
      store->blank = FALSE;
    } else if (blobs != NULL) {
      g_tree_destroy(blobs);
    }
  }
  g_array_sort(store->damaged_slots, by_slot);
  if (ok && damage->len > 0) {
    if (store->active_slot >= 0) {
      g_string_append_printf(damage, "; using generation %" G_GUINT64_FORMAT
                             " from slot %d", store->sequence,
                             store->active_slot);
    } else {
      g_string_append(damage, "; the store reads as blank");
    }
    store->damage = g_error_new(VGW_STORE_ERROR, VGW_STORE_ERROR_CORRUPT,
                                "flash store damaged: %s", damage->str);
  }
  g_string_free(damage, TRUE);
  g_array_unref(candidates);
  if (!ok) {
    vgw_store_free(store);
    return NULL;
  }
  if (store->blobs == NULL) {
    store->blobs = vgw_blob_tree_new();
  }
  return store;
}

void vgw_store_free(VgwStore *store) {
  if (store == NULL) {
    return;
  }
  if (store->blobs != NULL) {
    g_tree_destroy(store->blobs);
  }
  g_clear_error(&store->damage);
  g_array_unref(store->damaged_slots);
  g_free(store);
}

gboolean vgw_store_is_blank(const VgwStore *store) {
  return store->blank;
}

guint64 vgw_store_sequence(const VgwStore *store) {
  return store->sequence;
}

const GError *vgw_store_damage(const VgwStore *store) {
  return store->damage;
}

const VgwStoreSlotDamage *vgw_store_damaged_slots(const VgwStore *store,
                                                  gsize *n) {
  *n = store->damaged_slots->len;
  return *n > 0 ? (const VgwStoreSlotDamage *)store->damaged_slots->data
                : NULL;
}

gsize vgw_store_capacity(const VgwStore *store) {
  return store->slot_size - VGW_STORE_HEADER_BLOCK;
}

GBytes *vgw_store_get(const VgwStore *store, const char *name,
                      VgwStoreBlobType *type) {
  VgwStoreBlob *blob = g_tree_lookup(store->blobs, name);
  if (blob == NULL) {
    return NULL;
  }
  if (type != NULL) {
    *type = blob->type;
  }
  return g_bytes_ref(blob->data);
}

static gboolean list_one(gpointer key, gpointer value, gpointer array) {
  VgwStoreBlob *blob = value;
  VgwStoreBlobInfo info = {key, blob->type, g_bytes_get_size(blob->data)};
  g_array_append_val(array, info);
  return FALSE;
}

GArray *vgw_store_list(const VgwStore *store) {
  GArray *list = g_array_new(FALSE, FALSE, sizeof(VgwStoreBlobInfo));
  g_tree_foreach(store->blobs, list_one, list);
  return list;
}
