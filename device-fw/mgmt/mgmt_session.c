/* Maintenance-port session: see mgmt_session.h. */
#include "mgmt/mgmt_session.h"

#include <string.h>

#include "mgmt/mgmt_linebuf.h"
#include "mgmt/mgmt_proto.h"
#include "mgmt/mgmt_reply.h"
#include "param_secret.h"

#define PROMPT "vgw> "

typedef struct {
  const VgwMgmtVerbSet *set;
  gpointer data;
} AddedSet;

struct VgwMgmtSession {
  char *user;
  char *password_hash;
  VgwMgmtStatusFunc status;
  gpointer status_data;
  gboolean logged_in;
  gint64 last_request_us;
  GArray *sets; /* AddedSet, the session's own first */
  VgwLineBuf *input;
};

/* end_session forgets the login and every set's per-session state. */
static void end_session(VgwMgmtSession *s, const char *why) {
  if (s->logged_in) {
    g_message("maintenance: session of %s ended: %s", s->user, why);
  }
  s->logged_in = FALSE;
  for (guint i = 0; i < s->sets->len; i++) {
    const AddedSet *a = &g_array_index(s->sets, AddedSet, i);
    if (a->set->end_session != NULL) {
      a->set->end_session(a->data);
    }
  }
}

gboolean vgw_mgmt_session_logged_in(VgwMgmtSession *s, gint64 now_us) {
  if (s->logged_in && now_us - s->last_request_us > VGW_MGMT_SESSION_IDLE_US) {
    end_session(s, "idle timeout");
  }
  return s->logged_in;
}

/* --- The session's own verbs ------------------------------------------ */

/* verb_login always starts a fresh session, then checks the credentials.
 * The password is checked even for a wrong user name, so the answer's
 * timing does not tell which was wrong; a failure is logged with the user
 * name only and answered after a delay. */
static void verb_login(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwMgmtSession *s = c->data;
  end_session(s, "new login");
  if (c->argc != 2) {
    vgw_reply_usage(c, out);
    return;
  }
  const char *user = c->argv[1];
  gboolean password_ok = vgw_secret_verify(s->password_hash, c->argv[2]);
  if (strcmp(user, s->user) == 0 && password_ok) {
    s->logged_in = TRUE;
    g_message("maintenance: %s logged in", user);
    GString *b = g_string_new(NULL);
    if (c->human) {
      g_string_printf(b, "Logged in as %s.\n", user);
    } else {
      vgw_json_str(b, "user", user);
      g_string_prepend_c(b, '{');
      g_string_append_c(b, '}');
    }
    vgw_reply_ok(out, b);
    return;
  }
  char *safe = g_strescape(user, NULL);
  g_message("maintenance: login failed for user \"%s\"", safe);
  g_free(safe);
  vgw_reply_fail(out, "login failed");
  out->delay_ms = VGW_MGMT_LOGIN_FAIL_DELAY_MS;
}

static void verb_logout(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwMgmtSession *s = c->data;
  if (c->argc != 0) {
    vgw_reply_fail(out, "unexpected arguments");
    return;
  }
  end_session(s, "logout");
  vgw_reply_done(c, out, "Logged out.\n");
}

static void verb_status(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwMgmtSession *s = c->data;
  if (c->argc != 0) {
    vgw_reply_fail(out, "unexpected arguments");
    return;
  }
  VgwStatus st;
  memset(&st, 0, sizeof(st));
  s->status(&st, s->status_data);
  out->ok = TRUE;
  out->body = c->human ? vgw_status_to_text(&st) : vgw_status_to_json(&st);
}

/* A debug hook: acknowledged, then the port performs the action. */
static void debug_hook(const VgwMgmtCall *c, VgwMgmtReply *out,
                       VgwMgmtAction action, const char *what) {
  if (c->argc != 1) {
    vgw_reply_usage(c, out);
    return;
  }
  g_message("maintenance: %s: %s", c->verb->name, what);
  vgw_reply_done(c, out, "OK.\n");
  out->action = action;
}

static void verb_watchdog_stall(const VgwMgmtCall *c, VgwMgmtReply *out) {
  debug_hook(c, out, VGW_MGMT_ACTION_WATCHDOG_STALL,
             "hanging the main loop");
}

static void verb_crash(const VgwMgmtCall *c, VgwMgmtReply *out) {
  debug_hook(c, out, VGW_MGMT_ACTION_CRASH, "aborting");
}

static void verb_help(const VgwMgmtCall *c, VgwMgmtReply *out);

static const VgwMgmtVerb session_verbs[] = {
    {"help", "", "this text", VGW_MGMT_VERB_OPEN, verb_help},
    {"login", "<user> <password>", "start a session",
     VGW_MGMT_VERB_OPEN | VGW_MGMT_VERB_SECRET_ARGS, verb_login},
    {"logout", "", "end the session", 0, verb_logout},
    {"status", "", "gateway status", 0, verb_status},
    {"debug watchdog-stall", "", "test hook: hang the main loop", 0,
     verb_watchdog_stall},
    {"debug crash", "", "test hook: abort the firmware", 0, verb_crash},
};

static const VgwMgmtVerbSet session_verb_set = {
    session_verbs, G_N_ELEMENTS(session_verbs), NULL};

/* verb_help lists every verb: text for people, and in machine mode
 * {"verbs":[{"name":..,"usage":..,"summary":..},...]}. */
static void verb_help(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwMgmtSession *s = c->data;
  int width = 0;
  for (guint i = 0; i < s->sets->len; i++) {
    const VgwMgmtVerbSet *set = g_array_index(s->sets, AddedSet, i).set;
    for (gsize v = 0; v < set->n_verbs; v++) {
      width = MAX(width, (int)(strlen(set->verbs[v].name) +
                               strlen(set->verbs[v].usage) + 1));
    }
  }
  GString *b = g_string_new(c->human ? "Commands:\n" : "{\"verbs\":[");
  for (guint i = 0; i < s->sets->len; i++) {
    const VgwMgmtVerbSet *set = g_array_index(s->sets, AddedSet, i).set;
    for (gsize v = 0; v < set->n_verbs; v++) {
      const VgwMgmtVerb *verb = &set->verbs[v];
      if (c->human) {
        char *call = g_strdup_printf("%s %s", verb->name, verb->usage);
        g_string_append_printf(b, "  %-*s  %s\n", width, call,
                               verb->summary);
        g_free(call);
        continue;
      }
      g_string_append_c(b, '{');
      vgw_json_str(b, "name", verb->name);
      vgw_json_str(b, "usage", verb->usage);
      vgw_json_str(b, "summary", verb->summary);
      g_string_append(b, "},");
    }
  }
  if (c->human) {
    g_string_append(b, "Machine mode: @<id> <verb> [args] (see "
                       "docs/maintenance-protocol.md)\n");
  } else {
    g_string_truncate(b, b->len - 1); /* the last ',' */
    g_string_append(b, "]}");
  }
  vgw_reply_ok(out, b);
}

/* --- Set-up ------------------------------------------------------------ */

VgwMgmtSession *vgw_mgmt_session_new(const char *user,
                                     const char *password_hash,
                                     VgwMgmtStatusFunc status,
                                     gpointer user_data) {
  VgwMgmtSession *s = g_new0(VgwMgmtSession, 1);
  s->user = g_strdup(user);
  s->password_hash = g_strdup(password_hash);
  s->status = status;
  s->status_data = user_data;
  s->sets = g_array_new(FALSE, FALSE, sizeof(AddedSet));
  s->input = vgw_linebuf_new(VGW_MGMT_LINE_MAX);
  vgw_mgmt_session_add_verbs(s, &session_verb_set, s);
  return s;
}

/* find_verb returns the row |argv| asks for and its set's data, or NULL. */
static const VgwMgmtVerb *find_verb(VgwMgmtSession *s, char **argv,
                                    gpointer *data) {
  for (guint i = 0; i < s->sets->len; i++) {
    const AddedSet *a = &g_array_index(s->sets, AddedSet, i);
    const VgwMgmtVerb *verb = vgw_mgmt_verb_set_find(a->set, argv);
    if (verb != NULL) {
      *data = a->data;
      return verb;
    }
  }
  return NULL;
}

void vgw_mgmt_session_add_verbs(VgwMgmtSession *s, const VgwMgmtVerbSet *set,
                                gpointer data) {
  for (gsize v = 0; v < set->n_verbs; v++) {
    char **words = g_strsplit(set->verbs[v].name, " ", 2);
    gpointer unused;
    g_assert(find_verb(s, words, &unused) == NULL);
    g_strfreev(words);
  }
  AddedSet a = {set, data};
  g_array_append_val(s->sets, a);
}

void vgw_mgmt_session_set_credentials(VgwMgmtSession *s, const char *user,
                                      const char *password_hash) {
  if (g_strcmp0(user, s->user) != 0) {
    g_message("maintenance: login user is now \"%s\"", user);
  }
  g_free(s->user);
  g_free(s->password_hash);
  s->user = g_strdup(user);
  s->password_hash = g_strdup(password_hash);
}

void vgw_mgmt_session_free(VgwMgmtSession *s) {
  if (s == NULL) {
    return;
  }
  g_free(s->user);
  g_free(s->password_hash);
  g_array_unref(s->sets);
  vgw_linebuf_free(s->input);
  g_free(s);
}

void vgw_mgmt_result_clear(VgwMgmtResult *r) {
  g_free(r->output);
  memset(r, 0, sizeof(*r));
}

/* --- Dispatch ---------------------------------------------------------- */

/* unknown_verb refuses |argv|. A first word that only starts multi-word
 * verbs ("debug") is answered with their list. */
static void unknown_verb(VgwMgmtSession *s, char **argv, gboolean human,
                         VgwMgmtReply *out) {
  GString *family = g_string_new(NULL);
  gsize first = strlen(argv[0]);
  for (guint i = 0; i < s->sets->len; i++) {
    const VgwMgmtVerbSet *set = g_array_index(s->sets, AddedSet, i).set;
    for (gsize v = 0; v < set->n_verbs; v++) {
      const char *name = set->verbs[v].name;
      if (strncmp(name, argv[0], first) == 0 && name[first] == ' ') {
        g_string_append_printf(family, "%s%s", family->len ? "|" : "",
                               name + first + 1);
      }
    }
  }
  if (family->len > 0) {
    vgw_reply_fail(out, "usage: %s %s", argv[0], family->str);
  } else if (human) {
    vgw_reply_fail(out, "unknown command: %s (try help)", argv[0]);
  } else {
    vgw_reply_fail(out, "unknown verb: %s", argv[0]);
  }
  g_string_free(family, TRUE);
}

/* answer fills |out| for the request |argv| received at |now_us|. */
static void answer(VgwMgmtSession *s, char **argv, gboolean human,
                   gint64 now_us, VgwMgmtReply *out) {
  gboolean logged_in = vgw_mgmt_session_logged_in(s, now_us);
  s->last_request_us = now_us;
  gpointer data = NULL;
  const VgwMgmtVerb *verb = find_verb(s, argv, &data);
  memset(out, 0, sizeof(*out));
  if (!logged_in && (verb == NULL || !(verb->flags & VGW_MGMT_VERB_OPEN))) {
    vgw_reply_fail(out, human ? "login required (login <user> <password>)"
                              : "login required");
  } else if (verb == NULL) {
    unknown_verb(s, argv, human, out);
  } else {
    vgw_mgmt_verb_call(verb, data, argv, human, out);
  }
}

static void machine_reply(VgwMgmtResult *out, const char *id,
                          const VgwMgmtReply *reply) {
  char *line = reply->ok ? vgw_mgmt_format_reply(id, TRUE, reply->body)
                         : vgw_mgmt_format_error_reply(id, reply->body);
  out->output = g_strconcat(line, "\n", NULL);
  out->machine = TRUE;
  out->action = reply->action;
  out->delay_ms = reply->delay_ms;
  g_free(line);
}

static void machine_error(VgwMgmtResult *out, const char *id,
                          const char *message) {
  VgwMgmtReply reply = {.ok = FALSE, .body = (char *)message};
  machine_reply(out, id, &reply);
}

/* handle_human answers a line typed by a person: the same verbs, split
 * like a machine request (so a value holding spaces can be quoted), then
 * the prompt. */
static void handle_human(VgwMgmtSession *s, const char *line, gint64 now_us,
                         VgwMgmtResult *out) {
  GString *text = g_string_new(NULL);
  char *as_request = g_strconcat("@h ", line, NULL);
  g_strdelimit(as_request, "\t", ' ');
  VgwMgmtRequest req;
  GError *error = NULL;
  if (line[strspn(line, " \t")] == '\0') {
    /* An empty line: just the prompt. */
  } else if (!vgw_mgmt_parse_request(as_request, &req, &error)) {
    g_string_append_printf(text, "Error: %s\n", error->message);
    g_clear_error(&error);
  } else {
    VgwMgmtReply reply;
    answer(s, req.argv, TRUE, now_us, &reply);
    if (reply.ok) {
      g_string_append(text, reply.body);
    } else {
      g_string_append_printf(text, "Error: %s\n", reply.body);
    }
    out->action = reply.action;
    out->delay_ms = reply.delay_ms;
    vgw_mgmt_reply_clear(&reply);
    vgw_mgmt_request_clear(&req);
  }
  g_string_append(text, PROMPT);
  out->output = g_string_free(text, FALSE);
  g_free(as_request);
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
    VgwMgmtReply reply;
    answer(s, req.argv, FALSE, now_us, &reply);
    machine_reply(out, req.id, &reply);
    vgw_mgmt_reply_clear(&reply);
  }
  g_clear_error(&error);
  vgw_mgmt_request_clear(&req);
}

void vgw_mgmt_session_feed(VgwMgmtSession *s, const char *data, gsize len) {
  vgw_linebuf_feed(s->input, data, len);
}

gboolean vgw_mgmt_session_next(VgwMgmtSession *s, gint64 now_us,
                               VgwMgmtResult *out) {
  char *line = NULL;
  gboolean too_long = FALSE;
  memset(out, 0, sizeof(*out));
  switch (vgw_linebuf_next(s->input, &line, &too_long)) {
    case VGW_LINEBUF_EMPTY:
      return FALSE;
    case VGW_LINEBUF_BREAK:
      end_session(s, "the host side hung up");
      out->output = g_strdup("");
      out->hangup = TRUE;
      return TRUE;
    case VGW_LINEBUF_LINE:
      vgw_mgmt_session_handle_line(s, line, too_long, now_us, out);
      g_free(line);
      return TRUE;
  }
  g_assert_not_reached();
}
