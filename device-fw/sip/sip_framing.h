/*
 * SIP framing: which bytes make one SIP message.
 *
 * Streams (TCP, TLS) carry messages back to back, delimited by the blank
 * line that ends the header section and by Content-Length (RFC 3261
 * §18.3: required on streams). A SipFramer takes the bytes as they arrive,
 * in chunks of any size, and hands out whole messages and RFC 5626 §4.4.1
 * keep-alives. A datagram (UDP) is one message; sip_datagram_frame()
 * checks it with the same header-section rules.
 *
 * Header-section rules, on both transports (see README.md for the
 * defaults): lines end in CRLF (a bare CR or LF is refused); no NUL byte;
 * at most max_headers header fields; no start line or header field longer
 * than max_header_line bytes; the whole message at most max_message bytes.
 * Folded header fields (a line starting with SP or HT continues the field
 * above, RFC 3261 §7.3.1) are accepted, and a folded field counts as one
 * field whose length is the sum of its lines; Content-Length itself may not
 * be folded. Content-Length is 1*DIGIT with optional whitespace around it,
 * given once (a second one is refused even if equal).
 */
#ifndef VGW_SIP_FRAMING_H
#define VGW_SIP_FRAMING_H

#include <glib.h>

#include "sip_reason.h"

typedef struct {
  gsize max_message;     /* header section + body, bytes */
  guint max_headers;     /* header fields (the start line not counted) */
  gsize max_header_line; /* one start line or header field, bytes */
} SipLimits;

#define SIP_DEFAULT_MAX_MESSAGE 65535
#define SIP_DEFAULT_MAX_HEADERS 128
#define SIP_DEFAULT_MAX_HEADER_LINE 8192

/* The defaults above. */
void sip_limits_init_default(SipLimits *limits);

/* ---- Streams ---- */

/* Who opened the connection decides what a bare CRLF is (RFC 5626
 * §4.4.1): the side that opened it sends "ping" (CRLF CRLF) and gets
 * "pong" (CRLF) back. */
typedef enum {
  SIP_FRAMER_ACCEPTED, /* we accepted it: CRLF CRLF is a ping to answer
                          with CRLF; a lone CRLF between messages is
                          ignored */
  SIP_FRAMER_OPENED,   /* we opened it: each CRLF between messages is a
                          pong */
} SipFramerRole;

typedef enum {
  SIP_FRAME_NEED_MORE, /* no whole message or keep-alive buffered */
  SIP_FRAME_MESSAGE,   /* frame->data/len hold one message */
  SIP_FRAME_PING,      /* answer it with "\r\n" (ACCEPTED role) */
  SIP_FRAME_PONG,      /* our ping was answered (OPENED role) */
  SIP_FRAME_ERROR,     /* frame->reason says why; close the stream */
} SipFrameKind;

typedef struct {
  const guint8 *data; /* the message: start line to end of body */
  gsize len;
  gsize header_len;   /* start line and header fields, with the blank line */
  SipReason reason;   /* SIP_FRAME_ERROR only */
} SipFrame;

typedef struct SipFramer SipFramer;

/* A framer for one stream connection; |limits| is copied. */
SipFramer *sip_framer_new(const SipLimits *limits, SipFramerRole role);
void sip_framer_free(SipFramer *framer);

/* Appends bytes read from the stream. Call sip_framer_next() until it
 * returns SIP_FRAME_NEED_MORE (or ERROR) after each push: the framer then
 * never holds more than max_message, plus 16 KiB already handed out, plus
 * the last chunk. */
void sip_framer_push(SipFramer *framer, const guint8 *data, gsize len);

/* The next thing on the stream. A MESSAGE's bytes stay valid until the
 * next call to sip_framer_push() or sip_framer_next(). ERROR is final:
 * every later call returns it again with the same reason (the stream is
 * out of step and must be closed; no response can be framed for it). */
SipFrameKind sip_framer_next(SipFramer *framer, SipFrame *frame);

/* Bytes received but not yet handed out (for diagnostics and tests). */
gsize sip_framer_buffered(const SipFramer *framer);

/* ---- Datagrams ---- */

typedef enum {
  SIP_DATAGRAM_MESSAGE,   /* frame holds the message */
  SIP_DATAGRAM_KEEPALIVE, /* only CR and LF bytes: drop it silently */
  SIP_DATAGRAM_REFUSED,   /* frame->reason says why */
} SipDatagramKind;

/* Checks one datagram. CRLFs before the start line are skipped (RFC 3261
 * §7.5). Without Content-Length the body is the rest of the datagram; with
 * it, bytes past the body are dropped (§18.3) and a datagram shorter than
 * it says is refused (CONTENT_LENGTH_MISMATCH).
 *
 * On MESSAGE, frame->data/len is the message within |data|. On REFUSED,
 * frame->header_len is non-zero when the header section itself passed
 * (the message was too large, or its Content-Length was wrong): then
 * frame->data/header_len can be parsed to answer with
 * sip_reason_status(frame->reason). */
SipDatagramKind sip_datagram_frame(const guint8 *data, gsize len,
                                   const SipLimits *limits, SipFrame *frame);

#endif
