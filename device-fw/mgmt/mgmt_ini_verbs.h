/*
 * The upload and ini verbs of the maintenance port
 * (docs/maintenance-protocol.md, "Configuration verbs"): upload-begin,
 * upload-chunk, ini-load, ini-check, ini-export. The uploaded text belongs
 * to the session: it is dropped when the session ends. A load goes into a
 * copy of the staged configuration, so a rejected one changes nothing.
 */
#ifndef VGW_MGMT_INI_VERBS_H
#define VGW_MGMT_INI_VERBS_H

#include "mgmt/mgmt_verb.h"
#include "config/config_state.h"

G_BEGIN_DECLS

/* VGW_UPLOAD_CHUNK_MAX is the most base64 characters in one upload-chunk. */
#define VGW_UPLOAD_CHUNK_MAX 3000

/* VGW_UPLOAD_MAX is the most bytes an upload may hold in all. */
#define VGW_UPLOAD_MAX (1024 * 1024)

/* VGW_INI_ALLOW_EMPTY is the ini-load argument that lets a full load of a
 * file with no parameter and no table reset everything to defaults. */
#define VGW_INI_ALLOW_EMPTY "allow-empty"

typedef struct VgwIniVerbs VgwIniVerbs;

/* vgw_ini_verbs_new returns the verbs over |cs| (not owned), with no
 * upload in progress. */
VgwIniVerbs *vgw_ini_verbs_new(VgwConfigState *cs);

/* vgw_ini_verbs_free releases |v|; NULL allowed. */
void vgw_ini_verbs_free(VgwIniVerbs *v);

/* vgw_ini_verb_set: add it with a VgwIniVerbs as data. */
extern const VgwMgmtVerbSet vgw_ini_verb_set;

G_END_DECLS

#endif /* VGW_MGMT_INI_VERBS_H */
