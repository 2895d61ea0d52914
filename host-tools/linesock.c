#include "linesock.h"

#include <string.h>

struct VgwLineSocket {
  GSocket *socket;
  GString *buf;
};

VgwLineSocket *
vgw_line_socket_new(GSocket *socket)
{
  VgwLineSocket *ls = g_new0(VgwLineSocket, 1);

  ls->socket = g_object_ref(socket);
  ls->buf = g_string_new(NULL);
  g_socket_set_blocking(socket, FALSE);
  return ls;
}

VgwLineSocket *
vgw_line_socket_connect_unix(const char *path, GError **error)
{
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GSocketAddress) addr = NULL;
  g_autoptr(GError) local = NULL;

  sock = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_STREAM,
                      G_SOCKET_PROTOCOL_DEFAULT, &local);
  if (sock == NULL)
    goto fail;
  addr = g_unix_socket_address_new(path);
  /* A unix connect either succeeds or fails at once; blocking is fine. */
  if (!g_socket_connect(sock, addr, NULL, &local))
    goto fail;
  return vgw_line_socket_new(sock);

fail:
  g_set_error(error, local->domain, local->code, "cannot connect to %s: %s",
              path, local->message);
  return NULL;
}

void
vgw_line_socket_free(VgwLineSocket *ls)
{
  if (ls == NULL)
    return;
  g_socket_close(ls->socket, NULL);
  g_object_unref(ls->socket);
  g_string_free(ls->buf, TRUE);
  g_free(ls);
}

static gboolean
wait_for(VgwLineSocket *ls, GIOCondition cond, gint64 deadline_us,
         GError **error)
{
  gint64 left = deadline_us - g_get_monotonic_time();

  if (left <= 0) {
    g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "timed out");
    return FALSE;
  }
  if (!g_socket_condition_timed_wait(ls->socket, cond, left, NULL, error))
    return FALSE;
  return TRUE;
}

char *
vgw_line_socket_read_line(VgwLineSocket *ls, gsize max_len, gint64 deadline_us,
                          GError **error)
{
  for (;;) {
    char *nl = memchr(ls->buf->str, '\n', ls->buf->len);
    char chunk[4096];
    g_autoptr(GError) local = NULL;
    gssize n;

    if (nl != NULL) {
      gsize len = nl - ls->buf->str;
      char *line = g_strndup(ls->buf->str, len > 0 && nl[-1] == '\r' ? len - 1 : len);
      g_string_erase(ls->buf, 0, len + 1);
      return line;
    }
    if (ls->buf->len > max_len) {
      g_set_error(error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                  "line longer than %zu bytes", max_len);
      return NULL;
    }
    if (!wait_for(ls, G_IO_IN | G_IO_HUP | G_IO_ERR, deadline_us, error))
      return NULL;
    n = g_socket_receive(ls->socket, chunk, sizeof chunk, NULL, &local);
    if (n < 0) {
      if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        continue;
      g_propagate_error(error, g_steal_pointer(&local));
      return NULL;
    }
    if (n == 0) {
      g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                          "connection closed by peer");
      return NULL;
    }
    g_string_append_len(ls->buf, chunk, n);
  }
}

gboolean
vgw_line_socket_write_line(VgwLineSocket *ls, const char *line,
                           gint64 deadline_us, GError **error)
{
  g_autofree char *data = g_strconcat(line, "\n", NULL);
  gsize len = strlen(data), off = 0;

  while (off < len) {
    g_autoptr(GError) local = NULL;
    gssize n;

    if (!wait_for(ls, G_IO_OUT, deadline_us, error))
      return FALSE;
    n = g_socket_send(ls->socket, data + off, len - off, NULL, &local);
    if (n < 0) {
      if (g_error_matches(local, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        continue;
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
    off += n;
  }
  return TRUE;
}
