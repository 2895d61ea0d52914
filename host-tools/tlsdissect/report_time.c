/* Times in the reports: "2025-01-31T12:00:00.123456Z", UTC. */
#include "report.h"

/* Writes |v| as |width| decimal digits, leading zeros included, at |p|;
 * returns the position after them. */
static char *
digits(char *p, guint v, int width)
{
  for (int i = width - 1; i >= 0; i--) {
    p[i] = (char) ('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

/* The last second GDateTime can represent: 9999-12-31T23:59:59Z. */
#define LAST_SECOND G_GINT64_CONSTANT(253402300799)

static gboolean
time_in_range(gint64 time_us)
{
  return time_us >= 0 && time_us / G_USEC_PER_SEC <= LAST_SECOND;
}

/* The text for times outside 1970-9999, as GDateTime has always given it. */
static char *
format_time_out_of_range(gint64 time_us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(time_us / G_USEC_PER_SEC);

  if (dt == NULL || time_us < 0)
    return g_strdup("(time out of range)");
  return g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", g_date_time_get_year(dt),
                         g_date_time_get_month(dt), g_date_time_get_day_of_month(dt),
                         g_date_time_get_hour(dt), g_date_time_get_minute(dt),
                         g_date_time_get_second(dt), (int) (time_us % G_USEC_PER_SEC));
}

void
tlsd_append_time(GString *out, gint64 time_us)
{
  gint64 secs, z, era, doe, yoe, doy, mp;
  guint year, month, day, sod;
  char buf[32], *p = buf;

  if (!time_in_range(time_us)) {
    g_autofree char *text = format_time_out_of_range(time_us);
    g_string_append(out, text);
    return;
  }
  /* Days since 1970-01-01 to a proleptic Gregorian date: the "civil from
   * days" algorithm of H. Hinnant (chrono-Compatible Low-Level Date
   * Algorithms), for days >= 0.  No allocation, unlike GDateTime. */
  secs = time_us / G_USEC_PER_SEC;
  sod = (guint) (secs % 86400);
  z = secs / 86400 + 719468;
  era = z / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  day = (guint) (doy - (153 * mp + 2) / 5 + 1);
  month = (guint) (mp < 10 ? mp + 3 : mp - 9);
  year = (guint) (yoe + era * 400 + (month <= 2));

  p = digits(p, year, 4);
  *p++ = '-';
  p = digits(p, month, 2);
  *p++ = '-';
  p = digits(p, day, 2);
  *p++ = 'T';
  p = digits(p, sod / 3600, 2);
  *p++ = ':';
  p = digits(p, sod / 60 % 60, 2);
  *p++ = ':';
  p = digits(p, sod % 60, 2);
  *p++ = '.';
  p = digits(p, (guint) (time_us % G_USEC_PER_SEC), 6);
  *p++ = 'Z';
  g_string_append_len(out, buf, p - buf);
}

char *
tlsd_format_time(gint64 time_us)
{
  GString *s;

  if (!time_in_range(time_us))
    return format_time_out_of_range(time_us);
  s = g_string_sized_new(32);
  tlsd_append_time(s, time_us);
  return g_string_free(s, FALSE);
}
