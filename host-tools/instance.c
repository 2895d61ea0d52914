#include "instance.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <sys/file.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileread.h"
#include "vgw-error.h"

/* Limits for the files vgw reads for itself (fileread.h). */
#define INSTANCE_JSON_MAX (1024 * 1024)
#define PROC_FILE_MAX (4 * 1024 * 1024) /* a command line is at most ARG_MAX */
#define PID_FILE_MAX 64

char *
vgw_state_root(void)
{
  const char *env = g_getenv("VGW_STATE_DIR");
  const char *xdg = g_getenv("XDG_RUNTIME_DIR");

  if (env != NULL && *env != '\0')
    return g_strdup(env);
  if (xdg != NULL && *xdg != '\0')
    return g_build_filename(xdg, "vgw", NULL);
  return g_strdup_printf("/tmp/vgw-%u", (unsigned) getuid());
}

void
vgw_remove_flat_dir(const char *dir)
{
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *entry;

  while (d != NULL && (entry = g_dir_read_name(d)) != NULL) {
    g_autofree char *path = g_build_filename(dir, entry, NULL);
    g_unlink(path);
  }
  if (d != NULL)
    g_dir_close(d);
  g_rmdir(dir);
}

gboolean
vgw_file_copy(const char *from, const char *to, GError **error)
{
  g_autoptr(GFile) src = g_file_new_for_path(from);
  g_autoptr(GFile) dst = g_file_new_for_path(to);
  g_autoptr(GError) local = NULL;

  if (!g_file_copy(src, dst, G_FILE_COPY_NONE, NULL, NULL, NULL, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot copy %s to %s: %s", from, to,
                local->message);
    return FALSE;
  }
  return TRUE;
}

gboolean
vgw_seed_parse(const char *text, VgwSeed *seed, GError **error)
{
  if (!g_ascii_string_to_unsigned(text, 10, 0, VGW_SEED_MAX, &seed->value, NULL)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "invalid value '%s' for --seed (expected 0..%" G_GUINT64_FORMAT ")",
                text, VGW_SEED_MAX);
    return FALSE;
  }
  seed->set = TRUE;
  return TRUE;
}

gboolean
vgw_instance_name_check(const char *name, GError **error)
{
  gsize len = name != NULL ? strlen(name) : 0;
  /* A leading '.' could name "." or ".."; a leading '-' reads as an
   * option to every tool that is handed the state directory's path. */
  gboolean ok = len >= 1 && len <= 32 && name[0] != '.' && name[0] != '-';

  for (gsize i = 0; ok && i < len; i++)
    ok = g_ascii_isalnum(name[i]) || name[i] == '_' || name[i] == '-' ||
         name[i] == '.';
  if (!ok)
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "invalid gateway name '%s' (1-32 characters of A-Z a-z 0-9 _ - ., not starting with . or -)",
                name != NULL ? name : "");
  return ok;
}

VgwInstance *
vgw_instance_new(const char *name, GError **error)
{
  g_autofree char *root = NULL;
  VgwInstance *inst;

  if (!vgw_instance_name_check(name, error))
    return NULL;
  root = vgw_state_root();
  inst = g_new0(VgwInstance, 1);
  inst->name = g_strdup(name);
  inst->dir = g_build_filename(root, name, NULL);
  inst->qmp_sock = g_build_filename(inst->dir, "qmp.sock", NULL);
  inst->console_sock = g_build_filename(inst->dir, "console.sock", NULL);
  inst->maint_sock = g_build_filename(inst->dir, "maint.sock", NULL);
  inst->console_log = g_build_filename(inst->dir, "console.log", NULL);
  inst->qemu_log = g_build_filename(inst->dir, "qemu.log", NULL);
  inst->pid_file = g_build_filename(inst->dir, "qemu.pid", NULL);
  inst->flash = g_build_filename(inst->dir, "flash.img", NULL);
  inst->keystore = g_build_filename(inst->dir, "keystore.bin", NULL);
  inst->keystore_secret = g_build_filename(inst->dir, "keystore.secret", NULL);
  inst->json_file = g_build_filename(inst->dir, "instance.json", NULL);
  inst->lock_file = g_build_filename(inst->dir, "lock", NULL);

  /* console.sock is the longest socket name. */
  if (strlen(inst->console_sock) > VGW_UNIX_PATH_MAX) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "state directory %s is too long for unix sockets (%zu bytes for %s, max %d); set VGW_STATE_DIR to a shorter path",
                inst->dir, strlen(inst->console_sock), "console.sock",
                VGW_UNIX_PATH_MAX);
    vgw_instance_free(inst);
    return NULL;
  }
  return inst;
}

void
vgw_instance_free(VgwInstance *inst)
{
  if (inst == NULL)
    return;
  g_free(inst->name);
  g_free(inst->dir);
  g_free(inst->qmp_sock);
  g_free(inst->console_sock);
  g_free(inst->maint_sock);
  g_free(inst->console_log);
  g_free(inst->qemu_log);
  g_free(inst->pid_file);
  g_free(inst->flash);
  g_free(inst->keystore);
  g_free(inst->keystore_secret);
  g_free(inst->json_file);
  g_free(inst->lock_file);
  g_free(inst->serial);
  g_free(inst->mac_base);
  g_free(inst->qemu);
  g_free(inst->images);
  g_strfreev(inst->qemu_argv);
  g_free(inst);
}

gboolean
vgw_instance_known(const VgwInstance *inst)
{
  return g_file_test(inst->json_file, G_FILE_TEST_IS_REGULAR);
}

gboolean
vgw_instance_ensure_dir(const VgwInstance *inst, GError **error)
{
  if (g_mkdir_with_parents(inst->dir, 0700) != 0) {
    int e = errno;
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "cannot create state directory %s: %s", inst->dir,
                g_strerror(e));
    return FALSE;
  }
  return TRUE;
}

static char *
dup_member_string(JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member(o, key);

  if (n == NULL || JSON_NODE_HOLDS_NULL(n) ||
      json_node_get_value_type(n) != G_TYPE_STRING)
    return NULL;
  return g_strdup(json_node_get_string(n));
}

static gint64
member_int(JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member(o, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE(n))
    return 0;
  return json_node_get_int(n);
}

/* load_forwards reads the "forwards" array (absent before SIP
 * Interfaces: none). */
static void
load_forwards(VgwInstance *inst, JsonObject *o)
{
  JsonArray *a = json_object_has_member(o, "forwards")
                     ? json_object_get_array_member(o, "forwards") : NULL;

  inst->n_forwards = 0;
  for (guint i = 0; a != NULL && i < json_array_get_length(a) &&
                    inst->n_forwards < VGW_MAX_FORWARDS; i++) {
    JsonObject *f = json_array_get_object_element(a, i);
    if (f == NULL || !json_object_has_member(f, "proto"))
      continue;
    inst->forwards[inst->n_forwards++] = (VgwForward){
      g_strcmp0(json_object_get_string_member(f, "proto"), "tcp") == 0,
      (guint16) member_int(f, "guest"), (guint16) member_int(f, "host") };
  }
}

/* load_seed reads "seed": an integer, or null or absent (before --seed)
 * for none. */
static void
load_seed(VgwInstance *inst, JsonObject *o)
{
  JsonNode *n = json_object_get_member(o, "seed");

  inst->seed = (VgwSeed){ FALSE, 0 };
  if (n != NULL && JSON_NODE_HOLDS_VALUE(n) &&
      json_node_get_value_type(n) == G_TYPE_INT64 && json_node_get_int(n) >= 0)
    inst->seed = (VgwSeed){ TRUE, (guint64) json_node_get_int(n) };
}

/* load_wan_link reads "wan_link" (absent before WAN links: slirp). */
static gboolean
load_wan_link(VgwInstance *inst, JsonObject *o, GError **error)
{
  g_autofree char *spec = dup_member_string(o, "wan_link");
  g_autoptr(GError) local = NULL;

  inst->wan_link = (VgwWanLink){ VGW_WAN_LINK_SLIRP, 0 };
  if (spec == NULL || vgw_wan_link_parse(spec, &inst->wan_link, &local))
    return TRUE;
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot read %s: wan_link: %s",
              inst->json_file, local->message);
  return FALSE;
}

gboolean
vgw_instance_load(VgwInstance *inst, GError **error)
{
  if (!vgw_instance_known(inst)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_UNKNOWN,
                "no gateway named '%s' (in %s)", inst->name, inst->dir);
    return FALSE;
  }
  return vgw_instance_load_from(inst, inst->json_file, error);
}

JsonObject *
vgw_json_object_file_read(const char *path, gsize limit, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) local = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  JsonNode *root;

  if (!vgw_file_read(path, limit, &text, &len, &local) ||
      !json_parser_load_from_data(parser, text, (gssize) len, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot read %s: %s",
                path, local->message);
    return NULL;
  }
  root = json_parser_get_root(parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "cannot read %s: not a JSON object", path);
    return NULL;
  }
  return json_object_ref(json_node_get_object(root));
}

gboolean
vgw_instance_load_from(VgwInstance *inst, const char *path, GError **error)
{
  g_autoptr(JsonObject) o = vgw_json_object_file_read(path, INSTANCE_JSON_MAX, error);
  JsonArray *argv;

  if (o == NULL)
    return FALSE;
  g_clear_pointer(&inst->serial, g_free);
  g_clear_pointer(&inst->mac_base, g_free);
  g_clear_pointer(&inst->qemu, g_free);
  g_clear_pointer(&inst->images, g_free);
  g_clear_pointer(&inst->qemu_argv, g_strfreev);
  inst->serial = dup_member_string(o, "serial");
  inst->mac_base = dup_member_string(o, "mac_base");
  inst->qemu = dup_member_string(o, "qemu");
  inst->images = dup_member_string(o, "images");
  inst->sip_port = (guint16) member_int(o, "sip_port");
  inst->sip_tls_port = (guint16) member_int(o, "sip_tls_port");
  inst->rtp_port = (guint16) member_int(o, "rtp_port");
  load_forwards(inst, o);
  if (!load_wan_link(inst, o, error))
    return FALSE;
  load_seed(inst, o);
  inst->pid = (int) member_int(o, "pid");
  inst->started_unix = member_int(o, "started_unix");
  argv = json_object_has_member(o, "qemu_argv")
             ? json_object_get_array_member(o, "qemu_argv") : NULL;
  if (argv != NULL) {
    guint n = json_array_get_length(argv);
    inst->qemu_argv = g_new0(char *, n + 1);
    for (guint i = 0; i < n; i++)
      inst->qemu_argv[i] = g_strdup(json_array_get_string_element(argv, i));
  }
  return TRUE;
}

char *
vgw_instance_to_json(const VgwInstance *inst)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  g_autoptr(JsonGenerator) gen = json_generator_new();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *wan_link = vgw_wan_link_to_string(&inst->wan_link);

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "name");
  json_builder_add_string_value(b, inst->name);
  json_builder_set_member_name(b, "serial");
  json_builder_add_string_value(b, inst->serial);
  json_builder_set_member_name(b, "mac_base");
  json_builder_add_string_value(b, inst->mac_base);
  json_builder_set_member_name(b, "sip_port");
  json_builder_add_int_value(b, inst->sip_port);
  json_builder_set_member_name(b, "sip_tls_port");
  json_builder_add_int_value(b, inst->sip_tls_port);
  json_builder_set_member_name(b, "rtp_port");
  json_builder_add_int_value(b, inst->rtp_port);
  json_builder_set_member_name(b, "forwards");
  json_builder_begin_array(b);
  for (gsize i = 0; i < inst->n_forwards; i++) {
    const VgwForward *f = &inst->forwards[i];
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "proto");
    json_builder_add_string_value(b, f->tcp ? "tcp" : "udp");
    json_builder_set_member_name(b, "guest");
    json_builder_add_int_value(b, f->guest);
    json_builder_set_member_name(b, "host");
    json_builder_add_int_value(b, f->host);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_set_member_name(b, "wan_link");
  json_builder_add_string_value(b, wan_link);
  json_builder_set_member_name(b, "seed");
  if (inst->seed.set)
    json_builder_add_int_value(b, (gint64) inst->seed.value);
  else
    json_builder_add_null_value(b);
  json_builder_set_member_name(b, "pid");
  json_builder_add_int_value(b, inst->pid);
  json_builder_set_member_name(b, "started_unix");
  json_builder_add_int_value(b, inst->started_unix);
  json_builder_set_member_name(b, "qemu");
  json_builder_add_string_value(b, inst->qemu);
  json_builder_set_member_name(b, "images");
  json_builder_add_string_value(b, inst->images);
  json_builder_set_member_name(b, "qemu_argv");
  json_builder_begin_array(b);
  for (char **a = inst->qemu_argv; a != NULL && *a != NULL; a++)
    json_builder_add_string_value(b, *a);
  json_builder_end_array(b);
  json_builder_end_object(b);

  root = json_builder_get_root(b);
  json_generator_set_root(gen, root);
  json_generator_set_pretty(gen, TRUE);
  return json_generator_to_data(gen, NULL);
}

gboolean
vgw_instance_save(const VgwInstance *inst, GError **error)
{
  g_autofree char *text = vgw_instance_to_json(inst);
  g_autoptr(GError) local = NULL;

  if (!g_file_set_contents_full(inst->json_file, text, -1,
                                G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot write %s: %s",
                inst->json_file, local->message);
    return FALSE;
  }
  return TRUE;
}

gboolean
vgw_pid_alive(int pid)
{
  gsize len = 0;
  g_autofree char *stat_path = NULL;
  g_autofree char *stat = NULL;
  const char *paren;

  if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM))
    return FALSE;
  /* A zombie still answers kill(0): look at its state in /proc. */
  stat_path = g_strdup_printf("/proc/%d/stat", pid);
  if (!vgw_file_read(stat_path, PROC_FILE_MAX, &stat, &len, NULL))
    return FALSE;
  paren = strrchr(stat, ')');
  return paren == NULL || (paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X');
}

/* TRUE if |pid|'s command line names |needle| in one of its arguments,
 * i.e. it is the QEMU we started for this state directory and not some
 * process that reused the pid. */
gboolean
vgw_pid_cmdline(int pid, char **data, gsize *len)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/cmdline", pid);

  if (!vgw_file_read(path, PROC_FILE_MAX, data, len, NULL))
    return FALSE;
  if (*len == 0) {
    g_clear_pointer(data, g_free);
    return FALSE;
  }
  return TRUE;
}

gboolean
vgw_pid_cmdline_mentions(int pid, const char *needle)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!vgw_pid_cmdline(pid, &data, &len))
    return FALSE;
  for (gsize off = 0; off < len; off += strlen(data + off) + 1) {
    if (strstr(data + off, needle) != NULL)
      return TRUE;
  }
  return FALSE;
}

static int
read_pid_file(const char *path)
{
  g_autofree char *text = NULL;
  gsize len = 0;
  gint64 v = 0;

  if (!vgw_file_read(path, PID_FILE_MAX, &text, &len, NULL))
    return 0;
  g_strstrip(text);
  if (!g_ascii_string_to_signed(text, 10, 1, G_MAXINT, &v, NULL))
    return 0;
  return (int) v;
}

int
vgw_instance_running_pid(const VgwInstance *inst)
{
  int candidates[2] = { inst->pid, read_pid_file(inst->pid_file) };

  for (int i = 0; i < 2; i++) {
    int pid = candidates[i];
    if (pid > 0 && vgw_pid_alive(pid) && vgw_pid_cmdline_mentions(pid, inst->qmp_sock))
      return pid;
  }
  return 0;
}

int
vgw_instance_require_running(VgwInstance *inst, GError **error)
{
  int pid;

  if (!vgw_instance_load(inst, error))
    return 0;
  pid = vgw_instance_running_pid(inst);
  if (pid == 0)
    g_set_error(error, VGW_ERROR, VGW_ERROR_NOT_RUNNING,
                "gateway '%s' is not running", inst->name);
  return pid;
}

int
vgw_instance_lock(const VgwInstance *inst, GError **error)
{
  int fd = open(inst->lock_file, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot open %s: %s",
                inst->lock_file, g_strerror(errno));
    return -1;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    close(fd);
    g_set_error(error, VGW_ERROR, VGW_ERROR_RUNNING,
                "gateway '%s' is being started or run by another vgw", inst->name);
    return -1;
  }
  return fd;
}

void
vgw_instance_remove_runtime_files(const VgwInstance *inst)
{
  g_unlink(inst->qmp_sock);
  g_unlink(inst->console_sock);
  g_unlink(inst->maint_sock);
  g_unlink(inst->pid_file);
}

static gint
compare_strings(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *) a, *(char *const *) b);
}

char **
vgw_list_named_dirs(const char *root, const char *marker)
{
  GPtrArray *names = g_ptr_array_new();
  GDir *dir = g_dir_open(root, 0, NULL);
  const char *entry;

  while (dir != NULL && (entry = g_dir_read_name(dir)) != NULL) {
    g_autofree char *path = g_build_filename(root, entry, marker, NULL);
    if (vgw_instance_name_check(entry, NULL) &&
        g_file_test(path, G_FILE_TEST_IS_REGULAR))
      g_ptr_array_add(names, g_strdup(entry));
  }
  if (dir != NULL)
    g_dir_close(dir);
  g_ptr_array_sort(names, compare_strings);
  g_ptr_array_add(names, NULL);
  return (char **) g_ptr_array_free(names, FALSE);
}

char **
vgw_instance_list_names(void)
{
  g_autofree char *root = vgw_state_root();

  return vgw_list_named_dirs(root, "instance.json");
}
