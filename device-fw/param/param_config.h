/*
 * The configuration model: one value per global parameter plus the rows of
 * every table, with validation (types, ranges, unique names, references)
 * and the running/staged comparison that yields pending-reset values.
 *
 * The firmware keeps two configurations: |running| (in effect) and
 * |staged| (what was loaded or set and will be saved). After a change it
 * calls vgw_param_config_apply_live(running, staged) so that everything
 * not needing a reset takes effect at once; vgw_param_config_pending lists
 * the rest. At boot, running = staged.
 */
#ifndef VGW_PARAM_CONFIG_H
#define VGW_PARAM_CONFIG_H

#include "param_registry.h"

G_BEGIN_DECLS

#define VGW_PARAM_ERROR (vgw_param_error_quark())
GQuark vgw_param_error_quark(void);

typedef enum {
  VGW_PARAM_ERROR_SYNTAX,     /* malformed ini line */
  VGW_PARAM_ERROR_VALUE,      /* bad type or out of range */
  VGW_PARAM_ERROR_REFERENCE,  /* reference to a missing row */
  VGW_PARAM_ERROR_DUPLICATE,  /* row or name defined twice */
  VGW_PARAM_ERROR_NOT_FOUND,  /* unknown parameter, table, column or row */
  VGW_PARAM_ERROR_PERMANENT,  /* row 0 of TLSContexts cannot be deleted */
  VGW_PARAM_ERROR_EMPTY,      /* a full load of a file that sets nothing */
  VGW_PARAM_ERROR_CONFLICT,   /* two rows claim one resource (a port) */
} VgwParamErrorCode;

typedef struct VgwParamConfig VgwParamConfig;

/* VgwParamRow is one table row; |values| has one entry per column of the
 * table. |line| is the ini line that last defined the row (0 if none); it
 * is used only in messages and is not part of the configuration. */
typedef struct {
  guint index;
  guint line;
  gsize n_values;         /* the table's column count */
  VgwParamValue *values;
} VgwParamRow;

/* vgw_param_config_new returns the factory configuration: every global at
 * its default, every table empty except TLSContexts row 0 ("default"). */
VgwParamConfig *vgw_param_config_new(void);

/* vgw_param_config_copy returns a deep copy of |cfg|. */
VgwParamConfig *vgw_param_config_copy(const VgwParamConfig *cfg);

/* vgw_param_config_free releases |cfg|; NULL is allowed. */
void vgw_param_config_free(VgwParamConfig *cfg);

/* vgw_param_config_take moves the contents of |src| into |dst|, replacing
 * what |dst| held, and frees |src|. Used to commit a checked copy. */
void vgw_param_config_take(VgwParamConfig *dst, VgwParamConfig *src);

/* vgw_param_config_equal reports whether |a| and |b| hold the same values
 * and the same rows (row line numbers are ignored). */
gboolean vgw_param_config_equal(const VgwParamConfig *a,
                                const VgwParamConfig *b);

/* vgw_param_config_global returns the value of global parameter |i|. */
const VgwParamValue *vgw_param_config_global(const VgwParamConfig *cfg,
                                             gsize i);

/* vgw_param_config_global_named returns the value of the global parameter
 * called |name|, which must be in the registry (a typo aborts at the first
 * test that reaches it). */
const VgwParamValue *vgw_param_config_global_named(const VgwParamConfig *cfg,
                                                   const char *name);

/* vgw_param_config_get_text returns global parameter |i| as newly
 * allocated ini text (unquoted). */
char *vgw_param_config_get_text(const VgwParamConfig *cfg, gsize i);

/* vgw_param_config_set_text parses the |len| bytes at |text| for global
 * parameter |i| and stores the value. On a bad value it returns FALSE,
 * sets |*reason| (newly allocated) and leaves |cfg| unchanged. */
gboolean vgw_param_config_set_text(VgwParamConfig *cfg, gsize i,
                                   const char *text, gsize len, char **reason);

/* vgw_param_config_row_count returns the number of rows in table |t|. */
gsize vgw_param_config_row_count(const VgwParamConfig *cfg, gsize t);

/* vgw_param_config_row_at returns the |n|th row of table |t| in ascending
 * index order; |n| must be below vgw_param_config_row_count. */
const VgwParamRow *vgw_param_config_row_at(const VgwParamConfig *cfg,
                                           gsize t, gsize n);

/* vgw_param_config_find_row returns the row of table |t| with |index|, or
 * NULL. The row stays owned by |cfg|. */
VgwParamRow *vgw_param_config_find_row(const VgwParamConfig *cfg, gsize t,
                                       guint index);

/* vgw_param_config_ensure_row returns the row of table |t| with |index|,
 * adding it with every column at its default if it does not exist.
 * |index| must be below the table's max_rows. */
VgwParamRow *vgw_param_config_ensure_row(VgwParamConfig *cfg, gsize t,
                                         guint index);

/* vgw_param_config_set_cell parses |len| bytes at |text| for column |c| of
 * |row| (a row of table |t|) and stores it. Errors as set_text. */
gboolean vgw_param_config_set_cell(VgwParamRow *row, gsize t, gsize c,
                                   const char *text, gsize len, char **reason);

/* vgw_param_config_delete_row removes row |index| of table |t|. It fails
 * with VGW_PARAM_ERROR_NOT_FOUND if there is no such row and with
 * VGW_PARAM_ERROR_PERMANENT for TLSContexts row 0. */
gboolean vgw_param_config_delete_row(VgwParamConfig *cfg, gsize t,
                                     guint index, GError **error);

/* vgw_param_config_clear_table removes every row of table |t| except a
 * permanent row 0. */
void vgw_param_config_clear_table(VgwParamConfig *cfg, gsize t);

/* vgw_param_config_forget_lines sets every row's |line| to 0, so that
 * messages about rows from an earlier load do not cite a line of the
 * current file. */
void vgw_param_config_forget_lines(VgwParamConfig *cfg);

/* vgw_param_config_validate checks what single values cannot: row names
 * unique within a table (ignoring case; empty names are not checked),
 * every reference resolving, TLSContexts row 0 present, SIP Interfaces on
 * LAN or WAN with ports that do not collide (sip_interfaces.h). On
 * failure it returns FALSE with an error "FILE:LINE: Table N: Column: reason" where
 * FILE is |file_name| (or "config") and ":LINE" is left out for rows that
 * came from no line. */
gboolean vgw_param_config_validate(const VgwParamConfig *cfg,
                                   const char *file_name, GError **error);

/* VgwParamPending is one reset-needed value that differs between the
 * running and the staged configuration. */
typedef struct {
  char *name;           /* the parameter name */
  char *running_value;  /* current value, as shown (a secret masked) */
  char *pending_value;  /* value after the next reset, as shown */
} VgwParamPending;

/* vgw_param_config_pending returns, in registry order, the reset-needed
 * parameters whose staged value differs from the running one, as an array
 * of VgwParamPending that frees its elements. Table columns never need a
 * reset (a registry invariant), so only globals appear. */
GPtrArray *vgw_param_config_pending(const VgwParamConfig *running,
                                    const VgwParamConfig *staged);

/* vgw_param_config_waits_for_reset reports whether a reset-needed
 * global differs between |running| and |staged|: a change that waits for
 * a reset. */
gboolean vgw_param_config_waits_for_reset(const VgwParamConfig *running,
                                          const VgwParamConfig *staged);

/* vgw_param_config_apply_live copies into |running| every value of
 * |staged| that takes effect without a reset: all globals not marked
 * reset_needed, and all tables. */
void vgw_param_config_apply_live(VgwParamConfig *running,
                                 const VgwParamConfig *staged);

G_END_DECLS

#endif /* VGW_PARAM_CONFIG_H */
