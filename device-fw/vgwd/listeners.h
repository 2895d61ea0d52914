/*
 * SIP listeners: the UDP, TCP and TLS listening sockets of every SIP
 * Interface (param/sip_interfaces.h), each bound to the IPv4 address of
 * the interface's network port (LAN or WAN), non-blocking, in the main
 * loop. What arrives on them is served by a VgwSipTransport
 * (sip_transport.h); TLS connections by the TLS server, which hands their
 * streams to the same transport. Every accepted connection carries its
 * interface (the SIPInterface row index) for the per-interface bound and,
 * later, the TLS Context.
 *
 * The set follows the configuration and the addresses: a listener opens
 * once its network port has an address (DHCP may bring it late), and each
 * vgw_listeners_apply() of a changed table opens the new listeners and
 * closes those whose row, port or address is gone. Closing a TCP or TLS
 * listener also closes the connections accepted on it (each logged):
 * they belong to an interface that no longer exists in that form. A
 * listener whose row, network port, transport, port and address are
 * unchanged stays open with its connections, even when the row's name
 * changes.
 *
 * A listener that cannot be bound is logged and tried again at the next
 * apply or address change; vgw_listeners_complete() says whether any is
 * missing.
 */
#ifndef VGW_VGWD_LISTENERS_H
#define VGW_VGWD_LISTENERS_H

#include <glib.h>
#include <stdint.h>

#include "mgmt/mgmt_status.h"
#include "sip_interfaces.h"
#include "tls/tls_server.h"
#include "vgwd/sip_transport.h"

G_BEGIN_DECLS

typedef struct VgwListeners VgwListeners;

/* vgw_listeners_new makes an empty listener set whose UDP sockets and
 * TCP connections |sip| serves. Nothing is bound until an address and a
 * configuration are given. */
VgwListeners *vgw_listeners_new(VgwSipTransport *sip);

/* vgw_listeners_set_tls has |tls| serve the TLS listeners (NULL: there
 * are none, e.g. without a crypto engine) and opens them; those of a
 * previous server are closed first. */
void vgw_listeners_set_tls(VgwListeners *l, VgwTlsServer *tls);

/* vgw_listeners_set_address gives |network| its address |ipv4|
 * ("a.b.c.d" or "a.b.c.d/n"; NULL or unparsable: none) and opens or
 * moves that port's listeners. */
void vgw_listeners_set_address(VgwListeners *l, VgwNetwork network,
                               const char *ipv4);

/* vgw_listeners_apply makes the listeners those of |cfg|'s SIP
 * Interfaces (vgw_sip_interfaces_read), opening and closing what
 * differs. |cfg| is not kept. */
void vgw_listeners_apply(VgwListeners *l, const VgwParamConfig *cfg);

/* vgw_listeners_complete says whether every listener of the
 * configuration is open: each interface's network port has an address
 * and each of its ports is bound (TLS ones only with a TLS server). */
gboolean vgw_listeners_complete(const VgwListeners *l);

/* vgw_listeners_port: the port of the open |transport| listener bound to
 * |address| ("a.b.c.d", one of ours) of the first SIP Interface, in table
 * order, that has one; 0 when none is open. It is what our Via, Contact
 * and Record-Route name toward a peer reached from |address|, so it
 * follows every live change of the SIP Interfaces. (UDP requests of our
 * own leave from the transport's first UDP socket, sip_transport.h: the
 * same listener while one interface listens on UDP per address.) */
guint16 vgw_listeners_port(const VgwListeners *l, const char *address,
                           SipTransport transport);

/* vgw_listeners_describe writes up to |max| entries describing the open
 * listeners into |out| (strings owned by |l|, valid until its next
 * change) and returns how many it wrote. */
size_t vgw_listeners_describe(const VgwListeners *l, VgwStatusListener *out,
                              size_t max);

G_END_DECLS

#endif /* VGW_VGWD_LISTENERS_H */
