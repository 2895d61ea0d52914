/* The G.711 SDP answer: see sip_sdp.h. */
#include "sip_sdp.h"

#include <string.h>

#include <osipparser2/osip_port.h>
#include <osipparser2/sdp_message.h>

#include "sip_message.h"

#define PT_DYNAMIC_MAX 127

const char *sip_sdp_error_name(SipSdpError error) {
  switch (error) {
  case SIP_SDP_OK:
    return "ok";
  case SIP_SDP_UNPARSEABLE:
    return "unparseable";
  case SIP_SDP_NO_AUDIO:
    return "no-audio";
  case SIP_SDP_NO_COMMON_CODEC:
    return "no-common-codec";
  case SIP_SDP_NO_ADDRESS:
    return "no-address";
  }
  return "?";
}

/* Whether stream |m| of |sdp| maps payload type |pt| to |encoding| with
 * a=rtpmap (RFC 4566 §6): "0 PCMU/8000" maps 0 to "PCMU". */
static gboolean rtpmap_is(sdp_message_t *sdp, int m, guint pt,
                          const char *encoding) {
  for (int i = 0;; i++) {
    const char *field = sdp_message_a_att_field_get(sdp, m, i);
    const char *value = sdp_message_a_att_value_get(sdp, m, i);
    if (field == NULL) {
      return FALSE;
    }
    if (strcmp(field, "rtpmap") != 0 || value == NULL) {
      continue;
    }
    guint64 mapped;
    const char *space = strchr(value, ' ');
    if (space == NULL) {
      continue;
    }
    g_autofree char *number = g_strndup(value, (gsize)(space - value));
    gsize n = strlen(encoding);
    if (g_ascii_string_to_unsigned(number, 10, 0, PT_DYNAMIC_MAX, &mapped,
                                   NULL) &&
        mapped == pt && g_ascii_strncasecmp(space + 1, encoding, n) == 0 &&
        space[1 + n] == '/') {
      return TRUE;
    }
  }
}

/* Whether stream |m| has attribute |name| (no value). */
static gboolean has_flag(sdp_message_t *sdp, int m, const char *name) {
  for (int i = 0;; i++) {
    const char *field = sdp_message_a_att_field_get(sdp, m, i);
    if (field == NULL) {
      return FALSE;
    }
    if (strcmp(field, name) == 0) {
      return TRUE;
    }
  }
}

/* The direction of stream |m|: its own attribute, else the session's
 * (RFC 3264 §5.1), else sendrecv. */
static SipSdpDirection direction(sdp_message_t *sdp, int m) {
  static const struct {
    const char *name;
    SipSdpDirection direction;
  } names[] = {{"sendonly", SIP_SDP_SENDONLY},
               {"recvonly", SIP_SDP_RECVONLY},
               {"inactive", SIP_SDP_INACTIVE},
               {"sendrecv", SIP_SDP_SENDRECV}};
  const int levels[] = {m, -1};

  for (gsize l = 0; l < G_N_ELEMENTS(levels); l++) {
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
      if (has_flag(sdp, levels[l], names[i].name)) {
        return names[i].direction;
      }
    }
  }
  return SIP_SDP_SENDRECV;
}

/* Fills the codecs of stream |m| into |out|; whether it has G.711. */
static gboolean pick_codecs(sdp_message_t *sdp, int m,
                            SipSdpNegotiation *out) {
  out->n_g711 = 0;
  out->telephone_event = -1;
  for (int i = 0;; i++) {
    const char *format = sdp_message_m_payload_get(sdp, m, i);
    guint64 pt;
    if (format == NULL) {
      break;
    }
    if (!g_ascii_string_to_unsigned(format, 10, 0, PT_DYNAMIC_MAX, &pt,
                                    NULL)) {
      continue;
    }
    /* G.711 is answered under its static numbers only (RFC 3551 §6);
     * an rtpmap there cannot rename them. */
    if (pt == SIP_SDP_PT_PCMU || pt == SIP_SDP_PT_PCMA) {
      if (out->n_g711 < G_N_ELEMENTS(out->g711)) {
        out->g711[out->n_g711++] = (guint)pt;
      }
    } else if (out->telephone_event < 0 &&
               rtpmap_is(sdp, m, pt, "telephone-event")) {
      out->telephone_event = (int)pt;
    }
  }
  return out->n_g711 > 0;
}

/* Copies |src| (may be NULL) into the fixed field |dst|; FALSE if it does
 * not fit. */
static gboolean copy_field(char *dst, gsize size, const char *src) {
  return g_strlcpy(dst, src != NULL ? src : "", size) < size;
}

static SipSdpError negotiate(sdp_message_t *sdp, SipSdpNegotiation *out) {
  gboolean audio = FALSE;
  gboolean found = FALSE;

  for (int m = 0; !sdp_message_endof_media(sdp, m); m++) {
    if ((guint)m >= SIP_SDP_MAX_STREAMS) {
      return SIP_SDP_UNPARSEABLE;
    }
    SipSdpStream *s = &out->streams[out->n_streams++];
    const char *port_text = sdp_message_m_port_get(sdp, m);
    guint64 port = 0;
    if (!copy_field(s->media, sizeof(s->media),
                    sdp_message_m_media_get(sdp, m)) ||
        !copy_field(s->proto, sizeof(s->proto),
                    sdp_message_m_proto_get(sdp, m)) ||
        !copy_field(s->format, sizeof(s->format),
                    sdp_message_m_payload_get(sdp, m, 0)) ||
        port_text == NULL ||
        !g_ascii_string_to_unsigned(port_text, 10, 0, G_MAXUINT16, &port,
                                    NULL)) {
      return SIP_SDP_UNPARSEABLE;
    }
    if (found || port == 0 || strcmp(s->media, "audio") != 0 ||
        strcmp(s->proto, "RTP/AVP") != 0) {
      continue;
    }
    audio = TRUE;
    if (!pick_codecs(sdp, m, out)) {
      continue;
    }
    const char *addr = sdp_message_c_addr_get(sdp, m, 0);
    if (addr == NULL) {
      addr = sdp_message_c_addr_get(sdp, -1, 0);
    }
    if (addr == NULL || !copy_field(out->address, sizeof(out->address), addr)) {
      return SIP_SDP_NO_ADDRESS;
    }
    out->accepted = (guint)m;
    out->port = (guint16)port;
    out->direction = direction(sdp, m);
    found = TRUE;
  }
  if (found) {
    return SIP_SDP_OK;
  }
  return audio ? SIP_SDP_NO_COMMON_CODEC : SIP_SDP_NO_AUDIO;
}

SipSdpError sip_sdp_negotiate(const char *offer, gsize len,
                              SipSdpNegotiation *out) {
  sdp_message_t *sdp = NULL;
  SipSdpError error = SIP_SDP_UNPARSEABLE;

  memset(out, 0, sizeof(*out));
  out->telephone_event = -1;
  if (offer == NULL || len == 0) {
    return SIP_SDP_UNPARSEABLE;
  }
  /* libosip2 wants a C string: a NUL in the body ends it early and the
   * rest is not SDP anyway. */
  g_autofree char *text = g_strndup(offer, len);
  sip_message_library_init();
  if (sdp_message_init(&sdp) == OSIP_SUCCESS &&
      sdp_message_parse(sdp, text) == OSIP_SUCCESS) {
    error = negotiate(sdp, out);
  }
  sdp_message_free(sdp);
  return error;
}

static const char *answer_direction(SipSdpDirection offered) {
  switch (offered) {
  case SIP_SDP_SENDONLY:
    return "recvonly";
  case SIP_SDP_RECVONLY:
    return "sendonly";
  case SIP_SDP_INACTIVE:
    return "inactive";
  case SIP_SDP_SENDRECV:
    break;
  }
  return "sendrecv";
}

char *sip_sdp_answer(const SipSdpNegotiation *neg, const char *address,
                     guint16 port, guint64 session_id) {
  GString *s = g_string_new(NULL);

  g_string_append_printf(s,
                         "v=0\r\n"
                         "o=vgw %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT
                         " IN IP4 %s\r\n"
                         "s=vgw\r\n"
                         "c=IN IP4 %s\r\n"
                         "t=0 0\r\n",
                         session_id, session_id, address, address);
  for (guint i = 0; i < neg->n_streams; i++) {
    const SipSdpStream *m = &neg->streams[i];
    if (i != neg->accepted) {
      g_string_append_printf(s, "m=%s 0 %s %s\r\n", m->media, m->proto,
                             m->format);
      continue;
    }
    g_string_append_printf(s, "m=audio %u RTP/AVP", port);
    for (guint c = 0; c < neg->n_g711; c++) {
      g_string_append_printf(s, " %u", neg->g711[c]);
    }
    if (neg->telephone_event >= 0) {
      g_string_append_printf(s, " %d", neg->telephone_event);
    }
    g_string_append(s, "\r\n");
    for (guint c = 0; c < neg->n_g711; c++) {
      g_string_append_printf(s, "a=rtpmap:%u %s/8000\r\n", neg->g711[c],
                             neg->g711[c] == SIP_SDP_PT_PCMU ? "PCMU"
                                                             : "PCMA");
    }
    if (neg->telephone_event >= 0) {
      g_string_append_printf(s,
                             "a=rtpmap:%d telephone-event/8000\r\n"
                             "a=fmtp:%d 0-15\r\n",
                             neg->telephone_event, neg->telephone_event);
    }
    g_string_append_printf(s, "a=%s\r\n", answer_direction(neg->direction));
  }
  return g_string_free(s, FALSE);
}
