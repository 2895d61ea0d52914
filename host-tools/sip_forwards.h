/*
 * Host forwards of the SIP Interfaces' LAN ports. `vgw up` always
 * forwards the factory interface (--sip-port to UDP/TCP 5060,
 * --sip-tls-port to 5061); a configuration given with --config may have
 * interfaces on other LAN ports, and each of those gets a free host port
 * on 127.0.0.1 too, recorded in the instance and reported by `status
 * --json` as "forwards": [{"proto", "guest", "host"}]. WAN interfaces are not forwarded (WAN is the
 * management network). An interface added later, live, is not forwarded
 * until the next `vgw up --config`.
 */
#ifndef VGW_SIP_FORWARDS_H
#define VGW_SIP_FORWARDS_H

#include <glib.h>

#include "instance.h"
#include "param_config.h"

G_BEGIN_DECLS

/* The guest ports the factory forwards already cover. */
#define VGW_SIP_FACTORY_GUEST_PORT 5060
#define VGW_SIP_FACTORY_GUEST_TLS_PORT 5061

/* vgw_sip_forwards_from_config replaces |inst|'s forwards with one per
 * distinct LAN port of |cfg|'s SIP Interfaces that the factory forwards
 * do not cover (UDP, and TCP for TCP and TLS listeners), host ports not
 * chosen yet (0). */
void vgw_sip_forwards_from_config(VgwInstance *inst,
                                  const VgwParamConfig *cfg);

/* vgw_sip_forwards_pick gives each of |inst|'s forwards a host port free
 * on 127.0.0.1, none of the |n_avoid| ports in |avoid| nor another
 * forward's. */
gboolean vgw_sip_forwards_pick(VgwInstance *inst, const guint16 *avoid,
                               gsize n_avoid, GError **error);

G_END_DECLS

#endif /* VGW_SIP_FORWARDS_H */
