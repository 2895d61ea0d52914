/* vgw capture start|stop: packet capture on a running gateway's NICs
 * through QMP (filter-dump objects added and removed at run time), with
 * the TLS secrets of a key log embedded at stop (capture.h). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "capture.h"
#include "fileread.h"
#include "commands.h"
#include "gateway_keylog.h"
#include "instance.h"
#include "keylog.h"
#include "pcapng_write.h"
#include "qmp.h"
#include "vgw-error.h"

#define QMP_TIMEOUT_MS 10000
#define RELAY_EXIT_TIMEOUT_MS 10000

static gboolean
parse_ports(const VgwOption *opt, const char *text, gpointer field, GError **error)
{
  return vgw_capture_ports_parse(text, field, error);
}

const VgwOptionType vgw_option_capture_ports = { TRUE, parse_ports, NULL };

typedef struct {
  char *out;
  char *ports;
  int relay_pid;
} State;

static void
state_clear(State *s)
{
  g_free(s->out);
  g_free(s->ports);
}

static char *
state_path(const VgwInstance *inst)
{
  return g_build_filename(inst->dir, "capture.json", NULL);
}

static gboolean
load_state(const VgwInstance *inst, State *s)
{
  g_autofree char *path = state_path(inst);
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *o;

  memset(s, 0, sizeof *s);
  if (!json_parser_load_from_file(parser, path, NULL) ||
      !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)))
    return FALSE;
  o = json_node_get_object(json_parser_get_root(parser));
  s->out = g_strdup(json_object_get_string_member_with_default(o, "out", ""));
  s->ports = g_strdup(json_object_get_string_member_with_default(o, "ports", "all"));
  s->relay_pid = (int) json_object_get_int_member_with_default(o, "relay_pid", 0);
  return TRUE;
}

/* TRUE if |pid| is alive and is our relay for this state directory. */
static gboolean
relay_alive(const VgwInstance *inst, int pid)
{
  g_autofree char *cmdline = NULL;
  gsize len;

  if (pid <= 0 || !vgw_pid_alive(pid) || !vgw_pid_cmdline(pid, &cmdline, &len))
    return FALSE;
  for (gsize i = 0; i < len; i++) {
    if (cmdline[i] == '\0')
      cmdline[i] = ' ';
  }
  return strstr(cmdline, "_relay") != NULL && strstr(cmdline, inst->dir) != NULL;
}

static gboolean
qmp_filters(const VgwInstance *inst, const char *ports, gboolean add, GError **error)
{
  g_autoptr(VgwQmp) qmp = vgw_qmp_connect(inst->qmp_sock, QMP_TIMEOUT_MS, error);
  VgwCapturePorts p = VGW_CAPTURE_ALL;

  if (qmp == NULL)
    return FALSE;
  vgw_capture_ports_parse(ports, &p, NULL);
  for (int i = 0; i < 2; i++) {
    const char *port = i == 0 ? "lan" : "wan";
    g_autofree char *id = g_strdup_printf("vgw-capture-%s", port);
    g_autoptr(JsonObject) args = json_object_new();
    g_autoptr(GError) local = NULL;
    JsonNode *ret;
    if (!(p & (i == 0 ? VGW_CAPTURE_LAN : VGW_CAPTURE_WAN)))
      continue;
    json_object_set_string_member(args, "id", id);
    if (add) {
      g_autofree char *fifo = g_strdup_printf("%s/capture-%s.fifo", inst->dir, port);
      json_object_set_string_member(args, "qom-type", "filter-dump");
      json_object_set_string_member(args, "netdev", port);
      json_object_set_string_member(args, "file", fifo);
    }
    ret = vgw_qmp_execute(qmp, add ? "object-add" : "object-del", args, &local);
    if (ret == NULL) {
      /* Removing a filter that is not there (QEMU restarted) is fine. */
      if (!add && g_error_matches(local, VGW_QMP_ERROR, VGW_QMP_ERROR_COMMAND))
        continue;
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "QMP %s %s: %s",
                  add ? "object-add" : "object-del", id, local->message);
      return FALSE;
    }
    json_node_unref(ret);
  }
  return TRUE;
}

static void
remove_runtime(const VgwInstance *inst)
{
  g_autofree char *state = state_path(inst);

  for (int i = 0; i < 2; i++) {
    g_autofree char *fifo = g_strdup_printf("%s/capture-%s.fifo", inst->dir, i == 0 ? "lan" : "wan");
    g_unlink(fifo);
  }
  g_unlink(state);
}

gboolean
vgw_capture_start_run(gconstpointer data, GError **error)
{
  const VgwCaptureOptions *opts = data;
  g_autoptr(VgwInstance) inst = vgw_instance_new(opts->name, error);
  State old;

  if (inst == NULL || vgw_instance_require_running(inst, error) == 0)
    return FALSE;
  if (load_state(inst, &old)) {
    gboolean alive = relay_alive(inst, old.relay_pid);
    state_clear(&old);
    if (alive) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                  "a capture is already running on gateway '%s' (vgw capture stop --name %s)",
                  inst->name, inst->name);
      return FALSE;
    }
    remove_runtime(inst); /* left by a gateway that stopped meanwhile */
  }
  if (!vgw_capture_launch(inst, opts->file, opts->ports, error))
    return FALSE;
  if (!qmp_filters(inst, opts->ports == VGW_CAPTURE_LAN ? "lan"
                         : opts->ports == VGW_CAPTURE_WAN ? "wan" : "all", TRUE, error)) {
    State s;
    if (load_state(inst, &s)) {
      if (relay_alive(inst, s.relay_pid))
        kill(s.relay_pid, SIGTERM);
      state_clear(&s);
    }
    remove_runtime(inst);
    return FALSE;
  }
  printf("capturing %s of gateway '%s' into %s\n",
         opts->ports == VGW_CAPTURE_ALL ? "lan and wan" : opts->ports == VGW_CAPTURE_LAN ? "lan" : "wan",
         inst->name, opts->file);
  printf("stop with: vgw capture stop --name %s [--keylog KEYLOG]\n", inst->name);
  return TRUE;
}

/* add_gateway_secrets appends the secrets the gateway's own key log holds
 * (vgw tls keylog on) to |keylog|: they are there only when it was on
 * during the capture, since ending it wipes them. A gateway that cannot
 * say is reported and skipped: the capture itself is kept. */
static void
add_gateway_secrets(const VgwInstance *inst, GString *keylog, guint *lines)
{
  g_autoptr(GError) local = NULL;
  VgwGatewayKeylog k;

  *lines = 0;
  if (vgw_instance_running_pid(inst) == 0)
    return;
  if (!vgw_gateway_keylog_fetch(inst->name, &k, &local)) {
    fprintf(stderr, "vgw: the gateway's own TLS secrets were not read: %s\n", local->message);
    return;
  }
  if (k.dropped > 0)
    fprintf(stderr, "vgw: the gateway's key log was full and dropped %" G_GUINT64_FORMAT
            " older secret lines: their connections will not decrypt\n", k.dropped);
  g_string_append_len(keylog, k.text, k.len);
  *lines = k.lines;
  vgw_gateway_keylog_clear(&k);
}

/* wipe_string zeroes and frees |s|, which held secrets. */
static void
wipe_string(GString *s)
{
  explicit_bzero(s->str, s->allocated_len);
  g_string_free(s, TRUE);
}

static gboolean
wait_relay_exit(const VgwInstance *inst, int pid)
{
  gint64 end = g_get_monotonic_time() + RELAY_EXIT_TIMEOUT_MS * 1000LL;

  while (relay_alive(inst, pid)) {
    if (g_get_monotonic_time() > end)
      return FALSE;
    g_usleep(20000);
  }
  return TRUE;
}

gboolean
vgw_capture_stop_run(gconstpointer data, GError **error)
{
  const VgwCaptureOptions *opts = data;
  g_autoptr(VgwInstance) inst = vgw_instance_new(opts->name, error);
  g_autofree char *keylog = NULL;
  gsize keylog_len = 0;
  GString *secrets;
  guint gateway_lines = 0;
  gboolean ok = TRUE;
  State s;

  if (inst == NULL)
    return FALSE;
  if (!vgw_instance_load(inst, error))
    return FALSE;
  if (!load_state(inst, &s)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "no capture on gateway '%s'", inst->name);
    return FALSE;
  }
  if (opts->keylog != NULL) {
    g_autoptr(TlsdKeylog) check = tlsd_keylog_new();
    g_autoptr(GError) local = NULL;
    if (!vgw_file_read(opts->keylog, TLSD_KEYLOG_MAX, &keylog, &keylog_len, &local) ||
        tlsd_keylog_add_text(check, keylog, keylog_len) == 0) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "key log %s: %s", opts->keylog,
                  local != NULL ? local->message : "no TLS key log lines in it");
      state_clear(&s);
      return FALSE;
    }
  }
  /* Removing the filters closes QEMU's ends of the FIFOs: the relay
   * writes what is left and exits. */
  if (vgw_instance_running_pid(inst) != 0 && !qmp_filters(inst, s.ports, FALSE, error)) {
    state_clear(&s);
    return FALSE;
  }
  if (!wait_relay_exit(inst, s.relay_pid)) {
    kill(s.relay_pid, SIGTERM);
    wait_relay_exit(inst, s.relay_pid);
  }
  remove_runtime(inst);
  secrets = g_string_new_len(keylog, keylog != NULL ? (gssize) keylog_len : 0);
  add_gateway_secrets(inst, secrets, &gateway_lines);
  if (secrets->len > 0) {
    g_autoptr(GError) local = NULL;
    if (!tlsd_pcapng_embed_secrets(s.out, s.out, secrets->str, secrets->len, &local)) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "capture stopped, but the secrets could "
                  "not be embedded: %s", local->message);
      ok = FALSE;
    }
  }
  if (ok && secrets->len > 0 && gateway_lines > 0)
    printf("capture of gateway '%s' saved in %s with the TLS secrets embedded (%u lines from "
           "the gateway's own key log)\n", inst->name, s.out, gateway_lines);
  else if (ok)
    printf("capture of gateway '%s' saved in %s%s\n", inst->name, s.out,
           secrets->len > 0 ? " with the TLS secrets embedded" : "");
  wipe_string(secrets);
  state_clear(&s);
  return ok;
}
