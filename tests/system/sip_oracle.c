/* sip-oracle: what the gateway's SIP intake must count for a set of
 * messages, computed by the same library built for the host (device-fw/sip)
 * and driven the way vgwd's transports drive it (device-fw/vgwd/
 * sip_transport.c): a datagram goes whole to sip_txn_layer_receive(); a
 * stream goes through a SipFramer (accepted role), each framed message to
 * the layer, a framing error counted and the stream given up.
 *
 *   sip-oracle udp|stream FILE...
 *
 * Each FILE is one datagram, or the whole of one connection.  Prints one
 * JSON object: {"received": N, "rejected": {"reason-name": N, ...}} for
 * that transport, as `vgw status --json` shows sip.<transport>.  Used by
 * tests/system/test_sip_malformed.py. */
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "sip_framing.h"
#include "sip_txn.h"

static gboolean
send_nothing(const SipPeer *to, const char *bytes, gsize len, gpointer data)
{
  (void) to;
  (void) bytes;
  (void) len;
  (void) data;
  return TRUE;
}

/* The TU leaves every request unanswered: only the intake's counters
 * matter here. */
static void
ignore_request(SipTxnLayer *layer, SipTxn *txn, const osip_message_t *req,
               const SipPeer *from, gpointer data)
{
  (void) layer;
  (void) txn;
  (void) req;
  (void) from;
  (void) data;
}

static void
feed_stream(SipTxnLayer *layer, const SipLimits *limits, GBytes *bytes, SipPeer *peer)
{
  SipFramer *framer = sip_framer_new(limits, SIP_FRAMER_ACCEPTED);
  gsize len;
  const guint8 *data = g_bytes_get_data(bytes, &len);
  SipFrame frame;
  gboolean more = TRUE;

  sip_framer_push(framer, data, len);
  while (more) {
    switch (sip_framer_next(framer, &frame)) {
    case SIP_FRAME_MESSAGE:
      sip_txn_layer_receive(layer, frame.data, frame.len, peer);
      break;
    case SIP_FRAME_PING:
    case SIP_FRAME_PONG:
      break;
    case SIP_FRAME_ERROR:
      sip_txn_layer_count_stream_error(layer, peer, frame.reason);
      more = FALSE;
      break;
    case SIP_FRAME_NEED_MORE:
      more = FALSE;
      break;
    }
  }
  sip_framer_free(framer);
}

int
main(int argc, char **argv)
{
  static const SipTxnCallbacks callbacks = { send_nothing, ignore_request };
  SipLimits limits;
  SipTxnLayer *layer;
  SipTransport transport;
  const SipTransportStats *stats;
  gboolean first = TRUE;

  if (argc < 2 || (strcmp(argv[1], "udp") != 0 && strcmp(argv[1], "stream") != 0)) {
    fprintf(stderr, "usage: sip-oracle udp|stream FILE...\n");
    return 2;
  }
  transport = strcmp(argv[1], "udp") == 0 ? SIP_TRANSPORT_UDP : SIP_TRANSPORT_TCP;
  sip_limits_init_default(&limits);
  layer = sip_txn_layer_new(NULL, &limits, &callbacks, NULL);
  for (int i = 2; i < argc; i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *contents = NULL;
    gsize len;
    SipPeer peer = { .transport = transport, .address = "10.0.2.2",
                     .port = (guint16) (40000 + i), .connection = (guint64) i };

    if (!g_file_get_contents(argv[i], &contents, &len, &error)) {
      fprintf(stderr, "sip-oracle: %s\n", error->message);
      return 1;
    }
    if (transport == SIP_TRANSPORT_UDP) {
      sip_txn_layer_receive(layer, (const guint8 *) contents, len, &peer);
    } else {
      g_autoptr(GBytes) bytes = g_bytes_new_take(g_steal_pointer(&contents), len);
      feed_stream(layer, &limits, bytes, &peer);
    }
  }
  stats = &sip_txn_layer_stats(layer)->transport[transport];
  printf("{\"received\": %" G_GUINT64_FORMAT ", \"rejected\": {", stats->received);
  for (int r = SIP_REASON_NONE + 1; r < SIP_REASON_COUNT; r++) {
    if (stats->rejected[r] == 0)
      continue;
    printf("%s\"%s\": %" G_GUINT64_FORMAT, first ? "" : ", ", sip_reason_name(r),
           stats->rejected[r]);
    first = FALSE;
  }
  printf("}}\n");
  sip_txn_layer_free(layer);
  return 0;
}
