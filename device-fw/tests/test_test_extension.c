/* Unit tests for the test extension (vgwd/test_extension.h) on a real
 * SipTxnLayer: requests in as bytes, responses out through the layer's
 * send callback, RTP through its real socket on 127.0.0.1. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "param/param_config.h"
#include "param/param_registry.h"
#include "sip_message.h"
#include "tests/vgwd_test_util.h"
#include "vgwd/test_extension.h"

typedef struct {
  GPtrArray *sent;      /* first: vgwd_test_keep_sent() appends to it */
  SipTxnLayer *layer;
  VgwTestExtension *x;
  VgwConfigState *config;
  guint not_taken;      /* requests the extension left alone */
} Fixture;

static void on_request(SipTxnLayer *layer, SipTxn *txn,
                       const osip_message_t *req, const SipPeer *from,
                       gpointer data) {
  Fixture *f = data;

  if (!vgw_test_extension_take(f->x, layer, txn, req, from)) {
    f->not_taken++;
  }
}

static const char *loopback(gpointer data) {
  return "127.0.0.1/8";
}

static void fixture_set_up(Fixture *f, gconstpointer unused) {
  SipTxnCallbacks cb = {.send = vgwd_test_keep_sent, .request = on_request};

  f->config = vgwd_test_config_new();
  f->x = vgw_test_extension_new(f->config, loopback, NULL);
  /* No 200 retransmission within a test that does not ask for one. */
  vgw_test_extension_set_timers(f->x, 600000, 600000);
  f->layer = sip_txn_layer_new(NULL, NULL, &cb, f);
  f->sent = vgwd_test_sent_new();
}

static void fixture_tear_down(Fixture *f, gconstpointer unused) {
  sip_txn_layer_free(f->layer);
  g_ptr_array_unref(f->sent);
  vgw_config_state_free(f->config);
}

static const SipPeer peer = {.transport = SIP_TRANSPORT_UDP,
                             .address = "127.0.0.1",
                             .port = 5999};

/* Sends a request from |peer|; |to_tag| NULL for none. */
static void request(Fixture *f, const char *method, const char *user,
                    const char *call_id, const char *cseq,
                    const char *branch, const char *to_tag,
                    const char *body) {
  char *text = g_strdup_printf(
      "%s sip:%s@127.0.0.1 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK%s;rport\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:tester@127.0.0.1>;tag=caller\r\n"
      "To: <sip:%s@127.0.0.1>%s%s\r\n"
      "Call-ID: %s\r\n"
      "CSeq: %s %s\r\n"
      "%s"
      "Content-Length: %zu\r\n\r\n%s",
      method, user, branch, user, to_tag ? ";tag=" : "", to_tag ? to_tag : "",
      call_id, cseq, method,
      body[0] ? "Content-Type: application/sdp\r\n" : "", strlen(body), body);

  g_assert_cmpint(sip_txn_layer_receive(f->layer, (const guint8 *)text,
                                        strlen(text), &peer),
                  ==, SIP_REASON_NONE);
  g_free(text);
}

static const char offer[] = "v=0\r\n"
                            "o=- 1 1 IN IP4 127.0.0.1\r\n"
                            "s=-\r\n"
                            "c=IN IP4 127.0.0.1\r\n"
                            "t=0 0\r\n"
                            "m=audio 6000 RTP/AVP 0\r\n";

static osip_message_t *sent(Fixture *f, guint i) {
  g_assert_cmpuint(f->sent->len, >, i);
  return g_ptr_array_index(f->sent, i);
}

static char *to_tag(const osip_message_t *msg) {
  osip_generic_param_t *tag = NULL;

  osip_to_get_tag(msg->to, &tag);
  g_assert_nonnull(tag);
  return g_strdup(tag->gvalue);
}

static VgwStatusTestExtension status(Fixture *f) {
  VgwStatusTestExtension st = {0};

  vgw_test_extension_status(f->x, &st);
  return st;
}

/* INVITE, 100 and 200 with the answer, an RTP packet echoed unchanged,
 * ACK, BYE 200: the call is over and counted. */
static void test_call(Fixture *f, gconstpointer unused) {
  request(f, "INVITE", "1000", "c1", "1", "i1", NULL, offer);
  g_assert_cmpuint(f->sent->len, ==, 2);
  g_assert_cmpint(sent(f, 0)->status_code, ==, 100);
  osip_message_t *ok = sent(f, 1);
  g_assert_cmpint(ok->status_code, ==, 200);
  osip_body_t *body = NULL;
  osip_message_get_body(ok, 0, &body);
  g_assert_nonnull(body);
  g_assert_nonnull(strstr(body->body, "c=IN IP4 127.0.0.1\r\n"));
  g_assert_nonnull(strstr(body->body, "m=audio 40000 RTP/AVP 0\r\n"));
  osip_contact_t *contact = NULL;
  osip_message_get_contact(ok, 0, &contact);
  g_assert_nonnull(contact);
  g_autofree char *tag = to_tag(ok);
  g_assert_cmpuint(status(f).calls, ==, 1);
  g_assert_cmpuint(status(f).active, ==, 1);

  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in rtp = {.sin_family = AF_INET,
                            .sin_port = htons(VGW_TEST_RTP_PORT_BASE)};
  rtp.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const guint8 packet[] = {0x80, 0x00, 0x00, 0x01, 0, 0, 0, 160,
                           0x12, 0x34, 0x56, 0x78, 0xff, 0xfe};
  g_assert_cmpint(sendto(s, packet, sizeof(packet), 0,
                         (struct sockaddr *)&rtp, sizeof(rtp)),
                  ==, sizeof(packet));
  /* Not RTP (version 0): dropped, not echoed. */
  const guint8 junk[16] = {0};
  sendto(s, junk, sizeof(junk), 0, (struct sockaddr *)&rtp, sizeof(rtp));
  while (status(f).echoed_packets == 0) {
    g_main_context_iteration(NULL, TRUE);
  }
  guint8 back[64];
  g_assert_cmpint(recv(s, back, sizeof(back), 0), ==, sizeof(packet));
  g_assert_cmpmem(back, sizeof(packet), packet, sizeof(packet));
  close(s);

  request(f, "ACK", "1000", "c1", "1", "a1", tag, "");
  g_assert_cmpuint(f->sent->len, ==, 2);
  request(f, "BYE", "1000", "c1", "2", "b1", tag, "");
  g_assert_cmpuint(f->sent->len, ==, 3);
  g_assert_cmpint(sent(f, 2)->status_code, ==, 200);
  g_assert_cmpuint(status(f).active, ==, 0);
  g_assert_cmpuint(status(f).echoed_packets, ==, 1);
  g_assert_cmpuint(f->not_taken, ==, 0);
}

/* With TestCallAnswerDelay the call rings; CANCEL then gives 200 to the
 * CANCEL and 487 to the INVITE. */
static void test_cancel(Fixture *f, gconstpointer unused) {
  g_autoptr(GError) error = NULL;
  VgwParamConfig *next =
      vgw_param_config_copy(vgw_config_state_staged(f->config));
  const char *name = "TestCallAnswerDelay";
  g_autofree char *reason = NULL;
  g_assert_true(vgw_param_config_set_text(
      next, (gsize)vgw_param_find_global(name, strlen(name)), "30", 2,
      &reason));
  g_assert_true(vgw_config_state_stage(f->config, next, NULL, &error));
  request(f, "INVITE", "1000", "c2", "1", "i2", NULL, offer);
  g_assert_cmpuint(f->sent->len, ==, 2);
  g_assert_cmpint(sent(f, 1)->status_code, ==, 180);
  request(f, "CANCEL", "1000", "c2", "1", "i2", NULL, "");
  g_assert_cmpuint(f->sent->len, ==, 4);
  g_assert_cmpint(sent(f, 2)->status_code, ==, 200);
  g_assert_cmpstr(sent(f, 2)->cseq->method, ==, "CANCEL");
  g_assert_cmpint(sent(f, 3)->status_code, ==, 487);
  g_assert_cmpstr(sent(f, 3)->cseq->method, ==, "INVITE");
  g_assert_cmpuint(status(f).calls, ==, 0);
}

/* An INVITE from |peer| with a Contact and a Record-Route set. */
static void invite_routed(Fixture *f, const char *call_id, const char *branch) {
  char *text = g_strdup_printf(
      "INVITE sip:1000@127.0.0.1:15060 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK%s;rport\r\n"
      "Max-Forwards: 70\r\n"
      "Record-Route: <sip:p1.test;lr>, <sip:p2.test:5070;lr>\r\n"
      "From: <sip:tester@127.0.0.1>;tag=caller\r\n"
      "To: <sip:1000@127.0.0.1>\r\n"
      "Contact: <sip:tester@192.0.2.7:5999;transport=udp>\r\n"
      "Call-ID: %s\r\n"
      "CSeq: 7 INVITE\r\n"
      "Content-Type: application/sdp\r\n"
      "Content-Length: %zu\r\n\r\n%s",
      branch, call_id, strlen(offer), offer);

  g_assert_cmpint(sip_txn_layer_receive(f->layer, (const guint8 *)text,
                                        strlen(text), &peer),
                  ==, SIP_REASON_NONE);
  g_free(text);
}

static gboolean quit_loop(gpointer loop) {
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop for |ms|. */
static void run_for(guint ms) {
  GMainLoop *loop = g_main_loop_new(NULL, FALSE);

  g_timeout_add(ms, quit_loop, loop);
  g_main_loop_run(loop);
  g_main_loop_unref(loop);
}

/* Turns the main loop until |done|, for at most 10 s (the schedules
 * below take under 1 s), so a missing message fails the test instead of
 * hanging it. Returns |done|(). */
static gboolean turn_until(Fixture *f, gboolean (*done)(Fixture *f)) {
  gint64 give_up = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

  while (!done(f) && g_get_monotonic_time() < give_up) {
    g_main_context_iteration(NULL, FALSE);
    g_usleep(1000);
  }
  return done(f);
}

static gboolean two_resent(Fixture *f) {
  return f->sent->len >= 4;
}

static gboolean bye_sent(Fixture *f) {
  return f->sent->len >= 3 && MSG_IS_BYE(sent(f, f->sent->len - 1));
}

/* The 200 goes again, T1 after it was sent then doubling to T2, until the
 * ACK (RFC 3261 §13.3.1.4); the INVITE again gets it again; after the ACK,
 * nothing more. */
static void test_ok_until_ack(Fixture *f, gconstpointer unused) {
  vgw_test_extension_set_timers(f->x, 10, 40);
  invite_routed(f, "r1", "i7");
  g_assert_cmpuint(f->sent->len, ==, 2);
  g_assert_cmpint(sent(f, 1)->status_code, ==, 200);
  g_autofree char *tag = to_tag(sent(f, 1));
  g_assert_true(turn_until(f, two_resent));
  for (guint i = 2; i < 4; i++) {
    g_assert_cmpint(sent(f, i)->status_code, ==, 200);
    g_autofree char *again = to_tag(sent(f, i));
    g_assert_cmpstr(again, ==, tag);
    g_assert_cmpstr(sent(f, i)->cseq->method, ==, "INVITE");
  }
  guint before = f->sent->len;
  invite_routed(f, "r1", "i7");
  g_assert_cmpuint(f->sent->len, ==, before + 1);
  g_assert_cmpint(sent(f, before)->status_code, ==, 200);
  g_autofree char *answered_again = to_tag(sent(f, before));
  g_assert_cmpstr(answered_again, ==, tag);

  request(f, "ACK", "1000", "r1", "7", "a7", tag, "");
  guint acked = f->sent->len;
  run_for(64 * 10 + 200);
  g_assert_cmpuint(f->sent->len, ==, acked);
  g_assert_cmpuint(status(f).active, ==, 1);
  request(f, "BYE", "1000", "r1", "8", "b7", tag, "");
  g_assert_cmpuint(status(f).active, ==, 0);
  g_assert_cmpuint(f->not_taken, ==, 0);
}

/* No ACK: the 200 goes at T1, 2*T1, 4*T1, then every T2 (10, 20, 40, 40
 * ... ms here) and at 64*T1 the call ends with a BYE to the caller's
 * Contact, through its Record-Route set, in its dialog. */
static void test_no_ack_bye(Fixture *f, gconstpointer unused) {
  vgw_test_extension_set_timers(f->x, 10, 40);
  invite_routed(f, "r2", "i8");
  g_autofree char *tag = to_tag(sent(f, 1));
  g_assert_true(turn_until(f, bye_sent));
  /* Resent at 10, 30, 70, 110, ..., 630 ms: 17 times; 670 >= 640: BYE. */
  guint oks = 0;
  for (guint i = 2; i + 1 < f->sent->len; i++) {
    oks += sent(f, i)->status_code == 200;
  }
  g_assert_cmpuint(oks, ==, f->sent->len - 3);
  g_assert_cmpuint(oks, ==, 17);

  osip_message_t *bye = sent(f, f->sent->len - 1);
  char *uri = NULL;
  osip_uri_to_str(bye->req_uri, &uri);
  g_assert_cmpstr(uri, ==, "sip:tester@192.0.2.7:5999;transport=udp");
  osip_free(uri);
  osip_route_t *route = NULL;
  g_assert_cmpint(osip_message_get_route(bye, 0, &route), >=, 0);
  g_assert_cmpstr(route->url->host, ==, "p1.test");
  g_assert_cmpint(osip_message_get_route(bye, 1, &route), >=, 0);
  g_assert_cmpstr(route->url->host, ==, "p2.test");
  g_assert_cmpint(osip_message_get_route(bye, 2, &route), <, 0);
  osip_generic_param_t *from_tag = NULL, *to_tag_param = NULL;
  osip_from_get_tag(bye->from, &from_tag);
  osip_to_get_tag(bye->to, &to_tag_param);
  g_assert_cmpstr(from_tag->gvalue, ==, tag);
  g_assert_cmpstr(to_tag_param->gvalue, ==, "caller");
  g_assert_cmpstr(bye->call_id->number, ==, "r2");
  g_assert_cmpstr(bye->cseq->method, ==, "BYE");
  g_assert_cmpuint(status(f).active, ==, 0);
}

/* Other numbers, dialogs it does not know and offers it cannot answer. */
static void test_refusals(Fixture *f, gconstpointer unused) {
  request(f, "INVITE", "2000", "c3", "1", "i3", NULL, offer);
  request(f, "BYE", "1000", "c4", "2", "b4", "nosuch", "");
  g_assert_cmpuint(f->not_taken, ==, 2);
  g_assert_cmpuint(f->sent->len, ==, 0);

  request(f, "INVITE", "1000", "c5", "1", "i5", NULL, "");
  g_assert_cmpint(sent(f, 0)->status_code, ==, 488);
  request(f, "INVITE", "1000", "c6", "1", "i6", NULL,
          "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
          "t=0 0\r\nm=audio 6000 RTP/AVP 18\r\n");
  g_assert_cmpint(sent(f, 1)->status_code, ==, 488);
  g_assert_cmpuint(status(f).calls, ==, 0);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
#define ADD(path, fn)                                                       \
  g_test_add(path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD("/test-extension/call", test_call);
  ADD("/test-extension/cancel", test_cancel);
  ADD("/test-extension/refusals", test_refusals);
  ADD("/test-extension/ok-until-ack", test_ok_until_ack);
  ADD("/test-extension/no-ack-bye", test_no_ack_bye);
  return g_test_run();
}
