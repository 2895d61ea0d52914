#include "junit.h"

#include <stdlib.h>
#include <string.h>

#include "vgw-error.h"

void
vgw_junit_case_free(VgwJunitCase *tc)
{
  if (tc == NULL)
    return;
  g_free(tc->name);
  g_free(tc->failure);
  g_free(tc->details);
  g_free(tc->output);
  g_free(tc);
}

/* XML 1.0 forbids most control characters even as references, and a
 * scenario's output is arbitrary bytes: keep tab, LF, CR and valid UTF-8,
 * replace the rest, then escape markup. */
static void
append_text(GString *out, const char *text)
{
  g_autofree char *valid = g_utf8_make_valid(text, -1);
  GString *clean = g_string_sized_new(strlen(valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
      c = 0xfffd;
    g_string_append_unichar(clean, c);
  }
  g_autofree char *escaped = g_markup_escape_text(clean->str, clean->len);
  g_string_free(clean, TRUE);
  g_string_append(out, escaped);
}

static void
append_attr(GString *out, const char *name, const char *value)
{
  g_string_append_printf(out, " %s=\"", name);
  append_text(out, value);
  g_string_append_c(out, '"');
}

static int
compare_keys(gconstpointer a, gconstpointer b)
{
  return g_strcmp0(*(const char *const *) a, *(const char *const *) b);
}

static void
append_properties(GString *out, GHashTable *properties)
{
  if (properties == NULL || g_hash_table_size(properties) == 0)
    return;
  guint n = 0;
  g_autofree const char **keys =
    (const char **) g_hash_table_get_keys_as_array(properties, &n);
  qsort(keys, n, sizeof(*keys), compare_keys);
  g_string_append(out, "  <properties>\n");
  for (guint i = 0; i < n; i++) {
    g_string_append(out, "    <property");
    append_attr(out, "name", keys[i]);
    append_attr(out, "value", g_hash_table_lookup(properties, keys[i]));
    g_string_append(out, "/>\n");
  }
  g_string_append(out, "  </properties>\n");
}

static void
append_case(GString *out, const char *suite, const VgwJunitCase *tc)
{
  char secs[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append(out, "  <testcase");
  append_attr(out, "classname", suite);
  append_attr(out, "name", tc->name);
  append_attr(out, "time", g_ascii_formatd(secs, sizeof(secs), "%.3f", tc->seconds));
  g_string_append(out, ">\n");
  if (tc->failure != NULL) {
    g_string_append(out, "    <failure");
    append_attr(out, "message", tc->failure);
    g_string_append(out, ">");
    if (tc->details != NULL)
      append_text(out, tc->details);
    g_string_append(out, "</failure>\n");
  }
  if (tc->output != NULL && tc->output[0] != '\0') {
    g_string_append(out, "    <system-out>");
    append_text(out, tc->output);
    g_string_append(out, "</system-out>\n");
  }
  g_string_append(out, "  </testcase>\n");
}

char *
vgw_junit_render(const char *suite, GPtrArray *cases, GHashTable *properties)
{
  GString *out = g_string_new("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  guint failures = 0;
  double seconds = 0;
  char secs[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < cases->len; i++) {
    const VgwJunitCase *tc = g_ptr_array_index(cases, i);
    failures += tc->failure != NULL;
    seconds += tc->seconds;
  }
  g_string_append(out, "<testsuite");
  append_attr(out, "name", suite);
  g_string_append_printf(out, " tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"0\"",
                         cases->len, failures);
  append_attr(out, "time", g_ascii_formatd(secs, sizeof(secs), "%.3f", seconds));
  g_string_append(out, ">\n");
  append_properties(out, properties);
  for (guint i = 0; i < cases->len; i++)
    append_case(out, suite, g_ptr_array_index(cases, i));
  g_string_append(out, "</testsuite>\n");
  return g_string_free(out, FALSE);
}

gboolean
vgw_junit_write(const char *path, const char *suite, GPtrArray *cases,
                GHashTable *properties, GError **error)
{
  g_autofree char *xml = vgw_junit_render(suite, cases, properties);
  g_autoptr(GError) local = NULL;

  if (!g_file_set_contents(path, xml, -1, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot write %s: %s", path,
                local->message);
    return FALSE;
  }
  return TRUE;
}
