#include "maint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "linesock.h"
#include "mgmt_proto.h"
#include "sockpeer.h"
#include "vgw-error.h"

char *
vgw_maint_new_id(void)
{
  static guint32 nonce;
  static guint counter;

  /* A pid alone repeats (pid reuse, a killed vgw's reply still queued);
   * 32 random bits do not, in practice.  At most 16 characters. */
  if (nonce == 0)
    nonce = g_random_int() | 1;
  return g_strdup_printf("v%08x%x", nonce, ++counter & 0xfffffff);
}

struct VgwMaintSession {
  VgwLineSocket *ls;
  guint timeout_s;
  char *path;
  int lock_fd;     /* the flock that queues vgw commands; -1 if none */
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

/* Sends |argv| under a new id, added to |ids|.  |local| gets I/O errors. */
static gboolean
send_request(Session *s, const char *const *argv, GPtrArray *ids, gint64 deadline,
             GError **local, GError **error)
{
  char *id = vgw_maint_new_id();
  g_autofree char *line = vgw_mgmt_format_request(id, argv);

  g_ptr_array_add(ids, id);
  if (line == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "a maintenance request argument cannot hold a line break");
    return FALSE;
  }
  return vgw_line_socket_write_line(s->ls, line, deadline, local);
}

static gboolean
id_is_ours(GPtrArray *ids, const char *id)
{
  for (guint i = 0; i < ids->len; i++) {
    if (strcmp(g_ptr_array_index(ids, i), id) == 0)
      return TRUE;
  }
  return FALSE;
}

/* Reads lines until the reply to one of |ids| and returns its object text
 * (|*ok|: an ok reply), or NULL with |local| set when |deadline| passed or
 * the connection failed. */
static char *
await_reply(Session *s, GPtrArray *ids, gint64 deadline, gboolean *ok, GError **local)
{
  for (;;) {
    g_autofree char *reply = vgw_line_socket_read_line(
        s->ls, VGW_MAINT_REPLY_MAX, deadline, local);
    g_autofree char *reply_id = NULL;
    char *json = NULL;
    const char *at;

    if (reply == NULL)
      return NULL;
    /* A prompt left on the line by a person's session may precede our
     * reply ("vgw> @id ok {...}"): look for the reply where it starts. */
    at = strchr(reply, '@');
    if (at == NULL)
      continue;
    if (!vgw_maint_parse_reply_line(at, &reply_id, ok, &json))
      continue;
    if (id_is_ours(ids, reply_id))
      return json;
    g_free(json);
  }
}

/* Sends one request and returns its reply's object text; |*ok| says
 * whether it was an ok or an error reply.  With |resend_s| > 0 the
 * request is sent again (under a new id; a reply to any of them counts)
 * whenever |resend_s| seconds pass unanswered. */
static char *
exchange(Session *s, const char *const *argv, guint timeout_s, guint resend_s,
         gboolean *ok, GError **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GError) local = NULL;
  gint64 deadline;

  if (timeout_s == 0)
    timeout_s = s->timeout_s;
  deadline = g_get_monotonic_time() + (gint64) timeout_s * G_USEC_PER_SEC;
  for (;;) {
    gint64 wait_until = deadline;
    char *json;

    if (!send_request(s, argv, ids, deadline, &local, error)) {
      if (local == NULL)
        return NULL;
      break;
    }
    if (resend_s > 0)
      wait_until = MIN(deadline, g_get_monotonic_time() + (gint64) resend_s * G_USEC_PER_SEC);
    json = await_reply(s, ids, wait_until, ok, &local);
    if (json != NULL)
      return json;
    if (!g_error_matches(local, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ||
        g_get_monotonic_time() >= deadline)
      break;
    g_clear_error(&local);
  }

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
  /* json-glib refuses a reply with invalid UTF-8 whole, and would lose an
   * error's message with it: such bytes become U+FFFD, as the firmware's
   * own escaper writes them.  The JSON structure is ASCII, so it stays. */
  g_autofree char *valid = g_utf8_make_valid(text, -1);
  JsonNode *root;

  if (!json_parser_load_from_data(parser, valid, -1, NULL) ||
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
  if (s->lock_fd >= 0)
    close(s->lock_fd);
  g_free(s->path);
  g_free(s);
}

/* The pid another vgw wrote into the lock file it holds, 0 if unknown. */
static int
lock_holder_pid(int fd)
{
  char text[16] = "";
  gint64 pid = 0;
  ssize_t n = pread(fd, text, sizeof text - 1, 0);

  if (n <= 0)
    return 0;
  text[n] = '\0';
  g_strstrip(text);
  return g_ascii_string_to_signed(text, 10, 1, G_MAXINT, &pid, NULL) ? (int) pid : 0;
}

/* Takes the lock that queues vgw commands on this port, waiting up to
 * |timeout_s| and saying so on stderr when it has to wait. */
static gboolean
lock_port(Session *s, guint timeout_s, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(s->path);
  g_autofree char *lock_path = g_build_filename(dir, VGW_MAINT_LOCK_NAME, NULL);
  gint64 deadline = g_get_monotonic_time() + (gint64) timeout_s * G_USEC_PER_SEC;
  g_autofree char *pid_text = g_strdup_printf("%d\n", (int) getpid());
  gboolean told = FALSE;
  int fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot open %s: %s", lock_path,
                g_strerror(errno));
    return FALSE;
  }
  while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    int holder = lock_holder_pid(fd);

    if (err != EWOULDBLOCK && err != EINTR) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot lock %s: %s", lock_path,
                  g_strerror(err));
      close(fd);
      return FALSE;
    }
    if (g_get_monotonic_time() >= deadline) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT,
                  "maintenance port is still in use by another vgw (pid %d) after %u s",
                  holder, timeout_s);
      close(fd);
      return FALSE;
    }
    if (!told) {
      fprintf(stderr, "vgw: waiting for the maintenance port: another vgw (pid %d) is using it\n",
              holder);
      told = TRUE;
    }
    g_usleep(50 * 1000);
  }
  /* For whoever waits next: who holds it. */
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid_text, strlen(pid_text), 0) < 0) {
    /* Only the waiting note loses the pid. */
  }
  s->lock_fd = fd;
  return TRUE;
}

/* Refuses at once when a client that is not vgw holds the port: QEMU
 * would leave us unanswered in its backlog until that client goes. */
static gboolean
check_foreign_holder(const Session *s, GError **error)
{
  VgwSockHolder holder;
  g_autofree char *who = NULL;

  if (!vgw_sock_holder_find(s->path, &holder))
    return TRUE;
  who = vgw_sock_holder_describe(&holder);
  g_set_error(error, VGW_ERROR, VGW_ERROR_BUSY,
              "maintenance port is in use by %s: QEMU serves one client at a time; "
              "end that client and try again (%s)", who, s->path);
  vgw_sock_holder_clear(&holder);
  return FALSE;
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
  s->lock_fd = -1;
  if (!lock_port(s, s->timeout_s, error) || !check_foreign_holder(s, error)) {
    session_free(s);
    return NULL;
  }
  s->ls = vgw_line_socket_connect_unix(target->socket_path, &local);
  /* A bare newline first ends any partial line an earlier client left. */
  if (s->ls != NULL)
    vgw_line_socket_write_line(s->ls, "", g_get_monotonic_time() + G_USEC_PER_SEC, &local);
  if (local != NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "cannot connect to the maintenance port: %s", local->message);
    session_free(s);
    return NULL;
  }
  login_json = exchange(s, login, 0, VGW_MAINT_LOGIN_RESEND_S, &ok, error);
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

  json = exchange(s, argv, timeout_s, 0, &ok, error);
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
    bye = exchange(s, logout, MIN(s->timeout_s, 2), 0, &ok, NULL);
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
