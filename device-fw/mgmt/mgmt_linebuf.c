/* Line assembly for the maintenance port: see mgmt_linebuf.h. */
#include "mgmt_linebuf.h"

#include <string.h>

typedef struct {
  char *text;        /* NULL: a break */
  gboolean too_long;
} QueuedLine;

struct VgwLineBuf {
  size_t max_line;
  GString *partial;   /* the line being received, capped at max_line */
  gboolean overflow;  /* the partial line went past max_line */
  GQueue lines;       /* QueuedLine* */
};

VgwLineBuf *vgw_linebuf_new(size_t max_line) {
  VgwLineBuf *buf = g_new0(VgwLineBuf, 1);
  buf->max_line = max_line;
  buf->partial = g_string_new(NULL);
  g_queue_init(&buf->lines);
  return buf;
}

static void queued_line_free(gpointer data) {
  QueuedLine *line = data;
  g_free(line->text);
  g_free(line);
}

void vgw_linebuf_free(VgwLineBuf *buf) {
  if (buf == NULL) {
    return;
  }
  g_queue_clear_full(&buf->lines, queued_line_free);
  g_string_free(buf->partial, TRUE);
  g_free(buf);
}

static void finish_line(VgwLineBuf *buf) {
  GString *s = buf->partial;
  if (!buf->overflow && s->len > 0 && s->str[s->len - 1] == '\r') {
    g_string_truncate(s, s->len - 1);
  }
  QueuedLine *line = g_new0(QueuedLine, 1);
  line->text = g_strndup(s->str, s->len);
  line->too_long = buf->overflow;
  g_queue_push_tail(&buf->lines, line);
  g_string_truncate(s, 0);
  buf->overflow = FALSE;
}

void vgw_linebuf_feed(VgwLineBuf *buf, const char *data, size_t len) {
  for (size_t i = 0; i < len; i++) {
    char c = data[i];
    if (c == '\n') {
      finish_line(buf);
    } else if (c == '\0') {
      g_string_truncate(buf->partial, 0);
      buf->overflow = FALSE;
      g_queue_push_tail(&buf->lines, g_new0(QueuedLine, 1));
    } else if (buf->partial->len < buf->max_line + 1) {
      /* Keep one byte past the limit so a "\r" at the limit is seen. */
      g_string_append_c(buf->partial, c);
    } else {
      buf->overflow = TRUE;
    }
    if (buf->partial->len == buf->max_line + 1 &&
        buf->partial->str[buf->max_line] != '\r') {
      buf->overflow = TRUE;
    }
  }
}

VgwLineEvent vgw_linebuf_next(VgwLineBuf *buf, char **line,
                              gboolean *too_long) {
  QueuedLine *queued = g_queue_pop_head(&buf->lines);
  *line = NULL;
  if (queued == NULL) {
    return VGW_LINEBUF_EMPTY;
  }
  char *text = queued->text;
  gboolean cut = queued->too_long;
  g_free(queued);
  if (text == NULL) {
    return VGW_LINEBUF_BREAK;
  }
  if (cut && strlen(text) > buf->max_line) {
    text[buf->max_line] = '\0';
  }
  if (too_long != NULL) {
    *too_long = cut;
  }
  *line = text;
  return VGW_LINEBUF_LINE;
}

size_t vgw_linebuf_pending(const VgwLineBuf *buf) {
  return buf->partial->len;
}
