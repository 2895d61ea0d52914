/*
 * The test extension: a number (parameter TestCallNumber, default 1000)
 * that answers every call and sends each RTP packet it receives back to
 * its sender, unchanged. It shows a peer that SIP calls and RTP work end to
 * end before the gateway routes calls anywhere.
 *
 * An INVITE to sip:<TestCallNumber>@... with an SDP offer is answered 100
 * Trying, then 200 OK with the SDP answer (sip_sdp.h: PCMU/PCMA, and
 * telephone-event if offered), a To tag and a Contact. With
 * TestCallAnswerDelay > 0 it rings (180) that many seconds first, which is
 * when a CANCEL ends it with 487. BYE ends a call (200). Refusals: no or no
 * usable offer 488, every RTP port busy 486, a re-INVITE 501.
 *
 * Media: one UDP socket per call on VGW_TEST_RTP_PORT_BASE + slot
 * (VGW_TEST_RTP_PORTS slots, so that many calls at once;
 * test_extension_ports.h). The SDP answer
 * says where the peer reaches that socket: TestCallMediaAddress (0.0.0.0:
 * the LAN address) and TestCallMediaPort + slot (0: the gateway's own
 * port). Behind NAT — QEMU's slirp, where `vgw up` forwards host ports to
 * these — the peer reaches the gateway at 127.0.0.1 and the forwarded
 * ports, which a test sets in those two parameters. A call whose RTP and
 * SIP are silent for VGW_TEST_CALL_IDLE_S after it was answered ends
 * without a BYE.
 *
 * The 200 is the UAS core's to retransmit (RFC 3261 §13.3.1.4), on
 * every transport: to the caller's flow, T1 after it was sent, then at
 * intervals doubling up to T2, until the ACK comes. A retransmitted INVITE
 * gets the 200 again. With no ACK after 64*T1 the call ends with a BYE
 * (to the caller's Contact, or its From URI, through its Record-Route
 * set, on its flow).
 */
#ifndef VGW_VGWD_TEST_EXTENSION_H
#define VGW_VGWD_TEST_EXTENSION_H

#include <glib.h>

#include "config/config_state.h"
#include "mgmt/mgmt_status.h"
#include "sip_txn.h"
#include "vgwd/test_extension_ports.h"

G_BEGIN_DECLS

#define VGW_TEST_CALL_IDLE_S 60
/* RFC 3261 §17.1.1.1: T1, the round-trip estimate, and T2, the longest
 * retransmission interval. */
#define VGW_TEST_T1_MS 500
#define VGW_TEST_T2_MS 4000

typedef struct VgwTestExtension VgwTestExtension;

/* The LAN address the SDP answer gives by default, "a.b.c.d" or
 * "a.b.c.d/n"; NULL while the LAN has none. */
typedef const char *(*VgwLanAddressFunc)(gpointer data);

/* vgw_test_extension_new: the parameters are read from |config|'s running
 * configuration at each INVITE, so they apply to the next call. */
VgwTestExtension *vgw_test_extension_new(VgwConfigState *config,
                                         VgwLanAddressFunc lan_address,
                                         gpointer lan_data);

/* vgw_test_extension_set_timers sets T1 and T2 (VGW_TEST_T1_MS and
 * VGW_TEST_T2_MS until then) for the calls answered from now on: for
 * tests, which cannot wait 64*T1. */
void vgw_test_extension_set_timers(VgwTestExtension *x, guint t1_ms,
                                   guint t2_ms);

/* vgw_test_extension_take answers |req| (in |txn|, NULL for an ACK to a
 * 2xx; as SipTxnCallbacks.request, from |layer|) if it is for the test
 * extension: an INVITE to its number, or an ACK, BYE or CANCEL of one of
 * its calls. Returns FALSE, having done nothing, for any other request.
 * The 200's retransmissions and the BYE go out through |layer|. */
gboolean vgw_test_extension_take(VgwTestExtension *x, SipTxnLayer *layer,
                                 SipTxn *txn, const osip_message_t *req,
                                 const SipPeer *from);

/* vgw_test_extension_status fills |out| (`status` "sip.test_extension"). */
void vgw_test_extension_status(const VgwTestExtension *x,
                               VgwStatusTestExtension *out);

G_END_DECLS

#endif /* VGW_VGWD_TEST_EXTENSION_H */
