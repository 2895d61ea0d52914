/*
 * Line-oriented I/O on a connected GSocket, bounded by deadlines.
 *
 * Both the QMP and the maintenance-port clients speak one message per
 * line; this is the only place that buffers socket input, so neither can
 * block forever on a silent peer.  Deadlines are g_get_monotonic_time()
 * values in microseconds.
 */
#ifndef VGW_LINESOCK_H
#define VGW_LINESOCK_H

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct VgwLineSocket VgwLineSocket;

/* VGW_LINESOCK_ERROR codes, domain G_IO_ERROR:
 *   G_IO_ERROR_TIMED_OUT   the deadline passed
 *   G_IO_ERROR_CONNECTION_CLOSED  the peer closed before a full line
 *   G_IO_ERROR_MESSAGE_TOO_LARGE  a line exceeded the size limit */

/* vgw_line_socket_connect_unix connects to the unix socket |path|;
 * fails with the connect error (prefixed by the path). */
VgwLineSocket *vgw_line_socket_connect_unix(const char *path, GError **error);

/* vgw_line_socket_new wraps the connected |socket| (a reference is taken). */
VgwLineSocket *vgw_line_socket_new(GSocket *socket);

void vgw_line_socket_free(VgwLineSocket *ls);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgwLineSocket, vgw_line_socket_free)

/* vgw_line_socket_read_line returns the next line without its "\n" or
 * "\r\n", waiting at most until |deadline_us|.  Lines longer than
 * |max_len| bytes fail with G_IO_ERROR_MESSAGE_TOO_LARGE. */
char *vgw_line_socket_read_line(VgwLineSocket *ls, gsize max_len,
                                gint64 deadline_us, GError **error);

/* vgw_line_socket_write_line writes |line| followed by "\n", waiting at
 * most until |deadline_us| for the socket to accept it. */
gboolean vgw_line_socket_write_line(VgwLineSocket *ls, const char *line,
                                    gint64 deadline_us, GError **error);

G_END_DECLS

#endif /* VGW_LINESOCK_H */
