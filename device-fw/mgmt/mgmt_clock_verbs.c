#include "mgmt/mgmt_clock_verbs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/rtc.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "mgmt/mgmt_reply.h"

/* The RTC's time, seconds since the epoch (the RTC keeps UTC). */
static gboolean read_rtc(const char *path, time_t *out, const char **why) {
  struct rtc_time rt;
  struct tm tm;
  int fd = open(path, O_RDONLY | O_CLOEXEC);

  if (fd < 0) {
    *why = g_strerror(errno);
    return FALSE;
  }
  memset(&rt, 0, sizeof(rt));
  if (ioctl(fd, RTC_RD_TIME, &rt) != 0) {
    *why = g_strerror(errno);
    close(fd);
    return FALSE;
  }
  close(fd);
  memset(&tm, 0, sizeof(tm));
  tm.tm_sec = rt.tm_sec;
  tm.tm_min = rt.tm_min;
  tm.tm_hour = rt.tm_hour;
  tm.tm_mday = rt.tm_mday;
  tm.tm_mon = rt.tm_mon;
  tm.tm_year = rt.tm_year;
  *out = timegm(&tm);
  return TRUE;
}

static void verb_clock_sync(const VgwMgmtCall *c, VgwMgmtReply *out) {
  const char *path = c->data;
  const char *why = NULL;
  struct timespec before, now = {0, 0};
  time_t rtc;

  if (c->argc != 0) {
    vgw_reply_usage(c, out);
    return;
  }
  clock_gettime(CLOCK_REALTIME, &before);
  if (!read_rtc(path, &rtc, &why)) {
    vgw_reply_fail(out, "cannot read %s: %s", path, why);
    return;
  }
  /* The RTC counts whole seconds: a clock already within that second
   * is left alone rather than stepped back by its fraction. */
  if (before.tv_sec == rtc) {
    now = before;
  } else {
    now.tv_sec = rtc;
    if (clock_settime(CLOCK_REALTIME, &now) != 0) {
      vgw_reply_fail(out, "cannot set the clock: %s", g_strerror(errno));
      return;
    }
  }
  gint64 stepped_ms = ((gint64)now.tv_sec - before.tv_sec) * 1000 +
                      ((gint64)now.tv_nsec - before.tv_nsec) / 1000000;
  if (stepped_ms != 0)
    g_message("maintenance: clock stepped by %" G_GINT64_FORMAT " ms to the RTC",
              stepped_ms);
  GString *b = g_string_new(NULL);
  if (c->human) {
    g_string_printf(b, "Clock stepped by %" G_GINT64_FORMAT " ms.\n", stepped_ms);
  } else {
    g_string_printf(b, "{\"stepped_ms\":%" G_GINT64_FORMAT ",\"now\":%" G_GINT64_FORMAT "}",
                    stepped_ms, (gint64)now.tv_sec);
  }
  vgw_reply_ok(out, b);
}

static const VgwMgmtVerb clock_verbs[] = {
    {"clock-sync", "", "step the system clock to the RTC", 0, verb_clock_sync},
};

const VgwMgmtVerbSet vgw_clock_verb_set = {clock_verbs, G_N_ELEMENTS(clock_verbs),
                                           NULL};
