/* Moments on vgw pki's command line: see pki_time.h. */
#include "pki_time.h"

#include <string.h>

#include "vgw-error.h"

/* The range of an X.509 Time (UTCTime from 1950, GeneralizedTime to
 * 9999), as Unix seconds. */
#define X509_TIME_MIN G_GINT64_CONSTANT(-631152000)    /* 1950-01-01 */
#define X509_TIME_MAX G_GINT64_CONSTANT(253402300799)  /* 9999-12-31T23:59:59 */

/* Offsets are bounded so that now + offset cannot overflow. */
#define OFFSET_MAX_DIGITS 9

static gboolean
bad_time(const char *text, const char *option, const char *why, GError **error)
{
  g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
              "invalid value '%s' for --%s: %s", text, option, why);
  return FALSE;
}

static gint64
unit_seconds(char unit)
{
  switch (unit) {
  case 'd':
    return 86400;
  case 'h':
    return 3600;
  case 'm':
    return 60;
  case 's':
    return 1;
  default:
    return 0;
  }
}

/* parse_offset reads "+N<unit>" or "-N<unit>" into seconds; FALSE if
 * |text| is not one. */
static gboolean
parse_offset(const char *text, gint64 *seconds)
{
  size_t len = strlen(text), digits = len >= 2 ? len - 2 : 0;
  gint64 unit, n = 0;

  if (len < 3 || (text[0] != '+' && text[0] != '-') || digits > OFFSET_MAX_DIGITS)
    return FALSE;
  unit = unit_seconds(text[len - 1]);
  if (unit == 0)
    return FALSE;
  for (size_t i = 1; i < len - 1; i++) {
    if (!g_ascii_isdigit(text[i]))
      return FALSE;
    n = n * 10 + (text[i] - '0');
  }
  *seconds = (text[0] == '-' ? -n : n) * unit;
  return TRUE;
}

gboolean
vgw_pki_time_parse(const char *text, gint64 now, const char *option,
                   gint64 *out, GError **error)
{
  gint64 t, offset;

  if (strcmp(text, "now") == 0) {
    t = now;
  } else if (parse_offset(text, &offset)) {
    t = now + offset;
  } else {
    g_autoptr(GTimeZone) utc = g_time_zone_new_utc();
    g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(text, utc);
    if (dt == NULL)
      return bad_time(text, option,
                      "expected now, an offset such as -30d, +2h, -15m or +10s, "
                      "or an ISO 8601 time such as 2030-01-01T00:00:00Z", error);
    t = g_date_time_to_unix(dt);
  }
  if (t < X509_TIME_MIN || t > X509_TIME_MAX)
    return bad_time(text, option, "outside the years 1950-9999 a certificate can hold", error);
  *out = t;
  return TRUE;
}

char *
vgw_pki_time_format(gint64 t)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);

  return dt != NULL ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("?");
}
