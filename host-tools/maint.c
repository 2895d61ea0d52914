#include "maint.h"

#include <string.h>
#include <unistd.h>

#include "linesock.h"
#include "mgmt_proto.h"
#include "vgw-error.h"

char *
vgw_maint_new_id(void)
{
  static guint counter;

  /* pid + counter keeps ids of concurrent vgw processes apart. */
  return g_strdup_printf("v%x-%u", (unsigned) getpid() & 0xffffff, ++counter);
}

struct VgwMaintSession {
  VgwLineSocket *ls;
  guint timeout_s;
  char *path;
  gboolean broken; /* an I/O failure or timeout: no more requests */
};
typedef struct VgwMaintSession Session;

static void
timeout_error(const Session *s, guint timeout_s, GError **error)
{
  g_set_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT,
              "maintenance port did not answer within %u s (%s)", timeout_s,
              s->path);
}

gboolean
vgw_maint_parse_reply_line(const char *line, char **id, gboolean *ok,
                           char **json)
{
  const char *p = line, *id_end;
  gsize id_len;

  if (*p != '@')
    return FALSE;
  p++;
  id_end = p;
  while (g_ascii_isalnum(*id_end) || *id_end == '_' || *id_end == '-')
    id_end++;
  id_len = id_end - p;
  if (id_len < 1 || id_len > 16 || *id_end != ' ')
    return FALSE;
  p = id_end + 1;
  if (g_str_has_prefix(p, "ok ")) {
    *ok = TRUE;
    p += 3;
  } else if (g_str_has_prefix(p, "error ")) {
    *ok = FALSE;
    p += 6;
  } else {
    return FALSE;
  }
  if (*p != '{')
    return FALSE;
  *id = g_strndup(line + 1, id_len);
  *json = g_strdup(p);
  return TRUE;
}

/* Sends one request and returns its reply's object text; |*ok| says
 * whether it was an ok or an error reply. */
static char *
exchange(Session *s, const char *const *argv, guint timeout_s, gboolean *ok,
         GError **error)
{
  g_autofree char *id = vgw_maint_new_id();
  g_autofree char *line = vgw_mgmt_format_request(id, argv);
  gint64 deadline;
  g_autoptr(GError) local = NULL;

  if (timeout_s == 0)
    timeout_s = s->timeout_s;
  deadline = g_get_monotonic_time() + (gint64) timeout_s * G_USEC_PER_SEC;
  if (line == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "a maintenance request argument cannot hold a line break");
    return NULL;
  }
  if (!vgw_line_socket_write_line(s->ls, line, deadline, &local))
    goto io_fail;
  for (;;) {
    g_autofree char *reply = vgw_line_socket_read_line(
        s->ls, VGW_MAINT_REPLY_MAX, deadline, &local);
    g_autofree char *reply_id = NULL;
    char *json = NULL;
    const char *at;

    if (reply == NULL)
      goto io_fail;
    /* A prompt left on the line by a person's session may precede our
     * reply ("vgw> @id ok {...}"): look for the reply where it starts. */
    at = strchr(reply, '@');
    if (at == NULL)
      continue;
    if (!vgw_maint_parse_reply_line(at, &reply_id, ok, &json))
      continue;
    if (strcmp(reply_id, id) == 0)
      return json;
    g_free(json);
  }

io_fail:
  s->broken = TRUE;
  if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    timeout_error(s, timeout_s, error);
  else if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "maintenance port closed the connection (%s)", s->path);
  else
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "maintenance port: %s", local->message);
  return NULL;
}

static JsonObject *
parse_object(const char *text, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonNode *root;

  if (!json_parser_load_from_data(parser, text, -1, NULL) ||
      (root = json_parser_get_root(parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT(root)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "maintenance port sent a reply that is not a JSON object");
    return NULL;
  }
  return json_object_ref(json_node_get_object(root));
}

static char *
error_text(const char *json)
{
  g_autoptr(GError) ignored = NULL;
  g_autoptr(JsonObject) o = parse_object(json, &ignored);

  if (o != NULL && json_object_has_member(o, "error"))
    return g_strdup(json_object_get_string_member(o, "error"));
  return g_strdup(json);
}

static const char *
env_or(const char *given, const char *env, const char *fallback)
{
  const char *v = g_getenv(env);

  if (given != NULL)
    return given;
  return v != NULL && *v != '\0' ? v : fallback;
}

static void
session_free(Session *s)
{
  vgw_line_socket_free(s->ls);
  g_free(s->path);
  g_free(s);
}

VgwMaintSession *
vgw_maint_session_open(const VgwMaintTarget *target, GError **error)
{
  const char *user = env_or(target->user, "VGW_USER", "Admin");
  const char *password = env_or(target->password, "VGW_PASSWORD", "Admin");
  const char *login[] = { "login", user, password, NULL };
  g_autoptr(GError) local = NULL;
  g_autofree char *login_json = NULL;
  gboolean ok = FALSE;
  Session *s = g_new0(Session, 1);

  s->timeout_s = target->timeout_s ? target->timeout_s : VGW_MAINT_DEFAULT_TIMEOUT_S;
  s->path = g_strdup(target->socket_path);
  s->ls = vgw_line_socket_connect_unix(target->socket_path, &local);
  if (s->ls == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "cannot connect to the maintenance port: %s", local->message);
    session_free(s);
    return NULL;
  }
  login_json = exchange(s, login, 0, &ok, error);
  if (login_json == NULL) {
    session_free(s);
    return NULL;
  }
  if (!ok) {
    g_autofree char *why = error_text(login_json);
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "maintenance port login failed for user '%s': %s", user, why);
    session_free(s);
    return NULL;
  }
  return s;
}

JsonObject *
vgw_maint_session_request(VgwMaintSession *s, const char *const *argv,
                          guint timeout_s, GError **error)
{
  g_autofree char *json = NULL;
  gboolean ok = FALSE;

  json = exchange(s, argv, timeout_s, &ok, error);
  if (json == NULL)
    return NULL;
  if (!ok) {
    g_autofree char *why = error_text(json);
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s: %s", argv[0], why);
    return NULL;
  }
  return parse_object(json, error);
}

/* Logs out without waiting for the reply (the firmware may be resetting). */
static void
logout_nowait(Session *s)
{
  const char *logout[] = { "logout", NULL };
  g_autofree char *id = vgw_maint_new_id();
  g_autofree char *line = vgw_mgmt_format_request(id, logout);

  vgw_line_socket_write_line(s->ls, line, g_get_monotonic_time() + G_USEC_PER_SEC, NULL);
}

void
vgw_maint_session_close(VgwMaintSession *s)
{
  const char *logout[] = { "logout", NULL };
  gboolean ok;
  g_autofree char *bye = NULL;

  if (s == NULL)
    return;
  if (!s->broken)
    bye = exchange(s, logout, MIN(s->timeout_s, 2), &ok, NULL);
  session_free(s);
}

/* TRUE for the requests after which the firmware stops answering: reset,
 * and the debug hooks that crash vgwd or stall the watchdog. */
static gboolean
firmware_may_go(const char *const *argv)
{
  if (g_strcmp0(argv[0], "reset") == 0)
    return TRUE;
  return g_strcmp0(argv[0], "debug") == 0 &&
         (g_strcmp0(argv[1], "crash") == 0 || g_strcmp0(argv[1], "watchdog-stall") == 0);
}

JsonObject *
vgw_maint_request(const VgwMaintTarget *target, const char *const *argv,
                  GError **error)
{
  Session *s = vgw_maint_session_open(target, error);
  JsonObject *result;

  if (s == NULL)
    return NULL;
  result = vgw_maint_session_request(s, argv, 0, error);
  /* Always log out so the port is not left logged in for the next
   * person.  After a reset or a debug hook that stops the firmware it may
   * be gone before it answers, so do not wait for that reply; after
   * anything else wait, or a logout still in QEMU's buffer when we hang up
   * is lost and the port stays logged in. */
  if (g_strcmp0(argv[0], "logout") == 0 || s->broken) {
    session_free(s);
  } else if (result != NULL && firmware_may_go(argv)) {
    logout_nowait(s);
    session_free(s);
  } else {
    vgw_maint_session_close(s);
  }
  return result;
}
