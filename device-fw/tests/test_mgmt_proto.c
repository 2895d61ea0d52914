/* Unit tests for the maintenance-port framing (mgmt_proto, mgmt_linebuf). */
#include <string.h>

#include "mgmt_linebuf.h"
#include "mgmt_proto.h"

static void test_parse_simple(void) {
  VgwMgmtRequest req;
  GError *error = NULL;
  g_assert_true(vgw_mgmt_parse_request("@a-1_Z login Admin Admin\r\n", &req,
                                       &error));
  g_assert_no_error(error);
  g_assert_cmpstr(req.id, ==, "a-1_Z");
  g_assert_cmpuint(g_strv_length(req.argv), ==, 3);
  g_assert_cmpstr(req.argv[0], ==, "login");
  g_assert_cmpstr(req.argv[1], ==, "Admin");
  g_assert_cmpstr(req.argv[2], ==, "Admin");
  vgw_mgmt_request_clear(&req);
  g_assert_null(req.argv);
  vgw_mgmt_request_clear(&req);
}

static void test_parse_quoted(void) {
  VgwMgmtRequest req;
  g_assert_true(vgw_mgmt_parse_request(
      "@7 set \"a b\" \"\\\"q\\\\\" \"\" x\"y", &req, NULL));
  g_assert_cmpuint(g_strv_length(req.argv), ==, 5);
  g_assert_cmpstr(req.argv[1], ==, "a b");
  g_assert_cmpstr(req.argv[2], ==, "\"q\\");
  g_assert_cmpstr(req.argv[3], ==, "");
  g_assert_cmpstr(req.argv[4], ==, "x\"y");
  vgw_mgmt_request_clear(&req);
}

static void expect_bad(const char *line, int code, const char *id) {
  VgwMgmtRequest req;
  GError *error = NULL;
  g_assert_false(vgw_mgmt_parse_request(line, &req, &error));
  g_assert_error(error, VGW_MGMT_ERROR, code);
  g_assert_null(req.argv);
  g_assert_cmpstr(req.id, ==, id);
  g_error_free(error);
}

static void test_parse_bad(void) {
  expect_bad("", VGW_MGMT_ERROR_NOT_REQUEST, "");
  expect_bad("status", VGW_MGMT_ERROR_NOT_REQUEST, "");
  expect_bad("@ status", VGW_MGMT_ERROR_BAD_ID, "");
  expect_bad("@a.b status", VGW_MGMT_ERROR_BAD_ID, "");
  expect_bad("@12345678901234567 status", VGW_MGMT_ERROR_BAD_ID, "");
  expect_bad("@1", VGW_MGMT_ERROR_NO_VERB, "1");
  expect_bad("@1   ", VGW_MGMT_ERROR_NO_VERB, "1");
  expect_bad("@1 x \"abc", VGW_MGMT_ERROR_BAD_QUOTING, "1");
  expect_bad("@1 x \"a\\nb\"", VGW_MGMT_ERROR_BAD_QUOTING, "1");
  expect_bad("@1 x \"a\"b", VGW_MGMT_ERROR_BAD_QUOTING, "1");
  /* 16 characters is the longest id. */
  VgwMgmtRequest req;
  g_assert_true(vgw_mgmt_parse_request("@1234567890123456 s", &req, NULL));
  vgw_mgmt_request_clear(&req);
}

static void test_parse_oversize(void) {
  GString *line = g_string_new("@big x ");
  while (line->len <= VGW_MGMT_LINE_MAX) {
    g_string_append_c(line, 'a');
  }
  expect_bad(line->str, VGW_MGMT_ERROR_TOO_LONG, "big");
  g_string_truncate(line, VGW_MGMT_LINE_MAX);
  VgwMgmtRequest req;
  g_assert_true(vgw_mgmt_parse_request(line->str, &req, NULL));
  vgw_mgmt_request_clear(&req);
  g_string_free(line, TRUE);
}

static void test_format_roundtrip(void) {
  const char *const args[] = {"param", "set", "a b", "\"lead", "",
                              "back\\slash \"both\"", "x\"y", NULL};
  char *line = vgw_mgmt_format_request("r1", args);
  g_assert_nonnull(line);
  g_assert_null(strchr(line, '\n'));
  VgwMgmtRequest req;
  g_assert_true(vgw_mgmt_parse_request(line, &req, NULL));
  g_assert_cmpstr(req.id, ==, "r1");
  for (size_t i = 0; args[i] != NULL; i++) {
    g_assert_cmpstr(req.argv[i], ==, args[i]);
  }
  g_assert_null(req.argv[7]);
  vgw_mgmt_request_clear(&req);
  g_free(line);

  const char *const plain[] = {"status", NULL};
  line = vgw_mgmt_format_request("9", plain);
  g_assert_cmpstr(line, ==, "@9 status");
  g_free(line);

  const char *const nl[] = {"x", "a\nb", NULL};
  g_assert_null(vgw_mgmt_format_request("1", nl));
  g_assert_null(vgw_mgmt_format_request("bad id", plain));
  const char *const none[] = {NULL};
  g_assert_null(vgw_mgmt_format_request("1", none));
}

static void test_reply(void) {
  char *line = vgw_mgmt_format_reply("42", TRUE, "{\"user\":\"Admin\"}");
  g_assert_cmpstr(line, ==, "@42 ok {\"user\":\"Admin\"}");
  char *id = NULL, *json = NULL;
  gboolean ok = FALSE;
  GError *error = NULL;
  g_assert_true(vgw_mgmt_parse_reply(line, &id, &ok, &json, &error));
  g_assert_cmpstr(id, ==, "42");
  g_assert_true(ok);
  g_assert_cmpstr(json, ==, "{\"user\":\"Admin\"}");
  g_free(id);
  g_free(json);
  g_free(line);

  line = vgw_mgmt_format_reply("1", TRUE, NULL);
  g_assert_cmpstr(line, ==, "@1 ok {}");
  g_free(line);

  line = vgw_mgmt_format_error_reply("e", "login \"required\"");
  g_assert_cmpstr(line, ==, "@e error {\"error\":\"login \\\"required\\\"\"}");
  g_assert_true(vgw_mgmt_parse_reply(line, NULL, &ok, &json, NULL));
  g_assert_false(ok);
  g_free(json);
  g_free(line);

  /* Not replies: no error. */
  const char *not_replies[] = {"vgw> ", "", "hello", "@1 status",
                               "@1 okay {}", "@bad.id ok {}", "@1", NULL};
  for (size_t i = 0; not_replies[i] != NULL; i++) {
    g_assert_false(vgw_mgmt_parse_reply(not_replies[i], NULL, NULL, NULL,
                                        &error));
    g_assert_no_error(error);
  }
  /* Malformed replies: error. */
  const char *bad[] = {"@1 ok", "@1 ok x", "@1 error {", "@1 ok [1]", NULL};
  for (size_t i = 0; bad[i] != NULL; i++) {
    g_assert_false(vgw_mgmt_parse_reply(bad[i], NULL, NULL, NULL, &error));
    g_assert_error(error, VGW_MGMT_ERROR, VGW_MGMT_ERROR_BAD_REPLY);
    g_clear_error(&error);
  }
  g_assert_true(vgw_mgmt_parse_reply("@1 ok {}\r\n", NULL, &ok, &json, NULL));
  g_assert_cmpstr(json, ==, "{}");
  g_free(json);
}

static void test_json_escape(void) {
  char *q = vgw_mgmt_json_quote("a\"b\\c\n\x01\xc3\xa9");
  g_assert_cmpstr(q, ==, "\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\"");
  g_free(q);
  q = vgw_mgmt_json_quote(NULL);
  g_assert_cmpstr(q, ==, "null");
  g_free(q);
}

/* next_line pops the next event, which must be a line, and returns it
 * (caller frees). */
static char *next_line(VgwLineBuf *buf, gboolean *too_long) {
  char *line = NULL;
  g_assert_cmpint(vgw_linebuf_next(buf, &line, too_long), ==,
                  VGW_LINEBUF_LINE);
  return line;
}

/* Every string the escaper writes is valid UTF-8 JSON: bytes that are not
 * UTF-8 (a stray continuation byte, a cut sequence, an overlong form, a
 * surrogate) become U+FFFD, and valid multi-byte characters stay. */
static void test_json_invalid_utf8(void) {
  static const struct {
    const char *in, *want;
  } cases[] = {
      {"\xff\xfe: unknown parameter", "\"\\ufffd\\ufffd: unknown parameter\""},
      {"caf\xc3\xa9 \xe2\x82\xac", "\"caf\xc3\xa9 \xe2\x82\xac\""},
      {"cut \xe2\x82", "\"cut \\ufffd\\ufffd\""},
      {"overlong \xc0\xaf", "\"overlong \\ufffd\\ufffd\""},
      {"surrogate \xed\xa0\x80", "\"surrogate \\ufffd\\ufffd\\ufffd\""},
      {"0123456789abcdef\x80", "\"0123456789abcdef\\ufffd\""},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    char *q = vgw_mgmt_json_quote(cases[i].in);
    g_assert_cmpstr(q, ==, cases[i].want);
    g_assert_true(g_utf8_validate(q, -1, NULL));
    g_free(q);
  }
  /* A whole error reply line, as the session writes it. */
  char *line = vgw_mgmt_format_error_reply("1", "\xff\xfe: unknown parameter");
  g_assert_true(g_utf8_validate(line, -1, NULL));
  g_assert_cmpstr(line, ==,
                  "@1 error {\"error\":\"\\ufffd\\ufffd: unknown parameter\"}");
  g_free(line);
}

static void test_linebuf(void) {
  VgwLineBuf *buf = vgw_linebuf_new(8);
  gboolean too_long = TRUE;
  char *line = NULL;
  vgw_linebuf_feed(buf, "ab", 2);
  g_assert_cmpint(vgw_linebuf_next(buf, &line, &too_long), ==,
                  VGW_LINEBUF_EMPTY);
  g_assert_null(line);
  g_assert_cmpuint(vgw_linebuf_pending(buf), ==, 2);
  const char *chunk = "c\r\n\n12345678\r\n123456789\nxyz\n";
  vgw_linebuf_feed(buf, chunk, strlen(chunk));
  line = next_line(buf, &too_long);
  g_assert_cmpstr(line, ==, "abc");
  g_assert_false(too_long);
  g_free(line);
  line = next_line(buf, &too_long);
  g_assert_cmpstr(line, ==, "");
  g_free(line);
  line = next_line(buf, &too_long);
  g_assert_cmpstr(line, ==, "12345678");
  g_assert_false(too_long);
  g_free(line);
  line = next_line(buf, &too_long);
  g_assert_cmpstr(line, ==, "12345678");
  g_assert_true(too_long);
  g_free(line);
  line = next_line(buf, &too_long);
  g_assert_cmpstr(line, ==, "xyz");
  g_assert_false(too_long);
  g_free(line);
  g_assert_cmpint(vgw_linebuf_next(buf, &line, NULL), ==, VGW_LINEBUF_EMPTY);
  /* A very long line is dropped in pieces and reported once. */
  for (int i = 0; i < 1000; i++) {
    vgw_linebuf_feed(buf, "zzzzzzzzzz", 10);
  }
  g_assert_cmpuint(vgw_linebuf_pending(buf), <=, 9);
  vgw_linebuf_feed(buf, "\nok\n", 4);
  line = next_line(buf, &too_long);
  g_assert_true(too_long);
  g_assert_cmpuint(strlen(line), ==, 8);
  g_free(line);
  line = next_line(buf, &too_long);
  g_assert_cmpstr(line, ==, "ok");
  g_free(line);
  vgw_linebuf_free(buf);
}

/* A NUL byte is a break: queued in order, and the half line before it is
 * gone, even one that had run past the limit. */
static void test_linebuf_break(void) {
  VgwLineBuf *buf = vgw_linebuf_new(8);
  char *line = NULL;
  gboolean too_long = TRUE;
  const char bytes[] = "one\nhalf\0two\n\0\0toolongtoolong\0three\n";
  vgw_linebuf_feed(buf, bytes, sizeof(bytes) - 1);
  line = next_line(buf, &too_long);
  g_assert_cmpstr(line, ==, "one");
  g_free(line);
  g_assert_cmpint(vgw_linebuf_next(buf, &line, NULL), ==, VGW_LINEBUF_BREAK);
  g_assert_null(line);
  line = next_line(buf, &too_long);
  g_assert_cmpstr(line, ==, "two");
  g_free(line);
  for (int i = 0; i < 3; i++) {
    g_assert_cmpint(vgw_linebuf_next(buf, &line, NULL), ==,
                    VGW_LINEBUF_BREAK);
  }
  line = next_line(buf, &too_long);
  g_assert_cmpstr(line, ==, "three");
  g_assert_false(too_long);
  g_free(line);
  g_assert_cmpint(vgw_linebuf_next(buf, &line, NULL), ==, VGW_LINEBUF_EMPTY);
  g_assert_cmpuint(vgw_linebuf_pending(buf), ==, 0);
  vgw_linebuf_free(buf);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/mgmt/parse/simple", test_parse_simple);
  g_test_add_func("/mgmt/parse/quoted", test_parse_quoted);
  g_test_add_func("/mgmt/parse/bad", test_parse_bad);
  g_test_add_func("/mgmt/parse/oversize", test_parse_oversize);
  g_test_add_func("/mgmt/format/roundtrip", test_format_roundtrip);
  g_test_add_func("/mgmt/reply", test_reply);
  g_test_add_func("/mgmt/json-escape", test_json_escape);
  g_test_add_func("/mgmt/json-escape/invalid-utf8", test_json_invalid_utf8);
  g_test_add_func("/mgmt/linebuf/break", test_linebuf_break);
  g_test_add_func("/mgmt/linebuf", test_linebuf);
  return g_test_run();
}
