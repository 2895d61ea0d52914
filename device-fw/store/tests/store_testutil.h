/* Helpers shared by the store tests: blob sets and store snapshots. */
#ifndef VGW_STORE_TEST_UTIL_H
#define VGW_STORE_TEST_UTIL_H

#include <string.h>

#include "store.h"

typedef struct {
  VgwStoreBlobType type;
  const char *name;
  const char *text;
} TestBlob;

/* snapshot returns a canonical text of everything |store| holds, so two
 * stores compare equal exactly when their contents (and blankness) do. */
static inline char *snapshot(const VgwStore *store) {
  GString *s = g_string_new(vgw_store_is_blank(store) ? "blank\n" : "");
  GArray *list = vgw_store_list(store);
  for (guint i = 0; i < list->len; i++) {
    VgwStoreBlobInfo *info = &g_array_index(list, VgwStoreBlobInfo, i);
    VgwStoreBlobType type;
    GBytes *data = vgw_store_get(store, info->name, &type);
    g_assert_nonnull(data);
    g_assert_cmpint(type, ==, info->type);
    g_assert_cmpuint(g_bytes_get_size(data), ==, info->length);
    g_string_append_printf(s, "%s %d %" G_GSIZE_FORMAT ":", info->name, type,
                           info->length);
    g_string_append_len(s, g_bytes_get_data(data, NULL),
                        (gssize)info->length);
    g_string_append_c(s, '\n');
    g_bytes_unref(data);
  }
  g_array_unref(list);
  return g_string_free(s, FALSE);
}

/* put_set replaces the contents of |txn| with the |n| blobs of |set|. */
static inline void put_set(VgwStoreTxn *txn, const TestBlob *set, gsize n) {
  vgw_store_txn_clear(txn);
  for (gsize i = 0; i < n; i++) {
    g_assert_true(vgw_store_txn_put(txn, set[i].type, set[i].name,
                                    set[i].text, strlen(set[i].text), NULL));
  }
}

/* save_set commits exactly |set| as the next generation of |store|,
 * returning what vgw_store_commit returned. */
static inline gboolean save_set(VgwStore *store, const TestBlob *set,
                                gsize n, GError **error) {
  VgwStoreTxn *txn = vgw_store_begin(store);
  put_set(txn, set, n);
  gboolean ok = vgw_store_commit(store, txn, error);
  vgw_store_txn_free(txn);
  return ok;
}

#endif
