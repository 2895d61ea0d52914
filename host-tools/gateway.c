#include "gateway.h"
#include "qemu_cmdline.h"

#include <signal.h>
#include <time.h>

#include "qmp.h"
#include "replay.h"
#include "vgw-error.h"

gboolean
vgw_wait_pid_exit(int pid, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time() + (gint64) timeout_ms * 1000;

  while (vgw_pid_alive(pid)) {
    if (g_get_monotonic_time() >= deadline)
      return FALSE;
    /* Let GLib's child watch reap QEMU when it is our own child. */
    g_main_context_iteration(NULL, FALSE);
    g_usleep(20 * 1000);
  }
  return TRUE;
}

gboolean
vgw_gateway_kill(int pid)
{
  if (pid <= 0 || !vgw_pid_alive(pid))
    return TRUE;
  kill(pid, SIGTERM);
  if (vgw_wait_pid_exit(pid, VGW_TERM_TIMEOUT_S * 1000))
    return TRUE;
  kill(pid, SIGKILL);
  return vgw_wait_pid_exit(pid, 5000);
}

void
vgw_gateway_mark_stopped(VgwInstance *inst)
{
  vgw_instance_remove_runtime_files(inst);
  inst->pid = 0;
  vgw_instance_save(inst, NULL);
}

gboolean
vgw_gateway_stop(VgwInstance *inst, int pid, GError **error)
{
  g_autoptr(VgwQmp) qmp = vgw_qmp_connect(inst->qmp_sock, 5000, NULL);
  gboolean gone = FALSE;

  if (qmp != NULL) {
    g_autoptr(GError) local = NULL;
    g_autofree char *recording = NULL;
    VgwReplayMode rr = vgw_replay_mode_of(inst->qemu_argv, &recording);
    if (rr == VGW_REPLAY_RECORD && !vgw_replay_record_end(qmp, recording, &local)) {
      /* Stopping goes on: the recording only lacks its end. */
      g_printerr("vgw: the end of recording %s is not saved: %s\n", recording, local->message);
      g_clear_error(&local);
    }
    if (rr == VGW_REPLAY_PLAY) {
      /* A replay ends at the recorded quit: it runs on to it (a failure
       * is the SIGKILL below). */
      vgw_replay_run_to_end(qmp, NULL);
    } else {
      JsonNode *ret = vgw_qmp_execute(qmp, "quit", NULL, &local);
      /* QEMU may close the socket before its return reaches us: that is
       * still a successful quit. */
      if (ret != NULL)
        json_node_unref(ret);
    }
    gone = vgw_wait_pid_exit(pid, VGW_QUIT_TIMEOUT_S * 1000);
  }
  if (!gone && !vgw_gateway_kill(pid)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "QEMU (pid %d) of gateway '%s' did not exit, even after SIGKILL",
                pid, inst->name);
    return FALSE;
  }
  vgw_gateway_mark_stopped(inst);
  return TRUE;
}

static void
set_string_or_null(JsonObject *o, const char *key, const char *value)
{
  if (value != NULL)
    json_object_set_string_member(o, key, value);
  else
    json_object_set_null_member(o, key);
}

/* {"mode": "slirp"} or {"mode": "listen"|"connect", "address":
 * "127.0.0.1", "port": P}. */
static JsonObject *
wan_link_describe(const VgwWanLink *link)
{
  JsonObject *o = json_object_new();

  json_object_set_string_member(o, "mode", vgw_wan_link_mode_name(link->mode));
  if (link->mode != VGW_WAN_LINK_SLIRP) {
    json_object_set_string_member(o, "address", VGW_WAN_LINK_HOST);
    json_object_set_int_member(o, "port", link->port);
  }
  return o;
}

JsonObject *
vgw_gateway_describe(const VgwInstance *inst, int pid)
{
  JsonObject *o = json_object_new();
  JsonObject *ports = json_object_new();
  JsonObject *sockets = json_object_new();

  json_object_set_string_member(o, "name", inst->name);
  json_object_set_string_member(o, "state", pid != 0 ? "running" : "stopped");
  if (pid != 0) {
    json_object_set_int_member(o, "pid", pid);
    json_object_set_int_member(o, "uptime_s", MAX(0, (gint64) time(NULL) - inst->started_unix));
  } else {
    json_object_set_null_member(o, "pid");
    json_object_set_null_member(o, "uptime_s");
  }
  set_string_or_null(o, "serial", inst->serial);
  set_string_or_null(o, "mac_base", inst->mac_base);
  json_object_set_int_member(ports, "sip_udp", inst->sip_port);
  json_object_set_int_member(ports, "sip_tcp", inst->sip_port);
  json_object_set_int_member(ports, "sips", inst->sip_tls_port);
  JsonArray *rtp = json_array_new();
  for (guint i = 0; inst->rtp_port != 0 && i < VGW_QEMU_RTP_PORTS; i++)
    json_array_add_int_element(rtp, inst->rtp_port + i);
  json_object_set_array_member(ports, "rtp", rtp);
  JsonArray *forwards = json_array_new();
  for (gsize i = 0; i < inst->n_forwards; i++) {
    JsonObject *f = json_object_new();
    json_object_set_string_member(f, "proto", inst->forwards[i].tcp ? "tcp" : "udp");
    json_object_set_int_member(f, "guest", inst->forwards[i].guest);
    json_object_set_int_member(f, "host", inst->forwards[i].host);
    json_array_add_object_element(forwards, f);
  }
  /* Beside "ports", whose members are all host ports (or a list of them). */
  json_object_set_array_member(o, "forwards", forwards);
  json_object_set_object_member(o, "ports", ports);
  /* Not in "ports": a link's port is shared with the peer gateway. */
  json_object_set_object_member(o, "wan_link", wan_link_describe(&inst->wan_link));
  if (inst->seed.set)
    json_object_set_int_member(o, "seed", (gint64) inst->seed.value);
  else
    json_object_set_null_member(o, "seed");
  json_object_set_string_member(o, "state_dir", inst->dir);
  json_object_set_string_member(sockets, "console", inst->console_sock);
  json_object_set_string_member(sockets, "maint", inst->maint_sock);
  json_object_set_string_member(sockets, "qmp", inst->qmp_sock);
  json_object_set_object_member(o, "sockets", sockets);
  return o;
}
