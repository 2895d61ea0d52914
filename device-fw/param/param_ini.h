/*
 * ini files in the AudioCodes dialect (gateway-spec.md §4): loading into a
 * VgwParamConfig and exporting one. The firmware (ini load over the
 * maintenance port) and the host tool (`vgw ini check`) both use this.
 */
#ifndef VGW_PARAM_INI_H
#define VGW_PARAM_INI_H

#include "param_config.h"

G_BEGIN_DECLS

typedef enum {
  /* Start from factory defaults: replaces everything. A file that names no
   * parameter and no table (blank, or comments only) is refused with
   * VGW_PARAM_ERROR_EMPTY: it is more likely a mistake than a wish to
   * reset every value. */
  VGW_INI_FULL,
  VGW_INI_INCREMENTAL, /* start from |cfg|: changes only what the file names */
  VGW_INI_FULL_ALLOW_EMPTY, /* VGW_INI_FULL, and a file naming nothing
                             * gives the factory defaults */
} VgwIniLoadMode;

/* vgw_ini_load parses the |len| bytes at |data| (any bytes, NUL included)
 * as an ini file called |file_name| (used in messages) and, if the whole
 * file is valid, replaces |cfg| with the result and returns TRUE.
 *
 * In a table section, a row line creates the row (columns the FORMAT line
 * leaves out get their defaults) or, in an incremental load, changes only
 * the named columns of an existing row; a section with no rows empties the
 * table (TLSContexts row 0 stays).
 *
 * Unknown parameters, tables and columns are skipped; for each, a message
 * "FILE:LINE: NAME: unknown parameter, skipped" (or "unknown table ...",
 * "unknown column ...") is appended to |warnings| (a GPtrArray of char*
 * owning its strings) if it is not NULL.
 *
 * On any error - malformed line, bad or out-of-range value, duplicate row,
 * unresolved reference - it returns FALSE with |error| set to
 * "FILE:LINE: PARAMETER: reason" and leaves |cfg| untouched. */
gboolean vgw_ini_load(VgwParamConfig *cfg, const char *data, gsize len,
                      const char *file_name, VgwIniLoadMode mode,
                      GPtrArray *warnings, GError **error);

/* vgw_ini_export returns |cfg| as a newly allocated NUL-terminated ini
 * file listing every global and every row with all its columns, such that
 * a full load of it gives a configuration equal to |cfg|. */
char *vgw_ini_export(const VgwParamConfig *cfg);

G_END_DECLS

#endif /* VGW_PARAM_INI_H */
