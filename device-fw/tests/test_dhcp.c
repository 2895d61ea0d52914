/* Unit test for the udhcpc child process handling, with a fake udhcpc
 * (a shell script first in PATH) and a private run directory. */
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/dhcp.h"

static char *tmp;

static const char FAKE_UDHCPC[] =
    "#!/bin/sh\n"
    "echo \"lease for $3 via $5\"\n"
    "echo 'to stderr' >&2\n"
    "exec sleep 30\n";

/* The "vgw" domain's messages, collected instead of printed. */
static GPtrArray *logged;

static void collect_message(const char *domain, GLogLevelFlags level,
                            const char *message, gpointer data) {
  g_ptr_array_add(logged, g_strdup(message));
}

static gboolean was_logged(const char *pattern) {
  for (guint i = 0; i < logged->len; i++) {
    if (g_pattern_match_simple(pattern, g_ptr_array_index(logged, i))) {
      return TRUE;
    }
  }
  return FALSE;
}

/* Runs the main context until |pattern| is logged.  No deadline: if it
 * never comes, the test harness's timeout reports it. */
static void wait_logged(const char *pattern) {
  while (!was_logged(pattern)) {
    g_main_context_iteration(NULL, TRUE);
  }
}

/* Waits until process |pid| has exec'd |comm| (its /proc comm says so):
 * before that it is still a copy of this test. */
static void wait_exec(pid_t pid, const char *comm) {
  char *path = g_strdup_printf("/proc/%d/comm", (int)pid);
  char *expected = g_strconcat(comm, "\n", NULL);
  for (;;) {
    char *now = NULL;
    gboolean done = g_file_get_contents(path, &now, NULL, NULL) &&
                    strcmp(now, expected) == 0;
    g_free(now);
    if (done) {
      break;
    }
    g_usleep(1000);
  }
  g_free(expected);
  g_free(path);
}

static void test_spawn_and_stale(void) {
  /* A "stale" client from an earlier vgwd, recorded in the pid file: a
   * copy of sleep named udhcpc, so its /proc/PID/comm says udhcpc. */
  char *dir = g_build_filename(tmp, "stale", NULL);
  char *fake_client = g_build_filename(dir, "udhcpc", NULL);
  g_mkdir_with_parents(dir, 0755);
  char *sleep_path = g_find_program_in_path("sleep");
  char *sleep_data = NULL;
  gsize sleep_len = 0;
  g_assert_true(g_file_get_contents(sleep_path, &sleep_data, &sleep_len, NULL));
  g_assert_true(g_file_set_contents(fake_client, sleep_data, sleep_len, NULL));
  g_chmod(fake_client, 0755);
  pid_t stale = fork();
  if (stale == 0) {
    execl(fake_client, "udhcpc", "30", NULL);
    _exit(127);
  }
  wait_exec(stale, "udhcpc");
  char *pidfile = g_build_filename(tmp, "udhcpc-eth9.pid", NULL);
  char *text = g_strdup_printf("%d\n", (int)stale);
  g_assert_true(g_file_set_contents(pidfile, text, -1, NULL));

  GError *error = NULL;
  VgwDhcp *dhcp = vgw_dhcp_start("eth9", &error);
  g_assert_no_error(error);
  g_assert_nonnull(dhcp);
  int status = 0;
  g_assert_cmpint(waitpid(stale, &status, 0), ==, stale);
  g_assert_true(WIFSIGNALED(status));
  g_assert_cmpint(WTERMSIG(status), ==, SIGTERM);
  g_assert_true(was_logged("dhcp: stopped stale udhcpc (pid *)"));
  /* The client's stdout and stderr both reach the log, line by line. */
  wait_logged("dhcp[eth9]: lease for eth9 via /etc/vgw/udhcpc.script");
  wait_logged("dhcp[eth9]: to stderr");
  vgw_dhcp_stop(dhcp);
  g_free(text);
  g_free(pidfile);
  g_free(sleep_data);
  g_free(sleep_path);
  g_free(fake_client);
  g_free(dir);
}

static void test_pid_reused(void) {
  /* The pid file names a process that is not a udhcpc (pid reused):
   * it must survive. */
  pid_t other = fork();
  if (other == 0) {
    execlp("sleep", "sleep", "30", NULL);
    _exit(127);
  }
  wait_exec(other, "sleep");
  char *pidfile = g_build_filename(tmp, "udhcpc-eth8.pid", NULL);
  char *text = g_strdup_printf("%d\n", (int)other);
  g_assert_true(g_file_set_contents(pidfile, text, -1, NULL));
  VgwDhcp *dhcp = vgw_dhcp_start("eth8", NULL);
  g_assert_nonnull(dhcp);
  int status = 0;
  g_assert_cmpint(waitpid(other, &status, WNOHANG), ==, 0);
  kill(other, SIGKILL);
  waitpid(other, &status, 0);
  vgw_dhcp_stop(dhcp);
  g_free(text);
  g_free(pidfile);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  logged = g_ptr_array_new_with_free_func(g_free);
  g_log_set_handler("vgw", G_LOG_LEVEL_MESSAGE, collect_message, NULL);
  tmp = g_dir_make_tmp("vgw-dhcp-XXXXXX", NULL);
  char *fake = g_build_filename(tmp, "udhcpc", NULL);
  g_assert_true(g_file_set_contents(fake, FAKE_UDHCPC, -1, NULL));
  g_chmod(fake, 0755);
  char *path = g_strdup_printf("%s:%s", tmp, g_getenv("PATH"));
  g_setenv("PATH", path, TRUE);
  g_setenv("VGW_RUN_DIR", tmp, TRUE);
  g_test_add_func("/net/dhcp/spawn-and-stale", test_spawn_and_stale);
  g_test_add_func("/net/dhcp/pid-reused", test_pid_reused);
  int rc = g_test_run();
  char *rm[] = {"rm", "-rf", tmp, NULL};
  g_spawn_sync(NULL, rm, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
               NULL, NULL);
  g_free(path);
  g_free(fake);
  return rc;
}
