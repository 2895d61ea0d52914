/*
 * Which gateway rule ended a handshake, from what a capture shows: the
 * reason token (tls_error.h's names, the ones the gateway logs and counts)
 * the side that sent the ending alert gives it, and what in the capture
 * says so.
 *
 * The gateway sends one alert per rule (tls_peer_verify.h, tls_server.h,
 * tls_versions.h); some alerts stand for several rules, and the capture
 * tells them apart:
 *   certificate_required  no-peer-certificate
 *   handshake_failure     no-peer-certificate when a CertificateRequest
 *                         was answered with an empty Certificate (TLS
 *                         1.2), else no-shared-algorithm
 *   unknown_ca            untrusted
 *   certificate_expired   expired
 *   bad_certificate       not-yet-valid when a certificate the peer sent
 *                         starts after the alert; chain when the leaf's
 *                         usages do not fit its role, or the certificates
 *                         sent with it lack its issuer, or that issuer is
 *                         no CA; hostname when the server certificate
 *                         does not name what the refusing client asked
 *                         for (its SNI, or without one the address it
 *                         connected to); else, from the alert alone,
 *                         hostname when a server refused (it matches a
 *                         client's names against what it knows the
 *                         client's address by) and chain when a client
 *                         did (a bad signature: signatures are not
 *                         checked)
 *   protocol_version      version
 *   no_renegotiation      renegotiation
 *   insufficient_security no-shared-algorithm
 *   decode_error, illegal_parameter, unexpected_message, ...  protocol
 * What the capture cannot show (the roots the refusing side trusts, the
 * names it knows its peer by) is said, and the token the alert implies is
 * kept (basis TLSD_VERDICT_FROM_ALERT).
 *
 * The side that receives the alert logs its own token too
 * (vgw_tls_handshake_error on the alert): "peer-alert", or "version" for
 * protocol_version.
 */
#ifndef TLSD_TLS_VERDICT_H
#define TLSD_TLS_VERDICT_H

#include <glib.h>

#include "handshake.h"

G_BEGIN_DECLS

/* tlsd_verdict_judge sets |hs|->verdict from the alert that ended the
 * connection (hs->ending_alert, set by tlsd_handshake_conclude, which
 * judges) and the rest of |hs| (certificates, their validity at the
 * alert's time, the offered and chosen versions, the SNI or the server's
 * address, a renegotiation). No such alert, or one no gateway rule sends,
 * leaves the verdict unknown. Judging again (once the endpoints are known)
 * replaces the verdict. */
void tlsd_verdict_judge(TlsdHandshake *hs);

/* tlsd_verdict_basis_name returns "capture" or "alert". */
const char *tlsd_verdict_basis_name(TlsdVerdictBasis basis);

G_END_DECLS

#endif /* TLSD_TLS_VERDICT_H */
