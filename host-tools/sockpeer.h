/*
 * Who is connected to a listening unix socket.
 *
 * QEMU's socket chardev (maint.sock, console.sock) serves one client at a
 * time; anyone else who connects waits unanswered in the listen backlog.
 * Before vgw queues behind a client it did not start, it asks the kernel
 * (sock_diag, NETLINK_SOCK_DIAG) which connection the server has accepted
 * and who holds the other end (the process with that socket inode among
 * /proc/<pid>/fd), so it can refuse at once and name the holder.
 */
#ifndef VGW_SOCKPEER_H
#define VGW_SOCKPEER_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int pid;        /* 0 when the holder cannot be named (another user's process) */
  char *command;  /* its command line, arguments joined by spaces; NULL with pid 0 */
} VgwSockHolder;

void vgw_sock_holder_clear(VgwSockHolder *holder);

/* vgw_sock_holder_find returns TRUE when a connection that the server
 * listening on |path| has accepted still has a live client end, and fills
 * |holder| with that client's process as far as it can be named.  A
 * connection whose client has already hung up does not count (the server
 * just has not noticed yet), nor do connections still in the backlog.
 * FALSE when there is none, or when the kernel cannot be asked (no
 * sock_diag): then nothing is known and the caller proceeds as before. */
gboolean vgw_sock_holder_find(const char *path, VgwSockHolder *holder);

/* vgw_sock_holder_describe returns "pid P (COMMAND)" or "another client". */
char *vgw_sock_holder_describe(const VgwSockHolder *holder);

G_END_DECLS

#endif /* VGW_SOCKPEER_H */
