/* tlsd_report_write: either report, to a FILE, in pieces. */
#include "report.h"

/* Output is handed to stdio once this much has gathered. */
#define FLUSH_AT 65536

static gboolean
flush_to(FILE *out, GString *s)
{
  gboolean ok = fwrite(s->str, 1, s->len, out) == s->len;

  g_string_truncate(s, 0);
  return ok;
}

gboolean
tlsd_report_write(FILE *out, gboolean json, const TlsdResult *result, const char *file_name,
                  const GPtrArray *shown)
{
  g_autoptr(GString) s = g_string_sized_new(FLUSH_AT + 16384);

  if (json)
    tlsd_report_json_head(s, result, file_name);
  else
    tlsd_report_text_head(s, result, file_name, shown);
  for (guint i = 0; i < shown->len; i++) {
    const TlsdHandshake *hs = g_ptr_array_index(shown, i);
    if (json) {
      if (i > 0)
        g_string_append_c(s, ',');
      /* The index is the position in the whole file, filtered or not. */
      tlsd_handshake_json(s, hs, hs->index);
    } else {
      tlsd_handshake_text(s, hs);
    }
    if (s->len >= FLUSH_AT && !flush_to(out, s))
      return FALSE;
  }
  if (json)
    g_string_append(s, TLSD_REPORT_JSON_SIP_HEAD);
  for (guint i = 0; i < result->sip_flows->len; i++) {
    const TlsdSipFlow *flow = g_ptr_array_index(result->sip_flows, i);
    if (json) {
      if (i > 0)
        g_string_append_c(s, ',');
      tlsd_sip_flow_json(s, flow, i + 1);
    } else {
      tlsd_sip_flow_text(s, flow, i + 1);
    }
    if (s->len >= FLUSH_AT && !flush_to(out, s))
      return FALSE;
  }
  if (json)
    g_string_append(s, TLSD_REPORT_JSON_TAIL "\n");
  return flush_to(out, s);
}
