/* The TLS key log's maintenance verbs: see tls_keylog_verbs.h. */
#include "tls/tls_keylog_verbs.h"

#include "mgmt/mgmt_proto.h"
#include "mgmt/mgmt_reply.h"

#define CONTEXT_MAX 999

void vgw_tls_keylog_status(const VgwTlsKeylog *kl, VgwStatusTlsKeylog *out) {
  VgwTlsKeylogInfo info;

  vgw_tls_keylog_info(kl, g_get_monotonic_time() / 1000, &info);
  *out = (VgwStatusTlsKeylog){
      .present = TRUE,
      .on = info.on,
      .context = info.context,
      .expires_in_s = (guint64)(info.expires_in_ms + 999) / 1000,
      .lines = info.lines,
      .max_lines = info.max_lines,
      .recorded = info.recorded,
      .dropped = info.dropped,
      .last_end = vgw_tls_keylog_end_name(info.last_end),
  };
}

/* reply_state answers with the key log's state (`status` "tls_keylog"). */
static void reply_state(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwStatusTlsKeylog st;
  GString *body = g_string_new(NULL);

  vgw_tls_keylog_status(c->data, &st);
  if (c->human) {
    vgw_status_tls_keylog_text(body, &st);
  } else {
    g_string_append_c(body, '{');
    vgw_status_tls_keylog_json(body, &st);
    g_string_append_c(body, '}');
  }
  vgw_reply_ok(out, body);
}

static void verb_on(const VgwMgmtCall *c, VgwMgmtReply *out) {
  guint64 seconds;
  guint64 context = 0;
  g_autoptr(GError) error = NULL;

  if (c->argc < 2 || c->argc > 3 ||
      !g_ascii_string_to_unsigned(c->argv[2], 10, VGW_TLS_KEYLOG_MIN_MS / 1000,
                                  VGW_TLS_KEYLOG_MAX_MS / 1000, &seconds,
                                  NULL) ||
      (c->argc == 3 && !g_ascii_string_to_unsigned(c->argv[3], 10, 0,
                                                   CONTEXT_MAX, &context,
                                                   NULL))) {
    vgw_reply_usage(c, out);
    return;
  }
  if (!vgw_tls_keylog_enable(c->data,
                             c->argc == 3 ? (int)context
                                          : VGW_TLS_KEYLOG_ANY_CONTEXT,
                             (gint64)seconds * 1000,
                             g_get_monotonic_time() / 1000, &error)) {
    vgw_reply_fail(out, "%s", error->message);
    return;
  }
  reply_state(c, out);
}

static void verb_off(const VgwMgmtCall *c, VgwMgmtReply *out) {
  if (c->argc != 1) {
    vgw_reply_usage(c, out);
    return;
  }
  guint wiped = vgw_tls_keylog_disable(c->data, VGW_TLS_KEYLOG_END_REQUESTED);
  GString *body = g_string_new(NULL);
  if (c->human) {
    g_string_printf(body, "TLS key log off; %u secret lines wiped\n", wiped);
  } else {
    g_string_append_c(body, '{');
    vgw_json_uint(body, "wiped", wiped);
    g_string_append_c(body, '}');
  }
  vgw_reply_ok(out, body);
}

static void verb_status(const VgwMgmtCall *c, VgwMgmtReply *out) {
  if (c->argc != 1) {
    vgw_reply_usage(c, out);
    return;
  }
  reply_state(c, out);
}

static void append_json_line(const char *line, gpointer data) {
  GString *j = data;

  if (j->str[j->len - 1] != '[') {
    g_string_append_c(j, ',');
  }
  vgw_mgmt_json_append_string(j, line);
}

static void append_text_line(const char *line, gpointer data) {
  g_string_append_printf(data, "%s\n", line);
}

static void verb_read(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwStatusTlsKeylog st;
  GString *body = g_string_new(NULL);

  if (c->argc != 1) {
    g_string_free(body, TRUE);
    vgw_reply_usage(c, out);
    return;
  }
  if (c->human) {
    /* The NSS key log file itself, for SSLKEYLOGFILE readers. */
    vgw_tls_keylog_foreach(c->data, append_text_line, body);
  } else {
    vgw_tls_keylog_status(c->data, &st);
    g_string_append_c(body, '{');
    vgw_status_tls_keylog_json(body, &st);
    vgw_json_key(body, "secrets");
    g_string_append_c(body, '[');
    vgw_tls_keylog_foreach(c->data, append_json_line, body);
    g_string_append(body, "]}");
  }
  vgw_reply_ok(out, body);
}

static const VgwMgmtVerb tls_keylog_verbs[] = {
    {"tls-keylog on", "SECONDS [CONTEXT]",
     "record TLS secrets for SECONDS (debugging; wiped when off)", 0,
     verb_on},
    {"tls-keylog off", "", "stop recording TLS secrets and wipe them", 0,
     verb_off},
    {"tls-keylog status", "", "whether TLS secrets are being recorded", 0,
     verb_status},
    {"tls-keylog read", "", "the TLS secrets recorded (NSS key log lines)", 0,
     verb_read},
};

const VgwMgmtVerbSet vgw_tls_keylog_verb_set = {
    tls_keylog_verbs, G_N_ELEMENTS(tls_keylog_verbs), NULL};
