/*
 * libFuzzer target for the SIP message entry point (device-fw/sip): the
 * bytes of one datagram, and the same bytes as a TCP/TLS stream. Built by
 * run-fuzz.sh with clang straight from the library sources.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks on every
 * input:
 *   - a datagram is a message, a keep-alive, or refused with a reason in
 *     range; a message lies within the datagram;
 *   - the stream framer hands out the same messages, keep-alives and
 *     verdict whether the bytes come at once or in two chunks (split where
 *     the first byte says), every message within the limits;
 *   - through the transaction layer, every message is taken or refused
 *     with a reason in range, and every response the layer sends parses
 *     again with libosip2; a response to a request that passed the checks
 *     passes them too, with the request's Call-ID and CSeq.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip_framing.h"
#include "sip_message.h"
#include "sip_txn.h"

static void must(gboolean cond, const char *what) {
  if (!cond) {
    g_printerr("fuzz_sip: property violated: %s\n", what);
    abort();
  }
}

static gboolean is_framing_reason(SipReason r) {
  return r >= SIP_REASON_MESSAGE_TOO_LARGE &&
         r <= SIP_REASON_CONTENT_LENGTH_MISMATCH;
}

/* ---- The transaction layer with a checking transport and TU ---- */

typedef struct {
  guint sends;
} FuzzState;

static gboolean check_send(const SipPeer *to, const char *bytes, gsize len,
                           gpointer user_data) {
  FuzzState *st = user_data;
  osip_message_t *msg = NULL;

  st->sends++;
  sip_message_parse((const guint8 *)bytes, len, &msg);
  if (msg == NULL) {
    g_printerr("fuzz_sip: sent:\n%.*s\n", (int)len, bytes);
  }
  must(msg != NULL, "a response the layer sends parses again");
  must(MSG_IS_RESPONSE(msg), "the layer only sends responses here");
  osip_message_free(msg);
  return TRUE;
}

/* The TU answers every request at once with 200 and checks the answer. */
static void answer_request(SipTxnLayer *layer, SipTxn *txn,
                           const osip_message_t *req, const SipPeer *from,
                           gpointer user_data) {
  must(sip_message_validate(req) == SIP_REASON_NONE,
       "the TU only sees requests that passed the checks");
  if (txn == NULL) {
    must(MSG_IS_ACK(req), "only an ACK comes without a transaction");
    return;
  }
  osip_message_t *resp = MSG_IS_OPTIONS(req)
                             ? sip_response_options_ok(req, "fz")
                             : sip_response_new(req, 200, NULL, "fz");
  gsize len;
  char *bytes = sip_message_to_bytes(resp, &len);
  osip_message_t *back = NULL;
  must(bytes != NULL, "a response to a valid request prints");
  must(sip_message_parse((const guint8 *)bytes, len, &back) ==
           SIP_REASON_NONE,
       "a response to a valid request passes the checks");
  must(strcmp(back->call_id->number, req->call_id->number) == 0 &&
           strcmp(back->cseq->number, req->cseq->number) == 0,
       "a response keeps Call-ID and CSeq");
  osip_message_free(back);
  g_free(bytes);
  sip_txn_respond(txn, resp);
}

static const SipTxnCallbacks fuzz_callbacks = {
    .send = check_send,
    .request = answer_request,
};

static void layer_take(SipTxnLayer *layer, const guint8 *data, gsize len,
                       const SipPeer *from) {
  SipReason r = sip_txn_layer_receive(layer, data, len, from);
  must((guint)r < SIP_REASON_COUNT, "layer reason in range");
}

/* ---- Datagram ---- */

static void fuzz_datagram(SipTxnLayer *layer, const SipLimits *limits,
                          const guint8 *data, gsize size) {
  SipFrame frame;
  SipPeer from = {.transport = SIP_TRANSPORT_UDP, .port = 5070};

  g_strlcpy(from.address, "127.0.0.1", sizeof(from.address));
  switch (sip_datagram_frame(data, size, limits, &frame)) {
  case SIP_DATAGRAM_MESSAGE:
    must(frame.data >= data && frame.len > 0 &&
             frame.data + frame.len <= data + size,
         "a datagram message lies within the datagram");
    must(frame.header_len > 0 && frame.header_len <= frame.len,
         "the header section lies within the message");
    break;
  case SIP_DATAGRAM_KEEPALIVE:
    break;
  case SIP_DATAGRAM_REFUSED:
    must(is_framing_reason(frame.reason), "datagram refusal has a reason");
    must(frame.header_len <= size, "refused header section within datagram");
    break;
  }
  layer_take(layer, data, size, &from);
}

/* ---- Stream ---- */

/* The framer's account of a stream, fed in the given chunks. */
static GString *frame_stream(const SipLimits *limits, SipFramerRole role,
                             const guint8 *data, gsize size, gsize split,
                             SipTxnLayer *layer) {
  SipFramer *f = sip_framer_new(limits, role);
  GString *log = g_string_new(NULL);
  SipPeer from = {.transport = SIP_TRANSPORT_TCP, .port = 5070,
                  .connection = 1};
  const gsize cuts[] = {0, split, size};
  gboolean failed = FALSE;

  g_strlcpy(from.address, "127.0.0.1", sizeof(from.address));
  for (gsize c = 0; c + 1 < G_N_ELEMENTS(cuts) && !failed; c++) {
    sip_framer_push(f, data + cuts[c], cuts[c + 1] - cuts[c]);
    SipFrame frame;
    SipFrameKind kind;
    while ((kind = sip_framer_next(f, &frame)) != SIP_FRAME_NEED_MORE) {
      g_string_append_printf(log, "%d ", kind);
      if (kind == SIP_FRAME_ERROR) {
        must(is_framing_reason(frame.reason), "stream error has a reason");
        g_string_append_printf(log, "%d\n", frame.reason);
        failed = TRUE;
        break;
      }
      if (kind == SIP_FRAME_MESSAGE) {
        must(frame.len <= limits->max_message, "message within max_message");
        must(frame.header_len > 0 && frame.header_len <= frame.len,
             "header section within the message");
        g_string_append_printf(log, "%zu %zu\n", frame.header_len, frame.len);
        if (layer != NULL) {
          layer_take(layer, frame.data, frame.len, &from);
        }
      }
    }
  }
  must(sip_framer_buffered(f) <= size, "the framer holds no more than it got");
  sip_framer_free(f);
  return log;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  SipLimits limits;
  FuzzState st = {0};
  SipTxnLayer *layer;

  sip_limits_init_default(&limits);
  layer = sip_txn_layer_new(NULL, &limits, &fuzz_callbacks, &st);
  fuzz_datagram(layer, &limits, data, size);

  /* Split point and role from the first byte; the bytes themselves
   * (first byte included) are the stream. */
  gsize split = size > 0 ? (gsize)data[0] * size / 256 : 0;
  SipFramerRole role =
      size > 0 && (data[0] & 1) ? SIP_FRAMER_OPENED : SIP_FRAMER_ACCEPTED;
  GString *whole = frame_stream(&limits, role, data, size, size, layer);
  GString *two = frame_stream(&limits, role, data, size, split, NULL);
  must(strcmp(whole->str, two->str) == 0,
       "framing does not depend on chunk boundaries");
  g_string_free(whole, TRUE);
  g_string_free(two, TRUE);
  sip_txn_layer_free(layer);
  return 0;
}
