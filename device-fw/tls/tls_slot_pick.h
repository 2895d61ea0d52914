/*
 * Which crypto-engine slot a certificate swap puts its new key into when
 * the user names none (vgw cert inject --key/--generate and vgw cert csr
 * --generate without --slot; the maintenance verb cert-slot).
 *
 * The new key must not go into a slot a TLS Context serves from: the
 * key would change under handshakes waiting for a signature, before the
 * new certificate is committed. In a slot no context uses, nothing is in
 * service until cert-commit switches the context to the new slot and
 * certificate in one step.
 *
 * A TLS Context refers to a slot when its key reference names it (or,
 * without one, it is slot N of context N) and it has a certificate, or it
 * is Context 0 (which makes itself one at boot). The policy:
 *  1. the lowest-numbered empty slot no TLS Context refers to;
 *  2. else, of the slots holding a key an earlier swap retired (a
 *     context moved from it to another slot, the key there is still the
 *     one the context left, it is not locked and no context refers to
 *     it), the one retired longest ago: the longer a key has been out of
 *     service, the surer no handshake still waits for its signature;
 *  3. else none: the caller names a slot itself.
 * A key someone put into a slot no context uses (vgw keystore gen or
 * import, a cert csr --generate whose certificate is not installed yet)
 * is never chosen, nor a locked one.
 *
 * A swap records the key it retires in the flash store as the blob
 * tls/retired/SLOT, a key reference "sha256=HEX when=N": HEX the SHA-256
 * of the key's DER SubjectPublicKeyInfo, lower-case, as keystore-list
 * shows it; N the flash generation it was written over, which only
 * grows, so it orders retirements. A slot whose key has changed since
 * (keystore-gen, keystore-import, zeroize) no longer matches its record
 * and so is not retired.
 */
#ifndef VGW_TLS_SLOT_PICK_H
#define VGW_TLS_SLOT_PICK_H

#include <glib.h>

#include "hal/crypto_engine.h"

G_BEGIN_DECLS

/* What one engine slot is to the policy. */
typedef enum {
  VGW_TLS_SLOT_EMPTY,   /* no key, and no context refers to it */
  VGW_TLS_SLOT_RETIRED, /* the unlocked key a swap retired, unused */
  VGW_TLS_SLOT_CONTEXT, /* a TLS Context refers to it */
  VGW_TLS_SLOT_LOCKED,  /* a locked key no context refers to */
  VGW_TLS_SLOT_KEPT,    /* a key put there otherwise, no context uses it */
} VgwTlsSlotUse;

/* vgw_tls_slot_use_name returns "empty", "retired", "context", "locked"
 * or "kept" (the names cert-slot answers). */
const char *vgw_tls_slot_use_name(VgwTlsSlotUse use);

/* vgw_tls_slot_classify returns the use of a slot that |info| describes,
 * |referenced| when a TLS Context's key reference names it, |retired|
 * when the key in it is the one its retired record names. */
VgwTlsSlotUse vgw_tls_slot_classify(const VgwCryptoSlotInfo *info,
                                    gboolean referenced, gboolean retired);

/* One engine slot as the policy sees it. */
typedef struct {
  VgwTlsSlotUse use;
  guint64 retired_when; /* VGW_TLS_SLOT_RETIRED: its record's N */
} VgwTlsSlot;

/* vgw_tls_slot_pick returns the slot the policy chooses among the |n|
 * |slots| (indexed by slot number), or -1 if none may take a new key. */
int vgw_tls_slot_pick(const VgwTlsSlot *slots, guint n);

/* vgw_tls_retired_blob returns "tls/retired/|slot|" (newly allocated). */
char *vgw_tls_retired_blob(guint slot);

/* vgw_tls_retired_record returns the record of a key whose fingerprint
 * is |sha256|, retired over flash generation |when| (newly allocated). */
char *vgw_tls_retired_record(const char *sha256, guint64 when);

/* vgw_tls_retired_matches tells whether |record| (|len| bytes, perhaps
 * NULL: no record) is a well-formed record of the key whose fingerprint
 * is |sha256|, and if so sets |when| to its N. */
gboolean vgw_tls_retired_matches(const void *record, gsize len,
                                 const char *sha256, guint64 *when);

G_END_DECLS

#endif /* VGW_TLS_SLOT_PICK_H */
