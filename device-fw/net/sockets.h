/*
 * Socket helpers every listener of the firmware shares (SIP over UDP and
 * TCP, TLS, the rtnetlink watch): opening a bound socket, naming a peer
 * and accepting TCP connections.
 */
#ifndef VGW_NET_SOCKETS_H
#define VGW_NET_SOCKETS_H

#include <glib.h>
#include <netinet/in.h>
#include <stdint.h>
#include <sys/socket.h>

G_BEGIN_DECLS

/* vgw_socket_bind returns a new non-blocking, close-on-exec socket of
 * |family|, |type| and |protocol| bound to the |len| bytes of address at
 * |sa|, and listening with |backlog| when |backlog| > 0 (stream sockets).
 * An AF_INET socket gets SO_REUSEADDR first, so a restarted vgwd binds
 * its ports while the old connections linger in TIME_WAIT. On failure it
 * returns -1 with |error| set in G_FILE_ERROR (the errno) to "|what|:
 * strerror", and closes what it opened. */
int vgw_socket_bind(int family, int type, int protocol,
                    const struct sockaddr *sa, socklen_t len, int backlog,
                    const char *what, GError **error);

/* vgw_inet_bind is vgw_socket_bind for |port| on the IPv4 |address|
 * (network order): SOCK_STREAM (listening with |backlog|) or SOCK_DGRAM.
 * |port| 0 picks a free port; |*bound_port| (if not NULL) gets the one
 * bound. Errors read "tcp a.b.c.d:N: ..." or "udp a.b.c.d:N: ...". */
int vgw_inet_bind(int type, struct in_addr address, uint16_t port,
                  int backlog, uint16_t *bound_port, GError **error);

/* vgw_inet_bind_any is vgw_socket_bind for |port| on every IPv4 address
 * (both interfaces): SOCK_STREAM (listening with |backlog|) or SOCK_DGRAM.
 * |port| 0 picks a free port; |*bound_port| (if not NULL) gets the one
 * bound. Errors read "tcp port N: ..." or "udp port N: ...". */
int vgw_inet_bind_any(int type, uint16_t port, int backlog,
                      uint16_t *bound_port, GError **error);

/* VGW_PEER_LEN holds "a.b.c.d:port" with its NUL. */
#define VGW_PEER_LEN 24

/* vgw_peer_format writes |sa| as "a.b.c.d:port" into |out|. */
void vgw_peer_format(const struct sockaddr_in *sa, char out[VGW_PEER_LEN]);

/* VgwAcceptFunc takes over the non-blocking, close-on-exec socket |fd| of
 * a new connection from |peer| ("a.b.c.d:port"). */
typedef void (*VgwAcceptFunc)(int fd, const char *peer, gpointer data);

/* vgw_tcp_accept_all accepts every connection pending on the
 * non-blocking |listen_fd| and hands each to |fn|; it returns when none is
 * left (or accept fails), so it suits a G_IO_IN watch. */
void vgw_tcp_accept_all(int listen_fd, VgwAcceptFunc fn, gpointer data);

G_END_DECLS

#endif /* VGW_NET_SOCKETS_H */
