/*
 * libFuzzer target for the ini loader and validator (device-fw/param).
 * Built by run-fuzz.sh with clang straight from the library sources.
 *
 * Beyond "no crash, no leak, no undefined behaviour" it checks two
 * properties on every input:
 *   - a rejected load leaves the configuration unchanged;
 *   - an accepted configuration exports to a file that loads back to an
 *     equal configuration, and that export is stable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "param_ini.h"

static void must(gboolean cond, const char *what) {
  if (!cond) {
    g_printerr("fuzz_ini: property violated: %s\n", what);
    abort();
  }
}

static void round_trip(const VgwParamConfig *cfg) {
  char *text = vgw_ini_export(cfg);
  VgwParamConfig *back = vgw_param_config_new();
  GError *error = NULL;
  if (!vgw_ini_load(back, text, strlen(text), "export.ini", VGW_INI_FULL,
                    NULL, &error)) {
    g_printerr("fuzz_ini: export does not load: %s\n", error->message);
    abort();
  }
  must(vgw_param_config_equal(cfg, back), "export loads back equal");
  char *again = vgw_ini_export(back);
  must(strcmp(text, again) == 0, "export is stable");
  g_free(again);
  g_free(text);
  vgw_param_config_free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  /* The first byte picks the mode, so both paths are explored. */
  VgwIniLoadMode mode = size > 0 && (data[0] & 1) ? VGW_INI_INCREMENTAL
                                                 : VGW_INI_FULL;
  VgwParamConfig *cfg = vgw_param_config_new();
  VgwParamConfig *before = vgw_param_config_copy(cfg);
  GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
  GError *error = NULL;
  gboolean ok = vgw_ini_load(cfg, (const char *)data, size, "fuzz.ini", mode,
                             warnings, &error);
  if (ok) {
    must(error == NULL, "no error on success");
    must(vgw_param_config_validate(cfg, NULL, NULL), "loaded config valid");
    round_trip(cfg);
  } else {
    must(error != NULL && error->message[0] != '\0', "error has a message");
    must(vgw_param_config_equal(cfg, before), "nothing applied on error");
    g_error_free(error);
  }
  g_ptr_array_unref(warnings);
  vgw_param_config_free(before);
  vgw_param_config_free(cfg);
  return 0;
}
