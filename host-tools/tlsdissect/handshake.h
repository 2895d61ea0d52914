/*
 * The explanation of one TLS handshake, as `vgw handshakes` reports it.
 * Filled in by the connection analysis (tls_conn.c); read by the text and
 * JSON reports.  docs/handshakes.md documents every field.
 */
#ifndef TLSD_HANDSHAKE_H
#define TLSD_HANDSHAKE_H

#include <glib.h>

#include "keylog.h"
#include "tls/tls_error.h"
#include "x509_summary.h"

G_BEGIN_DECLS

typedef enum {
  TLSD_CLIENT = 0,
  TLSD_SERVER = 1,
} TlsdRole;

/* A yes/no answer that a capture may not be able to give. */
typedef enum {
  TLSD_UNKNOWN = -1,
  TLSD_NO = 0,
  TLSD_YES = 1,
} TlsdTristate;

typedef struct {
  TlsdRole from;
  guint8 level;        /* 1 warning, 2 fatal */
  guint8 description;
  gboolean encrypted;  /* was sent encrypted (and decrypted here) */
  gint64 time_us;
} TlsdAlert;

typedef enum {
  TLSD_DECRYPT_NOT_NEEDED,  /* nothing encrypted mattered (TLS 1.2 handshake in clear) */
  TLSD_DECRYPT_DONE,        /* every encrypted handshake record decrypted */
  TLSD_DECRYPT_NO_KEYS,     /* encrypted records, no key log entry for this connection */
  TLSD_DECRYPT_UNSUPPORTED, /* the cipher suite cannot be decrypted here */
  TLSD_DECRYPT_FAILED,      /* secrets known but records did not authenticate */
} TlsdDecryptStatus;

typedef enum {
  TLSD_OUTCOME_COMPLETED,  /* both Finished seen, or (no keys) data flowed after */
  TLSD_OUTCOME_REFUSED,    /* a fatal alert or a close during the handshake */
  TLSD_OUTCOME_INCOMPLETE, /* the capture ends (or data is missing) mid-handshake */
} TlsdOutcome;

/* What a verdict rests on (tls_verdict.h). */
typedef enum {
  TLSD_VERDICT_FROM_CAPTURE, /* the capture shows the cause */
  TLSD_VERDICT_FROM_ALERT,   /* only the alert implies it */
} TlsdVerdictBasis;

/* The gateway rule that ended a connection (tls_verdict.h). */
typedef struct {
  gboolean known;              /* FALSE: no ending alert a gateway rule sends */
  VgwTlsError reason;          /* the token the alert's sender logs */
  VgwTlsError receiver_reason; /* the token its receiver logs */
  TlsdRole by;                 /* who sent the alert */
  guint8 alert;                /* its description */
  TlsdVerdictBasis basis;
  char *explanation;           /* one sentence: what the capture shows */
} TlsdVerdict;

typedef struct {
  guint index;              /* 1-based position in the capture */

  /* Endpoints; addresses as text. */
  char *client_addr;
  guint16 client_port;
  char *server_addr;
  guint16 server_port;
  gint64 start_us;          /* first packet of the connection (µs since the epoch) */
  gint64 client_hello_us;   /* 0 if no ClientHello */

  /* ClientHello */
  gboolean have_client_hello;
  guint8 client_random[TLSD_RANDOM_LEN];
  guint8 client_session_id[32];
  gsize client_session_id_len;
  guint16 client_legacy_version;
  char *sni;
  GArray *offered_versions;     /* guint16, supported_versions (or legacy) */
  GArray *offered_ciphers;      /* guint16 */
  GArray *offered_groups;       /* guint16, supported_groups */
  GArray *key_share_groups;     /* guint16 */
  GArray *offered_sigalgs;      /* guint16 */
  GPtrArray *offered_alpn;      /* char* */
  guint client_hello_count;     /* 2 after a HelloRetryRequest */

  /* ServerHello (and ServerKeyExchange for TLS 1.2's group) */
  gboolean have_server_hello;
  gboolean hello_retry_request;
  guint8 server_random[TLSD_RANDOM_LEN];
  guint16 version;              /* negotiated, 0 until known */
  guint16 cipher;
  guint16 group;                /* 0 if unknown */
  char *alpn;
  gboolean resumed;             /* TLS 1.3 PSK or TLS 1.2 session id echoed */

  /* Certificates and client authentication */
  TlsdTristate cert_requested;  /* server sent CertificateRequest */
  TlsdTristate client_sent_cert;
  GPtrArray *server_certs;      /* TlsdCert*, leaf first */
  GPtrArray *client_certs;
  TlsdTristate server_cert_verify;  /* server sent CertificateVerify */
  TlsdTristate client_cert_verify;

  /* Progress */
  gboolean finished[2];         /* Finished seen from client/server */
  gboolean ccs[2];              /* ChangeCipherSpec seen */
  guint64 app_records[2];       /* application data records after the handshake */
  guint encrypted_unread[2];    /* encrypted records that could not be decrypted */
  GArray *alerts;               /* TlsdAlert */
  int renegotiation_by;         /* TlsdRole that tried to renegotiate (TLS 1.2: a
                                 * ClientHello or HelloRequest after its Finished), or -1 */
  gboolean fin[2];
  gboolean rst[2];
  int first_close;              /* TlsdRole that sent the first FIN/RST, or -1 */
  TlsdDecryptStatus decryption;

  /* Result */
  TlsdOutcome outcome;
  int refused_by;               /* TlsdRole, or -1 */
  char *reason;                 /* one sentence */
  int ending_alert;             /* index in |alerts| of the alert that ended it, or -1 */
  TlsdVerdict verdict;          /* the rule of that alert (tls_verdict.h) */

  /* The first SIP request and response inside the connection */
  char *sip_request;            /* "REGISTER sip:example SIP/2.0" */
  char *sip_response;           /* "SIP/2.0 200 OK" */
  gboolean sip_unreadable;      /* application data was there but encrypted */
  GPtrArray *sip_lines;         /* TlsdSipLine* (sip_lines.h) of every message read, or NULL */
  const char *sip_stopped;      /* static: why the SIP in it was not followed to its end */

  /* What could not be seen */
  gboolean partial;
  GPtrArray *notes;             /* char*: why partial, anomalies */
} TlsdHandshake;

/* tlsd_handshake_new returns an empty report. */
TlsdHandshake *tlsd_handshake_new(void);
void tlsd_handshake_free(TlsdHandshake *hs);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TlsdHandshake, tlsd_handshake_free)

/* tlsd_handshake_note adds a note; |partial| also marks the report partial. */
void tlsd_handshake_note(TlsdHandshake *hs, gboolean partial, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* tlsd_handshake_conclude sets |outcome|, |refused_by|, |reason| and
 * |verdict| (tls_verdict.h) from what was seen.  Called once the
 * connection's packets are all read. */
void tlsd_handshake_conclude(TlsdHandshake *hs);

/* tlsd_role_name returns "client" or "server". */
const char *tlsd_role_name(TlsdRole role);

G_END_DECLS

#endif /* TLSD_HANDSHAKE_H */
