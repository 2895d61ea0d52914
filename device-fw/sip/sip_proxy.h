/*
 * The message transforms of a stateful proxy (RFC 3261 §16.6, §16.7,
 * §16.12), with no I/O: the request as forwarded, the response as relayed
 * back, the CANCEL of a forwarded INVITE. Every message handed back is a
 * new one, the caller's to send or free; the input is never changed.
 */
#ifndef VGW_SIP_PROXY_H
#define VGW_SIP_PROXY_H

#include <glib.h>
#include <osipparser2/osip_parser.h>

#include "sip_txn.h"

/* The gateway's address on one hop: the interface the request came in on
 * and the listener port of the transport it goes out on. It is what our
 * Via and Record-Route say. */
typedef struct {
  SipTransport transport;
  char host[48]; /* numeric IPv4 */
  guint16 port;
} SipProxyHop;

/* What names the gateway in a Route or Request-URI: any of |hosts|
 * (NULL-ended, compared case-insensitively) with the port of one of its
 * listeners (no port: 5060, or 5061 for sips:). */
typedef struct {
  const char *const *hosts;
  guint16 ports[SIP_TRANSPORT_COUNT];
} SipProxyIdentity;

/* TRUE when |uri| names the gateway under |self|. */
gboolean sip_proxy_uri_is_own(const SipProxyIdentity *self,
                              const osip_uri_t *uri);

/* The Record-Route (or Route) URI for |hop|, "<sip:HOST:PORT;lr>" with
 * ";transport=tcp" for TCP, and sips: for TLS (RFC 5630 §3.3: no
 * transport=tls). g_free() it. */
char *sip_proxy_hop_uri(const SipProxyHop *hop);

/* How to forward a request. */
typedef struct {
  const char *target_uri;  /* the new Request-URI (a binding's contact);
                              NULL: keep it (in-dialog requests) */
  gboolean record_route;   /* add our Record-Route on top (dialog-creating
                              requests) */
  const SipProxyHop *arrival; /* the hop the request came in on, or NULL:
                              when its transport is not the outgoing
                              one's, a second Record-Route for it goes
                              under ours (RFC 5658 §3.3 double
                              record-routing), so each side routes back on
                              its own transport */
} SipProxyForward;

/* The copy of |req| to send to the next hop: one hop of Max-Forwards
 * taken (SIP_REASON_TOO_MANY_HOPS, answer 483, when none is left); the
 * Routes naming the gateway (|self|) at the top removed (loose routing,
 * §16.4; two after double record-routing); the
 * Request-URI replaced when |how| says so; our Via, for |hop|, pushed on
 * top with a fresh random branch and ";rport"; a Record-Route for |hop| on top when asked (and one
 * for |how->arrival| under it, as above). Returns
 * SIP_REASON_NONE and sets *out, or the reason: SIP_REASON_UNPARSEABLE
 * when libosip2 rejects the target URI or runs out of memory (answer
 * 500). */
SipReason sip_proxy_forward(const osip_message_t *req,
                            const SipProxyForward *how,
                            const SipProxyHop *hop,
                            const SipProxyIdentity *self,
                            osip_message_t **out);

/* The top Via's branch of |msg| ("" when it has none); libosip2's. */
const char *sip_proxy_top_branch(const osip_message_t *msg);

/* The copy of |resp| (to a request we forwarded) to relay upstream: our
 * Via, the top one, removed (§16.7 step 3). NULL when no Via is left
 * under it (the response was for the gateway itself) or out of memory. */
osip_message_t *sip_proxy_response(const osip_message_t *resp);

/* The CANCEL of |forwarded| (an INVITE as sip_proxy_forward() made it),
 * as §9.1 builds it: same Request-URI, Call-ID, From, To, CSeq number and
 * Route set, its top Via only (so the same branch), Max-Forwards 70.
 * NULL when out of memory. */
osip_message_t *sip_proxy_cancel(const osip_message_t *forwarded);

#endif
