/*
 * The maintenance-port session: login state and the dispatch of
 * docs/maintenance-protocol.md's verbs from the verb registry
 * (mgmt_verb.h), in machine mode ("@id verb args") and in the minimal
 * human mode (`vgw> ` prompt). No I/O: received bytes go in, and each
 * complete line or break yields a VgwMgmtResult that the port
 * (mgmt_port.h) writes out and acts on, so the whole dialogue is
 * unit-testable.
 *
 * A session ends on logout, on a new login, after VGW_MGMT_SESSION_IDLE_US
 * without a request, and when the host side connects or hangs up (a break,
 * received as a NUL byte): the login is gone, and every verb set drops
 * what it kept for the session (an unfinished upload).
 */
#ifndef VGW_MGMT_SESSION_H
#define VGW_MGMT_SESSION_H

#include <glib.h>

#include "mgmt/mgmt_status.h"
#include "mgmt/mgmt_verb.h"

G_BEGIN_DECLS

/* VGW_MGMT_SESSION_IDLE_US ends a session after 300 s without a request. */
#define VGW_MGMT_SESSION_IDLE_US (300 * G_USEC_PER_SEC)

/* VGW_MGMT_LOGIN_FAIL_DELAY_MS delays the answer to a failed login. */
#define VGW_MGMT_LOGIN_FAIL_DELAY_MS 1000

typedef struct {
  char *output;          /* text to write, "\n"-terminated lines and/or a
                          * prompt; never NULL after handle_line/next */
  gboolean machine;      /* output is a machine-mode reply line, which must
                          * start at the beginning of a line */
  gboolean hangup;       /* the host side went away: output still queued
                          * for it must be dropped */
  guint delay_ms;        /* write the output only after this delay, and
                          * read no further input meanwhile */
  VgwMgmtAction action;  /* perform after the output has been sent */
} VgwMgmtResult;

/* VgwMgmtStatusFunc fills |out| with the current status. Strings it points
 * to must stay valid until the function is called again. */
typedef void (*VgwMgmtStatusFunc)(VgwStatus *out, gpointer user_data);

typedef struct VgwMgmtSession VgwMgmtSession;

/* vgw_mgmt_session_new returns a logged-out session that accepts the user
 * name |user| with the password whose stored form (param_secret.h) is
 * |password_hash|, and reports status through |status|. It answers login,
 * logout, status, help, debug watchdog-stall and debug crash itself. */
VgwMgmtSession *vgw_mgmt_session_new(const char *user,
                                     const char *password_hash,
                                     VgwMgmtStatusFunc status,
                                     gpointer user_data);

/* vgw_mgmt_session_add_verbs makes the verbs of |set| (static, not owned)
 * available, called with |data|. Help lists them in the order added. A
 * verb name must not be in two sets. */
void vgw_mgmt_session_add_verbs(VgwMgmtSession *s, const VgwMgmtVerbSet *set,
                                gpointer data);

/* vgw_mgmt_session_set_credentials replaces the accepted user name and
 * stored password (the MaintenanceUserName/MaintenancePassword
 * parameters); a session already logged in stays so. */
void vgw_mgmt_session_set_credentials(VgwMgmtSession *s, const char *user,
                                      const char *password_hash);

/* vgw_mgmt_session_free releases |s|; NULL allowed. */
void vgw_mgmt_session_free(VgwMgmtSession *s);

/* vgw_mgmt_session_feed appends |len| received bytes (a NUL byte is a
 * break) for vgw_mgmt_session_next. */
void vgw_mgmt_session_feed(VgwMgmtSession *s, const char *data, gsize len);

/* vgw_mgmt_session_next handles the oldest complete line or break fed so
 * far at monotonic time |now_us|, fills |out| (released with
 * vgw_mgmt_result_clear) and returns TRUE; FALSE, with |out| zeroed, when
 * there is none. A break ends the session and answers nothing
 * (|out->hangup| set). */
gboolean vgw_mgmt_session_next(VgwMgmtSession *s, gint64 now_us,
                               VgwMgmtResult *out);

/* vgw_mgmt_session_handle_line processes one received line (without its
 * "\n") at monotonic time |now_us| and fills |out|, which the caller
 * releases with vgw_mgmt_result_clear. |too_long| says the line went past
 * VGW_MGMT_LINE_MAX and holds only its beginning: it is answered with an
 * error. Failed logins are logged (user name only) with g_message. */
void vgw_mgmt_session_handle_line(VgwMgmtSession *s, const char *line,
                                  gboolean too_long, gint64 now_us,
                                  VgwMgmtResult *out);

/* vgw_mgmt_session_logged_in reports whether a login is in force at
 * |now_us| (the idle timeout is applied, and ends the session). */
gboolean vgw_mgmt_session_logged_in(VgwMgmtSession *s, gint64 now_us);

/* vgw_mgmt_result_clear frees what |r| owns and zeroes it. */
void vgw_mgmt_result_clear(VgwMgmtResult *r);

G_END_DECLS

#endif /* VGW_MGMT_SESSION_H */
