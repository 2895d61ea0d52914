/*
 * Maintenance-port client (docs/maintenance-protocol.md, machine mode).
 *
 * One call is one session: connect to maint.sock, log in, send the
 * request, read its reply, log out, disconnect.  The firmware ends its
 * session whenever a client connects or hangs up (the line shows a break),
 * so every session starts with its own login, after a bare newline that
 * ends whatever partial line an earlier client left.  Request ids are
 * unique per process and session (a random nonce and a counter); lines
 * that are not the reply to our id (console-style text, prompts, echoes,
 * a late reply to an earlier client) are skipped.  A login that is not
 * answered is sent again every VGW_MAINT_LOGIN_RESEND_S seconds: a
 * firmware that is starting drops what reached the UART before it
 * opened it.  Every wait is bounded by the timeout.
 *
 * Concurrency: QEMU serves one maint.sock client at a time.  vgw
 * commands queue among themselves on an flock of maint.lock next to the
 * socket (waiting up to the timeout, with a note on stderr); a client
 * that is not vgw (a socat left open) is detected before connecting and
 * refused at once with VGW_ERROR_BUSY, naming its pid and command
 * (sockpeer.h).
 * Framing comes from the firmware's mgmt_proto library, so both sides
 * split and quote lines the same way.
 */
#ifndef VGW_MAINT_H
#define VGW_MAINT_H

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VGW_MAINT_DEFAULT_TIMEOUT_S 10
#define VGW_MAINT_LOGIN_RESEND_S 3
/* The lock file vgw commands queue on, in the socket's directory. */
#define VGW_MAINT_LOCK_NAME "maint.lock"

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
 *   "maintenance port is still in use by another vgw (pid P) after S s"
 *      (VGW_ERROR_TIMEOUT)
 *   "maintenance port is in use by pid P (COMMAND); ..." (VGW_ERROR_BUSY)
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

/* vgw_maint_new_id returns a fresh request id: a per-process random nonce
 * and a counter, so neither a later request of ours nor another
 * process's can take the id of a reply still in flight. */
char *vgw_maint_new_id(void);

G_END_DECLS

#endif /* VGW_MAINT_H */
