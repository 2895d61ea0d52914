/*
 * What the gateway answers SIP requests with: first the test extension
 * takes what is its own (test_extension.h: calls to TestCallNumber), then
 * the call router (call_router.h) new INVITEs, which it routes or refuses,
 * and every request of a call it routed. Then OPTIONS, whatever its
 * Request-URI, is for the gateway itself and gets 200 with Allow,
 * Supported and Accept (sip_response_options_ok()); a re-INVITE (To
 * tag) of no call 481, any other INVITE 404 Not Found; REGISTER goes to
 * the registrar (sip_registrations.h); a BYE or CANCEL 481 (no such
 * call); every other request 501 Not Implemented. An ACK to a 2xx of no
 * call is dropped.
 */
#ifndef VGW_VGWD_SIP_ANSWER_H
#define VGW_VGWD_SIP_ANSWER_H

#include "sip_registrar.h"
#include "sip_txn.h"
#include "vgwd/call_router.h"
#include "vgwd/sip_transport.h"
#include "vgwd/test_extension.h"

G_BEGIN_DECLS

/* What the answers come from: vgw_sip_answer()'s |data|. */
typedef struct {
  SipRegistrar *registrar;
  VgwTestExtension *test_extension; /* NULL: none */
  VgwCallRouter *calls;              /* NULL: INVITEs get 404 */
  VgwSipTransport *transport; /* the connections' TLS client certificates
                               * for the registrar; NULL: none */
} VgwSipAnswer;

/* vgw_sip_answer answers |req| in |txn|, as above: a VgwSipRequestFunc
 * (sip_transport.h) with a VgwSipAnswer as |data|. */
void vgw_sip_answer(SipTxnLayer *layer, SipTxn *txn,
                    const osip_message_t *req, const SipPeer *from,
                    gpointer data);

G_END_DECLS

#endif /* VGW_VGWD_SIP_ANSWER_H */
