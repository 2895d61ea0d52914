/* The registrar's users and their Digest passwords: see digest_users.h. */
#include "digest_users.h"

#include <string.h>

#include <openssl/mem.h>

#include "param_row_error.h"
#include "param_value.h"

/* The SBCUserInfoTable columns a Digest password depends on. */
typedef struct {
  const VgwTableDesc *table;
  gsize local, name, password;
} Columns;

static Columns columns(void) {
  const VgwTableDesc *table = vgw_param_table(VGW_TABLE_USER_INFO);
  gssize local = vgw_param_find_column(table, "LocalUser", 9);
  gssize name = vgw_param_find_column(table, "Username", 8);
  gssize password = vgw_param_find_column(table, "Password", 8);

  g_assert(local >= 0 && name >= 0 && password >= 0);
  return (Columns){table, (gsize)local, (gsize)name, (gsize)password};
}

/* The Digest user name of |row|: Username, or LocalUser when empty. */
static const char *row_user(const Columns *c, const VgwParamRow *row) {
  const char *name = row->values[c->name].str;
  return name[0] != '\0' ? name : row->values[c->local].str;
}

static const char *realm_of(const VgwParamConfig *cfg) {
  return vgw_param_config_global_named(cfg, "RegistrarAuthRealm")->str;
}

/* binding_problem says why the HA1s |h| do not serve |realm| and |user|,
 * or returns NULL when they do. */
static char *binding_problem(const VgwDigestHa1 *h, const char *realm,
                             const char *user) {
  const char *what, *then, *now;
  if (strcmp(h->realm, realm) != 0) {
    what = "realm", then = h->realm, now = realm;
  } else if (strcmp(h->user, user) != 0) {
    what = "user name", then = h->user, now = user;
  } else {
    return NULL;
  }
  char *a = vgw_param_printable(then, strlen(then), 70);
  char *b = vgw_param_printable(now, strlen(now), 70);
  char *reason = g_strdup_printf("stored for %s %s, %s is now %s: set it again",
                                 what, a, what, b);
  g_free(a);
  g_free(b);
  return reason;
}

/* row_problem says why the Password of |row| cannot authenticate in
 * |realm| (NULL: it can, and |*ha1|, when not NULL, holds it). */
static char *row_problem(const Columns *c, const VgwParamRow *row,
                         const char *realm, VgwDigestHa1 *ha1) {
  const char *stored = row->values[c->password].str;
  VgwDigestHa1 h;
  char *reason = NULL;

  if (stored[0] == '\0') return g_strdup("not set");
  if (!vgw_secret_digest_parse(stored, &h, &reason)) return reason;
  reason = binding_problem(&h, realm, row_user(c, row));
  if (reason == NULL && ha1 != NULL)
    *ha1 = h;
  else
    vgw_digest_ha1_clear(&h);
  return reason;
}

void vgw_digest_users_seal(VgwParamConfig *cfg, const char *file_name,
                           GPtrArray *warnings) {
  Columns c = columns();
  const char *realm = realm_of(cfg);
  gsize rows = vgw_param_config_row_count(cfg, VGW_TABLE_USER_INFO);

  for (gsize n = 0; n < rows; n++) {
    const VgwParamRow *at = vgw_param_config_row_at(cfg, VGW_TABLE_USER_INFO,
                                                    n);
    VgwParamRow *row =
        vgw_param_config_find_row(cfg, VGW_TABLE_USER_INFO, at->index);
    VgwParamValue *password = &row->values[c.password];
    if (password->num == VGW_PARAM_CLEAR_SECRET) {
      char *stored = vgw_secret_digest_store(realm, row_user(&c, row),
                                             password->str,
                                             strlen(password->str));
      vgw_param_value_clear(password);
      password->str = stored;
    } else if (warnings != NULL && password->str[0] != '\0') {
      char *reason = row_problem(&c, row, realm, NULL);
      if (reason != NULL)
        g_ptr_array_add(warnings,
                        vgw_param_row_message(file_name ? file_name : "config",
                                              c.table, row,
                                              &c.table->columns[c.password],
                                              reason));
      g_free(reason);
    }
  }
}

VgwDigestUserLookup vgw_digest_users_find(const VgwParamConfig *cfg,
                                          const char *aor_user,
                                          const char *username,
                                          VgwDigestHa1 *ha1, char **reason) {
  Columns c = columns();
  gsize rows = vgw_param_config_row_count(cfg, VGW_TABLE_USER_INFO);

  for (gsize n = 0; n < rows; n++) {
    const VgwParamRow *row =
        vgw_param_config_row_at(cfg, VGW_TABLE_USER_INFO, n);
    const char *local = row->values[c.local].str;
    if (local[0] == '\0' || strcmp(local, aor_user) != 0 ||
        strcmp(row_user(&c, row), username) != 0)
      continue;
    char *problem = row_problem(&c, row, realm_of(cfg), ha1);
    if (problem == NULL) return VGW_DIGEST_USER_FOUND;
    *reason = g_strdup_printf("%s %u: password %s", c.table->name, row->index,
                              problem);
    g_free(problem);
    return VGW_DIGEST_USER_UNUSABLE;
  }
  return VGW_DIGEST_USER_UNKNOWN;
}
