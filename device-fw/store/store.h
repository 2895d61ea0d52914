/*
 * The configuration store: named blobs (the configuration as ini text,
 * certificates, private-key references, trusted-root bundles) on the
 * gateway's flash, saved in whole generations so that a power cut at any
 * instant leaves either the complete old or the complete new generation.
 * Format: docs/flash-store.md.
 *
 * Both the firmware (on /dev/vda) and the host `vgw` command (offline, on
 * a stopped gateway's flash.img) use this library over a VgwBlockDev.
 *
 * Usage: vgw_store_open, read with vgw_store_get / vgw_store_list; to save,
 * vgw_store_begin, then _put / _delete / _clear on the transaction, then
 * vgw_store_commit. Nothing reaches the flash before commit, and commit is
 * atomic. Not thread-safe: one user per store at a time.
 */
#ifndef VGW_STORE_H
#define VGW_STORE_H

#include <glib.h>

#include "blockdev.h"

G_BEGIN_DECLS

/* VGW_STORE_ERROR is the GError domain of this library. I/O failures of
 * the device keep their own (G_FILE_ERROR) domain. */
#define VGW_STORE_ERROR (vgw_store_error_quark())
GQuark vgw_store_error_quark(void);

typedef enum {
  VGW_STORE_ERROR_DEVICE_TOO_SMALL, /* cannot hold two minimal slots */
  VGW_STORE_ERROR_GEOMETRY,  /* store on flash does not fit this device */
  VGW_STORE_ERROR_VERSION,   /* written by a newer format version */
  VGW_STORE_ERROR_CORRUPT,   /* a generation failed its checks (damage) */
  VGW_STORE_ERROR_BAD_NAME,  /* blob name breaks the naming rule */
  VGW_STORE_ERROR_BAD_TYPE,  /* blob type not one of VgwStoreBlobType */
  VGW_STORE_ERROR_TOO_LARGE, /* blob or whole generation does not fit */
  VGW_STORE_ERROR_NOT_FOUND, /* no blob of that name */
  VGW_STORE_ERROR_PRIVATE_KEY, /* blob holds private key material */
  VGW_STORE_ERROR_SEQUENCE_EXHAUSTED, /* 2^64-1 generations written */
} VgwStoreError;

/* Blob types, stored on flash as 16-bit numbers: never renumber. */
typedef enum {
  VGW_STORE_BLOB_CONFIG = 1,        /* configuration, ini text */
  VGW_STORE_BLOB_CERTIFICATE = 2,   /* PEM certificate (chain) */
  VGW_STORE_BLOB_KEY_REFERENCE = 3, /* names a crypto-engine key slot */
  VGW_STORE_BLOB_TRUSTED_ROOTS = 4, /* PEM bundle of trusted roots */
} VgwStoreBlobType;

/* VGW_STORE_CONFIG_NAME is the name of the configuration blob. */
#define VGW_STORE_CONFIG_NAME "config.ini"

/* VGW_STORE_NAME_MAX is the longest blob name in bytes. Names are 1 to
 * this many of [A-Za-z0-9._/-], not starting with '/' or '.'. */
#define VGW_STORE_NAME_MAX 128

/* VGW_STORE_BLOB_MAX is the largest blob in bytes. */
#define VGW_STORE_BLOB_MAX (1024 * 1024)

/* VGW_STORE_KEY_REFERENCE_MAX bounds a key reference: it names a key, it
 * never holds one. */
#define VGW_STORE_KEY_REFERENCE_MAX 256

typedef struct VgwStore VgwStore;
typedef struct VgwStoreTxn VgwStoreTxn;

/* One entry of vgw_store_list. */
typedef struct {
  const char *name; /* owned by the store; valid until it changes */
  VgwStoreBlobType type;
  gsize length;
} VgwStoreBlobInfo;

/* vgw_store_blob_type_name returns a short lower-case name for |type|
 * ("config", "certificate", ...), or "unknown". */
const char *vgw_store_blob_type_name(VgwStoreBlobType type);

/* vgw_store_open reads the store on |dev|, which the caller keeps alive
 * (and frees) after vgw_store_free. It picks the newest generation that
 * passes every check; if none does, the store is blank (factory state):
 * erased (0xFF) and zeroed flash both read as blank.
 *
 * Damage found on the way (a torn or corrupt slot, for instance the
 * remains of an interrupted save) does not fail the open: it is reported
 * by vgw_store_damage.
 *
 * Returns NULL and sets |error| only when the store cannot be used safely:
 * the device is too small (VGW_STORE_ERROR_DEVICE_TOO_SMALL), a slot with
 * an intact header describes a different geometry, e.g. a store larger
 * than the device (VGW_STORE_ERROR_GEOMETRY), or a newer format version
 * (VGW_STORE_ERROR_VERSION), or the device cannot be read (G_FILE_ERROR). */
VgwStore *vgw_store_open(VgwBlockDev *dev, GError **error);

/* vgw_store_free releases |store| (not its device); NULL is ignored. */
void vgw_store_free(VgwStore *store);

/* vgw_store_is_blank returns TRUE if the store holds no generation (never
 * saved, or factory reset). A blank store lists no blobs. */
gboolean vgw_store_is_blank(const VgwStore *store);

/* vgw_store_sequence returns the sequence number of the current
 * generation, 0 for a blank store. */
guint64 vgw_store_sequence(const VgwStore *store);

/* vgw_store_damage returns what vgw_store_open found wrong
 * (VGW_STORE_ERROR_CORRUPT, message naming the slot, the generation and
 * the failed check), or NULL if nothing. Owned by the store. */
const GError *vgw_store_damage(const VgwStore *store);

/* Why vgw_store_open could not use a slot's generation. The names
 * (vgw_store_damage_reason_name) are stable: `status` reports them. */
typedef enum {
  VGW_STORE_DAMAGE_HEADER,           /* the header fails its checks (a torn
                                      * or damaged header): the generation
                                      * it held is unknown */
  VGW_STORE_DAMAGE_WRONG_SLOT,       /* an intact header of the other slot */
  VGW_STORE_DAMAGE_PAYLOAD_LENGTH,   /* payload_len exceeds the slot */
  VGW_STORE_DAMAGE_PAYLOAD_CHECKSUM, /* the payload fails payload_crc */
  VGW_STORE_DAMAGE_RECORDS,          /* a record fails its checks */
} VgwStoreDamageReason;

/* vgw_store_damage_reason_name returns the lower-case name of |reason|
 * ("header", "wrong-slot", "payload-length", "payload-checksum",
 * "records"), or "unknown". */
const char *vgw_store_damage_reason_name(VgwStoreDamageReason reason);

/* One slot vgw_store_open found damaged. */
typedef struct {
  int slot;
  guint64 generation; /* its sequence number; 0 when the header is damaged */
  VgwStoreDamageReason reason;
} VgwStoreSlotDamage;

/* vgw_store_damaged_slots returns the slots vgw_store_open found damaged,
 * in slot order, and their number in |*n| (0 when none; the array is then
 * NULL). The details vgw_store_damage words. Owned by the store; valid
 * until it is freed (commits and factory resets do not change it: it
 * describes the open). */
const VgwStoreSlotDamage *vgw_store_damaged_slots(const VgwStore *store,
                                                  gsize *n);

/* vgw_store_get returns the bytes of blob |name| (a new reference), and
 * its type in |*type| if |type| is not NULL, or NULL if there is no such
 * blob. */
GBytes *vgw_store_get(const VgwStore *store, const char *name,
                      VgwStoreBlobType *type);

/* vgw_store_list returns the blobs sorted by name (an array of
 * VgwStoreBlobInfo; free with g_array_unref; the names belong to the store
 * and are valid until the next commit, reset or free). */
GArray *vgw_store_list(const VgwStore *store);

/* vgw_store_begin starts a new generation holding a copy of the current
 * blobs. Changes to it are invisible (in memory and on flash) until
 * vgw_store_commit. Free with vgw_store_txn_free. */
VgwStoreTxn *vgw_store_begin(VgwStore *store);

/* vgw_store_txn_free discards |txn|; NULL is ignored. */
void vgw_store_txn_free(VgwStoreTxn *txn);

/* vgw_store_txn_put adds or replaces blob |name| with |len| bytes at
 * |data| (copied). Fails, changing nothing, if the name breaks the naming
 * rule (BAD_NAME), the type is unknown (BAD_TYPE), the blob is larger than
 * VGW_STORE_BLOB_MAX or a key reference larger than
 * VGW_STORE_KEY_REFERENCE_MAX (TOO_LARGE), or the data holds a PEM private
 * key (PRIVATE_KEY: keys live in the crypto engine; store a reference). */
gboolean vgw_store_txn_put(VgwStoreTxn *txn, VgwStoreBlobType type,
                           const char *name, const void *data, gsize len,
                           GError **error);

/* vgw_store_txn_delete removes blob |name|; NOT_FOUND if absent. */
gboolean vgw_store_txn_delete(VgwStoreTxn *txn, const char *name,
                              GError **error);

/* vgw_store_txn_clear removes every blob (for a full replacement). */
void vgw_store_txn_clear(VgwStoreTxn *txn);

/* vgw_store_commit writes |txn| as the next generation and makes it
 * current; |txn| stays valid (free it after). It writes only into the slot
 * that does not hold the current generation, which therefore survives any
 * failure; the new generation counts only once its header, written last
 * after a flush, is complete. Fails with TOO_LARGE (nothing written) if
 * the generation does not fit a slot, SEQUENCE_EXHAUSTED, or an I/O error.
 * After an I/O error the flash holds the old or the new generation and the
 * in-memory view still shows the old one: reopen to find out. */
gboolean vgw_store_commit(VgwStore *store, VgwStoreTxn *txn, GError **error);

/* vgw_store_factory_reset returns the flash to its factory state (every
 * byte of both slots erased to 0xFF) and the store to blank; the next
 * commit starts again at sequence 1. Power-fail safe: a reopen after a cut
 * at any point finds the old generation complete or a blank store. It also
 * works on a damaged store and one whose sequence numbers are exhausted.
 * After an I/O error, reopen to find out which state the flash is in. */
gboolean vgw_store_factory_reset(VgwStore *store, GError **error);

/* vgw_store_capacity returns the largest payload, in bytes, a generation
 * may have on this store's device (a slot minus its header block). Each
 * record costs 16 bytes plus its name, padded to 8 bytes, plus its data. */
gsize vgw_store_capacity(const VgwStore *store);

G_END_DECLS

#endif
