/*
 * Why the SIP core refused a message: one code per cause, shared by the
 * stream framer, the datagram intake and the message checks, so a caller
 * (vgwd's transports, counters, logs, the fuzzer) branches on one enum.
 *
 * Each reason has a stable short name (for logs, counters and `--json`),
 * a human sentence (the 400's reason phrase and Warning text) and the
 * response status a server sends when the refused message is a request it
 * can still answer (0: nothing is sent, the message or stream is dropped).
 */
#ifndef VGW_SIP_REASON_H
#define VGW_SIP_REASON_H

#include <glib.h>

typedef enum {
  SIP_REASON_NONE = 0,

  /* Framing (sip_framing.h): the bytes do not delimit one message. */
  SIP_REASON_MESSAGE_TOO_LARGE,     /* header section + body > max_message */
  SIP_REASON_TOO_MANY_HEADERS,      /* more header fields than max_headers */
  SIP_REASON_HEADER_TOO_LONG,       /* a start line or header field (folded
                                       lines included) > max_header_line */
  SIP_REASON_NUL_IN_HEADERS,        /* a NUL byte before the blank line */
  SIP_REASON_BAD_LINE_ENDING,       /* a bare CR or LF: SIP lines end CRLF */
  SIP_REASON_BAD_FOLDING,           /* a continuation line with no field */
  SIP_REASON_HEADERS_UNTERMINATED,  /* a datagram with no blank line */
  SIP_REASON_CONTENT_LENGTH_MISSING, /* on a stream, where it is required */
  SIP_REASON_CONTENT_LENGTH_INVALID, /* not 1*DIGIT, too big, repeated */
  SIP_REASON_CONTENT_LENGTH_MISMATCH, /* a datagram shorter than it says */

  /* Message (sip_message.h): delimited, but not a SIP message we accept. */
  SIP_REASON_UNPARSEABLE,           /* libosip2 could not parse it */
  SIP_REASON_BAD_VERSION,           /* not SIP/2.0 */
  SIP_REASON_MISSING_VIA,
  SIP_REASON_BAD_VIA,               /* no version/protocol/host in top Via,
                                       or a Via that does not survive a
                                       print and parse by libosip2 */
  SIP_REASON_MISSING_FROM,
  SIP_REASON_BAD_FROM,              /* From that does not survive a
                                       print and parse by libosip2 */
  SIP_REASON_MISSING_TO,
  SIP_REASON_BAD_TO,                /* likewise for To */
  SIP_REASON_MISSING_CALL_ID,
  SIP_REASON_BAD_CALL_ID,           /* likewise for Call-ID */
  SIP_REASON_MISSING_CSEQ,
  SIP_REASON_BAD_CSEQ,              /* number not 1*DIGIT below 2^31, or
                                       no print-and-parse round trip */
  SIP_REASON_CSEQ_METHOD_MISMATCH,  /* CSeq method != request method */
  SIP_REASON_MISSING_MAX_FORWARDS,
  SIP_REASON_BAD_MAX_FORWARDS,      /* not 1*DIGIT in 0..255 */
  SIP_REASON_TOO_MANY_HOPS,         /* Max-Forwards 0 on a request to forward */

  SIP_REASON_COUNT
} SipReason;

/* Short stable identifier, e.g. "too-many-headers"; "?" out of range. */
const char *sip_reason_name(SipReason reason);

/* One-line description, e.g. "Missing Call-ID header"; used as the reason
 * phrase of the response and in log lines. */
const char *sip_reason_text(SipReason reason);

/* The status code to answer a refused request with (400, 413, 483, 505),
 * or 0 when nothing can be answered (SIP_REASON_NONE, UNPARSEABLE). On a
 * stream, framing reasons close the connection whatever this says. */
guint sip_reason_status(SipReason reason);

#endif
