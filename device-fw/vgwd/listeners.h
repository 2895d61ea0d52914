/*
 * SIP listeners: UDP and TCP on the SIP port, non-blocking, in the main
 * loop. The sockets are bound here; what arrives on them is served by a
 * VgwSipTransport (sip_transport.h).
 */
#ifndef VGW_VGWD_LISTENERS_H
#define VGW_VGWD_LISTENERS_H

#include <glib.h>
#include <stdint.h>

#include "mgmt/mgmt_status.h"
#include "vgwd/sip_transport.h"

G_BEGIN_DECLS

#define VGW_SIP_PORT 5060

typedef struct VgwListeners VgwListeners;

/* vgw_listeners_start binds UDP and TCP |port| on all IPv4 addresses and
 * has |sip| serve them from the default main context (its UDP socket and
 * every accepted TCP connection). Returns NULL and sets |error| if either
 * cannot be bound. */
VgwListeners *vgw_listeners_start(uint16_t port, VgwSipTransport *sip,
                                  GError **error);

/* vgw_listeners_describe writes up to |max| entries describing the bound
 * listeners into |out| and returns how many it wrote. */
size_t vgw_listeners_describe(const VgwListeners *l, VgwStatusListener *out,
                              size_t max);

G_END_DECLS

#endif /* VGW_VGWD_LISTENERS_H */
