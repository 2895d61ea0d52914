/*
 * Link, IP and TCP or UDP headers of one captured frame, decoded with bounded
 * CBS reads.  Link types: Ethernet (with 802.1Q tags), Linux cooked
 * (SLL, SLL2), BSD loopback (NULL, LOOP) and raw IPv4/IPv6.  IP fragments
 * are not reassembled (TLS over TCP never needs it in practice).
 */
#ifndef TLSD_PACKET_H
#define TLSD_PACKET_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  TLSD_FRAME_TCP,       /* |out| is filled */
  TLSD_FRAME_UDP,       /* |out| is filled but for seq and flags (0) */
  TLSD_FRAME_OTHER,     /* not TCP over IP: ignored */
  TLSD_FRAME_FRAGMENT,  /* an IP fragment: ignored */
  TLSD_FRAME_MALFORMED, /* headers do not parse */
} TlsdFrameKind;

#define TLSD_TCP_FIN 0x01
#define TLSD_TCP_SYN 0x02
#define TLSD_TCP_RST 0x04
#define TLSD_TCP_ACK 0x10

typedef struct {
  int family;            /* 4 or 6 */
  guint8 src[16];        /* IPv4 uses the first 4 bytes */
  guint8 dst[16];
  guint16 sport;
  guint16 dport;
  guint32 seq;
  guint8 flags;
  const guint8 *payload; /* into the frame */
  gsize payload_len;     /* bytes captured */
  gsize payload_missing; /* bytes the IP header promises but the capture cut */
} TlsdTcpSegment;

/* tlsd_decode_frame decodes the |caplen| captured bytes of a frame of
 * libpcap link type |linktype| (a DLT_ value). */
TlsdFrameKind tlsd_decode_frame(int linktype, const guint8 *frame, gsize caplen,
                                TlsdTcpSegment *out);

/* tlsd_linktype_supported returns TRUE for the link types decoded here. */
gboolean tlsd_linktype_supported(int linktype);

G_END_DECLS

#endif /* TLSD_PACKET_H */
