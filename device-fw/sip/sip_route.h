/*
 * Where the gateway sends a new INVITE (or other dialog-creating request):
 * a pure decision over the request, the registrar and where the request
 * came from, with no I/O. The rules, first match wins (README.md,
 * "Routing"):
 *
 *  0. A Request-URI scheme other than sip: or sips:, or sips: while
 *     EnableSIPS is 0, is refused with 416 Unsupported URI Scheme.
 *  1. The Request-URI user is TestCallNumber: the test extension.
 *  2. The Request-URI is a registered address of record: user and host
 *     equal (the AOR's port not compared), or the user alone when the host
 *     is one of the gateway's own: the binding registered most recently
 *     (no forking). A sips: Request-URI whose binding did not come over TLS
 *     cannot be forwarded securely: 480 with Warning 380 "SIPS Not
 *     Allowed" (RFC 5630 §3.1.3, §3.2).
 *  3. A request that did not come from a proxy, when an IPGroup of Type
 *     Server names a Proxy Set: that Proxy Set (the caller picks an
 *     address; none up is 503, and a sips: request to a non-TLS address
 *     480, sip_route_refuse_insecure()).
 *  4. 404 Not Found.
 */
#ifndef VGW_SIP_ROUTE_H
#define VGW_SIP_ROUTE_H

#include <glib.h>
#include <osipparser2/osip_parser.h>

#include "sip_registrar.h"
#include "sip_txn.h"

/* Where the request came from, as the Proxy Sets classify its source. */
typedef enum {
  SIP_ROUTE_FROM_USER,  /* anyone but a proxy of a Proxy Set */
  SIP_ROUTE_FROM_PROXY, /* an address of a Proxy Set: rules 1-2 only */
} SipRouteSource;

/* The configuration the rules read. */
typedef struct {
  const char *test_call_number;  /* NULL or "": no test extension */
  gboolean enable_sips;          /* EnableSIPS */
  const char *const *own_hosts;  /* the gateway's own addresses as a
                                    Request-URI may name them, NULL-ended */
  const char *server_proxy_set;  /* the Proxy Set of the IPGroup of Type
                                    Server; NULL: rule 3 never matches */
} SipRoutePolicy;

typedef enum {
  SIP_ROUTE_TEST_EXTENSION,
  SIP_ROUTE_REGISTERED,
  SIP_ROUTE_PROXY_SET,
  SIP_ROUTE_REFUSED,
} SipRouteTarget;

typedef struct {
  SipRouteTarget target;
  gboolean sips;          /* the Request-URI is sips: (kept end to end) */
  SipBinding binding;     /* REGISTERED: where it goes; its strings are the
                             registrar's, valid until its next call */
  const char *proxy_set;  /* PROXY_SET: the policy's server_proxy_set */
  guint status;           /* REFUSED: 404, 416 or 480 */
  const char *text;       /* REFUSED: the reason phrase and Warning text */
  guint warn_code;        /* REFUSED: the Warning code: 399, or 380 for a
                             sips: request that cannot go over TLS */
} SipRouteDecision;

/* Decides where |req| (a request that passed sip_message_validate()) from
 * |source| goes under |policy|, looking bindings up in |registrar|, and
 * fills *out. |registrar| is swept of expired bindings. */
void sip_route_decide(const osip_message_t *req, SipRegistrar *registrar,
                      SipRouteSource source, const SipRoutePolicy *policy,
                      SipRouteDecision *out);

/* When a decision for a sips: request is to go out over |transport|: TRUE
 * and *out turned into the 480 refusal (Warning 380) if that is not TLS;
 * FALSE, *out untouched, otherwise. */
gboolean sip_route_refuse_insecure(SipRouteDecision *out,
                                   SipTransport transport);

/* "test-extension", "registered", "proxy-set", "refused". */
const char *sip_route_target_name(SipRouteTarget target);

#endif
