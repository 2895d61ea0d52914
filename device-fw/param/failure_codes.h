/*
 * ProxySet KeepAliveFailureResp: the SIP codes that mark a proxy down when
 * they answer its OPTIONS keep-alive (gateway-spec.md §3.2). Parsed here,
 * once, for the configuration check (an ini load or `vgw ini check`
 * refuses a bad value, naming the row) and for vgwd's Proxy Sets, which
 * read the value of a configuration that passed that check.
 */
#ifndef VGW_PARAM_FAILURE_CODES_H
#define VGW_PARAM_FAILURE_CODES_H

#include "param_config.h"

G_BEGIN_DECLS

/* At most this many codes (the manuals' limit). */
#define VGW_FAILURE_CODES_MAX 3

typedef struct {
  guint n;
  guint codes[VGW_FAILURE_CODES_MAX];
} VgwFailureCodes;

/* vgw_failure_codes_parse reads |text|: up to VGW_FAILURE_CODES_MAX
 * comma-separated codes of final responses that are not success (300 to
 * 699; the manuals forbid 200), blanks around each allowed, empty for
 * none. Fills |out|, or returns FALSE with |error| (VGW_PARAM_ERROR_VALUE)
 * saying what is wrong, |out| untouched. */
gboolean vgw_failure_codes_parse(const char *text, VgwFailureCodes *out,
                                 GError **error);

/* vgw_failure_codes_check refuses a configuration one of whose ProxySet
 * rows has a KeepAliveFailureResp that does not parse: |error| is
 * "FILE:LINE: ProxySet N: KeepAliveFailureResp: <why>"
 * (VGW_PARAM_ERROR_VALUE). Part of vgw_param_config_validate(). */
gboolean vgw_failure_codes_check(const VgwParamConfig *cfg,
                                 const char *file_name, GError **error);

G_END_DECLS

#endif /* VGW_PARAM_FAILURE_CODES_H */
