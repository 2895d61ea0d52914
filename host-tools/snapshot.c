#include "snapshot.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <time.h>

#include "gateway_files.h"
#include "maint.h"
#include "qmp.h"
#include "vgw-error.h"

#define SNAPSHOT_ROOT ".snapshots"
#define SNAPSHOT_JSON_MAX (64 * 1024)
#define QMP_TIMEOUT_MS 10000
/* Migration to a local file takes well under a second; the poll only
 * bounds how often QEMU is asked. */
#define POLL_US (20 * 1000)
#define MIGRATE_TIMEOUT_S 300

char *
vgw_snapshot_dir(const char *name, GError **error)
{
  g_autofree char *root = vgw_state_root();

  if (!vgw_instance_name_check(name, NULL)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "invalid snapshot name '%s' (1-32 characters of A-Z a-z 0-9 _ - ., "
                "not starting with . or -)", name != NULL ? name : "");
    return NULL;
  }
  return g_build_filename(root, SNAPSHOT_ROOT, name, NULL);
}

static JsonNode *
qmp_run(VgwQmp *qmp, const char *command, JsonObject *args, GError **error)
{
  g_autoptr(GError) local = NULL;
  JsonNode *ret = vgw_qmp_execute(qmp, command, args, &local);

  if (ret == NULL)
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "QMP %s: %s", command, local->message);
  return ret;
}

/* Polls query-migrate until the outgoing migration ends. */
static gboolean
wait_migrated(VgwQmp *qmp, GError **error)
{
  gint64 deadline = g_get_monotonic_time() + MIGRATE_TIMEOUT_S * G_USEC_PER_SEC;

  while (g_get_monotonic_time() < deadline) {
    g_autoptr(JsonNode) ret = qmp_run(qmp, "query-migrate", NULL, error);
    JsonObject *o;
    const char *status;

    if (ret == NULL)
      return FALSE;
    o = JSON_NODE_HOLDS_OBJECT(ret) ? json_node_get_object(ret) : NULL;
    status = o != NULL ? json_object_get_string_member_with_default(o, "status", "") : "";
    if (g_str_equal(status, "completed"))
      return TRUE;
    if (g_str_equal(status, "failed") || g_str_equal(status, "cancelled")) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "QEMU could not save the machine: %s",
                  json_object_get_string_member_with_default(o, "error-desc", status));
      return FALSE;
    }
    g_usleep(POLL_US);
  }
  g_set_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT,
              "saving the machine took over %d s", MIGRATE_TIMEOUT_S);
  return FALSE;
}

static gboolean
write_snapshot_json(const VgwInstance *origin, const char *dir, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  g_autoptr(JsonGenerator) gen = json_generator_new();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = g_build_filename(dir, "snapshot.json", NULL);
  g_autofree char *text = NULL;

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "origin");
  json_builder_add_string_value(b, origin->name);
  json_builder_set_member_name(b, "saved_unix");
  json_builder_add_int_value(b, (gint64) time(NULL));
  json_builder_set_member_name(b, "smp");
  json_builder_add_int_value(b, vgw_qemu_argv_uint(origin->qemu_argv, "-smp"));
  json_builder_set_member_name(b, "memory_mb");
  json_builder_add_int_value(b, vgw_qemu_argv_uint(origin->qemu_argv, "-m"));
  json_builder_end_object(b);
  root = json_builder_get_root(b);
  json_generator_set_root(gen, root);
  json_generator_set_pretty(gen, TRUE);
  text = json_generator_to_data(gen, NULL);
  return g_file_set_contents(path, text, -1, error);
}

/* Everything but the machine state, copied while the origin is paused so
 * that its flash and keystore match its RAM. */
static gboolean
copy_origin_files(const VgwInstance *origin, const char *dir, GError **error)
{
  g_autofree char *json = g_build_filename(dir, "instance.json", NULL);

  return vgw_gateway_files_save(origin, origin->images, dir, error) &&
         vgw_file_copy(origin->json_file, json, error) &&
         write_snapshot_json(origin, dir, error);
}

/* The origin's machine state into |dir|/vmstate, then, while the
 * migration's end keeps it paused, the files.  It is migrated running:
 * the stream then says so and a clone starts running at once, and the
 * origin is paused only for the last pass.  QEMU writes through `exec:`
 * (QEMU 7.2 has no `file:` migration), into a temporary name renamed once
 * complete. */
static gboolean
migrate_and_copy(VgwQmp *qmp, const VgwInstance *origin, const char *dir, GError **error)
{
  g_autofree char *tmp = g_build_filename(dir, "vmstate.tmp", NULL);
  g_autofree char *final = g_build_filename(dir, "vmstate", NULL);
  g_autofree char *quoted = g_shell_quote(tmp);
  g_autofree char *uri = g_strdup_printf("exec:cat > %s", quoted);
  g_autoptr(JsonObject) args = json_object_new();
  g_autoptr(JsonNode) ret = NULL;

  json_object_set_string_member(args, "uri", uri);
  if ((ret = qmp_run(qmp, "migrate", args, error)) == NULL || !wait_migrated(qmp, error) ||
      !copy_origin_files(origin, dir, error))
    return FALSE;
  if (g_rename(tmp, final) != 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot rename %s: %s", tmp,
                g_strerror(errno));
    return FALSE;
  }
  return TRUE;
}

gboolean
vgw_snapshot_save(const VgwInstance *origin, const char *name, double *took_s,
                  GError **error)
{
  g_autofree char *dir = vgw_snapshot_dir(name, error);
  g_autoptr(VgwQmp) qmp = NULL;
  g_autoptr(JsonNode) resumed = NULL;
  g_autoptr(GError) resume_error = NULL;
  gboolean saved;
  gint64 t0;

  if (dir == NULL)
    return FALSE;
  if (origin->wan_link.mode != VGW_WAN_LINK_SLIRP) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "gateway '%s' has its WAN port linked to another gateway: a snapshot "
                "cannot take the link along", origin->name);
    return FALSE;
  }
  if (g_file_test(dir, G_FILE_TEST_EXISTS)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_RUNNING,
                "snapshot '%s' exists (vgw snapshot delete %s first)", name, name);
    return FALSE;
  }
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot create %s: %s", dir,
                g_strerror(errno));
    return FALSE;
  }
  if ((qmp = vgw_qmp_connect(origin->qmp_sock, QMP_TIMEOUT_MS, error)) == NULL) {
    vgw_remove_flat_dir(dir);
    return FALSE;
  }
  t0 = g_get_monotonic_time();
  saved = migrate_and_copy(qmp, origin, dir, error);
  /* After a migration the origin waits in "postmigrate"; cont runs it
   * again and gives its block devices back to it. */
  resumed = qmp_run(qmp, "cont", NULL, saved ? error : &resume_error);
  *took_s = (double) (g_get_monotonic_time() - t0) / G_USEC_PER_SEC;
  if (!saved || resumed == NULL) {
    vgw_remove_flat_dir(dir);
    return FALSE;
  }
  return TRUE;
}

static gboolean
read_snapshot_json(const char *dir, guint *smp, guint *memory_mb, GError **error)
{
  g_autofree char *path = g_build_filename(dir, "snapshot.json", NULL);
  g_autoptr(JsonObject) o = vgw_json_object_file_read(path, SNAPSHOT_JSON_MAX, error);

  if (o == NULL)
    return FALSE;
  *smp = (guint) json_object_get_int_member_with_default(o, "smp", 0);
  *memory_mb = (guint) json_object_get_int_member_with_default(o, "memory_mb", 0);
  if (*smp == 0 || *memory_mb == 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot read %s: no smp or memory_mb",
                path);
    return FALSE;
  }
  return TRUE;
}

gboolean
vgw_snapshot_provision(const char *name, VgwInstance *clone, VgwQemuConfig *cfg,
                       char **incoming, char ***storage, GError **error)
{
  g_autofree char *dir = vgw_snapshot_dir(name, error);
  g_autofree char *vmstate = NULL;
  g_autofree char *json = NULL;
  g_autofree char *quoted = NULL;

  if (dir == NULL)
    return FALSE;
  vmstate = g_build_filename(dir, "vmstate", NULL);
  if (!g_file_test(vmstate, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_UNKNOWN, "no snapshot named '%s' (in %s)", name,
                dir);
    return FALSE;
  }
  json = g_build_filename(dir, "instance.json", NULL);
  if (!vgw_instance_load_from(clone, json, error) ||
      !read_snapshot_json(dir, &cfg->smp, &cfg->memory_mb, error))
    return FALSE;
  /* The clone is a new gateway: not started, no seed of its own. */
  clone->pid = 0;
  clone->started_unix = 0;
  clone->seed.set = FALSE;
  if (!vgw_gateway_files_restore(dir, clone, error))
    return FALSE;
  *storage = g_new0(char *, 3);
  (*storage)[0] = g_strdup(clone->qemu);
  (*storage)[1] = g_strdup(dir);
  cfg->qemu = (*storage)[0];
  cfg->images = (*storage)[1];
  quoted = g_shell_quote(vmstate);
  *incoming = g_strdup_printf("exec:cat %s", quoted);
  return TRUE;
}

/* QEMU's run state, or NULL while its QMP socket does not answer yet. */
static char *
query_status(const VgwInstance *inst)
{
  g_autoptr(VgwQmp) qmp = vgw_qmp_connect(inst->qmp_sock, QMP_TIMEOUT_MS, NULL);
  g_autoptr(JsonNode) ret = NULL;

  if (qmp == NULL || (ret = vgw_qmp_execute(qmp, "query-status", NULL, NULL)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT(ret))
    return NULL;
  return g_strdup(json_object_get_string_member_with_default(json_node_get_object(ret),
                                                             "status", ""));
}

/* One step of the wait: TRUE once |inst| is restored and answers; FALSE
 * with |error| set when QEMU loaded the state but does not run it. */
static gboolean
restored_step(const VgwInstance *inst, gboolean *running, GError **error)
{
  if (!*running) {
    g_autofree char *status = query_status(inst);
    if (status == NULL || g_str_equal(status, "inmigrate"))
      return FALSE;
    if (!g_str_equal(status, "running")) {
      /* A migration keeps the origin's run state: "paused" when it was. */
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                  "gateway '%s' was restored but QEMU does not run it (state %s)",
                  inst->name, status);
      return FALSE;
    }
    *running = TRUE;
  }
  /* The firmware's first answer steps its wall clock, which resumed
   * where the snapshot stopped it, to the board's RTC (the host's). */
  const char *req[] = { "clock-sync", NULL };
  VgwMaintTarget target = { .socket_path = inst->maint_sock, .timeout_s = 2 };
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonObject) reply = vgw_maint_request(&target, req, &local);

  /* No answer yet is waited out; an answer that refuses is the end. */
  if (reply == NULL && local != NULL && g_str_has_prefix(local->message, "clock-sync: "))
    g_propagate_error(error, g_steal_pointer(&local));
  return reply != NULL;
}

gboolean
vgw_snapshot_wait_restored(const VgwInstance *inst, guint timeout_s, VgwAliveFunc alive,
                           gpointer alive_data, GError **error)
{
  gint64 deadline = g_get_monotonic_time() + (gint64) timeout_s * G_USEC_PER_SEC;
  gboolean running = FALSE;

  for (;;) {
    g_autoptr(GError) stuck = NULL;

    /* Lets GLib reap QEMU, which |alive| reports. */
    while (g_main_context_iteration(NULL, FALSE))
      ;
    if (!alive(alive_data)) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_EXITED, "QEMU of gateway '%s' exited",
                  inst->name);
      return FALSE;
    }
    if (restored_step(inst, &running, &stuck))
      return TRUE;
    if (stuck != NULL) {
      g_propagate_error(error, g_steal_pointer(&stuck));
      return FALSE;
    }
    if (g_get_monotonic_time() >= deadline) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT,
                  "gateway '%s' was not %s within %u s", inst->name,
                  running ? "answering on its maintenance port" : "restored", timeout_s);
      return FALSE;
    }
    g_usleep(POLL_US);
  }
}

char **
vgw_snapshot_list_names(void)
{
  g_autofree char *root = vgw_state_root();
  g_autofree char *dir = g_build_filename(root, SNAPSHOT_ROOT, NULL);

  return vgw_list_named_dirs(dir, "vmstate");
}

gboolean
vgw_snapshot_delete(const char *name, GError **error)
{
  g_autofree char *dir = vgw_snapshot_dir(name, error);

  if (dir == NULL)
    return FALSE;
  if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_UNKNOWN, "no snapshot named '%s' (in %s)", name,
                dir);
    return FALSE;
  }
  vgw_remove_flat_dir(dir);
  return TRUE;
}
