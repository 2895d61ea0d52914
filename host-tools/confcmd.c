#include "confcmd.h"

#include <stdio.h>

#include "instance.h"
#include "json_out.h"
#include "maint.h"

JsonObject *
vgw_conf_request(const char *name, const char *const *req, guint timeout_s,
                 GError **error)
{
  g_autoptr(VgwInstance) inst = vgw_instance_new(name, error);
  VgwMaintTarget target = { 0 };

  if (inst == NULL || vgw_instance_require_running(inst, error) == 0)
    return NULL;
  target.socket_path = inst->maint_sock;
  target.timeout_s = timeout_s;
  return vgw_maint_request(&target, req, error);
}

const char *
vgw_conf_string(JsonObject *o, const char *key)
{
  static char buf[64];
  JsonNode *n = json_object_get_member(o, key);

  if (n == NULL || JSON_NODE_HOLDS_NULL(n) || !JSON_NODE_HOLDS_VALUE(n))
    return NULL;
  switch (json_node_get_value_type(n)) {
  case G_TYPE_STRING:
    return json_node_get_string(n);
  case G_TYPE_BOOLEAN:
    return json_node_get_boolean(n) ? "true" : "false";
  case G_TYPE_DOUBLE:
    g_ascii_dtostr(buf, sizeof buf, json_node_get_double(n));
    return buf;
  default:
    g_snprintf(buf, sizeof buf, "%" G_GINT64_FORMAT, json_node_get_int(n));
    return buf;
  }
}

void
vgw_conf_print_json(JsonObject *o)
{
  g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
  g_autofree char *text = NULL;

  json_node_set_object(root, o);
  text = vgw_json_to_text(root);
  printf("%s\n", text);
}

JsonObject *
vgw_conf_list(const char *name, gboolean json, const char *verb,
              const char *member, JsonArray **items, guint *n, GError **error)
{
  const char *req[] = { verb, NULL };
  JsonObject *o = vgw_conf_request(name, req, 0, error);

  *items = NULL;
  *n = 0;
  if (o == NULL)
    return NULL;
  if (json) {
    vgw_conf_print_json(o);
    return o;
  }
  if (json_object_has_member(o, member))
    *items = json_object_get_array_member(o, member);
  if (*items != NULL)
    *n = json_array_get_length(*items);
  return o;
}
