/* vgw sip options URI [TRANSPORT]: one OPTIONS from the gateway to a SIP
 * peer (the firmware's sip-options, then sip-options-result until the
 * transaction ends), printed as text or its JSON. */
#include <stdio.h>

#include "commands.h"
#include "confcmd.h"
#include "instance.h"
#include "maint.h"
#include "vgw-error.h"

/* Between two looks at a pending OPTIONS: short next to timer F (32 s). */
#define POLL_INTERVAL_MS 100
/* Longer than any outcome can take: timer F, or a TCP connect given up. */
#define OUTCOME_DEADLINE_S 180

static gint64
int_or_zero(JsonObject *o, const char *key)
{
  return json_object_has_member(o, key) ? json_object_get_int_member(o, key) : 0;
}

static void
print_outcome(JsonObject *o)
{
  const char *transport = json_object_get_string_member(o, "transport");
  const char *address = json_object_get_string_member(o, "address");
  gint64 port = int_or_zero(o, "port");
  JsonNode *conn = json_object_get_member(o, "connection");

  if (json_object_get_boolean_member(o, "answered")) {
    printf("%" G_GINT64_FORMAT " %s from %s:%" G_GINT64_FORMAT " over %s in %" G_GINT64_FORMAT " ms",
           int_or_zero(o, "status"), json_object_get_string_member(o, "reason"), address, port,
           transport, int_or_zero(o, "rtt_ms"));
  } else {
    const char *detail = vgw_conf_string(o, "detail");

    printf("no answer from %s:%" G_GINT64_FORMAT " over %s: %s%s%s%s after %" G_GINT64_FORMAT " ms",
           address, port, transport, json_object_get_string_member(o, "failure"),
           detail != NULL ? " (" : "", detail != NULL ? detail : "", detail != NULL ? ")" : "",
           int_or_zero(o, "rtt_ms"));
  }
  if (conn != NULL && JSON_NODE_HOLDS_OBJECT(conn)) {
    JsonObject *c = json_node_get_object(conn);

    printf("; connection %" G_GINT64_FORMAT " opened by the %s", int_or_zero(c, "id"),
           json_object_get_string_member(c, "opened_by"));
  }
  printf("\n");
}

gboolean
vgw_sip_options_run(gconstpointer data, GError **error)
{
  const VgwSipOptionsOptions *opts = data;
  const char *start[] = { "sip-options", opts->uri, opts->transport, NULL };
  g_autoptr(VgwInstance) inst = vgw_instance_new(opts->name, error);
  VgwMaintTarget target = { 0 };
  VgwMaintSession *s = NULL;
  JsonObject *reply = NULL;
  g_autofree char *id = NULL;
  gint64 deadline = g_get_monotonic_time() + OUTCOME_DEADLINE_S * G_USEC_PER_SEC;
  gboolean ok = FALSE;

  if (inst == NULL || vgw_instance_require_running(inst, error) == 0)
    return FALSE;
  target.socket_path = inst->maint_sock;
  if ((s = vgw_maint_session_open(&target, error)) == NULL)
    return FALSE;
  if ((reply = vgw_maint_session_request(s, start, 0, error)) == NULL)
    goto out;
  id = g_strdup_printf("%" G_GINT64_FORMAT, int_or_zero(reply, "id"));
  for (;;) {
    const char *poll[] = { "sip-options-result", id, NULL };

    g_clear_pointer(&reply, json_object_unref);
    if ((reply = vgw_maint_session_request(s, poll, 0, error)) == NULL)
      goto out;
    if (g_strcmp0(vgw_conf_string(reply, "state"), "done") == 0)
      break;
    if (g_get_monotonic_time() > deadline) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT,
                  "OPTIONS %s to %s: no outcome within %d s", id, opts->uri, OUTCOME_DEADLINE_S);
      goto out;
    }
    g_usleep(POLL_INTERVAL_MS * 1000);
  }
  if (opts->json)
    vgw_conf_print_json(reply);
  else
    print_outcome(reply);
  ok = TRUE;
out:
  g_clear_pointer(&reply, json_object_unref);
  vgw_maint_session_close(s);
  return ok;
}
