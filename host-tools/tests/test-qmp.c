/* The QMP client against an in-process fake QMP server running a script
 * in a thread, over a socketpair or a real unix socket. */
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qmp.h"

#define GREETING "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 2, \"major\": 7}}, \"capabilities\": [\"oob\"]}}"

/* A script is a list of steps:
 *   "S<line>"   send the line
 *   "E<cmd>"    read a request; it must execute <cmd>; remember its id
 *   "E<cmd>|<text>"  same, and the request line must contain <text>
 *   "R<json>"   send the object <json> with the remembered id added
 *   "C"         close the connection
 *   "D"         wait until the client disconnects, then close */
typedef struct {
  const char *const *steps;
  int fd;
  char *failure; /* first mismatch seen by the server */
} Server;

static char *
read_line(FILE *f)
{
  char buf[65536];

  if (fgets(buf, sizeof buf, f) == NULL)
    return NULL;
  buf[strcspn(buf, "\r\n")] = '\0';
  return g_strdup(buf);
}

static gpointer
server_thread(gpointer data)
{
  Server *srv = data;
  FILE *in = fdopen(dup(srv->fd), "r");
  g_autofree char *id = NULL;

  for (const char *const *step = srv->steps; *step != NULL; step++) {
    const char *arg = *step + 1;
    switch (**step) {
    case 'S': {
      g_autofree char *line = g_strconcat(arg, "\r\n", NULL);
      if (write(srv->fd, line, strlen(line)) < 0)
        goto out;
      break;
    }
    case 'E': {
      g_autofree char *line = read_line(in);
      g_auto(GStrv) parts = g_strsplit(arg, "|", 2);
      g_autoptr(JsonParser) p = json_parser_new();
      JsonObject *o;
      if (line == NULL || !json_parser_load_from_data(p, line, -1, NULL)) {
        srv->failure = g_strdup_printf("expected %s, got %s", arg, line ? line : "EOF");
        goto out;
      }
      o = json_node_get_object(json_parser_get_root(p));
      if (g_strcmp0(json_object_get_string_member(o, "execute"), parts[0]) != 0 ||
          (parts[1] != NULL && strstr(line, parts[1]) == NULL)) {
        srv->failure = g_strdup_printf("expected %s, got %s", arg, line);
        goto out;
      }
      g_free(id);
      id = g_strdup(json_object_get_string_member(o, "id"));
      break;
    }
    case 'R': {
      g_autoptr(JsonParser) p = json_parser_new();
      g_autofree char *text = NULL;
      g_autofree char *line = NULL;
      g_assert_true(json_parser_load_from_data(p, arg, -1, NULL));
      json_object_set_string_member(json_node_get_object(json_parser_get_root(p)), "id", id);
      text = json_to_string(json_parser_get_root(p), FALSE);
      line = g_strconcat(text, "\r\n", NULL);
      if (write(srv->fd, line, strlen(line)) < 0)
        goto out;
      break;
    }
    case 'C':
      goto out;
    case 'D': {
      char c;
      while (read(srv->fd, &c, 1) > 0)
        ;
      goto out;
    }
    }
  }
  /* End of script: wait for the client to go, like QEMU would. */
  {
    char c;
    while (read(srv->fd, &c, 1) > 0)
      ;
  }
out:
  fclose(in);
  close(srv->fd);
  return NULL;
}

typedef struct {
  Server srv;
  GThread *thread;
  GSocket *client;
} Fixture;

static void
start(Fixture *fx, const char *const *steps)
{
  int sv[2];
  g_autoptr(GError) error = NULL;

  g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
  fx->srv.steps = steps;
  fx->srv.fd = sv[1];
  fx->srv.failure = NULL;
  fx->client = g_socket_new_from_fd(sv[0], &error);
  g_assert_no_error(error);
  fx->thread = g_thread_new("fake-qmp", server_thread, &fx->srv);
}

static void
finish(Fixture *fx, VgwQmp *qmp)
{
  /* Closing the client ends the server's wait. */
  vgw_qmp_free(qmp);
  g_socket_close(fx->client, NULL);
  g_object_unref(fx->client);
  g_thread_join(fx->thread);
  if (fx->srv.failure != NULL)
    g_error("fake server: %s", fx->srv.failure);
}

static void
test_handshake_and_return(void)
{
  const char *const steps[] = {
    "S" GREETING, "Eqmp_capabilities", "R{\"return\": {}}",
    "Equery-status", "R{\"return\": {\"status\": \"running\", \"running\": true}}",
    NULL,
  };
  g_autoptr(GError) error = NULL;
  Fixture fx;
  VgwQmp *qmp;
  JsonNode *ret;

  start(&fx, steps);
  qmp = vgw_qmp_new_for_socket(fx.client, 2000, &error);
  g_assert_no_error(error);
  g_assert_nonnull(qmp);
  ret = vgw_qmp_execute(qmp, "query-status", NULL, &error);
  g_assert_no_error(error);
  g_assert_true(JSON_NODE_HOLDS_OBJECT(ret));
  g_assert_cmpstr(json_object_get_string_member(json_node_get_object(ret), "status"), ==, "running");
  g_assert_cmpuint(vgw_qmp_get_events(qmp)->len, ==, 0);
  json_node_unref(ret);
  finish(&fx, qmp);
}

static void
test_arguments_sent(void)
{
  const char *const steps[] = {
    "S" GREETING, "Eqmp_capabilities", "R{\"return\": {}}",
    "Ehuman-monitor-command|\"arguments\":{\"command-line\":\"info status\"}", "R{\"return\": \"ok\"}", NULL,
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) args = json_object_new();
  Fixture fx;
  VgwQmp *qmp;
  JsonNode *ret;

  json_object_set_string_member(args, "command-line", "info status");
  start(&fx, steps);
  qmp = vgw_qmp_new_for_socket(fx.client, 2000, &error);
  g_assert_no_error(error);
  ret = vgw_qmp_execute(qmp, "human-monitor-command", args, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(json_node_get_string(ret), ==, "ok");
  json_node_unref(ret);
  finish(&fx, qmp);
}

static void
test_error_desc(void)
{
  const char *const steps[] = {
    "S" GREETING, "Eqmp_capabilities", "R{\"return\": {}}",
    "Ebogus", "R{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command bogus has not been found\"}}",
    NULL,
  };
  g_autoptr(GError) error = NULL;
  Fixture fx;
  VgwQmp *qmp;

  start(&fx, steps);
  qmp = vgw_qmp_new_for_socket(fx.client, 2000, &error);
  g_assert_no_error(error);
  g_assert_null(vgw_qmp_execute(qmp, "bogus", NULL, &error));
  g_assert_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_COMMAND);
  g_assert_cmpstr(error->message, ==, "The command bogus has not been found");
  finish(&fx, qmp);
}

static void
test_events_before_return(void)
{
  const char *const steps[] = {
    "S" GREETING, "Eqmp_capabilities", "R{\"return\": {}}",
    "Esystem_reset",
    "S{\"timestamp\": {\"seconds\": 1, \"microseconds\": 2}, \"event\": \"RESET\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-system-reset\"}}",
    "S{\"event\": \"WATCHDOG\", \"data\": {\"action\": \"reset\"}, \"timestamp\": {\"seconds\": 1, \"microseconds\": 3}}",
    "S{\"return\": {}, \"id\": \"someone-else\"}",
    "S",
    "R{\"return\": {}}",
    "Equit", "R{\"return\": {}}",
    "S{\"event\": \"SHUTDOWN\", \"data\": {\"guest\": false, \"reason\": \"host-qmp-quit\"}, \"timestamp\": {\"seconds\": 1, \"microseconds\": 4}}",
    "C", NULL,
  };
  g_autoptr(GError) error = NULL;
  Fixture fx;
  VgwQmp *qmp;
  JsonNode *ret;
  GPtrArray *events;

  start(&fx, steps);
  qmp = vgw_qmp_new_for_socket(fx.client, 2000, &error);
  g_assert_no_error(error);
  ret = vgw_qmp_execute(qmp, "system_reset", NULL, &error);
  g_assert_no_error(error);
  json_node_unref(ret);
  events = vgw_qmp_get_events(qmp);
  g_assert_cmpuint(events->len, ==, 2);
  g_assert_cmpstr(json_object_get_string_member(g_ptr_array_index(events, 0), "event"), ==, "RESET");
  g_assert_cmpstr(json_object_get_string_member(g_ptr_array_index(events, 1), "event"), ==, "WATCHDOG");
  g_assert_true(vgw_qmp_has_event(qmp, "RESET"));
  g_assert_false(vgw_qmp_has_event(qmp, "SHUTDOWN"));

  ret = vgw_qmp_execute(qmp, "quit", NULL, &error);
  g_assert_no_error(error);
  json_node_unref(ret);
  g_assert_true(vgw_qmp_wait_event(qmp, "SHUTDOWN", &error));
  g_assert_no_error(error);
  g_assert_false(vgw_qmp_wait_event(qmp, "STOP", &error));
  g_assert_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_CLOSED);
  finish(&fx, qmp);
}

static void
test_closed_early(void)
{
  const char *const after_greeting[] = { "S" GREETING, "C", NULL };
  const char *const after_request[] = {
    "S" GREETING, "Eqmp_capabilities", "R{\"return\": {}}", "Equery-status", "C", NULL,
  };
  const char *const immediately[] = { "C", NULL };
  g_autoptr(GError) error = NULL;
  Fixture fx;
  VgwQmp *qmp;

  start(&fx, after_greeting);
  g_assert_null(vgw_qmp_new_for_socket(fx.client, 2000, &error));
  g_assert_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_CLOSED);
  g_clear_error(&error);
  finish(&fx, NULL);

  start(&fx, immediately);
  g_assert_null(vgw_qmp_new_for_socket(fx.client, 2000, &error));
  g_assert_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_CLOSED);
  g_clear_error(&error);
  finish(&fx, NULL);

  start(&fx, after_request);
  qmp = vgw_qmp_new_for_socket(fx.client, 2000, &error);
  g_assert_no_error(error);
  g_assert_null(vgw_qmp_execute(qmp, "query-status", NULL, &error));
  g_assert_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_CLOSED);
  g_assert_nonnull(strstr(error->message, "query-status"));
  finish(&fx, qmp);
}

static void
test_not_qmp_and_timeout(void)
{
  const char *const garbage[] = { "Shello, this is not QMP", "D", NULL };
  const char *const no_greeting[] = { "S{\"return\": {}}", "D", NULL };
  const char *const silent[] = { "S" GREETING, "Eqmp_capabilities", "D", NULL };
  g_autoptr(GError) error = NULL;
  Fixture fx;
  gint64 t0;

  start(&fx, garbage);
  g_assert_null(vgw_qmp_new_for_socket(fx.client, 2000, &error));
  g_assert_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_PROTOCOL);
  g_clear_error(&error);
  finish(&fx, NULL);

  start(&fx, no_greeting);
  g_assert_null(vgw_qmp_new_for_socket(fx.client, 2000, &error));
  g_assert_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_PROTOCOL);
  g_clear_error(&error);
  finish(&fx, NULL);

  start(&fx, silent);
  t0 = g_get_monotonic_time();
  g_assert_null(vgw_qmp_new_for_socket(fx.client, 300, &error));
  g_assert_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_TIMEOUT);
  /* The timeout must not fire early.  No upper bound: on a loaded machine
   * the wake-up can come late; a wait that never ends is caught by the
   * test harness's own timeout. */
  g_assert_cmpint(g_get_monotonic_time() - t0, >=, 250 * 1000);
  finish(&fx, NULL);
}

/* A real unix socket path, as vgw uses QEMU's qmp.sock. */
typedef struct {
  GSocket *listener;
  Server srv;
} UnixServer;

static gpointer
unix_accept_thread(gpointer data)
{
  UnixServer *us = data;
  g_autoptr(GSocket) conn = g_socket_accept(us->listener, NULL, NULL);

  g_assert_nonnull(conn);
  us->srv.fd = dup(g_socket_get_fd(conn));
  /* GSocket made the fd non-blocking; the fake server reads blocking. */
  fcntl(us->srv.fd, F_SETFL, fcntl(us->srv.fd, F_GETFL) & ~O_NONBLOCK);
  return server_thread(&us->srv);
}

static void
test_unix_socket(void)
{
  const char *const steps[] = {
    "S" GREETING, "Eqmp_capabilities", "R{\"return\": {}}",
    "Equery-status", "R{\"return\": {\"status\": \"paused\", \"running\": false}}", NULL,
  };
  g_autofree char *dir = g_dir_make_tmp("vgwqmp-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "qmp.sock", NULL);
  g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
  g_autoptr(GError) error = NULL;
  UnixServer us = { .srv.steps = steps };
  GThread *thread;
  VgwQmp *qmp;
  JsonNode *ret;

  /* Nobody listening yet: a connect error, not a hang. */
  g_assert_null(vgw_qmp_connect(path, 1000, &error));
  g_assert_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_CONNECT);
  g_clear_error(&error);

  us.listener = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM, 0, &error);
  g_assert_no_error(error);
  g_assert_true(g_socket_bind(us.listener, addr, FALSE, &error));
  g_assert_true(g_socket_listen(us.listener, &error));
  thread = g_thread_new("fake-qmp-unix", unix_accept_thread, &us);

  qmp = vgw_qmp_connect(path, 2000, &error);
  g_assert_no_error(error);
  ret = vgw_qmp_execute(qmp, "query-status", NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(json_object_get_string_member(json_node_get_object(ret), "status"), ==, "paused");
  json_node_unref(ret);
  vgw_qmp_free(qmp);
  g_thread_join(thread);
  g_assert_null(us.srv.failure);
  g_object_unref(us.listener);
  g_unlink(path);
  g_rmdir(dir);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/qmp/handshake-and-return", test_handshake_and_return);
  g_test_add_func("/qmp/arguments", test_arguments_sent);
  g_test_add_func("/qmp/error-desc", test_error_desc);
  g_test_add_func("/qmp/events-before-return", test_events_before_return);
  g_test_add_func("/qmp/closed-early", test_closed_early);
  g_test_add_func("/qmp/not-qmp-and-timeout", test_not_qmp_and_timeout);
  g_test_add_func("/qmp/unix-socket", test_unix_socket);
  return g_test_run();
}
