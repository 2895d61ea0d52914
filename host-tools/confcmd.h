/*
 * Helpers shared by the configuration verbs (param, ini, pending, save,
 * factory-reset): one request to a running gateway, reply field access,
 * JSON output.
 */
#ifndef VGW_CONFCMD_H
#define VGW_CONFCMD_H

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Seconds to wait for replies that write the flash (save, ini-load). */
#define VGW_CONF_SLOW_TIMEOUT_S 60

/* vgw_conf_request sends |req| to the running gateway |name| and returns
 * the reply object (errors as vgw_maint_request, or "gateway 'N' is not
 * running").  |timeout_s| 0: the default. */
JsonObject *vgw_conf_request(const char *name, const char *const *req,
                             guint timeout_s, GError **error);

/* vgw_conf_string returns member |key| of |o| as text: strings as they
 * are, numbers and booleans formatted (static buffer, until the next
 * call), NULL for null or missing. */
const char *vgw_conf_string(JsonObject *o, const char *key);

/* vgw_conf_list asks the running gateway |name| for |verb| (no
 * arguments), whose reply lists things in its array member |member|. With
 * |json| it prints the reply (vgw_conf_print_json) and the caller prints
 * nothing more; otherwise *|items| is that array, owned by the returned
 * reply, and *|n| its length (0 when the member is missing). NULL with
 * |error| set as vgw_conf_request. */
JsonObject *vgw_conf_list(const char *name, gboolean json, const char *verb,
                          const char *member, JsonArray **items, guint *n,
                          GError **error);

/* vgw_conf_print_json prints |o| as one line of JSON on stdout. */
void vgw_conf_print_json(JsonObject *o);

G_END_DECLS

#endif /* VGW_CONFCMD_H */
