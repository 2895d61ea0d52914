/*
 * The table verbs of the maintenance port (docs/maintenance-protocol.md,
 * "Configuration verbs"): table-show, table-set, table-delete over the
 * staged configuration of a VgwConfigState. Changes are made on a copy and
 * validated as a whole (references) before it replaces staged, so a
 * refused request changes nothing.
 */
#ifndef VGW_MGMT_TABLE_VERBS_H
#define VGW_MGMT_TABLE_VERBS_H

#include "mgmt/mgmt_verb.h"

G_BEGIN_DECLS

/* vgw_table_verb_set: add it with the VgwConfigState as data. */
extern const VgwMgmtVerbSet vgw_table_verb_set;

G_END_DECLS

#endif /* VGW_MGMT_TABLE_VERBS_H */
