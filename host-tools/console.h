/*
 * Attaching a terminal or a pipe to a gateway's console socket.
 *
 * With a terminal on |in_fd| it is put in raw mode (so Ctrl-C, arrows,
 * ... reach the gateway) and Ctrl-] detaches, as with `virsh console`.
 * With a pipe or file, input is copied until its end, then output is
 * still shown until the console has been quiet for |linger_ms|.
 * The terminal's settings are always restored.
 */
#ifndef VGW_CONSOLE_H
#define VGW_CONSOLE_H

#include <glib.h>

G_BEGIN_DECLS

#define VGW_CONSOLE_ESCAPE 0x1d /* Ctrl-] */
#define VGW_CONSOLE_LINGER_MS 1000

/* vgw_console_attach connects to |socket_path| and relays between it and
 * |in_fd|/|out_fd| until detach, end of input (pipe mode), or the
 * gateway closing the console.  Fails if the socket cannot be reached. */
gboolean vgw_console_attach(const char *socket_path, int in_fd, int out_fd,
                            guint linger_ms, GError **error);

G_END_DECLS

#endif /* VGW_CONSOLE_H */
