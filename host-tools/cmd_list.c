/* vgw list: every gateway in the state root, with state and ports. */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "instance.h"
#include "json_out.h"
#include "vgw-error.h"

gboolean
vgw_list_parse(int argc, char **argv, VgwListOptions *opts, GError **error)
{
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json,
      "Print a JSON array of {name, state, pid, ports, serial, state_dir}", NULL },
    { NULL },
  };

  memset(opts, 0, sizeof *opts);
  return vgw_cli_parse("list", NULL, "List the gateways in the state directory.",
                       entries, opts, FALSE, argc, argv, NULL, error);
}

static JsonObject *
describe(VgwInstance *inst)
{
  JsonObject *o = json_object_new();
  JsonObject *ports = json_object_new();
  int pid = vgw_instance_running_pid(inst);

  json_object_set_string_member(o, "name", inst->name);
  json_object_set_string_member(o, "state", pid != 0 ? "running" : "stopped");
  if (pid != 0)
    json_object_set_int_member(o, "pid", pid);
  else
    json_object_set_null_member(o, "pid");
  json_object_set_int_member(ports, "sip_udp", inst->sip_port);
  json_object_set_int_member(ports, "sip_tcp", inst->sip_port);
  json_object_set_int_member(ports, "sips", inst->sip_tls_port);
  json_object_set_object_member(o, "ports", ports);
  if (inst->serial != NULL)
    json_object_set_string_member(o, "serial", inst->serial);
  else
    json_object_set_null_member(o, "serial");
  json_object_set_string_member(o, "state_dir", inst->dir);
  return o;
}

int
vgw_cmd_list(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(JsonArray) all = json_array_new();
  VgwListOptions opts;

  if (!vgw_list_parse(argc, argv, &opts, &error))
    return vgw_cli_finish(error);
  names = vgw_instance_list_names();
  for (char **n = names; *n != NULL; n++) {
    g_autoptr(VgwInstance) inst = vgw_instance_new(*n, NULL);
    /* Skip what cannot be read rather than failing the whole list. */
    if (inst != NULL && vgw_instance_load(inst, NULL))
      json_array_add_object_element(all, describe(inst));
  }
  if (opts.json) {
    g_autoptr(JsonNode) root = json_node_new(JSON_NODE_ARRAY);
    g_autofree char *text = NULL;
    json_node_set_array(root, all);
    text = vgw_json_to_text(root);
    printf("%s\n", text);
    return VGW_EXIT_OK;
  }
  if (json_array_get_length(all) == 0) {
    printf("no gateways\n");
    return VGW_EXIT_OK;
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
  return VGW_EXIT_OK;
}
