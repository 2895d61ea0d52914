/*
 * Parameter types and descriptors: the vocabulary shared by the registry,
 * the configuration model and the ini parser. Descriptors are static data;
 * nothing here allocates.
 */
#ifndef VGW_PARAM_TYPES_H
#define VGW_PARAM_TYPES_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VGW_PARAM_INTEGER,   /* signed integer in [min, max] */
  VGW_PARAM_ENUM,      /* one of |enum_values| */
  VGW_PARAM_STRING,    /* text of at most |max| bytes */
  VGW_PARAM_IPV4,      /* dotted quad; empty text means 0.0.0.0 */
  VGW_PARAM_FILE_NAME, /* bare file name of at most |max| bytes, or empty */
} VgwParamType;

typedef struct {
  gint64 value;
  const char *label;
} VgwParamEnumValue;

/* How a write-only STRING is kept (param_secret.h). */
typedef enum {
  VGW_SECRET_NONE,       /* not a secret */
  VGW_SECRET_LOGIN,      /* a salted PBKDF2 hash */
  VGW_SECRET_DIGEST_HA1, /* Digest HA1s bound to a realm and user name */
} VgwSecretKind;

/* VgwParamDesc describes one global parameter or one table column. */
typedef struct {
  const char *name;
  const char *group;         /* globals: section in docs and exports */
  VgwParamType type;
  gint64 min, max;           /* INTEGER: range; STRING/FILE_NAME: max = length */
  const VgwParamEnumValue *enum_values;
  gsize n_enum_values;
  const char *default_text;  /* the default, as ini text (unquoted) */
  gboolean reset_needed;     /* takes effect only after a device reset */
  const char *description;   /* one line */
  const char *note;          /* firmware-version differences; may be NULL */
  /* Write-only (STRING only): held, exported and stored in the stored
   * form of its kind, shown masked (param_secret.h); |max| bounds the
   * clear text. */
  VgwSecretKind secret;
  /* References (table columns only): a STRING column names a row of
   * |ref_table| by its name column, an INTEGER column gives its index.
   * Empty text / -1 means "none" unless |ref_required|. */
  const char *ref_table;
  gboolean ref_required;
} VgwParamDesc;

/* VgwTableDesc describes one ini table. Rows are keyed by "Index". */
typedef struct {
  const char *name;
  const char *description;
  guint max_rows;                /* valid indexes are 0 .. max_rows-1 */
  const VgwParamDesc *columns;
  gsize n_columns;
  int name_column;               /* column other rows refer to, or -1 */
  gboolean row0_permanent;       /* row 0 always exists (TLSContexts) */
} VgwTableDesc;

/* VgwParamValue is a typed value. INTEGER, ENUM and IPV4 (host byte
 * order) use |num|; STRING and FILE_NAME use |str| (never NULL for them)
 * and |num| 0, or VGW_PARAM_CLEAR_SECRET while |str| is a Digest password
 * in clear that vgw_digest_users_seal (digest_users.h) has yet to replace
 * by its stored form. */
#define VGW_PARAM_CLEAR_SECRET 1
typedef struct {
  gint64 num;
  char *str;
} VgwParamValue;

G_END_DECLS

#endif /* VGW_PARAM_TYPES_H */
