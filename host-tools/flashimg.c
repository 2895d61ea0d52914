#include "flashimg.h"

#include "blockdev.h"
#include "param_ini.h"
#include "store.h"
#include "vgw-error.h"

VgwParamConfig *
vgw_ini_check(const char *data, gsize len, const char *file_name,
              GPtrArray *warnings, GError **error)
{
  VgwParamConfig *cfg = vgw_param_config_new();
  g_autoptr(GError) local = NULL;

  if (!vgw_ini_load(cfg, data, len, file_name, VGW_INI_FULL, warnings, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s", local->message);
    vgw_param_config_free(cfg);
    return NULL;
  }
  return cfg;
}

gboolean
vgw_ini_names_nothing(const char *data, gsize len)
{
  gboolean line_start = TRUE, in_comment = FALSE;

  for (gsize i = 0; i < len; i++) {
    char c = data[i];

    if (c == '\n') {
      line_start = TRUE;
      in_comment = FALSE;
    } else if (in_comment || g_ascii_isspace(c)) {
      continue;
    } else if (line_start && c == ';') {
      in_comment = TRUE;
    } else {
      return FALSE;
    }
  }
  return TRUE;
}

static void
flash_error(GError **error, const char *path, const GError *local)
{
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "flash image %s: %s", path,
              local->message);
}

gboolean
vgw_flash_write_config(const char *flash_path, const char *ini, gsize len,
                       guint64 *generation, GError **error)
{
  g_autoptr(GError) local = NULL;
  VgwBlockDev *dev = vgw_blockdev_open_file(flash_path, TRUE, &local);
  VgwStore *store = NULL;
  VgwStoreTxn *txn = NULL;
  gboolean ok = FALSE;

  if (dev == NULL)
    goto out;
  if ((store = vgw_store_open(dev, &local)) == NULL)
    goto out;
  txn = vgw_store_begin(store);
  if (!vgw_store_txn_put(txn, VGW_STORE_BLOB_CONFIG, VGW_STORE_CONFIG_NAME, ini,
                         len, &local) ||
      !vgw_store_commit(store, txn, &local))
    goto out;
  if (generation != NULL)
    *generation = vgw_store_sequence(store);
  ok = TRUE;

out:
  if (!ok)
    flash_error(error, flash_path, local);
  vgw_store_txn_free(txn);
  vgw_store_free(store);
  vgw_blockdev_free(dev);
  return ok;
}

JsonObject *
vgw_flash_describe(const char *flash_path, GError **error)
{
  g_autoptr(GError) local = NULL;
  VgwBlockDev *dev = vgw_blockdev_open_file(flash_path, FALSE, &local);
  VgwStore *store = NULL;
  JsonObject *o = NULL;
  JsonArray *blobs;
  GArray *list;
  GBytes *config;
  const GError *damage;

  if (dev == NULL || (store = vgw_store_open(dev, &local)) == NULL) {
    flash_error(error, flash_path, local);
    goto out;
  }
  o = json_object_new();
  json_object_set_string_member(o, "flash", flash_path);
  json_object_set_boolean_member(o, "blank", vgw_store_is_blank(store));
  if (vgw_store_is_blank(store))
    json_object_set_null_member(o, "generation");
  else
    json_object_set_int_member(o, "generation", (gint64) vgw_store_sequence(store));
  json_object_set_int_member(o, "capacity", (gint64) vgw_store_capacity(store));
  damage = vgw_store_damage(store);
  if (damage != NULL)
    json_object_set_string_member(o, "damage", damage->message);
  else
    json_object_set_null_member(o, "damage");
  blobs = json_array_new();
  list = vgw_store_list(store);
  for (guint i = 0; i < list->len; i++) {
    const VgwStoreBlobInfo *b = &g_array_index(list, VgwStoreBlobInfo, i);
    JsonObject *e = json_object_new();
    json_object_set_string_member(e, "name", b->name);
    json_object_set_string_member(e, "type", vgw_store_blob_type_name(b->type));
    json_object_set_int_member(e, "length", (gint64) b->length);
    json_array_add_object_element(blobs, e);
  }
  g_array_unref(list);
  json_object_set_array_member(o, "blobs", blobs);
  config = vgw_store_get(store, VGW_STORE_CONFIG_NAME, NULL);
  if (config != NULL) {
    gsize n;
    const char *p = g_bytes_get_data(config, &n);
    g_autofree char *text = g_strndup(p != NULL ? p : "", n);
    json_object_set_string_member(o, "config", text);
    g_bytes_unref(config);
  } else {
    json_object_set_null_member(o, "config");
  }

out:
  vgw_store_free(store);
  vgw_blockdev_free(dev);
  return o;
}
