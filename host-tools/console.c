#include "console.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "vgw-error.h"

static int
connect_unix(const char *path, GError **error)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int fd;

  if (strlen(path) >= sizeof sa.sun_path) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "socket path too long: %s", path);
    return -1;
  }
  strcpy(sa.sun_path, path);
  fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof sa) != 0) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "cannot connect to the console %s: %s", path, g_strerror(e));
    return -1;
  }
  return fd;
}

static gboolean
write_all(int fd, const char *buf, size_t len)
{
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    buf += n;
    len -= n;
  }
  return TRUE;
}

gboolean
vgw_console_attach(const char *socket_path, int in_fd, int out_fd,
                   guint linger_ms, GError **error)
{
  gboolean tty = isatty(in_fd);
  gboolean input_open = TRUE;
  struct termios saved, raw;
  int sock = connect_unix(socket_path, error);
  char buf[4096];

  if (sock < 0)
    return FALSE;
  if (tty && tcgetattr(in_fd, &saved) == 0) {
    raw = saved;
    cfmakeraw(&raw);
    tcsetattr(in_fd, TCSAFLUSH, &raw);
    /* \r\n: the terminal is raw now. */
    dprintf(STDERR_FILENO, "connected to %s (Ctrl-] to detach)\r\n", socket_path);
  } else {
    tty = FALSE;
  }

  for (;;) {
    struct pollfd fds[2] = {
      { .fd = sock, .events = POLLIN },
      { .fd = input_open ? in_fd : -1, .events = POLLIN },
    };
    /* After the input ends, wait only |linger_ms| for more output. */
    int r = poll(fds, 2, input_open ? -1 : (int) linger_ms);

    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(sock, buf, sizeof buf);
      if (n <= 0 || !write_all(out_fd, buf, n))
        break;
    }
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(in_fd, buf, sizeof buf);
      if (n <= 0) {
        input_open = FALSE;
        continue;
      }
      if (tty) {
        char *esc = memchr(buf, VGW_CONSOLE_ESCAPE, n);
        if (esc != NULL) {
          write_all(sock, buf, esc - buf);
          break;
        }
      }
      if (!write_all(sock, buf, n))
        break;
    }
  }

  if (tty) {
    tcsetattr(in_fd, TCSAFLUSH, &saved);
    dprintf(STDERR_FILENO, "\ndetached from %s\n", socket_path);
  }
  close(sock);
  return TRUE;
}
