/* KeepAliveFailureResp parsing (failure_codes.h); the check of a whole
 * configuration is in test_ini_errors.c. */
#include "failure_codes.h"

static void test_parse(void) {
  VgwFailureCodes codes = {0};
  GError *error = NULL;

  g_assert_true(vgw_failure_codes_parse(" 503, 404 ,407", &codes, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(codes.n, ==, 3);
  g_assert_cmpuint(codes.codes[0], ==, 503);
  g_assert_cmpuint(codes.codes[1], ==, 404);
  g_assert_cmpuint(codes.codes[2], ==, 407);
  g_assert_true(vgw_failure_codes_parse(" ", &codes, &error));
  g_assert_cmpuint(codes.n, ==, 0);
}

static void test_refused(void) {
  const struct {
    const char *text;
    const char *message;
  } bad[] = {
      {"200", "'200' is not a SIP failure code (300-699)"},
      {"503,", "'' is not a SIP failure code (300-699)"},
      {"5o3", "'5o3' is not a SIP failure code (300-699)"},
      {"700", "'700' is not a SIP failure code (300-699)"},
      {"+503", "'+503' is not a SIP failure code (300-699)"},
      {"404,407,408,503", "more than 3 codes"},
  };
  VgwFailureCodes codes = {1, {486}};

  for (gsize k = 0; k < G_N_ELEMENTS(bad); k++) {
    GError *error = NULL;
    g_assert_false(vgw_failure_codes_parse(bad[k].text, &codes, &error));
    g_assert_error(error, VGW_PARAM_ERROR, VGW_PARAM_ERROR_VALUE);
    g_assert_cmpstr(error->message, ==, bad[k].message);
    g_error_free(error);
    /* A refused text leaves the codes alone. */
    g_assert_cmpuint(codes.n, ==, 1);
    g_assert_cmpuint(codes.codes[0], ==, 486);
  }
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/failure-codes/parse", test_parse);
  g_test_add_func("/failure-codes/refused", test_refused);
  return g_test_run();
}
