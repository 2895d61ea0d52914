/*
 * vgw crypto engine: the keystore file, the board's secure element.
 *
 * The engine's key slots persist in one file, wrapped under keys derived
 * from a QEMU "secret" object (the stand-in for a hardware unique key).
 * Format: machine/README.md, "Keystore file".
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_MISC_VGW_KEYSTORE_H
#define HW_MISC_VGW_KEYSTORE_H

#include "hw/misc/vgw_crypto_keys.h"

/* A secret shorter than this is refused: it stands in for a 128-bit+ HUK. */
#define VGW_KEYSTORE_SECRET_MIN 16

typedef struct VgwKeystore {
    char *path;
    /* Derived from the secret; the secret itself is not kept. */
    uint8_t enc_key[32];
    uint8_t mac_key[32];
} VgwKeystore;

/*
 * Looks up the secret @secret_id, derives the wrapping keys and loads the
 * slots stored in @path into @slots (which must be empty).  A missing file
 * is an empty keystore; it is created by the first vgw_keystore_save().
 * On failure @errp names the file and the reason (wrong secret, damaged
 * file, unreadable, ...) and @slots stay empty.
 */
bool vgw_keystore_open(VgwKeystore *ks, const char *path,
                       const char *secret_id,
                       VgwKey slots[VGW_CRYPTO_SLOTS], Error **errp);

/*
 * Replaces the file with one holding @slots (one pointer per slot, none
 * NULL): written to "<path>.tmp", fsync'ed and renamed over @path, so a
 * crash leaves either the old or the new keystore.  False with @errp set
 * if any step failed; @path is then unchanged.
 */
bool vgw_keystore_save(VgwKeystore *ks,
                       const VgwKey *const slots[VGW_CRYPTO_SLOTS],
                       Error **errp);

/* Forgets the derived keys. */
void vgw_keystore_close(VgwKeystore *ks);

#endif /* HW_MISC_VGW_KEYSTORE_H */
