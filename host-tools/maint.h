/*
 * Maintenance-port client (docs/maintenance-protocol.md, machine mode).
 *
 * One call is one session: connect to maint.sock, log in, send the
 * request, read its reply, log out, disconnect.  Lines that are not the
 * reply to our id (console-style text, prompts, echoes, replies to
 * someone else) are skipped.  Every wait is bounded by the timeout.
 * Framing comes from the firmware's mgmt_proto library, so both sides
 * split and quote lines the same way.
 */
#ifndef VGW_MAINT_H
#define VGW_MAINT_H

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VGW_MAINT_DEFAULT_TIMEOUT_S 10

typedef struct {
  const char *socket_path;
  const char *user;     /* NULL: $VGW_USER, else "Admin" */
  const char *password; /* NULL: $VGW_PASSWORD, else "Admin" */
  guint timeout_s;      /* 0: VGW_MAINT_DEFAULT_TIMEOUT_S, per reply */
} VgwMaintTarget;

/* vgw_maint_request sends the request |argv| (argv[0] is the verb) and
 * returns the reply's JSON object.  Failures, all VGW_ERROR_FAILED or
 * VGW_ERROR_TIMEOUT with one-line messages:
 *   "maintenance port did not answer within 10 s"
 *   "maintenance port login failed for user 'U'"
 *   "<verb>: <the firmware's error>" for an error reply. */
JsonObject *vgw_maint_request(const VgwMaintTarget *target,
                              const char *const *argv, GError **error);

/* vgw_maint_new_id returns a fresh request id unique to this process. */
char *vgw_maint_new_id(void);

G_END_DECLS

#endif /* VGW_MAINT_H */
