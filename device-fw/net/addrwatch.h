/*
 * Address and link change notifications from the kernel (rtnetlink),
 * delivered in the main loop.
 */
#ifndef VGW_NET_ADDRWATCH_H
#define VGW_NET_ADDRWATCH_H

#include <glib.h>

G_BEGIN_DECLS

typedef void (*VgwAddrChangedFunc)(gpointer user_data);

/* vgw_addrwatch_start opens a non-blocking NETLINK_ROUTE socket joined to
 * the IPv4 address and link groups and calls |func| from the main loop
 * after each batch of notifications (the callback re-reads what it needs).
 * Returns a source id (0 and |error| set on failure). */
guint vgw_addrwatch_start(VgwAddrChangedFunc func, gpointer user_data,
                          GError **error);

G_END_DECLS

#endif /* VGW_NET_ADDRWATCH_H */
