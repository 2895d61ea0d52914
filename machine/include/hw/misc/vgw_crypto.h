/*
 * vgw crypto engine: key slots holding non-exportable private keys, a
 * TRNG, asynchronous commands.  Register map: vgw-regs/vgw_crypto.h.
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_MISC_VGW_CRYPTO_H
#define HW_MISC_VGW_CRYPTO_H

#include "hw/misc/vgw_crypto_keys.h"
#include "hw/misc/vgw_keystore.h"
#include "hw/misc/vgw_regfile.h"
#include "hw/sysbus.h"
#include "qemu/timer.h"
#include "qom/object.h"
#include "vgw-regs/vgw_crypto.h"

#define TYPE_VGW_CRYPTO "vgw.crypto"
#define VGW_CRYPTO_REGION_SIZE 0x10000
/* Registers from ID to TRNG_DATA, the last one; the buffers lie beyond */
#define VGW_CRYPTO_NUM_REGS (VGW_CRYPTO_TRNG_DATA / 4 + 1)
/* Default modelled command latency: small, but never synchronous. */
#define VGW_CRYPTO_LATENCY_DEFAULT_NS 20000
#define VGW_CRYPTO_LATENCY_MAX_NS (60 * NANOSECONDS_PER_SECOND)
OBJECT_DECLARE_SIMPLE_TYPE(VgwCryptoState, VGW_CRYPTO)

struct VgwCryptoState {
    SysBusDevice parent_obj;

    MemoryRegion iomem;
    qemu_irq irq;
    QEMUTimer *cmd_timer;       /* the modelled latency of a command */

    /* Properties */
    char *keystore_path;        /* "keystore": NULL = volatile slots */
    char *secret_id;            /* "secret": id of a QEMU secret object */
    uint64_t latency_ns;        /* "latency-ns" */

    /*
     * The secure element: kept across resets, persisted in the keystore
     * file, never migrated.
     */
    VgwKey slots[VGW_CRYPTO_SLOTS];
    VgwKeystore keystore;
    bool persistent;            /* slots are saved to keystore_path */

    /* Guest-visible registers, described in vgw_crypto.c */
    VgwRegFile regfile;
    uint32_t regs[VGW_CRYPTO_NUM_REGS];
    uint8_t in_buf[VGW_CRYPTO_BUF_SIZE];
    uint8_t out_buf[VGW_CRYPTO_BUF_SIZE];

    /* The command in flight, latched from the registers at CMD (BUSY) */
    uint32_t op_cmd;
    uint32_t op_slot;
    uint32_t op_key_type;
    uint32_t op_scheme;
    uint32_t op_in_len;
};

#endif /* HW_MISC_VGW_CRYPTO_H */
