/*
 * The store object, shared by the reading side (store.c) and the writing
 * side (store_save.c). Internal to the store library.
 */
#ifndef VGW_STORE_INTERNAL_H
#define VGW_STORE_INTERNAL_H

#include "store.h"
#include "store_format.h"

struct VgwStore {
  VgwBlockDev *dev;          /* borrowed */
  guint32 slot_size;         /* geometry derived from the device size */
  GTree *blobs;              /* current generation: name -> VgwStoreBlob */
  guint64 sequence;          /* current generation's number; 0 if none */
  guint64 highest_sequence;  /* highest number of any intact header seen */
  int active_slot;           /* slot of the current generation, or -1 */
  gboolean blank;
  GError *damage;
  GArray *damaged_slots;     /* VgwStoreSlotDamage, in slot order */
};

struct VgwStoreTxn {
  GTree *blobs;
};

/* vgw_store_slot_offset returns where slot |index| starts on the device. */
static inline guint64 vgw_store_slot_offset(const VgwStore *store,
                                            int index) {
  return (guint64)store->slot_size * (guint64)index;
}

#endif
