#include "scenario.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgw-error.h"

static gboolean
is_executable_file(const char *path)
{
  struct stat st;

  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

static int
compare_paths(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static gboolean
add_directory(GPtrArray *found, const char *dir, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) d = g_dir_open(dir, 0, &local);
  g_autoptr(GPtrArray) here = g_ptr_array_new();
  const char *entry;

  if (d == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s: %s", dir, local->message);
    return FALSE;
  }
  while ((entry = g_dir_read_name(d)) != NULL) {
    char *path = g_build_filename(dir, entry, NULL);
    if (entry[0] != '.' && is_executable_file(path))
      g_ptr_array_add(here, path);
    else
      g_free(path);
  }
  g_ptr_array_sort(here, compare_paths);
  for (guint i = 0; i < here->len; i++)
    g_ptr_array_add(found, g_ptr_array_index(here, i));
  return TRUE;
}

char **
vgw_scenarios_find(char *const *paths, GError **error)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func(g_free);

  for (char *const *p = paths; p != NULL && *p != NULL; p++) {
    if (g_file_test(*p, G_FILE_TEST_IS_DIR)) {
      if (!add_directory(found, *p, error))
        return NULL;
    } else if (!g_file_test(*p, G_FILE_TEST_EXISTS)) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s: no such file or directory", *p);
      return NULL;
    } else if (!is_executable_file(*p)) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                  "%s: not an executable file (a scenario is run as a program)", *p);
      return NULL;
    } else {
      /* Absolute: a bare "run.sh" would be looked up in PATH. */
      g_ptr_array_add(found, g_canonicalize_filename(*p, NULL));
    }
  }
  if (found->len == 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "no scenario found (executable files)");
    return NULL;
  }
  g_ptr_array_set_free_func(found, NULL);
  g_ptr_array_add(found, NULL);
  return (char **) g_ptr_array_free(g_steal_pointer(&found), FALSE);
}

static gboolean
is_tap_failure(const char *line)
{
  if (g_str_has_prefix(line, "Bail out!"))
    return TRUE;
  if (!g_str_has_prefix(line, "not ok"))
    return FALSE;
  /* "not ok N - what # TODO why" is an expected failure. */
  const char *directive = strchr(line, '#');
  if (directive == NULL)
    return TRUE;
  directive++;
  while (*directive == ' ' || *directive == '\t')
    directive++;
  return g_ascii_strncasecmp(directive, "TODO", 4) != 0;
}

char *
vgw_tap_failures(const char *tap)
{
  g_auto(GStrv) lines = g_strsplit(tap != NULL ? tap : "", "\n", -1);
  GString *out = g_string_new(NULL);

  for (char **l = lines; *l != NULL; l++) {
    if (is_tap_failure(*l))
      g_string_append_printf(out, "%s\n", *l);
  }
  if (out->len == 0) {
    g_string_free(out, TRUE);
    return NULL;
  }
  return g_string_free(out, FALSE);
}

/* The text after "ok"/"not ok" and its number, if |line| is a check. */
static const char *
tap_check_rest(const char *line)
{
  const char *rest;

  if (g_str_has_prefix(line, "not ok"))
    rest = line + strlen("not ok");
  else if (g_str_has_prefix(line, "ok"))
    rest = line + strlen("ok");
  else
    return NULL;
  /* "okay" is no check: the word must end there. */
  if (*rest != '\0' && *rest != ' ' && *rest != '\t')
    return NULL;
  while (*rest == ' ' || *rest == '\t')
    rest++;
  while (g_ascii_isdigit(*rest))
    rest++;
  while (*rest == ' ' || *rest == '\t')
    rest++;
  return rest;
}

guint
vgw_tap_append(GString *out, const char *tap, guint *number, guint *failed)
{
  g_auto(GStrv) lines = g_strsplit(tap != NULL ? tap : "", "\n", -1);
  guint appended = 0;

  *failed = 0;
  for (char **l = lines; *l != NULL; l++) {
    const char *rest = tap_check_rest(*l);
    if (rest != NULL) {
      g_string_append_printf(out, "%s %u%s%s\n", g_str_has_prefix(*l, "not ok") ? "not ok" : "ok",
                             ++*number, rest[0] != '\0' ? " " : "", rest);
      *failed += is_tap_failure(*l);
      appended++;
    } else if ((*l)[0] == '#') {
      g_string_append_printf(out, "%s\n", *l);
    } else if ((*l)[0] != '\0') {
      g_string_append_printf(out, "# %s\n", *l);
    }
  }
  return appended;
}

void
vgw_scenario_run_clear(VgwScenarioRun *run)
{
  g_clear_pointer(&run->out, g_free);
  g_clear_pointer(&run->err, g_free);
}

typedef struct {
  GMainLoop *loop;
  GPid pgid;
  GBytes *out, *err;
  GError *error;
  gboolean timed_out;
  guint pending;  /* of the output's end and the exit */
} Waiting;

/* In the child, before exec: a process group of its own, and its pid
 * (the group's id) told to the parent through the pipe |data|, since
 * GSubprocess forgets the pid of a child it has reaped already. */
static void
new_process_group(gpointer data)
{
  pid_t self = getpid();

  setpgid(0, 0);
  if (write(GPOINTER_TO_INT(data), &self, sizeof(self)) != sizeof(self))
    _exit(127);
}

static void
on_communicated(GObject *proc, GAsyncResult *res, gpointer data)
{
  Waiting *w = data;

  g_subprocess_communicate_finish(G_SUBPROCESS(proc), res, &w->out, &w->err, &w->error);
  if (--w->pending == 0)
    g_main_loop_quit(w->loop);
}

static void
on_exited(GObject *proc, GAsyncResult *res, gpointer data)
{
  Waiting *w = data;

  g_subprocess_wait_finish(G_SUBPROCESS(proc), res, NULL);
  if (--w->pending == 0)
    g_main_loop_quit(w->loop);
}

static gboolean
on_time_limit(gpointer data)
{
  Waiting *w = data;

  w->timed_out = TRUE;
  kill(-w->pgid, SIGKILL);
  return G_SOURCE_REMOVE;
}

static char *
bytes_to_string(GBytes *bytes)
{
  gsize len = 0;
  const char *data = bytes != NULL ? g_bytes_get_data(bytes, &len) : NULL;

  return g_strndup(data != NULL ? data : "", len);
}

gboolean
vgw_scenario_execute(char *const *argv, char *const *env, guint timeout_s,
                     VgwScenarioRun *run, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GMainContext) ctx = g_main_context_new();
  g_autoptr(GSubprocess) proc = NULL;
  Waiting w = { 0 };

  g_subprocess_launcher_set_environ(launcher, (char **) env);
  int pid_pipe[2];
  if (!g_unix_open_pipe(pid_pipe, FD_CLOEXEC, error))
    return FALSE;
  g_subprocess_launcher_set_child_setup(launcher, new_process_group,
                                        GINT_TO_POINTER(pid_pipe[1]), NULL);
  /* This thread's own loop: the runner waits for several scenarios at
   * once, one per thread. */
  g_main_context_push_thread_default(ctx);
  proc = g_subprocess_launcher_spawnv(launcher, (const char *const *) argv, error);
  close(pid_pipe[1]);
  pid_t pgid = 0;
  gboolean told = proc != NULL && read(pid_pipe[0], &pgid, sizeof(pgid)) == sizeof(pgid);
  close(pid_pipe[0]);
  if (proc == NULL || !told || pgid <= 0) {
    g_main_context_pop_thread_default(ctx);
    if (proc != NULL)
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "the scenario's pid did not arrive");
    return FALSE;
  }
  w.pgid = pgid;
  w.loop = g_main_loop_new(ctx, FALSE);
  GSource *limit = g_timeout_source_new_seconds(timeout_s);
  g_source_set_callback(limit, on_time_limit, &w, NULL);
  g_source_attach(limit, ctx);
  w.pending = 2;
  g_subprocess_communicate_async(proc, NULL, NULL, on_communicated, &w);
  g_subprocess_wait_async(proc, NULL, on_exited, &w);
  g_main_loop_run(w.loop);
  g_source_destroy(limit);
  g_source_unref(limit);
  g_main_loop_unref(w.loop);
  g_main_context_pop_thread_default(ctx);

  kill(-w.pgid, SIGKILL);
  run->out = bytes_to_string(w.out);
  run->err = bytes_to_string(w.err);
  run->wait_status = g_subprocess_get_status(proc);
  run->timed_out = w.timed_out;
  g_clear_pointer(&w.out, g_bytes_unref);
  g_clear_pointer(&w.err, g_bytes_unref);
  if (w.error != NULL) {
    /* The output could not be read: say so in it rather than lose the run. */
    g_autofree char *err = run->err;
    run->err = g_strdup_printf("%svgw test: reading the scenario's output: %s\n", err,
                               w.error->message);
    g_clear_error(&w.error);
  }
  return TRUE;
}
