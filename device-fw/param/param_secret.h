/*
 * Secret parameters (VgwParamDesc.secret, docs/parameters.md "Secret
 * parameters"): write-only values. The configuration never keeps a secret
 * in clear: a value given in clear is replaced by its stored form, which
 * is what ini files export and the flash keeps, which a load accepts back
 * unchanged, and which displays show as VGW_SECRET_MASK. Two kinds:
 *
 *  VGW_SECRET_LOGIN (MaintenancePassword): a salted PBKDF2-HMAC-SHA256
 *    hash, checked against a password typed at a login:
 *      $pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>
 *
 *  VGW_SECRET_DIGEST_HA1 (SBCUserInfoTable.Password): what HTTP Digest
 *    needs of a password (RFC 7616 §3.4.2, RFC 8760), the HA1
 *    H(user:realm:password) under MD5 and SHA-256, with the realm and the
 *    user name it was made for (percent-escaped), as Kamailio's
 *    subscriber.ha1 and Asterisk's md5secret keep it:
 *      $digest-ha1$<realm>$<user>$<MD5 HA1 hex>$<SHA-256 HA1 hex>
 *    An HA1 is password-equivalent for that realm and user only. It is
 *    made when the whole configuration is known (digest_users.h), since
 *    the realm and user name come from elsewhere in it.
 */
#ifndef VGW_PARAM_SECRET_H
#define VGW_PARAM_SECRET_H

#include "param_types.h"

G_BEGIN_DECLS

/* VGW_SECRET_MASK is what param-get, table-show and pending show for a
 * secret. */
#define VGW_SECRET_MASK "*****"

/* The prefixes that start the stored forms; a value of a secret starting
 * with its kind's prefix is taken as a stored form, never as a password. */
#define VGW_SECRET_PREFIX "$pbkdf2-sha256$"
#define VGW_SECRET_DIGEST_PREFIX "$digest-ha1$"

/* VGW_SECRET_ITERATIONS is the PBKDF2 cost of a new hash. The login check
 * runs it in the gateway's one main loop under emulation, so it is modest;
 * the count is part of the stored form and can be raised later. */
#define VGW_SECRET_ITERATIONS 10000

/* A stored form may name 1000 to VGW_SECRET_ITERATIONS_MAX iterations:
 * more would stall the main loop past the watchdog on each login. */
#define VGW_SECRET_ITERATIONS_MIN 1000
#define VGW_SECRET_ITERATIONS_MAX 100000

/* vgw_secret_is_stored_form reports whether the |len| bytes at |text|
 * claim to be a stored form of |kind| (start with its prefix). */
gboolean vgw_secret_is_stored_form(VgwSecretKind kind, const char *text,
                                   gsize len);

/* vgw_secret_canonical checks the stored form of |kind| at |text| (|len|
 * bytes) and returns it in canonical spelling, newly allocated; or NULL
 * with |*reason| set (newly allocated, e.g. "malformed $digest-ha1$...
 * value: MD5 HA1 is not 32 hex digits"). */
char *vgw_secret_canonical(VgwSecretKind kind, const char *text, gsize len,
                           char **reason);

/* vgw_secret_login_hash returns the VGW_SECRET_LOGIN stored form of the
 * password at |text| (|len| bytes), with a fresh random salt. */
char *vgw_secret_login_hash(const char *text, gsize len);

/* vgw_secret_verify reports whether |password| hashes to the
 * VGW_SECRET_LOGIN stored form |stored|, comparing in constant time. A
 * malformed |stored| matches nothing. */
gboolean vgw_secret_verify(const char *stored, const char *password);

/* ---- Digest (RFC 7616, RFC 8760) ---- */

typedef enum {
  VGW_DIGEST_MD5,
  VGW_DIGEST_SHA256,
  VGW_DIGEST_ALGORITHM_COUNT
} VgwDigestAlgorithm;

/* Hex digits of the longest HA1 (SHA-256), without the NUL. */
#define VGW_DIGEST_HEX_MAX 64

/* vgw_digest_hash_hex returns H(parts[0]:parts[1]:...) under |alg| in
 * lower-case hex, newly allocated: the one hash of Digest (HA1, H(A2) and
 * the response). */
char *vgw_digest_hash_hex(VgwDigestAlgorithm alg, const char *const *parts,
                          gsize n);

/* A VGW_SECRET_DIGEST_HA1 stored form, parsed. */
typedef struct {
  char *realm;
  char *user;
  char ha1[VGW_DIGEST_ALGORITHM_COUNT][VGW_DIGEST_HEX_MAX + 1];
} VgwDigestHa1;

/* vgw_secret_digest_store returns the stored form of the password at
 * |password| (|len| bytes) for |realm| and |user|, newly allocated. */
char *vgw_secret_digest_store(const char *realm, const char *user,
                              const char *password, gsize len);

/* vgw_secret_digest_parse reads the stored form |stored| into |*out|
 * (cleared later with vgw_digest_ha1_clear). FALSE with |*reason| set
 * (newly allocated) when it is malformed; |*out| is then left empty. */
gboolean vgw_secret_digest_parse(const char *stored, VgwDigestHa1 *out,
                                 char **reason);

/* vgw_digest_ha1_clear wipes and frees what |h| holds. */
void vgw_digest_ha1_clear(VgwDigestHa1 *h);

G_END_DECLS

#endif /* VGW_PARAM_SECRET_H */
