/*
 * Offline access to a stopped gateway's flash.img through the firmware's
 * store library (docs/flash-store.md) and checks of ini files through its
 * param library: what `vgw up --config`, `vgw ini check` and `vgw flash`
 * do without a gateway.
 */
#ifndef VGW_FLASHIMG_H
#define VGW_FLASHIMG_H

#include <json-glib/json-glib.h>

#include "param_config.h"

G_BEGIN_DECLS

/* vgw_ini_check loads the |len| bytes at |data| as a full ini file called
 * |file_name| onto the factory configuration, with the firmware's own
 * parser.  Returns the resulting configuration, or NULL with a one-line
 * VGW_ERROR_FAILED error "FILE:LINE: PARAMETER: reason".  Warnings
 * (unknown parameters, skipped) are appended to |warnings| if not NULL. */
VgwParamConfig *vgw_ini_check(const char *data, gsize len,
                              const char *file_name, GPtrArray *warnings,
                              GError **error);

/* vgw_ini_names_nothing returns TRUE when the |len| bytes at |data| hold
 * only blank lines and ';' comments: a full load of them would quietly
 * reset every parameter to its factory default, which `vgw ini load`
 * refuses unless --allow-empty. */
gboolean vgw_ini_names_nothing(const char *data, gsize len);

/* vgw_flash_write_config stores |ini| as the configuration blob
 * (config.ini, type config) in a new generation of the store on the image
 * |flash_path|, keeping every other blob.  |*generation| (if not NULL)
 * gets the new generation's sequence number. */
gboolean vgw_flash_write_config(const char *flash_path, const char *ini,
                                gsize len, guint64 *generation,
                                GError **error);

/* vgw_flash_describe reads the image |flash_path| and returns
 * {"flash":PATH,"blank":bool,"generation":n or null,"capacity":bytes,
 *  "damage":"..." or null,"blobs":[{"name","type","length"},...],
 *  "config":"<config.ini text>" or null}. */
JsonObject *vgw_flash_describe(const char *flash_path, GError **error);

G_END_DECLS

#endif /* VGW_FLASHIMG_H */
