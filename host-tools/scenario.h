/*
 * Regression scenarios for `vgw test` (host-tools/README.md "vgw test"):
 * executable files whose exit status and TAP lines give the verdict.
 */
#ifndef VGW_SCENARIO_H
#define VGW_SCENARIO_H

#include <glib.h>

G_BEGIN_DECLS

/* vgw_scenarios_find returns the scenarios |paths| name (NULL-terminated;
 * g_strfreev it): a file as given, a directory's executable regular files
 * whose names do not start with '.', sorted by name (not recursive).
 * Fails with VGW_ERROR_USAGE for a path that does not exist, a file given
 * by name that is not executable, and when no scenario is found. */
char **vgw_scenarios_find(char *const *paths, GError **error);

/* vgw_tap_failures returns the failing TAP lines of |tap| ("not ok" that
 * is not "# TODO", and "Bail out!"), each ending in '\n', or NULL when
 * there are none. */
char *vgw_tap_failures(const char *tap);

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
