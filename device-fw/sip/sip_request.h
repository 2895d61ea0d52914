/*
 * Out-of-dialog SIP requests the gateway sends itself (OPTIONS to a
 * proxy, REGISTER, a new INVITE): RFC 3261 §8.1.1, built so that they pass
 * sip_message_validate() like every message the gateway takes in.
 */
#ifndef VGW_SIP_REQUEST_H
#define VGW_SIP_REQUEST_H

#include <glib.h>
#include <osipparser2/osip_parser.h>

#include "sip_txn.h"

/* What sip_request_new() builds. Strings are borrowed; none may contain
 * CR, LF or NUL. Required unless marked optional. */
typedef struct {
  /* The method token, e.g. "OPTIONS"; also the CSeq method. */
  const char *method;
  /* The Request-URI, e.g. "sip:proxy.example.com:5060;transport=tcp". */
  const char *request_uri;
  /* From and To as name-addr, e.g. "<sip:vgw@10.0.2.15>" or
   * "\"Gateway\" <sip:vgw@10.0.2.15>"; without tag parameters. */
  const char *from;
  const char *to;
  /* Optional: the From tag (NULL: a fresh one, sip_tag_new()). */
  const char *from_tag;
  /* Optional: the Call-ID (NULL: a fresh random one). */
  const char *call_id;
  /* The CSeq number, 1 to 2^31-1 (0: 1). */
  guint32 cseq;
  /* The Via: transport and sent-by, the address and port responses come
   * back to (RFC 3261 §18.2.2). The Via also carries a fresh branch
   * (z9hG4bK..., §8.1.1.7) and an empty rport (RFC 3581). */
  SipTransport transport;
  const char *sent_by_host;
  guint16 sent_by_port;
  /* On a stream transport, ;alias in the Via (RFC 5923): the peer may
   * send its own requests back on the connection we open. */
  gboolean alias;
  /* Optional: the Contact value, e.g. "<sip:vgw@10.0.2.15:5060>". */
  const char *contact;
  /* Optional: the User-Agent value. */
  const char *user_agent;
} SipRequestSpec;

#define SIP_REQUEST_ERROR (sip_request_error_quark())
GQuark sip_request_error_quark(void);

typedef enum {
  /* A required field is missing, or a field holds CR, LF or NUL, or the
   * method or sent-by host is not a token. The message names the field. */
  SIP_REQUEST_ERROR_FIELD,
  /* The request built does not pass sip_message_validate() (e.g. a From
   * that is no SIP address): the message names the SipReason. */
  SIP_REQUEST_ERROR_INVALID,
} SipRequestError;

/* sip_request_new builds the request |spec| describes: request line, Via
 * (|spec|'s transport and sent-by, fresh branch, rport, alias if asked),
 * Max-Forwards 70, From with its tag, To, Call-ID, CSeq, then Contact and
 * User-Agent if given, Content-Length 0. Returns it (osip_message_free()
 * it) or NULL with |error| set (SIP_REQUEST_ERROR). */
osip_message_t *sip_request_new(const SipRequestSpec *spec, GError **error);

/* The branch of |msg|'s top Via, or NULL. Borrowed from |msg|. */
const char *sip_request_branch(const osip_message_t *msg);

#endif
