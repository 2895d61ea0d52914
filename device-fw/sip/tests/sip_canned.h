/* Canned SIP messages for the sip unit tests. */
#ifndef VGW_SIP_CANNED_H
#define VGW_SIP_CANNED_H

#include <glib.h>

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

#endif
