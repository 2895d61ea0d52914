/*
 * Regression scenarios for `vgw test` (host-tools/README.md "vgw test"):
 * executable files whose exit status and TAP lines give the verdict.
 */
#ifndef VGW_SCENARIO_H
#define VGW_SCENARIO_H

#include <glib.h>

G_BEGIN_DECLS

/* vgw_scenarios_find returns the scenarios |paths| name (NULL-terminated;
 * g_strfreev it): a file given, a directory's executable regular files
 * whose names do not start with '.', sorted by name (not recursive); a
 * file given by a relative name is made absolute, so that it is run as
 * that file and never looked up in PATH.
 * Fails with VGW_ERROR_USAGE for a path that does not exist, a file given
 * by name that is not executable, and when no scenario is found. */
char **vgw_scenarios_find(char *const *paths, GError **error);

/* vgw_tap_failures returns the failing TAP lines of |tap| ("not ok" that
 * is not "# TODO", and "Bail out!"), each ending in '\n', or NULL when
 * there are none. */
char *vgw_tap_failures(const char *tap);

/* vgw_tap_append appends the checks of |tap| (one scenario's stdout) to
 * |out|, one TAP stream made of several scenarios' checks: each "ok" and
 * "not ok" line renumbered from *|number| + 1 (its description and
 * directive kept), "#" lines as they are, and every other line (a plan,
 * "Bail out!", stray output) as a "# " comment, so that no scenario can
 * end or confuse the stream.  Advances *|number| by the checks appended,
 * stores in *|failed| how many of them are failures (as vgw_tap_failures
 * judges a line) and returns the number appended. */
guint vgw_tap_append(GString *out, const char *tap, guint *number, guint *failed);

/* What a scenario's run left: its output, how it ended. */
typedef struct {
  char *out;          /* stdout, NUL-terminated (may hold any bytes) */
  char *err;          /* stderr, likewise */
  int wait_status;    /* for g_spawn_check_wait_status */
  gboolean timed_out; /* killed after the time limit */
} VgwScenarioRun;

void vgw_scenario_run_clear(VgwScenarioRun *run);

/* vgw_scenario_execute runs |argv| with |env|, stdin from /dev/null, in
 * a process group of its own, collects its stdout and stderr and waits
 * for it to exit.  After |timeout_s| seconds the whole group is killed
 * (SIGKILL) and run->timed_out set.  Once it has exited, whatever it left
 * running in its group (a peer it started) is killed too.  FALSE only
 * when it cannot be started (the GError says why). */
gboolean vgw_scenario_execute(char *const *argv, char *const *env, guint timeout_s,
                              VgwScenarioRun *run, GError **error);

G_END_DECLS

#endif /* VGW_SCENARIO_H */
