/* SIP messages over libosip2 (sip_message.h). */
#include "sip_message.h"

#include <stdarg.h>
#include <string.h>

/* RFC 3261 §8.1.1.5: the CSeq number is less than 2^31. */
#define SIP_CSEQ_LIMIT G_GUINT64_CONSTANT(0x80000000)

static void sip_osip_trace(const char *file, int line, osip_trace_level_t level,
                           const char *fmt, va_list ap) {
  char *text;

  if (g_log_writer_default_would_drop(G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN)) {
    return;
  }
  text = g_strdup_vprintf(fmt, ap);
  g_debug("osip %s:%d: %s", file, line, g_strchomp(text));
  g_free(text);
}

void sip_message_library_init(void) {
  static gsize done;

  if (g_once_init_enter(&done)) {
    parser_init();
    /* osip prints every parse failure on stdout by default: a hostile
     * peer would fill the console. Its messages go to debug output. */
    osip_trace_initialize_func(TRACE_LEVEL3, sip_osip_trace);
    g_once_init_leave(&done, 1);
  }
}

/* Whether |s| is 1..max_digits ASCII digits with a value below |limit|. */
static gboolean parse_bounded_number(const char *s, gsize max_digits,
                                     guint64 limit, guint64 *out) {
  guint64 value = 0;
  gsize n;

  if (s == NULL) {
    return FALSE;
  }
  for (n = 0; s[n] != '\0'; n++) {
    if (!g_ascii_isdigit(s[n]) || n >= max_digits) {
      return FALSE;
    }
    value = value * 10 + (guint64)(s[n] - '0');
  }
  if (n == 0 || value >= limit) {
    return FALSE;
  }
  if (out != NULL) {
    *out = value;
  }
  return TRUE;
}

/* Whether libosip2 parses back what it prints of a header it parsed.
 * Not always so (e.g. a To of "<sip:a@b c: >"): a response copies these
 * headers, and one that does not survive the wire must not be built. */
#define DEFINE_ROUND_TRIP(name, type, prefix)                                \
  static gboolean name(const type *header) {                                 \
    char *text = NULL;                                                       \
    type *back = NULL;                                                       \
    gboolean ok = prefix##_to_str(header, &text) == OSIP_SUCCESS &&          \
                  prefix##_init(&back) == OSIP_SUCCESS &&                    \
                  prefix##_parse(back, text) == OSIP_SUCCESS;                \
    if (back != NULL) {                                                      \
      prefix##_free(back);                                                   \
    }                                                                        \
    osip_free(text);                                                         \
    return ok;                                                               \
  }

DEFINE_ROUND_TRIP(via_round_trips, osip_via_t, osip_via)
DEFINE_ROUND_TRIP(from_round_trips, osip_from_t, osip_from)
DEFINE_ROUND_TRIP(call_id_round_trips, osip_call_id_t, osip_call_id)
DEFINE_ROUND_TRIP(cseq_round_trips, osip_cseq_t, osip_cseq)

static gboolean is_sip_2_0(const char *version) {
  return version != NULL && g_ascii_strcasecmp(version, "SIP/2.0") == 0;
}

static SipReason validate_via(const osip_message_t *msg) {
  osip_via_t *via = osip_list_get(&msg->vias, 0);

  if (via == NULL) {
    return SIP_REASON_MISSING_VIA;
  }
  if (via->version == NULL || strcmp(via->version, "2.0") != 0 ||
      via->protocol == NULL || via->protocol[0] == '\0' ||
      via->host == NULL || via->host[0] == '\0') {
    return SIP_REASON_BAD_VIA;
  }
  for (int i = 0; i < osip_list_size(&msg->vias); i++) {
    if (!via_round_trips(osip_list_get(&msg->vias, i))) {
      return SIP_REASON_BAD_VIA;
    }
  }
  return SIP_REASON_NONE;
}

static SipReason validate_cseq(const osip_message_t *msg) {
  const osip_cseq_t *cseq = msg->cseq;

  if (cseq == NULL) {
    return SIP_REASON_MISSING_CSEQ;
  }
  if (!parse_bounded_number(cseq->number, 10, SIP_CSEQ_LIMIT, NULL) ||
      cseq->method == NULL || !cseq_round_trips(cseq)) {
    return SIP_REASON_BAD_CSEQ;
  }
  /* Methods are case-sensitive (RFC 3261 §7.1). */
  if (MSG_IS_REQUEST(msg) && strcmp(cseq->method, msg->sip_method) != 0) {
    return SIP_REASON_CSEQ_METHOD_MISMATCH;
  }
  return SIP_REASON_NONE;
}

static SipReason max_forwards(const osip_message_t *msg, osip_header_t **out,
                              guint64 *value) {
  osip_header_t *header = NULL;
  osip_header_t *again = NULL;

  if (osip_message_header_get_byname(msg, "max-forwards", 0, &header) < 0 ||
      header == NULL) {
    return SIP_REASON_MISSING_MAX_FORWARDS;
  }
  if (osip_message_header_get_byname(msg, "max-forwards", 1, &again) >= 0 ||
      header->hvalue == NULL ||
      !parse_bounded_number(header->hvalue, 3, 256, value)) {
    return SIP_REASON_BAD_MAX_FORWARDS;
  }
  if (out != NULL) {
    *out = header;
  }
  return SIP_REASON_NONE;
}

SipReason sip_message_validate(const osip_message_t *msg) {
  SipReason reason;

  if (!is_sip_2_0(msg->sip_version)) {
    return SIP_REASON_BAD_VERSION;
  }
  reason = validate_via(msg);
  if (reason != SIP_REASON_NONE) {
    return reason;
  }
  if (msg->from == NULL || msg->from->url == NULL) {
    return SIP_REASON_MISSING_FROM;
  }
  if (!from_round_trips(msg->from)) {
    return SIP_REASON_BAD_FROM;
  }
  if (msg->to == NULL || msg->to->url == NULL) {
    return SIP_REASON_MISSING_TO;
  }
  if (!from_round_trips(msg->to)) {
    return SIP_REASON_BAD_TO;
  }
  if (msg->call_id == NULL || msg->call_id->number == NULL) {
    return SIP_REASON_MISSING_CALL_ID;
  }
  if (!call_id_round_trips(msg->call_id)) {
    return SIP_REASON_BAD_CALL_ID;
  }
  reason = validate_cseq(msg);
  if (reason != SIP_REASON_NONE || !MSG_IS_REQUEST(msg)) {
    return reason;
  }
  return max_forwards(msg, NULL, NULL);
}

SipReason sip_message_parse(const guint8 *data, gsize len,
                            osip_message_t **out) {
  osip_message_t *msg = NULL;

  sip_message_library_init();
  *out = NULL;
  if (osip_message_init(&msg) != OSIP_SUCCESS) {
    return SIP_REASON_UNPARSEABLE;
  }
  if (osip_message_parse(msg, (const char *)data, len) != OSIP_SUCCESS ||
      (!MSG_IS_REQUEST(msg) && !MSG_IS_RESPONSE(msg))) {
    osip_message_free(msg);
    return SIP_REASON_UNPARSEABLE;
  }
  *out = msg;
  return sip_message_validate(msg);
}

SipReason sip_message_take_hop(osip_message_t *req) {
  osip_header_t *header;
  guint64 hops;
  SipReason reason = max_forwards(req, &header, &hops);

  if (reason != SIP_REASON_NONE) {
    return reason;
  }
  if (hops == 0) {
    return SIP_REASON_TOO_MANY_HOPS;
  }
  char text[4];
  g_snprintf(text, sizeof(text), "%u", (guint)(hops - 1));
  osip_free(header->hvalue);
  header->hvalue = osip_strdup(text);
  osip_message_force_update(req);
  return SIP_REASON_NONE;
}

/* Sets via parameter |name| to |value| (osip_strdup'ed), adding it if
 * absent. */
static void via_param_set(osip_via_t *via, const char *name,
                          const char *value) {
  osip_generic_param_t *param = NULL;

  if (osip_via_param_get_byname(via, (char *)name, &param) >= 0 &&
      param != NULL) {
    osip_free(param->gvalue);
    param->gvalue = osip_strdup(value);
    return;
  }
  osip_via_param_add(via, osip_strdup(name), osip_strdup(value));
}

void sip_message_stamp_via(osip_message_t *req, const char *source_ip,
                           guint16 source_port) {
  osip_via_t *via = osip_list_get(&req->vias, 0);
  osip_generic_param_t *rport = NULL;

  if (via == NULL) {
    return;
  }
  if (osip_via_param_get_byname(via, "rport", &rport) >= 0 && rport != NULL) {
    char port[8];
    g_snprintf(port, sizeof(port), "%u", source_port);
    osip_free(rport->gvalue);
    rport->gvalue = osip_strdup(port);
    via_param_set(via, "received", source_ip);
  } else if (via->host == NULL || strcmp(via->host, source_ip) != 0) {
    via_param_set(via, "received", source_ip);
  }
  osip_message_force_update(req);
}

osip_message_t *sip_response_new(const osip_message_t *req, guint status,
                                 const char *phrase, const char *to_tag) {
  osip_message_t *resp = NULL;

  sip_message_library_init();
  if (osip_message_init(&resp) != OSIP_SUCCESS) {
    return NULL;
  }
  if (phrase == NULL) {
    phrase = osip_message_get_reason((int)status);
  }
  osip_message_set_version(resp, osip_strdup("SIP/2.0"));
  osip_message_set_status_code(resp, (int)status);
  osip_message_set_reason_phrase(resp, osip_strdup(phrase ? phrase : ""));
  osip_list_clone(&req->vias, &resp->vias,
                  (int (*)(void *, void **))osip_via_clone);
  if (req->from != NULL) {
    osip_from_clone(req->from, &resp->from);
  }
  if (req->to != NULL) {
    osip_generic_param_t *tag = NULL;
    osip_to_clone(req->to, &resp->to);
    if (to_tag != NULL && status > 100 && resp->to != NULL &&
        (osip_to_get_tag(resp->to, &tag) < 0 || tag == NULL)) {
      osip_to_set_tag(resp->to, osip_strdup(to_tag));
    }
  }
  if (req->call_id != NULL) {
    osip_call_id_clone(req->call_id, &resp->call_id);
  }
  if (req->cseq != NULL) {
    osip_cseq_clone(req->cseq, &resp->cseq);
  }
  return resp; /* osip_message_to_str() adds Content-Length: 0 */
}

osip_message_t *sip_response_warned(const osip_message_t *req, guint status,
                                    const char *text, const char *to_tag) {
  osip_message_t *resp = sip_response_new(req, status, text, to_tag);
  char *warning;

  if (resp == NULL) {
    return NULL;
  }
  warning = g_strdup_printf("399 vgw \"%s\"", text);
  osip_message_set_header(resp, "Warning", warning);
  g_free(warning);
  return resp;
}

osip_message_t *sip_response_refusal(const osip_message_t *req,
                                     SipReason reason, const char *to_tag) {
  return sip_response_warned(req, sip_reason_status(reason),
                             sip_reason_text(reason), to_tag);
}

osip_message_t *sip_response_options_ok(const osip_message_t *req,
                                        const char *to_tag) {
  osip_message_t *resp = sip_response_new(req, 200, NULL, to_tag);

  if (resp == NULL) {
    return NULL;
  }
  osip_message_set_header(resp, "Allow", SIP_ALLOW_METHODS);
  osip_message_set_header(resp, "Supported", SIP_SUPPORTED_EXTENSIONS);
  osip_message_set_header(resp, "Accept", "application/sdp");
  return resp;
}

char *sip_tag_new(void) {
  return g_strdup_printf("%08x%08x", g_random_int(), g_random_int());
}

char *sip_message_to_bytes(const osip_message_t *msg, gsize *len) {
  char *text = NULL;
  size_t text_len = 0;
  char *copy;

  if (osip_message_to_str((osip_message_t *)msg, &text, &text_len) !=
      OSIP_SUCCESS) {
    return NULL;
  }
  copy = g_strndup(text, text_len);
  osip_free(text);
  *len = text_len;
  return copy;
}
