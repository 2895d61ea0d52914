/*
 * On-flash format of the store, version 1 (docs/flash-store.md is the
 * specification; keep the two in step). Internal to the store library.
 *
 * The device holds two slots of equal size. Each slot starts with a header
 * block (a 64-byte header, the rest of the block reserved) followed by the
 * payload: the generation's records back to back.
 */
#ifndef VGW_STORE_FORMAT_H
#define VGW_STORE_FORMAT_H

#include <glib.h>

#include "store.h"

G_BEGIN_DECLS

#define VGW_STORE_MAGIC "VGWSTOR1" /* 8 bytes, no terminator on flash */
#define VGW_STORE_FORMAT_VERSION 1
#define VGW_STORE_HEADER_SIZE 64
#define VGW_STORE_HEADER_BLOCK 4096 /* payload starts this far into a slot */
#define VGW_STORE_SLOT_ALIGN 4096
#define VGW_STORE_SLOT_COUNT 2
/* Largest slot: bounds the cost of a factory reset on big devices. */
#define VGW_STORE_SLOT_MAX (64u * 1024 * 1024)
#define VGW_STORE_RECORD_MAGIC 0x44524356u /* "VCRD" little-endian */
#define VGW_STORE_RECORD_FIXED 16 /* record bytes before the name */
#define VGW_STORE_RECORD_ALIGN 8
/* No flags are defined in version 1; the field must be 0. */
#define VGW_STORE_FLAGS_KNOWN 0x0u

typedef struct {
  guint16 version;
  guint32 slot_index;
  guint64 store_size; /* bytes the store spans: VGW_STORE_SLOT_COUNT slots */
  guint32 slot_size;
  guint32 flags;
  guint64 sequence;
  guint32 record_count;
  guint32 payload_len;
  guint32 payload_crc;
} VgwSlotHeader;

typedef enum {
  VGW_SLOT_EMPTY,   /* header all 0xFF or all 0x00: never written/erased */
  VGW_SLOT_VALID,   /* header checks out (payload not yet verified) */
  VGW_SLOT_CORRUPT, /* anything else; |why| says what */
  VGW_SLOT_NEWER,   /* intact header of a format version we do not know */
} VgwSlotState;

/* A blob as held in memory: the value of a GTree keyed by name. */
typedef struct {
  VgwStoreBlobType type;
  GBytes *data;
} VgwStoreBlob;

VgwStoreBlob *vgw_store_blob_new(VgwStoreBlobType type, GBytes *data);
void vgw_store_blob_free(gpointer blob);

/* vgw_blob_tree_new returns an empty name -> VgwStoreBlob tree that owns
 * its keys and values, sorted by name (so encoding is deterministic). */
GTree *vgw_blob_tree_new(void);

/* vgw_blob_tree_copy returns a new tree with the same blobs (the data is
 * shared by reference, not copied). */
GTree *vgw_blob_tree_copy(GTree *blobs);

/* vgw_slot_header_encode writes |h| (with magic, header size and the
 * header CRC) as VGW_STORE_HEADER_SIZE bytes at |out|. */
void vgw_slot_header_encode(const VgwSlotHeader *h,
                            guint8 out[VGW_STORE_HEADER_SIZE]);

/* vgw_slot_header_decode classifies the VGW_STORE_HEADER_SIZE bytes at
 * |in|. For VALID it fills |out|; for CORRUPT and NEWER it sets |why| to a
 * newly allocated reason. It checks the header alone: the caller checks
 * geometry and the payload. */
VgwSlotState vgw_slot_header_decode(const guint8 in[VGW_STORE_HEADER_SIZE],
                                    VgwSlotHeader *out, char **why);

/* vgw_records_encode returns the payload for |blobs| (records sorted by
 * name) and sets |*count| to the number of records. */
GByteArray *vgw_records_encode(GTree *blobs, guint32 *count);

/* vgw_records_decode parses |len| payload bytes at |payload| holding
 * |count| records into |blobs| (a tree from vgw_blob_tree_new). On any
 * inconsistency it returns FALSE with a newly allocated |*why| naming the
 * record (by index and, once readable, by name) and what is wrong. */
gboolean vgw_records_decode(const guint8 *payload, gsize len, guint32 count,
                            GTree *blobs, char **why);

/* vgw_store_name_is_valid checks the naming rule of docs/flash-store.md. */
gboolean vgw_store_name_is_valid(const char *name);

G_END_DECLS

#endif
