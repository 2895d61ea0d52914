/*
 * The SIP lines of a capture: each message's start line (a request line
 * or a status line) with its time, direction and Call-ID, taken from UDP
 * datagrams, from TCP byte streams, and from the decrypted application
 * data of TLS connections.  `vgw handshakes` lists them per flow.
 *
 * Only message heads are read.  A stream is framed the way a SIP element
 * frames it (RFC 3261 §18.3): the head ends at the first empty line, the
 * body is Content-Length bytes.  A stream whose first byte cannot start a
 * SIP message (a TLS record, RTP) is given up at once, so looking for SIP
 * costs next to nothing on flows that carry none.
 */
#ifndef TLSD_SIP_LINES_H
#define TLSD_SIP_LINES_H

#include <glib.h>

#include "handshake.h"

G_BEGIN_DECLS

/* Longest message head looked at: a head without its empty line by then
 * (10,000 Via headers) ends the stream's analysis. */
#define TLSD_SIP_HEAD_MAX (64 * 1024)
/* Messages listed per flow; past this the flow is marked truncated. */
#define TLSD_SIP_LINES_MAX 4096

typedef struct {
  gint64 time_us;      /* of the packet that brought the message's first byte */
  TlsdRole from;       /* the flow's client (first sender, or TCP's SYN) or server */
  char *start_line;    /* "INVITE sip:1000@gw SIP/2.0" or "SIP/2.0 200 OK", valid UTF-8 */
  char *call_id;       /* the Call-ID header's value (or compact "i"), NULL if none */
} TlsdSipLine;

void tlsd_sip_line_free(TlsdSipLine *line);

typedef enum {
  TLSD_SIP_HEAD_DONE,     /* a whole head: |out| is filled */
  TLSD_SIP_HEAD_PARTIAL,  /* no empty line yet: more bytes are needed */
  TLSD_SIP_HEAD_NOT_SIP,  /* the bytes do not start a SIP message */
} TlsdSipHeadStatus;

typedef struct {
  gsize head_len;          /* bytes up to and including the empty line */
  gboolean have_length;    /* a Content-Length (or "l") header was there */
  guint64 content_length;  /* its value, if have_length */
  char *start_line;        /* newly allocated */
  char *call_id;           /* newly allocated, NULL if none */
} TlsdSipHead;

/* tlsd_sip_parse_head reads the message head at the start of |data|
 * (|len| bytes).  A head of a datagram need not end in an empty line:
 * with |datagram| the end of the data ends the head.  On DONE the caller
 * frees |out|'s strings. */
TlsdSipHeadStatus tlsd_sip_parse_head(const guint8 *data, gsize len, gboolean datagram,
                                      TlsdSipHead *out);

/* tlsd_sip_datagram returns the line of the SIP message in a datagram,
 * or NULL if it does not hold one. */
TlsdSipLine *tlsd_sip_datagram(const guint8 *data, gsize len, TlsdRole from, gint64 time_us);

typedef struct TlsdSipStream TlsdSipStream;

/* tlsd_sip_stream_new starts following one direction of a byte stream
 * whose messages come from |from|. */
TlsdSipStream *tlsd_sip_stream_new(TlsdRole from);
void tlsd_sip_stream_free(TlsdSipStream *stream);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TlsdSipStream, tlsd_sip_stream_free)

/* tlsd_sip_stream_feed takes the next |len| in-order bytes, received at
 * |time_us|, and appends a TlsdSipLine to |lines| for every message head
 * they complete.  CRLF keep-alives between messages are skipped. */
void tlsd_sip_stream_feed(TlsdSipStream *stream, const guint8 *data, gsize len, gint64 time_us,
                          GPtrArray *lines);

/* tlsd_sip_stream_stop stops following the stream (bytes of it are
 * missing, or what carries it broke); |why| (a static string) is what
 * tlsd_sip_stream_stopped then says if it carried SIP. */
void tlsd_sip_stream_stop(TlsdSipStream *stream, const char *why);

/* tlsd_sip_could_start returns FALSE if a stream whose first byte is
 * |first| cannot carry SIP (a TLS record, binary data): the caller need
 * not make a stream for it. */
gboolean tlsd_sip_could_start(guint8 first);

/* tlsd_sip_stream_wants_data returns FALSE once further bytes cannot
 * add lines (not SIP, out of step, a gap, or TLSD_SIP_LINES_MAX). */
gboolean tlsd_sip_stream_wants_data(const TlsdSipStream *stream);

/* tlsd_sip_stream_saw_sip returns TRUE once a message head was read. */
gboolean tlsd_sip_stream_saw_sip(const TlsdSipStream *stream);

/* tlsd_sip_stream_stopped returns the reason the stream stopped being
 * followed after it carried SIP ("no Content-Length", "bytes missing
 * from the capture", ...), or NULL. */
const char *tlsd_sip_stream_stopped(const TlsdSipStream *stream);

typedef enum {
  TLSD_SIP_UDP,
  TLSD_SIP_TCP,
  TLSD_SIP_TLS,
} TlsdSipTransport;

/* The SIP messages one flow carried. */
typedef struct {
  TlsdSipTransport transport;
  char *client_addr;      /* who sent first (UDP), opened the connection (TCP, TLS) */
  guint16 client_port;
  char *server_addr;
  guint16 server_port;
  guint handshake;        /* TLS: the handshake's index in the report; else 0 */
  GPtrArray *lines;       /* TlsdSipLine*, in time order */
  char *stopped;          /* why the rest of a stream was not followed, or NULL */
} TlsdSipFlow;

/* tlsd_sip_flow_new returns a flow with no lines; it takes |client_addr|
 * and |server_addr|. */
TlsdSipFlow *tlsd_sip_flow_new(TlsdSipTransport transport, char *client_addr, guint16 client_port,
                               char *server_addr, guint16 server_port);
void tlsd_sip_flow_free(TlsdSipFlow *flow);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TlsdSipFlow, tlsd_sip_flow_free)

/* tlsd_sip_flow_add_line appends |line| (taken) unless the flow holds
 * TLSD_SIP_LINES_MAX lines already; FALSE (and |line| freed) then. */
gboolean tlsd_sip_flow_add_line(TlsdSipFlow *flow, TlsdSipLine *line);

/* tlsd_sip_flow_sort puts the lines in time order (stable: lines of one
 * time keep their order). */
void tlsd_sip_flow_sort(TlsdSipFlow *flow);

/* tlsd_sip_transport_name returns "udp", "tcp" or "tls". */
const char *tlsd_sip_transport_name(TlsdSipTransport transport);

G_END_DECLS

#endif /* TLSD_SIP_LINES_H */
