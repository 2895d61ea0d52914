/*
 * What the gateway answers SIP requests with, until it routes calls and
 * registers users (issue 10): OPTIONS, whatever its Request-URI, is for the
 * gateway itself and gets 200 with Allow, Supported and Accept
 * (sip_response_options_ok()); REGISTER goes to the registrar
 * (sip_registrations.h); every other request gets 501 Not Implemented. An ACK to a 2xx has nothing to answer (none is sent yet).
 */
#ifndef VGW_VGWD_SIP_ANSWER_H
#define VGW_VGWD_SIP_ANSWER_H

#include "sip_registrar.h"
#include "sip_txn.h"

G_BEGIN_DECLS

/* What the answers come from: vgw_sip_answer()'s |data|. */
typedef struct {
  SipRegistrar *registrar;
} VgwSipAnswer;

/* vgw_sip_answer answers |req| in |txn| at once, as above: a
 * VgwSipRequestFunc (sip_transport.h) with a VgwSipAnswer as |data|. */
void vgw_sip_answer(SipTxnLayer *layer, SipTxn *txn,
                    const osip_message_t *req, const SipPeer *from,
                    gpointer data);

G_END_DECLS

#endif /* VGW_VGWD_SIP_ANSWER_H */
