/* Console log: see log.h. */
#include "vgwd/log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static gboolean log_debug;

/* Syslog destination; fd < 0 when off. */
static struct {
  int fd;
  struct sockaddr_in to;
  guint facility;
  guint debug_level;
} syslog_dest = {.fd = -1};

guint64 vgw_uptime_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_BOOTTIME, &ts);
  return (guint64)ts.tv_sec * 1000 + (guint64)ts.tv_nsec / 1000000;
}

static const char *level_prefix(GLogLevelFlags level) {
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL)) {
    return "error: ";
  }
  if (level & G_LOG_LEVEL_WARNING) {
    return "warning: ";
  }
  return "";
}

/* syslog_severity maps a GLib level to a syslog severity. */
static int syslog_severity(GLogLevelFlags level) {
  if (level & G_LOG_LEVEL_ERROR) return 3;
  if (level & G_LOG_LEVEL_CRITICAL) return 2;
  if (level & G_LOG_LEVEL_WARNING) return 4;
  if (level & G_LOG_LEVEL_MESSAGE) return 5;
  if (level & G_LOG_LEVEL_INFO) return 6;
  return 7;
}

static void send_syslog(GLogLevelFlags level, const char *message) {
  if (syslog_dest.fd < 0 ||
      ((level & G_LOG_LEVEL_DEBUG) && syslog_dest.debug_level == 0)) {
    return;
  }
  char *dgram = g_strdup_printf("<%u>vgwd: %s",
                                syslog_dest.facility * 8 +
                                    (guint)syslog_severity(level),
                                message);
  ssize_t unused = sendto(syslog_dest.fd, dgram, strlen(dgram), MSG_DONTWAIT,
                          (struct sockaddr *)&syslog_dest.to,
                          sizeof(syslog_dest.to));
  (void)unused;
  g_free(dgram);
}

void vgw_log_set_syslog(gboolean enable, guint32 server, guint16 port,
                        guint facility, guint debug_level) {
  gboolean on = enable && server != 0;
  guint32 old = ntohl(syslog_dest.to.sin_addr.s_addr);
  gboolean was_on = syslog_dest.fd >= 0;
  if (was_on && !on) {
    close(syslog_dest.fd);
    syslog_dest.fd = -1;
  }
  if (on && syslog_dest.fd < 0) {
    syslog_dest.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                            0);
  }
  memset(&syslog_dest.to, 0, sizeof(syslog_dest.to));
  syslog_dest.to.sin_family = AF_INET;
  syslog_dest.to.sin_addr.s_addr = htonl(server);
  syslog_dest.to.sin_port = htons(port);
  syslog_dest.facility = facility;
  syslog_dest.debug_level = debug_level;
  if (on && (!was_on || old != server)) {
    g_message("syslog: sending to %u.%u.%u.%u:%u, facility local%u",
              server >> 24, (server >> 16) & 255, (server >> 8) & 255,
              server & 255, port, facility - 16);
  } else if (was_on && !on) {
    g_message("syslog: off");
  }
}

static void handler(const char *domain, GLogLevelFlags level,
                    const char *message, gpointer data) {
  if ((level & G_LOG_LEVEL_DEBUG) && !log_debug) {
    return;
  }
  guint64 ms = vgw_uptime_ms();
  char *line = g_strdup_printf("[%5" G_GUINT64_FORMAT ".%03u] vgwd: %s%s\n",
                               ms / 1000, (unsigned)(ms % 1000),
                               level_prefix(level), message);
  /* One write per line so lines from other processes do not interleave. */
  ssize_t unused = write(STDERR_FILENO, line, strlen(line));
  (void)unused;
  g_free(line);
  send_syslog(level, message);
}

void vgw_log_init(gboolean debug) {
  log_debug = debug;
  g_log_set_default_handler(handler, NULL);
}
