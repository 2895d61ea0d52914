#include "config_source.h"

/* Member |key| of |o| as a non-negative integer, or -1. */
static gint64
int_member(JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member(o, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_INT64)
    return -1;
  return MAX(json_node_get_int(n), -1);
}

static const char *
string_member(JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member(o, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string(n);
}

char *
vgw_config_source_note(JsonObject *status)
{
  JsonNode *src_node = json_object_get_member(status, "config_source");
  JsonObject *src;
  JsonNode *skipped_node;
  JsonArray *skipped;
  GString *note;
  gint64 generation;
  guint listed = 0;

  if (src_node == NULL || !JSON_NODE_HOLDS_OBJECT(src_node))
    return NULL;
  src = json_node_get_object(src_node);
  skipped_node = json_object_get_member(src, "skipped");
  if (skipped_node == NULL || !JSON_NODE_HOLDS_ARRAY(skipped_node))
    return NULL;
  skipped = json_node_get_array(skipped_node);
  generation = int_member(src, "generation");
  note = g_string_new("configuration: generation ");
  if (generation >= 0)
    g_string_append_printf(note, "%" G_GINT64_FORMAT, generation);
  else
    g_string_append(note, "none (factory defaults)");
  for (guint i = 0; i < json_array_get_length(skipped); i++) {
    JsonNode *e = json_array_get_element(skipped, i);
    JsonObject *s;
    const char *reason;
    gint64 m;

    if (!JSON_NODE_HOLDS_OBJECT(e))
      continue;
    s = json_node_get_object(e);
    m = int_member(s, "generation");
    reason = string_member(s, "reason");
    g_string_append(note, listed++ == 0 ? " (" : "; ");
    if (m >= 0)
      g_string_append_printf(note, "newer generation %" G_GINT64_FORMAT " skipped: ", m);
    else
      g_string_append(note, "a newer generation skipped: ");
    /* The note is one line, whatever the firmware wrote. */
    for (const char *r = reason != NULL ? reason : "no reason given"; *r != '\0'; r++)
      g_string_append_c(note, (guchar) *r < 0x20 ? ' ' : *r);
  }
  if (listed == 0) {
    g_string_free(note, TRUE);
    return NULL;
  }
  g_string_append_c(note, ')');
  return g_string_free(note, FALSE);
}
