/* The maintenance-port client against a fake firmware responder on a
 * unix socket (framing from the firmware's mgmt_proto library). */
#include <fcntl.h>
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/file.h>

#include "json_out.h"
#include "maint.h"
#include "mgmt_proto.h"
#include "sockpeer.h"
#include "vgw-error.h"

typedef struct {
  GSocket *listener;
  gboolean silent;       /* never answer */
  guint ignore_logins;   /* logins to leave unanswered (a firmware starting up) */
  guint logins;          /* login requests seen */
  gboolean newline_first; /* the client's first line was empty */
  guint lines;
  gboolean logged_in;
  gboolean saw_logout;
  char *status_args;     /* arguments of the last non-login request */
  GThread *thread;
} Fake;

static void
send_line(int fd, const char *line)
{
  g_autofree char *l = g_strconcat(line, "\r\n", NULL);
  g_assert_cmpint(write(fd, l, strlen(l)), ==, (gssize) strlen(l));
}

static gpointer
fake_thread(gpointer data)
{
  Fake *fk = data;
  g_autoptr(GSocket) conn = g_socket_accept(fk->listener, NULL, NULL);
  int fd = dup(g_socket_get_fd(conn));
  FILE *in;
  char buf[8192];

  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  in = fdopen(fd, "r+");
  /* Console-style noise a real port may carry before any reply. */
  send_line(fd, "vgwd: maintenance port ready");
  while (fgets(buf, sizeof buf, in) != NULL) {
    VgwMgmtRequest req = { 0 };
    g_autofree char *reply = NULL;

    if (fk->lines++ == 0)
      fk->newline_first = strcmp(buf, "\n") == 0;
    if (fk->silent)
      continue;
    if (!vgw_mgmt_parse_request(buf, &req, NULL))
      continue;
    if (g_str_equal(req.argv[0], "login") && fk->logins++ < fk->ignore_logins) {
      vgw_mgmt_request_clear(&req);
      continue;
    }
    /* Noise between request and reply: an unrelated reply, a prompt. */
    send_line(fd, "@someone-else ok {\"user\":\"x\"}");
    if (g_str_equal(req.argv[0], "login")) {
      fk->logged_in = g_strv_length(req.argv) == 3 && g_str_equal(req.argv[1], "Admin") &&
                      g_str_equal(req.argv[2], "Admin");
      reply = fk->logged_in ? vgw_mgmt_format_reply(req.id, TRUE, "{\"user\":\"Admin\"}")
                            : vgw_mgmt_format_error_reply(req.id, "login failed");
    } else if (!fk->logged_in) {
      reply = vgw_mgmt_format_error_reply(req.id, "login required");
    } else if (g_str_equal(req.argv[0], "logout")) {
      fk->saw_logout = TRUE;
      fk->logged_in = FALSE;
      reply = vgw_mgmt_format_reply(req.id, TRUE, NULL);
    } else if (g_str_equal(req.argv[0], "status")) {
      g_free(fk->status_args);
      fk->status_args = g_strjoinv("|", req.argv + 1);
      reply = vgw_mgmt_format_reply(req.id, TRUE,
                                    "{\"state\":\"running\",\"firmware\":\"0.1.0\",\"reset_count\":0}");
    } else if (g_str_equal(req.argv[0], "latin1")) {
      /* Bytes that are not UTF-8, raw inside the JSON string. */
      g_autofree char *raw = g_strdup_printf("@%s error {\"error\":\"caf\xe9 \xff\"}", req.id);
      reply = g_steal_pointer(&raw);
    } else {
      reply = vgw_mgmt_format_error_reply(req.id, "unknown command");
    }
    {
      /* The prompt of a person's session left on the line before ours. */
      g_autofree char *prefixed = g_strconcat("vgw> ", reply, NULL);
      send_line(fd, prefixed);
    }
    vgw_mgmt_request_clear(&req);
  }
  fclose(in);
  return NULL;
}

/* Removes a test's directory and the lock file vgw left in it. */
static void
remove_dir(const char *dir)
{
  g_autofree char *lock = g_build_filename(dir, VGW_MAINT_LOCK_NAME, NULL);

  g_unlink(lock);
  g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static char *
start_fake(Fake *fk, const char *dir)
{
  char *path = g_build_filename(dir, "maint.sock", NULL);
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
  g_autoptr(GError) error = NULL;

  g_unlink(path);
  fk->listener = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, &error);
  g_assert_true(g_socket_bind(fk->listener, addr, FALSE, &error));
  g_assert_true(g_socket_listen(fk->listener, &error));
  fk->thread = g_thread_new("fake-maint", fake_thread, fk);
  return path;
}

static void
stop_fake(Fake *fk)
{
  g_thread_join(fk->thread);
  g_object_unref(fk->listener);
  g_free(fk->status_args);
}

static void
test_status(void)
{
  g_autofree char *dir = g_dir_make_tmp("vgwmaint-XXXXXX", NULL);
  Fake fk = { 0 };
  g_autofree char *path = start_fake(&fk, dir);
  VgwMaintTarget t = { .socket_path = path, .timeout_s = 5 };
  const char *req[] = { "status", "a b", "\"q\"", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = vgw_maint_request(&t, req, &error);

  g_assert_no_error(error);
  g_assert_nonnull(reply);
  g_assert_cmpstr(json_object_get_string_member(reply, "firmware"), ==, "0.1.0");
  g_thread_join(fk.thread);
  /* Arguments arrive intact through the quoting; the session ended. */
  g_assert_cmpstr(fk.status_args, ==, "a b|\"q\"");
  g_assert_true(fk.saw_logout);
  /* A bare newline went first, ending any partial line left before us. */
  g_assert_true(fk.newline_first);
  g_object_unref(fk.listener);
  g_free(fk.status_args);
  g_unlink(path);
  remove_dir(dir);
}

static void
test_login_failed_and_error_reply(void)
{
  g_autofree char *dir = g_dir_make_tmp("vgwmaint-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  const char *status[] = { "status", NULL };
  const char *bogus[] = { "frob", NULL };
  Fake fk = { 0 };
  g_autofree char *path = start_fake(&fk, dir);
  VgwMaintTarget t = { .socket_path = path, .user = "Admin", .password = "wrong", .timeout_s = 5 };

  g_assert_null(vgw_maint_request(&t, status, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_FAILED);
  g_assert_cmpstr(error->message, ==, "maintenance port login failed for user 'Admin': login failed");
  g_clear_error(&error);
  stop_fake(&fk);

  memset(&fk, 0, sizeof fk);
  g_free(path);
  path = start_fake(&fk, dir);
  t.socket_path = path;
  t.password = NULL; /* $VGW_PASSWORD or Admin */
  g_unsetenv("VGW_PASSWORD");
  g_assert_null(vgw_maint_request(&t, bogus, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_FAILED);
  g_assert_cmpstr(error->message, ==, "frob: unknown command");
  stop_fake(&fk);

  /* An error reply that is not UTF-8 keeps its message, made valid. */
  memset(&fk, 0, sizeof fk);
  g_free(path);
  path = start_fake(&fk, dir);
  t.socket_path = path;
  {
    const char *latin1[] = { "latin1", NULL };
    g_clear_error(&error);
    g_assert_null(vgw_maint_request(&t, latin1, &error));
    g_assert_error(error, VGW_ERROR, VGW_ERROR_FAILED);
    g_assert_cmpstr(error->message, ==, "latin1: caf\xef\xbf\xbd \xef\xbf\xbd");
  }
  stop_fake(&fk);
  g_unlink(path);
  remove_dir(dir);
}

static void
test_timeout_and_no_socket(void)
{
  g_autofree char *dir = g_dir_make_tmp("vgwmaint-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  const char *status[] = { "status", NULL };
  Fake fk = { .silent = TRUE };
  g_autofree char *path = start_fake(&fk, dir);
  VgwMaintTarget t = { .socket_path = path, .timeout_s = 1 };

  g_assert_null(vgw_maint_request(&t, status, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT);
  g_assert_true(g_str_has_prefix(error->message, "maintenance port did not answer within 1 s"));
  g_clear_error(&error);
  stop_fake(&fk);
  g_unlink(path);

  g_assert_null(vgw_maint_request(&t, status, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_FAILED);
  g_assert_true(g_str_has_prefix(error->message, "cannot connect to the maintenance port"));
  remove_dir(dir);
}

/* A starting firmware drops what reached the UART before it opened it:
 * an unanswered login is sent again, and its reply still counts. */
static void
test_login_resent(void)
{
  g_autofree char *dir = g_dir_make_tmp("vgwmaint-XXXXXX", NULL);
  Fake fk = { .ignore_logins = 1 };
  g_autofree char *path = start_fake(&fk, dir);
  VgwMaintTarget t = { .socket_path = path, .timeout_s = 4 * VGW_MAINT_LOGIN_RESEND_S };
  const char *req[] = { "status", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = vgw_maint_request(&t, req, &error);

  g_assert_no_error(error);
  g_assert_cmpstr(json_object_get_string_member(reply, "state"), ==, "running");
  stop_fake(&fk);
  g_assert_cmpuint(fk.logins, ==, 2);
  g_unlink(path);
  remove_dir(dir);
}

/* Another vgw holding the port: this one waits its turn, up to its
 * timeout, and says whom it waited for. */
static void
test_queue_behind_vgw(void)
{
  g_autofree char *dir = g_dir_make_tmp("vgwmaint-XXXXXX", NULL);
  g_autofree char *lock = g_build_filename(dir, VGW_MAINT_LOCK_NAME, NULL);
  g_autofree char *path = g_build_filename(dir, "maint.sock", NULL);
  g_autofree char *expect = NULL;
  VgwMaintTarget t = { .socket_path = path, .timeout_s = 1 };
  const char *req[] = { "status", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) reply = NULL;
  Fake fk = { 0 };
  int fd = open(lock, O_RDWR | O_CREAT, 0600);

  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpint(write(fd, "4242\n", 5), ==, 5);
  /* flock is per open file: a second open in this process contends. */
  g_assert_cmpint(flock(fd, LOCK_EX), ==, 0);
  g_assert_null(vgw_maint_request(&t, req, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT);
  g_assert_cmpstr(error->message, ==,
                  "maintenance port is still in use by another vgw (pid 4242) after 1 s");
  g_clear_error(&error);

  close(fd);
  g_free(path);
  path = start_fake(&fk, dir);
  t.socket_path = path;
  t.timeout_s = 5;
  reply = vgw_maint_request(&t, req, &error);
  g_assert_no_error(error);
  g_assert_nonnull(reply);
  stop_fake(&fk);
  g_unlink(path);
  remove_dir(dir);
}

/* A client that is not vgw (a socat left open) holds the port: refused at
 * once, naming it; once it hangs up the port is free again. */
static void
test_foreign_holder(void)
{
  g_autofree char *dir = g_dir_make_tmp("vgwmaint-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "maint.sock", NULL);
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) listener = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GSocket) holder = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, NULL);
  g_autoptr(GSocket) served = NULL;
  g_autofree char *who = NULL;
  VgwMaintTarget t = { .socket_path = path, .timeout_s = 30 };
  const char *req[] = { "status", NULL };

  g_assert_true(g_socket_bind(listener, addr, FALSE, &error));
  g_assert_true(g_socket_listen(listener, &error));
  g_assert_true(g_socket_connect(holder, addr, NULL, &error));
  served = g_socket_accept(listener, NULL, &error);
  g_assert_nonnull(served);

  /* BUSY, not TIMEOUT: refused without waiting. */
  g_assert_null(vgw_maint_request(&t, req, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_BUSY);
  /* This test process holds the client end. */
  who = g_strdup_printf("maintenance port is in use by pid %d (", (int) getpid());
  g_assert_true(g_str_has_prefix(error->message, who));
  g_assert_nonnull(strstr(error->message, "test-vgw-maint"));
  g_clear_error(&error);

  /* The holder hung up but the server has not noticed yet: not a holder. */
  g_socket_close(holder, NULL);
  {
    VgwSockHolder h;
    g_assert_false(vgw_sock_holder_find(path, &h));
  }
  g_socket_close(served, NULL);
  g_socket_close(listener, NULL);
  g_unlink(path);
  remove_dir(dir);
}

/* What vgw prints as JSON is valid UTF-8 whatever the strings held. */
static void
test_json_out_valid_utf8(void)
{
  g_autoptr(JsonNode) root = json_node_new(JSON_NODE_OBJECT);
  JsonObject *o = json_object_new();
  JsonArray *a = json_array_new();
  g_autofree char *text = NULL;

  json_object_set_string_member(o, "state_dir", "/tmp/\xff/vgw");
  json_object_set_string_member(o, "k\xfe", "ok");
  json_array_add_string_element(a, "caf\xc3\xa9");
  json_array_add_int_element(a, 7);
  json_object_set_array_member(o, "list", a);
  json_object_set_null_member(o, "none");
  json_node_take_object(root, o);
  text = vgw_json_to_text(root);
  g_assert_true(g_utf8_validate(text, -1, NULL));
  g_assert_cmpstr(text, ==, "{\"state_dir\":\"/tmp/\xef\xbf\xbd/vgw\",\"k\xef\xbf\xbd\":\"ok\","
                            "\"list\":[\"caf\xc3\xa9\",7],\"none\":null}");
}

static void
test_ids(void)
{
  g_autofree char *a = vgw_maint_new_id();
  g_autofree char *b = vgw_maint_new_id();

  g_assert_cmpstr(a, !=, b);
  g_assert_true(vgw_mgmt_id_is_valid(a));
  g_assert_true(vgw_mgmt_id_is_valid(b));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/maint/status", test_status);
  g_test_add_func("/maint/login-failed-and-error-reply", test_login_failed_and_error_reply);
  g_test_add_func("/maint/timeout-and-no-socket", test_timeout_and_no_socket);
  g_test_add_func("/maint/ids", test_ids);
  g_test_add_func("/maint/json-out-valid-utf8", test_json_out_valid_utf8);
  g_test_add_func("/maint/login-resent", test_login_resent);
  g_test_add_func("/maint/queue-behind-vgw", test_queue_behind_vgw);
  g_test_add_func("/maint/foreign-holder", test_foreign_holder);
  return g_test_run();
}
