/*
 * SIP messages over libosip2: parsing with the checks RFC 3261 §8.1.1 and
 * §8.2 make on every message, and the responses a server builds itself.
 *
 * Every function here works on libosip2's osip_message_t. Messages handed
 * back are the caller's to free with osip_message_free().
 */
#ifndef VGW_SIP_MESSAGE_H
#define VGW_SIP_MESSAGE_H

#include <glib.h>
#include <osipparser2/osip_parser.h>

#include "sip_reason.h"

/* What the gateway says it does in OPTIONS answers (RFC 3261 §11.2). */
#define SIP_ALLOW_METHODS "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER"
/* No option tags yet: an empty Supported says so explicitly. */
#define SIP_SUPPORTED_EXTENSIONS ""

/* Initialises libosip2's parser (once per process) and routes its trace
 * output to g_debug(). Every function below calls it; callers that use
 * osip directly first call it too. */
void sip_message_library_init(void);

/* Parses one framed message (sip_framing.h) and checks it with
 * sip_message_validate(). Returns SIP_REASON_NONE and sets *out, or a
 * reason: then *out is NULL when libosip2 could not parse the bytes
 * (SIP_REASON_UNPARSEABLE), else the parsed message, which the caller may
 * answer with sip_response_refusal() if sip_reason_status() is non-zero
 * and it is a request. */
SipReason sip_message_parse(const guint8 *data, gsize len,
                            osip_message_t **out);

/* The checks on a parsed message: SIP/2.0; a top Via with version,
 * transport and host; From, To, Call-ID and CSeq present; a CSeq number of
 * 1 to 10 digits below 2^31 and, in a request, a CSeq method equal to the
 * request's; in a request, exactly one Max-Forwards of 1 to 3 digits, at
 * most 255. The first failing check gives the reason. */
SipReason sip_message_validate(const osip_message_t *msg);

/* Consumes one hop of a request about to be forwarded: decrements
 * Max-Forwards, or returns SIP_REASON_TOO_MANY_HOPS (answer 483) when it
 * is 0. The request must have passed sip_message_validate(). */
SipReason sip_message_take_hop(osip_message_t *req);

/* Records where a request really came from in its top Via (RFC 3261
 * §18.2.1, RFC 3581 §4): "received" when the sent-by host is not
 * |source_ip|, and, when the Via has an empty "rport", rport=|source_port|
 * with "received" always set. A response then goes back to the address
 * the request came from (osip_response_get_destination()), which is what
 * works behind NAT (slirp). */
void sip_message_stamp_via(osip_message_t *req, const char *source_ip,
                           guint16 source_port);

/* A response to |req| with |status| and |phrase| (NULL: the standard
 * phrase): all Via headers in order, From, To, Call-ID and CSeq copied
 * (RFC 3261 §8.2.6.2), and |to_tag| added to To when To has no tag and
 * status > 100 (NULL: none added). Content-Length: 0. */
osip_message_t *sip_response_new(const osip_message_t *req, guint status,
                                 const char *phrase, const char *to_tag);

/* A refusal of |req| with |status|, |text| as the reason phrase and a
 * Warning "399 vgw" with the same text (RFC 3261 §20.43), built like
 * sip_response_new(). */
osip_message_t *sip_response_warned(const osip_message_t *req, guint status,
                                    const char *text, const char *to_tag);

/* The answer to a request refused for |reason| (sip_reason_status() must
 * be non-zero): that status, the reason's sentence as reason phrase and a
 * Warning "399 vgw" with the same sentence (RFC 3261 §20.43). |req| only
 * needs the headers a response copies; it may have failed validation
 * (missing From/To/Call-ID/CSeq are then simply absent from the answer). */
osip_message_t *sip_response_refusal(const osip_message_t *req,
                                     SipReason reason, const char *to_tag);

/* 200 OK to an OPTIONS for the gateway itself: sip_response_new() plus
 * Allow (SIP_ALLOW_METHODS), Supported (SIP_SUPPORTED_EXTENSIONS) and
 * Accept: application/sdp. */
osip_message_t *sip_response_options_ok(const osip_message_t *req,
                                        const char *to_tag);

/* A fresh To/From tag (RFC 3261 §19.3: random, at least 32 bits; this
 * has 64). g_free() it. */
char *sip_tag_new(void);

/* The wire form of |msg|; g_free() it. NULL if libosip2 cannot print it
 * (a message missing a mandatory part). */
char *sip_message_to_bytes(const osip_message_t *msg, gsize *len);

#endif
