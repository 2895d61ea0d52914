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

G_END_DECLS

#endif /* VGW_SCENARIO_H */
