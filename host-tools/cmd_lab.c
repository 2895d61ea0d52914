/* vgw lab up | down | status | link | capture: several gateways, the
 * links between their WAN ports and their SIP peers, from one lab file
 * (lab_file.h).  Gateways are started through vgw up's own code
 * (vgw_up_run), captures through vgw capture's.
 *
 * What a lab started that its file does not say (peers' pids and ports,
 * the links taken down) is in $VGW_STATE_DIR/.labs/LAB/lab.json, beside
 * the peers' logs and run files; a '.' name never clashes with a
 * gateway's state directory. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "commands.h"
#include "fileread.h"
#include "flashimg.h"
#include "gateway.h"
#include "instance.h"
#include "json_out.h"
#include "lab_file.h"
#include "ports.h"
#include "qmp.h"
#include "vgw-error.h"

#define LAB_STATE_MAX (256 * 1024)
#define INI_MAX (1024 * 1024)
#define QMP_TIMEOUT_MS 10000
#define PEER_READY_TIMEOUT_S 30
#define PEER_STOP_TIMEOUT_MS 15000
#define KAMAILIO_DEFAULT "/usr/sbin/kamailio"

/* A lab file and what the running lab recorded. */
typedef struct {
  VgwLab *lab;
  char *dir;         /* $VGW_STATE_DIR/.labs/LAB */
  char *state_path;  /* DIR/lab.json */
  JsonObject *state; /* {"links": {NAME: "down"}, "peers": {NAME: {pid, port, log}}} */
} LabRun;

static void
lab_run_clear(LabRun *run)
{
  vgw_lab_free(run->lab);
  g_free(run->dir);
  g_free(run->state_path);
  g_clear_pointer(&run->state, json_object_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(LabRun, lab_run_clear)

static JsonObject *
state_member(LabRun *run, const char *name)
{
  if (!json_object_has_member(run->state, name))
    json_object_set_object_member(run->state, name, json_object_new());
  return json_object_get_object_member(run->state, name);
}

static gboolean
lab_open(const char *file, LabRun *run, GError **error)
{
  g_autofree char *root = vgw_state_root();

  if ((run->lab = vgw_lab_load(file, error)) == NULL)
    return FALSE;
  run->dir = g_build_filename(root, ".labs", run->lab->name, NULL);
  run->state_path = g_build_filename(run->dir, "lab.json", NULL);
  if (g_file_test(run->state_path, G_FILE_TEST_EXISTS))
    run->state = vgw_json_object_file_read(run->state_path, LAB_STATE_MAX, error);
  else
    run->state = json_object_new();
  return run->state != NULL;
}

static gboolean
lab_save(LabRun *run, GError **error)
{
  g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), run->state);
  g_autofree char *text = vgw_json_to_text(node);
  g_autoptr(GError) local = NULL;

  if (g_mkdir_with_parents(run->dir, 0700) != 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot create %s: %s", run->dir,
                g_strerror(errno));
    return FALSE;
  }
  if (!g_file_set_contents(run->state_path, text, -1, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s", local->message);
    return FALSE;
  }
  return TRUE;
}

/* The gateway's instance, loaded when known; its running QEMU's pid in
 * |*pid| (0: stopped). */
static VgwInstance *
gateway_instance(const VgwLabGateway *gw, int *pid, GError **error)
{
  g_autoptr(VgwInstance) inst = vgw_instance_new(gw->instance, error);

  *pid = 0;
  if (inst == NULL)
    return NULL;
  if (vgw_instance_known(inst)) {
    if (!vgw_instance_load(inst, error))
      return NULL;
    *pid = vgw_instance_running_pid(inst);
  }
  return g_steal_pointer(&inst);
}

/* -- peers ------------------------------------------------------------------ */

/* TRUE if |pid| runs Kamailio with |config|: a recorded pid is only
 * signalled while it is still the peer the lab started. */
static gboolean
peer_alive(int pid, const char *config)
{
  return pid > 0 && vgw_pid_alive(pid) && vgw_pid_cmdline_mentions(pid, "kamailio") &&
         vgw_pid_cmdline_mentions(pid, config);
}

/* What the lab recorded of |peer| (NULL: never started), and in |*pid|
 * its process while it is still that peer (0: gone). */
static JsonObject *
peer_record(LabRun *run, const VgwLabPeer *peer, int *pid)
{
  JsonObject *peers = state_member(run, "peers");
  JsonObject *rec = json_object_has_member(peers, peer->name)
                        ? json_object_get_object_member(peers, peer->name) : NULL;

  *pid = rec != NULL ? (int) json_object_get_int_member_with_default(rec, "pid", 0) : 0;
  if (!peer_alive(*pid, peer->config))
    *pid = 0;
  return rec;
}

static void
peer_setup(gpointer data)
{
  /* Its own process group: the lab stops Kamailio and its children at once. */
  setsid();
}

#define LOG_MAX (4 * 1024 * 1024)
#define LOG_TAIL_LINES 15

/* Attaches the last lines of the log |path| to |error| (vgw_error_set_detail). */
static void
log_tail(const char *path, GError *error)
{
  g_autofree char *text = NULL;
  gsize len = 0, start;
  guint lines = 0;

  if (!vgw_file_read(path, LOG_MAX, &text, &len, NULL) || len == 0)
    return;
  for (start = len - 1; start > 0; start--) {
    if (text[start - 1] == '\n' && ++lines > LOG_TAIL_LINES)
      break;
  }
  g_autofree char *detail = g_strdup_printf("--- %s ---\n%s", path, text + start);
  vgw_error_set_detail(error, detail);
}

/* Starts |peer| on 127.0.0.1 and waits until its UDP port is bound. */
static gboolean
start_peer(LabRun *run, const VgwLabPeer *peer, GError **error)
{
  const char *kamailio = g_getenv("VGW_KAMAILIO");
  g_autofree char *log = g_strdup_printf("%s/%s.log", run->dir, peer->name);
  g_autofree char *udp = NULL, *tcp = NULL;
  g_autoptr(GError) local = NULL;
  guint16 port = peer->port;
  GPid pid = 0;
  int fd;

  if (port == 0 && !vgw_port_pick_free(VGW_PORT_UDP | VGW_PORT_TCP, NULL, 0, &port, error))
    return FALSE;
  if (!vgw_port_check_free(port, VGW_PORT_UDP | VGW_PORT_TCP, error) ||
      g_mkdir_with_parents(run->dir, 0700) != 0)
    return FALSE;
  udp = g_strdup_printf("udp:127.0.0.1:%u", port);
  tcp = g_strdup_printf("tcp:127.0.0.1:%u", port);
  const char *argv[] = {
    kamailio != NULL ? kamailio : KAMAILIO_DEFAULT, "-f", peer->config, "-DD", "-E",
    "-w", run->dir, "-Y", run->dir, "-m", "64", "-M", "8", "-l", udp, "-l", tcp, NULL,
  };
  if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) < 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot create %s: %s", log,
                g_strerror(errno));
    return FALSE;
  }
  /* Not reaped by us: it outlives this vgw, as a detached gateway does. */
  if (!g_spawn_async_with_fds(NULL, (char **) argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL,
                              peer_setup, NULL, &pid, -1, fd, fd, &local)) {
    close(fd);
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "peer '%s': cannot start %s: %s",
                peer->name, argv[0], local->message);
    return FALSE;
  }
  close(fd);

  JsonObject *rec = json_object_new();
  json_object_set_int_member(rec, "pid", pid);
  json_object_set_int_member(rec, "port", port);
  json_object_set_string_member(rec, "log", log);
  json_object_set_object_member(state_member(run, "peers"), peer->name, rec);
  if (!lab_save(run, error))
    return FALSE;

  gint64 end = g_get_monotonic_time() + PEER_READY_TIMEOUT_S * G_USEC_PER_SEC;
  while (peer_alive(pid, peer->config) && g_get_monotonic_time() < end) {
    if (!vgw_port_check_free(port, VGW_PORT_UDP, NULL)) {
      printf("peer '%s' (kamailio) listening on udp and tcp 127.0.0.1:%u (log %s)\n",
             peer->name, port, log);
      fflush(stdout);
      return TRUE;
    }
    g_usleep(100000);
  }
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "peer '%s': kamailio %s on 127.0.0.1:%u",
              peer->name, peer_alive(pid, peer->config) ? "does not listen" : "exited", port);
  /* The log goes with the lab's state: what it ended with goes with the error. */
  if (error != NULL)
    log_tail(log, *error);
  return FALSE;
}

/* Stops |peer| (its process group) if it still runs, and forgets it. */
static void
stop_peer(LabRun *run, const VgwLabPeer *peer)
{
  int pid;

  if (peer_record(run, peer, &pid) == NULL)
    return;
  if (pid != 0) {
    kill(-pid, SIGTERM);
    if (!vgw_wait_pid_exit(pid, PEER_STOP_TIMEOUT_MS))
      kill(-pid, SIGKILL);
    vgw_wait_pid_exit(pid, PEER_STOP_TIMEOUT_MS);
    printf("peer '%s' stopped\n", peer->name);
  }
  json_object_remove_member(state_member(run, "peers"), peer->name);
}

/* -- up, down --------------------------------------------------------------- */

/* Stops every gateway and peer of the lab that runs and removes their
 * state: the lab's gateways are its own.  Goes on past a failure, and
 * returns the first. */
static gboolean
lab_stop(LabRun *run, GError **error)
{
  g_autoptr(GError) first = NULL;

  for (guint i = 0; i < run->lab->peers->len; i++)
    stop_peer(run, g_ptr_array_index(run->lab->peers, i));
  for (guint i = run->lab->gateways->len; i-- > 0;) {
    const VgwLabGateway *gw = vgw_lab_gateway(run->lab, i);
    g_autoptr(GError) local = NULL;
    int pid = 0;
    g_autoptr(VgwInstance) inst = gateway_instance(gw, &pid, &local);

    if (inst != NULL && pid != 0 && vgw_gateway_stop(inst, pid, &local))
      printf("gateway '%s' stopped\n", inst->name);
    if (local != NULL) {
      if (first == NULL)
        first = g_steal_pointer(&local);
      continue;
    }
    if (inst != NULL)
      vgw_remove_flat_dir(inst->dir);
  }
  fflush(stdout);
  if (first != NULL) {
    g_propagate_error(error, g_steal_pointer(&first));
    return FALSE;
  }
  vgw_remove_flat_dir(run->dir);
  /* .labs itself goes with the last lab (it stays while others use it). */
  g_autofree char *labs = g_path_get_dirname(run->dir);
  g_rmdir(labs);
  return TRUE;
}

/* Refuses to start a lab of which something runs, and checks the
 * gateways' boot ini files as vgw up would: nothing has started yet. */
static gboolean
lab_precheck(LabRun *run, GError **error)
{
  for (guint i = 0; i < run->lab->gateways->len; i++) {
    const VgwLabGateway *gw = vgw_lab_gateway(run->lab, i);
    g_autoptr(VgwInstance) inst = NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *data = NULL;
    g_autofree char *base = NULL;
    gsize len = 0;
    int pid = 0;

    if ((inst = gateway_instance(gw, &pid, error)) == NULL)
      return FALSE;
    if (pid != 0) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_RUNNING,
                  "lab '%s' is up: gateway '%s' runs (vgw lab down %s)", run->lab->name,
                  inst->name, run->lab->path);
      return FALSE;
    }
    if (gw->config == NULL)
      continue;
    base = g_path_get_basename(gw->config);
    if (!vgw_file_read(gw->config, INI_MAX, &data, &len, error))
      return FALSE;
    VgwParamConfig *cfg = vgw_ini_check(data, len, base, warnings, error);
    if (cfg == NULL) {
      g_prefix_error(error, "%s:%u: [gateway %s] config: ", run->lab->path, gw->line,
                     gw->name);
      return FALSE;
    }
    vgw_param_config_free(cfg);
  }
  for (guint i = 0; i < run->lab->peers->len; i++) {
    const VgwLabPeer *peer = g_ptr_array_index(run->lab->peers, i);
    int pid = 0;
    peer_record(run, peer, &pid);
    if (pid != 0) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_RUNNING,
                  "lab '%s' is up: peer '%s' runs (vgw lab down %s)", run->lab->name,
                  peer->name, run->lab->path);
      return FALSE;
    }
  }
  return TRUE;
}

/* The position of |link| in the lab's links: listen_ports' index. */
static guint
link_index(const VgwLab *lab, const VgwLabLink *link)
{
  guint i = 0;

  while (g_ptr_array_index(lab->links, i) != link)
    i++;
  return i;
}

/* The WAN link gateway |index| boots with: the listening end of its
 * link, the connecting end (to the port the listener got), or slirp. */
static char *
wan_link_spec(const VgwLab *lab, guint index, const guint16 *listen_ports)
{
  const VgwLabLink *link = vgw_lab_gateway_link(lab, index);

  if (link == NULL)
    return g_strdup("slirp");
  if (link->a == index)
    return g_strdup_printf("listen:%u", link->port);
  return g_strdup_printf("connect:%u", listen_ports[link_index(lab, link)]);
}

/* Starts gateway |index| through vgw up; a listener's port goes into
 * |listen_ports| for its link's other end. */
static gboolean
start_gateway(LabRun *run, guint index, guint timeout_s, guint16 *listen_ports,
              GError **error)
{
  const VgwLabGateway *gw = vgw_lab_gateway(run->lab, index);
  const VgwLabLink *link = vgw_lab_gateway_link(run->lab, index);
  g_autofree char *spec = wan_link_spec(run->lab, index, listen_ports);
  g_autoptr(VgwInstance) inst = NULL;
  VgwUpOptions up = {
    .smp = VGW_DEFAULT_SMP, .timeout_s = timeout_s, .detach = TRUE,
    .wan_link_spec = spec,
  };
  int pid = 0;

  /* vgw up only reads its options. */
  up.name = gw->instance;
  up.config = gw->config;
  up.seed_text = gw->seed_text;
  if (!vgw_up_check(&up, error) || !vgw_up_run(&up, error)) {
    g_prefix_error(error, "lab '%s': gateway '%s': ", run->lab->name, gw->name);
    return FALSE;
  }
  if (link == NULL || link->a != index)
    return TRUE;
  if ((inst = gateway_instance(gw, &pid, error)) == NULL)
    return FALSE;
  listen_ports[link_index(run->lab, link)] = inst->wan_link.port;
  return TRUE;
}

gboolean
vgw_lab_up_run(gconstpointer data, GError **error)
{
  const VgwLabOptions *opts = data;
  g_auto(LabRun) run = { 0 };
  g_autofree guint16 *listen_ports = NULL;
  g_autoptr(GError) local = NULL;

  if (!lab_open(opts->file, &run, error) || !lab_precheck(&run, error))
    return FALSE;
  /* Left by a lab that went down uncleanly: its gateways start afresh. */
  if (!lab_stop(&run, error))
    return FALSE;
  json_object_remove_member(run.state, "links");
  if (!lab_save(&run, &local))
    goto fail;
  listen_ports = g_new0(guint16, run.lab->links->len);
  /* Listeners first: a connecting QEMU never retries. */
  for (int pass = 0; pass < 2; pass++) {
    for (guint i = 0; i < run.lab->gateways->len; i++) {
      const VgwLabLink *link = vgw_lab_gateway_link(run.lab, i);
      gboolean connects = link != NULL && link->b == i;
      if (connects == (pass == 1) && !start_gateway(&run, i, opts->timeout_s, listen_ports,
                                                    &local))
        goto fail;
    }
  }
  for (guint i = 0; i < run.lab->peers->len; i++) {
    if (!start_peer(&run, g_ptr_array_index(run.lab->peers, i), &local)) {
      g_prefix_error(&local, "lab '%s': ", run.lab->name);
      goto fail;
    }
  }
  printf("lab '%s' up: %u gateways, %u links, %u peers\n", run.lab->name,
         run.lab->gateways->len, run.lab->links->len, run.lab->peers->len);
  return TRUE;

fail:
  printf("lab '%s' failed; stopping what it started\n", run.lab->name);
  fflush(stdout);
  lab_stop(&run, NULL);
  g_propagate_error(error, g_steal_pointer(&local));
  return FALSE;
}

gboolean
vgw_lab_down_run(gconstpointer data, GError **error)
{
  const VgwLabOptions *opts = data;
  g_auto(LabRun) run = { 0 };

  if (!lab_open(opts->file, &run, error) || !lab_stop(&run, error))
    return FALSE;
  printf("lab '%s' down\n", run.lab->name);
  return TRUE;
}

/* -- link, status ----------------------------------------------------------- */

static gboolean
link_is_up(LabRun *run, const VgwLabLink *link)
{
  JsonObject *links = state_member(run, "links");

  return g_strcmp0(json_object_get_string_member_with_default(links, link->name, "up"),
                   "up") == 0;
}

static gboolean
set_link(const VgwInstance *inst, gboolean up, GError **error)
{
  g_autoptr(VgwQmp) qmp = vgw_qmp_connect(inst->qmp_sock, QMP_TIMEOUT_MS, error);
  g_autoptr(JsonObject) args = json_object_new();
  JsonNode *ret;

  if (qmp == NULL)
    return FALSE;
  /* The WAN netdev and, through it, the NIC: frames stop both ways. */
  json_object_set_string_member(args, "name", "wan");
  json_object_set_boolean_member(args, "up", up);
  if ((ret = vgw_qmp_execute(qmp, "set_link", args, error)) == NULL) {
    g_prefix_error(error, "gateway '%s': QMP set_link: ", inst->name);
    return FALSE;
  }
  json_node_unref(ret);
  return TRUE;
}

static const VgwLabLink *
find_link(const LabRun *run, const char *name, GError **error)
{
  const VgwLabLink *link = vgw_lab_link_find(run->lab, name);

  if (link == NULL)
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s has no link '%s'", run->lab->path,
                name);
  return link;
}

gboolean
vgw_lab_link_run(gconstpointer data, GError **error)
{
  const VgwLabOptions *opts = data;
  g_auto(LabRun) run = { 0 };
  const VgwLabLink *link;
  gboolean up;

  if (!lab_open(opts->file, &run, error) || (link = find_link(&run, opts->link, error)) == NULL)
    return FALSE;
  if (strcmp(opts->state, "up") != 0 && strcmp(opts->state, "down") != 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "link state '%s': up or down", opts->state);
    return FALSE;
  }
  up = strcmp(opts->state, "up") == 0;
  for (int e = 0; e < 2; e++) {
    int pid = 0;
    g_autoptr(VgwInstance) inst = gateway_instance(
        vgw_lab_gateway(run.lab, e == 0 ? link->a : link->b), &pid, error);
    if (inst == NULL)
      return FALSE;
    if (pid == 0) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_NOT_RUNNING, "gateway '%s' is not running",
                  inst->name);
      return FALSE;
    }
    if (!set_link(inst, up, error))
      return FALSE;
  }
  json_object_set_string_member(state_member(&run, "links"), link->name, up ? "up" : "down");
  if (!lab_save(&run, error))
    return FALSE;
  printf("link '%s' %s\n", link->name, opts->state);
  return TRUE;
}

/* The link's connection as QEMU sees it at its connecting end: TRUE,
 * FALSE, or NULL when that gateway does not run. */
static JsonNode *
link_connected(const VgwLab *lab, const VgwLabLink *link)
{
  g_autoptr(VgwInstance) inst = NULL;
  gboolean connected = FALSE;
  int pid = 0;

  inst = gateway_instance(vgw_lab_gateway(lab, link->b), &pid, NULL);
  if (inst == NULL || pid == 0 ||
      !vgw_wan_link_query_connected(inst->qmp_sock, &connected, NULL))
    return json_node_init_null(json_node_alloc());
  return json_node_init_boolean(json_node_alloc(), connected);
}

static JsonObject *
describe_lab(LabRun *run)
{
  JsonObject *o = json_object_new();
  JsonArray *gateways = json_array_new(), *links = json_array_new(), *peers = json_array_new();

  json_object_set_string_member(o, "lab", run->lab->name);
  json_object_set_string_member(o, "file", run->lab->path);
  for (guint i = 0; i < run->lab->gateways->len; i++) {
    const VgwLabGateway *gw = vgw_lab_gateway(run->lab, i);
    JsonObject *g = json_object_new();
    int pid = 0;
    g_autoptr(VgwInstance) inst = gateway_instance(gw, &pid, NULL);
    json_object_set_string_member(g, "name", gw->name);
    json_object_set_string_member(g, "instance", gw->instance);
    json_object_set_string_member(g, "state", pid != 0 ? "running" : "stopped");
    json_array_add_object_element(gateways, g);
  }
  for (guint i = 0; i < run->lab->links->len; i++) {
    const VgwLabLink *link = g_ptr_array_index(run->lab->links, i);
    JsonObject *l = json_object_new();
    int pid = 0;
    g_autoptr(VgwInstance) a = gateway_instance(vgw_lab_gateway(run->lab, link->a), &pid, NULL);
    g_autofree char *a_end = g_strdup_printf("%s.wan", vgw_lab_gateway(run->lab, link->a)->name);
    g_autofree char *b_end = g_strdup_printf("%s.wan", vgw_lab_gateway(run->lab, link->b)->name);
    json_object_set_string_member(l, "name", link->name);
    json_object_set_string_member(l, "a", a_end);
    json_object_set_string_member(l, "b", b_end);
    json_object_set_int_member(l, "port", a != NULL && pid != 0 ? a->wan_link.port : 0);
    json_object_set_string_member(l, "state", link_is_up(run, link) ? "up" : "down");
    json_object_set_member(l, "connected", link_connected(run->lab, link));
    json_array_add_object_element(links, l);
  }
  for (guint i = 0; i < run->lab->peers->len; i++) {
    const VgwLabPeer *peer = g_ptr_array_index(run->lab->peers, i);
    JsonObject *p = json_object_new();
    int pid = 0;
    JsonObject *rec = peer_record(run, peer, &pid);
    gboolean alive = pid != 0;
    json_object_set_string_member(p, "name", peer->name);
    json_object_set_string_member(p, "kind", "kamailio");
    json_object_set_string_member(p, "state", alive ? "running" : "stopped");
    json_object_set_int_member(p, "port", alive ? json_object_get_int_member(rec, "port") : 0);
    if (alive)
      json_object_set_int_member(p, "pid", pid);
    else
      json_object_set_null_member(p, "pid");
    json_object_set_string_member(p, "log", rec != NULL ?
        json_object_get_string_member_with_default(rec, "log", "") : "");
    json_array_add_object_element(peers, p);
  }
  json_object_set_array_member(o, "gateways", gateways);
  json_object_set_array_member(o, "links", links);
  json_object_set_array_member(o, "peers", peers);
  return o;
}

static void
print_lab(JsonObject *o)
{
  JsonArray *a;

  printf("lab '%s' (%s)\n", json_object_get_string_member(o, "lab"),
         json_object_get_string_member(o, "file"));
  a = json_object_get_array_member(o, "gateways");
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonObject *g = json_array_get_object_element(a, i);
    printf("  gateway %-12s %-8s instance %s\n", json_object_get_string_member(g, "name"),
           json_object_get_string_member(g, "state"), json_object_get_string_member(g, "instance"));
  }
  a = json_object_get_array_member(o, "links");
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonObject *l = json_array_get_object_element(a, i);
    JsonNode *c = json_object_get_member(l, "connected");
    printf("  link    %-12s %-8s %s <-> %s, 127.0.0.1:%" G_GINT64_FORMAT ", %s\n",
           json_object_get_string_member(l, "name"), json_object_get_string_member(l, "state"),
           json_object_get_string_member(l, "a"), json_object_get_string_member(l, "b"),
           json_object_get_int_member(l, "port"),
           JSON_NODE_HOLDS_NULL(c) ? "no connection (a gateway is stopped)"
           : json_node_get_boolean(c) ? "connected" : "not connected");
  }
  a = json_object_get_array_member(o, "peers");
  for (guint i = 0; i < json_array_get_length(a); i++) {
    JsonObject *p = json_array_get_object_element(a, i);
    printf("  peer    %-12s %-8s %s 127.0.0.1:%" G_GINT64_FORMAT "\n",
           json_object_get_string_member(p, "name"), json_object_get_string_member(p, "state"),
           json_object_get_string_member(p, "kind"), json_object_get_int_member(p, "port"));
  }
}

gboolean
vgw_lab_status_run(gconstpointer data, GError **error)
{
  const VgwLabOptions *opts = data;
  g_auto(LabRun) run = { 0 };
  g_autoptr(JsonObject) o = NULL;

  if (!lab_open(opts->file, &run, error))
    return FALSE;
  o = describe_lab(&run);
  if (opts->json) {
    g_autoptr(JsonNode) node = json_node_init_object(json_node_alloc(), o);
    g_autofree char *text = vgw_json_to_text(node);
    printf("%s\n", text);
  } else {
    print_lab(o);
  }
  return TRUE;
}

/* -- capture ---------------------------------------------------------------- */

/* vgw capture on the WAN port of the link's listening end: it sees every
 * frame of the link. */
static gboolean
link_capture(const VgwLabOptions *opts, gboolean start, GError **error)
{
  g_auto(LabRun) run = { 0 };
  const VgwLabLink *link;
  VgwCaptureOptions capture = { .ports = VGW_CAPTURE_WAN };

  if (!lab_open(opts->file, &run, error) || (link = find_link(&run, opts->link, error)) == NULL)
    return FALSE;
  capture.name = vgw_lab_gateway(run.lab, link->a)->instance;
  capture.file = opts->out;
  return start ? vgw_capture_start_run(&capture, error) : vgw_capture_stop_run(&capture, error);
}

gboolean
vgw_lab_capture_start_run(gconstpointer data, GError **error)
{
  return link_capture(data, TRUE, error);
}

gboolean
vgw_lab_capture_stop_run(gconstpointer data, GError **error)
{
  return link_capture(data, FALSE, error);
}
