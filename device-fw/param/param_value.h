/*
 * Typed parameter values: text to value against a descriptor (with the
 * range and type checks), value to ini text, copy, compare, free.
 */
#ifndef VGW_PARAM_VALUE_H
#define VGW_PARAM_VALUE_H

#include "param_types.h"

G_BEGIN_DECLS

/* vgw_param_value_parse converts the |len| bytes at |text| (already
 * unquoted, may contain any bytes) to a value of |desc|'s type and checks
 * it against the descriptor's range. A secret's value becomes its stored
 * form (param_secret.h); a Digest password in clear cannot yet (it needs
 * the realm and user name) and is marked VGW_PARAM_CLEAR_SECRET for
 * vgw_digest_users_seal. On success it stores the value in
 * |*out| (which the caller later clears) and returns TRUE. On failure it
 * returns FALSE, leaves |*out| untouched and sets |*reason| to a newly
 * allocated message such as "value 9 out of range 0..1". */
gboolean vgw_param_value_parse(const VgwParamDesc *desc, const char *text,
                               gsize len, VgwParamValue *out, char **reason);

/* vgw_param_value_format returns |value| as newly allocated text, without
 * quotes, that vgw_param_value_parse turns back into an equal value. */
char *vgw_param_value_format(const VgwParamDesc *desc,
                             const VgwParamValue *value);

/* vgw_param_value_display returns |value| as newly allocated text to show
 * a person: the ini text, or VGW_SECRET_MASK for a secret. */
char *vgw_param_value_display(const VgwParamDesc *desc,
                              const VgwParamValue *value);

/* vgw_param_value_equal reports whether |a| and |b| are the same value. */
gboolean vgw_param_value_equal(const VgwParamValue *a, const VgwParamValue *b);

/* vgw_param_value_copy sets |*dst| (uninitialised) to a deep copy of |src|. */
void vgw_param_value_copy(VgwParamValue *dst, const VgwParamValue *src);

/* vgw_param_value_clear frees what |value| owns and zeroes it. */
void vgw_param_value_clear(VgwParamValue *value);

/* vgw_param_value_is_text reports whether |desc|'s values are strings,
 * which ini files and exports quote. */
gboolean vgw_param_value_is_text(const VgwParamDesc *desc);

/* vgw_param_printable returns at most |max| bytes of |text| (|len| bytes)
 * as a newly allocated string safe to print in a message: bytes outside
 * printable ASCII become \xNN, and "..." marks a cut. */
char *vgw_param_printable(const char *text, gsize len, gsize max);

G_END_DECLS

#endif /* VGW_PARAM_VALUE_H */
