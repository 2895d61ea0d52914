/* KeepAliveFailureResp: see failure_codes.h. */
#include "failure_codes.h"

#include <string.h>

#include "param_registry.h"
#include "param_row_error.h"
#include "param_value.h"

gboolean vgw_failure_codes_parse(const char *text, VgwFailureCodes *out,
                                 GError **error) {
  VgwFailureCodes parsed = {0};
  char **items = g_strsplit(text, ",", -1);
  gboolean ok = TRUE;

  /* A lone empty item is an empty list; an empty item among others is
   * not a code. */
  gboolean empty_list = items[0] == NULL ||
                        (items[1] == NULL && g_strstrip(items[0])[0] == '\0');
  for (guint k = 0; ok && !empty_list && items[k] != NULL; k++) {
    const char *item = g_strstrip(items[k]);
    guint64 code = 0;
    if (parsed.n == VGW_FAILURE_CODES_MAX) {
      g_set_error(error, VGW_PARAM_ERROR, VGW_PARAM_ERROR_VALUE,
                  "more than %d codes", VGW_FAILURE_CODES_MAX);
      ok = FALSE;
    } else if (!g_ascii_string_to_unsigned(item, 10, 300, 699, &code, NULL)) {
      char *shown = vgw_param_printable(item, strlen(item), 20);
      g_set_error(error, VGW_PARAM_ERROR, VGW_PARAM_ERROR_VALUE,
                  "'%s' is not a SIP failure code (300-699)", shown);
      g_free(shown);
      ok = FALSE;
    } else {
      parsed.codes[parsed.n++] = (guint)code;
    }
  }
  g_strfreev(items);
  if (ok) {
    *out = parsed;
  }
  return ok;
}

gboolean vgw_failure_codes_check(const VgwParamConfig *cfg,
                                 const char *file_name, GError **error) {
  const gsize t = VGW_TABLE_PROXY_SET;
  const VgwTableDesc *table = vgw_param_table(t);
  gssize c = vgw_param_find_column(table, "KeepAliveFailureResp",
                                   strlen("KeepAliveFailureResp"));

  g_assert(c >= 0);
  for (gsize n = 0; n < vgw_param_config_row_count(cfg, t); n++) {
    const VgwParamRow *row = vgw_param_config_row_at(cfg, t, n);
    VgwFailureCodes codes;
    GError *why = NULL;
    if (!vgw_failure_codes_parse(row->values[c].str, &codes, &why)) {
      vgw_param_set_row_error(error, VGW_PARAM_ERROR_VALUE, file_name, table,
                              row, &table->columns[c], why->message);
      g_error_free(why);
      return FALSE;
    }
  }
  return TRUE;
}
