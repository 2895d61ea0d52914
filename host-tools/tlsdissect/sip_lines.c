#include "sip_lines.h"

#include <string.h>

#include <openssl/bytestring.h>

#define SIP_VERSION "SIP/2.0"

void
tlsd_sip_line_free(TlsdSipLine *line)
{
  if (line == NULL)
    return;
  g_free(line->start_line);
  g_free(line->call_id);
  g_free(line);
}

/* Takes the next line (up to LF, without CR LF) off |in|; FALSE if |in|
 * holds no LF. */
static gboolean
get_line(CBS *in, CBS *line)
{
  const guint8 *lf = memchr(CBS_data(in), '\n', CBS_len(in));
  gsize n;

  if (lf == NULL)
    return FALSE;
  n = (gsize) (lf - CBS_data(in));
  if (!CBS_get_bytes(in, line, n) || !CBS_skip(in, 1))
    return FALSE;
  if (n > 0 && CBS_data(line)[n - 1] == '\r')
    CBS_init(line, CBS_data(line), n - 1);
  return TRUE;
}

/* RFC 3261's token characters, which a method is made of. */
static gboolean
is_token_char(guint8 c)
{
  return g_ascii_isalnum(c) || (c != '\0' && strchr("-.!%*_+`'~", c) != NULL);
}

static gboolean
has_prefix(const CBS *s, const char *prefix)
{
  gsize n = strlen(prefix);

  return CBS_len(s) >= n && memcmp(CBS_data(s), prefix, n) == 0;
}

/* "SIP/2.0 200 OK" or "METHOD uri SIP/2.0". */
static gboolean
is_start_line(CBS line)
{
  CBS rest = line;
  gsize method_len = 0;

  if (has_prefix(&line, SIP_VERSION " ")) {
    const guint8 *p = CBS_data(&line) + strlen(SIP_VERSION " ");
    return CBS_len(&line) >= strlen(SIP_VERSION " ") + 3 && g_ascii_isdigit(p[0]) &&
           g_ascii_isdigit(p[1]) && g_ascii_isdigit(p[2]);
  }
  while (CBS_len(&rest) > 0 && is_token_char(CBS_data(&rest)[0])) {
    CBS_skip(&rest, 1);
    method_len++;
  }
  /* The method, a space, a URI, a space, the version. */
  return method_len > 0 && CBS_len(&rest) > strlen(SIP_VERSION) + 2 &&
         CBS_data(&rest)[0] == ' ' &&
         memcmp(CBS_data(&rest) + CBS_len(&rest) - strlen(SIP_VERSION) - 1, " " SIP_VERSION,
                strlen(SIP_VERSION) + 1) == 0;
}

/* The text of |s| made printable: valid UTF-8, control characters as '?'. */
static char *
printable(CBS s)
{
  char *text = g_utf8_make_valid((const char *) CBS_data(&s), (gssize) CBS_len(&s));

  for (char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      *p = '?';
  return text;
}

static void
trim(CBS *s)
{
  while (CBS_len(s) > 0 && (CBS_data(s)[0] == ' ' || CBS_data(s)[0] == '\t'))
    CBS_skip(s, 1);
  while (CBS_len(s) > 0 &&
         (CBS_data(s)[CBS_len(s) - 1] == ' ' || CBS_data(s)[CBS_len(s) - 1] == '\t'))
    CBS_init(s, CBS_data(s), CBS_len(s) - 1);
}

/* If |line| is a header named |name| or |compact| (any case), puts its
 * trimmed value in |value|. */
static gboolean
header_value(CBS line, const char *name, const char *compact, CBS *value)
{
  const guint8 *colon = memchr(CBS_data(&line), ':', CBS_len(&line));
  CBS field;

  if (colon == NULL)
    return FALSE;
  CBS_init(&field, CBS_data(&line), (gsize) (colon - CBS_data(&line)));
  trim(&field);
  if (!(CBS_len(&field) == strlen(name) &&
        g_ascii_strncasecmp((const char *) CBS_data(&field), name, CBS_len(&field)) == 0) &&
      !(CBS_len(&field) == strlen(compact) &&
        g_ascii_strncasecmp((const char *) CBS_data(&field), compact, CBS_len(&field)) == 0))
    return FALSE;
  CBS_init(value, colon + 1, CBS_len(&line) - (gsize) (colon + 1 - CBS_data(&line)));
  trim(value);
  return TRUE;
}

/* A Content-Length value: digits only, at most 10 of them. */
static gboolean
parse_length(CBS value, guint64 *out)
{
  guint64 v = 0;

  if (CBS_len(&value) == 0 || CBS_len(&value) > 10)
    return FALSE;
  for (gsize i = 0; i < CBS_len(&value); i++) {
    guint8 c = CBS_data(&value)[i];
    if (!g_ascii_isdigit(c))
      return FALSE;
    v = v * 10 + (guint64) (c - '0');
  }
  *out = v;
  return TRUE;
}

TlsdSipHeadStatus
tlsd_sip_parse_head(const guint8 *data, gsize len, gboolean datagram, TlsdSipHead *out)
{
  CBS in, start, line, value;
  gboolean ended = FALSE, bad_length = FALSE;

  memset(out, 0, sizeof *out);
  CBS_init(&in, data, len);
  if (!get_line(&in, &start)) {
    if (!datagram)
      /* Give up early on bytes that cannot begin a start line. */
      return len > 0 && !is_token_char(data[0]) ? TLSD_SIP_HEAD_NOT_SIP : TLSD_SIP_HEAD_PARTIAL;
    start = in;
    CBS_init(&in, data + len, 0);
  }
  if (!is_start_line(start))
    return TLSD_SIP_HEAD_NOT_SIP;
  while (get_line(&in, &line)) {
    if (CBS_len(&line) == 0) {
      ended = TRUE;
      break;
    }
    /* A folded continuation line belongs to the header before it. */
    if (CBS_data(&line)[0] == ' ' || CBS_data(&line)[0] == '\t')
      continue;
    if (out->call_id == NULL && header_value(line, "Call-ID", "i", &value))
      out->call_id = printable(value);
    else if (header_value(line, "Content-Length", "l", &value)) {
      guint64 n = 0;
      /* Two different lengths, or one that is not a number, frame nothing. */
      if (!parse_length(value, &n) || (out->have_length && n != out->content_length))
        bad_length = TRUE;
      out->have_length = TRUE;
      out->content_length = n;
    }
  }
  if (!ended && !datagram) {
    g_clear_pointer(&out->call_id, g_free);
    out->have_length = FALSE;
    return TLSD_SIP_HEAD_PARTIAL;
  }
  if (bad_length)
    out->have_length = FALSE;
  out->head_len = len - CBS_len(&in);
  out->start_line = printable(start);
  return TLSD_SIP_HEAD_DONE;
}

static TlsdSipLine *
line_from_head(TlsdSipHead *head, TlsdRole from, gint64 time_us)
{
  TlsdSipLine *line = g_new0(TlsdSipLine, 1);

  line->time_us = time_us;
  line->from = from;
  line->start_line = g_steal_pointer(&head->start_line);
  line->call_id = g_steal_pointer(&head->call_id);
  return line;
}

TlsdSipLine *
tlsd_sip_datagram(const guint8 *data, gsize len, TlsdRole from, gint64 time_us)
{
  TlsdSipHead head;

  if (len == 0 || tlsd_sip_parse_head(data, len, TRUE, &head) != TLSD_SIP_HEAD_DONE)
    return NULL;
  return line_from_head(&head, from, time_us);
}

struct TlsdSipStream {
  TlsdRole from;
  GByteArray *head;       /* the start of a head that has not ended yet */
  gboolean head_has_lf;   /* its start line is whole (and was checked) */
  gint64 head_time_us;    /* when its first byte came */
  guint64 body_left;      /* body bytes of the last message still to come */
  guint lines;
  gboolean saw_sip;
  gboolean done;
  const char *stopped;    /* why it was given up after SIP was seen */
};

TlsdSipStream *
tlsd_sip_stream_new(TlsdRole from)
{
  TlsdSipStream *s = g_new0(TlsdSipStream, 1);

  s->from = from;
  s->head = g_byte_array_new();
  return s;
}

void
tlsd_sip_stream_free(TlsdSipStream *stream)
{
  if (stream == NULL)
    return;
  g_byte_array_unref(stream->head);
  g_free(stream);
}

static void
stop(TlsdSipStream *s, const char *why)
{
  s->done = TRUE;
  if (s->saw_sip && s->stopped == NULL)
    s->stopped = why;
  g_byte_array_set_size(s->head, 0);
  s->head_has_lf = FALSE;
}

/* Whether an empty line (LF LF, or LF CR LF) ends at or after |from|. */
static gboolean
ends_head(const guint8 *data, gsize len, gsize from)
{
  for (gsize i = from; i < len; i++) {
    const guint8 *lf = memchr(data + i, '\n', len - i);
    if (lf == NULL)
      return FALSE;
    i = (gsize) (lf - data);
    if ((i + 1 < len && data[i + 1] == '\n') ||
        (i + 2 < len && data[i + 1] == '\r' && data[i + 2] == '\n'))
      return TRUE;
  }
  return FALSE;
}

void
tlsd_sip_stream_feed(TlsdSipStream *s, const guint8 *data, gsize len, gint64 time_us,
                     GPtrArray *lines)
{
  CBS in;

  CBS_init(&in, data, len);
  while (CBS_len(&in) > 0 && !s->done) {
    TlsdSipHead head;
    TlsdSipHeadStatus status;
    gsize consumed;

    if (s->body_left > 0) {
      gsize n = (gsize) MIN(s->body_left, (guint64) CBS_len(&in));
      CBS_skip(&in, n);
      s->body_left -= n;
      continue;
    }
    if (s->head->len == 0) {
      /* CRLF keep-alives (RFC 5626) sit between messages. */
      while (CBS_len(&in) > 0 && (CBS_data(&in)[0] == '\r' || CBS_data(&in)[0] == '\n'))
        CBS_skip(&in, 1);
      if (CBS_len(&in) == 0)
        break;
      s->head_time_us = time_us;
      status = tlsd_sip_parse_head(CBS_data(&in), CBS_len(&in), FALSE, &head);
      if (status == TLSD_SIP_HEAD_PARTIAL) {
        if (CBS_len(&in) >= TLSD_SIP_HEAD_MAX) {
          stop(s, "a message head longer than 64 KiB");
        } else {
          g_byte_array_append(s->head, CBS_data(&in), (guint) CBS_len(&in));
          s->head_has_lf = memchr(CBS_data(&in), '\n', CBS_len(&in)) != NULL;
        }
        break;
      }
      consumed = head.head_len;
    } else {
      gsize held = s->head->len;
      gsize n = MIN(CBS_len(&in), TLSD_SIP_HEAD_MAX - held);
      gboolean new_lf = memchr(CBS_data(&in), '\n', n) != NULL;
      g_byte_array_append(s->head, CBS_data(&in), (guint) n);
      /* The head is parsed again only when its start line has just become
       * whole or an empty line came: not for every byte of a head cut
       * into many small pieces. */
      if ((new_lf && !s->head_has_lf) ||
          (new_lf && ends_head(s->head->data, s->head->len, held >= 2 ? held - 2 : 0)))
        status = tlsd_sip_parse_head(s->head->data, s->head->len, FALSE, &head);
      else
        status = TLSD_SIP_HEAD_PARTIAL;
      s->head_has_lf = s->head_has_lf || new_lf;
      if (status == TLSD_SIP_HEAD_PARTIAL) {
        if (s->head->len >= TLSD_SIP_HEAD_MAX)
          stop(s, "a message head longer than 64 KiB");
        CBS_skip(&in, n);
        continue;
      }
      consumed = status == TLSD_SIP_HEAD_DONE ? head.head_len - held : 0;
      g_byte_array_set_size(s->head, 0);
      s->head_has_lf = FALSE;
    }
    if (status == TLSD_SIP_HEAD_NOT_SIP) {
      stop(s, "bytes that do not start a SIP message");
      break;
    }
    CBS_skip(&in, consumed);
    s->saw_sip = TRUE;
    if (s->lines >= TLSD_SIP_LINES_MAX) {
      g_free(head.start_line);
      g_free(head.call_id);
      stop(s, "more messages than are listed");
      break;
    }
    s->lines++;
    g_ptr_array_add(lines, line_from_head(&head, s->from, s->head_time_us));
    if (!head.have_length) {
      /* Without a usable Content-Length a stream cannot be framed further. */
      stop(s, "a message without a usable Content-Length");
      break;
    }
    s->body_left = head.content_length;
  }
}

void
tlsd_sip_stream_stop(TlsdSipStream *stream, const char *why)
{
  stop(stream, why);
}

gboolean
tlsd_sip_could_start(guint8 first)
{
  /* A method's first character, or the CR LF of a keep-alive. */
  return is_token_char(first) || first == '\r' || first == '\n';
}

gboolean
tlsd_sip_stream_wants_data(const TlsdSipStream *stream)
{
  return !stream->done;
}

gboolean
tlsd_sip_stream_saw_sip(const TlsdSipStream *stream)
{
  return stream->saw_sip;
}

const char *
tlsd_sip_stream_stopped(const TlsdSipStream *stream)
{
  return stream->stopped;
}

TlsdSipFlow *
tlsd_sip_flow_new(TlsdSipTransport transport, char *client_addr, guint16 client_port,
                  char *server_addr, guint16 server_port)
{
  TlsdSipFlow *flow = g_new0(TlsdSipFlow, 1);

  flow->transport = transport;
  flow->client_addr = client_addr;
  flow->client_port = client_port;
  flow->server_addr = server_addr;
  flow->server_port = server_port;
  flow->lines = g_ptr_array_new_with_free_func((GDestroyNotify) tlsd_sip_line_free);
  return flow;
}

void
tlsd_sip_flow_free(TlsdSipFlow *flow)
{
  if (flow == NULL)
    return;
  g_free(flow->client_addr);
  g_free(flow->server_addr);
  g_ptr_array_unref(flow->lines);
  g_free(flow->stopped);
  g_free(flow);
}

gboolean
tlsd_sip_flow_add_line(TlsdSipFlow *flow, TlsdSipLine *line)
{
  if (flow->lines->len >= TLSD_SIP_LINES_MAX) {
    tlsd_sip_line_free(line);
    if (flow->stopped == NULL)
      flow->stopped = g_strdup("more messages than are listed");
    return FALSE;
  }
  g_ptr_array_add(flow->lines, line);
  return TRUE;
}

static gint
by_time(gconstpointer a, gconstpointer b)
{
  const TlsdSipLine *x = *(TlsdSipLine *const *) a;
  const TlsdSipLine *y = *(TlsdSipLine *const *) b;

  return (x->time_us > y->time_us) - (x->time_us < y->time_us);
}

void
tlsd_sip_flow_sort(TlsdSipFlow *flow)
{
  /* GLib's sort is a stable merge sort. */
  g_ptr_array_sort(flow->lines, by_time);
}

const char *
tlsd_sip_transport_name(TlsdSipTransport transport)
{
  switch (transport) {
  case TLSD_SIP_UDP:
    return "udp";
  case TLSD_SIP_TCP:
    return "tcp";
  case TLSD_SIP_TLS:
    return "tls";
  }
  return "?";
}
