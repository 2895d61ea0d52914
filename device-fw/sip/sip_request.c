/* Out-of-dialog requests the gateway sends (sip_request.h). */
#include "sip_request.h"

#include <string.h>

#include "sip_message.h"

/* RFC 3261 §8.1.1.6. */
#define SIP_REQUEST_MAX_FORWARDS 70
/* RFC 3261 §8.1.1.7: the magic cookie every RFC 3261 branch starts with. */
#define SIP_BRANCH_COOKIE "z9hG4bK"

G_DEFINE_QUARK(sip-request-error-quark, sip_request_error)

/* RFC 3261 §25.1 token characters (method, host). */
static gboolean is_token(const char *s) {
  if (s == NULL || *s == '\0') {
    return FALSE;
  }
  for (; *s != '\0'; s++) {
    if (!g_ascii_isalnum(*s) && strchr("-.!%*_+`'~:[]", *s) == NULL) {
      return FALSE;
    }
  }
  return TRUE;
}

/* Whether |s| fits on one header line: no CR, LF (NUL ends it). */
static gboolean is_one_line(const char *s) {
  return s != NULL && strpbrk(s, "\r\n") == NULL;
}

static gboolean check_text(const char *field, const char *value,
                           gboolean required, GError **error) {
  if (value == NULL && !required) {
    return TRUE;
  }
  if (value == NULL || *value == '\0' || !is_one_line(value)) {
    g_set_error(error, SIP_REQUEST_ERROR, SIP_REQUEST_ERROR_FIELD,
                "%s: %s", field,
                value == NULL || *value == '\0' ? "missing"
                                                : "holds a line break");
    return FALSE;
  }
  return TRUE;
}

static gboolean check_spec(const SipRequestSpec *spec, GError **error) {
  if (!is_token(spec->method)) {
    g_set_error(error, SIP_REQUEST_ERROR, SIP_REQUEST_ERROR_FIELD,
                "method: not a token");
    return FALSE;
  }
  if (!is_token(spec->sent_by_host) || spec->sent_by_port == 0) {
    g_set_error(error, SIP_REQUEST_ERROR, SIP_REQUEST_ERROR_FIELD,
                "sent-by: not a host and port");
    return FALSE;
  }
  if (spec->transport >= SIP_TRANSPORT_COUNT) {
    g_set_error(error, SIP_REQUEST_ERROR, SIP_REQUEST_ERROR_FIELD,
                "transport: out of range");
    return FALSE;
  }
  if (spec->cseq >= 0x80000000u) {
    g_set_error(error, SIP_REQUEST_ERROR, SIP_REQUEST_ERROR_FIELD,
                "cseq: not below 2^31");
    return FALSE;
  }
  return check_text("request-uri", spec->request_uri, TRUE, error) &&
         check_text("from", spec->from, TRUE, error) &&
         check_text("to", spec->to, TRUE, error) &&
         check_text("from-tag", spec->from_tag, FALSE, error) &&
         check_text("call-id", spec->call_id, FALSE, error) &&
         check_text("contact", spec->contact, FALSE, error) &&
         check_text("user-agent", spec->user_agent, FALSE, error);
}

/* An IPv6 literal in sent-by is bracketed (RFC 3261 §25.1 hostport). */
static void append_host(GString *out, const char *host) {
  if (strchr(host, ':') != NULL && host[0] != '[') {
    g_string_append_printf(out, "[%s]", host);
  } else {
    g_string_append(out, host);
  }
}

osip_message_t *sip_request_new(const SipRequestSpec *spec, GError **error) {
  g_autoptr(GString) text = g_string_new(NULL);
  g_autofree char *tag = NULL;
  g_autofree char *call_id = NULL;
  osip_message_t *msg = NULL;
  SipReason reason;
  gboolean stream;

  g_return_val_if_fail(spec != NULL, NULL);
  if (!check_spec(spec, error)) {
    return NULL;
  }
  tag = spec->from_tag ? g_strdup(spec->from_tag) : sip_tag_new();
  call_id = spec->call_id ? g_strdup(spec->call_id) : g_uuid_string_random();
  stream = spec->transport != SIP_TRANSPORT_UDP;

  g_string_append_printf(text, "%s %s SIP/2.0\r\n", spec->method,
                         spec->request_uri);
  g_string_append_printf(text, "Via: SIP/2.0/%s ",
                         spec->transport == SIP_TRANSPORT_UDP   ? "UDP"
                         : spec->transport == SIP_TRANSPORT_TCP ? "TCP"
                                                                : "TLS");
  append_host(text, spec->sent_by_host);
  g_string_append_printf(text, ":%u;branch=" SIP_BRANCH_COOKIE "%08x%08x;rport%s\r\n",
                         spec->sent_by_port, g_random_int(), g_random_int(),
                         stream && spec->alias ? ";alias" : "");
  g_string_append_printf(text, "Max-Forwards: %d\r\n",
                         SIP_REQUEST_MAX_FORWARDS);
  g_string_append_printf(text, "From: %s;tag=%s\r\n", spec->from, tag);
  g_string_append_printf(text, "To: %s\r\n", spec->to);
  g_string_append_printf(text, "Call-ID: %s\r\n", call_id);
  g_string_append_printf(text, "CSeq: %u %s\r\n",
                         spec->cseq == 0 ? 1 : spec->cseq, spec->method);
  if (spec->contact != NULL) {
    g_string_append_printf(text, "Contact: %s\r\n", spec->contact);
  }
  if (spec->user_agent != NULL) {
    g_string_append_printf(text, "User-Agent: %s\r\n", spec->user_agent);
  }
  g_string_append(text, "Content-Length: 0\r\n\r\n");

  /* Through the same parser and checks as every message taken in: what
   * the gateway sends is held to what it accepts. */
  reason = sip_message_parse((const guint8 *)text->str, text->len, &msg);
  if (reason != SIP_REASON_NONE) {
    if (msg != NULL) {
      osip_message_free(msg);
    }
    g_set_error(error, SIP_REQUEST_ERROR, SIP_REQUEST_ERROR_INVALID,
                "%s: %s", sip_reason_name(reason), sip_reason_text(reason));
    return NULL;
  }
  return msg;
}

const char *sip_request_branch(const osip_message_t *msg) {
  osip_via_t *via = osip_list_get(&msg->vias, 0);
  osip_generic_param_t *branch = NULL;

  if (via == NULL ||
      osip_via_param_get_byname(via, "branch", &branch) < 0 ||
      branch == NULL) {
    return NULL;
  }
  return branch->gvalue;
}
