/*
 * Socket helpers every listener of the firmware shares (SIP over UDP and
 * TCP, TLS): naming a peer and accepting TCP connections.
 */
#ifndef VGW_NET_SOCKETS_H
#define VGW_NET_SOCKETS_H

#include <glib.h>
#include <netinet/in.h>

G_BEGIN_DECLS

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
