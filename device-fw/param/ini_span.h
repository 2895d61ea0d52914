/*
 * Bounded text cursors for the ini parser: a span is (pointer, length) and
 * every helper stays inside it, so input may hold NUL bytes or anything.
 * Internal to device-fw/param.
 */
#ifndef VGW_PARAM_INI_SPAN_H
#define VGW_PARAM_INI_SPAN_H

#include <glib.h>
#include <string.h>

typedef struct {
  const char *p;
  gsize len;
} Span;

static inline gboolean span_is_space(char c) { return c == ' ' || c == '\t'; }

/* span_from returns the part of |s| from byte |from| (clamped) on. */
static inline Span span_from(Span s, gsize from) {
  if (from > s.len) from = s.len;
  return (Span){s.p + from, s.len - from};
}

/* span_head returns the first |n| bytes of |s| (clamped). */
static inline Span span_head(Span s, gsize n) {
  return (Span){s.p, n < s.len ? n : s.len};
}

/* span_trim drops spaces and tabs at both ends. */
static inline Span span_trim(Span s) {
  gsize a = 0, b = s.len;
  while (a < b && span_is_space(s.p[a])) a++;
  while (b > a && span_is_space(s.p[b - 1])) b--;
  return (Span){s.p + a, b - a};
}

/* span_find returns the offset of the first |c| in |s|, or s.len. */
static inline gsize span_find(Span s, char c) {
  const char *hit = s.len ? memchr(s.p, c, s.len) : NULL;
  return hit ? (gsize)(hit - s.p) : s.len;
}

/* span_word returns the leading run of |s| up to a space, tab, '=' or ';'. */
static inline Span span_word(Span s) {
  gsize i = 0;
  while (i < s.len && !span_is_space(s.p[i]) && s.p[i] != '=' && s.p[i] != ';')
    i++;
  return span_head(s, i);
}

/* span_eq compares |s| with |lit| ignoring ASCII case. */
static inline gboolean span_eq(Span s, const char *lit) {
  return strlen(lit) == s.len && g_ascii_strncasecmp(s.p, lit, s.len) == 0;
}

#endif /* VGW_PARAM_INI_SPAN_H */
