/*
 * Helpers shared by the configuration verb files (mgmt_config_verbs.c,
 * mgmt_table_verbs.c, mgmt_ini_verbs.c): building replies. Internal to
 * device-fw/mgmt.
 */
#ifndef VGW_MGMT_CONFIG_REPLY_H
#define VGW_MGMT_CONFIG_REPLY_H

#include <glib.h>

#include "mgmt/mgmt_session.h"
#include "config/config_state.h"

G_BEGIN_DECLS

/* vgw_reply_fail sets |out| to an error with the printf-style message. */
void vgw_reply_fail(VgwMgmtReply *out, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* vgw_reply_ok sets |out| to success with |body| (taken: a JSON object in
 * machine mode, text in human mode). */
void vgw_reply_ok(VgwMgmtReply *out, GString *body);

/* vgw_json_key appends ,"key": (no comma right after '{' or '['). */
void vgw_json_key(GString *j, const char *key);

/* vgw_json_str appends "key":"value" (value NULL gives null). */
void vgw_json_str(GString *j, const char *key, const char *value);

/* vgw_reset_changes reports whether a reset-needed global differs
 * between |a| and |b|: a change that waits for a reset. */
gboolean vgw_reset_changes(const VgwParamConfig *a, const VgwParamConfig *b);

/* Table verbs (mgmt_table_verbs.c): argv[0] is the verb. */
void vgw_verb_table_show(VgwConfigState *cs, char **argv, gboolean human,
                         VgwMgmtReply *out);
void vgw_verb_table_set(VgwConfigState *cs, char **argv, gboolean human,
                        VgwMgmtReply *out);
void vgw_verb_table_delete(VgwConfigState *cs, char **argv, gboolean human,
                           VgwMgmtReply *out);

/* VgwUpload is the text being uploaded (upload-begin, upload-chunk). */
typedef struct {
  gboolean active;  /* upload-begin seen */
  GByteArray *data; /* decoded bytes so far */
} VgwUpload;

/* Upload and ini verbs (mgmt_ini_verbs.c). */
void vgw_verb_upload_begin(VgwUpload *up, char **argv, gboolean human,
                           VgwMgmtReply *out);
void vgw_verb_upload_chunk(VgwUpload *up, char **argv, gboolean human,
                           VgwMgmtReply *out);
void vgw_verb_ini_load(VgwConfigState *cs, VgwUpload *up, char **argv,
                       gboolean human, VgwMgmtReply *out);
void vgw_verb_ini_check(VgwConfigState *cs, VgwUpload *up, char **argv,
                        gboolean human, VgwMgmtReply *out);
void vgw_verb_ini_export(VgwConfigState *cs, char **argv, gboolean human,
                         VgwMgmtReply *out);

G_END_DECLS

#endif /* VGW_MGMT_CONFIG_REPLY_H */
