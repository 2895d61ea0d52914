/* udhcpc child process: see dhcp.h. */
#include "net/dhcp.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#include "net/netif.h"

struct VgwDhcp {
  char *ifname;
  char *pidfile;
  GPid pid;
  guint child_watch;
  guint out_watch;
  guint restart_timer;
  int out_fd;
  GString *out_line;
};

static gboolean spawn_client(VgwDhcp *dhcp, GError **error);

/* kill_stale ends a client a crashed vgwd left behind: it still holds the
 * interface and would fight the new one. */
static void kill_stale(const char *pidfile) {
  char *text = NULL;
  if (g_file_get_contents(pidfile, &text, NULL, NULL)) {
    long pid = strtol(text, NULL, 10);
    char *comm_path = g_strdup_printf("/proc/%ld/comm", pid);
    char *comm = NULL;
    /* Only a udhcpc: the pid may have been reused since. */
    gboolean is_udhcpc =
        pid > 1 && g_file_get_contents(comm_path, &comm, NULL, NULL) &&
        g_str_has_prefix(comm, "udhcpc");
    g_free(comm);
    g_free(comm_path);
    if (is_udhcpc && kill((pid_t)pid, SIGTERM) == 0) {
      g_message("dhcp: stopped stale udhcpc (pid %ld)", pid);
    }
    unlink(pidfile);
  }
  g_free(text);
}

/* skip_first_deconfig: udhcpc always starts with a "deconfig" call of its
 * script, which would flush the interface's addresses before the first
 * DISCOVER. On a fresh interface there is nothing to flush (and the flush
 * costs process starts on the boot path); after a vgwd crash the
 * interface still holds the lease the previous client obtained, which
 * should stay until the new client renews it. Either way the script skips
 * that first flush when this marker is non-empty, and empties it. */
static void skip_first_deconfig(const char *run_dir, const char *ifname) {
  char *addr = vgw_netif_get_ipv4(ifname);
  char *marker = g_strdup_printf("%s/keep-%s", run_dir, ifname);
  g_file_set_contents(marker, addr != NULL ? addr : "none", -1, NULL);
  if (addr != NULL) {
    g_message("dhcp[%s]: keeping %s while the new client renews it", ifname,
              addr);
  }
  g_free(marker);
  g_free(addr);
}

static void close_output(VgwDhcp *dhcp) {
  if (dhcp->out_watch != 0) {
    g_source_remove(dhcp->out_watch);
    dhcp->out_watch = 0;
  }
  if (dhcp->out_fd >= 0) {
    close(dhcp->out_fd);
    dhcp->out_fd = -1;
  }
}

/* on_output forwards udhcpc's output, line by line, to the log. */
static gboolean on_output(int fd, GIOCondition cond, gpointer data) {
  VgwDhcp *dhcp = data;
  char buf[512];
  ssize_t n = read(fd, buf, sizeof(buf));
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
    return G_SOURCE_CONTINUE;
  }
  if (n <= 0) {
    dhcp->out_watch = 0;
    close(dhcp->out_fd);
    dhcp->out_fd = -1;
    return G_SOURCE_REMOVE;
  }
  for (ssize_t i = 0; i < n; i++) {
    if (buf[i] == '\n') {
      g_message("dhcp[%s]: %s", dhcp->ifname, dhcp->out_line->str);
      g_string_truncate(dhcp->out_line, 0);
    } else if (dhcp->out_line->len < 400) {
      g_string_append_c(dhcp->out_line, buf[i]);
    }
  }
  return G_SOURCE_CONTINUE;
}

static gboolean on_restart(gpointer data) {
  VgwDhcp *dhcp = data;
  GError *error = NULL;
  dhcp->restart_timer = 0;
  if (!spawn_client(dhcp, &error)) {
    g_warning("dhcp[%s]: %s", dhcp->ifname, error->message);
    g_error_free(error);
    dhcp->restart_timer = g_timeout_add_seconds(5, on_restart, dhcp);
  }
  return G_SOURCE_REMOVE;
}

static void on_client_exit(GPid pid, gint status, gpointer data) {
  VgwDhcp *dhcp = data;
  g_spawn_close_pid(pid);
  dhcp->pid = 0;
  dhcp->child_watch = 0;
  g_warning("dhcp[%s]: udhcpc exited (status 0x%x), restarting in 5 s",
            dhcp->ifname, (unsigned)status);
  dhcp->restart_timer = g_timeout_add_seconds(5, on_restart, dhcp);
}

static gboolean spawn_client(VgwDhcp *dhcp, GError **error) {
  const char *argv[] = {
      "udhcpc", "-f", "-i", dhcp->ifname, "-s", VGW_UDHCPC_SCRIPT,
      "-p", dhcp->pidfile, "-t", "5", "-T", "2", "-A", "3",
      "-x", "hostname:vgw", NULL};
  /* stdout and stderr share one pipe so every message reaches the log. */
  int fds[2];
  if (!g_unix_open_pipe(fds, FD_CLOEXEC, error)) {
    return FALSE;
  }
  gboolean ok = g_spawn_async_with_pipes_and_fds(
      NULL, argv, NULL,
      G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD |
          G_SPAWN_STDIN_FROM_DEV_NULL,
      NULL, NULL, -1, fds[1], fds[1], NULL, NULL, 0, &dhcp->pid, NULL, NULL,
      NULL, error);
  close(fds[1]);
  if (!ok) {
    close(fds[0]);
    return FALSE;
  }
  int out_fd = fds[0];
  close_output(dhcp);
  dhcp->out_fd = out_fd;
  g_unix_set_fd_nonblocking(out_fd, TRUE, NULL);
  dhcp->out_watch = g_unix_fd_add(out_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                  on_output, dhcp);
  dhcp->child_watch = g_child_watch_add(dhcp->pid, on_client_exit, dhcp);
  return TRUE;
}

VgwDhcp *vgw_dhcp_start(const char *ifname, GError **error) {
  VgwDhcp *dhcp = g_new0(VgwDhcp, 1);
  dhcp->ifname = g_strdup(ifname);
  const char *run_dir = g_getenv("VGW_RUN_DIR");
  if (run_dir == NULL) {
    run_dir = VGW_RUN_DIR;
  }
  dhcp->pidfile = g_strdup_printf("%s/udhcpc-%s.pid", run_dir, ifname);
  dhcp->out_fd = -1;
  dhcp->out_line = g_string_new(NULL);
  g_mkdir_with_parents(run_dir, 0755);
  kill_stale(dhcp->pidfile);
  skip_first_deconfig(run_dir, ifname);
  if (!spawn_client(dhcp, error)) {
    vgw_dhcp_stop(dhcp);
    return NULL;
  }
  return dhcp;
}

void vgw_dhcp_stop(VgwDhcp *dhcp) {
  if (dhcp == NULL) {
    return;
  }
  if (dhcp->restart_timer != 0) {
    g_source_remove(dhcp->restart_timer);
  }
  if (dhcp->child_watch != 0) {
    g_source_remove(dhcp->child_watch);
  }
  if (dhcp->pid > 0) {
    kill(dhcp->pid, SIGTERM);
    g_spawn_close_pid(dhcp->pid);
  }
  close_output(dhcp);
  g_string_free(dhcp->out_line, TRUE);
  g_free(dhcp->pidfile);
  g_free(dhcp->ifname);
  g_free(dhcp);
}
