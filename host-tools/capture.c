#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "vgw-error.h"

#define READY_TIMEOUT_MS 10000

gboolean
vgw_capture_ports_parse(const char *text, VgwCapturePorts *out, GError **error)
{
  if (g_str_equal(text, "lan"))
    *out = VGW_CAPTURE_LAN;
  else if (g_str_equal(text, "wan"))
    *out = VGW_CAPTURE_WAN;
  else if (g_str_equal(text, "all"))
    *out = VGW_CAPTURE_ALL;
  else {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "invalid value '%s' for --port (expected lan, wan or all)", text);
    return FALSE;
  }
  return TRUE;
}

static const char *
ports_name(VgwCapturePorts ports)
{
  return ports == VGW_CAPTURE_LAN ? "lan" : ports == VGW_CAPTURE_WAN ? "wan" : "all";
}

static char *
fifo_path(const VgwInstance *inst, const char *port)
{
  return g_strdup_printf("%s/capture-%s.fifo", inst->dir, port);
}

char **
vgw_capture_qemu_args(const VgwInstance *inst, VgwCapturePorts ports)
{
  GPtrArray *a = g_ptr_array_new();

  for (int i = 0; i < 2; i++) {
    const char *port = i == 0 ? "lan" : "wan";
    g_autofree char *fifo = fifo_path(inst, port);
    if (!(ports & (i == 0 ? VGW_CAPTURE_LAN : VGW_CAPTURE_WAN)))
      continue;
    g_ptr_array_add(a, g_strdup("-object"));
    g_ptr_array_add(a, g_strdup_printf("filter-dump,id=vgw-capture-%s,netdev=%s,file=%s",
                                       port, port, fifo));
  }
  g_ptr_array_add(a, NULL);
  return (char **) g_ptr_array_free(a, FALSE);
}

static void
relay_setup(gpointer data)
{
  /* Its own session: it outlives the vgw that started it. */
  setsid();
  signal(SIGPIPE, SIG_DFL);
}

/* Reads the relay's first line ("ready" or "error ...") from |fd|. */
static gboolean
wait_ready(int fd, GError **error)
{
  char line[512] = "";
  gsize have = 0;
  gint64 end = g_get_monotonic_time() + READY_TIMEOUT_MS * 1000LL;

  while (have < sizeof line - 1 && memchr(line, '\n', have) == NULL) {
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int left = (int) ((end - g_get_monotonic_time()) / 1000);
    ssize_t n;
    if (left <= 0 || poll(&p, 1, left) <= 0)
      break;
    n = read(fd, line + have, sizeof line - 1 - have);
    if (n <= 0)
      break;
    have += (gsize) n;
  }
  line[have] = '\0';
  g_strchomp(line);
  if (g_str_equal(line, "ready"))
    return TRUE;
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "the capture relay did not start: %s",
              g_str_has_prefix(line, "error ") ? line + 6
                                                : line[0] != '\0' ? line : "no answer");
  return FALSE;
}

static gboolean
save_state(const VgwInstance *inst, const char *out, VgwCapturePorts ports, int relay_pid,
           GError **error)
{
  g_autofree char *path = g_build_filename(inst->dir, "capture.json", NULL);
  g_autoptr(JsonBuilder) b = json_builder_new();
  g_autoptr(JsonGenerator) gen = json_generator_new();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "out");
  json_builder_add_string_value(b, out);
  json_builder_set_member_name(b, "ports");
  json_builder_add_string_value(b, ports_name(ports));
  json_builder_set_member_name(b, "relay_pid");
  json_builder_add_int_value(b, relay_pid);
  json_builder_set_member_name(b, "started_unix");
  json_builder_add_int_value(b, g_get_real_time() / G_USEC_PER_SEC);
  json_builder_end_object(b);
  root = json_builder_get_root(b);
  json_generator_set_root(gen, root);
  text = json_generator_to_data(gen, NULL);
  return g_file_set_contents(path, text, -1, error);
}

gboolean
vgw_capture_launch(const VgwInstance *inst, const char *out, VgwCapturePorts ports,
                   GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) local = NULL;
  g_autofree char *self = g_file_read_link("/proc/self/exe", NULL);
  g_autofree char *abs_out = g_canonicalize_filename(out, NULL);
  g_autofree char *log_path = g_build_filename(inst->dir, "capture.log", NULL);
  g_autofree char *state = g_build_filename(inst->dir, "capture.json", NULL);
  int pipe_fds[2], log_fd;
  const char *argv[12];
  int n = 0;

  if (g_file_test(state, G_FILE_TEST_EXISTS)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "a capture is already running on gateway '%s' (vgw capture stop --name %s)",
                inst->name, inst->name);
    return FALSE;
  }
  for (int i = 0; i < 2; i++) {
    const char *port = i == 0 ? "lan" : "wan";
    g_autofree char *fifo = fifo_path(inst, port);
    if (!(ports & (i == 0 ? VGW_CAPTURE_LAN : VGW_CAPTURE_WAN)))
      continue;
    g_unlink(fifo);
    if (mkfifo(fifo, 0600) != 0) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot create %s: %s", fifo,
                  g_strerror(errno));
      return FALSE;
    }
  }
  if (self == NULL || pipe(pipe_fds) != 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot start the capture relay: %s",
                g_strerror(errno));
    return FALSE;
  }
  log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd >= 0) {
    g_subprocess_launcher_take_stdout_fd(launcher, dup(log_fd));
    g_subprocess_launcher_take_stderr_fd(launcher, log_fd);
  }
  g_subprocess_launcher_take_fd(launcher, pipe_fds[1], 3);
  g_subprocess_launcher_set_child_setup(launcher, relay_setup, NULL, NULL);
  argv[n++] = self;
  argv[n++] = "capture";
  argv[n++] = "_relay";
  argv[n++] = "--dir";
  argv[n++] = inst->dir;
  argv[n++] = "--out";
  argv[n++] = abs_out;
  argv[n++] = "--ports";
  argv[n++] = ports_name(ports);
  argv[n++] = "--ready-fd";
  argv[n++] = "3";
  argv[n] = NULL;
  proc = g_subprocess_launcher_spawnv(launcher, argv, &local);
  if (proc == NULL) {
    close(pipe_fds[0]);
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot start the capture relay: %s",
                local->message);
    return FALSE;
  }
  if (!wait_ready(pipe_fds[0], error)) {
    close(pipe_fds[0]);
    g_subprocess_force_exit(proc);
    return FALSE;
  }
  close(pipe_fds[0]);
  return save_state(inst, abs_out, ports,
                    atoi(g_subprocess_get_identifier(proc) ? g_subprocess_get_identifier(proc) : "0"),
                    error);
}

gboolean
vgw_capture_boot(VgwInstance *inst, const char *out, GError **error)
{
  g_auto(GStrv) extra = NULL;
  GPtrArray *argv;
  g_autofree char *state = g_build_filename(inst->dir, "capture.json", NULL);

  /* A capture of an earlier run of this gateway ended with it. */
  g_unlink(state);
  if (!vgw_capture_launch(inst, out, VGW_CAPTURE_ALL, error))
    return FALSE;
  extra = vgw_capture_qemu_args(inst, VGW_CAPTURE_ALL);
  argv = g_ptr_array_new();
  for (char **a = inst->qemu_argv; a != NULL && *a != NULL; a++)
    g_ptr_array_add(argv, g_strdup(*a));
  for (char **a = extra; *a != NULL; a++)
    g_ptr_array_add(argv, g_strdup(*a));
  g_ptr_array_add(argv, NULL);
  g_strfreev(inst->qemu_argv);
  inst->qemu_argv = (char **) g_ptr_array_free(argv, FALSE);
  return TRUE;
}
