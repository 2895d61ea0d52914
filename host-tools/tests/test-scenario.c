/* vgw test's pieces: finding scenarios, TAP verdicts, the JUnit report. */
#include <glib/gstdio.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>

#include "junit.h"
#include "scenario.h"
#include "vgw-error.h"

static void
test_tap_failures(void)
{
  g_autofree char *none = vgw_tap_failures("ok 1 - a\nnot ok 2 - b # TODO later\n1..2\n");
  g_autofree char *some = vgw_tap_failures("ok 1 - a\nnot ok 2 - b\n#   why\n"
                                           "not ok 3 - c # skip\nBail out! gone\n");

  g_assert_null(none);
  g_assert_cmpstr(some, ==, "not ok 2 - b\nnot ok 3 - c # skip\nBail out! gone\n");
  g_assert_null(vgw_tap_failures(NULL));
}

static void
test_tap_append(void)
{
  g_autoptr(GString) out = g_string_new(NULL);
  guint number = 4, failed = 99;

  /* Renumbered from 5; plans, bail-outs and stray output become comments. */
  guint n = vgw_tap_append(out, "1..3\nok 1 - a\nnot ok 2 - b # TODO later\n# note\n"
                           "okay, not a check\nok\nnot ok 7 - c\nBail out! gone\n\n",
                           &number, &failed);
  g_assert_cmpuint(n, ==, 4);
  g_assert_cmpuint(number, ==, 8);
  g_assert_cmpuint(failed, ==, 1);
  g_assert_cmpstr(out->str, ==,
                  "# 1..3\nok 5 - a\nnot ok 6 - b # TODO later\n# note\n"
                  "# okay, not a check\nok 7\nnot ok 8 - c\n# Bail out! gone\n");

  g_string_truncate(out, 0);
  g_assert_cmpuint(vgw_tap_append(out, NULL, &number, &failed), ==, 0);
  g_assert_cmpuint(number, ==, 8);
  g_assert_cmpuint(failed, ==, 0);
  g_assert_cmpstr(out->str, ==, "");
}

static char *
make_file(const char *dir, const char *name, int mode)
{
  char *path = g_build_filename(dir, name, NULL);

  g_assert_true(g_file_set_contents(path, "#!/bin/sh\n", -1, NULL));
  g_assert_cmpint(g_chmod(path, mode), ==, 0);
  return path;
}

static void
test_find(void)
{
  g_autofree char *dir = g_dir_make_tmp("vgw-scenario-XXXXXX", NULL);
  g_autofree char *b = make_file(dir, "b.sh", 0755);
  g_autofree char *a = make_file(dir, "a.py", 0755);
  g_autofree char *lib = make_file(dir, "lib.sh", 0644);
  g_autofree char *hidden = make_file(dir, ".x.sh", 0755);
  g_autoptr(GError) error = NULL;

  /* A directory: its executables, sorted; a file given: as it is. */
  char *in[] = { dir, a, NULL };
  g_auto(GStrv) found = vgw_scenarios_find(in, &error);
  g_assert_no_error(error);
  const char *want[] = { a, b, a, NULL };
  g_assert_cmpstrv(found, want);

  char *not_exec[] = { lib, NULL };
  g_assert_null(vgw_scenarios_find(not_exec, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_USAGE);
  g_assert_nonnull(strstr(error->message, "not an executable file"));
  g_clear_error(&error);

  /* A relative name is run as that file, not looked up in PATH. */
  g_autofree char *cwd = g_get_current_dir();
  g_assert_cmpint(g_chdir(dir), ==, 0);
  char *relative[] = { "a.py", NULL };
  g_auto(GStrv) found_relative = vgw_scenarios_find(relative, &error);
  g_assert_cmpint(g_chdir(cwd), ==, 0);
  g_assert_no_error(error);
  g_assert_cmpstr(found_relative[0], ==, a);

  g_autofree char *missing = g_build_filename(dir, "missing", NULL);
  char *gone[] = { missing, NULL };
  g_assert_null(vgw_scenarios_find(gone, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_USAGE);
  g_clear_error(&error);

  for (const char *p[] = { a, b, lib, hidden, NULL }, **q = p; *q != NULL; q++)
    g_unlink(*q);
  char *empty[] = { dir, NULL };
  g_assert_null(vgw_scenarios_find(empty, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_USAGE);
  g_rmdir(dir);
}

static void
test_junit(void)
{
  g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func((GDestroyNotify) vgw_junit_case_free);
  g_autoptr(GHashTable) props = g_hash_table_new(g_str_hash, g_str_equal);
  VgwJunitCase *pass = g_new0(VgwJunitCase, 1);
  VgwJunitCase *fail = g_new0(VgwJunitCase, 1);

  pass->name = g_strdup("ok.sh");
  pass->seconds = 1.5;
  pass->output = g_strdup("ok 1 - x\n");
  fail->name = g_strdup("bad<&>.sh");
  fail->seconds = 0.25;
  fail->failure = g_strdup("exit \"1\"");
  fail->details = g_strdup("not ok 1 - y\x01\xff\n");
  g_ptr_array_add(cases, pass);
  g_ptr_array_add(cases, fail);
  g_hash_table_insert(props, "seed", "42");

  g_autofree char *xml = vgw_junit_render("vgw", cases, props);
  g_assert_nonnull(strstr(xml, "<testsuite name=\"vgw\" tests=\"2\" failures=\"1\" errors=\"0\" "
                                "skipped=\"0\" time=\"1.750\">"));
  g_assert_nonnull(strstr(xml, "<property name=\"seed\" value=\"42\"/>"));
  g_assert_nonnull(strstr(xml, "name=\"bad&lt;&amp;&gt;.sh\""));
  g_assert_nonnull(strstr(xml, "<failure message=\"exit &quot;1&quot;\">not ok 1 - y\xef\xbf\xbd"));
  g_assert_nonnull(strstr(xml, "<system-out>ok 1 - x\n</system-out>"));
  /* A control character or a byte that is not UTF-8 never reaches the XML. */
  g_assert_null(strchr(xml, '\x01'));
  g_assert_true(g_utf8_validate(xml, -1, NULL));
}

static void
execute(const char *script, guint timeout_s, VgwScenarioRun *run)
{
  char *argv[] = { "/bin/sh", "-c", (char *) script, NULL };
  g_auto(GStrv) env = g_get_environ();
  g_autoptr(GError) error = NULL;

  g_assert_true(vgw_scenario_execute(argv, env, timeout_s, run, &error));
  g_assert_no_error(error);
}

static void
test_execute_output(void)
{
  VgwScenarioRun run = { 0 };

  execute("echo 'ok 1 - x'; echo why >&2; exit 3", 600, &run);
  g_assert_cmpstr(run.out, ==, "ok 1 - x\n");
  g_assert_cmpstr(run.err, ==, "why\n");
  g_assert_false(run.timed_out);
  g_assert_true(WIFEXITED(run.wait_status));
  g_assert_cmpint(WEXITSTATUS(run.wait_status), ==, 3);
  vgw_scenario_run_clear(&run);
}

static void
test_execute_time_limit(void)
{
  VgwScenarioRun run = { 0 };

  execute("echo started; exec sleep 600", 1, &run);
  g_assert_true(run.timed_out);
  g_assert_cmpstr(run.out, ==, "started\n");
  g_assert_true(WIFSIGNALED(run.wait_status));
  vgw_scenario_run_clear(&run);
}

/* gone: the process |pid| has ended (absent, or a zombie not yet reaped
 * by init). */
static gboolean
gone(int pid)
{
  g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
  g_autofree char *stat = NULL;

  if (!g_file_get_contents(path, &stat, NULL, NULL))
    return TRUE;
  const char *close = strrchr(stat, ')');
  return close != NULL && close[1] == ' ' && close[2] == 'Z';
}

static void
test_execute_kills_leftovers(void)
{
  VgwScenarioRun run = { 0 };

  /* A peer started in the background and left running. */
  execute("sleep 600 >/dev/null 2>&1 & echo $!", 600, &run);
  int pid = atoi(run.out);
  g_assert_cmpint(pid, >, 0);
  g_assert_true(WIFEXITED(run.wait_status));
  /* SIGKILL was sent before vgw_scenario_execute returned; its delivery
   * is asynchronous, so wait for it (bounded). */
  for (int i = 0; i < 1000 && !gone(pid); i++)
    g_usleep(10000);
  g_assert_true(gone(pid));
  vgw_scenario_run_clear(&run);
}

/* A scenario that ends at once may be reaped before its pid is read:
 * that must neither fail nor kill anything else (our own group). */
static void
test_execute_instant_exit(void)
{
  for (int i = 0; i < 200; i++) {
    VgwScenarioRun run = { 0 };
    execute("exit 0", 600, &run);
    g_assert_true(WIFEXITED(run.wait_status));
    g_assert_cmpint(WEXITSTATUS(run.wait_status), ==, 0);
    vgw_scenario_run_clear(&run);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/scenario/tap-failures", test_tap_failures);
  g_test_add_func("/scenario/tap-append", test_tap_append);
  g_test_add_func("/scenario/find", test_find);
  g_test_add_func("/scenario/junit", test_junit);
  g_test_add_func("/scenario/execute/output", test_execute_output);
  g_test_add_func("/scenario/execute/time-limit", test_execute_time_limit);
  g_test_add_func("/scenario/execute/kills-leftovers", test_execute_kills_leftovers);
  g_test_add_func("/scenario/execute/instant-exit", test_execute_instant_exit);
  return g_test_run();
}
