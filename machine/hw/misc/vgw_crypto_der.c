/*
 * vgw crypto engine: DER writer
 *
 * Only what the engine emits: definite lengths, INTEGER from an unsigned
 * magnitude, SEQUENCE around encoded content.  Parsing of guest input is
 * done by nettle's DER iterator (see vgw_crypto_keys.c).
 *
 * Copyright (c) 2026 The vgw authors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"

#include "hw/misc/vgw_crypto_der.h"

static void vgw_der_put_length(GByteArray *out, size_t len)
{
    uint8_t hdr[4];
    size_t n = 0;

    g_assert(len < (1u << 24));
    if (len < 0x80) {
        hdr[n++] = len;
    } else if (len < 0x100) {
        hdr[n++] = 0x81;
        hdr[n++] = len;
    } else if (len < 0x10000) {
        hdr[n++] = 0x82;
        hdr[n++] = len >> 8;
        hdr[n++] = len;
    } else {
        hdr[n++] = 0x83;
        hdr[n++] = len >> 16;
        hdr[n++] = len >> 8;
        hdr[n++] = len;
    }
    g_byte_array_append(out, hdr, n);
}

void vgw_der_put_tlv(GByteArray *out, uint8_t tag, const uint8_t *content,
                     size_t len)
{
    g_byte_array_append(out, &tag, 1);
    vgw_der_put_length(out, len);
    if (len) {
        g_byte_array_append(out, content, len);
    }
}

void vgw_der_put_unsigned(GByteArray *out, const uint8_t *mag, size_t len)
{
    static const uint8_t zero;
    uint8_t tag = VGW_DER_INTEGER;

    while (len > 0 && mag[0] == 0) {
        mag++;
        len--;
    }
    if (len == 0) {
        vgw_der_put_tlv(out, VGW_DER_INTEGER, &zero, 1);
        return;
    }
    if (mag[0] & 0x80) {
        g_byte_array_append(out, &tag, 1);
        vgw_der_put_length(out, len + 1);
        g_byte_array_append(out, &zero, 1);
        g_byte_array_append(out, mag, len);
    } else {
        vgw_der_put_tlv(out, VGW_DER_INTEGER, mag, len);
    }
}

void vgw_der_put_sequence(GByteArray *out, const GByteArray *content)
{
    vgw_der_put_tlv(out, VGW_DER_SEQUENCE, content->data, content->len);
}

void vgw_der_free_secret(GByteArray *buf)
{
    if (buf) {
        explicit_bzero(buf->data, buf->len);
        g_byte_array_free(buf, true);
    }
}
