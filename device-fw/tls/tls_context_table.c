/* TLSContexts rows: see tls_context_table.h. */
#include "tls/tls_context_table.h"

#include <string.h>

#include "param/param_registry.h"
#include "param/sip_interfaces.h"

/* table_cell returns |row|'s cell in column |column| of table |t|. */
static const VgwParamValue *table_cell(const VgwParamRow *row, gsize t,
                                       const char *column) {
  gssize c = vgw_param_find_column(vgw_param_table(t), column, strlen(column));
  g_assert(c >= 0 && (gsize)c < row->n_values);
  return &row->values[c];
}

/* cell returns TLSContexts |row|'s cell in column |column|. */
static const VgwParamValue *cell(const VgwParamRow *row, const char *column) {
  return table_cell(row, VGW_TABLE_TLS_CONTEXTS, column);
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

/* interface_context returns the context of the SIP Interface named
 * |iface| (as vgw_tls_context_for_interface), -1 if there is none. */
static int interface_context(const VgwParamConfig *cfg, const char *iface,
                             char **why) {
  VgwSipIface ifaces[VGW_SIP_IFACE_MAX];
  gsize n = vgw_sip_interfaces_read(cfg, ifaces);

  for (gsize i = 0; i < n; i++) {
    if (ifaces[i].row != VGW_SIP_IFACE_IMPLICIT &&
        g_ascii_strcasecmp(ifaces[i].name, iface) == 0) {
      return (int)vgw_tls_context_for_interface(cfg, ifaces[i].name,
                                                ifaces[i].tls_context, why);
    }
  }
  return -1;
}

guint vgw_tls_context_for_proxy_set(const VgwParamConfig *cfg,
                                    guint set_row, char **why) {
  const gsize t = VGW_TABLE_PROXY_SET;
  const VgwParamRow *row = vgw_param_config_find_row(cfg, t, set_row);
  g_return_val_if_fail(row != NULL, 0);
  const char *set_name = table_cell(row, t, "ProxyName")->str;
  g_autofree char *set = set_name != NULL && set_name[0] != '\0'
                             ? g_strdup_printf("Proxy Set %s", set_name)
                             : g_strdup_printf("Proxy Set %u", set_row);
  const char *own = table_cell(row, t, "TLSContextName")->str;
  const char *ifaces[] = {table_cell(row, t, "GWIPv4SIPInterfaceName")->str,
                          table_cell(row, t, "SBCIPv4SIPInterfaceName")->str};
  int index = own != NULL && own[0] != '\0' ? vgw_tls_context_find(cfg, own)
                                              : -1;

  if (index >= 0) {
    *why = g_strdup_printf("%s's TLSContextName %s", set, own);
    return (guint)index;
  }
  for (gsize k = 0; k < G_N_ELEMENTS(ifaces); k++) {
    g_autofree char *iface_why = NULL;
    if (ifaces[k] == NULL || ifaces[k][0] == '\0' ||
        (index = interface_context(cfg, ifaces[k], &iface_why)) < 0) {
      continue;
    }
    *why = g_strdup_printf("%s names no TLSContextName: %s", set, iface_why);
    return (guint)index;
  }
  *why = g_strdup_printf("default: %s names no TLSContextName and no SIP "
                         "Interface",
                         set);
  return 0;
}
