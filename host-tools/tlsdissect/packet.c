#include "packet.h"

#include <string.h>

#include <openssl/bytestring.h>
#include <pcap/dlt.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define IPPROTO_TCP_NUM 6
#define IPPROTO_UDP_NUM 17

gboolean
tlsd_linktype_supported(int linktype)
{
  switch (linktype) {
  case DLT_EN10MB:
  case DLT_LINUX_SLL:
  case DLT_LINUX_SLL2:
  case DLT_NULL:
  case DLT_LOOP:
  case DLT_RAW:
  case DLT_IPV4:
  case DLT_IPV6:
    return TRUE;
  default:
    return FALSE;
  }
}

/* UDP header and payload (SIP over UDP).  |ip_payload_len| is what the
 * IP header says; |udp| holds what was captured of it. */
static TlsdFrameKind
decode_udp(CBS udp, gsize ip_payload_len, TlsdTcpSegment *out)
{
  uint16_t sport, dport, length;

  if (!CBS_get_u16(&udp, &sport) || !CBS_get_u16(&udp, &dport) ||
      !CBS_get_u16(&udp, &length) || !CBS_skip(&udp, 2) || length < 8 ||
      length > ip_payload_len)
    return TLSD_FRAME_MALFORMED;
  out->sport = sport;
  out->dport = dport;
  out->seq = 0;
  out->flags = 0;
  out->payload = CBS_data(&udp);
  out->payload_len = MIN(CBS_len(&udp), (gsize) length - 8);
  out->payload_missing = (gsize) length - 8 - out->payload_len;
  return TLSD_FRAME_UDP;
}

/* TCP header and payload.  |ip_payload_len| is what the IP header says;
 * |tcp| holds what was captured of it. */
static TlsdFrameKind
decode_tcp(CBS tcp, gsize ip_payload_len, TlsdTcpSegment *out)
{
  uint16_t sport, dport, flags_word;
  uint32_t seq, ack;
  gsize header_len;

  if (!CBS_get_u16(&tcp, &sport) || !CBS_get_u16(&tcp, &dport) ||
      !CBS_get_u32(&tcp, &seq) || !CBS_get_u32(&tcp, &ack) ||
      !CBS_get_u16(&tcp, &flags_word))
    return TLSD_FRAME_MALFORMED;
  header_len = (gsize) (flags_word >> 12) * 4;
  /* The 14 bytes read so far, then window, checksum, urgent pointer and
   * options up to the data offset. */
  if (header_len < 20 || header_len > ip_payload_len || !CBS_skip(&tcp, header_len - 14))
    return TLSD_FRAME_MALFORMED;
  out->sport = sport;
  out->dport = dport;
  out->seq = seq;
  out->flags = (guint8) (flags_word & 0x3f);
  out->payload = CBS_data(&tcp);
  /* What the IP header says the payload is, cut to what was captured. */
  out->payload_len = MIN(CBS_len(&tcp), ip_payload_len - header_len);
  out->payload_missing = ip_payload_len - header_len - out->payload_len;
  return TLSD_FRAME_TCP;
}

/* The transport of an IP packet whose protocol is |proto|. */
static TlsdFrameKind
decode_transport(uint8_t proto, CBS payload, gsize ip_payload_len, TlsdTcpSegment *out)
{
  if (proto == IPPROTO_UDP_NUM)
    return decode_udp(payload, ip_payload_len, out);
  return decode_tcp(payload, ip_payload_len, out);
}

static TlsdFrameKind
decode_ipv4(CBS ip, TlsdTcpSegment *out)
{
  uint8_t version_ihl, tos, ttl, proto;
  uint16_t total_len, id, frag;
  CBS src, dst;
  gsize ihl;

  if (!CBS_get_u8(&ip, &version_ihl) || (version_ihl >> 4) != 4 ||
      !CBS_get_u8(&ip, &tos) || !CBS_get_u16(&ip, &total_len) ||
      !CBS_get_u16(&ip, &id) || !CBS_get_u16(&ip, &frag) ||
      !CBS_get_u8(&ip, &ttl) || !CBS_get_u8(&ip, &proto) || !CBS_skip(&ip, 2) ||
      !CBS_get_bytes(&ip, &src, 4) || !CBS_get_bytes(&ip, &dst, 4))
    return TLSD_FRAME_MALFORMED;
  ihl = (gsize) (version_ihl & 0x0f) * 4;
  if (ihl < 20 || total_len < ihl || !CBS_skip(&ip, ihl - 20))
    return TLSD_FRAME_MALFORMED;
  if ((frag & 0x3fff) != 0)
    return TLSD_FRAME_FRAGMENT;
  if (proto != IPPROTO_TCP_NUM && proto != IPPROTO_UDP_NUM)
    return TLSD_FRAME_OTHER;
  out->family = 4;
  memset(out->src, 0, sizeof out->src);
  memset(out->dst, 0, sizeof out->dst);
  memcpy(out->src, CBS_data(&src), 4);
  memcpy(out->dst, CBS_data(&dst), 4);
  /* Frames shorter than 60 bytes carry Ethernet padding past total_len. */
  if (CBS_len(&ip) > (gsize) total_len - ihl)
    CBS_init(&ip, CBS_data(&ip), (gsize) total_len - ihl);
  return decode_transport(proto, ip, (gsize) total_len - ihl, out);
}

static TlsdFrameKind
decode_ipv6(CBS ip, TlsdTcpSegment *out)
{
  uint32_t first;
  uint16_t payload_len;
  uint8_t next, hop;
  CBS src, dst;

  if (!CBS_get_u32(&ip, &first) || (first >> 28) != 6 ||
      !CBS_get_u16(&ip, &payload_len) || !CBS_get_u8(&ip, &next) || !CBS_get_u8(&ip, &hop) ||
      !CBS_get_bytes(&ip, &src, 16) || !CBS_get_bytes(&ip, &dst, 16))
    return TLSD_FRAME_MALFORMED;
  if (CBS_len(&ip) > payload_len)
    CBS_init(&ip, CBS_data(&ip), payload_len);
  /* Extension headers: hop-by-hop, routing, destination options. */
  for (int i = 0; i < 8 && (next == 0 || next == 43 || next == 60); i++) {
    uint8_t hdr_next, hdr_len;
    gsize skip;
    if (!CBS_get_u8(&ip, &hdr_next) || !CBS_get_u8(&ip, &hdr_len))
      return TLSD_FRAME_MALFORMED;
    skip = (gsize) hdr_len * 8 + 6;
    if (!CBS_skip(&ip, skip) || payload_len < skip + 2)
      return TLSD_FRAME_MALFORMED;
    payload_len -= (uint16_t) (skip + 2);
    next = hdr_next;
  }
  if (next == 44)
    return TLSD_FRAME_FRAGMENT;
  if (next != IPPROTO_TCP_NUM && next != IPPROTO_UDP_NUM)
    return TLSD_FRAME_OTHER;
  out->family = 6;
  memcpy(out->src, CBS_data(&src), 16);
  memcpy(out->dst, CBS_data(&dst), 16);
  return decode_transport(next, ip, payload_len, out);
}

static TlsdFrameKind
decode_ethertype(uint16_t type, CBS rest, TlsdTcpSegment *out)
{
  if (type == ETHERTYPE_IPV4)
    return decode_ipv4(rest, out);
  if (type == ETHERTYPE_IPV6)
    return decode_ipv6(rest, out);
  return TLSD_FRAME_OTHER;
}

static TlsdFrameKind
decode_ip_by_version(CBS frame, TlsdTcpSegment *out)
{
  if (CBS_len(&frame) < 1)
    return TLSD_FRAME_MALFORMED;
  switch (CBS_data(&frame)[0] >> 4) {
  case 4:
    return decode_ipv4(frame, out);
  case 6:
    return decode_ipv6(frame, out);
  default:
    return TLSD_FRAME_OTHER;
  }
}

TlsdFrameKind
tlsd_decode_frame(int linktype, const guint8 *frame, gsize caplen, TlsdTcpSegment *out)
{
  CBS cbs;
  uint16_t type;
  uint32_t family;

  memset(out, 0, sizeof *out);
  CBS_init(&cbs, frame, caplen);
  switch (linktype) {
  case DLT_EN10MB:
    if (!CBS_skip(&cbs, 12) || !CBS_get_u16(&cbs, &type))
      return TLSD_FRAME_MALFORMED;
    for (int tags = 0; tags < 2 && (type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ); tags++) {
      if (!CBS_skip(&cbs, 2) || !CBS_get_u16(&cbs, &type))
        return TLSD_FRAME_MALFORMED;
    }
    return decode_ethertype(type, cbs, out);
  case DLT_LINUX_SLL:
    /* packet type, ARPHRD, address length, 8 address bytes, protocol */
    if (!CBS_skip(&cbs, 14) || !CBS_get_u16(&cbs, &type))
      return TLSD_FRAME_MALFORMED;
    return decode_ethertype(type, cbs, out);
  case DLT_LINUX_SLL2:
    if (!CBS_get_u16(&cbs, &type) || !CBS_skip(&cbs, 18))
      return TLSD_FRAME_MALFORMED;
    return decode_ethertype(type, cbs, out);
  case DLT_NULL:
  case DLT_LOOP:
    /* A 4-byte address family in the writer's (NULL) or network (LOOP)
     * byte order; IP's version nibble says the rest. */
    if (!CBS_get_u32(&cbs, &family))
      return TLSD_FRAME_MALFORMED;
    return decode_ip_by_version(cbs, out);
  case DLT_RAW:
  case DLT_IPV4:
  case DLT_IPV6:
    return decode_ip_by_version(cbs, out);
  default:
    return TLSD_FRAME_OTHER;
  }
}
