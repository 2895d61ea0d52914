/* Canned SIP messages for the sip unit tests. */
#ifndef VGW_SIP_CANNED_H
#define VGW_SIP_CANNED_H

#include <glib.h>
#include <osipparser2/osip_parser.h>

/* A request |method| to sip:gw@127.0.0.1 from 10.0.0.1:5070 over
 * |transport| ("UDP", "TCP"), Via with rport, Max-Forwards 70, From with
 * a tag, To, Call-ID, CSeq 1 |method|, Content-Length 0, in that order.
 * The header line starting with |drop| (e.g. "Call-ID:"; NULL: none) is
 * left out and |extra| (whole CRLF-ended lines; NULL: none) is added
 * before Content-Length. g_free() it. */
char *sip_canned_request(const char *method, const char *transport,
                         const char *drop, const char *extra);

/* sip_canned_request("OPTIONS", "UDP", drop, extra). */
char *sip_canned_options(const char *drop, const char *extra);

/* A REGISTER for |aor| (To and From) from 10.0.0.1:5070 over UDP with
 * |call_id| and |cseq|, plus |extra| (whole CRLF-ended header lines:
 * Contact, Expires). g_free() it. */
char *sip_canned_register(const char *aor, const char *call_id, guint cseq,
                          const char *extra);

/* An INVITE to |request_uri| from sip:alice@10.0.0.1 over |transport|
 * ("UDP", "TCP", "TLS") from 10.0.0.1:5070, Call-ID call-1@10.0.0.1,
 * CSeq 1, Max-Forwards 70, a Contact, plus |extra| lines before
 * Content-Length 0. g_free() it. */
char *sip_canned_invite(const char *request_uri, const char *transport,
                        const char *extra);

/* |text| parsed and checked (sip_message_parse() must accept it; the test
 * fails otherwise), and freed. */
osip_message_t *sip_canned_parse(char *text);

#endif
