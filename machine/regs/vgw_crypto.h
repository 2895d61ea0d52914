/*
 * vgw crypto engine register map.
 *
 * The engine holds private keys in slots that software can fill (generate
 * inside the engine, or import write-only) and use (sign a digest), but
 * never read back: there is no command that returns private material.
 *
 * Registers are 32 bits wide, little-endian, accessed with aligned 32-bit
 * loads and stores.  The IN and OUT buffers also accept 8- and 16-bit
 * accesses.  Plain C, no QEMU includes: the device model and the firmware
 * both include this file.
 *
 * Device tree: compatible = "vgw,crypto", one "reg" range, one interrupt
 * (level, raised while IRQ_STATUS & IRQ_ENABLE is non-zero).
 *
 * Running a command:
 *   1. wait until STATUS.BUSY is clear;
 *   2. set SLOT, KEY_TYPE, SCHEME as the command needs; write IN_LEN bytes
 *      of input to IN_BUF and the length to IN_LEN;
 *   3. write the opcode to CMD.  STATUS.BUSY is set and, after the modelled
 *      latency (machine property "crypto-latency-ns"), cleared again with
 *      STATUS.DONE set, ERROR holding VGW_CRYPTO_ERR_*, OUT_LEN bytes of
 *      output in OUT_BUF and RESULT holding the command's result word;
 *   4. IN_BUF is zeroed when the command completes, whatever the outcome.
 * A CMD written while BUSY is dropped: the running command is unaffected,
 * STATUS.OVERRUN is set until the next accepted command.
 */
#ifndef VGW_REGS_CRYPTO_H
#define VGW_REGS_CRYPTO_H

#define VGW_CRYPTO_ID           0x000  /* RO: VGW_CRYPTO_ID_VALUE */
#define VGW_CRYPTO_VERSION      0x004  /* RO: major << 16 | minor */
#define VGW_CRYPTO_NUM_SLOTS    0x008  /* RO: number of key slots */
#define VGW_CRYPTO_STATUS       0x00c  /* RO: VGW_CRYPTO_STATUS_* */
#define VGW_CRYPTO_CMD          0x010  /* WO: VGW_CRYPTO_CMD_*; starts it */
#define VGW_CRYPTO_SLOT         0x014  /* RW: slot number, 0..NUM_SLOTS-1 */
#define VGW_CRYPTO_KEY_TYPE     0x018  /* RW: VGW_KEY_TYPE_* (GENERATE, IMPORT) */
#define VGW_CRYPTO_SCHEME       0x01c  /* RW: VGW_SIG_* (SIGN) */
#define VGW_CRYPTO_IN_LEN       0x020  /* RW: bytes of IN_BUF the command uses */
#define VGW_CRYPTO_OUT_LEN      0x024  /* RO: bytes the last command put in OUT_BUF */
#define VGW_CRYPTO_RESULT       0x028  /* RO: result word of the last command */
#define VGW_CRYPTO_ERROR        0x02c  /* RO: VGW_CRYPTO_ERR_* of the last command */
#define VGW_CRYPTO_IRQ_ENABLE   0x030  /* RW: VGW_CRYPTO_IRQ_* */
#define VGW_CRYPTO_IRQ_STATUS   0x034  /* RW1C: VGW_CRYPTO_IRQ_* */
#define VGW_CRYPTO_TRNG_DATA    0x040  /* RO: 32 fresh random bits per read */
#define VGW_CRYPTO_IN_BUF       0x1000 /* WO: command input; reads return 0 */
#define VGW_CRYPTO_OUT_BUF      0x2000 /* RO: command output */
#define VGW_CRYPTO_BUF_SIZE     0x1000 /* bytes in each buffer */

#define VGW_CRYPTO_ID_VALUE       0x43574756u  /* "VGWC" in memory order */
#define VGW_CRYPTO_VERSION_VALUE  0x00010000u  /* 1.0 */
#define VGW_CRYPTO_SLOTS          16u

/* STATUS bits */
#define VGW_CRYPTO_STATUS_BUSY    (1u << 0)  /* a command is running */
#define VGW_CRYPTO_STATUS_DONE    (1u << 1)  /* the last command completed */
#define VGW_CRYPTO_STATUS_ERR     (1u << 2)  /* ... and ERROR is not OK */
#define VGW_CRYPTO_STATUS_OVERRUN (1u << 3)  /* a CMD was dropped while BUSY */

/* IRQ_ENABLE / IRQ_STATUS bits */
#define VGW_CRYPTO_IRQ_DONE       (1u << 0)  /* a command completed */

/*
 * Commands.  "in" is IN_BUF[0..IN_LEN), "out" is OUT_BUF[0..OUT_LEN).
 *
 * GENERATE    SLOT, KEY_TYPE: a new key pair made inside the engine from
 *             its TRNG.  Replaces an unlocked key in the slot.
 * IMPORT      SLOT, KEY_TYPE, in = the private key: for VGW_KEY_TYPE_EC_P256
 *             the 32-byte big-endian scalar; for the RSA types a PKCS#1
 *             RSAPrivateKey in DER whose modulus has the type's size.
 *             Replaces an unlocked key in the slot.
 * EXPORT_PUB  SLOT: out = the public key as a DER SubjectPublicKeyInfo
 *             (RFC 5480 id-ecPublicKey/prime256v1, uncompressed point;
 *             RFC 3279 rsaEncryption with NULL parameters).
 * SIGN        SLOT, SCHEME, in = a message digest: out = the signature.
 *             VGW_SIG_ECDSA signs a digest of 20..64 bytes (truncated to the
 *             curve order as FIPS 186-4 says), out = DER ECDSA-Sig-Value.
 *             The RSA schemes take exactly the named hash's digest; out is
 *             the modulus-sized big-endian signature.  PSS uses MGF1 with
 *             the same hash and a salt as long as the digest (TLS 1.3).
 * DELETE      SLOT: the slot becomes empty.  Refused when locked.
 * LOCK        SLOT: the slot's key can no longer be replaced or deleted
 *             until ZEROIZE.  Refused on an empty slot.
 * INFO        SLOT: RESULT = VGW_CRYPTO_INFO_* of the slot; no output.
 * ZEROIZE     SLOT must hold VGW_CRYPTO_ZEROIZE_MAGIC: every slot, locked
 *             or not, becomes empty (the keystore's factory reset).
 */
#define VGW_CRYPTO_CMD_NOP        0x00u
#define VGW_CRYPTO_CMD_GENERATE   0x01u
#define VGW_CRYPTO_CMD_IMPORT     0x02u
#define VGW_CRYPTO_CMD_EXPORT_PUB 0x03u
#define VGW_CRYPTO_CMD_SIGN       0x04u
#define VGW_CRYPTO_CMD_DELETE     0x05u
#define VGW_CRYPTO_CMD_LOCK       0x06u
#define VGW_CRYPTO_CMD_INFO       0x07u
#define VGW_CRYPTO_CMD_ZEROIZE    0x08u

#define VGW_CRYPTO_ZEROIZE_MAGIC  0x4f52455au  /* "ZERO" */

/* KEY_TYPE values; also RESULT & VGW_CRYPTO_INFO_TYPE_MASK after INFO. */
#define VGW_KEY_TYPE_NONE         0u  /* empty slot */
#define VGW_KEY_TYPE_EC_P256      1u
#define VGW_KEY_TYPE_RSA_2048     2u
#define VGW_KEY_TYPE_RSA_3072     3u

/*
 * The name of a VGW_KEY_TYPE_* value as traces, messages and the
 * management CLI spell it: "none" for VGW_KEY_TYPE_NONE (an empty slot),
 * "unknown" for a value that is not a key type.  The device model and
 * the firmware driver both use this one table.
 */
static inline const char *vgw_key_type_name(unsigned int type)
{
    switch (type) {
    case VGW_KEY_TYPE_NONE:
        return "none";
    case VGW_KEY_TYPE_EC_P256:
        return "ec-p256";
    case VGW_KEY_TYPE_RSA_2048:
        return "rsa-2048";
    case VGW_KEY_TYPE_RSA_3072:
        return "rsa-3072";
    default:
        return "unknown";
    }
}

/* RESULT after INFO */
#define VGW_CRYPTO_INFO_TYPE_MASK 0xffu       /* VGW_KEY_TYPE_* */
#define VGW_CRYPTO_INFO_LOCKED    (1u << 8)
#define VGW_CRYPTO_INFO_IMPORTED  (1u << 9)   /* imported, not generated */

/* SCHEME values for SIGN */
#define VGW_SIG_ECDSA             1u  /* EC keys; any digest of 20..64 bytes */
#define VGW_SIG_RSA_PKCS1_SHA256  2u
#define VGW_SIG_RSA_PKCS1_SHA384  3u
#define VGW_SIG_RSA_PKCS1_SHA512  4u
#define VGW_SIG_RSA_PSS_SHA256    5u
#define VGW_SIG_RSA_PSS_SHA384    6u
#define VGW_SIG_RSA_PSS_SHA512    7u

/* ERROR values */
#define VGW_CRYPTO_ERR_OK           0u
#define VGW_CRYPTO_ERR_BAD_COMMAND  1u  /* unknown opcode */
#define VGW_CRYPTO_ERR_BAD_SLOT     2u  /* SLOT >= NUM_SLOTS */
#define VGW_CRYPTO_ERR_EMPTY_SLOT   3u  /* the slot holds no key */
#define VGW_CRYPTO_ERR_LOCKED       4u  /* the slot is locked */
#define VGW_CRYPTO_ERR_BAD_KEY_TYPE 5u  /* KEY_TYPE is not a VGW_KEY_TYPE_* */
#define VGW_CRYPTO_ERR_WRONG_TYPE   6u  /* SCHEME does not fit the slot's key */
#define VGW_CRYPTO_ERR_BAD_SCHEME   7u  /* SCHEME is not a VGW_SIG_* */
#define VGW_CRYPTO_ERR_BAD_LENGTH   8u  /* IN_LEN too large, or wrong for the command */
#define VGW_CRYPTO_ERR_BAD_KEY      9u  /* imported key malformed or not of KEY_TYPE */
#define VGW_CRYPTO_ERR_BAD_MAGIC   10u  /* ZEROIZE without VGW_CRYPTO_ZEROIZE_MAGIC */
#define VGW_CRYPTO_ERR_STORAGE     11u  /* the keystore file could not be written;
                                           the slot is unchanged */
#define VGW_CRYPTO_ERR_INTERNAL    12u  /* the engine failed; nothing changed */

#endif /* VGW_REGS_CRYPTO_H */
