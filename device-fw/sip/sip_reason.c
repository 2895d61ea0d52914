/* The reason table: names, sentences and statuses of SipReason. */
#include "sip_reason.h"

typedef struct {
  const char *name;
  const char *text;
  guint status;
} SipReasonInfo;

static const SipReasonInfo sip_reasons[SIP_REASON_COUNT] = {
  [SIP_REASON_NONE] = {"none", "Accepted", 0},
  [SIP_REASON_MESSAGE_TOO_LARGE] =
      {"message-too-large", "Message Too Large", 413},
  [SIP_REASON_TOO_MANY_HEADERS] =
      {"too-many-headers", "Too Many Header Fields", 400},
  [SIP_REASON_HEADER_TOO_LONG] =
      {"header-too-long", "Header Field Too Long", 400},
  [SIP_REASON_NUL_IN_HEADERS] =
      {"nul-in-headers", "NUL Byte In Header Section", 400},
  [SIP_REASON_BAD_LINE_ENDING] =
      {"bad-line-ending", "Line Not Ended By CRLF", 400},
  [SIP_REASON_BAD_FOLDING] =
      {"bad-folding", "Continuation Line Without Header Field", 400},
  [SIP_REASON_HEADERS_UNTERMINATED] =
      {"headers-unterminated", "Header Section Not Terminated", 400},
  [SIP_REASON_CONTENT_LENGTH_MISSING] =
      {"content-length-missing", "Missing Content-Length header", 400},
  [SIP_REASON_CONTENT_LENGTH_INVALID] =
      {"content-length-invalid", "Invalid Content-Length header", 400},
  [SIP_REASON_CONTENT_LENGTH_MISMATCH] =
      {"content-length-mismatch", "Content-Length Exceeds Body", 400},
  [SIP_REASON_UNPARSEABLE] = {"unparseable", "Unparseable Message", 0},
  [SIP_REASON_BAD_VERSION] =
      {"bad-version", "SIP Version Not Supported", 505},
  [SIP_REASON_MISSING_VIA] = {"missing-via", "Missing Via header", 0},
  [SIP_REASON_BAD_VIA] = {"bad-via", "Invalid Via header", 0},
  [SIP_REASON_MISSING_FROM] = {"missing-from", "Missing From header", 400},
  [SIP_REASON_BAD_FROM] = {"bad-from", "Invalid From header", 400},
  [SIP_REASON_MISSING_TO] = {"missing-to", "Missing To header", 400},
  [SIP_REASON_BAD_TO] = {"bad-to", "Invalid To header", 400},
  [SIP_REASON_MISSING_CALL_ID] =
      {"missing-call-id", "Missing Call-ID header", 400},
  [SIP_REASON_BAD_CALL_ID] = {"bad-call-id", "Invalid Call-ID header", 400},
  [SIP_REASON_MISSING_CSEQ] = {"missing-cseq", "Missing CSeq header", 400},
  [SIP_REASON_BAD_CSEQ] = {"bad-cseq", "Invalid CSeq number", 400},
  [SIP_REASON_CSEQ_METHOD_MISMATCH] =
      {"cseq-method-mismatch", "CSeq Method Does Not Match Request", 400},
  [SIP_REASON_MISSING_MAX_FORWARDS] =
      {"missing-max-forwards", "Missing Max-Forwards header", 400},
  [SIP_REASON_BAD_MAX_FORWARDS] =
      {"bad-max-forwards", "Invalid Max-Forwards header", 400},
  [SIP_REASON_TOO_MANY_HOPS] = {"too-many-hops", "Too Many Hops", 483},
};

static const SipReasonInfo *sip_reason_info(SipReason reason) {
  if ((guint)reason >= SIP_REASON_COUNT) {
    return NULL;
  }
  return &sip_reasons[reason];
}

const char *sip_reason_name(SipReason reason) {
  const SipReasonInfo *info = sip_reason_info(reason);
  return info ? info->name : "?";
}

const char *sip_reason_text(SipReason reason) {
  const SipReasonInfo *info = sip_reason_info(reason);
  return info ? info->text : "Unknown Reason";
}

guint sip_reason_status(SipReason reason) {
  const SipReasonInfo *info = sip_reason_info(reason);
  return info ? info->status : 0;
}
