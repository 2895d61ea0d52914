/*
 * Appending to a GString, for the reports' inner loops: the common case
 * (there is room) is a copy, with no call into GLib and no format string.
 * Used by report_json.c and report_text.c only.
 */
#ifndef TLSD_REPORT_PUT_H
#define TLSD_REPORT_PUT_H

#include <string.h>

#include <glib.h>

/* tlsd_put_bytes appends |n| bytes of |p|. */
static inline void
tlsd_put_bytes(GString *out, const char *p, gsize n)
{
  if (G_LIKELY(out->len + n < out->allocated_len)) {
    memcpy(out->str + out->len, p, n);
    out->len += n;
    out->str[out->len] = '\0';
  } else {
    g_string_append_len(out, p, (gssize) n);
  }
}

static inline void
tlsd_put_char(GString *out, char c)
{
  tlsd_put_bytes(out, &c, 1);
}

/* TLSD_PUT appends the string literal |lit|, its length known when
 * compiling. */
#define TLSD_PUT(out, lit) tlsd_put_bytes((out), "" lit, sizeof(lit) - 1)

/* tlsd_put_str appends the NUL-terminated |s| as it is. */
static inline void
tlsd_put_str(GString *out, const char *s)
{
  tlsd_put_bytes(out, s, strlen(s));
}

/* tlsd_put_uint appends |v| in decimal. */
static inline void
tlsd_put_uint(GString *out, guint64 v)
{
  char buf[20];
  char *end = buf + sizeof buf, *p = end;

  do {
    *--p = (char) ('0' + v % 10);
    v /= 10;
  } while (v != 0);
  tlsd_put_bytes(out, p, (gsize) (end - p));
}

/* tlsd_put_spaces appends |n| spaces. */
static inline void
tlsd_put_spaces(GString *out, gsize n)
{
  static const char spaces[] = "                                ";

  for (; n > sizeof spaces - 1; n -= sizeof spaces - 1)
    tlsd_put_bytes(out, spaces, sizeof spaces - 1);
  tlsd_put_bytes(out, spaces, n);
}

#endif /* TLSD_REPORT_PUT_H */
