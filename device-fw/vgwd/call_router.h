/*
 * vgwd's calls: the gateway as a stateful proxy (RFC 3261 §16) for calls
 * to registered users, routed by the rules of sip_route.h and rewritten by
 * sip_proxy.h, with a call table.
 *
 * A new INVITE is routed; one that goes somewhere is answered 100 Trying
 * and forwarded in a client transaction, to the binding's flow: back on
 * the TCP/TLS connection it registered on, or over UDP to the address and
 * port it came from (received/rport). Requests and responses inside a
 * call follow the flows of its two legs, not the Contact or Route URIs:
 * a user behind NAT (slirp) registers a Contact the gateway cannot reach.
 * Provisional and final responses are relayed upstream with our Via
 * removed (100 is not: we sent our own). A CANCEL of a call not yet
 * answered is answered 200 and sent downstream; the callee's 487 comes
 * back as the INVITE's answer. Retransmissions of a 2xx to an INVITE
 * are relayed too (vgw_call_router_stray_response()). An ACK to a 2xx is
 * forwarded statelessly;
 * BYE, re-INVITE and any other request in the call go to the other leg in
 * their own transaction, with our Route removed. The direction is told by
 * the From tag: the caller's requests carry the INVITE's.
 *
 * Our address in Via and Record-Route is the address of the interface
 * that reaches the peer (the kernel's choice of source address for it:
 * over slirp 10.0.2.15) with the port of the outgoing transport's
 * listener on that address, looked up for each message (a SIP Interface
 * changed live counts at once).
 *
 * Calls: trying (INVITE forwarded), ringing (a 18x came), answered (2xx),
 * ended (a final non-2xx, a BYE answered, a CANCEL, or no answer). The
 * table keeps every call in progress and the last VGW_CALL_HISTORY ended
 * ones (`sip-calls`).
 *
 * Proxy Sets (rule 3 of sip_route.h, and the classification of requests
 * from proxies) come through VgwCallRouterProxySets; until it is set, no
 * source is a proxy and rule 3 never matches. What becomes of an INVITE
 * routed by rule 3 is reported back to the sets: a proxy that does not
 * answer it is down, and with hot swap the INVITE goes on to the next
 * proxy of the set in a new client transaction (the caller's stays).
 */
#ifndef VGW_VGWD_CALL_ROUTER_H
#define VGW_VGWD_CALL_ROUTER_H

#include <glib.h>

#include "config/config_state.h"
#include "mgmt/mgmt_status.h"
#include "mgmt/mgmt_verb.h"
#include "sip_registrar.h"
#include "sip_txn.h"

G_BEGIN_DECLS

/* Ended calls kept for `sip-calls`. */
#define VGW_CALL_HISTORY 16

typedef struct VgwCallRouter VgwCallRouter;

/* What the Proxy Sets tell the router (h/proxysets: vgwd/proxy_sets.h). */
typedef struct {
  /* TRUE when |req| from |from| was sent by a proxy of a Proxy Set
   * (vgw_proxy_sets_classify()). */
  gboolean (*from_proxy)(const SipPeer *from, const osip_message_t *req,
                         gpointer data);
  /* The Proxy Set an IPGroup of Type Server names, NULL for none. */
  const char *(*server_proxy_set)(gpointer data);
  /* An address of |proxy_set| that is up, in *out; FALSE for none (the
   * INVITE gets 503). vgw_proxy_sets_pick() fits. */
  gboolean (*pick)(const char *proxy_set, SipPeer *out, gpointer data);
  /* What became of an INVITE sent to |to| as pick gave it: |event| and
   * |code| as a SipClientFunc has them. TRUE, with the next proxy of the
   * set in *retry, when the INVITE must go there instead (no answer, and
   * IsProxyHotSwap). vgw_proxy_sets_report() fits; NULL: not reported. */
  gboolean (*report)(const SipPeer *to, SipClientEvent event, guint code,
                     SipPeer *retry, gpointer data);
  gpointer data;
} VgwCallRouterProxySets;

/* The port of our |transport| listener on our address |address|, 0 for
 * none: what our Via and Record-Route say on a hop from |address|, asked
 * for each message so live SIP Interface changes count.
 * vgw_listeners_port() fits. */
typedef guint16 (*VgwCallRouterPortFunc)(const char *address,
                                         SipTransport transport,
                                         gpointer data);

/* A router for calls to |registrar|'s users, reading TestCallNumber and
 * EnableSIPS from |config|'s running configuration at each INVITE, and
 * its listener ports from |port| with |port_data|. A hop with no listener
 * of its transport on our address toward the peer is not taken (500). */
VgwCallRouter *vgw_call_router_new(SipRegistrar *registrar,
                                   VgwConfigState *config,
                                   VgwCallRouterPortFunc port,
                                   gpointer port_data);

/* Sets (copies) the Proxy Sets' hooks; NULL removes them. */
void vgw_call_router_set_proxy_sets(VgwCallRouter *router,
                                    const VgwCallRouterProxySets *sets);

/* Takes |req| (in |txn|; NULL for an ACK to a 2xx, as
 * SipTxnCallbacks.request) if it is the router's: a new INVITE (routed,
 * or refused with 404, 416, 480, 483 or 503) or a request of one of its
 * calls. Returns FALSE, having done nothing, for any other request. */
gboolean vgw_call_router_take(VgwCallRouter *router, SipTxnLayer *layer,
                              SipTxn *txn, const osip_message_t *req,
                              const SipPeer *from);

/* vgw_call_router_stray_response is a SipStrayResponseFunc with the
 * router as |data| (sip_txn_layer_set_stray_response()): a 2xx to an
 * INVITE of a call in progress that comes after our client transaction
 * ended at the first one — the UAS retransmitting it until the ACK, RFC
 * 3261 §13.3.1.4 — is relayed statelessly, our Via removed, to the leg
 * that sent the INVITE (§16.7: a response no transaction matches is
 * forwarded as a stateless proxy would). Other stray responses are
 * dropped. */
void vgw_call_router_stray_response(SipTxnLayer *layer,
                                    const osip_message_t *resp,
                                    const SipPeer *from, gpointer router);

/* Fills |out| (`status` "sip.calls"). */
void vgw_call_router_status(const VgwCallRouter *router,
                            VgwStatusCalls *out);

/* The `sip-calls` verb, with the router as its data: the call table. */
extern const VgwMgmtVerbSet vgw_call_router_verb_set;

G_END_DECLS

#endif /* VGW_VGWD_CALL_ROUTER_H */
