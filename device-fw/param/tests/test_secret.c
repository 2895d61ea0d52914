/* Secret parameters (param_secret.h) and the strict base64 decoder
 * (vgw_base64.h). */
#include <string.h>

#include "param_config.h"
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
  g_assert_true(desc->secret);
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
  char *a = vgw_secret_store("pw", 2, &reason);
  char *b = vgw_secret_store("pw", 2, &reason);
  g_assert_nonnull(a);
  g_assert_true(g_str_has_prefix(a, "$pbkdf2-sha256$10000$"));
  g_assert_cmpstr(a, !=, b);
  g_assert_true(vgw_secret_verify(a, "pw"));
  g_assert_true(vgw_secret_verify(b, "pw"));
  g_assert_false(vgw_secret_verify(a, "pw "));
  char *again = vgw_secret_store(a, strlen(a), &reason);
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
    g_assert_null(vgw_secret_store(cases[i].text, strlen(cases[i].text),
                                   &reason));
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
  char *stored = vgw_secret_store(ok, strlen(ok), &reason);
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

/* A masked column (SBCUserInfoTable's Digest Password) is held as given
 * and only shown masked. */
static void test_masked_column(void) {
  gssize t = vgw_param_find_table("SBCUserInfoTable", 16);
  g_assert_cmpint(t, >=, 0);
  const VgwTableDesc *table = vgw_param_table((gsize)t);
  gssize c = vgw_param_find_column(table, "Password", 8);
  g_assert_cmpint(c, >=, 0);
  const VgwParamDesc *desc = &table->columns[c];
  VgwParamValue v = {0};
  char *reason = NULL;

  g_assert_true(desc->masked);
  g_assert_false(desc->secret);
  g_assert_true(vgw_param_value_parse(desc, "pw-1", 4, &v, &reason));
  char *held = vgw_param_value_format(desc, &v);
  char *shown = vgw_param_value_display(desc, &v);
  g_assert_cmpstr(held, ==, "pw-1");
  g_assert_cmpstr(shown, ==, VGW_SECRET_MASK);
  g_free(held);
  g_free(shown);
  vgw_param_value_clear(&v);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/param/secret/factory-default", test_factory_default);
  g_test_add_func("/param/secret/hash-and-reload", test_hash_and_reload);
  g_test_add_func("/param/secret/malformed", test_malformed_stored_forms);
  g_test_add_func("/param/secret/clear-text-limits", test_clear_text_limits);
  g_test_add_func("/param/secret/masked-column", test_masked_column);
  g_test_add_func("/param/base64", test_base64);
  return g_test_run();
}
