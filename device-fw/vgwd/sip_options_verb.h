/*
 * The maintenance verbs that check the gateway reaches a SIP peer
 * (docs/maintenance-protocol.md, "SIP verbs"):
 *
 *   sip-options URI [TRANSPORT]   sends one OPTIONS to URI (sip: or sips:,
 *                                 an IPv4 host, optional port and
 *                                 ;transport=; TRANSPORT udp|tcp|tls
 *                                 overrides it) in a client transaction
 *                                 and answers {"id":N,"state":"pending"}
 *   sip-options-result ID         {"state":"pending"} until it ends, then
 *                                 the outcome: status, reason, rtt_ms,
 *                                 transport, connection; or failure
 *                                 ("timeout", "connection-refused",
 *                                 "tls-handshake-failed", ...) and detail
 *
 * A verb answers at once (the maintenance port has no deferred replies),
 * hence the pair; `vgw sip options` runs both. The last
 * VGW_SIP_PROBES_KEPT outcomes are kept.
 */
#ifndef VGW_VGWD_SIP_OPTIONS_VERB_H
#define VGW_VGWD_SIP_OPTIONS_VERB_H

#include <glib.h>

#include "mgmt/mgmt_verb.h"
#include "vgwd/sip_transport.h"

G_BEGIN_DECLS

#define VGW_SIP_PROBES_KEPT 16

typedef struct VgwSipProbes VgwSipProbes;

/* vgw_sip_probes_new: the verbs' state over |t| (not owned). */
VgwSipProbes *vgw_sip_probes_new(VgwSipTransport *t);

/* The verb set, to add with a VgwSipProbes as its data. */
extern const VgwMgmtVerbSet vgw_sip_options_verb_set;

G_END_DECLS

#endif /* VGW_VGWD_SIP_OPTIONS_VERB_H */
