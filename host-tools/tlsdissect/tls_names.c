/* Tables from the IANA TLS registries (RFC 8446, 5246, 8422, 7919, 8701). */
#include "tls_names.h"

typedef struct {
  guint16 value;
  const char *name;
} Name16;

static const char *
lookup16(const Name16 *table, gsize n, guint16 value)
{
  for (gsize i = 0; i < n; i++) {
    if (table[i].value == value)
      return table[i].name;
  }
  return NULL;
}

gboolean
tlsd_is_grease(guint16 value)
{
  return (value & 0x0f0f) == 0x0a0a && (value >> 8) == (value & 0xff);
}

static const Name16 versions[] = {
  { 0x0300, "SSL 3.0" }, { 0x0301, "TLS 1.0" }, { 0x0302, "TLS 1.1" },
  { 0x0303, "TLS 1.2" }, { 0x0304, "TLS 1.3" },
  { 0xfeff, "DTLS 1.0" }, { 0xfefd, "DTLS 1.2" }, { 0xfefc, "DTLS 1.3" },
};

const char *
tlsd_version_name(guint16 version)
{
  if (tlsd_is_grease(version))
    return "GREASE";
  return lookup16(versions, G_N_ELEMENTS(versions), version);
}

static const Name16 ciphers[] = {
  { 0x0000, "TLS_NULL_WITH_NULL_NULL" },
  { 0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA" },
  { 0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA" },
  { 0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA" },
  { 0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA" },
  { 0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA" },
  { 0x003c, "TLS_RSA_WITH_AES_128_CBC_SHA256" },
  { 0x003d, "TLS_RSA_WITH_AES_256_CBC_SHA256" },
  { 0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256" },
  { 0x006b, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256" },
  { 0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256" },
  { 0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384" },
  { 0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256" },
  { 0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384" },
  { 0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV" },
  { 0x1301, "TLS_AES_128_GCM_SHA256" },
  { 0x1302, "TLS_AES_256_GCM_SHA384" },
  { 0x1303, "TLS_CHACHA20_POLY1305_SHA256" },
  { 0x1304, "TLS_AES_128_CCM_SHA256" },
  { 0x1305, "TLS_AES_128_CCM_8_SHA256" },
  { 0x5600, "TLS_FALLBACK_SCSV" },
  { 0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA" },
  { 0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA" },
  { 0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA" },
  { 0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA" },
  { 0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256" },
  { 0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384" },
  { 0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256" },
  { 0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384" },
  { 0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" },
  { 0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
  { 0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" },
  { 0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384" },
  { 0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM" },
  { 0xc0ad, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM" },
  { 0xc0ae, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8" },
  { 0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8" },
  { 0xc09c, "TLS_RSA_WITH_AES_128_CCM" },
  { 0xc09d, "TLS_RSA_WITH_AES_256_CCM" },
  { 0xc09e, "TLS_DHE_RSA_WITH_AES_128_CCM" },
  { 0xc09f, "TLS_DHE_RSA_WITH_AES_256_CCM" },
  { 0xc0a0, "TLS_RSA_WITH_AES_128_CCM_8" },
  { 0xc0a1, "TLS_RSA_WITH_AES_256_CCM_8" },
  { 0xc0a2, "TLS_DHE_RSA_WITH_AES_128_CCM_8" },
  { 0xc0a3, "TLS_DHE_RSA_WITH_AES_256_CCM_8" },
  { 0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
  { 0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256" },
  { 0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256" },
  { 0xccab, "TLS_PSK_WITH_CHACHA20_POLY1305_SHA256" },
  { 0xccac, "TLS_ECDHE_PSK_WITH_CHACHA20_POLY1305_SHA256" },
  { 0xccad, "TLS_DHE_PSK_WITH_CHACHA20_POLY1305_SHA256" },
};

const char *
tlsd_cipher_name(guint16 suite)
{
  if (tlsd_is_grease(suite))
    return "GREASE";
  return lookup16(ciphers, G_N_ELEMENTS(ciphers), suite);
}

static const Name16 groups[] = {
  { 0x0017, "secp256r1" }, { 0x0018, "secp384r1" }, { 0x0019, "secp521r1" },
  { 0x001d, "x25519" }, { 0x001e, "x448" },
  { 0x001a, "brainpoolP256r1" }, { 0x001b, "brainpoolP384r1" },
  { 0x001c, "brainpoolP512r1" },
  { 0x0100, "ffdhe2048" }, { 0x0101, "ffdhe3072" }, { 0x0102, "ffdhe4096" },
  { 0x0103, "ffdhe6144" }, { 0x0104, "ffdhe8192" },
  { 0x0200, "MLKEM512" }, { 0x0201, "MLKEM768" }, { 0x0202, "MLKEM1024" },
  { 0x11eb, "SecP256r1MLKEM768" }, { 0x11ec, "X25519MLKEM768" },
  { 0x6399, "X25519Kyber768Draft00" },
};

const char *
tlsd_group_name(guint16 group)
{
  if (tlsd_is_grease(group))
    return "GREASE";
  return lookup16(groups, G_N_ELEMENTS(groups), group);
}

static const Name16 sigalgs[] = {
  { 0x0201, "rsa_pkcs1_sha1" }, { 0x0203, "ecdsa_sha1" },
  { 0x0401, "rsa_pkcs1_sha256" }, { 0x0501, "rsa_pkcs1_sha384" },
  { 0x0601, "rsa_pkcs1_sha512" },
  { 0x0403, "ecdsa_secp256r1_sha256" }, { 0x0503, "ecdsa_secp384r1_sha384" },
  { 0x0603, "ecdsa_secp521r1_sha512" },
  { 0x0804, "rsa_pss_rsae_sha256" }, { 0x0805, "rsa_pss_rsae_sha384" },
  { 0x0806, "rsa_pss_rsae_sha512" }, { 0x0807, "ed25519" }, { 0x0808, "ed448" },
  { 0x0809, "rsa_pss_pss_sha256" }, { 0x080a, "rsa_pss_pss_sha384" },
  { 0x080b, "rsa_pss_pss_sha512" },
  { 0x081a, "ecdsa_brainpoolP256r1tls13_sha256" },
  { 0x081b, "ecdsa_brainpoolP384r1tls13_sha384" },
  { 0x081c, "ecdsa_brainpoolP512r1tls13_sha512" },
  { 0x0301, "rsa_pkcs1_sha224" }, { 0x0303, "ecdsa_sha224" },
  { 0x0302, "dsa_sha224" }, { 0x0402, "dsa_sha256" }, { 0x0502, "dsa_sha384" },
  { 0x0602, "dsa_sha512" }, { 0x0202, "dsa_sha1" },
};

const char *
tlsd_sigalg_name(guint16 scheme)
{
  if (tlsd_is_grease(scheme))
    return "GREASE";
  return lookup16(sigalgs, G_N_ELEMENTS(sigalgs), scheme);
}

typedef struct {
  guint8 value;
  const char *name;
  const char *meaning;
} Alert;

static const Alert alerts[] = {
  { 0, "close_notify", "the sender is closing the connection normally" },
  { 10, "unexpected_message", "the sender got a message it did not expect at that point of the protocol" },
  { 20, "bad_record_mac", "a record could not be decrypted or authenticated (wrong keys or corrupted data)" },
  { 21, "decryption_failed", "a record could not be decrypted (obsolete alert)" },
  { 22, "record_overflow", "a record was longer than the protocol allows" },
  { 30, "decompression_failure", "a record could not be decompressed (obsolete alert)" },
  { 40, "handshake_failure", "the peers have no acceptable set of parameters in common (cipher suites, groups, signature algorithms)" },
  { 41, "no_certificate", "no certificate was available (SSL 3.0 only)" },
  { 42, "bad_certificate", "the sender rejected the peer's certificate: corrupt, or its signature did not verify" },
  { 43, "unsupported_certificate", "the sender does not support the peer's kind of certificate" },
  { 44, "certificate_revoked", "the peer's certificate was revoked by its signer" },
  { 45, "certificate_expired", "the peer's certificate has expired or is not yet valid" },
  { 46, "certificate_unknown", "the sender rejected the peer's certificate for another reason" },
  { 47, "illegal_parameter", "a field in the handshake was out of range or inconsistent" },
  { 48, "unknown_ca", "the peer's certificate chain does not lead to a CA the sender trusts" },
  { 49, "access_denied", "the peer's identity was valid but access control refused it" },
  { 50, "decode_error", "a message could not be decoded (malformed or wrong length)" },
  { 51, "decrypt_error", "a handshake signature or Finished check failed" },
  { 60, "export_restriction", "export-grade parameters refused (obsolete alert)" },
  { 70, "protocol_version", "the sender does not support any protocol version the peer offered" },
  { 71, "insufficient_security", "the peer's parameters are supported but too weak for the sender's policy" },
  { 80, "internal_error", "the sender failed for a reason unrelated to the peer" },
  { 86, "inappropriate_fallback", "the client retried with a lower version than the server supports" },
  { 90, "user_canceled", "the sender's user or application cancelled the handshake" },
  { 100, "no_renegotiation", "the sender refused to renegotiate" },
  { 109, "missing_extension", "a required extension was missing from the peer's message" },
  { 110, "unsupported_extension", "the peer sent an extension the sender did not offer or cannot accept there" },
  { 111, "certificate_unobtainable", "a certificate URL could not be fetched" },
  { 112, "unrecognized_name", "the server has no identity for the name the client asked for (SNI)" },
  { 113, "bad_certificate_status_response", "the OCSP status response for the certificate was invalid or unacceptable" },
  { 114, "bad_certificate_hash_value", "a certificate hash value did not match" },
  { 115, "unknown_psk_identity", "the server does not know the offered pre-shared key" },
  { 116, "certificate_required", "the server requires a client certificate and the client sent none" },
  { 120, "no_application_protocol", "the peers have no application protocol (ALPN) in common" },
  { 121, "ech_required", "the server requires Encrypted Client Hello" },
};

static const Alert *
find_alert(guint8 desc)
{
  for (gsize i = 0; i < G_N_ELEMENTS(alerts); i++) {
    if (alerts[i].value == desc)
      return &alerts[i];
  }
  return NULL;
}

const char *
tlsd_alert_name(guint8 desc)
{
  const Alert *a = find_alert(desc);

  return a != NULL ? a->name : NULL;
}

const char *
tlsd_alert_meaning(guint8 desc)
{
  const Alert *a = find_alert(desc);

  return a != NULL ? a->meaning : NULL;
}

const char *
tlsd_handshake_type_name(guint8 type)
{
  switch (type) {
  case 0: return "HelloRequest";
  case 1: return "ClientHello";
  case 2: return "ServerHello";
  case 4: return "NewSessionTicket";
  case 5: return "EndOfEarlyData";
  case 8: return "EncryptedExtensions";
  case 11: return "Certificate";
  case 12: return "ServerKeyExchange";
  case 13: return "CertificateRequest";
  case 14: return "ServerHelloDone";
  case 15: return "CertificateVerify";
  case 16: return "ClientKeyExchange";
  case 20: return "Finished";
  case 24: return "KeyUpdate";
  case 254: return "MessageHash";
  default: return NULL;
  }
}
