/* vgw ini load F [--incremental] | export F | check F: ini files through
 * the maintenance port (upload-begin, upload-chunk, ini-load, ini-export),
 * and offline with the firmware's own parser (check). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "confcmd.h"
#include "flashimg.h"
#include "instance.h"
#include "maint.h"
#include "upload.h"
#include "vgw-error.h"

static void
print_warnings(JsonArray *a)
{
  for (guint i = 0; a != NULL && i < json_array_get_length(a); i++) {
    JsonNode *n = json_array_get_element(a, i);
    if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
      printf("warning: %s\n", json_node_get_string(n));
  }
}

gboolean
vgw_ini_load_run(gconstpointer options, GError **error)
{
  const VgwIniOptions *opts = options;
  g_autoptr(VgwInstance) inst = vgw_instance_new(opts->name, error);
  g_autofree char *data = NULL;
  g_autofree char *base = g_path_get_basename(opts->file);
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(JsonObject) reply = NULL;
  VgwMaintSession *s = NULL;
  VgwMaintTarget target = { 0 };
  const char *begin[] = { "upload-begin", NULL };
  /* docs/maintenance-protocol.md: ini-load full [allow-empty] [FILENAME] */
  const char *full[] = { "ini-load", "full", base, NULL };
  const char *full_empty[] = { "ini-load", "full", "allow-empty", base, NULL };
  const char *incremental[] = { "ini-load", "incremental", base, NULL };
  const char *const *load = opts->incremental ? incremental : opts->allow_empty ? full_empty : full;
  gsize len = 0;
  gboolean ok = FALSE;

  if (inst == NULL || !vgw_upload_read_file(opts->file, &data, &len, error) ||
      (chunks = vgw_upload_chunks(opts->file, data, len, error)) == NULL ||
      vgw_instance_require_running(inst, error) == 0)
    return FALSE;
  if (!opts->incremental && !opts->allow_empty && vgw_ini_names_nothing(data, len)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "%s: names no parameter and no table: a full load would reset everything "
                "to factory defaults (--allow-empty does that)", base);
    return FALSE;
  }
  target.socket_path = inst->maint_sock;
  if ((s = vgw_maint_session_open(&target, error)) == NULL)
    return FALSE;
  reply = vgw_maint_session_request(s, begin, 0, error);
  if (reply == NULL)
    goto out;
  for (guint i = 0; i < chunks->len; i++) {
    const char *chunk[] = { "upload-chunk", g_ptr_array_index(chunks, i), NULL };
    g_clear_pointer(&reply, json_object_unref);
    if ((reply = vgw_maint_session_request(s, chunk, 0, error)) == NULL)
      goto out;
  }
  g_clear_pointer(&reply, json_object_unref);
  /* A rejected load's error is "ini-load: FILE:LINE: PARAMETER: reason";
   * the user wants the firmware's line as it is. */
  {
    g_autoptr(GError) local = NULL;
    reply = vgw_maint_session_request(s, load, VGW_CONF_SLOW_TIMEOUT_S, &local);
    if (reply == NULL) {
      if (g_str_has_prefix(local->message, "ini-load: "))
        g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s",
                    local->message + strlen("ini-load: "));
      else
        g_propagate_error(error, g_steal_pointer(&local));
      goto out;
    }
  }
  if (opts->json) {
    vgw_conf_print_json(reply);
  } else {
    const char *applied = vgw_conf_string(reply, "applied");
    gint64 pending = json_object_has_member(reply, "pending")
                         ? json_object_get_int_member(reply, "pending") : 0;
    print_warnings(json_object_has_member(reply, "warnings")
                       ? json_object_get_array_member(reply, "warnings") : NULL);
    printf("%s loaded (%s, %" G_GSIZE_FORMAT " bytes): ", base,
           opts->incremental ? "incremental" : "full", len);
    if (g_strcmp0(applied, "after-reset") == 0)
      printf("%" G_GINT64_FORMAT " value%s pending until reset\n", pending,
             pending == 1 ? "" : "s");
    else
      printf("applied live\n");
  }
  ok = TRUE;

out:
  vgw_maint_session_close(s);
  return ok;
}

gboolean
vgw_ini_export_run(gconstpointer options, GError **error)
{
  const VgwIniOptions *opts = options;
  const char *req[] = { "ini-export", NULL };
  g_autoptr(JsonObject) o = vgw_conf_request(opts->name, req, 0, error);
  const char *ini;
  g_autoptr(GError) local = NULL;

  if (o == NULL)
    return FALSE;
  ini = vgw_conf_string(o, "ini");
  if (ini == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "ini-export: the gateway's reply has no \"ini\" text");
    return FALSE;
  }
  if (strcmp(opts->file, "-") == 0) {
    fputs(ini, stdout);
    return TRUE;
  }
  if (!g_file_set_contents(opts->file, ini, -1, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s", local->message);
    return FALSE;
  }
  return TRUE;
}

gboolean
vgw_ini_check_run(gconstpointer options, GError **error)
{
  const VgwIniOptions *opts = options;
  g_autofree char *data = NULL;
  g_autofree char *base = g_path_get_basename(opts->file);
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
  VgwParamConfig *cfg;
  gsize len = 0;

  if (!vgw_upload_read_file(opts->file, &data, &len, error))
    return FALSE;
  cfg = vgw_ini_check(data, len, base, warnings, error);
  for (guint i = 0; i < warnings->len; i++)
    printf("warning: %s\n", (char *) g_ptr_array_index(warnings, i));
  if (cfg == NULL)
    return FALSE;
  vgw_param_config_free(cfg);
  printf("%s: ok\n", base);
  return TRUE;
}
