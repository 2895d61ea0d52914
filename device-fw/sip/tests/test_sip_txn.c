/* Unit tests for SIP transactions on libosip2 (sip_txn). */
#include <string.h>

#include "sip_canned.h"
#include "sip_message.h"
#include "sip_request.h"
#include "sip_txn.h"

typedef struct {
  SipPeer to;
  char *bytes;
} Sent;

/* A fake transport and TU: records what is sent and what arrives. */
typedef struct {
  GPtrArray *sent;        /* Sent */
  gboolean refuse_sends;
  guint requests;         /* requests handed to the TU */
  guint acks;             /* ACKs to 2xx (no transaction) */
  int answer;             /* status the TU answers at once; 0: none */
  SipTxn *held;           /* the last transaction, if not answered */
  /* Client side. */
  GPtrArray *outcomes;    /* "response 200", "timeout", ... */
  SipTxnLayer *layer;
} Fixture;

static void sent_free(gpointer p) {
  Sent *s = p;
  g_free(s->bytes);
  g_free(s);
}

static gboolean fake_send(const SipPeer *to, const char *bytes, gsize len,
                          gpointer user_data) {
  Fixture *fx = user_data;
  Sent *s;

  if (fx->refuse_sends) {
    return FALSE;
  }
  s = g_new0(Sent, 1);
  s->to = *to;
  s->bytes = g_strndup(bytes, len);
  g_ptr_array_add(fx->sent, s);
  return TRUE;
}

static void fake_request(SipTxnLayer *layer, SipTxn *txn,
                         const osip_message_t *req, const SipPeer *from,
                         gpointer user_data) {
  Fixture *fx = user_data;

  if (txn == NULL) {
    g_assert_true(MSG_IS_ACK(req));
    fx->acks++;
    return;
  }
  g_assert_true(sip_txn_request(txn) == req);
  fx->requests++;
  if (fx->answer == 0) {
    fx->held = txn;
    return;
  }
  osip_message_t *resp = MSG_IS_OPTIONS(req) && fx->answer == 200
                             ? sip_response_options_ok(req, "gw1")
                             : sip_response_new(req, (guint)fx->answer, NULL,
                                                "gw1");
  sip_txn_respond(txn, resp);
}

static const SipTxnCallbacks fake_callbacks = {
    .send = fake_send,
    .request = fake_request,
};

/* The fake transport and TU with a layer on |context| (NULL: the default
 * one) and |limits| (NULL: defaults); the TU answers |answer| at once. */
static SipTxnLayer *fixture_init(Fixture *fx, int answer,
                                 GMainContext *context,
                                 const SipLimits *limits) {
  memset(fx, 0, sizeof(*fx));
  fx->sent = g_ptr_array_new_with_free_func(sent_free);
  fx->outcomes = g_ptr_array_new_with_free_func(g_free);
  fx->answer = answer;
  fx->layer = sip_txn_layer_new(context, limits, &fake_callbacks, fx);
  return fx->layer;
}

static void fixture_clear(Fixture *fx) {
  sip_txn_layer_free(fx->layer);
  g_ptr_array_unref(fx->sent);
  g_ptr_array_unref(fx->outcomes);
}

static SipPeer peer(SipTransport transport, const char *address, guint16 port,
                    guint64 connection) {
  SipPeer p = {.transport = transport, .port = port, .connection = connection};
  g_strlcpy(p.address, address, sizeof(p.address));
  return p;
}

static SipReason receive_text(SipTxnLayer *layer, const char *text,
                              const SipPeer *from) {
  return sip_txn_layer_receive(layer, (const guint8 *)text, strlen(text),
                               from);
}

static Sent *sent_at(Fixture *fx, guint i) {
  g_assert_cmpuint(i, <, fx->sent->len);
  return g_ptr_array_index(fx->sent, i);
}

static osip_message_t *sent_message(Fixture *fx, guint i) {
  const char *bytes = sent_at(fx, i)->bytes;
  osip_message_t *msg = NULL;

  g_assert_cmpint(sip_message_parse((const guint8 *)bytes, strlen(bytes),
                                    &msg), ==, SIP_REASON_NONE);
  return msg;
}

static void test_options_retransmission(void) {
  Fixture fx;
  SipTxnLayer *layer = fixture_init(&fx, 200, NULL, NULL);
  /* Behind NAT: the Via says 10.0.0.1:5070, the packet came from
   * 127.0.0.1:40000. */
  SipPeer from = peer(SIP_TRANSPORT_UDP, "127.0.0.1", 40000, 0);
  char *options = sip_canned_options(NULL, NULL);

  g_assert_cmpint(receive_text(layer, options, &from), ==, SIP_REASON_NONE);
  g_assert_cmpuint(fx.requests, ==, 1);
  g_assert_cmpuint(fx.sent->len, ==, 1);
  g_assert_cmpstr(sent_at(&fx, 0)->to.address, ==, "127.0.0.1");
  g_assert_cmpuint(sent_at(&fx, 0)->to.port, ==, 40000);
  osip_message_t *resp = sent_message(&fx, 0);
  g_assert_cmpint(resp->status_code, ==, 200);
  g_assert_cmpint(osip_list_size(&resp->allows), >, 0);
  osip_message_free(resp);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->server_transactions, ==, 1);

  /* The retransmission: absorbed, the same 200 sent again, the TU not
   * bothered. */
  g_assert_cmpint(receive_text(layer, options, &from), ==, SIP_REASON_NONE);
  g_assert_cmpuint(fx.requests, ==, 1);
  g_assert_cmpuint(fx.sent->len, ==, 2);
  g_assert_cmpstr(sent_at(&fx, 1)->bytes, ==, sent_at(&fx, 0)->bytes);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->retransmissions, ==, 1);

  /* A new request (new branch) is a new transaction. */
  char *other = sip_canned_options("Via:", "Via: SIP/2.0/UDP 10.0.0.1:5070;"
                                           "branch=z9hG4bK-2;rport\r\n");
  g_assert_cmpint(receive_text(layer, other, &from), ==, SIP_REASON_NONE);
  g_assert_cmpuint(fx.requests, ==, 2);
  g_assert_cmpuint(fx.sent->len, ==, 3);

  /* All of it counted on UDP, nothing on the other transports. */
  const SipTxnStats *stats = sip_txn_layer_stats(layer);
  g_assert_cmpuint(stats->transport[SIP_TRANSPORT_UDP].received, ==, 3);
  g_assert_cmpuint(stats->transport[SIP_TRANSPORT_UDP].sent, ==, 3);
  g_assert_cmpuint(stats->transport[SIP_TRANSPORT_TCP].received, ==, 0);
  g_assert_cmpuint(stats->transport[SIP_TRANSPORT_TLS].sent, ==, 0);
  g_free(other);
  g_free(options);
  fixture_clear(&fx);
}

static void test_refused_requests(void) {
  Fixture fx;
  SipLimits limits;
  sip_limits_init_default(&limits);
  limits.max_message = 400;
  SipTxnLayer *layer = fixture_init(&fx, 200, NULL, &limits);
  SipPeer from = peer(SIP_TRANSPORT_UDP, "127.0.0.1", 40000, 0);
  char *text = sip_canned_options("Call-ID:", NULL);

  /* Missing Call-ID: 400 naming it, nothing for the TU. */
  g_assert_cmpint(receive_text(layer, text, &from), ==,
                  SIP_REASON_MISSING_CALL_ID);
  g_assert_cmpuint(fx.requests, ==, 0);
  g_assert_cmpuint(fx.sent->len, ==, 1);
  g_assert_true(g_str_has_prefix(sent_at(&fx, 0)->bytes,
                                 "SIP/2.0 400 Missing Call-ID header\r\n"));
  g_assert_cmpuint(sent_at(&fx, 0)->to.port, ==, 40000);
  g_free(text);

  /* Too large for max_message, header section fine: 413. */
  char *big = g_strnfill(300, 'x');
  char *subject = g_strdup_printf("Subject: %s\r\n", big);
  text = sip_canned_options(NULL, subject);
  g_assert_cmpint(receive_text(layer, text, &from), ==,
                  SIP_REASON_MESSAGE_TOO_LARGE);
  /* The header section itself is too large here: nothing to answer. */
  g_assert_cmpuint(fx.sent->len, ==, 1);
  g_free(text);
  g_free(subject);
  text = sip_canned_options("Content-Length:", NULL);
  text[strlen(text) - strlen("Content-Length: 0\r\n\r\n")] = '\0';
  char *with_body = g_strdup_printf("%sContent-Length: 300\r\n\r\n%s", text,
                                    big);
  g_assert_cmpint(receive_text(layer, with_body, &from), ==,
                  SIP_REASON_MESSAGE_TOO_LARGE);
  g_assert_cmpuint(fx.sent->len, ==, 2);
  g_assert_true(g_str_has_prefix(sent_at(&fx, 1)->bytes,
                                 "SIP/2.0 413 Message Too Large\r\n"));
  g_free(with_body);
  g_free(text);
  g_free(big);

  /* Nothing to answer: no Via, or not SIP at all. */
  text = sip_canned_options("Via:", NULL);
  g_assert_cmpint(receive_text(layer, text, &from), ==,
                  SIP_REASON_MISSING_VIA);
  g_free(text);
  /* The start of a TLS record (strlen() stops at its first NUL). */
  g_assert_cmpint(receive_text(layer, "\x16\x03\x01\x02\x00\x01", &from), ==,
                  SIP_REASON_HEADERS_UNTERMINATED);
  g_assert_cmpuint(fx.sent->len, ==, 2);

  /* A To that libosip2 accepts but prints in a form it cannot parse back
   * (found by fuzz_sip): refused, and the 400, which would carry it, is
   * not sent. */
  text = sip_canned_options("To:", "To: <sip:gw@127.0.0.1Call-ID: >\r\n");
  g_assert_cmpint(receive_text(layer, text, &from), ==, SIP_REASON_BAD_TO);
  g_free(text);

  /* Keep-alives are neither messages nor refusals. */
  g_assert_cmpint(receive_text(layer, "\r\n\r\n", &from), ==, SIP_REASON_NONE);

  const SipTxnStats *stats = sip_txn_layer_stats(layer);
  g_assert_cmpuint(stats->rejected[SIP_REASON_MISSING_CALL_ID], ==, 1);
  g_assert_cmpuint(stats->rejected[SIP_REASON_MESSAGE_TOO_LARGE], ==, 2);
  g_assert_cmpuint(stats->rejected[SIP_REASON_MISSING_VIA], ==, 1);
  g_assert_cmpuint(stats->rejected[SIP_REASON_HEADERS_UNTERMINATED], ==, 1);
  g_assert_cmpuint(stats->rejected[SIP_REASON_BAD_TO], ==, 1);
  g_assert_cmpuint(stats->refusals_sent, ==, 2);
  g_assert_cmpuint(stats->received, ==, 6);
  g_assert_cmpuint(fx.requests, ==, 0);
  fixture_clear(&fx);
}

static void test_stream_response_on_connection(void) {
  Fixture fx;
  SipTxnLayer *layer = fixture_init(&fx, 200, NULL, NULL);
  SipPeer from = peer(SIP_TRANSPORT_TLS, "127.0.0.1", 40001, 7);
  char *options = sip_canned_request("OPTIONS", "TLS", NULL, NULL);

  g_assert_cmpint(receive_text(layer, options, &from), ==, SIP_REASON_NONE);
  g_assert_cmpuint(fx.sent->len, ==, 1);
  g_assert_cmpuint(sent_at(&fx, 0)->to.connection, ==, 7);
  g_assert_cmpint(sent_at(&fx, 0)->to.transport, ==, SIP_TRANSPORT_TLS);

  /* A framing error the stream transport reports counts on its transport
   * and in the total, next to the message refusals. */
  sip_txn_layer_count_stream_error(layer, &from,
                                   SIP_REASON_CONTENT_LENGTH_MISSING);
  const SipTxnStats *stats = sip_txn_layer_stats(layer);
  const SipTransportStats *tls = &stats->transport[SIP_TRANSPORT_TLS];
  g_assert_cmpuint(tls->received, ==, 1);
  g_assert_cmpuint(tls->sent, ==, 1);
  g_assert_cmpuint(tls->rejected[SIP_REASON_CONTENT_LENGTH_MISSING], ==, 1);
  g_assert_cmpuint(stats->rejected[SIP_REASON_CONTENT_LENGTH_MISSING], ==, 1);
  g_assert_cmpuint(
      stats->transport[SIP_TRANSPORT_UDP]
          .rejected[SIP_REASON_CONTENT_LENGTH_MISSING], ==, 0);
  g_free(options);
  fixture_clear(&fx);
}

/* A message sent outside any transaction (a proxy's ACK to a 2xx) goes to
 * its peer as is, counted; a send the transport refuses is FALSE and
 * counted as a transport error. No transaction is made. */
static void test_stateless_send(void) {
  Fixture fx;
  SipTxnLayer *layer = fixture_init(&fx, 0, NULL, NULL);
  SipPeer to = peer(SIP_TRANSPORT_TCP, "10.0.2.2", 40002, 9);
  osip_message_t *ack =
      sip_canned_parse(sip_canned_request("ACK", "TCP", NULL, NULL));

  g_assert_true(sip_txn_layer_send(layer, ack, &to));
  g_assert_cmpuint(fx.sent->len, ==, 1);
  g_assert_cmpuint(sent_at(&fx, 0)->to.connection, ==, 9);
  osip_message_t *got = sent_message(&fx, 0);
  g_assert_cmpstr(got->sip_method, ==, "ACK");
  g_assert_cmpstr(got->call_id->number, ==, "call-1");
  osip_message_free(got);
  const SipTxnStats *stats = sip_txn_layer_stats(layer);
  g_assert_cmpuint(stats->transport[SIP_TRANSPORT_TCP].sent, ==, 1);
  g_assert_cmpuint(stats->client_transactions, ==, 0);

  fx.refuse_sends = TRUE;
  g_assert_false(sip_txn_layer_send(layer, ack, &to));
  g_assert_cmpuint(stats->transport_errors, ==, 1);
  g_assert_cmpuint(stats->transport[SIP_TRANSPORT_TCP].sent, ==, 1);
  osip_message_free(ack);
  fixture_clear(&fx);
}

static void test_invite_server(void) {
  Fixture fx;
  SipTxnLayer *layer = fixture_init(&fx, 0, NULL, NULL);
  SipPeer from = peer(SIP_TRANSPORT_UDP, "127.0.0.1", 40000, 0);
  char *invite = sip_canned_request("INVITE", "UDP", NULL, NULL);

  /* The TU holds the INVITE, rings, then declines. */
  g_assert_cmpint(receive_text(layer, invite, &from), ==, SIP_REASON_NONE);
  g_assert_cmpuint(fx.requests, ==, 1);
  g_assert_nonnull(fx.held);
  sip_txn_respond(fx.held, sip_response_new(sip_txn_request(fx.held), 180,
                                            NULL, "gw1"));
  g_assert_cmpuint(fx.sent->len, ==, 1);
  /* A retransmitted INVITE gets the 180 again. */
  receive_text(layer, invite, &from);
  g_assert_cmpuint(fx.requests, ==, 1);
  g_assert_cmpuint(fx.sent->len, ==, 2);
  g_assert_cmpstr(sent_at(&fx, 1)->bytes, ==, sent_at(&fx, 0)->bytes);
  sip_txn_respond(fx.held, sip_response_new(sip_txn_request(fx.held), 486,
                                            NULL, "gw1"));
  g_assert_cmpuint(fx.sent->len, ==, 3);
  g_assert_true(g_str_has_prefix(sent_at(&fx, 2)->bytes, "SIP/2.0 486 "));
  /* And after it, the 486. */
  receive_text(layer, invite, &from);
  g_assert_cmpuint(fx.sent->len, ==, 4);
  g_assert_cmpstr(sent_at(&fx, 3)->bytes, ==, sent_at(&fx, 2)->bytes);

  /* The ACK for the 486 belongs to the transaction: not the TU's. */
  char *ack = sip_canned_request("ACK", "UDP", "To:",
                                 "To: <sip:gw@127.0.0.1>;tag=gw1\r\n");
  g_assert_cmpint(receive_text(layer, ack, &from), ==, SIP_REASON_NONE);
  g_assert_cmpuint(fx.acks, ==, 0);
  g_assert_cmpuint(fx.requests, ==, 1);
  g_assert_cmpuint(fx.sent->len, ==, 4);
  g_free(ack);

  /* An ACK matching no transaction (the ACK to a 2xx) goes to the TU. */
  ack = sip_canned_request("ACK", "UDP", "Via:",
                           "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-9\r\n");
  g_assert_cmpint(receive_text(layer, ack, &from), ==, SIP_REASON_NONE);
  g_assert_cmpuint(fx.acks, ==, 1);
  g_free(ack);
  g_free(invite);
  fixture_clear(&fx);
}

static void record_outcome(SipTxnLayer *layer, SipClientEvent event,
                           const osip_message_t *resp, gpointer data) {
  Fixture *fx = data;
  static const char *const names[] = {"response", "timeout",
                                      "transport-error"};

  if (event == SIP_CLIENT_RESPONSE) {
    g_ptr_array_add(fx->outcomes,
                    g_strdup_printf("response %d", resp->status_code));
  } else if (event == SIP_CLIENT_TRANSPORT_ERROR) {
    g_ptr_array_add(fx->outcomes,
                    g_strdup_printf("%s %s", names[event],
                                    sip_peer_failure_name(
                                        sip_txn_layer_failure(layer))));
  } else {
    g_ptr_array_add(fx->outcomes, g_strdup(names[event]));
  }
}

/* An OPTIONS from the gateway, as a proxy keep-alive sends it. */
static osip_message_t *gateway_options(const char *transport) {
  char *text = sip_canned_request("OPTIONS", transport, NULL, NULL);
  osip_message_t *req = NULL;

  g_assert_cmpint(sip_message_parse((const guint8 *)text, strlen(text), &req),
                  ==, SIP_REASON_NONE);
  g_free(text);
  return req;
}

static char *response_to(Fixture *fx, guint i, guint status) {
  osip_message_t *req = sent_message(fx, i);
  osip_message_t *resp = sip_response_new(req, status, NULL, "proxy");
  gsize len;
  char *bytes = sip_message_to_bytes(resp, &len);

  osip_message_free(resp);
  osip_message_free(req);
  return bytes;
}

static void test_client_transaction(void) {
  Fixture fx;
  SipTxnLayer *layer = fixture_init(&fx, 0, NULL, NULL);
  SipPeer proxy = peer(SIP_TRANSPORT_TCP, "127.0.0.1", 5080, 3);

  g_assert_true(sip_txn_send_request(layer, gateway_options("TCP"), &proxy,
                                     record_outcome, &fx));
  g_assert_cmpuint(fx.sent->len, ==, 1);
  g_assert_cmpuint(sent_at(&fx, 0)->to.connection, ==, 3);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->client_transactions, ==, 1);
  char *trying = response_to(&fx, 0, 100);
  char *ok = response_to(&fx, 0, 200);
  g_assert_cmpint(receive_text(layer, trying, &proxy), ==, SIP_REASON_NONE);
  g_assert_cmpint(receive_text(layer, ok, &proxy), ==, SIP_REASON_NONE);
  g_assert_cmpuint(fx.outcomes->len, ==, 2);
  g_assert_cmpstr(g_ptr_array_index(fx.outcomes, 0), ==, "response 100");
  g_assert_cmpstr(g_ptr_array_index(fx.outcomes, 1), ==, "response 200");
  /* Over TCP timer K is 0 s: the transaction ended with its final
   * response, and a second 200 matches nothing. */
  g_assert_cmpuint(sip_txn_layer_stats(layer)->client_transactions, ==, 0);
  receive_text(layer, ok, &proxy);
  g_assert_cmpuint(fx.outcomes->len, ==, 2);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->stray_responses, ==, 1);
  g_free(trying);
  g_free(ok);

  /* The transport cannot send it: reported, transaction gone. */
  fx.refuse_sends = TRUE;
  g_assert_true(sip_txn_send_request(layer, gateway_options("TCP"), &proxy,
                                     record_outcome, &fx));
  g_assert_cmpuint(fx.outcomes->len, ==, 3);
  g_assert_cmpstr(g_ptr_array_index(fx.outcomes, 2), ==,
                  "transport-error send-failed");
  g_assert_cmpuint(sip_txn_layer_stats(layer)->client_transactions, ==, 0);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->transport_errors, ==, 1);
  fixture_clear(&fx);
}

/* A request from the gateway to |to| over a stream, as the layer gets it
 * from a TU that dials an address (connection 0). */
static osip_message_t *gateway_request(const char *method,
                                       const SipPeer *to) {
  g_autofree char *uri = g_strdup_printf("sip:%s:%u;transport=%s",
                                         to->address, to->port,
                                         sip_transport_name(to->transport));
  SipRequestSpec spec = {
      .method = method,
      .request_uri = uri,
      .from = "<sip:vgw@10.0.2.15>",
      .to = "<sip:proxy@example.com>",
      .transport = to->transport,
      .sent_by_host = "10.0.2.15",
      .sent_by_port = 5060,
  };
  g_autoptr(GError) error = NULL;
  osip_message_t *req = sip_request_new(&spec, &error);

  g_assert_no_error(error);
  return req;
}

static void record_stray(SipTxnLayer *layer, const osip_message_t *resp,
                         const SipPeer *from, gpointer data) {
  Fixture *fx = data;

  g_ptr_array_add(fx->outcomes,
                  g_strdup_printf("stray %d %s from %s:%u", resp->status_code,
                                  resp->cseq->method, from->address,
                                  from->port));
}

/* The client transaction of an INVITE ends at its first 2xx (RFC 3261
 * §17.1.1.2): the UAS's retransmissions of it match nothing and reach the
 * stray-response hook, for a proxy to relay. */
static void test_invite_2xx_again(void) {
  Fixture fx;
  SipTxnLayer *layer = fixture_init(&fx, 0, NULL, NULL);
  SipPeer callee = peer(SIP_TRANSPORT_UDP, "192.0.2.5", 5062, 0);

  sip_txn_layer_set_stray_response(layer, record_stray, &fx);
  g_assert_true(sip_txn_send_request(layer, gateway_request("INVITE", &callee),
                                     &callee, record_outcome, &fx));
  char *ok = response_to(&fx, 0, 200);
  g_assert_cmpint(receive_text(layer, ok, &callee), ==, SIP_REASON_NONE);
  g_assert_cmpint(receive_text(layer, ok, &callee), ==, SIP_REASON_NONE);
  g_assert_cmpuint(fx.outcomes->len, ==, 2);
  g_assert_cmpstr(g_ptr_array_index(fx.outcomes, 0), ==, "response 200");
  g_assert_cmpstr(g_ptr_array_index(fx.outcomes, 1), ==,
                  "stray 200 INVITE from 192.0.2.5:5062");
  g_assert_cmpuint(sip_txn_layer_stats(layer)->stray_responses, ==, 1);
  g_free(ok);
  fixture_clear(&fx);
}

/* A dead proxy ends every transaction waiting on it at once, INVITE and
 * non-INVITE, and no other. */
static void test_peer_failed(void) {
  Fixture fx;
  SipTxnLayer *layer = fixture_init(&fx, 0, NULL, NULL);
  SipPeer dead = peer(SIP_TRANSPORT_TCP, "10.0.2.2", 5080, 0);
  SipPeer alive = peer(SIP_TRANSPORT_TCP, "10.0.2.2", 5081, 0);
  SipPeer dead_udp = peer(SIP_TRANSPORT_UDP, "10.0.2.2", 5080, 0);
  SipPeer failed = dead;

  g_assert_true(sip_txn_send_request(layer, gateway_request("OPTIONS", &dead),
                                     &dead, record_outcome, &fx));
  g_assert_true(sip_txn_send_request(layer, gateway_request("INVITE", &dead),
                                     &dead, record_outcome, &fx));
  g_assert_true(sip_txn_send_request(layer,
                                     gateway_request("OPTIONS", &alive),
                                     &alive, record_outcome, &fx));
  g_assert_true(sip_txn_send_request(layer,
                                     gateway_request("OPTIONS", &dead_udp),
                                     &dead_udp, record_outcome, &fx));
  g_assert_cmpuint(fx.sent->len, ==, 4);
  g_assert_cmpuint(sent_at(&fx, 0)->to.connection, ==, 0);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->client_transactions, ==, 4);

  /* The transport names the connection it opened for them. */
  failed.connection = 9;
  sip_txn_layer_peer_failed(layer, &failed, SIP_PEER_CONNECTION_REFUSED);
  g_assert_cmpuint(fx.outcomes->len, ==, 2);
  g_assert_cmpstr(g_ptr_array_index(fx.outcomes, 0), ==,
                  "transport-error connection-refused");
  g_assert_cmpstr(g_ptr_array_index(fx.outcomes, 1), ==,
                  "transport-error connection-refused");
  g_assert_cmpuint(sip_txn_layer_stats(layer)->client_transactions, ==, 2);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->peer_failures, ==, 2);

  /* Reported once: a second report finds nobody waiting. */
  sip_txn_layer_peer_failed(layer, &dead, SIP_PEER_CLOSED);
  g_assert_cmpuint(fx.outcomes->len, ==, 2);

  /* The other proxy's transaction still completes. */
  char *ok = response_to(&fx, 2, 200);
  g_assert_cmpint(receive_text(layer, ok, &alive), ==, SIP_REASON_NONE);
  g_assert_cmpuint(fx.outcomes->len, ==, 3);
  g_assert_cmpstr(g_ptr_array_index(fx.outcomes, 2), ==, "response 200");
  g_free(ok);
  /* A late answer from the dead one matches nothing. */
  ok = response_to(&fx, 0, 200);
  receive_text(layer, ok, &dead);
  g_assert_cmpuint(fx.outcomes->len, ==, 3);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->stray_responses, ==, 1);
  g_free(ok);
  fixture_clear(&fx);
}

static void test_timers_from_main_loop(void) {
  Fixture fx;
  GMainContext *context = g_main_context_new();
  SipTxnLayer *layer = fixture_init(&fx, 0, context, NULL);
  SipPeer proxy = peer(SIP_TRANSPORT_UDP, "127.0.0.1", 5080, 0);

  /* Over UDP nobody answers: timer E retransmits the request from the
   * layer's GSource, with nothing but the main loop running. */
  g_assert_true(sip_txn_send_request(layer, gateway_options("UDP"), &proxy,
                                     record_outcome, &fx));
  g_assert_cmpuint(fx.sent->len, ==, 1);
  while (fx.sent->len < 3) {
    g_main_context_iteration(context, TRUE);
  }
  g_assert_cmpstr(sent_at(&fx, 1)->bytes, ==, sent_at(&fx, 0)->bytes);
  g_assert_cmpstr(sent_at(&fx, 2)->bytes, ==, sent_at(&fx, 0)->bytes);
  g_assert_cmpuint(fx.outcomes->len, ==, 0);
  fixture_clear(&fx);
  /* The layer's timer went with it. */
  g_assert_false(g_main_context_pending(context));
  g_main_context_unref(context);
}

/* |options| (a canned request with branch z9hG4bK-1) with the branch of
 * request |i| of a stream, so that each is a new transaction. */
static char *nth_request(const char *options, guint i) {
  char branch[32];
  GString *req = g_string_new(options);

  g_snprintf(branch, sizeof(branch), "z9hG4bK-%u", i + 2);
  g_string_replace(req, "z9hG4bK-1", branch, 1);
  return g_string_free(req, FALSE);
}

/* How many times |bytes| were sent. */
static guint sent_count(Fixture *fx, const char *bytes) {
  guint n = 0;

  for (guint i = 0; i < fx->sent->len; i++) {
    n += strcmp(sent_at(fx, i)->bytes, bytes) == 0;
  }
  return n;
}

/* Over a stream, timer J is 0 s (RFC 3261 §17.2.2): a server transaction
 * ends with its final response, not at some later timer pass, so that a
 * busy stream never leaves finished transactions behind for every later
 * message to walk past. */
static void test_stream_transactions_end_at_once(void) {
  Fixture fx;
  GMainContext *context = g_main_context_new();
  SipTxnLayer *layer = fixture_init(&fx, 200, context, NULL);
  SipPeer from = peer(SIP_TRANSPORT_TLS, "127.0.0.1", 40001, 7);
  char *options = sip_canned_request("OPTIONS", "TLS", NULL, NULL);

  for (guint i = 0; i < 200; i++) {
    g_autofree char *req = nth_request(options, i);
    g_assert_cmpint(receive_text(layer, req, &from), ==, SIP_REASON_NONE);
    g_assert_cmpuint(fx.sent->len, ==, i + 1);
    g_assert_cmpuint(sip_txn_layer_stats(layer)->server_transactions, ==, 0);
  }
  /* The same request again is a new transaction, answered again. */
  g_assert_cmpint(receive_text(layer, options, &from), ==, SIP_REASON_NONE);
  g_assert_cmpuint(fx.requests, ==, 201);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->retransmissions, ==, 0);
  g_free(options);
  fixture_clear(&fx);
  g_main_context_unref(context);
}

/* A stream request the TU answers later: held, its retransmission (same
 * branch, same connection) absorbed with the last provisional response
 * sent again, ended by the final response; the same request on another
 * connection is another transaction. */
static void test_stream_request_answered_later(void) {
  Fixture fx;
  SipTxnLayer *layer = fixture_init(&fx, 0, NULL, NULL);
  SipPeer from = peer(SIP_TRANSPORT_TLS, "127.0.0.1", 40001, 7);
  SipPeer other = peer(SIP_TRANSPORT_TLS, "127.0.0.1", 40002, 8);
  char *options = sip_canned_request("OPTIONS", "TLS", NULL, NULL);

  g_assert_cmpint(receive_text(layer, options, &from), ==, SIP_REASON_NONE);
  g_assert_cmpuint(fx.requests, ==, 1);
  SipTxn *held = fx.held;
  g_assert_nonnull(held);
  g_assert_true(MSG_IS_OPTIONS(sip_txn_request(held)));
  g_assert_cmpuint(sip_txn_layer_stats(layer)->server_transactions, ==, 1);

  /* Before any response a retransmission is dropped... */
  receive_text(layer, options, &from);
  g_assert_cmpuint(fx.requests, ==, 1);
  g_assert_cmpuint(fx.sent->len, ==, 0);
  /* ...after a provisional one it gets that again. */
  sip_txn_respond(held, sip_response_new(sip_txn_request(held), 100, NULL,
                                         NULL));
  g_assert_cmpuint(fx.sent->len, ==, 1);
  receive_text(layer, options, &from);
  g_assert_cmpuint(fx.requests, ==, 1);
  g_assert_cmpuint(fx.sent->len, ==, 2);
  g_assert_cmpstr(sent_at(&fx, 1)->bytes, ==, sent_at(&fx, 0)->bytes);
  g_assert_cmpuint(sent_at(&fx, 1)->to.connection, ==, 7);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->retransmissions, ==, 2);

  /* Another connection: another transaction, answered at once. */
  fx.answer = 200;
  receive_text(layer, options, &other);
  g_assert_cmpuint(fx.requests, ==, 2);
  g_assert_cmpuint(fx.sent->len, ==, 3);
  g_assert_cmpuint(sent_at(&fx, 2)->to.connection, ==, 8);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->server_transactions, ==, 1);

  /* The final response ends the held one. */
  sip_txn_respond(held, sip_response_options_ok(sip_txn_request(held),
                                                "gw1"));
  g_assert_cmpuint(fx.sent->len, ==, 4);
  osip_message_t *ok = sent_message(&fx, 3);
  g_assert_cmpint(ok->status_code, ==, 200);
  osip_message_free(ok);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->server_transactions, ==, 0);
  g_free(options);
  fixture_clear(&fx);
}

/* A timer comes due while messages keep arriving and the main loop runs
 * between them (a busy gateway): a request to a silent UDP peer is
 * retransmitted (timer E) though every message re-computes the layer's
 * next deadline. The stream is over TLS, its transactions gone at once. */
static void test_timer_due_under_steady_stream(void) {
  Fixture fx;
  GMainContext *context = g_main_context_new();
  SipTxnLayer *layer = fixture_init(&fx, 200, context, NULL);
  SipPeer silent = peer(SIP_TRANSPORT_UDP, "127.0.0.1", 5080, 0);
  SipPeer from = peer(SIP_TRANSPORT_TLS, "127.0.0.1", 40001, 7);
  char *options = sip_canned_request("OPTIONS", "TLS", NULL, NULL);

  g_assert_true(sip_txn_send_request(layer, gateway_options("UDP"), &silent,
                                     record_outcome, &fx));
  g_autofree char *request = g_strdup(sent_at(&fx, 0)->bytes);
  /* Until it is sent again (the test's timeout fails it otherwise). */
  for (guint i = 0; sent_count(&fx, request) < 2; i++) {
    g_autofree char *req = nth_request(options, i);
    g_assert_cmpint(receive_text(layer, req, &from), ==, SIP_REASON_NONE);
    g_main_context_iteration(context, FALSE);
  }
  g_assert_cmpuint(sip_txn_layer_stats(layer)->client_transactions, ==, 1);
  g_assert_cmpuint(sip_txn_layer_stats(layer)->server_transactions, ==, 0);
  g_assert_cmpuint(fx.outcomes->len, ==, 0);
  g_free(options);
  fixture_clear(&fx);
  g_main_context_unref(context);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sip/txn/options-retransmission",
                  test_options_retransmission);
  g_test_add_func("/sip/txn/refused", test_refused_requests);
  g_test_add_func("/sip/txn/stream-connection",
                  test_stream_response_on_connection);
  g_test_add_func("/sip/txn/invite-server", test_invite_server);
  g_test_add_func("/sip/txn/stateless-send", test_stateless_send);
  g_test_add_func("/sip/txn/client", test_client_transaction);
  g_test_add_func("/sip/txn/invite-2xx-again", test_invite_2xx_again);
  g_test_add_func("/sip/txn/timers", test_timers_from_main_loop);
  g_test_add_func("/sip/txn/peer-failed", test_peer_failed);
  g_test_add_func("/sip/txn/stream-end-at-once",
                  test_stream_transactions_end_at_once);
  g_test_add_func("/sip/txn/stream-answered-later",
                  test_stream_request_answered_later);
  g_test_add_func("/sip/txn/timer-due-under-stream",
                  test_timer_due_under_steady_stream);
  return g_test_run();
}
