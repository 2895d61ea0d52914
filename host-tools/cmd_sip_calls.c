/* vgw sip calls: the calls a running gateway routed (the firmware's
 * sip-calls verb), as text or its JSON. */
#include <stdio.h>

#include "commands.h"
#include "confcmd.h"

/* Member |key| of |o| as text, "-" when null or missing; each call
 * returns a new string (vgw_conf_string's buffer is reused). */
static char *
text_of(JsonObject *o, const char *key)
{
  const char *s = vgw_conf_string(o, key);

  return g_strdup(s != NULL ? s : "-");
}

gboolean
vgw_sip_calls_run(gconstpointer data, GError **error)
{
  const VgwCommonOptions *opts = data;
  JsonArray *calls;
  guint n;
  g_autoptr(JsonObject) o =
      vgw_conf_list(opts->name, opts->json, "sip-calls", "calls",
                    &calls, &n, error);

  if (o == NULL)
    return FALSE;
  if (opts->json)
    return TRUE;
  g_autofree char *in_progress = text_of(o, "in_progress");
  g_autofree char *total = text_of(o, "total");
  printf("%s calls in progress, %s routed since start\n", in_progress, total);
  for (guint i = 0; i < n; i++) {
    JsonObject *c = json_array_get_object_element(calls, i);
    g_autofree char *id = text_of(c, "id");
    g_autofree char *from = text_of(c, "from");
    g_autofree char *to = text_of(c, "to");
    g_autofree char *state = text_of(c, "state");
    g_autofree char *reason = text_of(c, "end_reason");
    g_autofree char *caller = text_of(c, "caller");
    g_autofree char *callee = text_of(c, "callee");

    printf("%s  %s -> %s  %s%s%s  (%s -> %s)\n", id, from, to, state,
           g_strcmp0(reason, "-") != 0 ? ": " : "",
           g_strcmp0(reason, "-") != 0 ? reason : "", caller, callee);
  }
  return TRUE;
}
