/*
 * The maintenance-port session: login state and the verbs of
 * docs/maintenance-protocol.md, in machine mode ("@id verb args") and in
 * the minimal human mode (`vgw> ` prompt). No I/O: each input line yields
 * a VgwMgmtResult that the port (mgmt_port.h) writes out and acts on, so
 * the whole dialogue is unit-testable.
 */
#ifndef VGW_MGMT_SESSION_H
#define VGW_MGMT_SESSION_H

#include <glib.h>

#include "mgmt/mgmt_status.h"

G_BEGIN_DECLS

/* VGW_MGMT_SESSION_IDLE_US ends a session after 300 s without a request. */
#define VGW_MGMT_SESSION_IDLE_US (300 * G_USEC_PER_SEC)

/* VGW_MGMT_LOGIN_FAIL_DELAY_MS delays the answer to a failed login. */
#define VGW_MGMT_LOGIN_FAIL_DELAY_MS 1000

typedef enum {
  VGW_MGMT_ACTION_NONE,
  VGW_MGMT_ACTION_RESET,           /* reset the board via the sysctl */
  VGW_MGMT_ACTION_WATCHDOG_STALL,  /* hang the main loop for real */
  VGW_MGMT_ACTION_CRASH,           /* abort() */
} VgwMgmtAction;

typedef struct {
  char *output;          /* text to write, "\n"-terminated lines and/or a
                          * prompt; never NULL after handle_line */
  gboolean machine;      /* output is a machine-mode reply line, which must
                          * start at the beginning of a line */
  guint delay_ms;        /* write the output only after this delay, and
                          * read no further input meanwhile */
  VgwMgmtAction action;  /* perform after the output has been sent */
} VgwMgmtResult;

/* VgwMgmtStatusFunc fills |out| with the current status. Strings it points
 * to must stay valid until the function is called again. */
typedef void (*VgwMgmtStatusFunc)(VgwStatus *out, gpointer user_data);

typedef struct VgwMgmtSession VgwMgmtSession;

/* VgwMgmtReply is what a verb handler answers. */
typedef struct {
  gboolean ok;
  char *body;            /* machine mode: the JSON object (ok) or the one-line
                          * error message; human mode: "\n"-terminated text
                          * (ok) or the error message */
  VgwMgmtAction action;  /* perform after the reply has been sent */
} VgwMgmtReply;

/* VgwMgmtVerbFunc handles verb |argv[0]| with its arguments (|argv| is
 * NULL-terminated) for a logged-in session, in human (|human|) or machine
 * mode. It returns FALSE, leaving |out| alone, for a verb it does not
 * know. */
typedef gboolean (*VgwMgmtVerbFunc)(char **argv, gboolean human,
                                    VgwMgmtReply *out, gpointer user_data);

/* vgw_mgmt_session_new returns a logged-out session that accepts the
 * credentials |user| / |password| and reports status through |status|. */
VgwMgmtSession *vgw_mgmt_session_new(const char *user, const char *password,
                                     VgwMgmtStatusFunc status,
                                     gpointer user_data);

/* vgw_mgmt_session_set_verbs installs |fn| for every verb except login,
 * logout, status and the session's own debug verbs (watchdog-stall,
 * crash); it gets reset, which it may take over, and any other "debug X"
 * (e.g. debug tls-key), so that other modules add verbs without the
 * session knowing them. */
void vgw_mgmt_session_set_verbs(VgwMgmtSession *s, VgwMgmtVerbFunc fn,
                                gpointer user_data);

/* vgw_mgmt_session_set_credentials replaces the accepted user name and
 * password (the MaintenanceUserName/MaintenancePassword parameters); a
 * session already logged in stays so. */
void vgw_mgmt_session_set_credentials(VgwMgmtSession *s, const char *user,
                                      const char *password);

/* vgw_mgmt_reply_clear frees what |r| owns and zeroes it. */
void vgw_mgmt_reply_clear(VgwMgmtReply *r);

/* vgw_mgmt_session_free releases |s|; NULL allowed. */
void vgw_mgmt_session_free(VgwMgmtSession *s);

/* vgw_mgmt_session_handle_line processes one received line (without its
 * "\n") at monotonic time |now_us| and fills |out|, which the caller
 * releases with vgw_mgmt_result_clear. |too_long| says the line went past
 * VGW_MGMT_LINE_MAX and holds only its beginning: it is answered with an
 * error. Failed logins are logged (user name only) with g_message. */
void vgw_mgmt_session_handle_line(VgwMgmtSession *s, const char *line,
                                  gboolean too_long, gint64 now_us,
                                  VgwMgmtResult *out);

/* vgw_mgmt_session_logged_in reports whether a login is in force at
 * |now_us| (the idle timeout is applied). */
gboolean vgw_mgmt_session_logged_in(VgwMgmtSession *s, gint64 now_us);

/* vgw_mgmt_result_clear frees what |r| owns and zeroes it. */
void vgw_mgmt_result_clear(VgwMgmtResult *r);

G_END_DECLS

#endif /* VGW_MGMT_SESSION_H */
