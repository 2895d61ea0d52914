/*
 * Parsers of the TLS handshake messages that explain a handshake.  Each
 * takes the message body (after the 4-byte type and length) as a CBS,
 * fills the report, and returns FALSE with |*why| set (a static string)
 * when the body is malformed; what was parsed before the fault is kept.
 */
#ifndef TLSD_TLS_MESSAGES_H
#define TLSD_TLS_MESSAGES_H

#include <openssl/bytestring.h>

#include "handshake.h"

G_BEGIN_DECLS

#define TLSD_HS_HELLO_REQUEST 0
#define TLSD_HS_CLIENT_HELLO 1
#define TLSD_HS_SERVER_HELLO 2
#define TLSD_HS_NEW_SESSION_TICKET 4
#define TLSD_HS_ENCRYPTED_EXTENSIONS 8
#define TLSD_HS_CERTIFICATE 11
#define TLSD_HS_SERVER_KEY_EXCHANGE 12
#define TLSD_HS_CERTIFICATE_REQUEST 13
#define TLSD_HS_SERVER_HELLO_DONE 14
#define TLSD_HS_CERTIFICATE_VERIFY 15
#define TLSD_HS_CLIENT_KEY_EXCHANGE 16
#define TLSD_HS_FINISHED 20

/* Limits that keep hostile input cheap. */
#define TLSD_MAX_LIST_ITEMS 512
#define TLSD_MAX_CERTS 16

/* tlsd_parse_client_hello fills the offered parameters, SNI and random.
 * A second ClientHello (after HelloRetryRequest) replaces the lists. */
gboolean tlsd_parse_client_hello(TlsdHandshake *hs, CBS body, const char **why);

/* tlsd_parse_server_hello fills the chosen version, cipher, group and the
 * server random; sets |*is_hrr| for a HelloRetryRequest (RFC 8446 4.1.3),
 * whose "choice" is only the group to retry with. */
gboolean tlsd_parse_server_hello(TlsdHandshake *hs, CBS body, gboolean *is_hrr,
                                 const char **why);

/* tlsd_parse_encrypted_extensions takes the ALPN choice (TLS 1.3). */
gboolean tlsd_parse_encrypted_extensions(TlsdHandshake *hs, CBS body, const char **why);

/* tlsd_parse_certificate adds the certificates |from| sent (TLS 1.3's
 * form when |tls13|); an empty list is a client that sent none. */
gboolean tlsd_parse_certificate(TlsdHandshake *hs, TlsdRole from, gboolean tls13,
                                CBS body, const char **why);

/* tlsd_parse_server_key_exchange takes the ECDHE group (TLS 1.2). */
gboolean tlsd_parse_server_key_exchange(TlsdHandshake *hs, CBS body, const char **why);

G_END_DECLS

#endif /* TLSD_TLS_MESSAGES_H */
