/*
 * The SDP answer of a gateway endpoint that takes G.711 audio (RFC 3264
 * offer/answer, RFC 4566 SDP, RFC 4733 telephone-event).
 *
 * sip_sdp_negotiate() reads an offer (parsed by libosip2's SDP parser) and
 * picks what the answer accepts: the first audio stream on RTP/AVP that
 * offers PCMU or PCMA, with the offered G.711 payload types in the
 * offerer's order and telephone-event if offered. sip_sdp_answer() writes
 * the answer: one m= line per offered stream, in the offer's order (RFC
 * 3264 §6), every stream but the accepted one refused with port 0.
 */
#ifndef VGW_SIP_SDP_H
#define VGW_SIP_SDP_H

#include <glib.h>

/* Why an offer cannot be answered; the INVITE then gets 488 Not
 * Acceptable Here (RFC 3261 §13.3.1.3). */
typedef enum {
  SIP_SDP_OK,
  SIP_SDP_UNPARSEABLE,     /* not SDP, or no body */
  SIP_SDP_NO_AUDIO,        /* no audio stream on RTP/AVP with a port */
  SIP_SDP_NO_COMMON_CODEC, /* audio streams, none offering PCMU or PCMA */
  SIP_SDP_NO_ADDRESS,      /* the accepted stream has no c= address */
} SipSdpError;

/* "ok", "unparseable", "no-audio", "no-common-codec", "no-address". */
const char *sip_sdp_error_name(SipSdpError error);

#define SIP_SDP_MAX_STREAMS 8
#define SIP_SDP_PT_PCMU 0
#define SIP_SDP_PT_PCMA 8

typedef enum {
  SIP_SDP_SENDRECV,
  SIP_SDP_SENDONLY,
  SIP_SDP_RECVONLY,
  SIP_SDP_INACTIVE,
} SipSdpDirection;

/* One offered m= line, as the answer must repeat it. */
typedef struct {
  char media[16];   /* "audio", "video", ... */
  char proto[16];   /* "RTP/AVP", ... */
  char format[16];  /* the first format, repeated when refused */
} SipSdpStream;

typedef struct {
  SipSdpStream streams[SIP_SDP_MAX_STREAMS];
  guint n_streams;       /* offered m= lines, at most SIP_SDP_MAX_STREAMS */
  guint accepted;        /* index of the audio stream answered */
  char address[48];      /* where the offerer receives the accepted stream */
  guint16 port;
  guint g711[2];         /* SIP_SDP_PT_PCMU/PCMA in the offer's order */
  guint n_g711;
  int telephone_event;   /* its payload type, or -1 if not offered */
  SipSdpDirection direction; /* the offer's, for the accepted stream */
} SipSdpNegotiation;

/* sip_sdp_negotiate reads the offer |offer| of |len| bytes (need not be
 * NUL-terminated) into |out|. Returns SIP_SDP_OK or why there is no
 * answer; |out| is meaningful only on SIP_SDP_OK. Streams after the
 * SIP_SDP_MAX_STREAMS-th make the offer SIP_SDP_UNPARSEABLE, as the answer
 * could not repeat them. */
SipSdpError sip_sdp_negotiate(const char *offer, gsize len,
                              SipSdpNegotiation *out);

/* sip_sdp_answer writes the answer to |neg|: session |session_id| from
 * |address| (numeric IPv4), the accepted stream received at
 * |address|:|port|, its direction the offer's reversed. g_free() it. */
char *sip_sdp_answer(const SipSdpNegotiation *neg, const char *address,
                     guint16 port, guint64 session_id);

#endif /* VGW_SIP_SDP_H */
