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

/* A logged-in session for several requests in a row (an upload needs
 * upload-begin, upload-chunk... and ini-load on one login). */
typedef struct VgwMaintSession VgwMaintSession;

/* vgw_maint_session_open connects and logs in; errors as
 * vgw_maint_request. */
VgwMaintSession *vgw_maint_session_open(const VgwMaintTarget *target,
                                        GError **error);

/* vgw_maint_session_request sends |argv| and returns the reply's object;
 * an error reply is "<verb>: <the firmware's error>".  |timeout_s| 0 uses
 * the session's. */
JsonObject *vgw_maint_session_request(VgwMaintSession *s,
                                      const char *const *argv,
                                      guint timeout_s, GError **error);

/* vgw_maint_session_close logs out (without waiting long) and frees |s|;
 * NULL is ignored. */
void vgw_maint_session_close(VgwMaintSession *s);

/* vgw_maint_parse_reply_line splits a reply line "@<id> ok|error <json>"
 * of any length (the firmware's ini-export reply can exceed the request
 * line limit); FALSE for anything else. */
gboolean vgw_maint_parse_reply_line(const char *line, char **id, gboolean *ok,
                                    char **json);

/* VGW_MAINT_REPLY_MAX bounds one reply line (an export of a 1 MiB
 * configuration, JSON-escaped). */
#define VGW_MAINT_REPLY_MAX (8 * 1024 * 1024)

/* vgw_maint_new_id returns a fresh request id unique to this process. */
char *vgw_maint_new_id(void);

G_END_DECLS

#endif /* VGW_MAINT_H */
