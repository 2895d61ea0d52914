/*
 * SIP framing over streams and datagrams (sip_framing.h).
 *
 * The header scanner is incremental: it remembers how far it got, so bytes
 * arriving one at a time cost O(n) in total, not O(n^2), and a header
 * section that breaks a limit is refused as soon as the offending byte
 * arrives rather than when the section ends.
 */
#include "sip_framing.h"

#include <string.h>

/* Consumed bytes a framer keeps before moving the rest down. */
#define SIP_FRAMER_COMPACT_AT 16384

/* A content length this large is an overflow attempt, not a size. */
#define SIP_CONTENT_LENGTH_CEILING G_MAXUINT32

void sip_limits_init_default(SipLimits *limits) {
  limits->max_message = SIP_DEFAULT_MAX_MESSAGE;
  limits->max_headers = SIP_DEFAULT_MAX_HEADERS;
  limits->max_header_line = SIP_DEFAULT_MAX_HEADER_LINE;
}

/* ---- Header section scanner ---- */

typedef enum {
  SIP_SCAN_MORE,
  SIP_SCAN_DONE,
  SIP_SCAN_ERROR,
} SipScanResult;

typedef struct {
  gsize pos;         /* next byte to look at, from the message start */
  gsize line_start;  /* first byte of the current physical line */
  gsize field_len;   /* folded lines so far of the current field */
  guint fields;      /* header fields seen */
  gboolean field_is_content_length;
  gboolean have_content_length;
  guint64 content_length;
  gsize header_len;  /* set on DONE: up to and including the blank line */
  SipReason reason;  /* set on ERROR */
} SipHeaderScan;

/* A read-only view of one header line: [pos, end) within the message. */
typedef struct {
  const guint8 *bytes;
  gsize pos;
  gsize end;
} SipLineCursor;

static gboolean line_peek(const SipLineCursor *c, guint8 *out) {
  if (c->pos >= c->end) {
    return FALSE;
  }
  *out = c->bytes[c->pos];
  return TRUE;
}

static void line_skip_wsp(SipLineCursor *c) {
  guint8 b;
  while (line_peek(c, &b) && (b == ' ' || b == '\t')) {
    c->pos++;
  }
}

static gboolean is_token_char(guint8 b) {
  /* strchr() would also find the terminating NUL */
  return b != '\0' && (g_ascii_isalnum(b) || strchr("-.!%*_+`'~", b) != NULL);
}

/* Whether the field on this line is Content-Length (or its compact form
 * "l"); on TRUE the cursor is just past the colon. */
static gboolean field_is_content_length(SipLineCursor *c) {
  static const char long_name[] = "content-length";
  gsize name_start = c->pos;
  guint8 b;

  while (line_peek(c, &b) && is_token_char(b)) {
    c->pos++;
  }
  gsize name_len = c->pos - name_start;
  const char *name = (const char *)c->bytes + name_start;
  gboolean match =
      (name_len == 1 && g_ascii_tolower(name[0]) == 'l') ||
      (name_len == sizeof(long_name) - 1 &&
       g_ascii_strncasecmp(name, long_name, name_len) == 0);
  if (!match) {
    return FALSE;
  }
  line_skip_wsp(c);
  if (!line_peek(c, &b) || b != ':') {
    return FALSE;
  }
  c->pos++;
  return TRUE;
}

/* Content-Length's value: LWS 1*DIGIT LWS, nothing else. */
static gboolean parse_content_length(SipLineCursor *c, guint64 *out) {
  guint64 value = 0;
  gsize digits = 0;
  guint8 b;

  line_skip_wsp(c);
  while (line_peek(c, &b) && g_ascii_isdigit(b)) {
    value = value * 10 + (guint64)(b - '0');
    if (value > SIP_CONTENT_LENGTH_CEILING) {
      return FALSE;
    }
    digits++;
    c->pos++;
  }
  line_skip_wsp(c);
  if (digits == 0 || c->pos != c->end) {
    return FALSE;
  }
  *out = value;
  return TRUE;
}

static SipScanResult scan_fail(SipHeaderScan *s, SipReason reason) {
  s->reason = reason;
  return SIP_SCAN_ERROR;
}

/* One whole line [line_start, line_end) (CRLF excluded). */
static SipScanResult scan_line(SipHeaderScan *s, const guint8 *msg,
                               gsize line_end, const SipLimits *limits) {
  gsize len = line_end - s->line_start;
  gboolean start_line = s->line_start == 0;

  if (len == 0) {
    if (start_line) {
      /* Callers skip leading CRLFs, so an empty first line means the
       * message has no start line. */
      return scan_fail(s, SIP_REASON_HEADERS_UNTERMINATED);
    }
    s->header_len = line_end + 2;
    return SIP_SCAN_DONE;
  }
  if (start_line) {
    return SIP_SCAN_MORE;
  }
  if (msg[s->line_start] == ' ' || msg[s->line_start] == '\t') {
    if (s->fields == 0) {
      return scan_fail(s, SIP_REASON_BAD_FOLDING);
    }
    if (s->field_is_content_length) {
      return scan_fail(s, SIP_REASON_CONTENT_LENGTH_INVALID);
    }
    s->field_len += len + 2;
    return SIP_SCAN_MORE;
  }

  s->fields++;
  if (s->fields > limits->max_headers) {
    return scan_fail(s, SIP_REASON_TOO_MANY_HEADERS);
  }
  s->field_len = len;
  SipLineCursor c = {msg, s->line_start, line_end};
  s->field_is_content_length = field_is_content_length(&c);
  if (s->field_is_content_length) {
    if (s->have_content_length ||
        !parse_content_length(&c, &s->content_length)) {
      return scan_fail(s, SIP_REASON_CONTENT_LENGTH_INVALID);
    }
    s->have_content_length = TRUE;
  }
  return SIP_SCAN_MORE;
}

/* The length so far of the field whose line is being scanned: a folded
 * field is limited as a whole. */
static gsize field_length(const SipHeaderScan *s, const guint8 *msg) {
  gsize line_len = s->pos - s->line_start;

  if (s->line_start > 0 && line_len > 0 &&
      (msg[s->line_start] == ' ' || msg[s->line_start] == '\t')) {
    return s->field_len + line_len;
  }
  return line_len;
}

/* Scans msg[0, avail) from where the last call stopped. MORE: the blank
 * line has not arrived yet. */
static SipScanResult scan_headers(SipHeaderScan *s, const guint8 *msg,
                                  gsize avail, const SipLimits *limits) {
  while (s->pos < avail) {
    guint8 b = msg[s->pos];

    if (s->pos >= limits->max_message) {
      return scan_fail(s, SIP_REASON_MESSAGE_TOO_LARGE);
    }
    if (b == '\0') {
      return scan_fail(s, SIP_REASON_NUL_IN_HEADERS);
    }
    if (b == '\n') {
      return scan_fail(s, SIP_REASON_BAD_LINE_ENDING);
    }
    if (b != '\r') {
      s->pos++;
      if (field_length(s, msg) > limits->max_header_line) {
        return scan_fail(s, SIP_REASON_HEADER_TOO_LONG);
      }
      continue;
    }
    if (s->pos + 1 >= avail) {
      return SIP_SCAN_MORE; /* look at this CR again with its successor */
    }
    if (msg[s->pos + 1] != '\n') {
      return scan_fail(s, SIP_REASON_BAD_LINE_ENDING);
    }
    SipScanResult r = scan_line(s, msg, s->pos, limits);
    s->pos += 2;
    s->line_start = s->pos;
    if (r != SIP_SCAN_MORE) {
      return r;
    }
  }
  return SIP_SCAN_MORE;
}

/* Header section done: the message's total length, or a reason. */
static SipReason message_length(const SipHeaderScan *s,
                                 const SipLimits *limits, gsize *total) {
  guint64 len = (guint64)s->header_len + s->content_length;

  if (len > limits->max_message) {
    return SIP_REASON_MESSAGE_TOO_LARGE;
  }
  *total = (gsize)len;
  return SIP_REASON_NONE;
}

/* ---- Streams ---- */

struct SipFramer {
  SipLimits limits;
  SipFramerRole role;
  GByteArray *buf;
  gsize start;        /* first byte of buf not yet handed out */
  gboolean in_message;
  SipHeaderScan scan;
  SipReason error;    /* sticky once set */
};

SipFramer *sip_framer_new(const SipLimits *limits, SipFramerRole role) {
  SipFramer *f = g_new0(SipFramer, 1);

  f->limits = *limits;
  f->role = role;
  f->buf = g_byte_array_new();
  return f;
}

void sip_framer_free(SipFramer *framer) {
  if (framer == NULL) {
    return;
  }
  g_byte_array_unref(framer->buf);
  g_free(framer);
}

void sip_framer_push(SipFramer *framer, const guint8 *data, gsize len) {
  if (framer->error != SIP_REASON_NONE) {
    return; /* the stream is being closed: keep nothing */
  }
  g_byte_array_append(framer->buf, data, (guint)len);
}

gsize sip_framer_buffered(const SipFramer *framer) {
  return framer->buf->len - framer->start;
}

static SipFrameKind framer_fail(SipFramer *f, SipFrame *frame,
                                SipReason reason) {
  f->error = reason;
  /* The stream is out of step: nothing buffered will ever be used. */
  g_byte_array_set_size(f->buf, 0);
  f->start = 0;
  memset(frame, 0, sizeof(*frame));
  frame->reason = reason;
  return SIP_FRAME_ERROR;
}

/* Between messages: keep-alives and stray CRLFs. Returns NEED_MORE when
 * a message starts (or nothing is buffered: then f->in_message is FALSE). */
static SipFrameKind framer_between(SipFramer *f) {
  for (;;) {
    gsize avail = f->buf->len - f->start;

    if (avail == 0) {
      f->in_message = FALSE; /* (an empty GByteArray has no data at all) */
      return SIP_FRAME_NEED_MORE;
    }
    const guint8 *p = f->buf->data + f->start;
    if (p[0] != '\r') {
      f->in_message = TRUE;
      return SIP_FRAME_NEED_MORE;
    }
    if (avail < 2) {
      return SIP_FRAME_NEED_MORE;
    }
    if (p[1] != '\n') {
      f->in_message = TRUE; /* the scanner refuses the bare CR */
      return SIP_FRAME_NEED_MORE;
    }
    if (f->role == SIP_FRAMER_OPENED) {
      f->start += 2;
      return SIP_FRAME_PONG;
    }
    /* Accepted side: CRLF CRLF is a ping; a CRLF followed by anything
     * else is a stray one before a start line, ignored (§7.5). */
    if (avail < 3 || (p[2] == '\r' && avail < 4)) {
      return SIP_FRAME_NEED_MORE;
    }
    if (p[2] == '\r' && p[3] == '\n') {
      f->start += 4;
      return SIP_FRAME_PING;
    }
    f->start += 2;
  }
}

SipFrameKind sip_framer_next(SipFramer *framer, SipFrame *frame) {
  SipFramer *f = framer;

  if (f->error != SIP_REASON_NONE) {
    return framer_fail(f, frame, f->error);
  }
  /* Drop what was handed out before: the last frame's bytes die here.
   * Pipelined messages are not moved down one by one: only once the
   * consumed part is large. */
  if (f->start == f->buf->len) {
    g_byte_array_set_size(f->buf, 0);
    f->start = 0;
  } else if (f->start >= SIP_FRAMER_COMPACT_AT) {
    g_byte_array_remove_range(f->buf, 0, (guint)f->start);
    f->start = 0;
  }
  if (!f->in_message) {
    SipFrameKind kind = framer_between(f);
    if (kind != SIP_FRAME_NEED_MORE || !f->in_message) {
      return kind;
    }
    memset(&f->scan, 0, sizeof(f->scan));
  }

  const guint8 *msg = f->buf->data + f->start;
  gsize avail = f->buf->len - f->start;
  if (f->scan.header_len == 0) {
    switch (scan_headers(&f->scan, msg, avail, &f->limits)) {
    case SIP_SCAN_MORE:
      return SIP_FRAME_NEED_MORE;
    case SIP_SCAN_ERROR:
      return framer_fail(f, frame, f->scan.reason);
    case SIP_SCAN_DONE:
      break;
    }
    if (!f->scan.have_content_length) {
      return framer_fail(f, frame, SIP_REASON_CONTENT_LENGTH_MISSING);
    }
  }

  gsize total;
  SipReason reason = message_length(&f->scan, &f->limits, &total);
  if (reason != SIP_REASON_NONE) {
    return framer_fail(f, frame, reason);
  }
  if (avail < total) {
    return SIP_FRAME_NEED_MORE;
  }
  frame->data = msg;
  frame->len = total;
  frame->header_len = f->scan.header_len;
  frame->reason = SIP_REASON_NONE;
  f->start += total;
  f->in_message = FALSE;
  return SIP_FRAME_MESSAGE;
}

/* ---- Datagrams ---- */

static SipDatagramKind datagram_refuse(SipFrame *frame, SipReason reason) {
  frame->reason = reason;
  return SIP_DATAGRAM_REFUSED;
}

SipDatagramKind sip_datagram_frame(const guint8 *data, gsize len,
                                   const SipLimits *limits, SipFrame *frame) {
  gsize skip = 0;
  gsize rest;

  memset(frame, 0, sizeof(*frame));
  while (len - skip >= 2 && data[skip] == '\r' && data[skip + 1] == '\n') {
    skip += 2;
  }
  for (rest = skip; rest < len; rest++) {
    if (data[rest] != '\r' && data[rest] != '\n') {
      break;
    }
  }
  if (rest == len) {
    return SIP_DATAGRAM_KEEPALIVE;
  }

  const guint8 *msg = data + skip;
  gsize avail = len - skip;
  SipHeaderScan scan = {0};
  frame->data = msg;
  switch (scan_headers(&scan, msg, avail, limits)) {
  case SIP_SCAN_ERROR:
    return datagram_refuse(frame, scan.reason);
  case SIP_SCAN_MORE:
    return datagram_refuse(frame, SIP_REASON_HEADERS_UNTERMINATED);
  case SIP_SCAN_DONE:
    break;
  }

  frame->header_len = scan.header_len;
  if (!scan.have_content_length) {
    scan.content_length = avail - scan.header_len;
  }
  gsize total;
  SipReason reason = message_length(&scan, limits, &total);
  if (reason != SIP_REASON_NONE) {
    return datagram_refuse(frame, reason);
  }
  if (total > avail) {
    return datagram_refuse(frame, SIP_REASON_CONTENT_LENGTH_MISMATCH);
  }
  frame->len = total;
  return SIP_DATAGRAM_MESSAGE;
}
