/*
 * The one shape of a whole-configuration error about a table cell, shared
 * by the checks of validate.c, sip_interfaces.c and digest_users.c
 * (inside the library), and the same text as a warning.
 */
#ifndef VGW_PARAM_ROW_ERROR_H
#define VGW_PARAM_ROW_ERROR_H

#include "param_config.h"

G_BEGIN_DECLS

/* vgw_param_row_message returns "FILE:LINE: Table N: Column: reason",
 * ":LINE" left out for a row that came from no line (newly allocated). */
char *vgw_param_row_message(const char *file_name, const VgwTableDesc *table,
                            const VgwParamRow *row,
                            const VgwParamDesc *column, const char *reason);

/* vgw_param_set_row_error sets |error| (VGW_PARAM_ERROR, |code|) to
 * "FILE:LINE: Table N: Column: reason", ":LINE" left out for a row that
 * came from no line. */
void vgw_param_set_row_error(GError **error, gint code,
                             const char *file_name, const VgwTableDesc *table,
                             const VgwParamRow *row,
                             const VgwParamDesc *column, const char *reason);

G_END_DECLS

#endif /* VGW_PARAM_ROW_ERROR_H */
