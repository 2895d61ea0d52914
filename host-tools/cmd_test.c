/* vgw test: run regression scenarios, each on its own clone of one
 * freshly booted gateway (with --record, on a gateway of its own booted
 * under QEMU's record/replay; with --no-gateway, scenarios that start
 * their own), N at a time, and report them as JUnit and, with --tap, as
 * one TAP stream.
 *
 * The gateways are driven by running this same `vgw` binary (up,
 * snapshot, down), exactly as a user would, so a scenario sees nothing a
 * user's script would not.  Jobs run on a GThreadPool of --jobs threads:
 * each job only spawns processes and waits for them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "instance.h"
#include "junit.h"
#include "replay.h"
#include "scenario.h"
#include "vgw-error.h"

#define STDERR_TAIL_LINES 20

typedef struct {
  char *vgw;          /* this binary */
  char *prefix;       /* of the gateways' and the snapshot's names */
  char *seed;         /* decimal, or NULL: --no-gateway without --seed */
  char *record;       /* --record's directory, absolute, or NULL */
  guint timeout_s;    /* each scenario's time limit */
  gboolean no_gateway;
  gboolean tap;
  GMutex lock;        /* guards done, tap_checks and stdout */
  guint done, total;
  guint tap_checks;   /* the TAP stream's last check number */
} TestRun;

typedef struct {
  TestRun *run;
  char *scenario;
  char *clone;        /* the scenario's gateway */
  char *recording;    /* --record: its recording directory, or NULL */
  VgwJunitCase *result;
} Job;

gboolean
vgw_test_check(gpointer data, GError **error)
{
  VgwTestOptions *opts = data;

  if (opts->record != NULL && opts->no_gateway) {
    /* There is no gateway of the runner's to record. */
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "--record takes no --no-gateway");
    return FALSE;
  }
  if (opts->seed_text == NULL) {
    /* The scenarios' own gateways are theirs to seed. */
    if (opts->no_gateway)
      return TRUE;
    /* Every run is seeded, so any failure can be rerun with its seed. */
    opts->seed_text = g_strdup_printf("%u", g_random_int_range(0, G_MAXINT32));
  }
  return vgw_seed_parse(opts->seed_text, &opts->seed, error);
}

/* run_vgw runs `vgw ARGS...` (NULL-terminated) with stdin from
 * /dev/null; FALSE with VGW_ERROR_FAILED carrying its stderr's first line
 * (vgw's one-line reason) unless it exits 0.  |err_out| (may be NULL) gets all of its stderr. */
static gboolean
run_vgw(const TestRun *run, char **err_out, GError **error, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autofree char *err = NULL;
  int status = 0;
  va_list ap;

  g_ptr_array_add(argv, run->vgw);
  va_start(ap, error);
  for (char *a = va_arg(ap, char *); a != NULL; a = va_arg(ap, char *))
    g_ptr_array_add(argv, a);
  va_end(ap);
  g_ptr_array_add(argv, NULL);
  if (!g_spawn_sync(NULL, (char **) argv->pdata, NULL,
                    G_SPAWN_STDIN_FROM_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                    NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status(status, NULL)) {
    const char *reason = g_str_has_prefix(err, "vgw: ") ? err + strlen("vgw: ") : err;
    g_autofree char *first = g_strndup(reason, strcspn(reason, "\n"));
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "vgw %s failed: %s", (char *) argv->pdata[1],
                first[0] != '\0' ? first : "no message");
    if (err_out != NULL)
      *err_out = g_steal_pointer(&err);
    return FALSE;
  }
  if (err_out != NULL)
    *err_out = g_steal_pointer(&err);
  return TRUE;
}

/* up_gateway starts gateway |name| detached on free ports: a clone of
 * |snapshot|, or (|snapshot| NULL) booted with the run's seed and, when
 * |recording| is not NULL, recorded into that new directory. */
static gboolean
up_gateway(const TestRun *run, const char *name, const char *snapshot, const char *recording,
           char **up_err, GError **error)
{
  /* A NULL ends run_vgw's arguments: no --record without |recording|. */
  return run_vgw(run, up_err, error, "up", "--name", name, "--detach", "--sip-port", "0",
                 "--sip-tls-port", "0", snapshot != NULL ? "--from" : "--seed",
                 snapshot != NULL ? snapshot : run->seed, recording != NULL ? "--record" : NULL,
                 recording, NULL);
}

static char *
tail_lines(const char *text, guint n)
{
  g_auto(GStrv) lines = g_strsplit(text != NULL ? text : "", "\n", -1);
  guint len = g_strv_length(lines);

  while (len > 0 && lines[len - 1][0] == '\0')
    len--;
  GString *out = g_string_new(NULL);
  for (guint i = len > n ? len - n : 0; i < len; i++)
    g_string_append_printf(out, "%s\n", lines[i]);
  return g_string_free(out, FALSE);
}

/* scenario_environ: the caller's environment plus VGW, PATH, VGW_SEED
 * (when there is a seed) and the clone's endpoints (when there is a clone);
 * host-tools/README.md "vgw test" lists them. */
static char **
scenario_environ(const TestRun *run, const VgwInstance *clone)
{
  char **env = g_get_environ();
  g_autofree char *root = vgw_state_root();
  g_autofree char *bindir = g_path_get_dirname(run->vgw);
  const char *path = g_environ_getenv(env, "PATH");
  g_autofree char *new_path = g_strdup_printf("%s:%s", bindir, path != NULL ? path : "/usr/bin:/bin");
  struct { const char *name; char *value; } run_vars[] = {
    { "VGW", g_strdup(run->vgw) },
    { "PATH", g_strdup(new_path) },
    { "VGW_SEED", g_strdup(run->seed) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(run_vars); i++) {
    if (run_vars[i].value != NULL)
      env = g_environ_setenv(env, run_vars[i].name, run_vars[i].value, TRUE);
    g_free(run_vars[i].value);
  }
  if (clone == NULL)
    return env;

  struct { const char *name; char *value; } vars[] = {
    { "VGW_STATE_DIR", g_strdup(root) },
    { "VGW_NAME", g_strdup(clone->name) },
    { "VGW_SIP_PORT", g_strdup_printf("%u", clone->sip_port) },
    { "VGW_SIPS_PORT", g_strdup_printf("%u", clone->sip_tls_port) },
    { "VGW_RTP_PORT", g_strdup_printf("%u", clone->rtp_port) },
    /* A recording gateway has no maintenance socket (replay.h). */
    { "VGW_MAINT_SOCK", g_strdup(run->record != NULL ? "" : clone->maint_sock) },
    { "VGW_CONSOLE_LOG", g_strdup(clone->console_log) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(vars); i++) {
    env = g_environ_setenv(env, vars[i].name, vars[i].value, TRUE);
    g_free(vars[i].value);
  }
  return env;
}

/* run_scenario runs |job|'s scenario, against its running |clone| (NULL
 * with --no-gateway), and fills the verdict into job->result. */
static void
run_scenario(Job *job, const VgwInstance *clone)
{
  char *argv[] = { job->scenario, NULL };
  g_auto(GStrv) env = scenario_environ(job->run, clone);
  g_autoptr(GError) error = NULL;
  VgwJunitCase *tc = job->result;
  VgwScenarioRun res = { 0 };

  if (!vgw_scenario_execute(argv, env, job->run->timeout_s, &res, &error)) {
    tc->failure = g_strdup_printf("cannot run the scenario: %s", error->message);
    return;
  }
  g_autofree char *tap_failures = vgw_tap_failures(res.out);
  gboolean exited_ok = g_spawn_check_wait_status(res.wait_status, &error);
  tc->output = g_steal_pointer(&res.out);
  if (exited_ok && tap_failures == NULL) {
    vgw_scenario_run_clear(&res);
    return;
  }
  g_autofree char *err_tail = tail_lines(res.err, STDERR_TAIL_LINES);
  vgw_scenario_run_clear(&res);
  if (res.timed_out)
    tc->failure = g_strdup_printf("timed out after %u s (killed)", job->run->timeout_s);
  else if (!exited_ok)
    tc->failure = g_strdup_printf("scenario %s", error->message);
  else
    tc->failure = g_strdup("TAP reports a failed check");
  g_autofree char *kept = clone == NULL ? g_strdup("")
    : g_strdup_printf("--- gateway '%s' kept in %s\n", clone->name, clone->dir);
  tc->details = g_strdup_printf("%s--- stderr (last %u lines) ---\n%s%s",
                                tap_failures != NULL ? tap_failures : "", STDERR_TAIL_LINES,
                                err_tail, kept);
}

/* print_tap_result appends |tc|'s checks to the run's TAP stream: its
 * own, a check of its own for a failure none of them shows (a crash, a
 * time limit), one for a passed scenario that printed none, and the
 * failure's details as comments. */
static void
print_tap_result(TestRun *run, const VgwJunitCase *tc)
{
  g_autoptr(GString) out = g_string_new(NULL);
  guint failed = 0;

  g_string_append_printf(out, "# scenario %u/%u %s (%.1f s)\n", run->done, run->total, tc->name,
                         tc->seconds);
  guint checks = vgw_tap_append(out, tc->output, &run->tap_checks, &failed);
  if (tc->failure != NULL && failed == 0)
    g_string_append_printf(out, "not ok %u - %s: %s\n", ++run->tap_checks, tc->name, tc->failure);
  else if (tc->failure == NULL && checks == 0)
    g_string_append_printf(out, "ok %u - %s exited 0\n", ++run->tap_checks, tc->name);
  if (tc->failure != NULL && tc->details != NULL) {
    g_auto(GStrv) lines = g_strsplit(tc->details, "\n", -1);
    for (char **l = lines; *l != NULL; l++) {
      if ((*l)[0] != '\0')
        g_string_append_printf(out, "# %s\n", *l);
    }
  }
  fputs(out->str, stdout);
}

/* name_recording adds to a failed scenario's failure, and to its details
 * (which a TAP stream shows when the scenario's own checks show the
 * failure), the command that replays its recording, or why there is
 * none to replay. */
static void
name_recording(Job *job)
{
  VgwJunitCase *tc = job->result;
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  char *text;
  guint64 end;

  if (vgw_replay_end_icount(job->recording, &end, &error))
    note = g_strdup_printf("replay it: vgw up --replay %s --name %s-replay", job->recording,
                           job->clone);
  else
    note = g_strdup_printf("no recording to replay in %s: %s", job->recording, error->message);
  text = g_strdup_printf("%s; %s", tc->failure, note);
  g_free(tc->failure);
  tc->failure = text;
  text = g_strdup_printf("%s--- %s\n", tc->details != NULL ? tc->details : "", note);
  g_free(tc->details);
  tc->details = text;
}

static void
run_job(gpointer data, gpointer user_data)
{
  Job *job = data;
  TestRun *run = user_data;
  VgwJunitCase *tc = job->result;
  g_autofree char *up_err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VgwInstance) clone = NULL;
  gint64 start = g_get_monotonic_time();
  gboolean up = FALSE;

  if (run->no_gateway) {
    run_scenario(job, NULL);
  } else if (!(up = up_gateway(run, job->clone, run->record == NULL ? run->prefix : NULL,
                               job->recording, &up_err, &error))) {
    tc->failure = g_strdup_printf("the gateway did not start: %s", error->message);
    tc->details = g_steal_pointer(&up_err);
  } else if ((clone = vgw_instance_new(job->clone, &error)) == NULL ||
             !vgw_instance_load(clone, &error)) {
    tc->failure = g_strdup_printf("cannot read the clone: %s", error->message);
  } else {
    run_scenario(job, clone);
  }
  /* Not an error when it fails: the clone may not have started, and a
   * scenario may stop its gateway itself.  A recording's end.icount is
   * saved here. */
  if (!run->no_gateway)
    run_vgw(run, NULL, NULL, "down", "--name", job->clone, NULL);
  /* A failed scenario's clone stays for its console.log (named in the
   * failure), and its recording to be replayed; a passed one leaves
   * nothing behind. */
  if (tc->failure == NULL && clone != NULL)
    vgw_remove_flat_dir(clone->dir);
  if (tc->failure == NULL && job->recording != NULL)
    vgw_remove_flat_dir(job->recording);
  else if (job->recording != NULL && up)
    /* Not when the record did not start: DIR/SCENARIO may be another run's. */
    name_recording(job);
  tc->seconds = (g_get_monotonic_time() - start) / 1e6;

  g_mutex_lock(&run->lock);
  run->done++;
  if (run->tap)
    print_tap_result(run, tc);
  else
    printf("%s %u/%u - %s (%.1f s)%s%s\n", tc->failure == NULL ? "ok" : "not ok", run->done,
           run->total, tc->name, tc->seconds, tc->failure != NULL ? ": " : "",
           tc->failure != NULL ? tc->failure : "");
  fflush(stdout);
  g_mutex_unlock(&run->lock);
}

static void
remove_gateway_dir(const char *name)
{
  g_autoptr(VgwInstance) inst = vgw_instance_new(name, NULL);

  if (inst != NULL)
    vgw_remove_flat_dir(inst->dir);
}

/* boot_and_save boots the origin gateway with the run's seed and saves
 * it as the snapshot every clone starts from; the origin is stopped
 * again either way. */
static gboolean
boot_and_save(TestRun *run, GError **error)
{
  g_autofree char *origin = g_strdup_printf("%s-origin", run->prefix);
  gboolean ok;

  printf("%sbooting gateway '%s' (seed %s)\n", run->tap ? "# " : "", origin, run->seed);
  fflush(stdout);
  if (!up_gateway(run, origin, NULL, NULL, NULL, error))
    return FALSE;
  ok = run_vgw(run, NULL, error, "snapshot", "save", "--name", origin, run->prefix, NULL);
  run_vgw(run, NULL, NULL, "down", "--name", origin, NULL);
  if (ok)
    remove_gateway_dir(origin);
  return ok;
}

static void
job_free(Job *job)
{
  g_free(job->scenario);
  g_free(job->clone);
  g_free(job->recording);
  g_free(job);
}

gboolean
vgw_test_run(gconstpointer data, GError **error)
{
  const VgwTestOptions *opts = data;
  g_auto(GStrv) scenarios = vgw_scenarios_find(opts->paths, error);
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func((GDestroyNotify) vgw_junit_case_free);
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func((GDestroyNotify) job_free);
  g_autoptr(GHashTable) properties = g_hash_table_new(g_str_hash, g_str_equal);
  TestRun run = { 0 };
  guint failed = 0;

  if (scenarios == NULL)
    return FALSE;
  run.vgw = g_file_read_link("/proc/self/exe", error);
  if (run.vgw == NULL)
    return FALSE;
  run.prefix = g_strdup_printf("test%d", (int) getpid());
  if (opts->seed_text != NULL)
    run.seed = g_strdup_printf("%" G_GUINT64_FORMAT, opts->seed.value);
  run.total = g_strv_length(scenarios);
  run.timeout_s = opts->timeout_s;
  run.no_gateway = opts->no_gateway;
  run.tap = opts->tap;
  if (opts->record != NULL)
    run.record = g_canonicalize_filename(opts->record, NULL);
  g_mutex_init(&run.lock);
  /* Clones of one saved gateway, unless each scenario boots its own. */
  gboolean snapshot = !run.no_gateway && run.record == NULL;

  g_autofree char *seed_note = run.seed != NULL ? g_strdup_printf(" (seed %s)", run.seed)
                                                : g_strdup("");
  gboolean ok = !snapshot || boot_and_save(&run, error);
  if (ok) {
    GThreadPool *pool = g_thread_pool_new(run_job, &run, opts->jobs, TRUE, NULL);
    for (guint i = 0; scenarios[i] != NULL; i++) {
      Job *job = g_new0(Job, 1);
      job->run = &run;
      job->scenario = g_strdup(scenarios[i]);
      job->clone = g_strdup_printf("%s-%u", run.prefix, i + 1);
      job->result = g_new0(VgwJunitCase, 1);
      job->result->name = g_path_get_basename(scenarios[i]);
      if (run.record != NULL)
        job->recording = g_build_filename(run.record, job->result->name, NULL);
      g_ptr_array_add(cases, job->result);
      g_ptr_array_add(jobs, job);
      g_thread_pool_push(pool, job, NULL);
    }
    g_thread_pool_free(pool, FALSE, TRUE);
    if (snapshot)
      run_vgw(&run, NULL, NULL, "snapshot", "delete", run.prefix, NULL);
  }

  if (ok) {
    for (guint i = 0; i < cases->len; i++)
      failed += ((VgwJunitCase *) g_ptr_array_index(cases, i))->failure != NULL;
    if (run.tap)
      printf("1..%u\n# ", run.tap_checks);
    printf("%u passed, %u failed%s\n", cases->len - failed, failed, seed_note);
    if (run.seed != NULL)
      g_hash_table_insert(properties, "seed", run.seed);
    if (opts->junit != NULL)
      ok = vgw_junit_write(opts->junit, "vgw", cases, properties, error);
    if (ok && failed > 0) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%u of %u scenarios failed%s",
                  failed, cases->len, seed_note);
      ok = FALSE;
    }
  }
  g_mutex_clear(&run.lock);
  g_free(run.vgw);
  g_free(run.prefix);
  g_free(run.seed);
  g_free(run.record);
  return ok;
}
