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

/* A client offers the same lists (versions, ciphers, groups...) in each
 * of its handshakes, and a capture mostly holds a few clients: a report
 * remembers, per list, the last one it rendered and copies that text
 * whole when the next list is the same.  Lists and texts too long to keep
 * are rendered every time. */
#define TLSD_LIST_MEMO_VALUES 128
#define TLSD_LIST_MEMO_TEXT 8192

typedef struct {
  gboolean valid;
  guint len;
  guint16 values[TLSD_LIST_MEMO_VALUES];
  gsize text_len;
  char text[TLSD_LIST_MEMO_TEXT];
} TlsdListMemo;

/* tlsd_list_memo_put appends the remembered text and returns TRUE if
 * |values| (guint16) are the remembered list; else FALSE. */
static inline gboolean
tlsd_list_memo_put(GString *out, const TlsdListMemo *memo, const GArray *values)
{
  /* An empty GArray's data may be NULL, which memcmp must not see. */
  if (!memo->valid || memo->len != values->len ||
      (values->len > 0 && memcmp(memo->values, values->data, values->len * sizeof(guint16)) != 0))
    return FALSE;
  tlsd_put_bytes(out, memo->text, memo->text_len);
  return TRUE;
}

/* tlsd_list_memo_keep remembers what |out| gained since |start| as the
 * text of |values|. */
static inline void
tlsd_list_memo_keep(TlsdListMemo *memo, const GArray *values, const GString *out, gsize start)
{
  gsize len = out->len - start;

  memo->valid = values->len <= TLSD_LIST_MEMO_VALUES && len <= TLSD_LIST_MEMO_TEXT;
  if (!memo->valid)
    return;
  memo->len = values->len;
  if (values->len > 0)
    memcpy(memo->values, values->data, values->len * sizeof(guint16));
  memo->text_len = len;
  memcpy(memo->text, out->str + start, len);
}

#endif /* TLSD_REPORT_PUT_H */
