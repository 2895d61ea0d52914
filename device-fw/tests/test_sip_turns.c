/* A stream connection's turns (sip_transport.h, VGW_SIP_MESSAGES_PER_TURN):
 * a TCP peer that sends many requests at once has them all answered, but
 * no more than VGW_SIP_MESSAGES_PER_TURN in one main-loop iteration, the
 * rest in the following ones, and the transport counts the turns that
 * left some for later (`deferred`). On 127.0.0.1, no QEMU. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/sockets.h"
#include "sip_message.h"
#include "vgwd/sip_transport.h"

/* Requests sent in one write: more than two turns' worth. */
#define BURST (2 * VGW_SIP_MESSAGES_PER_TURN + 2)
/* Main-loop iterations the test gives the transport before it gives up. */
#define MAX_ITERATIONS 10000

static void answer(SipTxnLayer *layer, SipTxn *txn, const osip_message_t *req,
                   const SipPeer *from, gpointer data) {
  if (txn != NULL) {
    sip_txn_respond(txn, sip_response_options_ok(req, "turns"));
  }
}

static GString *burst(void) {
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < BURST; i++) {
    g_string_append_printf(
        s,
        "OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\n"
        "Via: SIP/2.0/TCP 127.0.0.1:5999;rport;branch=z9hG4bKturn%u\r\n"
        "Max-Forwards: 70\r\nFrom: <sip:t@test>;tag=1\r\nTo: <sip:gw@test>\r\n"
        "Call-ID: turn%u@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
        i, i);
  }
  return s;
}

/* answers_in counts the status lines of 200 answers in |data|. */
static guint answers_in(const GString *data) {
  guint n = 0;
  for (const char *p = data->str; (p = strstr(p, "SIP/2.0 200 ")) != NULL;
       p++) {
    n++;
  }
  return n;
}

static const VgwStatusSipTransport *tcp_status(const VgwStatusSip *st) {
  for (size_t i = 0; i < st->n_transports; i++) {
    if (strcmp(st->transports[i].name, "tcp") == 0) {
      return &st->transports[i];
    }
  }
  g_assert_not_reached();
}

static void test_burst_in_turns(void) {
  VgwSipTransport *t = vgw_sip_transport_new(NULL, answer, NULL);
  g_assert_nonnull(t);

  /* A TCP connection over loopback; the gateway's end goes to the
   * transport, as the SIP listener hands over what it accepted. */
  struct in_addr lo = {htonl(INADDR_LOOPBACK)};
  guint16 port = 0;
  int listener = vgw_inet_bind(SOCK_STREAM, lo, 0, 1, &port, NULL);
  g_assert_cmpint(listener, >=, 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port),
                           .sin_addr = lo};
  int peer = socket(AF_INET, SOCK_STREAM, 0);
  g_assert_cmpint(connect(peer, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
  int served = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
  g_assert_cmpint(served, >=, 0);
  close(listener);
  vgw_sip_transport_accept_tcp(t, 0, served, "127.0.0.1:peer");

  GString *requests = burst();
  g_assert_cmpint(send(peer, requests->str, requests->len, 0), ==,
                  (ssize_t)requests->len);
  g_string_free(requests, TRUE);

  GString *got = g_string_new(NULL);
  guint answered = 0, iterations_answering = 0;
  for (guint i = 0; i < MAX_ITERATIONS && answered < BURST; i++) {
    g_main_context_iteration(NULL, FALSE);
    char buf[16384];
    ssize_t n;
    while ((n = recv(peer, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
      g_string_append_len(got, buf, n);
    }
    guint now = answers_in(got);
    if (now == answered) {
      g_usleep(100);
      continue;
    }
    /* Loopback delivers every answer sent in the iteration before the
     * recv above: what arrived is what one iteration sent. */
    g_assert_cmpuint(now - answered, <=, VGW_SIP_MESSAGES_PER_TURN);
    iterations_answering++;
    answered = now;
  }
  g_assert_cmpuint(answered, ==, BURST);
  g_assert_cmpuint(iterations_answering, >=,
                   (BURST + VGW_SIP_MESSAGES_PER_TURN - 1) /
                       VGW_SIP_MESSAGES_PER_TURN);

  VgwStatusSip st;
  vgw_sip_transport_status(t, &st);
  const VgwStatusSipTransport *tcp = tcp_status(&st);
  g_assert_cmpuint(tcp->received, ==, BURST);
  g_assert_cmpuint(tcp->sent, ==, BURST);
  g_assert_cmpuint(tcp->messages_per_turn, ==, VGW_SIP_MESSAGES_PER_TURN);
  g_assert_cmpuint(tcp->deferred, >=, BURST / VGW_SIP_MESSAGES_PER_TURN);

  /* The connection reads again once its turns are over. */
  const char *one =
      "OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\n"
      "Via: SIP/2.0/TCP 127.0.0.1:5999;rport;branch=z9hG4bKturnafter\r\n"
      "Max-Forwards: 70\r\nFrom: <sip:t@test>;tag=1\r\nTo: <sip:gw@test>\r\n"
      "Call-ID: turnafter@test\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
  g_assert_cmpint(send(peer, one, strlen(one), 0), ==, (ssize_t)strlen(one));
  g_string_truncate(got, 0);
  for (guint i = 0; i < MAX_ITERATIONS && answers_in(got) == 0; i++) {
    g_main_context_iteration(NULL, FALSE);
    char buf[4096];
    ssize_t n = recv(peer, buf, sizeof(buf), MSG_DONTWAIT);
    if (n > 0) {
      g_string_append_len(got, buf, n);
    } else {
      g_usleep(100);
    }
  }
  g_assert_nonnull(strstr(got->str, "turnafter@test"));
  g_string_free(got, TRUE);
  close(peer);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sip-transport/burst-in-turns", test_burst_in_turns);
  return g_test_run();
}
