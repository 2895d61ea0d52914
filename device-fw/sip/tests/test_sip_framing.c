/* Unit tests for SIP stream framing and datagram intake (sip_framing). */
#include <string.h>

#include "sip_canned.h"
#include "sip_framing.h"

static const char body_msg[] =
    "MESSAGE sip:gw@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/TCP 10.0.0.1:5070;branch=z9hG4bK-2\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@10.0.0.1>;tag=a1\r\n"
    "To: <sip:gw@127.0.0.1>\r\n"
    "Call-ID: call-2@10.0.0.1\r\n"
    "CSeq: 2 MESSAGE\r\n"
    "Content-Type: text/plain\r\n"
    "l: 5\r\n"
    "\r\n"
    "hello";

/* What a framer handed out, one line per item: "ping", "pong",
 * "message <len>", "error <reason>". */
/* FALSE once the framer failed (the caller would close the stream). */
static gboolean drain(SipFramer *f, GString *log, GPtrArray *messages) {
  SipFrame frame;
  SipFrameKind kind;

  while ((kind = sip_framer_next(f, &frame)) != SIP_FRAME_NEED_MORE) {
    switch (kind) {
    case SIP_FRAME_PING:
      g_string_append(log, "ping\n");
      break;
    case SIP_FRAME_PONG:
      g_string_append(log, "pong\n");
      break;
    case SIP_FRAME_MESSAGE:
      g_string_append_printf(log, "message %zu\n", frame.len);
      if (messages != NULL) {
        g_ptr_array_add(messages, g_strndup((const char *)frame.data,
                                            frame.len));
      }
      break;
    case SIP_FRAME_ERROR:
      g_string_append_printf(log, "error %s\n", sip_reason_name(frame.reason));
      return FALSE;
    case SIP_FRAME_NEED_MORE:
      break;
    }
  }
  return TRUE;
}

/* body_msg with Content-Length |declared| and a body of |actual| bytes. */
static char *body_with_length(gsize declared, gsize actual) {
  gsize header_len = strlen(body_msg) - strlen("l: 5\r\n\r\nhello");
  char *body = g_strnfill(actual, 'x');
  char *msg = g_strdup_printf("%.*sl: %zu\r\n\r\n%s", (int)header_len,
                              body_msg, declared, body);
  g_free(body);
  return msg;
}

static SipLimits default_limits(void) {
  SipLimits l;
  sip_limits_init_default(&l);
  return l;
}

/* Feeds |stream| to a fresh framer in |chunk|-byte pieces (0: all at
 * once) and returns the log. */
static char *frame_stream(const char *stream, gsize len, gsize chunk,
                          const SipLimits *limits, SipFramerRole role,
                          GPtrArray *messages) {
  SipFramer *f = sip_framer_new(limits, role);
  GString *log = g_string_new(NULL);

  if (chunk == 0) {
    chunk = len;
  }
  for (gsize off = 0; off < len; off += chunk) {
    sip_framer_push(f, (const guint8 *)stream + off, MIN(chunk, len - off));
    if (!drain(f, log, messages)) {
      break;
    }
  }
  sip_framer_free(f);
  return g_string_free(log, FALSE);
}

/* ping, OPTIONS, a stray CRLF, MESSAGE with a body, ping. */
static char *sample_stream(gsize *len, char **options) {
  *options = sip_canned_request("OPTIONS", "TCP", NULL, NULL);
  char *s = g_strconcat("\r\n\r\n", *options, "\r\n", body_msg, "\r\n\r\n",
                        NULL);
  *len = strlen(s);
  return s;
}

static char *expected_sample_log(const char *options) {
  return g_strdup_printf("ping\nmessage %zu\nmessage %zu\nping\n",
                         strlen(options), strlen(body_msg));
}

static void test_stream_every_split(void) {
  SipLimits limits = default_limits();
  char *options;
  gsize len;
  char *stream = sample_stream(&len, &options);
  char *want = expected_sample_log(options);

  for (gsize split = 0; split <= len; split++) {
    SipFramer *f = sip_framer_new(&limits, SIP_FRAMER_ACCEPTED);
    GString *log = g_string_new(NULL);
    GPtrArray *messages = g_ptr_array_new_with_free_func(g_free);

    sip_framer_push(f, (const guint8 *)stream, split);
    drain(f, log, messages);
    sip_framer_push(f, (const guint8 *)stream + split, len - split);
    drain(f, log, messages);
    g_assert_cmpstr(log->str, ==, want);
    g_assert_cmpuint(messages->len, ==, 2);
    g_assert_cmpstr(g_ptr_array_index(messages, 0), ==, options);
    g_assert_cmpstr(g_ptr_array_index(messages, 1), ==, body_msg);
    g_assert_cmpuint(sip_framer_buffered(f), ==, 0);
    g_ptr_array_unref(messages);
    g_string_free(log, TRUE);
    sip_framer_free(f);
  }
  g_free(want);
  g_free(stream);
  g_free(options);
}

static void test_stream_byte_at_a_time(void) {
  SipLimits limits = default_limits();
  char *options;
  gsize len;
  char *stream = sample_stream(&len, &options);
  char *want = expected_sample_log(options);

  for (gsize chunk = 1; chunk <= 7; chunk++) {
    char *log = frame_stream(stream, len, chunk, &limits, SIP_FRAMER_ACCEPTED,
                             NULL);
    g_assert_cmpstr(log, ==, want);
    g_free(log);
  }
  g_free(want);
  g_free(stream);
  g_free(options);
}

static void test_stream_pipelined(void) {
  SipLimits limits = default_limits();
  char *options = sip_canned_request("OPTIONS", "TCP", NULL, NULL);
  GString *stream = g_string_new(NULL);
  GPtrArray *messages = g_ptr_array_new_with_free_func(g_free);

  /* Well past the point where the framer moves unread bytes down. */
  for (int i = 0; i < 200; i++) {
    g_string_append(stream, options);
  }
  for (gsize chunk = 1000; chunk <= stream->len; chunk *= 7) {
    g_ptr_array_set_size(messages, 0);
    char *log = frame_stream(stream->str, stream->len, chunk, &limits,
                             SIP_FRAMER_ACCEPTED, messages);
    g_assert_cmpuint(messages->len, ==, 200);
    for (guint i = 0; i < messages->len; i++) {
      g_assert_cmpstr(g_ptr_array_index(messages, i), ==, options);
    }
    g_free(log);
  }
  g_ptr_array_unref(messages);
  g_string_free(stream, TRUE);
  g_free(options);
}

static void test_keepalive_roles(void) {
  SipLimits limits = default_limits();
  char *log;

  /* A lone CRLF is no ping on an accepted connection: nothing until the
   * next message, which it does not disturb. */
  log = frame_stream("\r\n", 2, 0, &limits, SIP_FRAMER_ACCEPTED, NULL);
  g_assert_cmpstr(log, ==, "");
  g_free(log);
  log = frame_stream("\r\n\r\n\r\n\r\n", 8, 1, &limits, SIP_FRAMER_ACCEPTED,
                     NULL);
  g_assert_cmpstr(log, ==, "ping\nping\n");
  g_free(log);
  /* On a connection we opened, each CRLF is a pong. */
  log = frame_stream("\r\n\r\n", 4, 0, &limits, SIP_FRAMER_OPENED, NULL);
  g_assert_cmpstr(log, ==, "pong\npong\n");
  g_free(log);
  char *want_body = g_strdup_printf("message %zu\n", strlen(body_msg));
  log = frame_stream(body_msg, strlen(body_msg), 3, &limits, SIP_FRAMER_OPENED,
                     NULL);
  g_assert_cmpstr(log, ==, want_body);
  g_free(log);
  g_free(want_body);
}

/* The first framing verdict on |msg| as a stream and as a datagram. */
static void expect_refused(const char *msg, gsize len, const SipLimits *limits,
                           SipReason stream_reason, SipReason dgram_reason) {
  char *want = g_strdup_printf("error %s\n", sip_reason_name(stream_reason));
  char *log = frame_stream(msg, len, 0, limits, SIP_FRAMER_ACCEPTED, NULL);
  SipFrame frame;

  g_assert_cmpstr(log, ==, want);
  g_free(log);
  /* The same verdict however the bytes arrive. */
  log = frame_stream(msg, len, 1, limits, SIP_FRAMER_ACCEPTED, NULL);
  g_assert_cmpstr(log, ==, want);
  g_free(log);
  g_free(want);
  g_assert_cmpint(sip_datagram_frame((const guint8 *)msg, len, limits, &frame),
                  ==, SIP_DATAGRAM_REFUSED);
  g_assert_cmpstr(sip_reason_name(frame.reason), ==,
                  sip_reason_name(dgram_reason));
}

static void expect_refused_both(const char *msg, const SipLimits *limits,
                                SipReason reason) {
  expect_refused(msg, strlen(msg), limits, reason, reason);
}

static void test_limit_message_size(void) {
  SipLimits limits = default_limits();
  char *big = sip_canned_options("Content-Length:", NULL);
  /* The header says 70000: refused as soon as the header section ends,
   * before any body arrives. */
  char *msg = g_strdup_printf("%.*sContent-Length: 70000\r\n\r\n",
                              (int)(strlen(big) - strlen("Content-Length: 0\r\n\r\n")),
                              big);
  SipFramer *f = sip_framer_new(&limits, SIP_FRAMER_ACCEPTED);
  SipFrame frame;

  sip_framer_push(f, (const guint8 *)msg, strlen(msg));
  g_assert_cmpint(sip_framer_next(f, &frame), ==, SIP_FRAME_ERROR);
  g_assert_cmpint(frame.reason, ==, SIP_REASON_MESSAGE_TOO_LARGE);
  g_assert_cmpuint(sip_reason_status(frame.reason), ==, 413);
  /* The error is final. */
  sip_framer_push(f, (const guint8 *)body_msg, strlen(body_msg));
  g_assert_cmpint(sip_framer_next(f, &frame), ==, SIP_FRAME_ERROR);
  g_assert_cmpint(frame.reason, ==, SIP_REASON_MESSAGE_TOO_LARGE);
  g_assert_cmpuint(sip_framer_buffered(f), ==, 0);
  sip_framer_free(f);
  g_free(msg);
  g_free(big);

  /* A header section alone beyond max_message. */
  limits.max_message = 200;
  msg = sip_canned_options(NULL, "Subject: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n"
                                 "Subject: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
  expect_refused_both(msg, &limits, SIP_REASON_MESSAGE_TOO_LARGE);
  g_free(msg);

  /* A datagram whose header section passed but whose body is too large
   * still shows its header section, so a 413 can be built. */
  limits = default_limits();
  limits.max_message = 250;
  msg = body_with_length(100, 100);
  g_assert_cmpint(sip_datagram_frame((const guint8 *)msg, strlen(msg), &limits,
                                     &frame), ==, SIP_DATAGRAM_REFUSED);
  g_assert_cmpint(frame.reason, ==, SIP_REASON_MESSAGE_TOO_LARGE);
  g_assert_cmpuint(frame.header_len, ==, strstr(msg, "\r\n\r\n") + 4 - msg);
  g_free(msg);
}

static void test_limit_headers(void) {
  SipLimits limits = default_limits();
  char *msg;

  limits.max_headers = 7; /* the canned request has 7 */
  msg = sip_canned_options(NULL, NULL);
  char *log = frame_stream(msg, strlen(msg), 0, &limits, SIP_FRAMER_ACCEPTED,
                           NULL);
  g_assert_true(g_str_has_prefix(log, "message "));
  g_free(log);
  g_free(msg);
  msg = sip_canned_options(NULL, "Subject: one too many\r\n");
  expect_refused_both(msg, &limits, SIP_REASON_TOO_MANY_HEADERS);
  g_free(msg);
  /* Folded lines are part of their field, not fields of their own. */
  msg = sip_canned_options("Max-Forwards:", "Max-Forwards:\r\n 70\r\n");
  log = frame_stream(msg, strlen(msg), 0, &limits, SIP_FRAMER_ACCEPTED, NULL);
  g_assert_true(g_str_has_prefix(log, "message "));
  g_free(log);
  g_free(msg);
}

static void test_limit_header_line(void) {
  SipLimits limits = default_limits();
  char *msg;
  char *log;

  limits.max_header_line = 64;
  /* 9 + 56 = 65 bytes */
  msg = sip_canned_options(NULL, "Subject: 1234567890123456789012345678"
                                 "9012345678901234567890123456\r\n");
  expect_refused_both(msg, &limits, SIP_REASON_HEADER_TOO_LONG);
  g_free(msg);
  /* Folding does not get around the limit: it is on the whole field. */
  msg = sip_canned_options(NULL, "Subject: 1234567890123456789012345\r\n"
                                 " 1234567890123456789012345\r\n"
                                 "\t1234567890123456789012345\r\n");
  expect_refused_both(msg, &limits, SIP_REASON_HEADER_TOO_LONG);
  g_free(msg);
  /* A line that never ends is refused when it passes the limit, not when
   * (if ever) its CRLF comes. */
  msg = g_strnfill(65, 'A');
  log = frame_stream(msg, 65, 0, &limits, SIP_FRAMER_ACCEPTED, NULL);
  g_assert_cmpstr(log, ==, "error header-too-long\n");
  g_free(log);
  g_free(msg);
  msg = g_strnfill(64, 'A');
  log = frame_stream(msg, 64, 0, &limits, SIP_FRAMER_ACCEPTED, NULL);
  g_assert_cmpstr(log, ==, "");
  g_free(log);
  g_free(msg);
}

static void test_folding(void) {
  SipLimits limits = default_limits();
  char *msg = sip_canned_options("Via:", "Via: SIP/2.0/UDP 10.0.0.1:5070\r\n"
                                         " ;branch=z9hG4bK-1\r\n");
  char *log = frame_stream(msg, strlen(msg), 0, &limits, SIP_FRAMER_ACCEPTED,
                           NULL);
  SipFrame frame;

  g_assert_true(g_str_has_prefix(log, "message "));
  g_free(log);
  g_assert_cmpint(sip_datagram_frame((const guint8 *)msg, strlen(msg), &limits,
                                     &frame), ==, SIP_DATAGRAM_MESSAGE);
  g_free(msg);
  expect_refused_both("OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\n"
                      " Via: SIP/2.0/UDP 10.0.0.1\r\n\r\n",
                      &limits, SIP_REASON_BAD_FOLDING);
}

static void test_bad_bytes(void) {
  SipLimits limits = default_limits();
  static const char nul[] = "OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\nVia: S\0P\r\n\r\n";
  static const char tls[] = {0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00,
                             0xc4, 0x03, 0x03};

  expect_refused(nul, sizeof(nul) - 1, &limits, SIP_REASON_NUL_IN_HEADERS,
                 SIP_REASON_NUL_IN_HEADERS);
  /* A TLS ClientHello on a plain SIP port. */
  expect_refused(tls, sizeof(tls), &limits, SIP_REASON_NUL_IN_HEADERS,
                 SIP_REASON_NUL_IN_HEADERS);
  expect_refused_both("OPTIONS sip:gw@127.0.0.1 SIP/2.0\nVia: x\r\n\r\n",
                      &limits, SIP_REASON_BAD_LINE_ENDING);
  expect_refused_both("OPTIONS sip:gw@127.0.0.1 SIP/2.0\r\nVia: x\rTo: y\r\n\r\n",
                      &limits, SIP_REASON_BAD_LINE_ENDING);
}

static void test_content_length(void) {
  SipLimits limits = default_limits();
  static const char *const invalid[] = {
      "Content-Length: -1\r\n",
      "Content-Length: abc\r\n",
      "Content-Length: 5x\r\n",
      "Content-Length: \r\n",
      "Content-Length: 99999999999999999999999\r\n",
      "Content-Length: 4294967296\r\n",
      "Content-Length: 0\r\nl: 0\r\n",
      "Content-Length:\r\n 0\r\n",
  };
  char *msg;
  SipFrame frame;

  for (gsize i = 0; i < G_N_ELEMENTS(invalid); i++) {
    char *headers = g_strconcat(invalid[i], "X: y\r\n", NULL);
    msg = sip_canned_options("Content-Length:", headers);
    /* The canned request always ends in Content-Length: 0; drop it. */
    msg[strlen(msg) - strlen("Content-Length: 0\r\n\r\n")] = '\0';
    char *full = g_strconcat(msg, "\r\n", NULL);
    expect_refused_both(full, &limits, SIP_REASON_CONTENT_LENGTH_INVALID);
    g_free(full);
    g_free(msg);
    g_free(headers);
  }

  /* Missing: a framing error on a stream, the rest of a datagram there. */
  msg = sip_canned_options(NULL, NULL);
  msg[strlen(msg) - strlen("Content-Length: 0\r\n\r\n")] = '\0';
  char *no_length = g_strconcat(msg, "\r\nabc", NULL);
  char *log = frame_stream(no_length, strlen(no_length), 0, &limits,
                           SIP_FRAMER_ACCEPTED, NULL);
  g_assert_cmpstr(log, ==, "error content-length-missing\n");
  g_free(log);
  g_assert_cmpint(sip_datagram_frame((const guint8 *)no_length,
                                     strlen(no_length), &limits, &frame),
                  ==, SIP_DATAGRAM_MESSAGE);
  g_assert_cmpuint(frame.len, ==, strlen(no_length));
  g_free(no_length);
  g_free(msg);

  /* A datagram shorter than its Content-Length: refused, header section
   * shown; longer: the extra bytes are dropped. */
  msg = body_with_length(10, 3);
  g_assert_cmpint(sip_datagram_frame((const guint8 *)msg, strlen(msg), &limits,
                                     &frame), ==, SIP_DATAGRAM_REFUSED);
  g_assert_cmpint(frame.reason, ==, SIP_REASON_CONTENT_LENGTH_MISMATCH);
  g_assert_cmpuint(frame.header_len, ==, strlen(msg) - 3);
  g_free(msg);
  msg = body_with_length(3, 10);
  g_assert_cmpint(sip_datagram_frame((const guint8 *)msg, strlen(msg), &limits,
                                     &frame), ==, SIP_DATAGRAM_MESSAGE);
  g_assert_cmpuint(frame.len, ==, strlen(msg) - 7);
  g_free(msg);
  /* A truncated body on a stream is simply not complete yet. */
  msg = body_with_length(10, 3);
  log = frame_stream(msg, strlen(msg), 0, &limits, SIP_FRAMER_ACCEPTED, NULL);
  g_assert_cmpstr(log, ==, "");
  g_free(log);
  g_free(msg);
}

static void test_datagram(void) {
  SipLimits limits = default_limits();
  char *msg = sip_canned_options(NULL, NULL);
  char *padded = g_strconcat("\r\n\r\n", msg, NULL);
  SipFrame frame;

  g_assert_cmpint(sip_datagram_frame((const guint8 *)"\r\n\r\n", 4, &limits,
                                     &frame), ==, SIP_DATAGRAM_KEEPALIVE);
  g_assert_cmpint(sip_datagram_frame((const guint8 *)"\r\n", 2, &limits,
                                     &frame), ==, SIP_DATAGRAM_KEEPALIVE);
  g_assert_cmpint(sip_datagram_frame((const guint8 *)padded, strlen(padded),
                                     &limits, &frame), ==, SIP_DATAGRAM_MESSAGE);
  g_assert_true(frame.data == (const guint8 *)padded + 4);
  g_assert_cmpuint(frame.len, ==, strlen(msg));
  g_assert_cmpuint(frame.header_len, ==, strlen(msg));
  /* No blank line: not a whole message. */
  padded[strlen(padded) - 2] = '\0';
  g_assert_cmpint(sip_datagram_frame((const guint8 *)padded, strlen(padded),
                                     &limits, &frame), ==, SIP_DATAGRAM_REFUSED);
  g_assert_cmpint(frame.reason, ==, SIP_REASON_HEADERS_UNTERMINATED);
  g_free(padded);
  g_free(msg);
}

static void test_reason_table(void) {
  GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);

  for (int r = 0; r < SIP_REASON_COUNT; r++) {
    const char *name = sip_reason_name(r);
    g_assert_nonnull(name);
    g_assert_cmpstr(name, !=, "?");
    g_assert_false(g_hash_table_contains(names, name));
    g_hash_table_add(names, (gpointer)name);
    g_assert_cmpstr(sip_reason_text(r), !=, "Unknown Reason");
  }
  g_assert_cmpstr(sip_reason_name(SIP_REASON_COUNT), ==, "?");
  g_assert_cmpuint(sip_reason_status(SIP_REASON_COUNT), ==, 0);
  g_assert_cmpuint(sip_reason_status(SIP_REASON_MESSAGE_TOO_LARGE), ==, 413);
  g_assert_cmpuint(sip_reason_status(SIP_REASON_TOO_MANY_HOPS), ==, 483);
  g_assert_cmpuint(sip_reason_status(SIP_REASON_MISSING_CALL_ID), ==, 400);
  g_assert_cmpuint(sip_reason_status(SIP_REASON_MISSING_VIA), ==, 0);
  g_hash_table_unref(names);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sip/framing/stream-every-split", test_stream_every_split);
  g_test_add_func("/sip/framing/stream-small-chunks", test_stream_byte_at_a_time);
  g_test_add_func("/sip/framing/stream-pipelined", test_stream_pipelined);
  g_test_add_func("/sip/framing/keepalive-roles", test_keepalive_roles);
  g_test_add_func("/sip/framing/limit-message-size", test_limit_message_size);
  g_test_add_func("/sip/framing/limit-headers", test_limit_headers);
  g_test_add_func("/sip/framing/limit-header-line", test_limit_header_line);
  g_test_add_func("/sip/framing/folding", test_folding);
  g_test_add_func("/sip/framing/bad-bytes", test_bad_bytes);
  g_test_add_func("/sip/framing/content-length", test_content_length);
  g_test_add_func("/sip/framing/datagram", test_datagram);
  g_test_add_func("/sip/framing/reasons", test_reason_table);
  return g_test_run();
}
