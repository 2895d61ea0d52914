/* Secret parameters (param_secret.h), the registrar's users' Digest
 * passwords (digest_users.h) and the strict base64 decoder
 * (vgw_base64.h). */
#include <string.h>

#include "digest_users.h"
#include "param_config.h"
#include "param_ini.h"
#include "param_secret.h"
#include "param_value.h"
#include "vgw_base64.h"

static const VgwParamDesc *password_desc(gsize *index) {
  gssize i = vgw_param_find_global("MaintenancePassword", 19);
  g_assert_cmpint(i, >=, 0);
  *index = (gsize)i;
  return vgw_param_global(*index);
}

/* The factory default is the stored form of "Admin". */
static void test_factory_default(void) {
  gsize i;
  const VgwParamDesc *desc = password_desc(&i);
  g_assert_cmpint(desc->secret, ==, VGW_SECRET_LOGIN);
  g_assert_true(vgw_secret_verify(desc->default_text, "Admin"));
  g_assert_false(vgw_secret_verify(desc->default_text, "admin"));
  g_assert_false(vgw_secret_verify(desc->default_text, ""));
  VgwParamConfig *cfg = vgw_param_config_new();
  g_assert_cmpstr(vgw_param_config_global(cfg, i)->str, ==,
                  desc->default_text);
  char *shown = vgw_param_value_display(desc, vgw_param_config_global(cfg, i));
  g_assert_cmpstr(shown, ==, "*****");
  g_free(shown);
  vgw_param_config_free(cfg);
}

/* A password in clear is hashed with a fresh salt each time; the stored
 * form is accepted back as it is. */
static void test_hash_and_reload(void) {
  char *reason = NULL;
  char *a = vgw_secret_login_hash("pw", 2);
  char *b = vgw_secret_login_hash("pw", 2);
  g_assert_nonnull(a);
  g_assert_true(g_str_has_prefix(a, "$pbkdf2-sha256$10000$"));
  g_assert_cmpstr(a, !=, b);
  g_assert_true(vgw_secret_verify(a, "pw"));
  g_assert_true(vgw_secret_verify(b, "pw"));
  g_assert_false(vgw_secret_verify(a, "pw "));
  char *again = vgw_secret_canonical(VGW_SECRET_LOGIN, a, strlen(a), &reason);
  g_assert_cmpstr(again, ==, a);
  g_free(again);
  g_free(a);
  g_free(b);
  g_assert_null(reason);
}

/* A value that claims to be a stored form must be one; the reason never
 * quotes the value. */
static void test_malformed_stored_forms(void) {
  static const struct {
    const char *text, *why;
  } cases[] = {
      {"$pbkdf2-sha256$", "bad iteration count"},
      {"$pbkdf2-sha256$x$AAAAAAAAAAA=$", "iteration count outside 1000..100000"},
      {"$pbkdf2-sha256$999$AAAAAAAAAAA=$", "iteration count outside 1000..100000"},
      {"$pbkdf2-sha256$100001$AAAAAAAAAAA=$", "iteration count outside 1000..100000"},
      {"$pbkdf2-sha256$1000$AAAA$", "salt is not 8 to 64 bytes of base64"},
      {"$pbkdf2-sha256$1000$AAAAAAAAAAA*$", "salt is not 8 to 64 bytes of base64"},
      {"$pbkdf2-sha256$1000$AAAAAAAAAAA=", "hash is not 32 bytes of base64"},
      {"$pbkdf2-sha256$1000$AAAAAAAAAAA=$AAAA", "hash is not 32 bytes of base64"},
      {"$pbkdf2-sha256$1000$AAAAAAAAAAA=$"
       "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=$",
       "hash is not 32 bytes of base64"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *reason = NULL;
    g_assert_null(vgw_secret_canonical(VGW_SECRET_LOGIN, cases[i].text,
                                       strlen(cases[i].text), &reason));
    char *want = g_strdup_printf("malformed $pbkdf2-sha256$... hash: %s",
                                 cases[i].why);
    g_assert_cmpstr(reason, ==, want);
    g_free(want);
    g_free(reason);
    g_assert_false(vgw_secret_verify(cases[i].text, ""));
  }
  /* The smallest well-formed one. */
  const char *ok = "$pbkdf2-sha256$1000$AAAAAAAAAAA=$"
                   "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
  char *reason = NULL;
  char *stored = vgw_secret_canonical(VGW_SECRET_LOGIN, ok, strlen(ok),
                                      &reason);
  g_assert_cmpstr(stored, ==, ok);
  g_free(stored);
}

/* The clear text of a secret obeys the parameter's limits. */
static void test_clear_text_limits(void) {
  gsize i;
  const VgwParamDesc *desc = password_desc(&i);
  VgwParamValue v = {0};
  char *reason = NULL;
  const char *long_pw = "0123456789012345678901234567890123";
  g_assert_false(vgw_param_value_parse(desc, long_pw, strlen(long_pw), &v,
                                       &reason));
  g_assert_cmpstr(reason, ==, "longer than 31 characters");
  g_clear_pointer(&reason, g_free);
  g_assert_false(vgw_param_value_parse(desc, "a\tb", 3, &v, &reason));
  g_assert_cmpstr(reason, ==, "control character \\x09 in value");
  g_free(reason);
}

static void test_base64(void) {
  static const struct {
    const char *text;
    const char *bytes; /* NULL: refused */
  } cases[] = {
      {"QUJD", "ABC"},     {"QUI=", "AB"},    {"QQ==", "A"},
      {"", NULL},          {"QUJ", NULL},     {"QU*D", NULL},
      {"QQ==QUJD", NULL},  {"Q===", NULL},    {"QUJD\n", NULL},
      {" QUJD", NULL},     {"QU-D", NULL},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    gsize n = 0;
    guchar *out = vgw_base64_decode(cases[i].text, strlen(cases[i].text), &n);
    if (cases[i].bytes == NULL) {
      g_assert_null(out);
      continue;
    }
    g_assert_nonnull(out);
    g_assert_cmpmem(out, n, cases[i].bytes, strlen(cases[i].bytes));
    g_free(out);
  }
}

/* ---- Digest passwords ---- */

#define MUFASA_MD5 "939e7578ed9e3c518a452acee763bce9"
#define MUFASA_SHA256 \
  "3ba6cd94661c5ef34598040c868f13b8775df29109986be50ad35ae537dd3aa4"

/* The HA1s are H(user:realm:password) (RFC 2617 §3.5's example for MD5),
 * with the realm and user they were made for. */
static void test_digest_known_answer(void) {
  char *stored = vgw_secret_digest_store("testrealm@host.com", "Mufasa",
                                         "Circle Of Life", 14);
  g_assert_cmpstr(stored, ==,
                  "$digest-ha1$testrealm@host.com$Mufasa$" MUFASA_MD5
                  "$" MUFASA_SHA256);
  VgwDigestHa1 h;
  char *reason = NULL;
  g_assert_true(vgw_secret_digest_parse(stored, &h, &reason));
  g_assert_cmpstr(h.realm, ==, "testrealm@host.com");
  g_assert_cmpstr(h.user, ==, "Mufasa");
  g_assert_cmpstr(h.ha1[VGW_DIGEST_MD5], ==, MUFASA_MD5);
  g_assert_cmpstr(h.ha1[VGW_DIGEST_SHA256], ==, MUFASA_SHA256);
  vgw_digest_ha1_clear(&h);
  g_free(stored);
}

/* A realm and user with '$', '%', both quotes and a space survive the
 * stored form, which holds none of them raw; non-canonical spellings
 * (lower-case escapes, upper-case hex, needless escapes) load back in
 * canonical spelling. */
static void test_digest_escaping(void) {
  const char *realm = "a$b%c d";
  const char *user = "o'neil\"x";
  char *stored = vgw_secret_digest_store(realm, user, "pw", 2);
  g_assert_null(strpbrk(stored, "'\" "));
  VgwDigestHa1 h;
  char *reason = NULL;
  g_assert_true(vgw_secret_digest_parse(stored, &h, &reason));
  g_assert_cmpstr(h.realm, ==, realm);
  g_assert_cmpstr(h.user, ==, user);
  vgw_digest_ha1_clear(&h);
  g_assert_true(g_str_has_prefix(stored, "$digest-ha1$a%24b%25c%20d$o%27neil%22x$"));

  const char *odd = "$digest-ha1$%6cab$Al%69ce$" MUFASA_MD5 "$"
                    "3BA6CD94661C5EF34598040C868F13B8775DF29109986BE50AD35AE"
                    "537DD3AA4";
  char *canonical =
      vgw_secret_canonical(VGW_SECRET_DIGEST_HA1, odd, strlen(odd), &reason);
  g_assert_cmpstr(canonical, ==,
                  "$digest-ha1$lab$Alice$" MUFASA_MD5 "$" MUFASA_SHA256);
  g_assert_null(reason);
  g_free(canonical);
  g_free(stored);
}

/* A value that claims to be a Digest stored form must be one; the reason
 * never quotes the value. */
static void test_digest_malformed(void) {
  static const struct {
    const char *text, *why;
  } cases[] = {
      {"$digest-ha1$", "MD5 HA1 is not 32 hex digits"},
      {"$digest-ha1$lab$alice$", "MD5 HA1 is not 32 hex digits"},
      {"$digest-ha1$lab$alice$939e7578ed9e3c518a452acee763bce$" MUFASA_SHA256,
       "MD5 HA1 is not 32 hex digits"},
      {"$digest-ha1$lab$alice$939e7578ed9e3c518a452acee763bceg$" MUFASA_SHA256,
       "MD5 HA1 is not 32 hex digits"},
      {"$digest-ha1$lab$alice$" MUFASA_MD5, "SHA-256 HA1 is not 64 hex digits"},
      {"$digest-ha1$lab$alice$" MUFASA_MD5 "$" MUFASA_MD5,
       "SHA-256 HA1 is not 64 hex digits"},
      {"$digest-ha1$lab$alice$" MUFASA_MD5 "$" MUFASA_SHA256 "$",
       "text after the SHA-256 HA1"},
      {"$digest-ha1$lab$alice$" MUFASA_MD5 "$" MUFASA_SHA256 "$x",
       "text after the SHA-256 HA1"},
      {"$digest-ha1$la%2$alice$" MUFASA_MD5 "$" MUFASA_SHA256,
       "'%' not followed by two hex digits"},
      {"$digest-ha1$lab$al%0aice$" MUFASA_MD5 "$" MUFASA_SHA256,
       "a control character"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *reason = NULL;
    VgwDigestHa1 h;
    g_assert_null(vgw_secret_canonical(VGW_SECRET_DIGEST_HA1, cases[i].text,
                                       strlen(cases[i].text), &reason));
    char *want = g_strdup_printf("malformed $digest-ha1$... value: %s",
                                 cases[i].why);
    g_assert_cmpstr(reason, ==, want);
    g_clear_pointer(&reason, g_free);
    g_assert_false(vgw_secret_digest_parse(cases[i].text, &h, &reason));
    g_assert_cmpstr(reason, ==, want);
    g_assert_null(h.realm);
    g_free(want);
    g_free(reason);
  }
}

static gsize user_table(const VgwTableDesc **table, gsize *password) {
  gssize t = vgw_param_find_table("SBCUserInfoTable", 16);
  g_assert_cmpint(t, ==, VGW_TABLE_USER_INFO);
  *table = vgw_param_table((gsize)t);
  gssize c = vgw_param_find_column(*table, "Password", 8);
  g_assert_cmpint(c, >=, 0);
  *password = (gsize)c;
  return (gsize)t;
}

/* SBCUserInfoTable's Password is the one Digest secret: a clear value is
 * held marked until sealed, and shown masked; a stored form is taken as
 * it is. */
static void test_digest_column(void) {
  const VgwTableDesc *table;
  gsize c;
  user_table(&table, &c);
  const VgwParamDesc *desc = &table->columns[c];
  VgwParamValue v = {0};
  char *reason = NULL;

  g_assert_cmpint(desc->secret, ==, VGW_SECRET_DIGEST_HA1);
  g_assert_true(vgw_param_value_parse(desc, "pw-1", 4, &v, &reason));
  g_assert_cmpint(v.num, ==, VGW_PARAM_CLEAR_SECRET);
  char *shown = vgw_param_value_display(desc, &v);
  g_assert_cmpstr(shown, ==, VGW_SECRET_MASK);
  g_free(shown);
  vgw_param_value_clear(&v);

  const char *stored = "$digest-ha1$lab$alice$" MUFASA_MD5 "$" MUFASA_SHA256;
  g_assert_true(vgw_param_value_parse(desc, stored, strlen(stored), &v,
                                      &reason));
  g_assert_cmpint(v.num, ==, 0);
  g_assert_cmpstr(v.str, ==, stored);
  vgw_param_value_clear(&v);

  /* The clear text is bounded like any text; an empty one is no
   * password, not a secret to seal. */
  const char *long_pw = "012345678901234567890123456789012345678901234567890";
  g_assert_false(vgw_param_value_parse(desc, long_pw, strlen(long_pw), &v,
                                       &reason));
  g_assert_cmpstr(reason, ==, "longer than 50 characters");
  g_clear_pointer(&reason, g_free);
  g_assert_true(vgw_param_value_parse(desc, "", 0, &v, &reason));
  g_assert_cmpint(v.num, ==, 0);
  vgw_param_value_clear(&v);

  /* No other column and no global is a Digest secret: the seal knows only
   * this one. */
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++)
    for (gsize k = 0; k < vgw_param_table(t)->n_columns; k++)
      if (vgw_param_table(t)->columns[k].secret == VGW_SECRET_DIGEST_HA1)
        g_assert_true(t == VGW_TABLE_USER_INFO && k == c);
  for (gsize i = 0; i < vgw_param_global_count(); i++)
    g_assert_cmpint(vgw_param_global(i)->secret, !=, VGW_SECRET_DIGEST_HA1);
}

/* An ini file whose realm comes after the table: the passwords are sealed
 * with the realm the load ends with, and with each row's Digest user
 * name (Username, else LocalUser). */
static const char USERS_INI[] =
    "[ SBCUserInfoTable ]\n"
    "FORMAT Index = Password, LocalUser, Username\n"
    "SBCUserInfoTable 0 = alice-pw, alice, ;\n"
    "SBCUserInfoTable 1 = bob-pw, bob, bob-auth;\n"
    "SBCUserInfoTable 2 = , carol, ;\n"
    "[ \\SBCUserInfoTable ]\n"
    "RegistrarAuthRealm = lab\n";

static VgwParamConfig *load(const char *ini, GPtrArray *warnings) {
  VgwParamConfig *cfg = vgw_param_config_new();
  GError *error = NULL;
  g_assert_true(vgw_ini_load(cfg, ini, strlen(ini), "users.ini", VGW_INI_FULL,
                             warnings, &error));
  g_assert_no_error(error);
  return cfg;
}

static const char *password_of_row(const VgwParamConfig *cfg, guint index) {
  const VgwTableDesc *table;
  gsize c;
  gsize t = user_table(&table, &c);
  VgwParamRow *row = vgw_param_config_find_row(cfg, t, index);
  g_assert_nonnull(row);
  return row->values[c].str;
}

static void test_digest_seal_and_round_trip(void) {
  GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
  VgwParamConfig *cfg = load(USERS_INI, warnings);
  g_assert_cmpuint(warnings->len, ==, 0);

  char *alice = vgw_secret_digest_store("lab", "alice", "alice-pw", 8);
  char *bob = vgw_secret_digest_store("lab", "bob-auth", "bob-pw", 6);
  g_assert_cmpstr(password_of_row(cfg, 0), ==, alice);
  g_assert_cmpstr(password_of_row(cfg, 1), ==, bob);
  g_assert_cmpstr(password_of_row(cfg, 2), ==, "");
  g_assert_true(g_str_has_prefix(alice,
                                 "$digest-ha1$lab$alice$9c82dcffb5de29fb51d"));

  /* The export holds the stored forms, never the clear text, and loads
   * back to an equal configuration. */
  char *ini = vgw_ini_export(cfg);
  g_assert_null(strstr(ini, "alice-pw"));
  g_assert_null(strstr(ini, "bob-pw"));
  g_assert_nonnull(strstr(ini, alice));
  VgwParamConfig *again = load(ini, warnings);
  g_assert_true(vgw_param_config_equal(cfg, again));
  g_assert_cmpuint(warnings->len, ==, 0);

  VgwDigestHa1 h;
  char *reason = NULL;
  g_assert_cmpint(vgw_digest_users_find(again, "alice", "alice", &h, &reason),
                  ==, VGW_DIGEST_USER_FOUND);
  g_assert_cmpstr(h.ha1[VGW_DIGEST_MD5], ==,
                  "9c82dcffb5de29fb51d10d18aa15e5dd");
  vgw_digest_ha1_clear(&h);
  g_assert_cmpint(vgw_digest_users_find(again, "bob", "bob-auth", &h, &reason),
                  ==, VGW_DIGEST_USER_FOUND);
  vgw_digest_ha1_clear(&h);
  /* bob's name for alice's AOR, or bob by his LocalUser: nobody. */
  g_assert_cmpint(vgw_digest_users_find(again, "alice", "bob-auth", &h,
                                        &reason),
                  ==, VGW_DIGEST_USER_UNKNOWN);
  g_assert_cmpint(vgw_digest_users_find(again, "bob", "bob", &h, &reason), ==,
                  VGW_DIGEST_USER_UNKNOWN);
  g_assert_cmpint(vgw_digest_users_find(again, "carol", "carol", &h, &reason),
                  ==, VGW_DIGEST_USER_UNUSABLE);
  g_assert_cmpstr(reason, ==, "SBCUserInfoTable 2: password not set");
  g_clear_pointer(&reason, g_free);

  g_free(ini);
  g_free(alice);
  g_free(bob);
  vgw_param_config_free(again);
  vgw_param_config_free(cfg);
  g_ptr_array_unref(warnings);
}

/* A new realm or user name leaves the stored form bound to the old one:
 * the lookup refuses the user and says what to do, a load warns; setting
 * the password again fixes it. */
static void test_digest_rebinding(void) {
  GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
  VgwParamConfig *cfg = load(USERS_INI, NULL);
  const char *change =
      "RegistrarAuthRealm = 'new realm'\n"
      "[ SBCUserInfoTable ]\n"
      "FORMAT Index = Username\n"
      "SBCUserInfoTable 1 = robert;\n"
      "[ \\SBCUserInfoTable ]\n";
  GError *error = NULL;
  g_assert_true(vgw_ini_load(cfg, change, strlen(change), "change.ini",
                             VGW_INI_INCREMENTAL, warnings, &error));
  g_assert_cmpuint(warnings->len, ==, 2);
  g_assert_cmpstr(warnings->pdata[0], ==,
                  "change.ini: SBCUserInfoTable 0: Password: stored for realm "
                  "lab, realm is now new realm: set it again");
  g_assert_cmpstr(warnings->pdata[1], ==,
                  "change.ini:4: SBCUserInfoTable 1: Password: stored for "
                  "realm lab, realm is now new realm: set it again");

  VgwDigestHa1 h;
  char *reason = NULL;
  g_assert_cmpint(vgw_digest_users_find(cfg, "alice", "alice", &h, &reason),
                  ==, VGW_DIGEST_USER_UNUSABLE);
  g_assert_cmpstr(reason, ==,
                  "SBCUserInfoTable 0: password stored for realm lab, realm "
                  "is now new realm: set it again");
  g_clear_pointer(&reason, g_free);

  /* Back in realm lab, bob's row is still bound to his old name. */
  const char *back = "RegistrarAuthRealm = lab\n";
  g_ptr_array_set_size(warnings, 0);
  g_assert_true(vgw_ini_load(cfg, back, strlen(back), "back.ini",
                             VGW_INI_INCREMENTAL, warnings, &error));
  g_assert_cmpuint(warnings->len, ==, 1);
  g_assert_cmpstr(warnings->pdata[0], ==,
                  "back.ini: SBCUserInfoTable 1: Password: stored for user "
                  "name bob-auth, user name is now robert: set it again");
  g_assert_cmpint(vgw_digest_users_find(cfg, "alice", "alice", &h, &reason),
                  ==, VGW_DIGEST_USER_FOUND);
  vgw_digest_ha1_clear(&h);
  g_assert_cmpint(vgw_digest_users_find(cfg, "bob", "robert", &h, &reason),
                  ==, VGW_DIGEST_USER_UNUSABLE);
  g_assert_cmpstr(reason, ==,
                  "SBCUserInfoTable 1: password stored for user name "
                  "bob-auth, user name is now robert: set it again");
  g_clear_pointer(&reason, g_free);

  /* Setting it again (a table-set: a cell, then the seal). */
  const VgwTableDesc *table;
  gsize c;
  gsize t = user_table(&table, &c);
  VgwParamRow *row = vgw_param_config_find_row(cfg, t, 1);
  g_assert_true(vgw_param_config_set_cell(row, t, c, "bob-pw", 6, &reason));
  vgw_digest_users_seal(cfg, "table-set", NULL);
  char *robert = vgw_secret_digest_store("lab", "robert", "bob-pw", 6);
  g_assert_cmpstr(password_of_row(cfg, 1), ==, robert);
  g_assert_cmpint(vgw_digest_users_find(cfg, "bob", "robert", &h, &reason),
                  ==, VGW_DIGEST_USER_FOUND);
  vgw_digest_ha1_clear(&h);

  g_free(robert);
  vgw_param_config_free(cfg);
  g_ptr_array_unref(warnings);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/param/secret/factory-default", test_factory_default);
  g_test_add_func("/param/secret/hash-and-reload", test_hash_and_reload);
  g_test_add_func("/param/secret/malformed", test_malformed_stored_forms);
  g_test_add_func("/param/secret/clear-text-limits", test_clear_text_limits);
  g_test_add_func("/param/secret/digest/known-answer", test_digest_known_answer);
  g_test_add_func("/param/secret/digest/escaping", test_digest_escaping);
  g_test_add_func("/param/secret/digest/malformed", test_digest_malformed);
  g_test_add_func("/param/secret/digest/column", test_digest_column);
  g_test_add_func("/param/secret/digest/seal-and-round-trip",
                  test_digest_seal_and_round_trip);
  g_test_add_func("/param/secret/digest/rebinding", test_digest_rebinding);
  g_test_add_func("/param/base64", test_base64);
  return g_test_run();
}
