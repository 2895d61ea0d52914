/*
 * The parameter and configuration-state verbs of the maintenance port
 * (docs/maintenance-protocol.md, "Configuration verbs"): param-get,
 * param-set, pending, save, factory-reset and reset [save],
 * each in machine mode (a JSON object) and human mode (text). Tables and
 * ini files have their own sets (mgmt_table_verbs.h, mgmt_ini_verbs.h).
 * They work on a VgwConfigState and do no I/O of their own, so they are
 * unit-testable over a memory flash.
 */
#ifndef VGW_MGMT_CONFIG_VERBS_H
#define VGW_MGMT_CONFIG_VERBS_H

#include "mgmt/mgmt_verb.h"

G_BEGIN_DECLS

/* vgw_config_verb_set: add it with the VgwConfigState as data. */
extern const VgwMgmtVerbSet vgw_config_verb_set;

G_END_DECLS

#endif /* VGW_MGMT_CONFIG_VERBS_H */
