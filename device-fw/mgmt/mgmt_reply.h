/*
 * Building verb replies (mgmt_verb.h): success and failure, usage errors
 * from the verb's table row, and the firmware's one set of JSON writers
 * (the verb modules and the status renderer, mgmt_status.c, use them).
 */
#ifndef VGW_MGMT_REPLY_H
#define VGW_MGMT_REPLY_H

#include <glib.h>

#include "mgmt/mgmt_verb.h"

G_BEGIN_DECLS

/* vgw_reply_fail sets |out| to an error with the printf-style message. */
void vgw_reply_fail(VgwMgmtReply *out, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* vgw_reply_usage sets |out| to "usage: VERB USAGE" from |call|'s row. */
void vgw_reply_usage(const VgwMgmtCall *call, VgwMgmtReply *out);

/* vgw_reply_usage_note is vgw_reply_usage followed by " (NOTE)". */
void vgw_reply_usage_note(const VgwMgmtCall *call, VgwMgmtReply *out,
                          const char *note);

/* vgw_reply_ok sets |out| to success with |body| (taken: a JSON object in
 * machine mode, text in human mode). */
void vgw_reply_ok(VgwMgmtReply *out, GString *body);

/* vgw_reply_done answers a verb that has nothing to report: "{}" in
 * machine mode, |text| in human mode. */
void vgw_reply_done(const VgwMgmtCall *call, VgwMgmtReply *out,
                    const char *text);

/* vgw_mgmt_reply_clear frees what |r| owns and zeroes it. */
void vgw_mgmt_reply_clear(VgwMgmtReply *r);

/* vgw_json_key appends ,"key": (no comma right after '{' or '['). */
void vgw_json_key(GString *j, const char *key);

/* vgw_json_str appends "key":"value" (value NULL gives null). */
void vgw_json_str(GString *j, const char *key, const char *value);

/* vgw_json_uint appends "key":value. */
void vgw_json_uint(GString *j, const char *key, guint64 value);

/* vgw_json_uint_or_null appends "key":value when |present|, else
 * "key":null (a value that does not exist, not a zero). */
void vgw_json_uint_or_null(GString *j, const char *key, guint64 value,
                           gboolean present);

/* vgw_json_bool appends "key":true or "key":false. */
void vgw_json_bool(GString *j, const char *key, gboolean value);

G_END_DECLS

#endif /* VGW_MGMT_REPLY_H */
