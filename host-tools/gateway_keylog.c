/* The gateway's own TLS secrets, from its maintenance port: see
 * gateway_keylog.h. */
#include "gateway_keylog.h"

#include <string.h>

#include "confcmd.h"
#include "vgw-error.h"

gboolean
vgw_gateway_keylog_fetch(const char *name, VgwGatewayKeylog *out, GError **error)
{
  const char *req[] = { "tls-keylog", "read", NULL };
  g_autoptr(JsonObject) o = vgw_conf_request(name, req, 0, error);
  JsonNode *secrets;
  GString *text;

  memset(out, 0, sizeof *out);
  if (o == NULL)
    return FALSE;
  secrets = json_object_get_member(o, "secrets");
  if (secrets == NULL || !JSON_NODE_HOLDS_ARRAY(secrets) ||
      !json_object_has_member(o, "on")) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "gateway '%s': the tls-keylog read reply has no secrets", name);
    return FALSE;
  }
  text = g_string_new(NULL);
  JsonArray *lines = json_node_get_array(secrets);
  for (guint i = 0; i < json_array_get_length(lines); i++) {
    const char *line = json_array_get_string_element(lines, i);
    if (line == NULL || strchr(line, '\n') != NULL)
      continue;
    g_string_append(text, line);
    g_string_append_c(text, '\n');
    out->lines++;
  }
  out->on = json_object_get_boolean_member(o, "on");
  out->dropped = (guint64) json_object_get_int_member_with_default(o, "dropped", 0);
  out->len = text->len;
  out->text = g_string_free(text, FALSE);
  /* The reply's copy of the secrets goes with |o|, not wiped: json-glib
   * owns that memory. */
  return TRUE;
}

void
vgw_gateway_keylog_clear(VgwGatewayKeylog *k)
{
  if (k->text != NULL) {
    explicit_bzero(k->text, k->len);
    g_free(k->text);
  }
  memset(k, 0, sizeof *k);
}
