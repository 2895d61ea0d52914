/* Maintenance-port session: see mgmt_session.h. */
#include "mgmt/mgmt_session.h"

#include <string.h>

#include "mgmt/mgmt_proto.h"

#define PROMPT "vgw> "

struct VgwMgmtSession {
  char *user;
  char *password;
  VgwMgmtStatusFunc status;
  gpointer status_data;
  gboolean logged_in;
  gint64 last_request_us;
  VgwMgmtVerbFunc verbs;
  gpointer verbs_data;
};

VgwMgmtSession *vgw_mgmt_session_new(const char *user, const char *password,
                                     VgwMgmtStatusFunc status,
                                     gpointer user_data) {
  VgwMgmtSession *s = g_new0(VgwMgmtSession, 1);
  s->user = g_strdup(user);
  s->password = g_strdup(password);
  s->status = status;
  s->status_data = user_data;
  return s;
}

void vgw_mgmt_session_set_verbs(VgwMgmtSession *s, VgwMgmtVerbFunc fn,
                                gpointer user_data) {
  s->verbs = fn;
  s->verbs_data = user_data;
}

void vgw_mgmt_session_set_credentials(VgwMgmtSession *s, const char *user,
                                      const char *password) {
  if (g_strcmp0(user, s->user) != 0) {
    g_message("maintenance: login user is now \"%s\"", user);
  }
  g_free(s->user);
  g_free(s->password);
  s->user = g_strdup(user);
  s->password = g_strdup(password);
}

void vgw_mgmt_reply_clear(VgwMgmtReply *r) {
  g_free(r->body);
  memset(r, 0, sizeof(*r));
}

/* is_builtin says whether the session itself answers |verb|, before any
 * installed verb handler is asked. */
static gboolean is_builtin(const char *verb) {
  return strcmp(verb, "login") == 0 || strcmp(verb, "logout") == 0 ||
         strcmp(verb, "status") == 0 || strcmp(verb, "debug") == 0 ||
         strcmp(verb, "help") == 0 || strcmp(verb, "?") == 0;
}

/* is_extra_debug says whether |argv| is a debug verb the session does not
 * answer itself, which an installed handler may know (debug tls-key). */
static gboolean is_extra_debug(char **argv) {
  return strcmp(argv[0], "debug") == 0 && argv[1] != NULL &&
         strcmp(argv[1], "watchdog-stall") != 0 &&
         strcmp(argv[1], "crash") != 0;
}

void vgw_mgmt_session_free(VgwMgmtSession *s) {
  if (s == NULL) {
    return;
  }
  g_free(s->user);
  g_free(s->password);
  g_free(s);
}

void vgw_mgmt_result_clear(VgwMgmtResult *r) {
  g_free(r->output);
  memset(r, 0, sizeof(*r));
}

gboolean vgw_mgmt_session_logged_in(VgwMgmtSession *s, gint64 now_us) {
  if (s->logged_in && now_us - s->last_request_us > VGW_MGMT_SESSION_IDLE_US) {
    g_message("maintenance: session of %s timed out", s->user);
    s->logged_in = FALSE;
  }
  return s->logged_in;
}

/* try_login checks credentials; a failure is logged with the user name
 * only and makes the caller delay its answer. */
static gboolean try_login(VgwMgmtSession *s, const char *user,
                          const char *password, VgwMgmtResult *out) {
  if (strcmp(user, s->user) == 0 && strcmp(password, s->password) == 0) {
    s->logged_in = TRUE;
    g_message("maintenance: %s logged in", user);
    return TRUE;
  }
  char *safe = g_strescape(user, NULL);
  g_message("maintenance: login failed for user \"%s\"", safe);
  g_free(safe);
  s->logged_in = FALSE;
  out->delay_ms = VGW_MGMT_LOGIN_FAIL_DELAY_MS;
  return FALSE;
}

static void machine_reply(VgwMgmtResult *out, const char *id, gboolean ok,
                          const char *json) {
  char *line = vgw_mgmt_format_reply(id, ok, json);
  out->output = g_strconcat(line, "\n", NULL);
  out->machine = TRUE;
  g_free(line);
}

static void machine_error(VgwMgmtResult *out, const char *id,
                          const char *message) {
  char *line = vgw_mgmt_format_error_reply(id, message);
  out->output = g_strconcat(line, "\n", NULL);
  out->machine = TRUE;
  g_free(line);
}

static char *status_json(VgwMgmtSession *s) {
  VgwStatus st;
  memset(&st, 0, sizeof(st));
  s->status(&st, s->status_data);
  return vgw_status_to_json(&st);
}

static void handle_machine(VgwMgmtSession *s, const VgwMgmtRequest *req,
                           gint64 now_us, VgwMgmtResult *out) {
  const char *verb = req->argv[0];
  guint argc = g_strv_length(req->argv) - 1;
  gboolean logged_in = vgw_mgmt_session_logged_in(s, now_us);
  s->last_request_us = now_us;

  if (strcmp(verb, "login") == 0) {
    if (argc != 2) {
      machine_error(out, req->id, "usage: login <user> <password>");
    } else if (try_login(s, req->argv[1], req->argv[2], out)) {
      char *user = vgw_mgmt_json_quote(req->argv[1]);
      char *json = g_strdup_printf("{\"user\":%s}", user);
      machine_reply(out, req->id, TRUE, json);
      g_free(json);
      g_free(user);
    } else {
      machine_error(out, req->id, "login failed");
    }
    return;
  }
  if (!logged_in) {
    machine_error(out, req->id, "login required");
    return;
  }
  VgwMgmtReply reply = {0};
  if (s->verbs != NULL && (!is_builtin(verb) || is_extra_debug(req->argv)) &&
      s->verbs(req->argv, FALSE, &reply, s->verbs_data)) {
    if (reply.ok) {
      machine_reply(out, req->id, TRUE, reply.body);
    } else {
      machine_error(out, req->id, reply.body);
    }
    out->action = reply.action;
    vgw_mgmt_reply_clear(&reply);
    return;
  }
  if (strcmp(verb, "logout") == 0 && argc == 0) {
    g_message("maintenance: %s logged out", s->user);
    s->logged_in = FALSE;
    machine_reply(out, req->id, TRUE, "{}");
  } else if (strcmp(verb, "status") == 0 && argc == 0) {
    char *json = status_json(s);
    machine_reply(out, req->id, TRUE, json);
    g_free(json);
  } else if (strcmp(verb, "reset") == 0 && argc == 0) {
    g_message("maintenance: reset requested");
    machine_reply(out, req->id, TRUE, "{}");
    out->action = VGW_MGMT_ACTION_RESET;
  } else if (strcmp(verb, "debug") == 0 && argc == 1 &&
             strcmp(req->argv[1], "watchdog-stall") == 0) {
    g_message("maintenance: debug watchdog-stall: hanging the main loop");
    machine_reply(out, req->id, TRUE, "{}");
    out->action = VGW_MGMT_ACTION_WATCHDOG_STALL;
  } else if (strcmp(verb, "debug") == 0 && argc == 1 &&
             strcmp(req->argv[1], "crash") == 0) {
    g_message("maintenance: debug crash: aborting");
    machine_reply(out, req->id, TRUE, "{}");
    out->action = VGW_MGMT_ACTION_CRASH;
  } else if (strcmp(verb, "debug") == 0) {
    machine_error(out, req->id, "usage: debug watchdog-stall|crash");
  } else if (strcmp(verb, "logout") == 0 || strcmp(verb, "status") == 0 ||
             strcmp(verb, "reset") == 0) {
    machine_error(out, req->id, "unexpected arguments");
  } else {
    char *msg = g_strdup_printf("unknown verb: %s", verb);
    machine_error(out, req->id, msg);
    g_free(msg);
  }
}

static const char HELP[] =
    "Commands:\n"
    "  help                     this text\n"
    "  login <user> <password>  start a session\n"
    "  logout                   end the session\n"
    "  status                   gateway status\n"
    "  param-get NAME | param-set NAME VALUE\n"
    "  table-show TABLE | table-set TABLE INDEX COL=VALUE... |"
    " table-delete TABLE INDEX\n"
    "  upload-begin | upload-chunk BASE64 | ini-load full|incremental [FILE]"
    " | ini-check [FILE]\n"
    "  ini-export | pending | save | factory-reset |"
    " reset [save] [graceful S]\n"
    "Machine mode: @<id> <verb> [args] (see docs/maintenance-protocol.md)\n";

/* human_verb offers a typed command to the installed verb handler. The
 * line is split like a machine request, so a person can quote a value
 * holding spaces. Returns FALSE if the handler does not know the verb. */
static gboolean human_verb(VgwMgmtSession *s, const char *line, GString *text,
                           VgwMgmtResult *out) {
  char *as_request = g_strconcat("@h ", line, NULL);
  VgwMgmtRequest req;
  GError *error = NULL;
  gboolean handled = TRUE;
  if (!vgw_mgmt_parse_request(as_request, &req, &error)) {
    g_string_append_printf(text, "Error: %s\n", error->message);
    g_clear_error(&error);
  } else {
    VgwMgmtReply reply = {0};
    handled = s->verbs(req.argv, TRUE, &reply, s->verbs_data);
    if (handled && reply.ok) {
      g_string_append(text, reply.body);
    } else if (handled) {
      g_string_append_printf(text, "Error: %s\n", reply.body);
    }
    out->action = reply.action;
    vgw_mgmt_reply_clear(&reply);
  }
  vgw_mgmt_request_clear(&req);
  g_free(as_request);
  return handled;
}

static void handle_human(VgwMgmtSession *s, const char *line, gint64 now_us,
                         VgwMgmtResult *out) {
  char **words = g_strsplit_set(line, " \t", -1);
  GPtrArray *args = g_ptr_array_new();
  for (char **w = words; *w != NULL; w++) {
    if (**w != '\0') {
      g_ptr_array_add(args, *w);
    }
  }
  GString *text = g_string_new(NULL);
  gboolean logged_in = vgw_mgmt_session_logged_in(s, now_us);
  const char *cmd = args->len > 0 ? args->pdata[0] : NULL;
  if (cmd != NULL) {
    s->last_request_us = now_us;
  }

  if (cmd == NULL) {
    /* empty line: just the prompt */
  } else if (strcmp(cmd, "help") == 0 || strcmp(cmd, "?") == 0) {
    g_string_append(text, HELP);
  } else if (strcmp(cmd, "login") == 0) {
    if (args->len != 3) {
      g_string_append(text, "usage: login <user> <password>\n");
    } else if (try_login(s, args->pdata[1], args->pdata[2], out)) {
      g_string_append_printf(text, "Logged in as %s.\n",
                             (const char *)args->pdata[1]);
    } else {
      g_string_append(text, "Login failed.\n");
    }
  } else if (!logged_in) {
    g_string_append(text, "Login required (login <user> <password>).\n");
  } else if (strcmp(cmd, "logout") == 0) {
    g_message("maintenance: %s logged out", s->user);
    s->logged_in = FALSE;
    g_string_append(text, "Logged out.\n");
  } else if (strcmp(cmd, "status") == 0) {
    VgwStatus st;
    memset(&st, 0, sizeof(st));
    s->status(&st, s->status_data);
    char *t = vgw_status_to_text(&st);
    g_string_append(text, t);
    g_free(t);
  } else if (s->verbs == NULL || !human_verb(s, line, text, out)) {
    g_string_append_printf(text, "Unknown command: %s (try help)\n", cmd);
  }
  g_string_append(text, PROMPT);
  out->output = g_string_free(text, FALSE);
  g_ptr_array_free(args, TRUE);
  g_strfreev(words);
}

void vgw_mgmt_session_handle_line(VgwMgmtSession *s, const char *line,
                                  gboolean too_long, gint64 now_us,
                                  VgwMgmtResult *out) {
  memset(out, 0, sizeof(*out));
  if (line[0] != '@') {
    if (too_long) {
      out->output = g_strdup("Error: line too long\n" PROMPT);
    } else {
      handle_human(s, line, now_us, out);
    }
    return;
  }
  VgwMgmtRequest req;
  GError *error = NULL;
  gboolean parsed = vgw_mgmt_parse_request(line, &req, &error);
  if (req.id[0] == '\0') {
    /* No id to address a reply to: answer as text. */
    out->output = g_strdup_printf("Error: %s\n", error->message);
  } else if (too_long) {
    machine_error(out, req.id, "line too long");
  } else if (!parsed) {
    machine_error(out, req.id, error->message);
  } else {
    handle_machine(s, &req, now_us, out);
  }
  g_clear_error(&error);
  vgw_mgmt_request_clear(&req);
}
