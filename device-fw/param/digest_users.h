/*
 * The registrar's users in a configuration (SBCUserInfoTable) and their
 * Digest passwords (param_secret.h, VGW_SECRET_DIGEST_HA1).
 *
 * A row's Digest user name is its Username, or its LocalUser when
 * Username is empty; the realm is RegistrarAuthRealm. A Password given in
 * clear is kept only until the change it came with is complete, then
 * sealed: replaced by its HA1 stored form for that realm and user name.
 * Changing the realm or the user name afterwards leaves the stored form
 * bound to the old ones: that user cannot authenticate until the
 * password is set again, and loads and the registrar say so. An empty
 * Password is no password: that user cannot authenticate.
 */
#ifndef VGW_PARAM_DIGEST_USERS_H
#define VGW_PARAM_DIGEST_USERS_H

#include "param_config.h"
#include "param_secret.h"

G_BEGIN_DECLS

/* vgw_digest_users_seal replaces every Password of |cfg| given in clear
 * by its stored form, wiping the clear text. Then, when |warnings| is not
 * NULL, it adds a newly allocated line to it for each stored Password
 * that does not fit its row any more, e.g. "FILE:LINE: SBCUserInfoTable
 * 0: Password: stored for realm R, realm is now S: set it again" (FILE is
 * |file_name|, or "config"). Every change to a configuration seals it
 * before validating it (vgw_ini_load, vgw_config_state_stage). */
void vgw_digest_users_seal(VgwParamConfig *cfg, const char *file_name,
                           GPtrArray *warnings);

typedef enum {
  VGW_DIGEST_USER_FOUND,    /* |*ha1| holds the row's HA1s */
  VGW_DIGEST_USER_UNKNOWN,  /* no row for that AOR and user name */
  VGW_DIGEST_USER_UNUSABLE, /* a row, but no password usable now */
} VgwDigestUserLookup;

/* vgw_digest_users_find looks up the row whose LocalUser is |aor_user|
 * (not empty) and whose Digest user name is |username|. On
 * VGW_DIGEST_USER_FOUND it fills |*ha1| (clear it with
 * vgw_digest_ha1_clear); on VGW_DIGEST_USER_UNUSABLE it sets |*reason|
 * (newly allocated) to e.g. "SBCUserInfoTable 0: password stored for
 * realm R, realm is now S: set it again" or "SBCUserInfoTable 2:
 * password not set". */
VgwDigestUserLookup vgw_digest_users_find(const VgwParamConfig *cfg,
                                          const char *aor_user,
                                          const char *username,
                                          VgwDigestHa1 *ha1, char **reason);

G_END_DECLS

#endif /* VGW_PARAM_DIGEST_USERS_H */
