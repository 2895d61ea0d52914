/*
 * Names and meanings of TLS code points: protocol versions, cipher suites,
 * named groups, signature schemes, alerts and handshake message types.
 *
 * Every function returns a static string and never NULL: an unknown value
 * gets a generic name ("unknown (0x1234)" style is left to the caller,
 * which sees NULL from the *_known variants).
 */
#ifndef TLSD_TLS_NAMES_H
#define TLSD_TLS_NAMES_H

#include <glib.h>

G_BEGIN_DECLS

/* tlsd_is_grease returns TRUE for the RFC 8701 GREASE values 0x?A?A. */
gboolean tlsd_is_grease(guint16 value);

/* tlsd_version_name returns "TLS 1.3", "TLS 1.2", ... "SSL 3.0", "GREASE"
 * or NULL for an unknown value. */
const char *tlsd_version_name(guint16 version);

/* tlsd_cipher_name returns the IANA name of cipher suite |suite|
 * ("TLS_AES_128_GCM_SHA256"), "GREASE", or NULL if unknown. */
const char *tlsd_cipher_name(guint16 suite);

/* tlsd_group_name returns the IANA name of named group |group|
 * ("x25519", "secp256r1"), "GREASE", or NULL if unknown. */
const char *tlsd_group_name(guint16 group);

/* tlsd_sigalg_name returns the IANA name of signature scheme |scheme|
 * ("ecdsa_secp256r1_sha256"), "GREASE", or NULL if unknown. */
const char *tlsd_sigalg_name(guint16 scheme);

/* tlsd_alert_name returns the RFC 8446 name of alert description |desc|
 * ("certificate_required") or NULL if unknown. */
const char *tlsd_alert_name(guint8 desc);

/* tlsd_alert_meaning returns one sentence saying what alert |desc| means
 * to someone debugging a connection, or NULL if unknown. */
const char *tlsd_alert_meaning(guint8 desc);

/* tlsd_handshake_type_name returns "ClientHello", "Certificate", ... or
 * NULL if unknown. */
const char *tlsd_handshake_type_name(guint8 type);

G_END_DECLS

#endif /* TLSD_TLS_NAMES_H */
