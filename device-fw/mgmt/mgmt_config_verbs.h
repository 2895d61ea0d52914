/*
 * The configuration verbs of the maintenance port
 * (docs/maintenance-protocol.md, "Configuration verbs"): param-get/-set,
 * table-show/-set/-delete, upload-begin/-chunk, ini-load/-check/-export,
 * pending, save, factory-reset and reset [save] [graceful S], each in
 * machine mode (a JSON object) and human mode (text). They work on a
 * VgwConfigState and do no I/O of their own, so they are unit-testable
 * over a memory flash. Installed with vgw_mgmt_session_set_verbs.
 */
#ifndef VGW_MGMT_CONFIG_VERBS_H
#define VGW_MGMT_CONFIG_VERBS_H

#include <glib.h>

#include "mgmt/mgmt_session.h"
#include "config/config_state.h"

G_BEGIN_DECLS

/* VGW_UPLOAD_CHUNK_MAX is the most base64 characters in one upload-chunk. */
#define VGW_UPLOAD_CHUNK_MAX 3000

/* VGW_UPLOAD_MAX is the most bytes an upload may hold in all. */
#define VGW_UPLOAD_MAX (1024 * 1024)

typedef struct VgwConfigVerbs VgwConfigVerbs;

/* vgw_config_verbs_new returns the verbs over |cs| (not owned), with no
 * upload in progress. */
VgwConfigVerbs *vgw_config_verbs_new(VgwConfigState *cs);

/* vgw_config_verbs_free releases |v|; NULL allowed. */
void vgw_config_verbs_free(VgwConfigVerbs *v);

/* vgw_config_verbs_handle is a VgwMgmtVerbFunc: |user_data| is the
 * VgwConfigVerbs. A refused request changes nothing. */
gboolean vgw_config_verbs_handle(char **argv, gboolean human,
                                 VgwMgmtReply *out, gpointer user_data);

G_END_DECLS

#endif /* VGW_MGMT_CONFIG_VERBS_H */
