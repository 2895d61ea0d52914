/* vgw status: what a gateway is doing, from the host (process, ports,
 * QMP run state) and from its firmware (maintenance port `status`). */
#include <stdio.h>

#include "commands.h"
#include "config_source.h"
#include "confcmd.h"
#include "gateway.h"
#include "instance.h"
#include "json_out.h"
#include "maint.h"
#include "qmp.h"
#include "replay.h"
#include "vgw-error.h"

/* Adds QMP's run state ("running", "paused", "shutdown", ...). */
static void
add_qmp_status(JsonObject *o, const VgwInstance *inst)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VgwQmp) qmp = vgw_qmp_connect(inst->qmp_sock, 5000, &error);
  JsonNode *ret = qmp != NULL ? vgw_qmp_execute(qmp, "query-status", NULL, &error) : NULL;

  if (ret != NULL && JSON_NODE_HOLDS_OBJECT(ret) &&
      json_object_has_member(json_node_get_object(ret), "status"))
    json_object_set_string_member(o, "run_state",
                                  json_object_get_string_member(json_node_get_object(ret), "status"));
  else
    json_object_set_string_member(o, "qmp_error", error != NULL ? error->message : "no status");
  if (ret != NULL)
    json_node_unref(ret);
}

/* Adds "replay": {"mode": "record"|"replay", "icount": N, and for a
 * replay "end": the recording's end.icount} to a gateway under record/replay. */
static void
add_replay_state(JsonObject *o, const VgwInstance *inst)
{
  g_autofree char *dir = NULL;
  VgwReplayMode mode = vgw_replay_mode_of(inst->qemu_argv, &dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(VgwQmp) qmp = NULL;
  JsonObject *r;
  guint64 n = 0;

  if (mode == VGW_REPLAY_NONE)
    return;
  r = json_object_new();
  json_object_set_string_member(r, "mode", mode == VGW_REPLAY_RECORD ? "record" : "replay");
  json_object_set_string_member(r, "recording", dir);
  if ((qmp = vgw_qmp_connect(inst->qmp_sock, 5000, &error)) != NULL &&
      vgw_replay_icount(qmp, &n, &error))
    json_object_set_int_member(r, "icount", (gint64) n);
  else
    json_object_set_string_member(r, "error", error->message);
  if (mode == VGW_REPLAY_PLAY && vgw_replay_end_icount(dir, &n, NULL))
    json_object_set_int_member(r, "end", (gint64) n);
  json_object_set_object_member(o, "replay", r);
}

/* Adds "connected" to a WAN link other than slirp (wan_link.h), or
 * "error" when QEMU cannot tell. */
static void
add_wan_link_state(JsonObject *o, const VgwInstance *inst)
{
  JsonObject *link = json_object_get_object_member(o, "wan_link");
  g_autoptr(GError) error = NULL;
  gboolean connected = FALSE;

  if (inst->wan_link.mode == VGW_WAN_LINK_SLIRP)
    return;
  if (vgw_wan_link_query_connected(inst->qmp_sock, &connected, &error))
    json_object_set_boolean_member(link, "connected", connected);
  else
    json_object_set_string_member(link, "error", error->message);
}

/* Adds the firmware's status fields at the top level.  Its "state" and
 * "uptime_s" would clash with the host's, so they are renamed. */
static void
add_firmware_status(JsonObject *o, const VgwInstance *inst)
{
  g_autoptr(GError) error = NULL;
  const char *req[] = { "status", NULL };
  VgwMaintTarget target = { .socket_path = inst->maint_sock };
  g_autoptr(JsonObject) fw = vgw_maint_request(&target, req, &error);
  g_autoptr(GList) members = NULL;

  if (fw == NULL) {
    json_object_set_string_member(o, "maint_error", error->message);
    return;
  }
  members = json_object_get_members(fw);
  for (GList *l = members; l != NULL; l = l->next) {
    const char *key = l->data;
    JsonNode *value = json_node_copy(json_object_get_member(fw, key));
    if (g_str_equal(key, "state"))
      json_object_set_member(o, "firmware_state", value);
    else if (g_str_equal(key, "uptime_s"))
      json_object_set_member(o, "guest_uptime_s", value);
    else
      json_object_set_member(o, key, value);
  }
}

static const char *
str_or(JsonObject *o, const char *key, const char *fallback)
{
  JsonNode *n = json_object_get_member(o, key);

  if (n == NULL || json_node_get_value_type(n) != G_TYPE_STRING)
    return fallback;
  return json_node_get_string(n);
}

static char *
num_or_dash(JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member(o, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
    return g_strdup("-");
  return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
}

static char *
format_duration(gint64 s)
{
  if (s >= 3600)
    return g_strdup_printf("%" G_GINT64_FORMAT "h %02dm", s / 3600, (int) (s / 60 % 60));
  if (s >= 60)
    return g_strdup_printf("%dm %02ds", (int) (s / 60), (int) (s % 60));
  return g_strdup_printf("%ds", (int) s);
}

/* Prints the firmware's per-transport SIP counters, one line each:
 * "udp: 12 in, 12 out, 1 refused (bad-cseq 1)". */
static void
print_sip_counters(JsonObject *o)
{
  static const char *const transports[] = { "udp", "tcp", "tls" };
  JsonNode *n = json_object_get_member(o, "sip");

  if (n == NULL || !JSON_NODE_HOLDS_OBJECT(n))
    return;
  for (guint i = 0; i < G_N_ELEMENTS(transports); i++) {
    JsonNode *tn = json_object_get_member(json_node_get_object(n), transports[i]);
    if (tn == NULL || !JSON_NODE_HOLDS_OBJECT(tn))
      continue;
    JsonObject *t = json_node_get_object(tn);
    g_autofree char *in = num_or_dash(t, "received");
    g_autofree char *out = num_or_dash(t, "sent");
    g_autoptr(GString) refused = g_string_new(NULL);
    gint64 total = 0;
    JsonNode *rn = json_object_get_member(t, "rejected");
    if (rn != NULL && JSON_NODE_HOLDS_OBJECT(rn)) {
      JsonObjectIter it;
      const char *reason;
      JsonNode *count;
      json_object_iter_init(&it, json_node_get_object(rn));
      while (json_object_iter_next(&it, &reason, &count)) {
        gint64 c = JSON_NODE_HOLDS_VALUE(count) ? json_node_get_int(count) : 0;
        total += c;
        g_string_append_printf(refused, "%s%s %" G_GINT64_FORMAT,
                               refused->len ? ", " : "", reason, c);
      }
    }
    printf("  sip %s      %s in, %s out, %" G_GINT64_FORMAT " refused%s%s%s\n", transports[i],
           in, out, total, refused->len ? " (" : "", refused->str, refused->len ? ")" : "");
  }
  g_autofree char *registered = num_or_dash(json_node_get_object(n), "registrations");
  printf("  sip          %s contacts registered (vgw sip registrations)\n", registered);
  JsonNode *xn = json_object_get_member(json_node_get_object(n), "test_extension");
  if (xn != NULL && JSON_NODE_HOLDS_OBJECT(xn)) {
    JsonObject *x = json_node_get_object(xn);
    g_autofree char *calls = num_or_dash(x, "calls");
    g_autofree char *active = num_or_dash(x, "active");
    g_autofree char *echoed = num_or_dash(x, "echoed_packets");
    printf("  test call    %s answered, %s active, %s RTP packets echoed\n", calls, active,
           echoed);
  }
  JsonNode *cn = json_object_get_member(json_node_get_object(n), "calls");
  if (cn != NULL && JSON_NODE_HOLDS_OBJECT(cn)) {
    g_autofree char *in_progress = num_or_dash(json_node_get_object(cn), "in_progress");
    g_autofree char *total = num_or_dash(json_node_get_object(cn), "total");
    printf("  calls        %s in progress, %s routed (vgw sip calls)\n", in_progress, total);
  }
}

/* The gateway's own TLS key log: one loud line while it records. */
static void
print_tls_keylog(JsonObject *o)
{
  JsonNode *n = json_object_get_member(o, "tls_keylog");

  if (n == NULL || !JSON_NODE_HOLDS_OBJECT(n))
    return;
  JsonObject *k = json_node_get_object(n);
  if (!json_object_get_boolean_member_with_default(k, "on", FALSE)) {
    printf("  tls keylog   off\n");
    return;
  }
  g_autofree char *expires = num_or_dash(k, "expires_in_s");
  g_autofree char *lines = num_or_dash(k, "lines");
  g_autofree char *context = num_or_dash(k, "context");
  printf("  TLS KEYLOG   ON: TLS SECRETS ARE RECORDED (%s%s), expires in %s s, %s lines "
         "held (vgw tls keylog off)\n",
         g_str_equal(context, "-") ? "every context" : "context ",
         g_str_equal(context, "-") ? "" : context, expires, lines);
}

/* "wan link     connect 127.0.0.1:P" (nothing for slirp). */
/* The seed line: the N of `vgw up --seed N`, else "none". */
static void
print_seed(JsonObject *o)
{
  JsonNode *n = json_object_get_member(o, "seed");

  if (n == NULL || json_node_is_null(n))
    printf("  seed         none (QEMU seeds from the host)\n");
  else
    printf("  seed         %" G_GINT64_FORMAT "\n", json_node_get_int(n));
}

static void
print_wan_link(JsonObject *o)
{
  JsonNode *n = json_object_get_member(o, "wan_link");

  if (n == NULL || !JSON_NODE_HOLDS_OBJECT(n) ||
      g_str_equal(str_or(json_node_get_object(n), "mode", "slirp"), "slirp"))
    return;
  JsonObject *link = json_node_get_object(n);
  JsonNode *connected = json_object_get_member(link, "connected");
  g_autofree char *port = num_or_dash(link, "port");
  printf("  wan link     %s %s:%s%s\n", str_or(link, "mode", "?"),
         str_or(link, "address", "?"), port,
         connected == NULL || json_node_get_value_type(connected) != G_TYPE_BOOLEAN ? ""
         : json_node_get_boolean(connected) ? ", connected" : ", not connected");
}

static void
print_text(JsonObject *o)
{
  JsonObject *ports = json_object_get_object_member(o, "ports");
  gboolean running = g_str_equal(str_or(o, "state", ""), "running");

  printf("gateway '%s': %s\n", str_or(o, "name", "?"), str_or(o, "state", "?"));
  if (running) {
    g_autofree char *uptime = format_duration(json_object_get_int_member(o, "uptime_s"));
    g_autofree char *resets = num_or_dash(o, "reset_count");
    g_autofree char *crashes = num_or_dash(o, "crash_count");
    printf("  pid          %" G_GINT64_FORMAT "\n", json_object_get_int_member(o, "pid"));
    printf("  uptime       %s\n", uptime);
    printf("  run state    %s\n", str_or(o, "run_state", "-"));
    printf("  firmware     %s\n", str_or(o, "firmware", "-"));
    printf("  reset cause  %s (resets since power-on: %s)\n", str_or(o, "reset_cause", "-"), resets);
    printf("  crashes      %s\n", crashes);
    if (json_object_has_member(o, "config") &&
        JSON_NODE_HOLDS_OBJECT(json_object_get_member(o, "config"))) {
      JsonObject *cfg = json_object_get_object_member(o, "config");
      g_autofree char *gen = num_or_dash(cfg, "generation");
      g_autofree char *pending = num_or_dash(o, "pending");
      JsonNode *unsaved = json_object_get_member(cfg, "unsaved");
      printf("  config       %s (generation %s)%s; pending until reset: %s\n",
             str_or(cfg, "source", "-"), gen,
             unsaved != NULL && JSON_NODE_HOLDS_VALUE(unsaved) &&
                     json_node_get_value_type(unsaved) == G_TYPE_BOOLEAN &&
                     json_node_get_boolean(unsaved) ? ", unsaved changes" : "",
             pending);
    }
    {
      g_autofree char *note = vgw_config_source_note(o);
      if (note != NULL)
        printf("  %s\n", note);
    }
  }
  printf("  serial       %s\n", str_or(o, "serial", "-"));
  printf("  mac base     %s\n", str_or(o, "mac_base", "-"));
  printf("  sip          udp/tcp 127.0.0.1:%" G_GINT64_FORMAT "\n",
         json_object_get_int_member(ports, "sip_udp"));
  printf("  sips         tcp 127.0.0.1:%" G_GINT64_FORMAT "\n",
         json_object_get_int_member(ports, "sips"));
  JsonArray *rtp = json_object_has_member(ports, "rtp") ?
                   json_object_get_array_member(ports, "rtp") : NULL;
  if (rtp != NULL && json_array_get_length(rtp) > 0)
    printf("  rtp          udp 127.0.0.1:%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "\n",
           json_array_get_int_element(rtp, 0),
           json_array_get_int_element(rtp, json_array_get_length(rtp) - 1));
  print_wan_link(o);
  print_seed(o);
  if (running) {
    print_tls_keylog(o);
    print_sip_counters(o);
  }
  if (running && json_object_has_member(o, "interfaces") &&
      JSON_NODE_HOLDS_ARRAY(json_object_get_member(o, "interfaces"))) {
    JsonArray *ifs = json_object_get_array_member(o, "interfaces");
    for (guint i = 0; i < json_array_get_length(ifs); i++) {
      JsonNode *n = json_array_get_element(ifs, i);
      if (!JSON_NODE_HOLDS_OBJECT(n))
        continue;
      JsonObject *itf = json_node_get_object(n);
      printf("  %-12s %s  %s\n", str_or(itf, "name", "?"), str_or(itf, "mac", "-"),
             str_or(itf, "ipv4", "no address"));
    }
  }
  printf("  state dir    %s\n", str_or(o, "state_dir", "-"));
  if (json_object_has_member(o, "maint_error"))
    printf("  (firmware not reachable: %s)\n", str_or(o, "maint_error", ""));
}

gboolean
vgw_status_run(gconstpointer data, GError **error)
{
  const VgwCommonOptions *opts = data;
  g_autoptr(VgwInstance) inst = vgw_instance_new(opts->name, error);
  g_autoptr(JsonObject) o = NULL;
  int pid;

  if (inst == NULL)
    return FALSE;
  if (!vgw_instance_load(inst, error)) {
    /* A JSON reader still gets an object to parse; the exit status (1)
     * and the error line say the name is unknown. */
    if (opts->json && (*error)->code == VGW_ERROR_UNKNOWN)
      printf("{\"name\":\"%s\",\"state\":\"unknown\"}\n", inst->name);
    return FALSE;
  }
  pid = vgw_instance_running_pid(inst);
  o = vgw_gateway_describe(inst, pid);
  json_object_set_null_member(o, "run_state");
  if (pid != 0) {
    add_qmp_status(o, inst);
    add_wan_link_state(o, inst);
    add_replay_state(o, inst);
    add_firmware_status(o, inst);
  }
  if (opts->json)
    vgw_conf_print_json(o);
  else
    print_text(o);
  return TRUE;
}
