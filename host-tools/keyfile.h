/*
 * Private-key files for the crypto engine's IMPORT command.
 *
 * `vgw keystore import` reads a PEM private key on the host and hands the
 * engine its import format (machine/regs/vgw_crypto.h): the 32-byte scalar
 * for P-256, a PKCS#1 RSAPrivateKey for RSA.  The bytes go straight to the
 * engine's write-only input buffer; the host keeps no copy.
 */
#ifndef VGW_KEYFILE_H
#define VGW_KEYFILE_H

#include <glib.h>
#include <openssl/base.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct {
  uint32_t key_type;      /* VGW_KEY_TYPE_* */
  GBytes *import_bytes;   /* the engine's import format; secret */
  GBytes *spki;           /* DER SubjectPublicKeyInfo of the same key */
} VgwKeyfile;

/* vgw_keyfile_load reads the unencrypted PEM private key in |path|
 * (PKCS#8 "PRIVATE KEY", "RSA PRIVATE KEY" or "EC PRIVATE KEY") into
 * |out|.  Fails with a VGW_ERROR_FAILED error naming |path| (not a usage
 * error: the command line was right) when the file is unreadable, a
 * directory, over 1 MiB, holds no PEM private key, is encrypted, or holds a key
 * the engine cannot hold ("RSA key of 1024 bits; the engine holds
 * ec-p256, rsa-2048, rsa-3072"). */
gboolean vgw_keyfile_load(const char *path, VgwKeyfile *out, GError **error);

/* vgw_keyfile_read_pkey reads the unencrypted PEM private key in |path|
 * (the formats vgw_keyfile_load takes, of any type and size) and returns
 * it, or NULL with the VGW_ERROR_FAILED errors of vgw_keyfile_load for an
 * unreadable, oversized, encrypted or key-less file.  The file's text is
 * wiped from memory before it returns. */
EVP_PKEY *vgw_keyfile_read_pkey(const char *path, GError **error);

/* vgw_keyfile_clear wipes and releases |kf|'s bytes. */
void vgw_keyfile_clear(VgwKeyfile *kf);

G_END_DECLS

#endif /* VGW_KEYFILE_H */
