/*
 * The maintenance verb listing the gateway's TLS connections, both roles
 * (docs/maintenance-protocol.md, "TLS connections"):
 *
 *   show tls connections   every connection the TLS listener accepted and
 *                          the TLS client opened, established ones first,
 *                          then the half-open ones (handshake running)
 *
 * For each: the peer and role, what it belongs to (its SIP Interface, or
 * the server name it was opened to), the TLS Context and why it was
 * chosen, the version, cipher and group, the peer certificate's subject,
 * every SAN and issuer, whether the peer was authenticated, the host-name
 * rule (null for now: "not checked"), its age, the application bytes
 * each way, the KeyUpdates it sent and the re-handshakes it started (a
 * TLS 1.2 connection of the gateway's: each a new connection replacing
 * it) under TLSReHandshakeInterval.
 */
#ifndef VGW_TLS_CONN_VERBS_H
#define VGW_TLS_CONN_VERBS_H

#include <glib.h>

#include "mgmt/mgmt_verb.h"

G_BEGIN_DECLS

/* The verb set, to add with the device's VgwTlsService as its data. */
extern const VgwMgmtVerbSet vgw_tls_conn_verb_set;

G_END_DECLS

#endif /* VGW_TLS_CONN_VERBS_H */
