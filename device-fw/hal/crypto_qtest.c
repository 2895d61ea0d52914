/* The engine of a QEMU under qtest: see crypto_qtest.h. */
#include "hal/crypto_qtest.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vgw_memmap.h"

#define SECRET_ID "vgw-keystore-secret"
#define STOP_WAIT_MS 5000
/* The longest qtest answer we read: "OK 0x" and 16 hex digits. */
#define QTEST_LINE_MAX 256

typedef struct {
  GPid pid;    /* QEMU, 0 once reaped */
  int fd;      /* the qtest connection, -1 before/after */
  int err_fd;  /* QEMU's stderr, -1 once closed */
  char *dir;   /* temporary directory of the socket */
  GString *rx; /* received, not yet consumed */
  GString *stderr_text;
  GError *error; /* the first failure; sticky */
} Qtest;

/* stderr_line returns the first non-empty line QEMU wrote to stderr, or
 * NULL (newly allocated). */
static char *stderr_line(Qtest *q) {
  char **lines = g_strsplit(q->stderr_text->str, "\n", -1);
  char *found = NULL;
  for (char **l = lines; *l != NULL && found == NULL; l++) {
    g_strstrip(*l);
    if (**l != '\0') {
      found = g_strdup(*l);
    }
  }
  g_strfreev(lines);
  return found;
}

/* drain_stderr reads what QEMU wrote to stderr without blocking; returns
 * FALSE once it is closed (QEMU exited). */
static gboolean drain_stderr(Qtest *q) {
  char buf[1024];
  while (q->err_fd >= 0) {
    ssize_t n = read(q->err_fd, buf, sizeof(buf));
    if (n > 0) {
      /* Keep the beginning: the first error line is what matters. */
      if (q->stderr_text->len < 64 * 1024) {
        g_string_append_len(q->stderr_text, buf, n);
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      return TRUE;
    }
    close(q->err_fd);
    q->err_fd = -1;
  }
  return FALSE;
}

/* fail records the first failure, naming QEMU's stderr line if it has
 * one. */
static void fail(Qtest *q, int code, const char *what) {
  if (q->error != NULL) {
    return;
  }
  drain_stderr(q);
  char *line = stderr_line(q);
  if (line != NULL) {
    q->error = g_error_new(VGW_CRYPTO_DRIVER_ERROR, code, "%s: %s", what, line);
  } else {
    q->error = g_error_new_literal(VGW_CRYPTO_DRIVER_ERROR, code, what);
  }
  g_free(line);
}

/* read_line returns the next line QEMU sent (without "\n", newly
 * allocated), or NULL after recording a failure. */
static char *read_line(Qtest *q) {
  for (;;) {
    char *nl = memchr(q->rx->str, '\n', q->rx->len);
    if (nl != NULL) {
      char *line = g_strndup(q->rx->str, (gsize)(nl - q->rx->str));
      g_string_erase(q->rx, 0, (gssize)(nl - q->rx->str) + 1);
      return line;
    }
    if (q->rx->len > QTEST_LINE_MAX) {
      fail(q, VGW_CRYPTO_ERROR_TRANSPORT, "qtest: answer line too long");
      return NULL;
    }
    struct pollfd p = {.fd = q->fd, .events = POLLIN};
    int r = poll(&p, 1, VGW_CRYPTO_QTEST_TIMEOUT_MS);
    if (r == 0) {
      fail(q, VGW_CRYPTO_ERROR_TRANSPORT,
           "QEMU did not answer the qtest "
           "request");
      return NULL;
    }
    if (r < 0 && errno == EINTR) {
      continue;
    }
    char buf[512];
    ssize_t n = r > 0 ? recv(q->fd, buf, sizeof(buf), 0) : -1;
    if (n <= 0) {
      if (n < 0 && errno == EINTR) {
        continue;
      }
      fail(q, VGW_CRYPTO_ERROR_QEMU_FAILED,
           "QEMU exited");
      return NULL;
    }
    g_string_append_len(q->rx, buf, n);
  }
}

/* transact sends |request| and returns the text after "OK" of its answer
 * (newly allocated, may be empty), skipping QEMU's asynchronous "IRQ"
 * lines; NULL after a failure. */
static char *transact(Qtest *q, const char *request) {
  if (q->error != NULL) {
    return NULL;
  }
  drain_stderr(q);
  size_t len = strlen(request);
  for (size_t off = 0; off < len;) {
    ssize_t n = send(q->fd, request + off, len - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      fail(q, VGW_CRYPTO_ERROR_QEMU_FAILED,
           "QEMU exited");
      return NULL;
    }
    off += (size_t)n;
  }
  for (;;) {
    char *line = read_line(q);
    if (line == NULL) {
      return NULL;
    }
    if (g_str_has_prefix(line, "IRQ ")) {
      g_free(line);
      continue;
    }
    if (strcmp(line, "OK") == 0 || g_str_has_prefix(line, "OK ")) {
      char *rest = g_strdup(line[2] ? line + 3 : "");
      g_free(line);
      return rest;
    }
    char *what = g_strdup_printf("qtest: QEMU answered \"%s\" to %.*s", line,
                                 (int)(len - 1), request);
    fail(q, VGW_CRYPTO_ERROR_TRANSPORT, what);
    g_free(what);
    g_free(line);
    return NULL;
  }
}

static uint32_t qtest_read32(void *ctx, uint32_t offset) {
  Qtest *q = ctx;
  char req[64];
  g_snprintf(req, sizeof(req), "readl 0x%x\n", VGW_CRYPTO_BASE + offset);
  char *answer = transact(q, req);
  if (answer == NULL) {
    return 0xffffffffu;
  }
  guint64 value = 0;
  if (!g_ascii_string_to_unsigned(
          answer[0] == '0' && answer[1] == 'x' ? answer + 2 : answer, 16, 0,
          G_MAXUINT32, &value, NULL)) {
    char *what = g_strdup_printf("qtest: bad readl answer \"%s\"", answer);
    fail(q, VGW_CRYPTO_ERROR_TRANSPORT, what);
    g_free(what);
    value = 0xffffffffu;
  }
  g_free(answer);
  return (uint32_t)value;
}

static void qtest_write32(void *ctx, uint32_t offset, uint32_t value) {
  char req[64];
  g_snprintf(req, sizeof(req), "writel 0x%x 0x%x\n", VGW_CRYPTO_BASE + offset,
             value);
  g_free(transact(ctx, req));
}

/* qtest_advance runs the virtual clock to its next deadline: the engine's
 * completion timer, if it has one pending. */
static void qtest_advance(void *ctx) { g_free(transact(ctx, "clock_step\n")); }

static gboolean qtest_check(void *ctx, GError **error) {
  Qtest *q = ctx;
  if (q->error != NULL) {
    g_propagate_error(error, g_error_copy(q->error));
    return FALSE;
  }
  return TRUE;
}

/* reap waits up to |ms| for QEMU to exit; TRUE once it has. */
static gboolean reap(Qtest *q, guint ms) {
  for (guint waited = 0; q->pid != 0; waited += 10) {
    int status;
    pid_t r = waitpid(q->pid, &status, WNOHANG);
    if (r == q->pid || (r < 0 && errno == ECHILD)) {
      q->pid = 0;
      break;
    }
    if (waited >= ms) {
      return FALSE;
    }
    g_usleep(10 * 1000);
  }
  return TRUE;
}

static void qtest_close(void *ctx) {
  Qtest *q = ctx;
  if (q->fd >= 0) {
    close(q->fd);
  }
  if (q->pid != 0) {
    /* QEMU shuts down cleanly on SIGTERM; the engine has written every
     * completed command to the keystore already. */
    kill(q->pid, SIGTERM);
    if (!reap(q, STOP_WAIT_MS)) {
      kill(q->pid, SIGKILL);
      reap(q, STOP_WAIT_MS);
    }
  }
  if (q->err_fd >= 0) {
    close(q->err_fd);
  }
  if (q->dir != NULL) {
    char *sock = g_build_filename(q->dir, "qtest.sock", NULL);
    g_unlink(sock);
    g_free(sock);
    g_rmdir(q->dir);
    g_free(q->dir);
  }
  g_string_free(q->rx, TRUE);
  g_string_free(q->stderr_text, TRUE);
  g_clear_error(&q->error);
  g_free(q);
}

static const VgwCryptoBusOps qtest_ops = {
    .read32 = qtest_read32,
    .write32 = qtest_write32,
    .advance = qtest_advance,
    .check = qtest_check,
    .close = qtest_close,
};

/* child_setup runs in QEMU's process before exec: QEMU must not outlive
 * the tool or test that started it. */
static void child_setup(gpointer data) { prctl(PR_SET_PDEATHSIG, SIGKILL); }

/* qemu_opt_escape doubles the commas of |value| for a QEMU option. */
static char *qemu_opt_escape(const char *value) {
  GString *s = g_string_new(NULL);
  for (const char *p = value; *p; p++) {
    g_string_append_c(s, *p);
    if (*p == ',') {
      g_string_append_c(s, ',');
    }
  }
  return g_string_free(s, FALSE);
}

/* listen_socket binds and listens on |path| (QEMU connects to it). */
static int listen_socket(const char *path, GError **error) {
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof(sa.sun_path)) {
    g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_TRANSPORT,
                "socket path too long: %s", path);
    return -1;
  }
  strcpy(sa.sun_path, path);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
      listen(fd, 1) < 0) {
    int e = errno;
    g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_TRANSPORT,
                "qtest socket %s: %s", path, g_strerror(e));
    if (fd >= 0) {
      close(fd);
    }
    return -1;
  }
  return fd;
}

/* wait_connect accepts QEMU's connection on |lfd|, reading its stderr
 * meanwhile; records a failure if QEMU exits or takes too long. */
static void wait_connect(Qtest *q, int lfd) {
  gint64 deadline =
      g_get_monotonic_time() + (gint64)VGW_CRYPTO_QTEST_TIMEOUT_MS * 1000;
  while (q->error == NULL) {
    struct pollfd p[2] = {{.fd = lfd, .events = POLLIN},
                          {.fd = q->err_fd, .events = POLLIN}};
    gint64 left = (deadline - g_get_monotonic_time()) / 1000;
    if (left <= 0) {
      fail(q, VGW_CRYPTO_ERROR_QEMU_FAILED,
           "QEMU did not connect to the qtest socket");
      return;
    }
    int r = poll(p, q->err_fd >= 0 ? 2 : 1, (int)left);
    if (r < 0 && errno != EINTR) {
      fail(q, VGW_CRYPTO_ERROR_TRANSPORT, "poll failed");
      return;
    }
    if (r > 0 && (p[0].revents & POLLIN)) {
      q->fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
      if (q->fd >= 0) {
        return;
      }
    }
    if (!drain_stderr(q)) {
      /* stderr closed: QEMU has exited (or is exiting). */
      reap(q, STOP_WAIT_MS);
      fail(q, VGW_CRYPTO_ERROR_QEMU_FAILED, "QEMU refused to start");
      return;
    }
  }
}

VgwCryptoEngine *vgw_crypto_qtest_open(const char *qemu, const char *keystore,
                                       const char *secret_file,
                                       GError **error) {
  if (qemu == NULL || *qemu == '\0' ||
      !g_file_test(qemu, G_FILE_TEST_IS_REGULAR | G_FILE_TEST_IS_EXECUTABLE) ||
      g_file_test(qemu, G_FILE_TEST_IS_DIR)) {
    g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_QEMU_MISSING,
                "no QEMU binary at \"%s\"", qemu ? qemu : "");
    return NULL;
  }
  Qtest *q = g_new0(Qtest, 1);
  q->fd = -1;
  q->err_fd = -1;
  q->rx = g_string_new(NULL);
  q->stderr_text = g_string_new(NULL);
  q->dir = g_dir_make_tmp("vgw-qtest-XXXXXX", error);
  if (q->dir == NULL) {
    qtest_close(q);
    return NULL;
  }
  char *sock = g_build_filename(q->dir, "qtest.sock", NULL);
  int lfd = listen_socket(sock, error);
  if (lfd < 0) {
    g_free(sock);
    qtest_close(q);
    return NULL;
  }

  GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
  g_ptr_array_add(argv, g_strdup(qemu));
  g_ptr_array_add(argv, g_strdup("-M"));
  if (keystore != NULL) {
    char *ks = qemu_opt_escape(keystore);
    g_ptr_array_add(
        argv,
        g_strdup_printf("vgw,keystore=%s,keystore-secret=" SECRET_ID, ks));
    g_free(ks);
    char *sf = qemu_opt_escape(secret_file ? secret_file : "");
    g_ptr_array_add(argv, g_strdup("-object"));
    g_ptr_array_add(
        argv,
        g_strdup_printf("secret,id=" SECRET_ID ",file=%s,format=base64", sf));
    g_free(sf);
  } else {
    g_ptr_array_add(argv, g_strdup("vgw"));
  }
  /* Without -qtest-log QEMU logs every qtest exchange to stderr, where
   * only its error messages are wanted. */
  const char *fixed[] = {"-accel",      "qtest",      "-display", "none",
                         "-nodefaults", "-qtest-log", "none",     "-qtest"};
  for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++) {
    g_ptr_array_add(argv, g_strdup(fixed[i]));
  }
  g_ptr_array_add(argv, g_strdup_printf("unix:%s", sock));
  g_ptr_array_add(argv, NULL);
  g_free(sock);

  GError *spawn_error = NULL;
  gboolean spawned = g_spawn_async_with_pipes(
      NULL, (char **)argv->pdata, NULL,
      G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL |
          G_SPAWN_STDIN_FROM_DEV_NULL,
      child_setup, NULL, &q->pid, NULL, NULL, &q->err_fd, &spawn_error);
  g_ptr_array_unref(argv);
  if (!spawned) {
    g_set_error(error, VGW_CRYPTO_DRIVER_ERROR, VGW_CRYPTO_ERROR_QEMU_MISSING,
                "cannot run QEMU \"%s\": %s", qemu, spawn_error->message);
    g_error_free(spawn_error);
    close(lfd);
    qtest_close(q);
    return NULL;
  }
  g_unix_set_fd_nonblocking(q->err_fd, TRUE, NULL);
  wait_connect(q, lfd);
  close(lfd);
  if (q->error != NULL) {
    g_propagate_error(error, q->error);
    q->error = NULL;
    qtest_close(q);
    return NULL;
  }
  VgwCryptoEngine *e = vgw_crypto_engine_new(&qtest_ops, q, error);
  if (e != NULL) {
    vgw_crypto_engine_set_timeout(e, VGW_CRYPTO_QTEST_TIMEOUT_MS);
  }
  return e;
}
