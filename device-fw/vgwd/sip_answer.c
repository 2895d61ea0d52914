/* The gateway's answers to SIP requests: see sip_answer.h. */
#include "vgwd/sip_answer.h"

#include "sip_message.h"
#include "vgwd/sip_registrations.h"

void vgw_sip_answer(SipTxnLayer *layer, SipTxn *txn,
                    const osip_message_t *req, const SipPeer *from,
                    gpointer data) {
  const VgwSipAnswer *answer = data;

  if (txn == NULL) {
    return;
  }
  if (MSG_IS_REGISTER(req)) {
    vgw_sip_registrations_answer(answer->registrar, txn, req, from);
    return;
  }
  char *tag = sip_tag_new();
  osip_message_t *resp = MSG_IS_OPTIONS(req)
                             ? sip_response_options_ok(req, tag)
                             : sip_response_new(req, 501, NULL, tag);
  g_free(tag);
  g_debug("sip/%s: %s:%u: %s answered %u",
          sip_transport_name(from->transport), from->address, from->port,
          req->sip_method, MSG_IS_OPTIONS(req) ? 200 : 501);
  if (resp == NULL) {
    /* Out of memory in libosip2: the client retransmits or times out. */
    g_warning("sip: no memory for a response to %s from %s:%u",
              req->sip_method, from->address, from->port);
    return;
  }
  sip_txn_respond(txn, resp);
}
