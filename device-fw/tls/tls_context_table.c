/* TLSContexts rows: see tls_context_table.h. */
#include "tls/tls_context_table.h"

#include <string.h>

#include "param/param_registry.h"

/* cell returns |row|'s cell in column |column|. */
static const VgwParamValue *cell(const VgwParamRow *row, const char *column) {
  gssize c = vgw_param_find_column(vgw_param_table(VGW_TABLE_TLS_CONTEXTS),
                                   column, strlen(column));
  g_assert(c >= 0 && (gsize)c < row->n_values);
  return &row->values[c];
}

/* name_of returns the Name cell of |row|. */
static const char *name_of(const VgwParamRow *row) {
  return cell(row, "Name")->str;
}

gboolean vgw_tls_context_strict_names(const VgwParamConfig *cfg,
                                      guint index) {
  const VgwParamRow *row =
      vgw_param_config_find_row(cfg, VGW_TABLE_TLS_CONTEXTS, index);
  return row != NULL && cell(row, "StrictHostNameMatch")->num != 0;
}

gsize vgw_tls_context_count(const VgwParamConfig *cfg) {
  return vgw_param_config_row_count(cfg, VGW_TABLE_TLS_CONTEXTS);
}

guint vgw_tls_context_index_at(const VgwParamConfig *cfg, gsize n) {
  return vgw_param_config_row_at(cfg, VGW_TABLE_TLS_CONTEXTS, n)->index;
}

const char *vgw_tls_context_name(const VgwParamConfig *cfg, guint index) {
  gsize rows = vgw_param_config_row_count(cfg, VGW_TABLE_TLS_CONTEXTS);
  for (gsize r = 0; r < rows; r++) {
    const VgwParamRow *row =
        vgw_param_config_row_at(cfg, VGW_TABLE_TLS_CONTEXTS, r);
    if (row->index == index) {
      return name_of(row);
    }
  }
  return NULL;
}

guint vgw_tls_context_for_interface(const VgwParamConfig *cfg,
                                    const char *iface,
                                    const char *tls_context, char **why) {
  if (tls_context == NULL || *tls_context == '\0') {
    *why = g_strdup_printf("SIP Interface %s names no TLSContext", iface);
    return 0;
  }
  int index = vgw_tls_context_find(cfg, tls_context);
  if (index < 0) {
    *why = g_strdup_printf("SIP Interface %s's TLSContext %s is no "
                           "TLSContexts row",
                           iface, tls_context);
    return 0;
  }
  *why = g_strdup_printf("SIP Interface %s's TLSContext %s", iface,
                         tls_context);
  return (guint)index;
}

int vgw_tls_context_find(const VgwParamConfig *cfg, const char *name) {
  gsize rows = vgw_param_config_row_count(cfg, VGW_TABLE_TLS_CONTEXTS);
  for (gsize r = 0; r < rows; r++) {
    const VgwParamRow *row =
        vgw_param_config_row_at(cfg, VGW_TABLE_TLS_CONTEXTS, r);
    const char *n = name_of(row);
    if (n != NULL && g_ascii_strcasecmp(n, name) == 0) {
      return (int)row->index;
    }
  }
  return -1;
}
