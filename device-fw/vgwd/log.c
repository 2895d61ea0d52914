/* Console log: see log.h. */
#include "vgwd/log.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

static gboolean log_debug;

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
}

void vgw_log_init(gboolean debug) {
  log_debug = debug;
  g_log_set_default_handler(handler, NULL);
}
