#include "analyzer.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "fileread.h"

#include "packet.h"
#include "sip_lines.h"
#include "tcp_reasm.h"
#include "tls_conn.h"
#include "tls_verdict.h"

G_DEFINE_QUARK(tlsd-error-quark, tlsd_error)

/* A connection's endpoints, lower endpoint first so both directions map
 * to the same key; side 0 is the lower endpoint. */
typedef struct {
  guint8 family;
  guint8 addr[2][16];
  guint16 port[2];
} FlowKey;

typedef struct {
  FlowKey key;
  TlsdTcpDir tcp[2];
  TlsdConn *tls;
  gboolean closed[2];
  guint32 fin_end[2];        /* sequence number just past the FIN's data */
  gboolean reset;
  gboolean had_data;
  guint64 truncated_bytes[2];
  TlsdHandshake *report;     /* set when finished */
  /* SIP in the clear: each side's messages, made at its first byte if
   * that can start one; their lines, |from| a side until finished. */
  TlsdSipStream *sip[2];
  gboolean not_sip[2];
  GPtrArray *sip_lines;      /* TlsdSipLine* */
  TlsdSipFlow *sip_report;   /* set when finished, if SIP was seen */
} Flow;

/* SIP over UDP between two endpoints. */
typedef struct {
  FlowKey key;
  int client_side;           /* the side that sent the first SIP datagram */
  TlsdSipFlow *sip;
} Datagrams;

typedef struct {
  Flow *flow;
  int side;
  gint64 time_us;
} DeliverCtx;

/* Concluded connections kept for the next ones to reuse. */
#define SPARE_CONNS 4

typedef struct {
  const TlsdKeylog *keylog;
  GHashTable *flows;   /* FlowKey -> Flow (the live one) */
  GPtrArray *all;      /* Flow*, in order of first packet; owns them */
  GPtrArray *spare;    /* TlsdConn*, concluded, up to SPARE_CONNS */
  GHashTable *udp;     /* FlowKey -> Datagrams */
  GPtrArray *udp_all;  /* Datagrams*, in order of first SIP datagram; owns them */
} Tracker;

static guint
flow_hash(gconstpointer p)
{
  const guint8 *bytes = p;
  guint64 h = 0;
  gsize i;

  /* Word by word: every packet is looked up, byte by byte was slow. */
  for (i = 0; i + 8 <= sizeof(FlowKey); i += 8) {
    guint64 w;
    memcpy(&w, bytes + i, 8);
    h = (h ^ w) * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15);
  }
  for (; i < sizeof(FlowKey); i++)
    h = (h ^ bytes[i]) * G_GUINT64_CONSTANT(0x9e3779b97f4a7c15);
  return (guint) (h ^ (h >> 32));
}

static gboolean
flow_equal(gconstpointer a, gconstpointer b)
{
  return memcmp(a, b, sizeof(FlowKey)) == 0;
}

/* Fills |key| and returns the side the segment was sent from. */
static int
make_key(const TlsdTcpSegment *seg, FlowKey *key)
{
  int cmp = memcmp(seg->src, seg->dst, 16);

  memset(key, 0, sizeof *key);
  key->family = (guint8) seg->family;
  if (cmp < 0 || (cmp == 0 && seg->sport <= seg->dport)) {
    memcpy(key->addr[0], seg->src, 16);
    memcpy(key->addr[1], seg->dst, 16);
    key->port[0] = seg->sport;
    key->port[1] = seg->dport;
    return 0;
  }
  memcpy(key->addr[0], seg->dst, 16);
  memcpy(key->addr[1], seg->src, 16);
  key->port[0] = seg->dport;
  key->port[1] = seg->sport;
  return 1;
}

static char *
addr_text(int family, const guint8 *addr)
{
  char buf[INET6_ADDRSTRLEN];

  if (family == 4) {
    /* "192.0.2.1" as inet_ntop writes it, without the sprintf it uses
     * (a twentieth of the whole analysis of a large capture). */
    char *p = buf;
    for (int i = 0; i < 4; i++) {
      guint8 b = addr[i];
      if (i > 0)
        *p++ = '.';
      if (b >= 100)
        *p++ = (char) ('0' + b / 100);
      if (b >= 10)
        *p++ = (char) ('0' + b / 10 % 10);
      *p++ = (char) ('0' + b % 10);
    }
    return g_strndup(buf, (gsize) (p - buf));
  }
  if (inet_ntop(AF_INET6, addr, buf, sizeof buf) == NULL)
    return g_strdup("?");
  return g_strdup(buf);
}

/* The SIP flow of |lines| (TlsdSipLine*, |from| the side that sent
 * each), between the endpoints of |key|, side |client| the client. */
static TlsdSipFlow *
sip_flow_of_sides(TlsdSipTransport transport, const FlowKey *key, int client, GPtrArray *lines)
{
  TlsdSipFlow *sip = tlsd_sip_flow_new(transport, addr_text(key->family, key->addr[client]),
                                       key->port[client], addr_text(key->family, key->addr[!client]),
                                       key->port[!client]);

  for (guint i = 0; i < lines->len; i++) {
    TlsdSipLine *line = g_ptr_array_index(lines, i);
    line->from = (int) line->from == client ? TLSD_CLIENT : TLSD_SERVER;
    g_ptr_array_add(sip->lines, line);
  }
  g_ptr_array_set_free_func(lines, NULL);
  g_ptr_array_unref(lines);
  tlsd_sip_flow_sort(sip);
  return sip;
}

/* Makes the report of the SIP sent in the clear on |flow|, if any. */
static void
flow_finish_sip(Flow *flow, int client)
{
  const char *stopped = NULL;

  for (int side = 0; side < 2; side++) {
    if (flow->sip[side] != NULL && stopped == NULL)
      stopped = tlsd_sip_stream_stopped(flow->sip[side]);
    g_clear_pointer(&flow->sip[side], tlsd_sip_stream_free);
  }
  if (flow->sip_lines == NULL)
    return;
  if (flow->sip_lines->len == 0) {
    g_clear_pointer(&flow->sip_lines, g_ptr_array_unref);
    return;
  }
  /* Roles unknown (no SYN seen): whoever spoke SIP first is the client. */
  if (client < 0)
    client = ((TlsdSipLine *) g_ptr_array_index(flow->sip_lines, 0))->from;
  flow->sip_report = sip_flow_of_sides(TLSD_SIP_TCP, &flow->key, client,
                                       g_steal_pointer(&flow->sip_lines));
  flow->sip_report->stopped = g_strdup(stopped);
}

/* Makes the report of the SIP decrypted from the TLS connection |hs|. */
static TlsdSipFlow *
tls_sip_flow(TlsdHandshake *hs)
{
  TlsdSipFlow *sip;

  if (hs->sip_lines == NULL || hs->sip_lines->len == 0)
    return NULL;
  sip = tlsd_sip_flow_new(TLSD_SIP_TLS, g_strdup(hs->client_addr), hs->client_port,
                          g_strdup(hs->server_addr), hs->server_port);
  g_ptr_array_extend_and_steal(sip->lines, g_steal_pointer(&hs->sip_lines));
  sip->stopped = g_strdup(hs->sip_stopped);
  tlsd_sip_flow_sort(sip);
  return sip;
}

static void
flow_finish(Tracker *t, Flow *flow)
{
  TlsdHandshake *hs;
  int client;

  if (flow->tls == NULL)
    return;
  for (int side = 0; side < 2; side++) {
    if (flow->sip[side] != NULL && (flow->tcp[side].overflow ||
                                    tlsd_tcp_dir_missing(&flow->tcp[side]) > 0))
      tlsd_sip_stream_stop(flow->sip[side], "bytes missing from the capture");
  }
  for (int side = 0; side < 2; side++) {
    guint64 missing = tlsd_tcp_dir_missing(&flow->tcp[side]);
    if (flow->tcp[side].overflow)
      tlsd_conn_gap(flow->tls, side, 0);
    else if (missing > 0)
      tlsd_conn_gap(flow->tls, side, missing);
    tlsd_tcp_dir_clear(&flow->tcp[side]);
  }
  client = tlsd_conn_side_is_client(flow->tls, 0);
  flow_finish_sip(flow, client < 0 ? -1 : client == 1 ? 0 : 1);
  client = client == 1 ? 0 : 1;
  hs = tlsd_conn_conclude(flow->tls);
  if (t->spare->len < SPARE_CONNS)
    g_ptr_array_add(t->spare, flow->tls);
  else
    tlsd_conn_free(flow->tls);
  flow->tls = NULL;
  if (!hs->have_client_hello && !hs->have_server_hello) {
    tlsd_handshake_free(hs);
    return;
  }
  hs->client_addr = addr_text(flow->key.family, flow->key.addr[client]);
  hs->client_port = flow->key.port[client];
  hs->server_addr = addr_text(flow->key.family, flow->key.addr[!client]);
  hs->server_port = flow->key.port[!client];
  /* Again, now that the endpoints are known: a client's reference
   * identity may be the address it connected to. */
  tlsd_verdict_judge(hs);
  flow->report = hs;
}

static void
flow_free(Flow *flow)
{
  for (int side = 0; side < 2; side++)
    tlsd_tcp_dir_clear(&flow->tcp[side]);
  tlsd_conn_free(flow->tls);
  tlsd_handshake_free(flow->report);
  for (int side = 0; side < 2; side++)
    tlsd_sip_stream_free(flow->sip[side]);
  if (flow->sip_lines != NULL)
    g_ptr_array_unref(flow->sip_lines);
  tlsd_sip_flow_free(flow->sip_report);
  g_free(flow);
}

static Flow *
flow_new(Tracker *t, const FlowKey *key)
{
  Flow *flow = g_new0(Flow, 1);

  flow->key = *key;
  if (t->spare->len > 0) {
    flow->tls = g_ptr_array_steal_index_fast(t->spare, t->spare->len - 1);
    tlsd_conn_restart(flow->tls, t->keylog);
  } else {
    flow->tls = tlsd_conn_new(t->keylog);
  }
  g_hash_table_replace(t->flows, &flow->key, flow);
  g_ptr_array_add(t->all, flow);
  return flow;
}

/* Follows the SIP in the clear that |side| of |flow| sends. */
static void
take_sip(Flow *flow, int side, const guint8 *data, gsize len, gint64 time_us)
{
  if (flow->not_sip[side] || len == 0)
    return;
  if (flow->sip[side] == NULL) {
    if (!tlsd_sip_could_start(data[0])) {
      flow->not_sip[side] = TRUE;
      return;
    }
    flow->sip[side] = tlsd_sip_stream_new((TlsdRole) side);
    if (flow->sip_lines == NULL)
      flow->sip_lines = g_ptr_array_new_with_free_func((GDestroyNotify) tlsd_sip_line_free);
  }
  tlsd_sip_stream_feed(flow->sip[side], data, len, time_us, flow->sip_lines);
  if (!tlsd_sip_stream_wants_data(flow->sip[side]))
    flow->not_sip[side] = TRUE;
}

/* TRUE while bytes of |flow| may still change the report. */
static gboolean
flow_wants_data(const Flow *flow)
{
  return tlsd_conn_wants_data(flow->tls) || !flow->not_sip[0] || !flow->not_sip[1];
}

static void
deliver(gpointer user_data, const guint8 *data, gsize len)
{
  DeliverCtx *ctx = user_data;

  ctx->flow->had_data = TRUE;
  if (ctx->flow->tls != NULL && tlsd_conn_wants_data(ctx->flow->tls))
    tlsd_conn_data(ctx->flow->tls, ctx->side, data, len, ctx->time_us);
  if (ctx->flow->tls != NULL)
    take_sip(ctx->flow, ctx->side, data, len, ctx->time_us);
}

/* TRUE once no more bytes can arrive for either direction: both sides
 * sent FIN and everything before each FIN was delivered, or a reset with
 * nothing waiting behind a hole. */
static gboolean
flow_drained(const Flow *flow)
{
  for (int side = 0; side < 2; side++) {
    const TlsdTcpDir *d = &flow->tcp[side];
    if (d->held != NULL)
      return FALSE;
    if (!flow->reset && (!flow->closed[side] || (d->started && d->next_seq != flow->fin_end[side])))
      return FALSE;
  }
  return TRUE;
}

static void
track_segment(Tracker *t, const TlsdTcpSegment *seg, gint64 time_us)
{
  FlowKey key;
  int side = make_key(seg, &key);
  Flow *flow = g_hash_table_lookup(t->flows, &key);
  gboolean syn = (seg->flags & TLSD_TCP_SYN) != 0;
  gboolean ack = (seg->flags & TLSD_TCP_ACK) != 0;

  /* A new SYN on a used 4-tuple is a new connection (port reuse). */
  if (flow != NULL && syn && !ack &&
      (flow->had_data || flow->closed[0] || flow->closed[1] || flow->reset ||
       (flow->tcp[side].syn && flow->tcp[side].isn != seg->seq))) {
    flow_finish(t, flow);
    g_hash_table_remove(t->flows, &key);
    flow = NULL;
  }
  if (flow == NULL) {
    /* Data-less stray packets (late ACKs, RSTs) of a finished connection
     * do not make a new one. */
    if (!syn && seg->payload_len == 0)
      return;
    flow = flow_new(t, &key);
  }
  if (flow->tls == NULL)
    return;
  if (syn) {
    tlsd_tcp_dir_syn(&flow->tcp[side], seg->seq);
    tlsd_conn_set_client_side(flow->tls, ack ? !side : side);
  }
  if (seg->payload_len > 0 || seg->payload_missing > 0) {
    DeliverCtx ctx = { flow, side, time_us };
    guint32 seq = seg->seq + (syn ? 1 : 0);
    if (flow_wants_data(flow))
      tlsd_tcp_dir_segment(&flow->tcp[side], seq, seg->payload, seg->payload_len, deliver, &ctx);
    if (seg->payload_missing > 0 && flow_wants_data(flow)) {
      /* The capture cut this segment (snap length): the stream has a hole. */
      flow->truncated_bytes[side] += seg->payload_missing;
      tlsd_conn_gap(flow->tls, side, seg->payload_missing);
      if (flow->sip[side] != NULL)
        tlsd_sip_stream_stop(flow->sip[side], "bytes missing from the capture");
    }
  }
  if (seg->flags & TLSD_TCP_RST) {
    flow->reset = TRUE;
    tlsd_conn_close(flow->tls, side, TRUE, time_us);
  } else if (seg->flags & TLSD_TCP_FIN) {
    flow->closed[side] = TRUE;
    flow->fin_end[side] = seg->seq + (syn ? 1 : 0) + (guint32) seg->payload_len;
    tlsd_conn_close(flow->tls, side, FALSE, time_us);
  }
  /* A connection both sides closed (or one reset) is over: conclude now,
   * so its buffers are reused by the next ones.  The flow stays in the
   * table, finished, to absorb late ACKs and retransmissions. */
  if (flow->tls != NULL && flow_drained(flow))
    flow_finish(t, flow);
}

static void
datagrams_free(Datagrams *d)
{
  tlsd_sip_flow_free(d->sip);
  g_free(d);
}

/* A UDP datagram: its SIP line, if it carries a SIP message. */
static void
track_datagram(Tracker *t, const TlsdTcpSegment *seg, gint64 time_us)
{
  FlowKey key;
  int side;
  Datagrams *d;
  TlsdSipLine *line;

  if (seg->payload_len == 0 || !tlsd_sip_could_start(seg->payload[0]))
    return;
  side = make_key(seg, &key);
  line = tlsd_sip_datagram(seg->payload, seg->payload_len, TLSD_CLIENT, time_us);
  if (line == NULL)
    return;
  d = g_hash_table_lookup(t->udp, &key);
  if (d == NULL) {
    d = g_new0(Datagrams, 1);
    d->key = key;
    d->client_side = side;
    d->sip = tlsd_sip_flow_new(TLSD_SIP_UDP, addr_text(key.family, key.addr[side]),
                               key.port[side], addr_text(key.family, key.addr[!side]),
                               key.port[!side]);
    g_hash_table_replace(t->udp, &d->key, d);
    g_ptr_array_add(t->udp_all, d);
  }
  line->from = side == d->client_side ? TLSD_CLIENT : TLSD_SERVER;
  tlsd_sip_flow_add_line(d->sip, line);
}

static gint
by_first_line(gconstpointer a, gconstpointer b)
{
  const TlsdSipFlow *x = *(TlsdSipFlow *const *) a;
  const TlsdSipFlow *y = *(TlsdSipFlow *const *) b;
  gint64 tx = ((TlsdSipLine *) g_ptr_array_index(x->lines, 0))->time_us;
  gint64 ty = ((TlsdSipLine *) g_ptr_array_index(y->lines, 0))->time_us;

  return (tx > ty) - (tx < ty);
}

void
tlsd_result_free(TlsdResult *result)
{
  if (result == NULL)
    return;
  g_ptr_array_unref(result->errors);
  g_ptr_array_unref(result->handshakes);
  g_ptr_array_unref(result->sip_flows);
  g_free(result);
}

static TlsdResult *
result_new(void)
{
  TlsdResult *r = g_new0(TlsdResult, 1);

  r->errors = g_ptr_array_new_with_free_func(g_free);
  r->handshakes = g_ptr_array_new_with_free_func((GDestroyNotify) tlsd_handshake_free);
  r->sip_flows = g_ptr_array_new_with_free_func((GDestroyNotify) tlsd_sip_flow_free);
  r->complete = TRUE;
  return r;
}

/* A hostile file's timestamps may be anything: keep them in range. */
static gint64
timeval_us(const struct timeval *tv)
{
  if (tv->tv_sec < 0)
    return 0;
  if (tv->tv_sec >= G_MAXINT64 / G_USEC_PER_SEC - 1)
    return G_MAXINT64 / G_USEC_PER_SEC * G_USEC_PER_SEC;
  return (gint64) tv->tv_sec * G_USEC_PER_SEC + CLAMP(tv->tv_usec, 0, G_USEC_PER_SEC - 1);
}

static void
read_packets(pcap_t *pcap, TlsdResult *r, Tracker *t)
{
  struct pcap_pkthdr *hdr;
  const u_char *frame;
  int rc;
  guint64 malformed = 0;

  while ((rc = pcap_next_ex(pcap, &hdr, &frame)) == 1) {
    TlsdTcpSegment seg;
    gint64 time_us = timeval_us(&hdr->ts);
    TlsdFrameKind kind;

    r->packets++;
    kind = tlsd_decode_frame(r->linktype, frame, MIN(hdr->caplen, hdr->len), &seg);
    if (kind == TLSD_FRAME_MALFORMED)
      malformed++;
    if (kind == TLSD_FRAME_UDP)
      track_datagram(t, &seg, time_us);
    if (kind != TLSD_FRAME_TCP)
      continue;
    r->tcp_packets++;
    track_segment(t, &seg, time_us);
  }
  if (rc == PCAP_ERROR) {
    r->complete = FALSE;
    g_ptr_array_add(r->errors, g_strdup_printf("after packet %" G_GUINT64_FORMAT ": %s",
                                               r->packets, pcap_geterr(pcap)));
  }
  if (malformed > 0)
    g_ptr_array_add(r->errors, g_strdup_printf("%" G_GUINT64_FORMAT " packets with malformed headers were skipped",
                                               malformed));
}

TlsdResult *
tlsd_analyze_memory(const guint8 *data, gsize len, const char *name, TlsdKeylog *keylog,
                    GError **error)
{
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  g_autoptr(TlsdKeylog) own_keylog = NULL;
  g_autoptr(TlsdResult) r = result_new();
  Tracker t;
  FILE *f;
  pcap_t *pcap;

  r->format = tlsd_file_format(data, len);
  if (r->format == TLSD_FORMAT_UNKNOWN) {
    g_set_error(error, TLSD_ERROR, TLSD_ERROR_NOT_CAPTURE,
                "%s is not a pcap or pcapng capture file%s", name,
                len < 4 ? " (it is shorter than a file header)" : " (unknown magic number)");
    return NULL;
  }
  if (keylog == NULL)
    keylog = own_keylog = tlsd_keylog_new();
  if (r->format == TLSD_FORMAT_PCAPNG) {
    const char *damaged;
    r->embedded_secret_blocks = tlsd_pcapng_read_secrets(data, len, keylog, &damaged);
    if (damaged != NULL) {
      r->complete = FALSE;
      g_ptr_array_add(r->errors, g_strdup_printf("pcapng structure: %s", damaged));
    }
  }
  r->keylog_entries = tlsd_keylog_entries(keylog);

  f = fmemopen((void *) data, len, "rb");
  if (f == NULL) {
    g_set_error(error, TLSD_ERROR, TLSD_ERROR_UNREADABLE, "%s: cannot open: %s", name,
                g_strerror(errno));
    return NULL;
  }
  pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_MICRO, errbuf);
  if (pcap == NULL) {
    fclose(f);
    g_set_error(error, TLSD_ERROR, TLSD_ERROR_UNREADABLE, "%s: not a readable capture: %s",
                name, errbuf);
    return NULL;
  }
  r->linktype = pcap_datalink(pcap);
  if (!tlsd_linktype_supported(r->linktype)) {
    const char *lt = pcap_datalink_val_to_name(r->linktype);
    g_set_error(error, TLSD_ERROR, TLSD_ERROR_LINKTYPE,
                "%s: link type %s (%d) is not supported (Ethernet, Linux cooked, loopback "
                "and raw IP are)", name, lt != NULL ? lt : "?", r->linktype);
    pcap_close(pcap);
    return NULL;
  }
  t.keylog = keylog;
  t.flows = g_hash_table_new(flow_hash, flow_equal);
  t.all = g_ptr_array_new_with_free_func((GDestroyNotify) flow_free);
  t.spare = g_ptr_array_new_with_free_func((GDestroyNotify) tlsd_conn_free);
  t.udp = g_hash_table_new(flow_hash, flow_equal);
  t.udp_all = g_ptr_array_new_with_free_func((GDestroyNotify) datagrams_free);
  read_packets(pcap, r, &t);
  pcap_close(pcap);
  r->connections = t.all->len;
  for (guint i = 0; i < t.all->len; i++) {
    Flow *flow = g_ptr_array_index(t.all, i);
    flow_finish(&t, flow);
    if (flow->sip_report != NULL)
      g_ptr_array_add(r->sip_flows, g_steal_pointer(&flow->sip_report));
    if (flow->report != NULL) {
      TlsdSipFlow *sip = tls_sip_flow(flow->report);
      if (!r->complete)
        tlsd_handshake_note(flow->report, FALSE, "the capture file is damaged or cut short");
      flow->report->index = r->handshakes->len + 1;
      if (sip != NULL) {
        sip->handshake = flow->report->index;
        g_ptr_array_add(r->sip_flows, sip);
      }
      g_ptr_array_add(r->handshakes, g_steal_pointer(&flow->report));
    }
  }
  for (guint i = 0; i < t.udp_all->len; i++) {
    Datagrams *d = g_ptr_array_index(t.udp_all, i);
    g_ptr_array_add(r->sip_flows, g_steal_pointer(&d->sip));
  }
  g_ptr_array_sort(r->sip_flows, by_first_line);
  g_hash_table_unref(t.udp);
  g_ptr_array_unref(t.udp_all);
  g_hash_table_unref(t.flows);
  g_ptr_array_unref(t.all);
  g_ptr_array_unref(t.spare);
  return g_steal_pointer(&r);
}

TlsdResult *
tlsd_analyze_file(const char *path, TlsdKeylog *keylog, GError **error)
{
  g_autoptr(GBytes) file = vgw_file_map(path, TLSD_CAPTURE_MAX, error);
  static const guint8 empty[1];
  gsize len = 0;
  const guint8 *data;

  if (file == NULL)
    return NULL;
  data = g_bytes_get_data(file, &len);
  /* An empty file maps to NULL contents. */
  return tlsd_analyze_memory(len > 0 ? data : empty, len, path, keylog, error);
}
