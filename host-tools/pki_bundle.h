/*
 * A certificate of the test PKI on disk: BASE.crt, BASE.key, BASE.chain.
 *
 * BASE is DIR/NAME as given to `vgw pki --out`, `--ca` and `--issuer`.
 *   BASE.crt    the certificate, PEM;
 *   BASE.key    its private key, PEM PKCS#8 ("PRIVATE KEY"), mode 0600;
 *   BASE.chain  the intermediates a peer needs between it and the root,
 *               PEM, the issuer first; empty for a root, or for a
 *               certificate signed by a root.
 * So a server sends BASE.crt then BASE.chain, and a verifier trusts the
 * root's .crt alone (`openssl verify -CAfile ROOT.crt -untrusted
 * BASE.chain BASE.crt`).
 */
#ifndef VGW_PKI_BUNDLE_H
#define VGW_PKI_BUNDLE_H

#include <glib.h>
#include <openssl/base.h>
#include <openssl/x509.h>

G_BEGIN_DECLS

typedef struct {
  X509 *cert;
  EVP_PKEY *key;
  STACK_OF(X509) *chain;  /* never NULL once loaded or made */
} VgwPkiBundle;

/* vgw_pki_bundle_load reads |base|.crt (its first certificate), |base|.key
 * and, if it exists, |base|.chain (every certificate in it) into |out|.
 * FALSE with VGW_ERROR_FAILED naming the file when one is unreadable,
 * larger than 1 MiB, holds no PEM certificate or key, or when the key
 * does not belong to the certificate; |out| is then empty. */
gboolean vgw_pki_bundle_load(const char *base, VgwPkiBundle *out, GError **error);

/* vgw_pki_bundle_save writes |b| as |base|.crt, |base|.key and
 * |base|.chain, each replaced atomically, after making |base|'s
 * directory if it is missing.  A |b| without a key (a certificate for a
 * request's key, held elsewhere) has no |base|.key: one left from before
 * is removed, so the files never pair a certificate with another key.
 * FALSE with the file error of the first file that could not be
 * written. */
gboolean vgw_pki_bundle_save(const char *base, const VgwPkiBundle *b, GError **error);

/* vgw_pki_bundle_is_root returns TRUE if |cert| is self-signed: its
 * issuer is its subject and its own key verifies its signature. */
gboolean vgw_pki_bundle_is_root(X509 *cert);

/* vgw_pki_bundle_chain_for returns the chain of a certificate |issuer|
 * signs: |issuer|'s certificate unless it is a root (a root is trusted,
 * never sent), then |issuer|'s own chain. */
STACK_OF(X509) *vgw_pki_bundle_chain_for(const VgwPkiBundle *issuer);

/* vgw_pki_bundle_clear frees what |b| holds and empties it. */
void vgw_pki_bundle_clear(VgwPkiBundle *b);

G_END_DECLS

#endif /* VGW_PKI_BUNDLE_H */
