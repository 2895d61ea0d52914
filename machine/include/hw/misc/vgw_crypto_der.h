/*
 * vgw crypto engine: the few DER encodings the engine produces
 * (SubjectPublicKeyInfo, PKCS#1 RSAPrivateKey, ECDSA-Sig-Value).
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */
#ifndef HW_MISC_VGW_CRYPTO_DER_H
#define HW_MISC_VGW_CRYPTO_DER_H

#define VGW_DER_INTEGER     0x02
#define VGW_DER_BIT_STRING  0x03
#define VGW_DER_NULL        0x05
#define VGW_DER_OID         0x06
#define VGW_DER_SEQUENCE    0x30

/*
 * Appends one TLV: @tag, the DER length of @len, then @len bytes of
 * @content.  @len must be below 16 MiB (the engine's objects are a few KiB).
 */
void vgw_der_put_tlv(GByteArray *out, uint8_t tag, const uint8_t *content,
                     size_t len);

/*
 * Appends an INTEGER holding the non-negative number whose big-endian
 * magnitude is @mag[0..@len): leading zero bytes are dropped and one is
 * added back when the top bit is set, as DER requires.  @len == 0, or
 * all-zero bytes, encode 0.
 */
void vgw_der_put_unsigned(GByteArray *out, const uint8_t *mag, size_t len);

/*
 * Appends SEQUENCE { @content } (the bytes of @content, already encoded).
 */
void vgw_der_put_sequence(GByteArray *out, const GByteArray *content);

/*
 * Frees @buf after overwriting its bytes: for buffers that held private
 * key material.
 */
void vgw_der_free_secret(GByteArray *buf);

#endif /* HW_MISC_VGW_CRYPTO_DER_H */
