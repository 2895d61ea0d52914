/* Maintenance port I/O: see mgmt_port.h. */
#include "mgmt/mgmt_port.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <glib-unix.h>


/* How often, and how many times, to look whether the UART has sent the
 * last reply before running an action. */
#define DRAIN_POLL_MS 10
#define DRAIN_POLL_MAX 100

struct VgwMgmtPort {
  int fd;
  VgwMgmtSession *session;
  VgwMgmtActionFunc act;
  gpointer act_data;
  GString *out;            /* bytes waiting to be written */
  gboolean at_line_start;  /* last byte queued was "\n" (or nothing yet) */
  guint in_watch;
  guint out_watch;
  guint delay_timer;       /* failed-login delay */
  char *delayed_output;
  gboolean delayed_machine;
  VgwMgmtAction pending;   /* action waiting for the output to drain */
  guint drain_timer;
  guint drain_polls;
};

static void process_lines(VgwMgmtPort *port);

static gboolean busy(const VgwMgmtPort *port) {
  return port->delay_timer != 0 || port->pending != VGW_MGMT_ACTION_NONE;
}

static gboolean on_drain_poll(gpointer data) {
  VgwMgmtPort *port = data;
  int queued = 0;
  if (ioctl(port->fd, TIOCOUTQ, &queued) == 0 && queued > 0 &&
      ++port->drain_polls < DRAIN_POLL_MAX) {
    return G_SOURCE_CONTINUE;
  }
  port->drain_timer = 0;
  VgwMgmtAction action = port->pending;
  port->pending = VGW_MGMT_ACTION_NONE;
  port->act(action, port->act_data);
  process_lines(port);
  return G_SOURCE_REMOVE;
}

/* output_drained runs once our queue is empty: wait for the kernel's. */
static void output_drained(VgwMgmtPort *port) {
  if (port->pending != VGW_MGMT_ACTION_NONE && port->drain_timer == 0) {
    port->drain_polls = 0;
    port->drain_timer = g_timeout_add(DRAIN_POLL_MS, on_drain_poll, port);
  }
}

static gboolean on_writable(int fd, GIOCondition cond, gpointer data) {
  VgwMgmtPort *port = data;
  while (port->out->len > 0) {
    ssize_t n = write(fd, port->out->str, port->out->len);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0 && errno == EAGAIN) {
      return G_SOURCE_CONTINUE;
    }
    if (n < 0) {
      g_warning("maintenance: write: %s", g_strerror(errno));
      g_string_truncate(port->out, 0);
      break;
    }
    g_string_erase(port->out, 0, n);
  }
  port->out_watch = 0;
  output_drained(port);
  return G_SOURCE_REMOVE;
}

static void queue_output(VgwMgmtPort *port, const char *text,
                         gboolean machine) {
  if (text == NULL || *text == '\0') {
    output_drained(port);
    return;
  }
  /* A reply must start a line even after a prompt, so clients can match
   * it by prefix. */
  if (machine && !port->at_line_start) {
    g_string_append_c(port->out, '\n');
  }
  g_string_append(port->out, text);
  port->at_line_start = port->out->str[port->out->len - 1] == '\n';
  if (port->out_watch == 0) {
    port->out_watch = g_unix_fd_add(port->fd, G_IO_OUT, on_writable, port);
  }
}

static gboolean on_delay_done(gpointer data) {
  VgwMgmtPort *port = data;
  port->delay_timer = 0;
  queue_output(port, port->delayed_output, port->delayed_machine);
  g_clear_pointer(&port->delayed_output, g_free);
  process_lines(port);
  return G_SOURCE_REMOVE;
}

/* drop_output forgets what is queued for a host client that has gone,
 * ours and the kernel's, so the next client does not get it. */
static void drop_output(VgwMgmtPort *port) {
  g_string_truncate(port->out, 0);
  port->at_line_start = TRUE;
  tcflush(port->fd, TCOFLUSH);
}

static void process_lines(VgwMgmtPort *port) {
  VgwMgmtResult result;
  while (!busy(port) &&
         vgw_mgmt_session_next(port->session, g_get_monotonic_time(),
                               &result)) {
    if (result.hangup) {
      drop_output(port);
    }
    if (result.delay_ms > 0) {
      port->delayed_output = g_steal_pointer(&result.output);
      port->delayed_machine = result.machine;
      port->delay_timer = g_timeout_add(result.delay_ms, on_delay_done, port);
    } else {
      port->pending = result.action;
      queue_output(port, result.output, result.machine);
    }
    vgw_mgmt_result_clear(&result);
  }
}

static gboolean on_readable(int fd, GIOCondition cond, gpointer data);

static gboolean on_resume_input(gpointer data) {
  VgwMgmtPort *port = data;
  port->in_watch = g_unix_fd_add(port->fd, G_IO_IN, on_readable, port);
  return G_SOURCE_REMOVE;
}

static gboolean on_readable(int fd, GIOCondition cond, gpointer data) {
  VgwMgmtPort *port = data;
  char buf[1024];
  gboolean got = FALSE;
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n > 0) {
      vgw_mgmt_session_feed(port->session, buf, (size_t)n);
      got = TRUE;
      continue;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    break; /* EAGAIN, or nothing: a serial line never reaches EOF */
  }
  process_lines(port);
  if (!got && (cond & (G_IO_HUP | G_IO_ERR))) {
    /* A pty whose other side went away (host testing) reports HUP until
     * someone reopens it: look again later instead of spinning. */
    port->in_watch = g_timeout_add(500, on_resume_input, port);
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

/* make_raw puts the tty in raw 8N1 mode without modem control. */
static gboolean make_raw(int fd, GError **error) {
  struct termios t;
  if (tcgetattr(fd, &t) < 0) {
    return FALSE;
  }
  cfmakeraw(&t);
  /* The board sends a BREAK when a host client connects to or hangs up
   * from maint.sock. With IGNBRK, BRKINT and PARMRK all off the tty
   * delivers it as one NUL byte, which ends the session
   * (mgmt_session.h). cfmakeraw clears them already: this says we rely
   * on it. */
  t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK);
  t.c_cflag |= CLOCAL | CREAD;
  t.c_cc[VMIN] = 1;
  t.c_cc[VTIME] = 0;
  cfsetispeed(&t, B115200);
  cfsetospeed(&t, B115200);
  if (tcsetattr(fd, TCSANOW, &t) < 0) {
    return FALSE;
  }
  tcflush(fd, TCIFLUSH);
  return TRUE;
}

VgwMgmtPort *vgw_mgmt_port_open(const char *tty_path, VgwMgmtSession *session,
                                VgwMgmtActionFunc act, gpointer user_data,
                                GError **error) {
  int fd = open(tty_path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 || !make_raw(fd, error)) {
    int e = errno;
    g_set_error(error, G_FILE_ERROR, g_file_error_from_errno(e), "%s: %s",
                tty_path, g_strerror(e));
    if (fd >= 0) {
      close(fd);
    }
    return NULL;
  }
  VgwMgmtPort *port = g_new0(VgwMgmtPort, 1);
  port->fd = fd;
  port->session = session;
  port->act = act;
  port->act_data = user_data;
  port->out = g_string_new(NULL);
  port->at_line_start = TRUE;
  port->in_watch = g_unix_fd_add(fd, G_IO_IN, on_readable, port);
  return port;
}

void vgw_mgmt_port_close(VgwMgmtPort *port) {
  if (port == NULL) {
    return;
  }
  guint *sources[] = {&port->in_watch, &port->out_watch, &port->delay_timer,
                      &port->drain_timer};
  for (size_t i = 0; i < G_N_ELEMENTS(sources); i++) {
    if (*sources[i] != 0) {
      g_source_remove(*sources[i]);
    }
  }
  close(port->fd);
  g_string_free(port->out, TRUE);
  g_free(port->delayed_output);
  g_free(port);
}
