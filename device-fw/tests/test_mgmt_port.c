/* The maintenance port over a real tty (a pty standing in for UART1): a
 * NUL byte, which is how the tty delivers the board's BREAK, ends the
 * session and drops the replies still queued for the client that left. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>

#include "mgmt/mgmt_port.h"
#include "mgmt/mgmt_session.h"
#include "param_registry.h"

/* A bound on waiting for a reply, so a broken port fails the test instead
 * of hanging it; not a timing assertion. */
#define REPLY_WAIT_S 60

static GString *received;
static gboolean gave_up;

static gboolean on_master(int fd, GIOCondition cond, gpointer data) {
  char buf[1024];
  ssize_t n = read(fd, buf, sizeof(buf));
  if (n > 0) {
    g_string_append_len(received, buf, n);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean on_give_up(gpointer data) {
  gave_up = TRUE;
  return G_SOURCE_REMOVE;
}

/* wait_for runs the main loop until |text| has been received; returns
 * everything received before it (caller frees) and consumes through it. */
static char *wait_for(const char *text) {
  gave_up = FALSE;
  guint timer = g_timeout_add_seconds(REPLY_WAIT_S, on_give_up, NULL);
  const char *at;
  while ((at = strstr(received->str, text)) == NULL && !gave_up) {
    g_main_context_iteration(NULL, TRUE);
  }
  if (!gave_up) {
    g_source_remove(timer);
  }
  if (at == NULL) {
    g_error("no \"%s\" from the port; got \"%s\"", text, received->str);
  }
  gsize before = (gsize)(at - received->str);
  char *head = g_strndup(received->str, before);
  g_string_erase(received, 0, before + strlen(text));
  return head;
}

static void send_bytes(int master, const char *bytes, gsize len) {
  g_assert_cmpint(write(master, bytes, len), ==, (gssize)len);
}

static void no_status(VgwStatus *st, gpointer data) { st->state = "running"; }

static void no_action(VgwMgmtAction action, gpointer data) {}

static void test_break_ends_session(void) {
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  g_assert_cmpint(master, >=, 0);
  g_assert_cmpint(grantpt(master), ==, 0);
  g_assert_cmpint(unlockpt(master), ==, 0);
  gssize p = vgw_param_find_global("MaintenancePassword", 19);
  VgwMgmtSession *session = vgw_mgmt_session_new(
      "Admin", vgw_param_global((gsize)p)->default_text, no_status, NULL);
  GError *error = NULL;
  VgwMgmtPort *port = vgw_mgmt_port_open(ptsname(master), session, no_action,
                                         NULL, &error);
  g_assert_no_error(error);
  received = g_string_new(NULL);
  guint watch = g_unix_fd_add(master, G_IO_IN, on_master, NULL);

  static const char login[] = "@1 login Admin Admin\n";
  send_bytes(master, login, sizeof(login) - 1);
  g_free(wait_for("@1 ok {\"user\":\"Admin\"}\n"));

  /* The host side hangs up right after a request: its reply is dropped,
   * and the next client starts logged out. */
  static const char gone[] = "@2 status\n\0";
  send_bytes(master, gone, sizeof(gone) - 1);
  static const char next[] = "@3 status\n";
  send_bytes(master, next, sizeof(next) - 1);
  char *before = wait_for("@3 error {\"error\":\"login required\"}\n");
  g_assert_null(strstr(before, "@2"));
  g_free(before);

  /* A half line before the break does not spoil the next request. */
  static const char half[] = "@4 sta\0@5 login Admin Admin\n";
  send_bytes(master, half, sizeof(half) - 1);
  before = wait_for("@5 ok {\"user\":\"Admin\"}\n");
  g_assert_null(strstr(before, "@4"));
  g_free(before);

  g_source_remove(watch);
  vgw_mgmt_port_close(port);
  vgw_mgmt_session_free(session);
  close(master);
  g_string_free(received, TRUE);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mgmt/port/break-ends-session", test_break_ends_session);
  return g_test_run();
}
