/* Canned SIP messages for the sip unit tests (sip_canned.h). */
#include "sip_canned.h"

#include <string.h>

#include "sip_message.h"

char *sip_canned_request(const char *method, const char *transport,
                         const char *drop, const char *extra) {
  char *lines[] = {
      g_strdup_printf("Via: SIP/2.0/%s 10.0.0.1:5070;branch=z9hG4bK-1;rport",
                      transport),
      g_strdup("Max-Forwards: 70"),
      g_strdup("From: <sip:alice@10.0.0.1>;tag=a1"),
      g_strdup("To: <sip:gw@127.0.0.1>"),
      g_strdup("Call-ID: call-1@10.0.0.1"),
      g_strdup_printf("CSeq: 1 %s", method),
  };
  GString *msg = g_string_new(NULL);

  g_string_append_printf(msg, "%s sip:gw@127.0.0.1 SIP/2.0\r\n", method);
  for (gsize i = 0; i < G_N_ELEMENTS(lines); i++) {
    if (drop == NULL || !g_str_has_prefix(lines[i], drop)) {
      g_string_append_printf(msg, "%s\r\n", lines[i]);
    }
    g_free(lines[i]);
  }
  if (extra != NULL) {
    g_string_append(msg, extra);
  }
  g_string_append(msg, "Content-Length: 0\r\n\r\n");
  return g_string_free(msg, FALSE);
}

char *sip_canned_options(const char *drop, const char *extra) {
  return sip_canned_request("OPTIONS", "UDP", drop, extra);
}

char *sip_canned_register(const char *aor, const char *call_id, guint cseq,
                          const char *extra) {
  return g_strdup_printf("REGISTER sip:127.0.0.1 SIP/2.0\r\n"
                         "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK-%u;"
                         "rport\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <%s>;tag=f1\r\n"
                         "To: <%s>\r\n"
                         "Call-ID: %s\r\n"
                         "CSeq: %u REGISTER\r\n"
                         "%s"
                         "Content-Length: 0\r\n\r\n",
                         cseq, aor, aor, call_id, cseq, extra);
}

char *sip_canned_invite(const char *request_uri, const char *transport,
                        const char *extra) {
  return g_strdup_printf("INVITE %s SIP/2.0\r\n"
                         "Via: SIP/2.0/%s 10.0.0.1:5070;branch=z9hG4bK-i1;"
                         "rport\r\n"
                         "Max-Forwards: 70\r\n"
                         "From: <sip:alice@10.0.0.1>;tag=a1\r\n"
                         "To: <%s>\r\n"
                         "Call-ID: call-1@10.0.0.1\r\n"
                         "CSeq: 1 INVITE\r\n"
                         "Contact: <sip:alice@10.0.0.1:5070>\r\n"
                         "%s"
                         "Content-Length: 0\r\n\r\n",
                         request_uri, transport, request_uri,
                         extra != NULL ? extra : "");
}

osip_message_t *sip_canned_parse(char *text) {
  osip_message_t *msg = NULL;

  g_assert_cmpint(sip_message_parse((const guint8 *)text, strlen(text), &msg),
                  ==, SIP_REASON_NONE);
  g_free(text);
  return msg;
}
