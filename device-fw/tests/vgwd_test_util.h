/* What the unit tests of vgwd's SIP parts share: the factory configuration
 * without a flash, and the messages a SipTxnLayer sends, kept parsed. */
#ifndef VGW_TESTS_VGWD_TEST_UTIL_H
#define VGW_TESTS_VGWD_TEST_UTIL_H

#include <glib.h>

#include "config/config_state.h"
#include "sip_txn.h"

/* A configuration state on no flash (the factory configuration), with
 * the warning that says so expected and checked. */
VgwConfigState *vgwd_test_config_new(void);

/* A GPtrArray for vgwd_test_keep_sent(), freeing its messages. */
GPtrArray *vgwd_test_sent_new(void);

/* A SipTxnCallbacks.send that parses what the layer sends (it must parse)
 * and appends the osip_message_t to a vgwd_test_sent_new() array: the
 * layer's user data must start with that GPtrArray * (the first member
 * of the test's fixture). */
gboolean vgwd_test_keep_sent(const SipPeer *to, const char *bytes, gsize len,
                             gpointer data);

#endif /* VGW_TESTS_VGWD_TEST_UTIL_H */
