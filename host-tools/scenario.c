#include "scenario.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgw-error.h"

static gboolean
is_executable_file(const char *path)
{
  struct stat st;

  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static int
compare_paths(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static gboolean
add_directory(GPtrArray *found, const char *dir, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) d = g_dir_open(dir, 0, &local);
  g_autoptr(GPtrArray) here = g_ptr_array_new();
  const char *entry;

  if (d == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s: %s", dir, local->message);
    return FALSE;
  }
  while ((entry = g_dir_read_name(d)) != NULL) {
    char *path = g_build_filename(dir, entry, NULL);
    if (entry[0] != '.' && is_executable_file(path))
      g_ptr_array_add(here, path);
    else
      g_free(path);
  }
  g_ptr_array_sort(here, compare_paths);
  for (guint i = 0; i < here->len; i++)
    g_ptr_array_add(found, g_ptr_array_index(here, i));
  return TRUE;
}

char **
vgw_scenarios_find(char *const *paths, GError **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);

  for (char *const *p = paths; p != NULL && *p != NULL; p++) {
    if (g_file_test(*p, G_FILE_TEST_IS_DIR)) {
      if (!add_directory(found, *p, error))
        return NULL;
    } else if (!g_file_test(*p, G_FILE_TEST_EXISTS)) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s: no such file or directory", *p);
      return NULL;
    } else if (!is_executable_file(*p)) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                  "%s: not an executable file (a scenario is run as a program)", *p);
      return NULL;
    } else {
      g_ptr_array_add(found, g_strdup(*p));
    }
  }
  if (found->len == 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "no scenario found (executable files)");
    return NULL;
  }
  g_ptr_array_set_free_func(found, NULL);
  g_ptr_array_add(found, NULL);
  return (char **) g_ptr_array_free(g_steal_pointer(&found), FALSE);
}

static gboolean
is_tap_failure(const char *line)
{
  if (g_str_has_prefix(line, "Bail out!"))
    return TRUE;
  if (!g_str_has_prefix(line, "not ok"))
    return FALSE;
  /* "not ok N - what # TODO why" is an expected failure. */
  const char *directive = strchr(line, '#');
  if (directive == NULL)
    return TRUE;
  directive++;
  while (*directive == ' ' || *directive == '\t')
    directive++;
  return g_ascii_strncasecmp(directive, "TODO", 4) != 0;
}

char *
vgw_tap_failures(const char *tap)
{
  g_auto(GStrv) lines = g_strsplit(tap != NULL ? tap : "", "\n", -1);
  GString *out = g_string_new(NULL);

  for (char **l = lines; *l != NULL; l++) {
    if (is_tap_failure(*l))
      g_string_append_printf(out, "%s\n", *l);
  }
  if (out->len == 0) {
    g_string_free(out, TRUE);
    return NULL;
  }
  return g_string_free(out, FALSE);
}
