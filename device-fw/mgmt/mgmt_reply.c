/* Verb replies: see mgmt_reply.h. */
#include "mgmt/mgmt_reply.h"

#include <string.h>

#include "mgmt/mgmt_proto.h"

void vgw_reply_fail(VgwMgmtReply *out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  out->ok = FALSE;
  g_free(out->body);
  out->body = g_strdup_vprintf(fmt, ap);
  va_end(ap);
}

void vgw_reply_usage_note(const VgwMgmtCall *call, VgwMgmtReply *out,
                          const char *note) {
  const char *usage = call->verb->usage;
  vgw_reply_fail(out, "usage: %s%s%s%s%s%s", call->verb->name,
                 usage[0] != '\0' ? " " : "", usage, note ? " (" : "",
                 note ? note : "", note ? ")" : "");
}

void vgw_reply_usage(const VgwMgmtCall *call, VgwMgmtReply *out) {
  vgw_reply_usage_note(call, out, NULL);
}

void vgw_reply_ok(VgwMgmtReply *out, GString *body) {
  out->ok = TRUE;
  g_free(out->body);
  out->body = g_string_free(body, FALSE);
}

void vgw_reply_done(const VgwMgmtCall *call, VgwMgmtReply *out,
                    const char *text) {
  vgw_reply_ok(out, g_string_new(call->human ? text : "{}"));
}

void vgw_mgmt_reply_clear(VgwMgmtReply *r) {
  g_free(r->body);
  memset(r, 0, sizeof(*r));
}

void vgw_json_key(GString *j, const char *key) {
  char last = j->len ? j->str[j->len - 1] : '{';
  if (last != '{' && last != '[') {
    g_string_append_c(j, ',');
  }
  vgw_mgmt_json_append_string(j, key);
  g_string_append_c(j, ':');
}

void vgw_json_str(GString *j, const char *key, const char *value) {
  vgw_json_key(j, key);
  vgw_mgmt_json_append_string(j, value);
}

void vgw_json_uint(GString *j, const char *key, guint64 value) {
  vgw_json_key(j, key);
  g_string_append_printf(j, "%" G_GUINT64_FORMAT, value);
}

void vgw_json_uint_or_null(GString *j, const char *key, guint64 value,
                           gboolean present) {
  if (present) {
    vgw_json_uint(j, key, value);
  } else {
    vgw_json_key(j, key);
    g_string_append(j, "null");
  }
}

void vgw_json_bool(GString *j, const char *key, gboolean value) {
  vgw_json_key(j, key);
  g_string_append(j, value ? "true" : "false");
}
