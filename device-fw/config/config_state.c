/* Running, staged and saved configurations: see config_state.h. */
#include "config/config_state.h"

#include <string.h>

#include "digest_users.h"
#include "param_ini.h"

struct VgwConfigState {
  VgwBlockDev *dev;       /* owned; NULL without flash */
  VgwStore *store;        /* NULL if there is no usable store */
  VgwParamConfig *running;
  VgwParamConfig *staged;
  /* What the next boot loads: the store's config.ini, or factory defaults
   * when it holds none; NULL when the store holds a config.ini that does
   * not load (so anything staged counts as unsaved). */
  VgwParamConfig *saved;
  gboolean from_flash;
  VgwConfigSource boot_source;
  VgwConfigAppliedFunc applied;
  gpointer applied_data;
};

/* load_saved reads config.ini from |store| into a new configuration.
 * Returns NULL (and sets |*blank|) when there is none, or NULL with
 * |error| set when it does not load. Warnings are logged: the real device
 * skips unknown parameters too. */
static VgwParamConfig *load_saved(VgwStore *store, gboolean *blank,
                                  GError **error) {
  *blank = FALSE;
  VgwStoreBlobType type;
  GBytes *bytes = vgw_store_get(store, VGW_STORE_CONFIG_NAME, &type);
  if (bytes == NULL) {
    *blank = TRUE;
    return NULL;
  }
  gsize len;
  const char *data = g_bytes_get_data(bytes, &len);
  VgwParamConfig *cfg = vgw_param_config_new();
  GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
  gboolean ok = vgw_ini_load(cfg, data, len, VGW_CONFIG_FILE_NAME,
                             VGW_INI_FULL, warnings, error);
  for (guint i = 0; ok && i < warnings->len; i++) {
    g_warning("config: %s", (const char *)warnings->pdata[i]);
  }
  g_ptr_array_unref(warnings);
  g_bytes_unref(bytes);
  if (!ok) {
    vgw_param_config_free(cfg);
    return NULL;
  }
  return cfg;
}

/* note_skipped adds a skipped generation to the boot source. */
static void note_skipped(VgwConfigState *cs, guint64 generation,
                         const char *reason) {
  VgwConfigSource *src = &cs->boot_source;
  if (src->n_skipped < G_N_ELEMENTS(src->skipped)) {
    src->skipped[src->n_skipped++] = (VgwConfigSkipped){generation, reason};
  }
}

/* note_store_skips records the damaged slots that may have held a newer
 * generation than the store's current one. */
static void note_store_skips(VgwConfigState *cs) {
  gsize n;
  const VgwStoreSlotDamage *d = vgw_store_damaged_slots(cs->store, &n);
  guint64 current = vgw_store_sequence(cs->store);
  for (gsize i = 0; i < n; i++) {
    if (d[i].generation == 0 || d[i].generation > current) {
      note_skipped(cs, d[i].generation,
                   vgw_store_damage_reason_name(d[i].reason));
    }
  }
}

/* log_rollback says on the console that the boot did not use the newest
 * configuration, and what it used instead. */
static void log_rollback(const VgwConfigState *cs) {
  const VgwConfigSource *src = &cs->boot_source;
  char used[64];
  if (src->generation != 0) {
    g_snprintf(used, sizeof(used), "flash generation %" G_GUINT64_FORMAT,
               src->generation);
  } else {
    g_snprintf(used, sizeof(used), "factory defaults");
  }
  for (gsize i = 0; i < src->n_skipped; i++) {
    const VgwConfigSkipped *k = &src->skipped[i];
    if (k->generation != 0) {
      g_warning("config: rolled back: flash generation %" G_GUINT64_FORMAT
                " skipped (%s); the configuration comes from %s",
                k->generation, k->reason, used);
    } else {
      g_warning("config: rolled back: a flash slot of unknown generation "
                "skipped (%s); the configuration comes from %s",
                k->reason, used);
    }
  }
}

/* boot_config opens the store and picks the boot configuration. The store
 * itself falls back to the older generation when the newer one fails its
 * checks; a config.ini that passes them but does not load falls back to
 * factory defaults (the store keeps no older generation for it). */
static VgwParamConfig *boot_config(VgwConfigState *cs) {
  GError *error = NULL;
  if (cs->dev == NULL) {
    g_warning("config: no configuration flash; factory defaults, and "
              "nothing can be saved");
    return vgw_param_config_new();
  }
  cs->store = vgw_store_open(cs->dev, &error);
  if (cs->store == NULL) {
    g_warning("config: flash store unusable (%s); factory defaults, and "
              "nothing can be saved",
              error->message);
    g_clear_error(&error);
    return vgw_param_config_new();
  }
  const GError *damage = vgw_store_damage(cs->store);
  if (damage != NULL) {
    g_warning("config: flash store damage ignored: %s", damage->message);
  }
  note_store_skips(cs);
  gboolean blank;
  VgwParamConfig *cfg = load_saved(cs->store, &blank, &error);
  guint64 gen = vgw_store_sequence(cs->store);
  if (cfg != NULL) {
    g_message("config: flash generation %" G_GUINT64_FORMAT, gen);
    cs->from_flash = TRUE;
    cs->boot_source.generation = gen;
    cs->saved = vgw_param_config_copy(cfg);
    log_rollback(cs);
    return cfg;
  }
  if (blank) {
    g_message("config: factory defaults");
    cs->saved = vgw_param_config_new();
  } else {
    g_warning("config: saved configuration (flash generation %"
              G_GUINT64_FORMAT ") rejected: %s",
              gen, error->message);
    g_warning("config: factory defaults");
    g_clear_error(&error);
    note_skipped(cs, gen, VGW_CONFIG_SKIP_REJECTED);
  }
  log_rollback(cs);
  return vgw_param_config_new();
}

VgwConfigState *vgw_config_state_open(VgwBlockDev *dev) {
  VgwConfigState *cs = g_new0(VgwConfigState, 1);
  cs->dev = dev;
  cs->staged = boot_config(cs);
  cs->running = vgw_param_config_copy(cs->staged);
  return cs;
}

void vgw_config_state_free(VgwConfigState *cs) {
  if (cs == NULL) {
    return;
  }
  vgw_store_free(cs->store);
  vgw_blockdev_free(cs->dev);
  vgw_param_config_free(cs->running);
  vgw_param_config_free(cs->staged);
  vgw_param_config_free(cs->saved);
  g_free(cs);
}

void vgw_config_state_set_applied(VgwConfigState *cs, VgwConfigAppliedFunc fn,
                                  gpointer user_data) {
  cs->applied = fn;
  cs->applied_data = user_data;
  if (fn != NULL) {
    fn(cs->running, user_data);
  }
}

const VgwParamConfig *vgw_config_state_running(const VgwConfigState *cs) {
  return cs->running;
}

const VgwParamConfig *vgw_config_state_staged(const VgwConfigState *cs) {
  return cs->staged;
}

gboolean vgw_config_state_stage(VgwConfigState *cs, VgwParamConfig *next,
                                const char *file_name, GError **error) {
  vgw_digest_users_seal(next, file_name, NULL);
  if (!vgw_param_config_validate(next, file_name, error)) {
    vgw_param_config_free(next);
    return FALSE;
  }
  vgw_param_config_take(cs->staged, next);
  vgw_param_config_apply_live(cs->running, cs->staged);
  if (cs->applied != NULL) {
    cs->applied(cs->running, cs->applied_data);
  }
  return TRUE;
}

GPtrArray *vgw_config_state_pending(const VgwConfigState *cs) {
  return vgw_param_config_pending(cs->running, cs->staged);
}

/* no_store fails an operation that needs the flash store. */
static gboolean no_store(GError **error) {
  g_set_error_literal(error, VGW_STORE_ERROR, VGW_STORE_ERROR_NOT_FOUND,
                      "no usable configuration flash store");
  return FALSE;
}

gboolean vgw_config_state_save(VgwConfigState *cs, guint64 *generation,
                               GError **error) {
  if (cs->store == NULL) {
    return no_store(error);
  }
  char *ini = vgw_ini_export(cs->staged);
  VgwConfigBlob blob = {VGW_STORE_BLOB_CONFIG, VGW_STORE_CONFIG_NAME, ini,
                        strlen(ini)};
  gboolean ok = vgw_config_state_put_blobs(cs, &blob, 1, error);
  g_free(ini);
  if (!ok) {
    return FALSE;
  }
  vgw_param_config_free(cs->saved);
  cs->saved = vgw_param_config_copy(cs->staged);
  *generation = vgw_store_sequence(cs->store);
  g_message("config: saved as flash generation %" G_GUINT64_FORMAT,
            *generation);
  return TRUE;
}

gboolean vgw_config_state_factory_reset(VgwConfigState *cs, GError **error) {
  if (cs->store == NULL) {
    return no_store(error);
  }
  if (!vgw_store_factory_reset(cs->store, error)) {
    return FALSE;
  }
  vgw_param_config_free(cs->saved);
  cs->saved = vgw_param_config_new();
  g_message("config: flash store erased; the next boot runs factory "
            "defaults");
  return TRUE;
}

const char *vgw_config_state_source(const VgwConfigState *cs) {
  return cs->from_flash ? "flash" : "factory";
}

const VgwConfigSource *vgw_config_state_boot_source(
    const VgwConfigState *cs) {
  return &cs->boot_source;
}

guint64 vgw_config_state_generation(const VgwConfigState *cs) {
  return cs->store != NULL ? vgw_store_sequence(cs->store) : 0;
}

gboolean vgw_config_state_unsaved(const VgwConfigState *cs) {
  return cs->saved == NULL || !vgw_param_config_equal(cs->saved, cs->staged);
}

GBytes *vgw_config_state_blob(const VgwConfigState *cs, const char *name) {
  return cs->store != NULL ? vgw_store_get(cs->store, name, NULL) : NULL;
}

gboolean vgw_config_state_put_blobs(VgwConfigState *cs,
                                    const VgwConfigBlob *blobs, gsize n,
                                    GError **error) {
  if (cs->store == NULL) {
    return no_store(error);
  }
  VgwStoreTxn *txn = vgw_store_begin(cs->store);
  gboolean ok = TRUE;
  for (gsize i = 0; ok && i < n; i++) {
    ok = vgw_store_txn_put(txn, blobs[i].type, blobs[i].name, blobs[i].data,
                           blobs[i].len, error);
  }
  ok = ok && vgw_store_commit(cs->store, txn, error);
  vgw_store_txn_free(txn);
  if (!ok) {
    /* After an I/O error the flash holds the old or the new generation
     * and the store's view may be stale: read it again (store.h). */
    GError *reopen_error = NULL;
    vgw_store_free(cs->store);
    cs->store = vgw_store_open(cs->dev, &reopen_error);
    if (cs->store == NULL) {
      g_warning("config: flash store unusable after a failed write: %s",
                reopen_error->message);
      g_clear_error(&reopen_error);
    }
  }
  return ok;
}
