/*
 * A JUnit XML report, the form CI systems read: one <testsuite> with a
 * <testcase> per test, a <failure> in each failed one, and properties
 * (the seed a run used, for example) on the suite.
 */
#ifndef VGW_JUNIT_H
#define VGW_JUNIT_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *name;
  double seconds;
  char *failure;  /* NULL: passed; else the failure's one-line message */
  char *details;  /* the failure's text (TAP lines, stderr tail), or NULL */
  char *output;   /* what the test printed, for <system-out>, or NULL */
} VgwJunitCase;

void vgw_junit_case_free(VgwJunitCase *tc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgwJunitCase, vgw_junit_case_free)

/* vgw_junit_render returns the report's XML for the suite |suite| of
 * |cases| (VgwJunitCase *), with |properties| (name -> value, may be
 * NULL) on the suite.  Characters XML 1.0 cannot carry become U+FFFD. */
char *vgw_junit_render(const char *suite, GPtrArray *cases, GHashTable *properties);

/* vgw_junit_write writes vgw_junit_render's report to |path| atomically;
 * VGW_ERROR_FAILED "cannot write PATH: why". */
gboolean vgw_junit_write(const char *path, const char *suite, GPtrArray *cases,
                         GHashTable *properties, GError **error);

G_END_DECLS

#endif /* VGW_JUNIT_H */
