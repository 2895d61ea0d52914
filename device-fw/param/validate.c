/*
 * Whole-configuration checks that single values cannot make: unique row
 * names, resolving references, SIP Interface ports that do not collide
 * (sip_interfaces.c) and ProxySet KeepAliveFailureResp code lists
 * (failure_codes.c). Run after every load, before the
 * loaded copy replaces the configuration.
 */
#include "param_config.h"

#include "failure_codes.h"
#include "param_row_error.h"
#include "param_value.h"
#include "sip_interfaces.h"

#include <string.h>

char *vgw_param_row_message(const char *file_name, const VgwTableDesc *table,
                            const VgwParamRow *row,
                            const VgwParamDesc *column, const char *reason) {
  char *where = row->line ? g_strdup_printf("%s:%u", file_name, row->line)
                          : g_strdup(file_name);
  char *message = g_strdup_printf("%s: %s %u: %s: %s", where, table->name,
                                  row->index, column->name, reason);
  g_free(where);
  return message;
}

void vgw_param_set_row_error(GError **error, gint code,
                             const char *file_name, const VgwTableDesc *table,
                             const VgwParamRow *row,
                             const VgwParamDesc *column, const char *reason) {
  char *message = vgw_param_row_message(file_name, table, row, column, reason);
  g_set_error_literal(error, VGW_PARAM_ERROR, code, message);
  g_free(message);
}

/* Row of table |t| whose name column equals |name| ignoring case. */
static const VgwParamRow *find_named_row(const VgwParamConfig *cfg, gsize t,
                                         const char *name) {
  const VgwTableDesc *table = vgw_param_table(t);
  if (table->name_column < 0) return NULL;
  for (gsize n = 0; n < vgw_param_config_row_count(cfg, t); n++) {
    const VgwParamRow *row = vgw_param_config_row_at(cfg, t, n);
    if (g_ascii_strcasecmp(row->values[table->name_column].str, name) == 0)
      return row;
  }
  return NULL;
}

static gboolean check_unique_names(const VgwParamConfig *cfg, gsize t,
                                   const char *file_name, GError **error) {
  const VgwTableDesc *table = vgw_param_table(t);
  if (table->name_column < 0) return TRUE;
  for (gsize n = 0; n < vgw_param_config_row_count(cfg, t); n++) {
    const VgwParamRow *row = vgw_param_config_row_at(cfg, t, n);
    const char *name = row->values[table->name_column].str;
    if (name[0] == '\0') continue;
    const VgwParamRow *first = find_named_row(cfg, t, name);
    if (first != row) {
      char *p = vgw_param_printable(name, strlen(name), 40);
      char *reason = g_strdup_printf("name '%s' already used by row %u", p,
                                     first->index);
      vgw_param_set_row_error(error, VGW_PARAM_ERROR_DUPLICATE, file_name,
                              table, row, &table->columns[table->name_column],
                              reason);
      g_free(reason);
      g_free(p);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean check_reference(const VgwParamConfig *cfg, gsize t,
                                const VgwParamRow *row, gsize c,
                                const char *file_name, GError **error) {
  const VgwTableDesc *table = vgw_param_table(t);
  const VgwParamDesc *col = &table->columns[c];
  gssize target = vgw_param_find_table(col->ref_table, strlen(col->ref_table));
  g_assert(target >= 0);
  const VgwParamValue *v = &row->values[c];
  char *reason = NULL;
  if (vgw_param_value_is_text(col)) {
    if (v->str[0] == '\0') {
      if (col->ref_required) reason = g_strdup("a name is required");
    } else if (!find_named_row(cfg, (gsize)target, v->str)) {
      char *p = vgw_param_printable(v->str, strlen(v->str), 40);
      reason = g_strdup_printf("no %s row named '%s'", col->ref_table, p);
      g_free(p);
    }
  } else if (v->num >= 0 || col->ref_required) {
    if (v->num < 0 || !vgw_param_config_find_row(cfg, (gsize)target, (guint)v->num))
      reason = g_strdup_printf("no %s row %" G_GINT64_FORMAT, col->ref_table,
                               v->num);
  }
  if (!reason) return TRUE;
  vgw_param_set_row_error(error, VGW_PARAM_ERROR_REFERENCE, file_name, table,
                          row, col, reason);
  g_free(reason);
  return FALSE;
}

gboolean vgw_param_config_validate(const VgwParamConfig *cfg,
                                   const char *file_name, GError **error) {
  if (!file_name) file_name = "config";
  if (!vgw_param_config_find_row(cfg, VGW_TABLE_TLS_CONTEXTS, 0)) {
    g_set_error(error, VGW_PARAM_ERROR, VGW_PARAM_ERROR_NOT_FOUND,
                "%s: TLSContexts 0: row 0 is missing", file_name);
    return FALSE;
  }
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++) {
    const VgwTableDesc *table = vgw_param_table(t);
    if (!check_unique_names(cfg, t, file_name, error)) return FALSE;
    for (gsize n = 0; n < vgw_param_config_row_count(cfg, t); n++) {
      const VgwParamRow *row = vgw_param_config_row_at(cfg, t, n);
      for (gsize c = 0; c < table->n_columns; c++)
        if (table->columns[c].ref_table &&
            !check_reference(cfg, t, row, c, file_name, error))
          return FALSE;
    }
  }
  return vgw_failure_codes_check(cfg, file_name, error) &&
         vgw_sip_interfaces_check(cfg, file_name, error);
}
