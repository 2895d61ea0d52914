/* Table verbs: see mgmt_table_verbs.h. */
#include "mgmt/mgmt_table_verbs.h"

#include <string.h>

#include "mgmt/mgmt_proto.h"
#include "mgmt/mgmt_reply.h"
#include "param_value.h"
#include "config/config_state.h"

/* find_table looks |name| up, failing |out| if unknown. */
static const VgwTableDesc *find_table(const char *name, gsize *t,
                                      VgwMgmtReply *out) {
  gssize i = vgw_param_find_table(name, strlen(name));
  if (i < 0) {
    vgw_reply_fail(out, "%s: unknown table", name);
    return NULL;
  }
  *t = (gsize)i;
  return vgw_param_table(*t);
}

/* parse_index reads a row index of |table|, failing |out| if bad. */
static gboolean parse_index(const VgwTableDesc *table, const char *text,
                            guint *index, VgwMgmtReply *out) {
  guint64 n;
  if (!g_ascii_string_to_unsigned(text, 10, 0, table->max_rows - 1, &n,
                                  NULL)) {
    vgw_reply_fail(out, "%s: bad row index \"%s\" (0..%u)", table->name, text,
                   table->max_rows - 1);
    return FALSE;
  }
  *index = (guint)n;
  return TRUE;
}

/* append_row renders |row| as a table-show row: JSON or one text line. */
static void append_row(GString *b, const VgwTableDesc *table,
                       const VgwParamRow *row, gboolean human) {
  if (human) {
    g_string_append_printf(b, "  %s %u:", table->name, row->index);
  } else {
    g_string_append_printf(b, "{\"index\":%u,\"values\":{", row->index);
  }
  for (gsize c = 0; c < table->n_columns; c++) {
    char *text = vgw_param_value_display(&table->columns[c], &row->values[c]);
    if (human) {
      g_string_append_printf(b, "%s %s=\"%s\"", c ? "," : "",
                             table->columns[c].name, text);
    } else {
      vgw_json_str(b, table->columns[c].name, text);
    }
    g_free(text);
  }
  g_string_append(b, human ? "\n" : "}}");
}

static void verb_table_show(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwConfigState *cs = c->data;
  char **argv = c->argv;
  gboolean human = c->human;
  gsize t;
  const VgwTableDesc *table;
  if (c->argc != 1) {
    vgw_reply_usage(c, out);
    return;
  }
  if ((table = find_table(argv[1], &t, out)) == NULL) {
    return;
  }
  const VgwParamConfig *cfg = vgw_config_state_staged(cs);
  gsize n_rows = vgw_param_config_row_count(cfg, t);
  GString *b = g_string_new(NULL);
  if (human) {
    g_string_append_printf(b, "%s: %" G_GSIZE_FORMAT " row(s)\n", table->name,
                           n_rows);
  } else {
    g_string_append(b, "{");
    vgw_json_str(b, "table", table->name);
    vgw_json_key(b, "columns");
    g_string_append_c(b, '[');
    for (gsize c = 0; c < table->n_columns; c++) {
      if (c) {
        g_string_append_c(b, ',');
      }
      vgw_mgmt_json_append_string(b, table->columns[c].name);
    }
    g_string_append(b, "],\"rows\":[");
  }
  for (gsize n = 0; n < n_rows; n++) {
    if (!human && n) {
      g_string_append_c(b, ',');
    }
    append_row(b, table, vgw_param_config_row_at(cfg, t, n), human);
  }
  if (!human) {
    g_string_append(b, "]}");
  }
  vgw_reply_ok(out, b);
}

/* set_cells applies the COL=VALUE arguments to |row| of table |t|,
 * failing |out| with the first bad one. */
static gboolean set_cells(const VgwTableDesc *table, gsize t, VgwParamRow *row,
                          char **assignments, VgwMgmtReply *out) {
  for (char **a = assignments; *a != NULL; a++) {
    const char *eq = strchr(*a, '=');
    if (eq == NULL || eq == *a) {
      vgw_reply_fail(out, "%s %u: \"%s\": expected COLUMN=VALUE", table->name,
                     row->index, *a);
      return FALSE;
    }
    gssize c = vgw_param_find_column(table, *a, (gsize)(eq - *a));
    if (c < 0) {
      char *col = g_strndup(*a, (gsize)(eq - *a));
      vgw_reply_fail(out, "%s %u: %s: unknown column", table->name,
                     row->index, col);
      g_free(col);
      return FALSE;
    }
    char *reason = NULL;
    if (!vgw_param_config_set_cell(row, t, (gsize)c, eq + 1, strlen(eq + 1),
                                   &reason)) {
      vgw_reply_fail(out, "%s %u: %s: %s", table->name, row->index,
                     table->columns[c].name, reason);
      g_free(reason);
      return FALSE;
    }
  }
  return TRUE;
}

static void verb_table_set(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwConfigState *cs = c->data;
  char **argv = c->argv;
  gsize t;
  guint index;
  const VgwTableDesc *table;
  if (c->argc < 2) {
    vgw_reply_usage(c, out);
    return;
  }
  if ((table = find_table(argv[1], &t, out)) == NULL ||
      !parse_index(table, argv[2], &index, out)) {
    return;
  }
  VgwParamConfig *next = vgw_param_config_copy(vgw_config_state_staged(cs));
  /* Line numbers of an earlier ini load mean nothing here. */
  vgw_param_config_forget_lines(next);
  VgwParamRow *row = vgw_param_config_ensure_row(next, t, index);
  if (!set_cells(table, t, row, argv + 3, out)) {
    vgw_param_config_free(next);
    return;
  }
  GError *error = NULL;
  if (!vgw_config_state_stage(cs, next, "table-set", &error)) {
    vgw_reply_fail(out, "%s", error->message);
    g_error_free(error);
    return;
  }
  g_message("config: %s %u set", table->name, index);
  GString *b = g_string_new(NULL);
  append_row(b, table,
             vgw_param_config_find_row(vgw_config_state_staged(cs), t, index),
             c->human);
  vgw_reply_ok(out, b);
}

static void verb_table_delete(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwConfigState *cs = c->data;
  char **argv = c->argv;
  gsize t;
  guint index;
  const VgwTableDesc *table;
  if (c->argc != 2) {
    vgw_reply_usage(c, out);
    return;
  }
  if ((table = find_table(argv[1], &t, out)) == NULL ||
      !parse_index(table, argv[2], &index, out)) {
    return;
  }
  VgwParamConfig *next = vgw_param_config_copy(vgw_config_state_staged(cs));
  vgw_param_config_forget_lines(next);
  GError *error = NULL;
  if (!vgw_param_config_delete_row(next, t, index, &error)) {
    vgw_reply_fail(out, "%s", error->message);
    g_error_free(error);
    vgw_param_config_free(next);
    return;
  }
  /* Validation finds the rows that still refer to the deleted one. */
  if (!vgw_config_state_stage(cs, next, "table-delete", &error)) {
    vgw_reply_fail(out, "%s %u is still referred to: %s", table->name, index,
                   error->message);
    g_error_free(error);
    return;
  }
  g_message("config: %s %u deleted", table->name, index);
  vgw_reply_done(c, out, "Deleted.\n");
}

static const VgwMgmtVerb table_verbs[] = {
    {"table-show", "TABLE", "show a table's rows", 0, verb_table_show},
    {"table-set", "TABLE INDEX COLUMN=VALUE...", "create or change a row", 0,
     verb_table_set},
    {"table-delete", "TABLE INDEX", "delete a row", 0, verb_table_delete},
};

const VgwMgmtVerbSet vgw_table_verb_set = {
    table_verbs, G_N_ELEMENTS(table_verbs), NULL};
