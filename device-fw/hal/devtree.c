/* Device-tree lookups: see devtree.h. */
#include "hal/devtree.h"

#include <string.h>

/* has_compatible reports whether the NUL-separated string list in the
 * "compatible" file of |dir| contains |compatible|. */
static gboolean has_compatible(const char *dir, const char *compatible) {
  char *path = g_build_filename(dir, "compatible", NULL);
  char *data = NULL;
  gsize len = 0;
  gboolean found = FALSE;
  if (g_file_get_contents(path, &data, &len, NULL)) {
    for (gsize off = 0; off < len; off += strlen(data + off) + 1) {
      if (strcmp(data + off, compatible) == 0) {
        found = TRUE;
        break;
      }
    }
  }
  g_free(data);
  g_free(path);
  return found;
}

static gint compare_names(gconstpointer a, gconstpointer b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* child_dirs appends the sub-directories of |dir| (the child nodes), in
 * name order, to |queue|. */
static void child_dirs(const char *dir, GQueue *queue) {
  GDir *d = g_dir_open(dir, 0, NULL);
  if (d == NULL) {
    return;
  }
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const char *name;
  while ((name = g_dir_read_name(d)) != NULL) {
    g_ptr_array_add(names, g_strdup(name));
  }
  g_dir_close(d);
  g_ptr_array_sort(names, compare_names);
  for (guint i = 0; i < names->len; i++) {
    char *child = g_build_filename(dir, names->pdata[i], NULL);
    if (g_file_test(child, G_FILE_TEST_IS_DIR) &&
        !g_file_test(child, G_FILE_TEST_IS_SYMLINK)) {
      g_queue_push_tail(queue, child);
    } else {
      g_free(child);
    }
  }
  g_ptr_array_free(names, TRUE);
}

char *vgw_dt_find_compatible(const char *dt_root, const char *compatible) {
  /* Breadth first: board devices sit right under the root, so this reads
   * few files (each one is a syscall, slow under emulation). */
  GQueue queue = G_QUEUE_INIT;
  g_queue_push_tail(&queue, g_strdup(dt_root));
  char *found = NULL;
  char *dir;
  guint visited = 0;
  while (found == NULL && (dir = g_queue_pop_head(&queue)) != NULL) {
    if (has_compatible(dir, compatible)) {
      found = dir;
    } else {
      if (++visited < 4096) {
        child_dirs(dir, &queue);
      }
      g_free(dir);
    }
  }
  g_queue_clear_full(&queue, g_free);
  return found;
}

/* read_cells_prop reads a one-cell property of |dir|, or returns |dflt|. */
static uint32_t read_cells_prop(const char *dir, const char *prop,
                                uint32_t dflt) {
  char *path = g_build_filename(dir, prop, NULL);
  char *data = NULL;
  gsize len = 0;
  uint32_t value = dflt;
  if (g_file_get_contents(path, &data, &len, NULL) && len == 4) {
    const guchar *b = (const guchar *)data;
    value = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
            (uint32_t)b[2] << 8 | b[3];
  }
  g_free(data);
  g_free(path);
  return value;
}

static uint64_t cells_value(const guchar *b, uint32_t cells) {
  uint64_t v = 0;
  for (uint32_t i = 0; i < cells * 4; i++) {
    v = (v << 8) | b[i];
  }
  return v;
}

gboolean vgw_dt_read_reg(const char *node_path, uint64_t *base,
                         uint64_t *size, GError **error) {
  char *parent = g_path_get_dirname(node_path);
  uint32_t acells = read_cells_prop(parent, "#address-cells", 2);
  uint32_t scells = read_cells_prop(parent, "#size-cells", 1);
  g_free(parent);
  if (acells > 2 || scells > 2) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s: unsupported #address-cells %u / #size-cells %u",
                node_path, acells, scells);
    return FALSE;
  }
  char *path = g_build_filename(node_path, "reg", NULL);
  char *data = NULL;
  gsize len = 0;
  gboolean ok = g_file_get_contents(path, &data, &len, error);
  if (ok && len < (acells + scells) * 4) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s: too short (%zu bytes)", path, (size_t)len);
    ok = FALSE;
  }
  if (ok) {
    const guchar *b = (const guchar *)data;
    *base = cells_value(b, acells);
    *size = cells_value(b + acells * 4, scells);
  }
  g_free(data);
  g_free(path);
  return ok;
}
