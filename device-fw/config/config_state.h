/*
 * The gateway's three configurations (docs/maintenance-protocol.md,
 * "Configuration verbs"): running (in effect), staged (what the next boot
 * runs) and saved (config.ini in the flash store), and the glue between
 * them and the store. No I/O beyond the block device it is given, so the
 * maintenance verbs can be unit-tested over a memory device.
 */
#ifndef VGW_CONFIG_CONFIG_STATE_H
#define VGW_CONFIG_CONFIG_STATE_H

#include <glib.h>

#include "param_config.h"
#include "store.h"

G_BEGIN_DECLS

/* VGW_CONFIG_FILE_NAME is how the saved configuration is named in
 * messages about it. */
#define VGW_CONFIG_FILE_NAME VGW_STORE_CONFIG_NAME

typedef struct VgwConfigState VgwConfigState;

/* VgwConfigAppliedFunc is called after values reached the running
 * configuration (at open and after every live change), so the firmware
 * can put them into effect. */
typedef void (*VgwConfigAppliedFunc)(const VgwParamConfig *running,
                                     gpointer user_data);

/* vgw_config_state_open takes |dev| (may be NULL: no flash, nothing can be
 * saved) and boots from it: the store's config.ini if it loads, else
 * factory defaults. It never fails: an unusable store or an unloadable
 * saved configuration is logged with g_warning and the gateway runs on
 * factory defaults. Running and staged start equal. A boot that could
 * not use the newest configuration on the flash (a damaged generation,
 * or a config.ini that does not load) logs it with g_warning, naming the
 * generation skipped, why, and where the configuration came from instead
 * (vgw_config_state_boot_source). */
VgwConfigState *vgw_config_state_open(VgwBlockDev *dev);

/* vgw_config_state_free releases |cs| and its device; NULL allowed. */
void vgw_config_state_free(VgwConfigState *cs);

/* vgw_config_state_set_applied installs |fn|, called at once with the
 * running configuration and again after every live change. */
void vgw_config_state_set_applied(VgwConfigState *cs, VgwConfigAppliedFunc fn,
                                  gpointer user_data);

/* vgw_config_state_running returns the configuration in effect. */
const VgwParamConfig *vgw_config_state_running(const VgwConfigState *cs);

/* vgw_config_state_staged returns the configuration the next boot runs. */
const VgwParamConfig *vgw_config_state_staged(const VgwConfigState *cs);

/* vgw_config_state_stage seals the Digest passwords given in clear in
 * |next| (digest_users.h), validates it (taken in every case) and, if
 * it is valid, makes it the staged configuration and copies into running
 * what applies live. |file_name| names the source in validation messages
 * (NULL: "config"). On an invalid configuration it returns FALSE with
 * |error| set and changes nothing. */
gboolean vgw_config_state_stage(VgwConfigState *cs, VgwParamConfig *next,
                                const char *file_name, GError **error);

/* vgw_config_state_pending returns the pending-reset values, as
 * vgw_param_config_pending does (free with g_ptr_array_unref). */
GPtrArray *vgw_config_state_pending(const VgwConfigState *cs);

/* vgw_config_state_save writes the staged configuration to the store as
 * config.ini in a new generation (power-fail safe: the store writes the
 * other slot and commits with its header) and sets |*generation|. */
gboolean vgw_config_state_save(VgwConfigState *cs, guint64 *generation,
                               GError **error);

/* vgw_config_state_factory_reset erases the store, so the next boot runs
 * factory defaults. Running and staged are unchanged. */
gboolean vgw_config_state_factory_reset(VgwConfigState *cs, GError **error);

/* vgw_config_state_source returns where the boot configuration came from:
 * "factory" or "flash". */
const char *vgw_config_state_source(const VgwConfigState *cs);

/* VGW_CONFIG_MAX_SKIPPED bounds VgwConfigSource.skipped: one per store
 * slot. */
#define VGW_CONFIG_MAX_SKIPPED 2

/* A newer configuration the boot did not use, and why. */
typedef struct {
  guint64 generation; /* 0: unknown (the slot's header is damaged) */
  const char *reason; /* vgw_store_damage_reason_name(), or
                       * VGW_CONFIG_SKIP_REJECTED */
} VgwConfigSkipped;

/* VGW_CONFIG_SKIP_REJECTED is the reason of a generation that passed the
 * store's checks but whose config.ini does not load. */
#define VGW_CONFIG_SKIP_REJECTED "config-rejected"

/* Where the boot configuration came from (`status` "config_source"). */
typedef struct {
  guint64 generation; /* the flash generation loaded; 0: factory defaults */
  gsize n_skipped;
  /* Flash generations newer than |generation|, or of unknown number, that
   * the boot could not use: non-empty means it rolled back. */
  VgwConfigSkipped skipped[VGW_CONFIG_MAX_SKIPPED];
} VgwConfigSource;

/* vgw_config_state_boot_source describes where the boot configuration
 * came from. Fixed at open: saves do not change it. */
const VgwConfigSource *vgw_config_state_boot_source(const VgwConfigState *cs);

/* vgw_config_state_generation returns the store's current generation, 0
 * when it holds none. */
guint64 vgw_config_state_generation(const VgwConfigState *cs);

/* vgw_config_state_unsaved reports whether staged differs from what the
 * next boot would load from the store. */
gboolean vgw_config_state_unsaved(const VgwConfigState *cs);

/* VgwConfigBlob is one blob for vgw_config_state_put_blobs. */
typedef struct {
  VgwStoreBlobType type;
  const char *name;
  const void *data;
  gsize len;
} VgwConfigBlob;

/* vgw_config_state_blob returns blob |name| of the store's current
 * generation (a new reference), or NULL if there is none or no store. */
GBytes *vgw_config_state_blob(const VgwConfigState *cs, const char *name);

/* vgw_config_state_put_blobs writes a new generation in which the |n|
 * |blobs| are added or replaced and everything else (the saved config.ini
 * included) is as before; power-fail safe like a save. Fails without a
 * usable store, or as vgw_store_txn_put / vgw_store_commit do. */
gboolean vgw_config_state_put_blobs(VgwConfigState *cs,
                                    const VgwConfigBlob *blobs, gsize n,
                                    GError **error);

G_END_DECLS

#endif /* VGW_CONFIG_CONFIG_STATE_H */
