/* For unit tests: a configuration made from ini text. */
#ifndef VGW_PARAM_TESTS_CONFIG_FIXTURE_H
#define VGW_PARAM_TESTS_CONFIG_FIXTURE_H

#include <string.h>

#include "param_ini.h"

/* test_config returns the factory configuration with |ini| loaded on top
 * (incrementally); a file the loader refuses fails the test. */
static inline VgwParamConfig *test_config(const char *ini) {
  VgwParamConfig *cfg = vgw_param_config_new();
  GError *error = NULL;

  g_assert_true(vgw_ini_load(cfg, ini, strlen(ini), "t.ini",
                             VGW_INI_INCREMENTAL, NULL, &error));
  g_assert_no_error(error);
  return cfg;
}

#endif /* VGW_PARAM_TESTS_CONFIG_FIXTURE_H */
