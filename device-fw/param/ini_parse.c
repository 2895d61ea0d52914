/*
 * The ini loader. The file is parsed line by line into a private copy of
 * the configuration; only when every line parsed and the copy validated
 * does it replace the caller's configuration, so a bad file changes
 * nothing. All scanning goes through ini_span.h's bounded cursors.
 */
#include "param_ini.h"

#include <stdarg.h>

#include "digest_users.h"
#include "ini_span.h"
#include "param_value.h"

/* One value of a row or global line: its text (without quotes), whether
 * it was quoted, and whether it was the "$$" column-default marker. */
typedef struct {
  Span text;
  gboolean dollar;
} Field;

typedef struct {
  VgwParamConfig *cfg;  /* the working copy */
  const char *file;
  VgwIniLoadMode mode;
  GPtrArray *warnings;
  guint line;
  guint named;           /* parameter lines and table sections seen */
  GError *error;

  gssize table;          /* open table section, or -1 */
  guint table_line;      /* line of its "[ Table ]" */
  guint section_rows;    /* row lines seen in the open section */
  gboolean have_format;
  GArray *format;        /* gssize column per FORMAT position, -1 = ignore */
  guint first_line[VGW_TABLE_COUNT];   /* where each section opened */
  guint *row_line[VGW_TABLE_COUNT];    /* per row index: defining line */

  char *unknown_header;  /* name of the last non-table "[ ... ]" header */
  char *skip_table;      /* unknown table being skipped to its end mark */
} Parser;

static gboolean fail(Parser *ps, gint code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static gboolean fail(Parser *ps, gint code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(&ps->error, VGW_PARAM_ERROR, code, "%s:%u: %s", ps->file,
              ps->line, msg);
  g_free(msg);
  return FALSE;
}

static void warn(Parser *ps, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void warn(Parser *ps, const char *fmt, ...) {
  if (!ps->warnings) return;
  va_list ap;
  va_start(ap, fmt);
  char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_ptr_array_add(ps->warnings,
                  g_strdup_printf("%s:%u: %s", ps->file, ps->line, msg));
  g_free(msg);
}

/* Name from the input, made safe to print. Caller frees. */
static char *shown(Span s) { return vgw_param_printable(s.p, s.len, 60); }

/* parse_fields splits |s| (the text after '=') into comma-separated
 * fields ending at ';' or the end of the line; text after ';' is a
 * comment. Quoted fields keep everything between the quotes. Returns
 * FALSE with |*reason| set (static text) on an unterminated quote or
 * text after a closing quote. */
static gboolean parse_fields(Span s, GArray *fields, const char **reason) {
  gsize i = 0;
  g_array_set_size(fields, 0);
  for (;;) {
    Field f = {{NULL, 0}, FALSE};
    while (i < s.len && span_is_space(s.p[i])) i++;
    if (i < s.len && (s.p[i] == '"' || s.p[i] == '\'')) {
      Span rest = span_from(s, i + 1);
      gsize close = span_find(rest, s.p[i]);
      if (close == rest.len) {
        *reason = "unterminated quoted string";
        return FALSE;
      }
      f.text = span_head(rest, close);
      i += close + 2;
      while (i < s.len && span_is_space(s.p[i])) i++;
      if (i < s.len && s.p[i] != ',' && s.p[i] != ';') {
        *reason = "unexpected text after a quoted value";
        return FALSE;
      }
    } else {
      gsize start = i;
      while (i < s.len && s.p[i] != ',' && s.p[i] != ';') i++;
      f.text = span_trim((Span){s.p + start, i - start});
      f.dollar = span_eq(f.text, "$$");
    }
    g_array_append_val(fields, f);
    if (i >= s.len || s.p[i] == ';') return TRUE;
    i++; /* ',' */
  }
}

static gboolean parse_index(Span s, guint *out) {
  guint v = 0;
  if (s.len == 0 || s.len > 9) return FALSE;
  for (gsize i = 0; i < s.len; i++) {
    if (!g_ascii_isdigit(s.p[i])) return FALSE;
    v = v * 10 + (guint)(s.p[i] - '0');
  }
  *out = v;
  return TRUE;
}

/* Text of a field for |desc|: the default for "$$". */
static Span field_text(const Field *f, const VgwParamDesc *desc) {
  if (f->dollar)
    return (Span){desc->default_text, strlen(desc->default_text)};
  return f->text;
}

static gboolean global_line(Parser *ps, Span line) {
  Span name = span_word(line);
  Span rest = span_trim(span_from(line, name.len));
  if (name.len == 0 || rest.len == 0 || rest.p[0] != '=')
    return fail(ps, VGW_PARAM_ERROR_SYNTAX, "expected 'Parameter = value'");
  ps->named++;
  gssize i = vgw_param_find_global(name.p, name.len);
  if (i < 0) {
    char *n = shown(name);
    warn(ps, "%s: unknown parameter, skipped", n);
    g_free(n);
    return TRUE;
  }
  const VgwParamDesc *desc = vgw_param_global((gsize)i);
  GArray *fields = g_array_new(FALSE, FALSE, sizeof(Field));
  const char *syntax = NULL;
  char *reason = NULL;
  gboolean ok = FALSE;
  if (!parse_fields(span_from(rest, 1), fields, &syntax)) {
    fail(ps, VGW_PARAM_ERROR_SYNTAX, "%s: %s", desc->name, syntax);
  } else if (fields->len != 1) {
    fail(ps, VGW_PARAM_ERROR_SYNTAX,
         "%s: expected one value, got %u (quote a value that holds ',')",
         desc->name, fields->len);
  } else {
    Span v = field_text(&g_array_index(fields, Field, 0), desc);
    ok = vgw_param_config_set_text(ps->cfg, (gsize)i, v.p, v.len, &reason);
    if (!ok) fail(ps, VGW_PARAM_ERROR_VALUE, "%s: %s", desc->name, reason);
  }
  g_free(reason);
  g_array_unref(fields);
  return ok;
}

static gboolean format_line(Parser *ps, Span rest) {
  const VgwTableDesc *table = vgw_param_table((gsize)ps->table);
  if (ps->have_format)
    return fail(ps, VGW_PARAM_ERROR_SYNTAX, "%s: second FORMAT line",
                table->name);
  Span index = span_word(rest);
  char *prefixed = g_strdup_printf("%s_Index", table->name);
  gboolean index_ok = span_eq(index, "Index") || span_eq(index, prefixed);
  g_free(prefixed);
  rest = span_trim(span_from(rest, index.len));
  if (!index_ok || rest.len == 0 || rest.p[0] != '=')
    return fail(ps, VGW_PARAM_ERROR_SYNTAX,
                "%s: FORMAT must start with 'Index =' or '%s_Index ='",
                table->name, table->name);
  GArray *fields = g_array_new(FALSE, FALSE, sizeof(Field));
  const char *syntax = NULL;
  gboolean ok = parse_fields(span_from(rest, 1), fields, &syntax);
  if (!ok)
    fail(ps, VGW_PARAM_ERROR_SYNTAX, "%s: FORMAT: %s", table->name, syntax);
  g_array_set_size(ps->format, 0);
  for (guint n = 0; ok && n < fields->len; n++) {
    Span col = g_array_index(fields, Field, n).text;
    if (col.len == 0) {
      ok = fail(ps, VGW_PARAM_ERROR_SYNTAX, "%s: FORMAT: empty column name",
                table->name);
      break;
    }
    gssize c = vgw_param_find_column(table, col.p, col.len);
    char *shown_col = shown(col);
    if (c < 0) warn(ps, "%s: unknown column '%s', ignored", table->name,
                    shown_col);
    for (guint k = 0; c >= 0 && k < ps->format->len; k++)
      if (g_array_index(ps->format, gssize, k) == c) {
        ok = fail(ps, VGW_PARAM_ERROR_DUPLICATE,
                  "%s: FORMAT names column '%s' twice", table->name,
                  table->columns[c].name);
        break;
      }
    g_free(shown_col);
    g_array_append_val(ps->format, c);
  }
  g_array_unref(fields);
  ps->have_format = ok;
  return ok;
}

static gboolean row_values(Parser *ps, const VgwTableDesc *table, guint index,
                           GArray *fields) {
  /* A new row starts from the defaults; an existing one (incremental load,
   * or TLSContexts row 0) keeps the columns FORMAT leaves out. */
  VgwParamRow *row = vgw_param_config_ensure_row(ps->cfg, (gsize)ps->table,
                                                 index);
  row->line = ps->line;
  for (guint n = 0; n < fields->len; n++) {
    gssize c = g_array_index(ps->format, gssize, n);
    if (c < 0) continue;
    const VgwParamDesc *col = &table->columns[c];
    Span v = field_text(&g_array_index(fields, Field, n), col);
    char *reason = NULL;
    if (!vgw_param_config_set_cell(row, (gsize)ps->table, (gsize)c, v.p, v.len,
                                   &reason)) {
      fail(ps, VGW_PARAM_ERROR_VALUE, "%s %u: %s: %s", table->name, index,
           col->name, reason);
      g_free(reason);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean row_line(Parser *ps, Span line) {
  const VgwTableDesc *table = vgw_param_table((gsize)ps->table);
  Span name = span_word(line);
  Span rest = span_trim(span_from(line, name.len));
  Span idx = span_word(rest);
  rest = span_trim(span_from(rest, idx.len));
  if (!span_eq(name, table->name) || rest.len == 0 || rest.p[0] != '=')
    return fail(ps, VGW_PARAM_ERROR_SYNTAX,
                "%s: expected '%s N = values;' or '[ \\%s ]'", table->name,
                table->name, table->name);
  if (!ps->have_format)
    return fail(ps, VGW_PARAM_ERROR_SYNTAX, "%s: row before the FORMAT line",
                table->name);
  guint index;
  if (!parse_index(idx, &index)) {
    char *s = shown(idx);
    fail(ps, VGW_PARAM_ERROR_SYNTAX, "%s: bad row index '%s'", table->name, s);
    g_free(s);
    return FALSE;
  }
  if (index >= table->max_rows)
    return fail(ps, VGW_PARAM_ERROR_VALUE,
                "%s %u: row index out of range 0..%u", table->name, index,
                table->max_rows - 1);
  guint *seen = &ps->row_line[ps->table][index];
  if (*seen)
    return fail(ps, VGW_PARAM_ERROR_DUPLICATE,
                "%s %u: row defined twice (first on line %u)", table->name,
                index, *seen);
  *seen = ps->line;
  ps->section_rows++;

  GArray *fields = g_array_new(FALSE, FALSE, sizeof(Field));
  const char *syntax = NULL;
  gboolean ok = parse_fields(span_from(rest, 1), fields, &syntax);
  if (!ok)
    fail(ps, VGW_PARAM_ERROR_SYNTAX, "%s %u: %s", table->name, index, syntax);
  else if (fields->len != ps->format->len)
    ok = fail(ps, VGW_PARAM_ERROR_SYNTAX,
              "%s %u: %u values, FORMAT names %u columns", table->name, index,
              fields->len, ps->format->len);
  else
    ok = row_values(ps, table, index, fields);
  g_array_unref(fields);
  return ok;
}

static gboolean open_table(Parser *ps, gssize t) {
  const VgwTableDesc *table = vgw_param_table((gsize)t);
  if (ps->first_line[t])
    return fail(ps, VGW_PARAM_ERROR_DUPLICATE,
                "%s: table appears twice (first on line %u)", table->name,
                ps->first_line[t]);
  ps->named++;
  ps->table = t;
  ps->table_line = ps->first_line[t] = ps->line;
  ps->section_rows = 0;
  ps->have_format = FALSE;
  g_array_set_size(ps->format, 0);
  return TRUE;
}

static void close_table(Parser *ps) {
  /* An empty section deletes the table, as on the real device. */
  if (ps->section_rows == 0) vgw_param_config_clear_table(ps->cfg,
                                                          (gsize)ps->table);
  ps->table = -1;
}

static gboolean header_line(Parser *ps, Span line) {
  gsize close = span_find(line, ']');
  if (close == line.len)
    return fail(ps, VGW_PARAM_ERROR_SYNTAX, "missing ']'");
  Span after = span_trim(span_from(line, close + 1));
  if (after.len > 0 && after.p[0] != ';')
    return fail(ps, VGW_PARAM_ERROR_SYNTAX, "unexpected text after ']'");
  Span inner = span_trim((Span){line.p + 1, close - 1});
  gboolean end = inner.len > 0 && inner.p[0] == '\\';
  if (end) inner = span_trim(span_from(inner, 1));
  char *name = shown(inner);
  gboolean ok = TRUE;

  if (ps->skip_table) {
    if (end && g_ascii_strcasecmp(name, ps->skip_table) == 0)
      g_clear_pointer(&ps->skip_table, g_free);
  } else if (ps->table >= 0) {
    const char *open = vgw_param_table((gsize)ps->table)->name;
    if (end && span_eq(inner, open))
      close_table(ps);
    else
      ok = fail(ps, VGW_PARAM_ERROR_SYNTAX,
                "%s: '[ %s%s ]' inside the table (missing '[ \\%s ]')", open,
                end ? "\\" : "", name, open);
  } else if (end) {
    ok = fail(ps, VGW_PARAM_ERROR_SYNTAX,
              "'[ \\%s ]' closes no open table", name);
  } else {
    gssize t = vgw_param_find_table(inner.p, inner.len);
    g_clear_pointer(&ps->unknown_header, g_free);
    if (t >= 0)
      ok = open_table(ps, t);
    else
      ps->unknown_header = g_strdup(name);
  }
  g_free(name);
  return ok;
}

static gboolean parse_line(Parser *ps, Span line) {
  line = span_trim(line);
  if (line.len == 0 || line.p[0] == ';') return TRUE;
  if (line.p[0] == '[') return header_line(ps, line);
  if (ps->skip_table) return TRUE;
  Span word = span_word(line);
  if (span_eq(word, "FORMAT")) {
    Span rest = span_trim(span_from(line, word.len));
    if (ps->table >= 0) return format_line(ps, rest);
    if (!ps->unknown_header)
      return fail(ps, VGW_PARAM_ERROR_SYNTAX,
                  "FORMAT line outside a table section");
    warn(ps, "%s: unknown table, skipped", ps->unknown_header);
    ps->named++;
    ps->skip_table = g_steal_pointer(&ps->unknown_header);
    return TRUE;
  }
  if (ps->table >= 0) return row_line(ps, line);
  return global_line(ps, line);
}

static gboolean parse_all(Parser *ps, Span data) {
  gsize pos = 0;
  while (pos < data.len) {
    Span rest = span_from(data, pos);
    gsize eol = span_find(rest, '\n');
    Span line = span_head(rest, eol);
    pos += eol + 1;
    ps->line++;
    if (line.len > 0 && line.p[line.len - 1] == '\r') line.len--;
    if (!parse_line(ps, line)) return FALSE;
  }
  if (ps->table >= 0) {
    const char *name = vgw_param_table((gsize)ps->table)->name;
    ps->line = ps->table_line;
    return fail(ps, VGW_PARAM_ERROR_SYNTAX, "%s: missing '[ \\%s ]'", name,
                name);
  }
  return TRUE;
}

gboolean vgw_ini_load(VgwParamConfig *cfg, const char *data, gsize len,
                      const char *file_name, VgwIniLoadMode mode,
                      GPtrArray *warnings, GError **error) {
  Parser ps = {0};
  ps.cfg = mode == VGW_INI_INCREMENTAL ? vgw_param_config_copy(cfg)
                                       : vgw_param_config_new();
  vgw_param_config_forget_lines(ps.cfg);
  ps.file = file_name ? file_name : "ini";
  ps.mode = mode;
  ps.warnings = warnings;
  ps.table = -1;
  ps.format = g_array_new(FALSE, FALSE, sizeof(gssize));
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++)
    ps.row_line[t] = g_new0(guint, vgw_param_table(t)->max_rows);

  gboolean ok = parse_all(&ps, (Span){data, data ? len : 0});
  if (ok) vgw_digest_users_seal(ps.cfg, ps.file, ps.warnings);
  ok = ok && vgw_param_config_validate(ps.cfg, ps.file, &ps.error);
  if (ok && ps.named == 0 && mode == VGW_INI_FULL) {
    g_set_error(&ps.error, VGW_PARAM_ERROR, VGW_PARAM_ERROR_EMPTY,
                "%s: names no parameter and no table: a full load would "
                "reset everything to factory defaults", ps.file);
    ok = FALSE;
  }
  if (ok)
    vgw_param_config_take(cfg, g_steal_pointer(&ps.cfg));
  else
    g_propagate_error(error, g_steal_pointer(&ps.error));

  vgw_param_config_free(ps.cfg);
  g_clear_error(&ps.error);
  g_array_unref(ps.format);
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++) g_free(ps.row_line[t]);
  g_free(ps.unknown_header);
  g_free(ps.skip_table);
  return ok;
}
