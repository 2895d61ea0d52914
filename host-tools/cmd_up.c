/* vgw up: boot a gateway, wait for its ready line, print its endpoints;
 * then either return (--detach) or stay until SIGINT/SIGTERM and stop it. */
#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "config_source.h"
#include "fileread.h"
#include "board_secret.h"
#include "bootwait.h"
#include "capture.h"
#include "flashimg.h"
#include "param_ini.h"
#include "upload.h"
#include "cli.h"
#include "commands.h"
#include "gateway.h"
#include "identity.h"
#include "instance.h"
#include "maint.h"
#include "ports.h"
#include "qemu_cmdline.h"
#include "replay.h"
#include "sip_forwards.h"
#include "snapshot.h"
#include "tls/tls_identity.h"
#include "vgw-error.h"

gboolean
vgw_up_check(gpointer data, GError **error)
{
  VgwUpOptions *opts = data;

  if (opts->sip_port != 0 && opts->sip_port == opts->sip_tls_port) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "--sip-port and --sip-tls-port must differ (both %u)", opts->sip_port);
    return FALSE;
  }
  if (opts->seed_text != NULL && !vgw_seed_parse(opts->seed_text, &opts->seed, error))
    return FALSE;
  if (opts->from != NULL &&
      (opts->config != NULL || opts->capture != NULL || opts->wan_link_spec != NULL ||
       opts->seed_text != NULL)) {
    /* A clone's flash, links and randomness are the snapshot's state. */
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "--from takes none of --config, --capture, --wan-link, --seed");
    return FALSE;
  }
  if (opts->replay != NULL &&
      (opts->record != NULL || opts->from != NULL || opts->config != NULL ||
       opts->capture != NULL || opts->wan_link_spec != NULL || opts->seed_text != NULL)) {
    /* Everything the guest sees comes from the recording. */
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "--replay takes none of --record, --from, --config, --capture, --wan-link, "
                "--seed");
    return FALSE;
  }
  if (opts->record != NULL && opts->smp > 1) {
    /* QEMU 7.2: "Record/replay feature is not supported for 'smp'". */
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "--record runs one core: QEMU's record/replay refuses --smp %u", opts->smp);
    return FALSE;
  }
  if (opts->record != NULL && opts->from != NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "--record starts from a boot, not from a snapshot (--from)");
    return FALSE;
  }
  if (opts->fresh_identity && opts->from == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "--fresh-identity is for a clone (--from): a gateway booted from the "
                "factory generates its own key");
    return FALSE;
  }
  return opts->wan_link_spec == NULL ||
         vgw_wan_link_parse(opts->wan_link_spec, &opts->wan_link, error);
}

/* Checks --config with the firmware's parser and returns the checked
 * configuration. */
static VgwParamConfig *
prepare_config(const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autofree char *base = g_path_get_basename(path);
  g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) local = NULL;
  VgwParamConfig *cfg;
  gsize len = 0;

  if (!vgw_upload_read_file(path, &data, &len, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "--config: %s", local->message);
    return NULL;
  }
  cfg = vgw_ini_check(data, len, base, warnings, &local);
  for (guint i = 0; i < warnings->len; i++)
    printf("warning: %s\n", (char *) g_ptr_array_index(warnings, i));
  fflush(stdout);
  if (cfg == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s (--config rejected; nothing started)",
                local->message);
    return NULL;
  }
  return cfg;
}

/* QEMU as our child: |exited| flips when GLib reaps it. */
typedef struct {
  GSubprocess *proc;
  gboolean exited;
  GMainLoop *loop; /* foreground wait, else NULL */
} Child;

static void
on_child_exit(GObject *source, GAsyncResult *res, gpointer data)
{
  Child *child = data;

  g_subprocess_wait_finish(G_SUBPROCESS(source), res, NULL);
  child->exited = TRUE;
  if (child->loop != NULL)
    g_main_loop_quit(child->loop);
}

static gboolean
child_alive(gpointer data)
{
  return !((Child *) data)->exited;
}

static void
child_setup(gpointer data)
{
  /* Own session: a Ctrl-C in the terminal reaches vgw, which stops the
   * gateway cleanly, and a detached gateway outlives the terminal. */
  setsid();
  signal(SIGPIPE, SIG_DFL);
}

static gboolean
copy_factory_flash(const char *images, const VgwInstance *inst, GError **error)
{
  g_autofree char *src_path = g_build_filename(images, "flash.img", NULL);
  g_autofree char *tmp_path = g_strconcat(inst->flash, ".tmp", NULL);
  g_autoptr(GFile) src = g_file_new_for_path(src_path);
  g_autoptr(GFile) tmp = g_file_new_for_path(tmp_path);
  g_autoptr(GError) local = NULL;

  if (g_file_test(inst->flash, G_FILE_TEST_EXISTS))
    return TRUE;
  /* Copy then rename, so an interrupted copy never passes for a flash. */
  if (!g_file_copy(src, tmp, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &local) ||
      g_rename(tmp_path, inst->flash) != 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "cannot copy the factory flash to %s: %s", inst->flash,
                local != NULL ? local->message : g_strerror(errno));
    g_unlink(tmp_path);
    return FALSE;
  }
  return TRUE;
}

/* Takes the instance's lock so two `vgw up` of one name cannot race;
 * returns the fd (close to release) or -1. */
static void
print_endpoints(const VgwInstance *inst, double elapsed_s)
{
  printf("gateway '%s' ready in %.1f s\n", inst->name, elapsed_s);
  printf("  sip        udp 127.0.0.1:%u  tcp 127.0.0.1:%u\n", inst->sip_port, inst->sip_port);
  printf("  sips       tcp 127.0.0.1:%u\n", inst->sip_tls_port);
  printf("  rtp        udp 127.0.0.1:%u-%u\n", inst->rtp_port,
         inst->rtp_port + VGW_QEMU_RTP_PORTS - 1);
  if (inst->wan_link.mode != VGW_WAN_LINK_SLIRP)
    printf("  wan link   %s " VGW_WAN_LINK_HOST ":%u\n",
           vgw_wan_link_mode_name(inst->wan_link.mode), inst->wan_link.port);
  for (gsize i = 0; i < inst->n_forwards; i++)
    printf("  sip        %s 127.0.0.1:%u -> LAN port %u\n",
           inst->forwards[i].tcp ? "tcp" : "udp", inst->forwards[i].host,
           inst->forwards[i].guest);
  g_autofree char *recording = NULL;
  VgwReplayMode rr = vgw_replay_mode_of(inst->qemu_argv, &recording);
  if (rr == VGW_REPLAY_NONE) {
    printf("  console    %s\n", inst->console_sock);
    printf("  maint      %s\n", inst->maint_sock);
  } else {
    /* replay.h: console to a file, no maintenance socket. */
    printf("  %-10s %s\n", rr == VGW_REPLAY_RECORD ? "recording" : "replaying", recording);
    printf("  console    %s (no console or maintenance socket)\n", inst->console_log);
  }
  printf("  qmp        %s\n", inst->qmp_sock);
  printf("  state dir  %s\n", inst->dir);
  printf("  serial     %s\n", inst->serial);
  if (inst->seed.set)
    printf("  seed       %" G_GUINT64_FORMAT "\n", inst->seed.value);
  fflush(stdout);
}

/* Says when the firmware booted an older configuration than the newest on
 * its flash (a damaged generation skipped): from the ready line when it
 * carries config_source, else from the firmware's status.  Firmware that
 * reports neither says nothing. */
static void
print_config_source(const VgwInstance *inst, JsonObject *ready)
{
  g_autoptr(JsonObject) status = NULL;
  g_autofree char *note = NULL;

  if (ready != NULL && json_object_has_member(ready, "config_source")) {
    note = vgw_config_source_note(ready);
  } else {
    const char *req[] = { "status", NULL };
    VgwMaintTarget target = { .socket_path = inst->maint_sock };
    g_autoptr(GError) ignored = NULL;

    status = vgw_maint_request(&target, req, &ignored);
    if (status != NULL)
      note = vgw_config_source_note(status);
  }
  if (note != NULL) {
    printf("  %s\n", note);
    fflush(stdout);
  }
}

/* A listening WAN link gets its port now: free, and none of the TCP ports
 * QEMU is about to forward (SIP, SIPS, the SIP Interfaces').  listen:0
 * picks one once and the instance keeps it, since the peer is told it. */
static gboolean
resolve_wan_listen_port(VgwInstance *inst, GError **error)
{
  guint16 taken[2 + VGW_MAX_FORWARDS] = { inst->sip_port, inst->sip_tls_port };
  gsize n_taken = 2;

  if (inst->wan_link.mode != VGW_WAN_LINK_LISTEN)
    return TRUE;
  for (gsize i = 0; i < inst->n_forwards; i++)
    if (inst->forwards[i].tcp)
      taken[n_taken++] = inst->forwards[i].host;
  if (inst->wan_link.port == 0)
    return vgw_port_pick_free(VGW_PORT_TCP, taken, n_taken, &inst->wan_link.port, error);
  for (gsize i = 0; i < n_taken; i++) {
    if (taken[i] == inst->wan_link.port) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_PORT_IN_USE,
                  "port %u/tcp on 127.0.0.1 is both the WAN link's and a SIP port of "
                  "gateway '%s'", inst->wan_link.port, inst->name);
      return FALSE;
    }
  }
  return vgw_port_check_free(inst->wan_link.port, VGW_PORT_TCP, error);
}

/* Fills in serial, MAC base and ports, keeping the identity recorded by
 * an earlier up, and the WAN link. */
static gboolean
prepare_instance(VgwInstance *inst, const VgwUpOptions *opts, GError **error)
{
  if (inst->serial == NULL)
    inst->serial = vgw_identity_serial(inst->name);
  if (inst->mac_base == NULL) {
    guint8 mac[VGW_MAC_LEN];
    vgw_identity_mac_base(inst->name, mac);
    inst->mac_base = vgw_mac_format(mac);
  }
  if (!vgw_ports_resolve(opts->sip_port, opts->sip_tls_port, &inst->sip_port,
                         &inst->sip_tls_port, error))
    return FALSE;
  const guint16 taken[] = { inst->sip_port, inst->sip_tls_port };
  if (!vgw_port_pick_free_range(VGW_PORT_UDP, VGW_QEMU_RTP_PORTS, taken,
                                G_N_ELEMENTS(taken), &inst->rtp_port, error))
    return FALSE;
  guint16 avoid[2 + VGW_QEMU_RTP_PORTS] = { inst->sip_port, inst->sip_tls_port };
  for (guint i = 0; i < VGW_QEMU_RTP_PORTS; i++)
    avoid[2 + i] = inst->rtp_port + i;
  if (!vgw_sip_forwards_pick(inst, avoid, G_N_ELEMENTS(avoid), error))
    return FALSE;
  if (opts->wan_link_spec != NULL)
    inst->wan_link = opts->wan_link;
  inst->seed = opts->seed;
  return resolve_wan_listen_port(inst, error);
}

/* A link we connect was made when QEMU started, long before the firmware
 * is ready: not connected now, nobody was listening (QEMU runs on without
 * a link and would never retry). */
static gboolean
check_wan_link(const VgwInstance *inst, GError **error)
{
  gboolean connected = FALSE;

  if (inst->wan_link.mode != VGW_WAN_LINK_CONNECT)
    return TRUE;
  if (!vgw_wan_link_query_connected(inst->qmp_sock, &connected, error))
    return FALSE;
  if (!connected)
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "no gateway listens on " VGW_WAN_LINK_HOST ":%u for --wan-link connect:%u "
                "(start the other one with --wan-link listen:%u first)",
                inst->wan_link.port, inst->wan_link.port, inst->wan_link.port);
  return connected;
}

static GSubprocess *
spawn_qemu(VgwInstance *inst, char **argv, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GError) local = NULL;
  GSubprocess *proc;
  int log_fd = open(inst->qemu_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  if (log_fd < 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot create %s: %s",
                inst->qemu_log, g_strerror(errno));
    return NULL;
  }
  g_subprocess_launcher_take_stdout_fd(launcher, dup(log_fd));
  g_subprocess_launcher_take_stderr_fd(launcher, log_fd);
  g_subprocess_launcher_set_child_setup(launcher, child_setup, NULL, NULL);
  proc = g_subprocess_launcher_spawnv(launcher, (const char *const *) argv, &local);
  if (proc == NULL)
    g_set_error(error, VGW_ERROR, VGW_ERROR_NO_QEMU,
                "cannot start QEMU at %s: %s (run scripts/build.sh, or set VGW_QEMU)",
                argv[0], local->message);
  return proc;
}

/* QEMU's own output (qemu.log), for explaining why it failed: NULL when
 * it cannot be read or is over QEMU_LOG_MAX, and the failure is then
 * reported without QEMU's words. */
#define QEMU_LOG_MAX (4 * 1024 * 1024)

static void
read_qemu_log(const VgwInstance *inst, char **log)
{
  gsize len = 0;

  if (!vgw_file_read(inst->qemu_log, QEMU_LOG_MAX, log, &len, NULL))
    *log = NULL;
}

/* Turns a failed boot into the user's error, after QEMU is gone. */
static void
explain_boot_failure(const VgwInstance *inst, GError *boot_error, GError **error)
{
  if (g_error_matches(boot_error, VGW_ERROR, VGW_ERROR_EXITED)) {
    g_autofree char *log = NULL;
    read_qemu_log(inst, &log);
    vgw_qemu_explain_failure(inst->qemu, log, error);
    return;
  }
  g_propagate_error(error, g_error_copy(boot_error));
}

/* QEMU -incoming |incoming|: the machine state comes from a snapshot. */
static void
append_incoming(char ***argv, const char *incoming)
{
  guint n = g_strv_length(*argv);

  *argv = g_renew(char *, *argv, n + 3);
  (*argv)[n] = g_strdup("-incoming");
  (*argv)[n + 1] = g_strdup(incoming);
  (*argv)[n + 2] = NULL;
}

/* A booted gateway is ready at its ready line; a restored one prints none
 * (it booted before its snapshot) and is ready once it runs again and its
 * firmware answers. */
static gboolean
wait_ready(VgwInstance *inst, gboolean restored, guint timeout_s, Child *child,
           VgwBootResult *boot, GError **error)
{
  gint64 t0 = g_get_monotonic_time();

  if (!restored)
    return vgw_boot_wait(inst->name, inst->console_log, 0, FALSE, timeout_s, child_alive,
                         child, boot, error);
  if (!vgw_snapshot_wait_restored(inst, timeout_s, child_alive, child, error))
    return FALSE;
  boot->elapsed_s = (double) (g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
  return TRUE;
}

/* A clone's TLS Context 0 serves the snapshot's device key; this gives
 * it a key of the factory's type, generated in its engine, and a new
 * self-signed certificate (`vgw cert inject --generate`). */
static gboolean
give_fresh_identity(const VgwInstance *inst, GError **error)
{
  VgwCertOptions fresh = { .generate = VGW_TLS_DEFAULT_KEY_TYPE };

  fresh.name = inst->name;
  if (!vgw_cert_inject_check(&fresh, error) || !vgw_cert_inject_run(&fresh, error))
    return FALSE;
  fflush(stdout);
  return TRUE;
}

static gboolean
on_stop_signal(gpointer data)
{
  g_main_loop_quit(((Child *) data)->loop);
  return G_SOURCE_CONTINUE;
}

/* Foreground: waits for SIGINT/SIGTERM/SIGHUP or QEMU's own exit. */
static gboolean
run_foreground(VgwInstance *inst, Child *child, GError **error)
{
  guint sources[3];
  int pid = inst->pid;

  printf("running in the foreground; Ctrl-C stops the gateway\n");
  fflush(stdout);
  child->loop = g_main_loop_new(NULL, FALSE);
  sources[0] = g_unix_signal_add(SIGINT, on_stop_signal, child);
  sources[1] = g_unix_signal_add(SIGTERM, on_stop_signal, child);
  sources[2] = g_unix_signal_add(SIGHUP, on_stop_signal, child);
  if (!child->exited)
    g_main_loop_run(child->loop);
  for (int i = 0; i < 3; i++)
    g_source_remove(sources[i]);
  g_clear_pointer(&child->loop, g_main_loop_unref);

  if (child->exited) {
    /* Stopped from elsewhere (vgw down), or QEMU died. */
    gboolean clean = g_subprocess_get_if_exited(child->proc) &&
                     g_subprocess_get_exit_status(child->proc) == 0;
    vgw_gateway_mark_stopped(inst);
    if (!clean) {
      g_autofree char *log = NULL;
      read_qemu_log(inst, &log);
      vgw_qemu_explain_failure(inst->qemu, log, error);
      return FALSE;
    }
    printf("gateway '%s' stopped\n", inst->name);
    return TRUE;
  }
  if (!vgw_gateway_stop(inst, pid, error))
    return FALSE;
  printf("gateway '%s' stopped\n", inst->name);
  return TRUE;
}

gboolean
vgw_up_run(gconstpointer data, GError **error_out)
{
  const VgwUpOptions *opts = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) boot_error = NULL;
  g_autoptr(VgwInstance) inst = NULL;
  g_autofree char *qemu = NULL;
  g_autofree char *images = NULL;
  g_autofree char *old_log = NULL;
  g_autofree char *config = NULL;
  VgwParamConfig *checked = NULL;
  VgwCertOptions context0 = { 0 };  /* --config's HTTPS*FileName */
  VgwBootResult boot = { 0 };
  VgwQemuConfig cfg = { 0 };
  g_autofree char *incoming = NULL;   /* --from: QEMU's -incoming */
  g_auto(GStrv) snapshot_paths = NULL; /* --from: what cfg points into */
  g_autofree char *replay_qemu = NULL;   /* --replay: the recording's */
  g_autofree char *replay_images = NULL;
  g_autofree char *replay_log = NULL;    /* --record, --replay: QEMU's log */
  guint replay_smp = 0;
  Child child = { 0 };
  const char *identifier;
  int lock_fd = -1, pid;

  if (opts->config != NULL) {
    if ((checked = prepare_config(opts->config, &error)) == NULL)
      goto out;
    /* Saved as the firmware's own export writes it. */
    config = vgw_ini_export(checked);
    if (!vgw_cert_from_config(checked, opts->config, &context0, &error) ||
        (context0.cert != NULL && !vgw_cert_precheck(&context0, &error))) {
      GError *why = g_steal_pointer(&error);
      g_set_error(&error, VGW_ERROR, VGW_ERROR_FAILED,
                  "%s (--config rejected; nothing started)", why->message);
      g_error_free(why);
      goto out;
    }
  }
  if ((inst = vgw_instance_new(opts->name, &error)) == NULL ||
      (qemu = vgw_qemu_resolve_binary(opts->qemu, &error)) == NULL ||
      (images = vgw_images_resolve_dir(opts->images, &error)) == NULL ||
      !vgw_instance_ensure_dir(inst, &error))
    goto out;
  if ((opts->from != NULL || opts->replay != NULL) && vgw_instance_known(inst)) {
    g_set_error(&error, VGW_ERROR, VGW_ERROR_RUNNING,
                "gateway '%s' exists: --%s starts a new gateway (choose another --name)",
                inst->name, opts->from != NULL ? "from" : "replay");
    goto out;
  }
  if (vgw_instance_known(inst) && !vgw_instance_load(inst, &error))
    goto out;
  if ((pid = vgw_instance_running_pid(inst)) != 0) {
    g_set_error(&error, VGW_ERROR, VGW_ERROR_RUNNING,
                "gateway '%s' is already running (pid %d)", inst->name, pid);
    goto out;
  }
  if ((lock_fd = vgw_instance_lock(inst, &error)) < 0)
    goto out;
  /* Without --config the flash keeps the configuration of the last one,
   * and the instance its forwards. */
  if (checked != NULL)
    vgw_sip_forwards_from_config(inst, checked);
  if (opts->from != NULL) {
    if (!vgw_snapshot_provision(opts->from, inst, &cfg, &incoming, &snapshot_paths, &error) ||
        !prepare_instance(inst, opts, &error))
      goto out;
  } else if (opts->replay != NULL) {
    VgwSeed recorded;
    if (!vgw_replay_provision(opts->replay, inst, &replay_smp, &replay_qemu, &replay_images,
                              &error))
      goto out;
    recorded = inst->seed;
    if (!prepare_instance(inst, opts, &error))
      goto out;
    inst->seed = recorded;
  } else if (!prepare_instance(inst, opts, &error) ||
             !copy_factory_flash(images, inst, &error) ||
             !vgw_board_secret_ensure(inst->keystore_secret, inst->keystore, &error)) {
    goto out;
  }
  if (config != NULL) {
    guint64 generation = 0;
    if (!vgw_flash_write_config(inst->flash, config, strlen(config), &generation, &error))
      goto out;
    printf("configuration %s saved to the flash (generation %" G_GUINT64_FORMAT ")\n",
           opts->config, generation);
    fflush(stdout);
  }

  /* A fresh console log per boot; the previous one is kept beside it. */
  vgw_instance_remove_runtime_files(inst);
  old_log = g_strconcat(inst->console_log, ".1", NULL);
  g_rename(inst->console_log, old_log);

  if (incoming == NULL) {
    cfg.qemu = qemu;
    cfg.images = images;
    cfg.smp = opts->smp;
    cfg.memory_mb = VGW_MEMORY_MB;
  }
  if (opts->replay != NULL) {
    cfg.qemu = replay_qemu;
    cfg.images = replay_images;
    cfg.smp = replay_smp;
    cfg.replay = VGW_REPLAY_PLAY;
    replay_log = vgw_replay_log(opts->replay);
  } else if (opts->record != NULL) {
    if (!vgw_replay_record_begin(inst, cfg.images, opts->record, &error))
      goto out;
    cfg.replay = VGW_REPLAY_RECORD;
    replay_log = vgw_replay_log(opts->record);
  }
  cfg.replay_log = replay_log;
  g_free(inst->qemu);
  inst->qemu = g_strdup(cfg.qemu);
  g_free(inst->images);
  inst->images = g_strdup(cfg.images);
  g_strfreev(inst->qemu_argv);
  inst->qemu_argv = vgw_qemu_build_argv(&cfg, inst);
  if (incoming != NULL)
    append_incoming(&inst->qemu_argv, incoming);
  if (opts->capture != NULL && !vgw_capture_boot(inst, opts->capture, &error))
    goto out;
  if (opts->record != NULL && !vgw_replay_record_instance(inst, opts->record, &error))
    goto out;

  child.proc = spawn_qemu(inst, inst->qemu_argv, &error);
  if (child.proc == NULL)
    goto out;
  /* The identifier is NULL once GLib has reaped the child: a QEMU that
   * exits at once (bad option, no board) may already be gone.  Its exit
   * is then reported by the boot wait below. */
  identifier = g_subprocess_get_identifier(child.proc);
  inst->pid = identifier != NULL ? atoi(identifier) : 0;
  g_subprocess_wait_async(child.proc, NULL, on_child_exit, &child);
  inst->started_unix = (gint64) time(NULL);
  if (!vgw_instance_save(inst, &error) ||
      (opts->replay != NULL && !vgw_replay_start(inst->qmp_sock, opts->replay, opts->timeout_s,
                                                 child_alive, &child, &error))) {
    if (!child.exited)
      vgw_gateway_kill(inst->pid);
    goto out;
  }

  if (!wait_ready(inst, incoming != NULL, opts->timeout_s, &child, &boot, &boot_error)) {
    /* Once reaped, its pid may already belong to someone else. */
    if (!child.exited)
      vgw_gateway_kill(inst->pid);
    vgw_gateway_mark_stopped(inst);
    explain_boot_failure(inst, boot_error, &error);
    goto out;
  }
  if (!check_wan_link(inst, &error)) {
    if (!child.exited)
      vgw_gateway_kill(inst->pid);
    vgw_gateway_mark_stopped(inst);
    goto out;
  }
  print_endpoints(inst, boot.elapsed_s);
  /* A clone runs its origin's configuration, whose source the origin's
   * `up` reported: asking the port again would add a quarter to a
   * restore's time (tests/bench/RESULTS.md "Restore"). */
  if (incoming == NULL)
    print_config_source(inst, boot.ready);
  if (context0.cert != NULL) {
    /* The firmware only reads its flash: the files named in the ini are
     * installed through the maintenance port once it is up. */
    context0.name = inst->name;
    if (!vgw_cert_inject_run(&context0, &error)) {
      GError *why = g_steal_pointer(&error);
      g_set_error(&error, VGW_ERROR, VGW_ERROR_FAILED,
                  "%s (HTTPSCertFileName of %s; the gateway runs with its previous "
                  "certificate)", why->message, opts->config);
      g_error_free(why);
      context0.name = NULL;
      goto out;
    }
    context0.name = NULL;
    fflush(stdout);
  }
  if (opts->fresh_identity && !give_fresh_identity(inst, &error))
    goto out;
  if (!opts->detach && !run_foreground(inst, &child, &error))
    goto out;

out:
  vgw_cert_options_clear(&context0);
  vgw_param_config_free(checked);
  vgw_boot_result_clear(&boot);
  g_clear_object(&child.proc);
  if (lock_fd >= 0)
    close(lock_fd);
  if (error != NULL) {
    g_propagate_error(error_out, g_steal_pointer(&error));
    return FALSE;
  }
  return TRUE;
}
