/* Unit tests for the G.711 SDP answer (sip_sdp). */
#include <string.h>

#include "sip_sdp.h"

/* SIPp's usual offer: PCMU only. */
#define OFFER_PCMU                                                          \
  "v=0\r\n"                                                                 \
  "o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"                        \
  "s=-\r\n"                                                                 \
  "c=IN IP4 127.0.0.1\r\n"                                                  \
  "t=0 0\r\n"                                                               \
  "m=audio 6000 RTP/AVP 0\r\n"                                              \
  "a=rtpmap:0 PCMU/8000\r\n"

/* An offer's session part, before its m= lines. */
#define SESSION                                                             \
  "v=0\r\n"                                                                 \
  "o=- 1 1 IN IP4 192.0.2.1\r\n"                                            \
  "s=-\r\n"                                                                 \
  "c=IN IP4 192.0.2.1\r\n"                                                  \
  "t=0 0\r\n"

static SipSdpError negotiate(const char *offer, SipSdpNegotiation *neg) {
  return sip_sdp_negotiate(offer, strlen(offer), neg);
}

static void test_pcmu(void) {
  SipSdpNegotiation neg;

  g_assert_cmpint(negotiate(OFFER_PCMU, &neg), ==, SIP_SDP_OK);
  g_assert_cmpstr(neg.address, ==, "127.0.0.1");
  g_assert_cmpuint(neg.port, ==, 6000);
  g_assert_cmpuint(neg.n_g711, ==, 1);
  g_assert_cmpuint(neg.g711[0], ==, SIP_SDP_PT_PCMU);
  g_assert_cmpint(neg.telephone_event, ==, -1);

  char *answer = sip_sdp_answer(&neg, "10.0.2.15", 40000, 42);
  g_assert_cmpstr(answer, ==,
                  "v=0\r\n"
                  "o=vgw 42 42 IN IP4 10.0.2.15\r\n"
                  "s=vgw\r\n"
                  "c=IN IP4 10.0.2.15\r\n"
                  "t=0 0\r\n"
                  "m=audio 40000 RTP/AVP 0\r\n"
                  "a=rtpmap:0 PCMU/8000\r\n"
                  "a=sendrecv\r\n");
  g_free(answer);
}

/* The offerer's order is kept, other codecs are dropped, telephone-event
 * keeps its dynamic number, the media c= wins over the session's and the
 * direction is reversed. */
static void test_intersection(void) {
  SipSdpNegotiation neg;
  const char *offer = SESSION
                      "m=audio 7000 RTP/AVP 18 8 101 0\r\n"
                      "c=IN IP4 192.0.2.7\r\n"
                      "a=rtpmap:18 G729/8000\r\n"
                      "a=rtpmap:101 telephone-event/8000\r\n"
                      "a=fmtp:101 0-16\r\n"
                      "a=sendonly\r\n";

  g_assert_cmpint(negotiate(offer, &neg), ==, SIP_SDP_OK);
  g_assert_cmpstr(neg.address, ==, "192.0.2.7");
  char *answer = sip_sdp_answer(&neg, "10.0.2.15", 40002, 7);
  g_assert_nonnull(strstr(answer, "m=audio 40002 RTP/AVP 8 0 101\r\n"
                                  "a=rtpmap:8 PCMA/8000\r\n"
                                  "a=rtpmap:0 PCMU/8000\r\n"
                                  "a=rtpmap:101 telephone-event/8000\r\n"
                                  "a=fmtp:101 0-15\r\n"
                                  "a=recvonly\r\n"));
  g_assert_null(strstr(answer, "G729"));
  g_free(answer);
}

/* RFC 3264 §6: one m= line per offered stream, in order; the ones not
 * taken get port 0. Only the first usable audio stream is taken. */
static void test_streams_refused(void) {
  SipSdpNegotiation neg;
  const char *offer = SESSION
                      "m=video 5000 RTP/AVP 96\r\n"
                      "a=rtpmap:96 H264/90000\r\n"
                      "m=audio 5002 RTP/AVP 9\r\n"
                      "m=audio 5004 RTP/AVP 0\r\n"
                      "m=audio 5006 RTP/AVP 8\r\n";

  g_assert_cmpint(negotiate(offer, &neg), ==, SIP_SDP_OK);
  g_assert_cmpuint(neg.accepted, ==, 2);
  g_assert_cmpuint(neg.port, ==, 5004);
  char *answer = sip_sdp_answer(&neg, "10.0.2.15", 40000, 1);
  g_assert_nonnull(strstr(answer, "t=0 0\r\n"
                                  "m=video 0 RTP/AVP 96\r\n"
                                  "m=audio 0 RTP/AVP 9\r\n"
                                  "m=audio 40000 RTP/AVP 0\r\n"
                                  "a=rtpmap:0 PCMU/8000\r\n"
                                  "a=sendrecv\r\n"
                                  "m=audio 0 RTP/AVP 8\r\n"));
  g_free(answer);
}

static void test_refusals(void) {
  SipSdpNegotiation neg;

  g_assert_cmpint(sip_sdp_negotiate(NULL, 0, &neg), ==, SIP_SDP_UNPARSEABLE);
  g_assert_cmpint(negotiate("hello", &neg), ==, SIP_SDP_UNPARSEABLE);
  g_assert_cmpint(negotiate(SESSION "m=video 5000 RTP/AVP 96\r\n", &neg),
                  ==, SIP_SDP_NO_AUDIO);
  g_assert_cmpint(negotiate(SESSION "m=audio 5000 RTP/AVP 9 18\r\n", &neg),
                  ==, SIP_SDP_NO_COMMON_CODEC);
  /* A refused (port 0) audio stream is not audio to answer. */
  g_assert_cmpint(negotiate(SESSION "m=audio 0 RTP/AVP 0\r\n", &neg),
                  ==, SIP_SDP_NO_AUDIO);
  g_assert_cmpint(negotiate("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"
                            "t=0 0\r\nm=audio 5000 RTP/AVP 0\r\n",
                            &neg),
                  ==, SIP_SDP_NO_ADDRESS);
  /* The body ends at |len|: here before the m= line. */
  g_assert_cmpint(sip_sdp_negotiate(OFFER_PCMU, strlen(OFFER_PCMU) - 46,
                                    &neg),
                  ==, SIP_SDP_NO_AUDIO);
}

static void test_too_many_streams(void) {
  GString *offer = g_string_new(SESSION);
  SipSdpNegotiation neg;

  for (guint i = 0; i <= SIP_SDP_MAX_STREAMS; i++) {
    g_string_append_printf(offer, "m=audio %u RTP/AVP 0\r\n", 5000 + 2 * i);
  }
  g_assert_cmpint(negotiate(offer->str, &neg), ==, SIP_SDP_UNPARSEABLE);
  g_string_free(offer, TRUE);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sip/sdp/pcmu", test_pcmu);
  g_test_add_func("/sip/sdp/intersection", test_intersection);
  g_test_add_func("/sip/sdp/streams-refused", test_streams_refused);
  g_test_add_func("/sip/sdp/refusals", test_refusals);
  g_test_add_func("/sip/sdp/too-many-streams", test_too_many_streams);
  return g_test_run();
}
