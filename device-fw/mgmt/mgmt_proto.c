/* Maintenance-port protocol framing: see mgmt_proto.h. */
#include "mgmt_proto.h"

#include <string.h>

G_DEFINE_QUARK(vgw-mgmt-error-quark, vgw_mgmt_error)

/* line_length returns the length of |line| without a trailing "\n" or
 * "\r\n". */
static size_t line_length(const char *line) {
  size_t len = strlen(line);
  if (len > 0 && line[len - 1] == '\n') {
    len--;
  }
  if (len > 0 && line[len - 1] == '\r') {
    len--;
  }
  return len;
}

static gboolean id_char(char c) {
  return g_ascii_isalnum(c) || c == '_' || c == '-';
}

gboolean vgw_mgmt_id_is_valid(const char *id) {
  if (id == NULL) {
    return FALSE;
  }
  size_t n = 0;
  for (; id[n] != '\0'; n++) {
    if (!id_char(id[n]) || n >= VGW_MGMT_ID_MAX) {
      return FALSE;
    }
  }
  return n > 0;
}

/* scan_id reads an id starting at |p| (just after '@') up to |end|. On
 * success it copies it to |id| and returns the position after it. */
static const char *scan_id(const char *p, const char *end,
                           char id[VGW_MGMT_ID_MAX + 1]) {
  const char *start = p;
  while (p < end && id_char(*p)) {
    p++;
  }
  size_t n = (size_t)(p - start);
  if (n == 0 || n > VGW_MGMT_ID_MAX || (p < end && *p != ' ')) {
    return NULL;
  }
  memcpy(id, start, n);
  id[n] = '\0';
  return p;
}

gboolean vgw_mgmt_parse_request(const char *line, VgwMgmtRequest *out,
                                GError **error) {
  memset(out, 0, sizeof(*out));
  size_t len = line_length(line);
  const char *end = line + len;

  if (len == 0 || line[0] != '@') {
    g_set_error(error, VGW_MGMT_ERROR, VGW_MGMT_ERROR_NOT_REQUEST,
                "not a machine-mode request");
    return FALSE;
  }
  const char *p = scan_id(line + 1, end, out->id);
  if (p == NULL) {
    out->id[0] = '\0';
    g_set_error(error, VGW_MGMT_ERROR, VGW_MGMT_ERROR_BAD_ID,
                "bad request id");
    return FALSE;
  }
  if (len > VGW_MGMT_LINE_MAX) {
    g_set_error(error, VGW_MGMT_ERROR, VGW_MGMT_ERROR_TOO_LONG,
                "line too long");
    return FALSE;
  }

  GPtrArray *args = g_ptr_array_new_with_free_func(g_free);
  GString *arg = g_string_new(NULL);
  while (p < end) {
    while (p < end && *p == ' ') {
      p++;
    }
    if (p == end) {
      break;
    }
    g_string_truncate(arg, 0);
    if (*p == '"') {
      p++;
      gboolean closed = FALSE;
      while (p < end) {
        if (*p == '\\') {
          if (p + 1 == end || (p[1] != '"' && p[1] != '\\')) {
            g_set_error(error, VGW_MGMT_ERROR, VGW_MGMT_ERROR_BAD_QUOTING,
                        "bad escape in quoted argument");
            goto fail;
          }
          g_string_append_c(arg, p[1]);
          p += 2;
        } else if (*p == '"') {
          p++;
          closed = TRUE;
          break;
        } else {
          g_string_append_c(arg, *p++);
        }
      }
      if (!closed) {
        g_set_error(error, VGW_MGMT_ERROR, VGW_MGMT_ERROR_BAD_QUOTING,
                    "unterminated quoted argument");
        goto fail;
      }
      if (p < end && *p != ' ') {
        g_set_error(error, VGW_MGMT_ERROR, VGW_MGMT_ERROR_BAD_QUOTING,
                    "text after closing quote");
        goto fail;
      }
    } else {
      while (p < end && *p != ' ') {
        g_string_append_c(arg, *p++);
      }
    }
    g_ptr_array_add(args, g_strndup(arg->str, arg->len));
  }
  if (args->len == 0) {
    g_set_error(error, VGW_MGMT_ERROR, VGW_MGMT_ERROR_NO_VERB,
                "missing verb");
    goto fail;
  }
  g_ptr_array_add(args, NULL);
  out->argv = (char **)g_ptr_array_free(args, FALSE);
  g_string_free(arg, TRUE);
  return TRUE;

fail:
  g_ptr_array_free(args, TRUE);
  g_string_free(arg, TRUE);
  return FALSE;
}

void vgw_mgmt_request_clear(VgwMgmtRequest *req) {
  if (req == NULL) {
    return;
  }
  g_strfreev(req->argv);
  memset(req, 0, sizeof(*req));
}

static gboolean needs_quotes(const char *arg) {
  return arg[0] == '\0' || arg[0] == '"' || strchr(arg, ' ') != NULL;
}

char *vgw_mgmt_format_request(const char *id, const char *const *argv) {
  if (!vgw_mgmt_id_is_valid(id) || argv == NULL || argv[0] == NULL) {
    return NULL;
  }
  GString *out = g_string_new("@");
  g_string_append(out, id);
  for (size_t i = 0; argv[i] != NULL; i++) {
    const char *arg = argv[i];
    if (strpbrk(arg, "\r\n") != NULL) {
      g_string_free(out, TRUE);
      return NULL;
    }
    g_string_append_c(out, ' ');
    if (!needs_quotes(arg)) {
      g_string_append(out, arg);
      continue;
    }
    g_string_append_c(out, '"');
    for (const char *c = arg; *c != '\0'; c++) {
      if (*c == '"' || *c == '\\') {
        g_string_append_c(out, '\\');
      }
      g_string_append_c(out, *c);
    }
    g_string_append_c(out, '"');
  }
  return g_string_free(out, FALSE);
}

char *vgw_mgmt_format_reply(const char *id, gboolean ok,
                            const char *json_object) {
  return g_strdup_printf("@%s %s %s", id, ok ? "ok" : "error",
                         json_object != NULL ? json_object : "{}");
}

char *vgw_mgmt_format_error_reply(const char *id, const char *message) {
  GString *json = g_string_new("{\"error\":");
  vgw_mgmt_json_append_string(json, message);
  g_string_append_c(json, '}');
  char *line = vgw_mgmt_format_reply(id, FALSE, json->str);
  g_string_free(json, TRUE);
  return line;
}

gboolean vgw_mgmt_parse_reply(const char *line, char **id, gboolean *ok,
                              char **json, GError **error) {
  size_t len = line_length(line);
  const char *end = line + len;
  char id_buf[VGW_MGMT_ID_MAX + 1];

  if (len == 0 || line[0] != '@') {
    return FALSE;
  }
  const char *p = scan_id(line + 1, end, id_buf);
  if (p == NULL || p == end) {
    return FALSE;
  }
  p++; /* the space */
  gboolean is_ok;
  if (end - p >= 2 && strncmp(p, "ok", 2) == 0 && (p + 2 == end || p[2] == ' ')) {
    is_ok = TRUE;
    p += 2;
  } else if (end - p >= 5 && strncmp(p, "error", 5) == 0 &&
             (p + 5 == end || p[5] == ' ')) {
    is_ok = FALSE;
    p += 5;
  } else {
    return FALSE; /* a request such as "@1 status", not a reply */
  }
  if (len > VGW_MGMT_LINE_MAX) {
    g_set_error(error, VGW_MGMT_ERROR, VGW_MGMT_ERROR_TOO_LONG,
                "reply line too long");
    return FALSE;
  }
  if (p == end || *p != ' ' || p + 1 == end || p[1] != '{' ||
      end[-1] != '}') {
    g_set_error(error, VGW_MGMT_ERROR, VGW_MGMT_ERROR_BAD_REPLY,
                "reply without a JSON object");
    return FALSE;
  }
  p++;
  if (id != NULL) {
    *id = g_strdup(id_buf);
  }
  if (ok != NULL) {
    *ok = is_ok;
  }
  if (json != NULL) {
    *json = g_strndup(p, (gsize)(end - p));
  }
  return TRUE;
}

/* json_byte_plain: the ASCII bytes written as they are; the rest of ASCII
 * is escaped (RFC 8259 requires the C0 controls; DEL for readability).
 * Bytes >= 0x80 are checked as UTF-8 sequences. */
static inline gboolean json_byte_plain(guint8 c) {
  return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* The bytes of a 64-bit word, each set to |b|. */
#define BYTES(b) (G_GUINT64_CONSTANT(0x0101010101010101) * (b))

/* word_has_special: TRUE if a byte of |w| may need escaping or is not
 * ASCII (the classic
 * "has a byte less than / equal to" bit tricks; a false alarm only sends
 * the word to the byte-by-byte loop).  vgw handshakes --json writes
 * megabytes of strings, so plain runs are found eight bytes at a time. */
static inline gboolean word_has_special(guint64 w) {
  guint64 below = (w - BYTES(0x20)) & ~w;
  guint64 quote = w ^ BYTES('"');
  guint64 backslash = w ^ BYTES('\\');
  guint64 del = w ^ BYTES(0x7f);
  quote = (quote - BYTES(1)) & ~quote;
  backslash = (backslash - BYTES(1)) & ~backslash;
  del = (del - BYTES(1)) & ~del;
  return ((below | quote | backslash | del | w) & BYTES(0x80)) != 0;
}

/* append_utf8 copies the UTF-8 sequence at |p| and returns its length, or
 * writes U+FFFD for a byte that does not start a valid sequence (stray,
 * cut, overlong, surrogate) and returns 1, so the output is valid UTF-8
 * whatever the input. */
static gsize append_utf8(GString *out, const guint8 *p, const guint8 *end) {
  gunichar c = g_utf8_get_char_validated((const char *)p, end - p);
  if (c == (gunichar)-1 || c == (gunichar)-2) {
    g_string_append(out, "\\ufffd");
    return 1;
  }
  gsize n = (gsize)g_utf8_skip[*p];
  g_string_append_len(out, (const char *)p, n);
  return n;
}

void vgw_mgmt_json_append_string(GString *out, const char *s) {
  static const char hex[] = "0123456789abcdef";
  if (s == NULL) {
    g_string_append(out, "null");
    return;
  }
  const guint8 *p = (const guint8 *)s;
  const guint8 *end = p + strlen(s);
  g_string_append_c(out, '"');
  while (p < end) {
    const guint8 *run = p;
    while (end - p >= 8) {
      guint64 w;
      memcpy(&w, p, sizeof(w));
      if (!word_has_special(w)) {
        p += 8;
        continue;
      }
      break;
    }
    while (p < end && json_byte_plain(*p)) {
      p++;
    }
    if (p > run) {
      g_string_append_len(out, (const char *)run, p - run);
    }
    if (p == end) {
      break;
    }
    if (*p >= 0x80) {
      p += append_utf8(out, p, end);
      continue;
    }
    switch (*p) {
      case '"': g_string_append(out, "\\\""); break;
      case '\\': g_string_append(out, "\\\\"); break;
      case '\n': g_string_append(out, "\\n"); break;
      case '\r': g_string_append(out, "\\r"); break;
      case '\t': g_string_append(out, "\\t"); break;
      case '\b': g_string_append(out, "\\b"); break;
      case '\f': g_string_append(out, "\\f"); break;
      default: {
        char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 0x0f]};
        g_string_append_len(out, esc, sizeof(esc));
      }
    }
    p++;
  }
  g_string_append_c(out, '"');
}

char *vgw_mgmt_json_quote(const char *s) {
  GString *out = g_string_new(NULL);
  vgw_mgmt_json_append_string(out, s);
  return g_string_free(out, FALSE);
}
