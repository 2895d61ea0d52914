/*
 * Secret parameters (VgwParamDesc.secret, docs/parameters.md "Secret
 * parameters"): write-only values such as MaintenancePassword. The
 * configuration never holds a secret in clear: a value given in clear is
 * replaced by its stored form, a salted PBKDF2-HMAC-SHA256 hash
 *
 *   $pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>
 *
 * which is what ini files export and the flash keeps, and which a load
 * accepts back unchanged. Displays show VGW_SECRET_MASK instead.
 */
#ifndef VGW_PARAM_SECRET_H
#define VGW_PARAM_SECRET_H

#include <glib.h>

G_BEGIN_DECLS

/* VGW_SECRET_MASK is what param-get, table-show and pending show for a
 * secret. */
#define VGW_SECRET_MASK "*****"

/* VGW_SECRET_PREFIX starts every stored form; a value starting with it is
 * taken as a stored form, never as a password. */
#define VGW_SECRET_PREFIX "$pbkdf2-sha256$"

/* VGW_SECRET_ITERATIONS is the PBKDF2 cost of a new hash. The login check
 * runs it in the gateway's one main loop under emulation, so it is modest;
 * the count is part of the stored form and can be raised later. */
#define VGW_SECRET_ITERATIONS 10000

/* A stored form may name 1000 to VGW_SECRET_ITERATIONS_MAX iterations:
 * more would stall the main loop past the watchdog on each login. */
#define VGW_SECRET_ITERATIONS_MIN 1000
#define VGW_SECRET_ITERATIONS_MAX 100000

/* vgw_secret_store turns the |len| bytes at |text| into a stored form: a
 * stored form is checked and returned in canonical spelling; anything
 * else is a password in clear and is hashed with a fresh random salt.
 * Returns NULL with |*reason| set (newly allocated, never quoting |text|)
 * for a malformed stored form. The caller checks a clear password's
 * length and characters first. */
char *vgw_secret_store(const char *text, gsize len, char **reason);

/* vgw_secret_is_stored_form reports whether the |len| bytes at |text|
 * claim to be a stored form (start with VGW_SECRET_PREFIX). */
gboolean vgw_secret_is_stored_form(const char *text, gsize len);

/* vgw_secret_verify reports whether |password| hashes to the stored form
 * |stored|, comparing in constant time. A malformed |stored| matches
 * nothing. */
gboolean vgw_secret_verify(const char *stored, const char *password);

G_END_DECLS

#endif /* VGW_PARAM_SECRET_H */
