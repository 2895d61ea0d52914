#include "json_out.h"

/* Returns a copy of |node| whose strings are all valid UTF-8. */
static JsonNode *
valid_copy(JsonNode *node)
{
  switch (json_node_get_node_type(node)) {
  case JSON_NODE_OBJECT: {
    JsonObject *in = json_node_get_object(node);
    JsonObject *out = json_object_new();
    JsonNode *copy = json_node_new(JSON_NODE_OBJECT);
    /* In the order they were added, so the output reads as before. */
    g_autoptr(GList) names = json_object_get_members(in);

    for (GList *l = names; l != NULL; l = l->next) {
      g_autofree char *valid_name = g_utf8_make_valid(l->data, -1);
      json_object_set_member(out, valid_name, valid_copy(json_object_get_member(in, l->data)));
    }
    json_node_take_object(copy, out);
    return copy;
  }
  case JSON_NODE_ARRAY: {
    JsonArray *in = json_node_get_array(node);
    JsonArray *out = json_array_sized_new(json_array_get_length(in));
    JsonNode *copy = json_node_new(JSON_NODE_ARRAY);

    for (guint i = 0; i < json_array_get_length(in); i++)
      json_array_add_element(out, valid_copy(json_array_get_element(in, i)));
    json_node_take_array(copy, out);
    return copy;
  }
  case JSON_NODE_VALUE:
    if (json_node_get_value_type(node) == G_TYPE_STRING) {
      const char *s = json_node_get_string(node);
      if (!g_utf8_validate(s, -1, NULL)) {
        g_autofree char *valid = g_utf8_make_valid(s, -1);
        return json_node_init_string(json_node_alloc(), valid);
      }
    }
    return json_node_copy(node);
  case JSON_NODE_NULL:
    break;
  }
  return json_node_copy(node);
}

char *
vgw_json_to_text(JsonNode *root)
{
  g_autoptr(JsonNode) valid = valid_copy(root);

  return json_to_string(valid, FALSE);
}
