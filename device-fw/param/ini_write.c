/*
 * The ini exporter. It writes every global and every column of every row,
 * so the file is complete on its own: a full load of it reproduces the
 * configuration exactly. Strings are always quoted (single quotes for
 * globals, double quotes in tables, as real exports do), picking the other
 * quote when the text holds one; values never hold both (param_value.c).
 */
#include "param_ini.h"

#include "param_value.h"

#include <string.h>

static void append_value(GString *out, const VgwParamDesc *desc,
                         const VgwParamValue *v, char quote) {
  char *text = vgw_param_value_format(desc, v);
  if (vgw_param_value_is_text(desc)) {
    char other = quote == '"' ? '\'' : '"';
    char q = strchr(text, quote) ? other : quote;
    g_string_append_printf(out, "%c%s%c", q, text, q);
  } else {
    g_string_append(out, text);
  }
  g_free(text);
}

static void append_globals(GString *out, const VgwParamConfig *cfg) {
  const char *group = NULL;
  for (gsize i = 0; i < vgw_param_global_count(); i++) {
    const VgwParamDesc *desc = vgw_param_global(i);
    if (g_strcmp0(group, desc->group) != 0) {
      group = desc->group;
      g_string_append_printf(out, "\r\n[%s Params]\r\n", group);
    }
    g_string_append_printf(out, "%s = ", desc->name);
    append_value(out, desc, vgw_param_config_global(cfg, i), '\'');
    g_string_append(out, "\r\n");
  }
}

static void append_table(GString *out, const VgwParamConfig *cfg, gsize t) {
  const VgwTableDesc *table = vgw_param_table(t);
  g_string_append_printf(out, "\r\n[ %s ]\r\n\r\nFORMAT Index = ", table->name);
  for (gsize c = 0; c < table->n_columns; c++)
    g_string_append_printf(out, "%s%s", c ? ", " : "", table->columns[c].name);
  g_string_append(out, ";\r\n");
  for (gsize n = 0; n < vgw_param_config_row_count(cfg, t); n++) {
    const VgwParamRow *row = vgw_param_config_row_at(cfg, t, n);
    g_string_append_printf(out, "%s %u = ", table->name, row->index);
    for (gsize c = 0; c < table->n_columns; c++) {
      if (c) g_string_append(out, ", ");
      append_value(out, &table->columns[c], &row->values[c], '"');
    }
    g_string_append(out, ";\r\n");
  }
  g_string_append_printf(out, "\r\n[ \\%s ]\r\n", table->name);
}

char *vgw_ini_export(const VgwParamConfig *cfg) {
  GString *out = g_string_new(";** vgw ini file **\r\n");
  append_globals(out, cfg);
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++) append_table(out, cfg, t);
  return g_string_free(out, FALSE);
}
