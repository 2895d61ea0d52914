/* Shared by vgwd's unit tests: see vgwd_test_util.h. */
#include "tests/vgwd_test_util.h"

#include "sip_message.h"

VgwConfigState *vgwd_test_config_new(void) {
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "config: no configuration flash*");
  VgwConfigState *config = vgw_config_state_open(NULL);
  g_test_assert_expected_messages();
  return config;
}

GPtrArray *vgwd_test_sent_new(void) {
  return g_ptr_array_new_with_free_func((GDestroyNotify)osip_message_free);
}

gboolean vgwd_test_keep_sent(const SipPeer *to, const char *bytes, gsize len,
                             gpointer data) {
  GPtrArray *sent = *(GPtrArray **)data;
  osip_message_t *msg = NULL;

  g_assert_cmpint(sip_message_parse((const guint8 *)bytes, len, &msg), ==,
                  SIP_REASON_NONE);
  g_ptr_array_add(sent, msg);
  return TRUE;
}
