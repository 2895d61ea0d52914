/* The configuration model: values, rows, copy/compare, row editing. */
#include "param_config.h"

#include "param_value.h"

#include <string.h>

struct VgwParamConfig {
  VgwParamValue *globals;
  GPtrArray *rows[VGW_TABLE_COUNT]; /* of VgwParamRow*, ascending index */
};

G_DEFINE_QUARK(vgw-param-error-quark, vgw_param_error)

static void set_default(const VgwParamDesc *desc, VgwParamValue *out) {
  char *reason = NULL;
  /* The registry test guarantees defaults parse; a broken default is a
   * programming error, not input. */
  if (!vgw_param_value_parse(desc, desc->default_text,
                             strlen(desc->default_text), out, &reason))
    g_error("registry default of %s: %s", desc->name, reason);
}

static void row_free(gpointer p) {
  VgwParamRow *row = p;
  if (!row) return;
  for (gsize c = 0; c < row->n_values; c++)
    vgw_param_value_clear(&row->values[c]);
  g_free(row->values);
  g_free(row);
}

static VgwParamRow *row_new(gsize t, guint index) {
  const VgwTableDesc *table = vgw_param_table(t);
  VgwParamRow *row = g_new0(VgwParamRow, 1);
  row->index = index;
  row->n_values = table->n_columns;
  row->values = g_new0(VgwParamValue, table->n_columns);
  for (gsize c = 0; c < table->n_columns; c++)
    set_default(&table->columns[c], &row->values[c]);
  return row;
}

static VgwParamRow *row_copy(gsize t, const VgwParamRow *src) {
  const VgwTableDesc *table = vgw_param_table(t);
  VgwParamRow *row = g_new0(VgwParamRow, 1);
  row->index = src->index;
  row->line = src->line;
  row->n_values = table->n_columns;
  row->values = g_new0(VgwParamValue, table->n_columns);
  for (gsize c = 0; c < table->n_columns; c++)
    vgw_param_value_copy(&row->values[c], &src->values[c]);
  return row;
}

static VgwParamConfig *config_alloc(void) {
  VgwParamConfig *cfg = g_new0(VgwParamConfig, 1);
  cfg->globals = g_new0(VgwParamValue, vgw_param_global_count());
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++)
    cfg->rows[t] = g_ptr_array_new_with_free_func(row_free);
  return cfg;
}

VgwParamConfig *vgw_param_config_new(void) {
  VgwParamConfig *cfg = config_alloc();
  for (gsize i = 0; i < vgw_param_global_count(); i++)
    set_default(vgw_param_global(i), &cfg->globals[i]);
  VgwParamRow *ctx0 = vgw_param_config_ensure_row(cfg, VGW_TABLE_TLS_CONTEXTS,
                                                  0);
  g_free(ctx0->values[0].str);
  ctx0->values[0].str = g_strdup("default");
  return cfg;
}

VgwParamConfig *vgw_param_config_copy(const VgwParamConfig *src) {
  VgwParamConfig *cfg = config_alloc();
  for (gsize i = 0; i < vgw_param_global_count(); i++)
    vgw_param_value_copy(&cfg->globals[i], &src->globals[i]);
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++)
    for (guint n = 0; n < src->rows[t]->len; n++)
      g_ptr_array_add(cfg->rows[t],
                      row_copy(t, g_ptr_array_index(src->rows[t], n)));
  return cfg;
}

static void config_clear(VgwParamConfig *cfg) {
  for (gsize i = 0; i < vgw_param_global_count(); i++)
    vgw_param_value_clear(&cfg->globals[i]);
  g_free(cfg->globals);
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++)
    g_ptr_array_unref(cfg->rows[t]);
}

void vgw_param_config_free(VgwParamConfig *cfg) {
  if (!cfg) return;
  config_clear(cfg);
  g_free(cfg);
}

void vgw_param_config_take(VgwParamConfig *dst, VgwParamConfig *src) {
  config_clear(dst);
  *dst = *src;
  g_free(src);
}

static gboolean row_equal(gsize t, const VgwParamRow *a, const VgwParamRow *b) {
  const VgwTableDesc *table = vgw_param_table(t);
  if (a->index != b->index) return FALSE;
  for (gsize c = 0; c < table->n_columns; c++)
    if (!vgw_param_value_equal(&a->values[c], &b->values[c])) return FALSE;
  return TRUE;
}

gboolean vgw_param_config_equal(const VgwParamConfig *a,
                                const VgwParamConfig *b) {
  for (gsize i = 0; i < vgw_param_global_count(); i++)
    if (!vgw_param_value_equal(&a->globals[i], &b->globals[i])) return FALSE;
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++) {
    if (a->rows[t]->len != b->rows[t]->len) return FALSE;
    for (guint n = 0; n < a->rows[t]->len; n++)
      if (!row_equal(t, g_ptr_array_index(a->rows[t], n),
                     g_ptr_array_index(b->rows[t], n)))
        return FALSE;
  }
  return TRUE;
}

const VgwParamValue *vgw_param_config_global(const VgwParamConfig *cfg,
                                             gsize i) {
  g_return_val_if_fail(i < vgw_param_global_count(), NULL);
  return &cfg->globals[i];
}

const VgwParamValue *vgw_param_config_global_named(const VgwParamConfig *cfg,
                                                   const char *name) {
  gssize i = vgw_param_find_global(name, strlen(name));

  g_assert(i >= 0);
  return &cfg->globals[i];
}

char *vgw_param_config_get_text(const VgwParamConfig *cfg, gsize i) {
  g_return_val_if_fail(i < vgw_param_global_count(), NULL);
  return vgw_param_value_format(vgw_param_global(i), &cfg->globals[i]);
}

gboolean vgw_param_config_set_text(VgwParamConfig *cfg, gsize i,
                                   const char *text, gsize len,
                                   char **reason) {
  g_return_val_if_fail(i < vgw_param_global_count(), FALSE);
  VgwParamValue v;
  if (!vgw_param_value_parse(vgw_param_global(i), text, len, &v, reason))
    return FALSE;
  vgw_param_value_clear(&cfg->globals[i]);
  cfg->globals[i] = v;
  return TRUE;
}

gsize vgw_param_config_row_count(const VgwParamConfig *cfg, gsize t) {
  g_return_val_if_fail(t < VGW_TABLE_COUNT, 0);
  return cfg->rows[t]->len;
}

const VgwParamRow *vgw_param_config_row_at(const VgwParamConfig *cfg,
                                           gsize t, gsize n) {
  g_return_val_if_fail(t < VGW_TABLE_COUNT && n < cfg->rows[t]->len, NULL);
  return g_ptr_array_index(cfg->rows[t], n);
}

/* Position of the first row with index >= |index| (binary search). */
static guint lower_bound(GPtrArray *rows, guint index) {
  guint lo = 0, hi = rows->len;
  while (lo < hi) {
    guint mid = lo + (hi - lo) / 2;
    if (((VgwParamRow *)g_ptr_array_index(rows, mid))->index < index)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

VgwParamRow *vgw_param_config_find_row(const VgwParamConfig *cfg, gsize t,
                                       guint index) {
  g_return_val_if_fail(t < VGW_TABLE_COUNT, NULL);
  GPtrArray *rows = cfg->rows[t];
  guint pos = lower_bound(rows, index);
  if (pos < rows->len) {
    VgwParamRow *row = g_ptr_array_index(rows, pos);
    if (row->index == index) return row;
  }
  return NULL;
}

VgwParamRow *vgw_param_config_ensure_row(VgwParamConfig *cfg, gsize t,
                                         guint index) {
  g_return_val_if_fail(t < VGW_TABLE_COUNT, NULL);
  g_return_val_if_fail(index < vgw_param_table(t)->max_rows, NULL);
  VgwParamRow *row = vgw_param_config_find_row(cfg, t, index);
  if (row) return row;
  row = row_new(t, index);
  g_ptr_array_insert(cfg->rows[t], (gint)lower_bound(cfg->rows[t], index),
                     row);
  return row;
}

gboolean vgw_param_config_set_cell(VgwParamRow *row, gsize t, gsize c,
                                   const char *text, gsize len,
                                   char **reason) {
  const VgwTableDesc *table = vgw_param_table(t);
  g_return_val_if_fail(c < table->n_columns, FALSE);
  VgwParamValue v;
  if (!vgw_param_value_parse(&table->columns[c], text, len, &v, reason))
    return FALSE;
  vgw_param_value_clear(&row->values[c]);
  row->values[c] = v;
  return TRUE;
}

gboolean vgw_param_config_delete_row(VgwParamConfig *cfg, gsize t,
                                     guint index, GError **error) {
  const VgwTableDesc *table = vgw_param_table(t);
  if (index == 0 && table->row0_permanent) {
    g_set_error(error, VGW_PARAM_ERROR, VGW_PARAM_ERROR_PERMANENT,
                "%s 0: row 0 cannot be deleted", table->name);
    return FALSE;
  }
  VgwParamRow *row = vgw_param_config_find_row(cfg, t, index);
  if (!row) {
    g_set_error(error, VGW_PARAM_ERROR, VGW_PARAM_ERROR_NOT_FOUND,
                "%s %u: no such row", table->name, index);
    return FALSE;
  }
  g_ptr_array_remove(cfg->rows[t], row);
  return TRUE;
}

void vgw_param_config_clear_table(VgwParamConfig *cfg, gsize t) {
  const VgwTableDesc *table = vgw_param_table(t);
  GPtrArray *rows = cfg->rows[t];
  guint keep = 0;
  if (table->row0_permanent && rows->len > 0 &&
      ((VgwParamRow *)g_ptr_array_index(rows, 0))->index == 0)
    keep = 1;
  if (rows->len > keep) g_ptr_array_remove_range(rows, keep, rows->len - keep);
}

void vgw_param_config_forget_lines(VgwParamConfig *cfg) {
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++)
    for (guint n = 0; n < cfg->rows[t]->len; n++)
      ((VgwParamRow *)g_ptr_array_index(cfg->rows[t], n))->line = 0;
}

static void pending_free(gpointer p) {
  VgwParamPending *pending = p;
  g_free(pending->name);
  g_free(pending->running_value);
  g_free(pending->pending_value);
  g_free(pending);
}

GPtrArray *vgw_param_config_pending(const VgwParamConfig *running,
                                    const VgwParamConfig *staged) {
  GPtrArray *out = g_ptr_array_new_with_free_func(pending_free);
  for (gsize i = 0; i < vgw_param_global_count(); i++) {
    const VgwParamDesc *desc = vgw_param_global(i);
    if (!desc->reset_needed ||
        vgw_param_value_equal(&running->globals[i], &staged->globals[i]))
      continue;
    VgwParamPending *p = g_new0(VgwParamPending, 1);
    p->name = g_strdup(desc->name);
    p->running_value = vgw_param_value_display(desc, &running->globals[i]);
    p->pending_value = vgw_param_value_display(desc, &staged->globals[i]);
    g_ptr_array_add(out, p);
  }
  return out;
}

gboolean vgw_param_config_waits_for_reset(const VgwParamConfig *running,
                                          const VgwParamConfig *staged) {
  for (gsize i = 0; i < vgw_param_global_count(); i++)
    if (vgw_param_global(i)->reset_needed &&
        !vgw_param_value_equal(&running->globals[i], &staged->globals[i]))
      return TRUE;
  return FALSE;
}

void vgw_param_config_apply_live(VgwParamConfig *running,
                                 const VgwParamConfig *staged) {
  for (gsize i = 0; i < vgw_param_global_count(); i++) {
    if (vgw_param_global(i)->reset_needed) continue;
    vgw_param_value_clear(&running->globals[i]);
    vgw_param_value_copy(&running->globals[i], &staged->globals[i]);
  }
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++) {
    g_ptr_array_set_size(running->rows[t], 0);
    for (guint n = 0; n < staged->rows[t]->len; n++)
      g_ptr_array_add(running->rows[t],
                      row_copy(t, g_ptr_array_index(staged->rows[t], n)));
  }
}
