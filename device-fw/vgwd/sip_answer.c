/* The gateway's answers to SIP requests: see sip_answer.h. */
#include "vgwd/sip_answer.h"

#include "sip_message.h"
#include "vgwd/sip_registrations.h"

/* The status for a request nothing else took. */
static guint status_for(const osip_message_t *req) {
  if (MSG_IS_OPTIONS(req)) {
    return 200;
  }
  if (MSG_IS_INVITE(req)) {
    osip_generic_param_t *tag = NULL;
    /* A re-INVITE of no call (RFC 3261 §12.2.2); a new one nobody took. */
    return req->to != NULL && osip_to_get_tag(req->to, &tag) == 0 ? 481
                                                                   : 404;
  }
  if (MSG_IS_BYE(req) || MSG_IS_CANCEL(req)) {
    return 481; /* no such call or transaction */
  }
  return 501;
}

void vgw_sip_answer(SipTxnLayer *layer, SipTxn *txn,
                    const osip_message_t *req, const SipPeer *from,
                    gpointer data) {
  const VgwSipAnswer *answer = data;

  if (answer->test_extension != NULL &&
      vgw_test_extension_take(answer->test_extension, layer, txn, req,
                              from)) {
    return;
  }
  if (answer->calls != NULL &&
      vgw_call_router_take(answer->calls, layer, txn, req, from)) {
    return;
  }
  if (txn == NULL) {
    return;
  }
  if (MSG_IS_REGISTER(req)) {
    SipClientIdentity identity;
    gboolean verified =
        answer->transport != NULL &&
        vgw_sip_transport_client_identity(answer->transport,
                                          from->connection, &identity);
    vgw_sip_registrations_answer(answer->registrar, txn, req, from,
                                 verified ? &identity : NULL);
    return;
  }
  char *tag = sip_tag_new();
  guint status = status_for(req);
  osip_message_t *resp = status == 200
                             ? sip_response_options_ok(req, tag)
                             : sip_response_new(req, status, NULL, tag);
  g_free(tag);
  g_debug("sip/%s: %s:%u: %s answered %u",
          sip_transport_name(from->transport), from->address, from->port,
          req->sip_method, status);
  if (resp == NULL) {
    /* Out of memory in libosip2: the client retransmits or times out. */
    g_warning("sip: no memory for a response to %s from %s:%u",
              req->sip_method, from->address, from->port);
    return;
  }
  sip_txn_respond(txn, resp);
}
