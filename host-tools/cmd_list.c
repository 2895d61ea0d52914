/* vgw list: every gateway in the state root, with state and ports. */
#include <json-glib/json-glib.h>
#include <stdio.h>

#include "commands.h"
#include "gateway.h"
#include "instance.h"

static void
print_table(JsonArray *all)
{
  if (json_array_get_length(all) == 0) {
    printf("no gateways\n");
    return;
  }
  printf("%-16s %-8s %-8s %-8s %s\n", "NAME", "STATE", "SIP", "SIPS", "PID");
  for (guint i = 0; i < json_array_get_length(all); i++) {
    JsonObject *o = json_array_get_object_element(all, i);
    JsonObject *ports = json_object_get_object_member(o, "ports");
    g_autofree char *pid = json_object_get_null_member(o, "pid")
                               ? g_strdup("-")
                               : g_strdup_printf("%" G_GINT64_FORMAT, json_object_get_int_member(o, "pid"));
    printf("%-16s %-8s %-8" G_GINT64_FORMAT " %-8" G_GINT64_FORMAT " %s\n",
           json_object_get_string_member(o, "name"),
           json_object_get_string_member(o, "state"),
           json_object_get_int_member(ports, "sip_udp"),
           json_object_get_int_member(ports, "sips"), pid);
  }
}

gboolean
vgw_list_run(gconstpointer data, GError **error)
{
  const VgwCommonOptions *opts = data;
  g_auto(GStrv) names = vgw_instance_list_names();
  g_autoptr(JsonArray) all = json_array_new();

  for (char **n = names; *n != NULL; n++) {
    g_autoptr(VgwInstance) inst = vgw_instance_new(*n, NULL);
    /* Skip what cannot be read rather than failing the whole list. */
    if (inst != NULL && vgw_instance_load(inst, NULL))
      json_array_add_object_element(all, vgw_gateway_describe(inst,
                                                              vgw_instance_running_pid(inst)));
  }
  if (opts->json) {
    g_autoptr(JsonNode) root = json_node_new(JSON_NODE_ARRAY);
    g_autofree char *text = NULL;
    json_node_set_array(root, all);
    text = json_to_string(root, FALSE);
    printf("%s\n", text);
  } else {
    print_table(all);
  }
  return TRUE;
}
