/* Registry invariants: the static table is consistent with itself. */
#include <string.h>

#include "param_registry.h"
#include "param_value.h"

/* Every default parses, is in range, and is already in canonical form. */
static void check_default(const char *where, const VgwParamDesc *d) {
  VgwParamValue v;
  char *reason = NULL;
  if (!vgw_param_value_parse(d, d->default_text, strlen(d->default_text), &v,
                             &reason))
    g_error("%s.%s: default '%s': %s", where, d->name, d->default_text,
            reason);
  char *back = vgw_param_value_format(d, &v);
  g_assert_cmpstr(back, ==, d->default_text);
  g_free(back);
  vgw_param_value_clear(&v);
}

static void check_desc(const char *where, const VgwParamDesc *d) {
  g_assert_nonnull(d->name);
  g_assert_nonnull(d->default_text);
  g_assert_nonnull(d->description);
  g_assert_null(strchr(d->description, '\n'));
  g_assert_cmpint(d->min, <=, d->max);
  if (d->type == VGW_PARAM_ENUM) {
    g_assert_cmpuint(d->n_enum_values, >, 0);
    for (gsize i = 1; i < d->n_enum_values; i++)
      g_assert_cmpint(d->enum_values[i - 1].value, <, d->enum_values[i].value);
  } else {
    g_assert_null(d->enum_values);
  }
  if (d->type == VGW_PARAM_STRING || d->type == VGW_PARAM_FILE_NAME)
    g_assert_cmpint(d->max, >, 0);
  check_default(where, d);
}

static void test_globals(void) {
  g_assert_cmpuint(vgw_param_global_count(), >, 0);
  for (gsize i = 0; i < vgw_param_global_count(); i++) {
    const VgwParamDesc *d = vgw_param_global(i);
    check_desc("global", d);
    g_assert_nonnull(d->group);
    g_assert_null(d->ref_table);
    /* Names unique, ignoring case as ini files do. */
    g_assert_cmpint(vgw_param_find_global(d->name, strlen(d->name)), ==, i);
    g_assert_cmpint(vgw_param_find_table(d->name, strlen(d->name)), <, 0);
  }
}

/* Globals of one group are contiguous, so docs and exports show each
 * group once. */
static void test_groups_contiguous(void) {
  GHashTable *done = g_hash_table_new(g_str_hash, g_str_equal);
  const char *group = NULL;
  for (gsize i = 0; i < vgw_param_global_count(); i++) {
    const VgwParamDesc *d = vgw_param_global(i);
    if (g_strcmp0(group, d->group) == 0) continue;
    g_assert_false(g_hash_table_contains(done, d->group));
    g_hash_table_add(done, (gpointer)d->group);
    group = d->group;
  }
  g_hash_table_unref(done);
}

static void test_tables(void) {
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++) {
    const VgwTableDesc *table = vgw_param_table(t);
    g_assert_cmpint(vgw_param_find_table(table->name, strlen(table->name)), ==,
                    t);
    g_assert_cmpuint(table->max_rows, >, 0);
    g_assert_nonnull(table->description);
    if (table->name_column >= 0)
      g_assert_cmpint(table->columns[table->name_column].type, ==,
                      VGW_PARAM_STRING);
    for (gsize c = 0; c < table->n_columns; c++) {
      const VgwParamDesc *col = &table->columns[c];
      char *where = g_strdup(table->name);
      check_desc(where, col);
      g_free(where);
      g_assert_cmpint(vgw_param_find_column(table, col->name,
                                            strlen(col->name)), ==, c);
      /* Pending covers globals only; apply_live copies tables whole. */
      g_assert_false(col->reset_needed);
      g_assert_cmpstr(col->name, !=, "Index");
    }
  }
}

static void test_references(void) {
  guint refs = 0;
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++) {
    const VgwTableDesc *table = vgw_param_table(t);
    for (gsize c = 0; c < table->n_columns; c++) {
      const VgwParamDesc *col = &table->columns[c];
      if (!col->ref_table) continue;
      refs++;
      gssize target = vgw_param_find_table(col->ref_table,
                                           strlen(col->ref_table));
      g_assert_cmpint(target, >=, 0);
      /* Dependency order: a table refers only to earlier tables. */
      g_assert_cmpint(target, <, t);
      const VgwTableDesc *to = vgw_param_table((gsize)target);
      if (col->type == VGW_PARAM_STRING) {
        g_assert_cmpint(to->name_column, >=, 0);
      } else {
        g_assert_cmpint(col->type, ==, VGW_PARAM_INTEGER);
        g_assert_cmpint(col->max, <, to->max_rows);
      }
    }
  }
  g_assert_cmpuint(refs, >=, 7);
}

static void test_required_names(void) {
  static const char *const globals[] = {
      "TLSVersion", "TLSReHandshakeInterval", "SIPSRequireClientCertificate",
      "PeerHostNameVerificationMode", "VerifyServerCertificate",
      "TLSRemoteSubjectName", "HTTPSCertFileName", "HTTPSRootFileName",
      "HTTPSPkeyFileName", "SIPTransportType", "TLSLocalSIPPort", "EnableSIPS",
      "SyslogServerIP", "GwDebugLevel", "LANIPMode", "LANIPAddress",
      "LANPrefixLength", "LANDefaultGateway", "WANIPMode",
      "MaintenanceUserName", "MaintenancePassword"};
  for (gsize i = 0; i < G_N_ELEMENTS(globals); i++)
    g_assert_cmpint(vgw_param_find_global(globals[i], strlen(globals[i])), >=,
                    0);
  const VgwTableDesc *sip = vgw_param_table(VGW_TABLE_SIP_INTERFACE);
  g_assert_cmpstr(sip->name, ==, "SIPInterface");
  g_assert_cmpint(vgw_param_find_column(sip, "TLSMutualAuthentication", 23),
                  >=, 0);
  g_assert_true(vgw_param_table(VGW_TABLE_TLS_CONTEXTS)->row0_permanent);
}

static void test_6_4_values(void) {
  gssize i = vgw_param_find_global("TLSVersion", 10);
  const VgwParamDesc *d = vgw_param_global((gsize)i);
  g_assert_cmpint(d->type, ==, VGW_PARAM_ENUM);
  g_assert_cmpuint(d->n_enum_values, ==, 2);
  g_assert_true(d->reset_needed);
  g_assert_nonnull(d->note);
  d = vgw_param_global((gsize)vgw_param_find_global("TLSReHandshakeInterval",
                                                    22));
  g_assert_cmpint(d->max, ==, 1500);
  d = vgw_param_global((gsize)vgw_param_find_global("PeerHostNameVerificationMode",
                                                    28));
  g_assert_cmpuint(d->n_enum_values, ==, 3);
  g_assert_nonnull(d->note);
}

static void test_lookup_case_and_prefix(void) {
  g_assert_cmpint(vgw_param_find_global("SIPTRANSPORTTYPE", 16), ==,
                  vgw_param_find_global("SIPTransportType", 16));
  g_assert_cmpint(vgw_param_find_global("SIPTransportTyp", 15), ==, -1);
  g_assert_cmpint(vgw_param_find_global("SIPTransportTypeX", 17), ==, -1);
  const VgwTableDesc *ctx = vgw_param_table(VGW_TABLE_TLS_CONTEXTS);
  g_assert_cmpint(vgw_param_find_column(ctx, "TLSContexts_Name", 16), ==, 0);
  g_assert_cmpint(vgw_param_find_column(ctx, "tlscontexts_name", 16), ==, 0);
  g_assert_cmpint(vgw_param_find_column(ctx, "NAME", 4), ==, 0);
  g_assert_cmpint(vgw_param_find_column(ctx, "ProxySet_Name", 13), ==, -1);
  g_assert_cmpint(vgw_param_find_column(ctx, "TLSContexts_", 12), ==, -1);
  g_assert_cmpint(vgw_param_find_table("tlscontexts", 11), ==,
                  VGW_TABLE_TLS_CONTEXTS);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/param/registry/globals", test_globals);
  g_test_add_func("/param/registry/groups-contiguous", test_groups_contiguous);
  g_test_add_func("/param/registry/tables", test_tables);
  g_test_add_func("/param/registry/references", test_references);
  g_test_add_func("/param/registry/required-names", test_required_names);
  g_test_add_func("/param/registry/6.4-values", test_6_4_values);
  g_test_add_func("/param/registry/lookup", test_lookup_case_and_prefix);
  return g_test_run();
}
