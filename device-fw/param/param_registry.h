/*
 * The parameter registry: every global parameter and every table the
 * gateway knows, in one static table (registry.c). The firmware, the host
 * tool, the ini parser and the document generator all read it from here.
 * Name lookups are ASCII case-insensitive, as on the real device.
 */
#ifndef VGW_PARAM_REGISTRY_H
#define VGW_PARAM_REGISTRY_H

#include "param_types.h"

G_BEGIN_DECLS

/* Indexes of the tables in the registry, in dependency order: a table only
 * refers to tables before it. */
enum {
  VGW_TABLE_TLS_CONTEXTS,
  VGW_TABLE_SIP_INTERFACE,
  VGW_TABLE_PROXY_SET,
  VGW_TABLE_PROXY_IP,
  VGW_TABLE_IP_GROUP,
  VGW_TABLE_USER_INFO,
  VGW_TABLE_DNS2IP,
  VGW_TABLE_COUNT
};

/* vgw_param_global_count returns the number of global parameters. */
gsize vgw_param_global_count(void);

/* vgw_param_global returns global parameter |i|, which must be below
 * vgw_param_global_count(). */
const VgwParamDesc *vgw_param_global(gsize i);

/* vgw_param_find_global looks up the global parameter named by the |len|
 * bytes at |name| and returns its index, or -1 if there is none. */
gssize vgw_param_find_global(const char *name, gsize len);

/* vgw_param_table returns table |t|, which must be below VGW_TABLE_COUNT. */
const VgwTableDesc *vgw_param_table(gsize t);

/* vgw_param_find_table returns the index of the table named by the |len|
 * bytes at |name|, or -1. */
gssize vgw_param_find_table(const char *name, gsize len);

/* vgw_param_find_column returns the index of column |name| (|len| bytes,
 * bare "Column" or prefixed "Table_Column") in |table|, or -1. */
gssize vgw_param_find_column(const VgwTableDesc *table, const char *name,
                             gsize len);

/* vgw_param_type_name returns a short human name for |type|. */
const char *vgw_param_type_name(VgwParamType type);

G_END_DECLS

#endif /* VGW_PARAM_REGISTRY_H */
