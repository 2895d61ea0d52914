#include "tls_conn.h"

#include <string.h>

#include <openssl/bytestring.h>

#include "sip_lines.h"
#include "tls_crypto.h"
#include "tls_messages.h"
#include "tls_names.h"

#define CT_CHANGE_CIPHER_SPEC 20
#define CT_ALERT 21
#define CT_HANDSHAKE 22
#define CT_APPLICATION_DATA 23

#define TLS13 0x0304

/* How much application data is kept to find a SIP start line. */
#define SIP_LINE_MAX 2048
/* Application records looked at before giving up on finding SIP. */
#define APP_RECORDS_FOR_SIP 8
/* After the SIP lines, TLS 1.3 records longer than this (an alert is 19
 * bytes, plus any padding) are not decrypted. */
#define SKIM_MIN_LEN 64

typedef enum {
  EPOCH_CLEAR,
  EPOCH_HANDSHAKE,    /* TLS 1.3 handshake traffic keys */
  EPOCH_APPLICATION,  /* TLS 1.3 application traffic keys, or TLS 1.2 after CCS */
} Epoch;

typedef struct {
  GByteArray *records;     /* stream bytes not yet forming a whole record */
  GByteArray *messages;    /* handshake bytes not yet forming a whole message */
  Epoch epoch;
  TlsdRecordKey key;
  gboolean key_failed;     /* a record did not authenticate: stop trying */
  gboolean broken;         /* the stream is not parseable any more */
  gboolean seen_bytes;
  GByteArray *app;         /* first application bytes, for the SIP line */
  gboolean sip_done;
  TlsdSipStream *sip;      /* every SIP message's line, made at the first application bytes */
  guint64 last_unread_len; /* body length of the last undecryptable record */
} Dir;

struct TlsdConn {
  const TlsdKeylog *keylog;
  TlsdHandshake *hs;
  int role_of_side[2];      /* TlsdRole, or -1 */
  Dir dir[2];               /* indexed by role */
  GByteArray *pending[2];   /* bytes of a side whose role is not known yet */
  gint64 pending_time[2];
  gboolean tls12_keys_tried;  /* TLS 1.2 keys are derived at the first CCS */
  gboolean not_tls;
};

static void process_side(TlsdConn *conn, TlsdRole role, gint64 time_us);

TlsdConn *
tlsd_conn_new(const TlsdKeylog *keylog)
{
  TlsdConn *conn = g_new0(TlsdConn, 1);

  for (int i = 0; i < 2; i++) {
    conn->dir[i].records = g_byte_array_new();
    conn->dir[i].messages = g_byte_array_new();
    conn->dir[i].app = g_byte_array_new();
    conn->pending[i] = g_byte_array_new();
  }
  tlsd_conn_restart(conn, keylog);
  return conn;
}

void
tlsd_conn_restart(TlsdConn *conn, const TlsdKeylog *keylog)
{
  GByteArray *buffers[2][4];

  tlsd_handshake_free(conn->hs);
  for (int i = 0; i < 2; i++) {
    tlsd_record_key_clear(&conn->dir[i].key);
    tlsd_sip_stream_free(conn->dir[i].sip);
    buffers[i][0] = conn->dir[i].records;
    buffers[i][1] = conn->dir[i].messages;
    buffers[i][2] = conn->dir[i].app;
    buffers[i][3] = conn->pending[i];
    for (int b = 0; b < 4; b++)
      g_byte_array_set_size(buffers[i][b], 0);
  }
  /* Everything else as g_new0 left it. */
  memset(conn, 0, sizeof *conn);
  for (int i = 0; i < 2; i++) {
    conn->dir[i].records = buffers[i][0];
    conn->dir[i].messages = buffers[i][1];
    conn->dir[i].app = buffers[i][2];
    conn->pending[i] = buffers[i][3];
  }
  conn->keylog = keylog;
  conn->hs = tlsd_handshake_new();
  conn->role_of_side[0] = conn->role_of_side[1] = -1;
}

void
tlsd_conn_free(TlsdConn *conn)
{
  if (conn == NULL)
    return;
  for (int i = 0; i < 2; i++) {
    g_byte_array_unref(conn->dir[i].records);
    g_byte_array_unref(conn->dir[i].messages);
    g_byte_array_unref(conn->dir[i].app);
    g_byte_array_unref(conn->pending[i]);
    tlsd_record_key_clear(&conn->dir[i].key);
    tlsd_sip_stream_free(conn->dir[i].sip);
  }
  tlsd_handshake_free(conn->hs);
  g_free(conn);
}

int
tlsd_conn_side_is_client(const TlsdConn *conn, int side)
{
  if (conn->role_of_side[side] < 0)
    return -1;
  return conn->role_of_side[side] == TLSD_CLIENT;
}

static void
assign_roles(TlsdConn *conn, int client_side, gint64 time_us)
{
  conn->role_of_side[client_side] = TLSD_CLIENT;
  conn->role_of_side[!client_side] = TLSD_SERVER;
  /* Bytes that waited for the roles, client first (it spoke first). */
  for (int pass = 0; pass < 2; pass++) {
    int side = pass == 0 ? client_side : !client_side;
    if (conn->pending[side]->len > 0) {
      TlsdRole role = conn->role_of_side[side];
      g_byte_array_append(conn->dir[role].records, conn->pending[side]->data,
                          conn->pending[side]->len);
      g_byte_array_set_size(conn->pending[side], 0);
      process_side(conn, role, conn->pending_time[side]);
    }
  }
  (void) time_us;
}

void
tlsd_conn_set_client_side(TlsdConn *conn, int side)
{
  if (conn->role_of_side[side] < 0)
    assign_roles(conn, side, 0);
}

gboolean
tlsd_conn_is_tls(const TlsdConn *conn)
{
  return conn->hs->have_client_hello || conn->hs->have_server_hello;
}

gboolean
tlsd_conn_wants_data(const TlsdConn *conn)
{
  const TlsdHandshake *hs = conn->hs;

  (void) hs;
  if (conn->not_tls)
    return FALSE;
  return !(conn->dir[0].broken && conn->dir[1].broken);
}

static void
break_dir(TlsdConn *conn, TlsdRole role, const char *why)
{
  Dir *d = &conn->dir[role];

  if (d->broken)
    return;
  d->broken = TRUE;
  d->sip_done = TRUE;
  if (d->sip != NULL)
    tlsd_sip_stream_stop(d->sip, "the TLS stream could not be followed further");
  g_byte_array_set_size(d->records, 0);
  g_byte_array_set_size(d->messages, 0);
  if (tlsd_conn_is_tls(conn))
    tlsd_handshake_note(conn->hs, TRUE, "%s stream: %s; the rest of it was not analysed",
                        tlsd_role_name(role), why);
}

/* Looks for the first SIP start line in application bytes from |role|. */
static void
take_sip(TlsdConn *conn, TlsdRole role, const guint8 *data, gsize len)
{
  Dir *d = &conn->dir[role];
  const char *text, *eol;
  g_autofree char *line = NULL;

  if (d->sip_done)
    return;
  g_byte_array_append(d->app, data, MIN(len, SIP_LINE_MAX - d->app->len));
  text = (const char *) d->app->data;
  eol = memchr(text, '\n', d->app->len);
  if (eol == NULL) {
    if (d->app->len >= SIP_LINE_MAX)
      d->sip_done = TRUE;
    return;
  }
  line = g_strndup(text, (gsize) (eol - text));
  g_strchomp(line);
  d->sip_done = TRUE;
  if (!g_utf8_validate(line, -1, NULL))
    return;
  if (role == TLSD_CLIENT && g_str_has_suffix(line, " SIP/2.0") && strchr(line, ' ') != NULL)
    conn->hs->sip_request = g_steal_pointer(&line);
  else if (role == TLSD_SERVER && g_str_has_prefix(line, "SIP/2.0 "))
    conn->hs->sip_response = g_steal_pointer(&line);
}

/* TRUE while the SIP lines of |d|'s application data are still read. */
static gboolean
sip_lines_wanted(const Dir *d)
{
  return d->sip != NULL && tlsd_sip_stream_wants_data(d->sip);
}

/* Every SIP message's line in application bytes from |role|. */
static void
take_sip_lines(TlsdConn *conn, TlsdRole role, const guint8 *data, gsize len, gint64 time_us)
{
  Dir *d = &conn->dir[role];

  if (d->sip == NULL) {
    if (d->broken || !tlsd_sip_could_start(data[0]))
      return;
    d->sip = tlsd_sip_stream_new(role);
  }
  if (conn->hs->sip_lines == NULL)
    conn->hs->sip_lines = g_ptr_array_new_with_free_func((GDestroyNotify) tlsd_sip_line_free);
  tlsd_sip_stream_feed(d->sip, data, len, time_us, conn->hs->sip_lines);
}

static void
application_data(TlsdConn *conn, TlsdRole role, const guint8 *data, gsize len, gint64 time_us)
{
  Dir *d = &conn->dir[role];

  conn->hs->app_records[role]++;
  if (len > 0) {
    take_sip(conn, role, data, len);
    take_sip_lines(conn, role, data, len, time_us);
  }
  if (conn->hs->app_records[role] >= APP_RECORDS_FOR_SIP)
    d->sip_done = TRUE;
}

static void
alert(TlsdConn *conn, TlsdRole role, CBS body, gboolean encrypted, gint64 time_us)
{
  while (CBS_len(&body) >= 2) {
    TlsdAlert a = { .from = role, .encrypted = encrypted, .time_us = time_us };
    CBS_get_u8(&body, &a.level);
    CBS_get_u8(&body, &a.description);
    if (conn->hs->alerts->len < 64)
      g_array_append_val(conn->hs->alerts, a);
  }
  if (CBS_len(&body) != 0)
    tlsd_handshake_note(conn->hs, FALSE, "%s sent a malformed alert record", tlsd_role_name(role));
}

/* Sets a TLS 1.3 traffic key for |role| from the key log's |kind|. */
static gboolean
set_tls13_key(TlsdConn *conn, TlsdRole role, TlsdSecretKind kind, Epoch epoch)
{
  Dir *d = &conn->dir[role];
  const TlsdSecret *secret = conn->keylog != NULL
                                 ? tlsd_keylog_lookup(conn->keylog, conn->hs->client_random, kind)
                                 : NULL;

  tlsd_record_key_clear(&d->key);
  d->epoch = epoch;
  if (secret == NULL)
    return FALSE;
  if (!tlsd_record_key_init_tls13(&d->key, conn->hs->cipher, secret)) {
    tlsd_handshake_note(conn->hs, FALSE, "key log secret does not fit cipher suite 0x%04x",
                        conn->hs->cipher);
    return FALSE;
  }
  return TRUE;
}

static void
server_hello_done_tls13(TlsdConn *conn)
{
  TlsdHandshake *hs = conn->hs;
  gboolean keys;

  gboolean client_keys;

  client_keys = set_tls13_key(conn, TLSD_CLIENT, TLSD_SECRET_CLIENT_HANDSHAKE, EPOCH_HANDSHAKE);
  keys = set_tls13_key(conn, TLSD_SERVER, TLSD_SECRET_SERVER_HANDSHAKE, EPOCH_HANDSHAKE);
  if (!tlsd_suite_decryptable(hs->cipher)) {
    hs->decryption = TLSD_DECRYPT_UNSUPPORTED;
  } else if (!keys && !client_keys) {
    hs->decryption = TLSD_DECRYPT_NO_KEYS;
  } else {
    hs->decryption = TLSD_DECRYPT_DONE;
    if (!keys || !client_keys)
      tlsd_handshake_note(hs, FALSE, "the key log has only the %s's handshake secret: the "
                          "other direction stays encrypted",
                          tlsd_role_name(keys ? TLSD_SERVER : TLSD_CLIENT));
  }
}

static void
handshake_message(TlsdConn *conn, TlsdRole role, guint8 type, CBS body, gint64 time_us)
{
  TlsdHandshake *hs = conn->hs;
  gboolean tls13 = hs->version == TLS13;
  const char *why = NULL;
  gboolean ok = TRUE;

  switch (type) {
  case TLSD_HS_HELLO_REQUEST:
    if (role == TLSD_SERVER && !tls13 && hs->finished[TLSD_SERVER])
      hs->renegotiation_by = TLSD_SERVER;
    break;
  case TLSD_HS_CLIENT_HELLO:
    if (role != TLSD_CLIENT)
      break;
    if (!tls13 && hs->finished[TLSD_CLIENT]) {
      /* A renegotiation: the first handshake's facts stay. */
      hs->renegotiation_by = TLSD_CLIENT;
      break;
    }
    if (hs->client_hello_count == 0)
      hs->client_hello_us = time_us;
    ok = tlsd_parse_client_hello(hs, body, &why);
    break;
  case TLSD_HS_SERVER_HELLO: {
    gboolean hrr;
    if (role != TLSD_SERVER)
      break;
    ok = tlsd_parse_server_hello(hs, body, &hrr, &why);
    if (ok && !hrr && hs->version == TLS13)
      server_hello_done_tls13(conn);
    break;
  }
  case TLSD_HS_ENCRYPTED_EXTENSIONS:
    ok = tlsd_parse_encrypted_extensions(hs, body, &why);
    break;
  case TLSD_HS_CERTIFICATE:
    ok = tlsd_parse_certificate(hs, role, tls13, body, &why);
    break;
  case TLSD_HS_SERVER_KEY_EXCHANGE:
    ok = tlsd_parse_server_key_exchange(hs, body, &why);
    break;
  case TLSD_HS_CERTIFICATE_REQUEST:
    if (role == TLSD_SERVER)
      hs->cert_requested = TLSD_YES;
    break;
  case TLSD_HS_SERVER_HELLO_DONE:
    if (hs->cert_requested == TLSD_UNKNOWN)
      hs->cert_requested = TLSD_NO;
    break;
  case TLSD_HS_CERTIFICATE_VERIFY:
    if (role == TLSD_CLIENT)
      hs->client_cert_verify = TLSD_YES;
    else
      hs->server_cert_verify = TLSD_YES;
    break;
  case TLSD_HS_CLIENT_KEY_EXCHANGE:
    /* TLS 1.2: a requested certificate comes before this, or never. */
    if (hs->client_sent_cert == TLSD_UNKNOWN)
      hs->client_sent_cert = TLSD_NO;
    break;
  case TLSD_HS_FINISHED:
    hs->finished[role] = TRUE;
    if (role == TLSD_SERVER && hs->cert_requested == TLSD_UNKNOWN)
      hs->cert_requested = TLSD_NO;
    if (role == TLSD_SERVER && hs->server_cert_verify == TLSD_UNKNOWN)
      hs->server_cert_verify = TLSD_NO;
    if (role == TLSD_CLIENT) {
      if (hs->client_sent_cert == TLSD_UNKNOWN)
        hs->client_sent_cert = TLSD_NO;
      if (hs->client_cert_verify == TLSD_UNKNOWN)
        hs->client_cert_verify = TLSD_NO;
    }
    if (tls13)
      set_tls13_key(conn, role,
                    role == TLSD_CLIENT ? TLSD_SECRET_CLIENT_TRAFFIC_0 : TLSD_SECRET_SERVER_TRAFFIC_0,
                    EPOCH_APPLICATION);
    break;
  default:
    break;
  }
  if (!ok)
    tlsd_handshake_note(hs, TRUE, "%s: %s", tlsd_role_name(role), why);
}

/* Splits the handshake bytes of |role| into messages. */
static void
handshake_bytes(TlsdConn *conn, TlsdRole role, const guint8 *data, gsize len, gint64 time_us)
{
  Dir *d = &conn->dir[role];
  CBS in;
  gsize used = 0;

  g_byte_array_append(d->messages, data, len);
  CBS_init(&in, d->messages->data, d->messages->len);
  for (;;) {
    uint8_t type;
    uint32_t msg_len;
    CBS peek = in, body;
    if (!CBS_get_u8(&peek, &type) || !CBS_get_u24(&peek, &msg_len))
      break;
    if (msg_len > TLSD_MAX_HANDSHAKE_LEN) {
      break_dir(conn, role, "a handshake message is larger than 256 KiB");
      return;
    }
    if (!CBS_get_bytes(&peek, &body, msg_len))
      break;
    in = peek;
    used = d->messages->len - CBS_len(&in);
    handshake_message(conn, role, type, body, time_us);
    if (d->broken)
      return;
    /* The message may have changed keys; the rest of this record is
     * still under the old ones, which is what TLS requires anyway. */
  }
  g_byte_array_remove_range(d->messages, 0, used);
}

/* Dispatches one plaintext record (decrypted or never encrypted). */
static void
plaintext_record(TlsdConn *conn, TlsdRole role, guint8 type, const guint8 *data, gsize len,
                 gboolean was_encrypted, gint64 time_us)
{
  CBS body;

  CBS_init(&body, data, len);
  switch (type) {
  case CT_HANDSHAKE:
    handshake_bytes(conn, role, data, len, time_us);
    break;
  case CT_ALERT:
    alert(conn, role, body, was_encrypted, time_us);
    break;
  case CT_APPLICATION_DATA:
    application_data(conn, role, data, len, time_us);
    break;
  case CT_CHANGE_CIPHER_SPEC:
    conn->hs->ccs[role] = TRUE;
    break;
  default:
    break;
  }
}

static void
derive_tls12_keys(TlsdConn *conn)
{
  TlsdHandshake *hs = conn->hs;
  const TlsdSecret *master;

  if (conn->tls12_keys_tried)
    return;
  conn->tls12_keys_tried = TRUE;
  master = conn->keylog != NULL && hs->have_client_hello
               ? tlsd_keylog_lookup(conn->keylog, hs->client_random, TLSD_SECRET_MASTER)
               : NULL;
  if (master == NULL)
    return;
  /* Both directions' keys; each is used from its own side's CCS on. */
  if (!tlsd_record_keys_init_tls12(&conn->dir[TLSD_CLIENT].key, &conn->dir[TLSD_SERVER].key,
                                   hs->cipher, master, hs->client_random, hs->server_random)) {
    hs->decryption = TLSD_DECRYPT_UNSUPPORTED;
    return;
  }
  hs->decryption = TLSD_DECRYPT_DONE;
}

/* A record that cannot be read: counted, and what it may be noted. */
static void
unreadable_record(TlsdConn *conn, TlsdRole role, guint8 outer_type, gsize len)
{
  TlsdHandshake *hs = conn->hs;

  hs->encrypted_unread[role]++;
  conn->dir[role].last_unread_len = len;
  if (hs->version != TLS13) {
    /* TLS 1.2: the outer type is the real one.  The first handshake
     * record after CCS is Finished; one after it starts a renegotiation
     * (or, from the server, asks for one). */
    if (outer_type == CT_HANDSHAKE && hs->finished[role])
      hs->renegotiation_by = role;
    else if (outer_type == CT_HANDSHAKE)
      hs->finished[role] = TRUE;
    else if (outer_type == CT_APPLICATION_DATA) {
      hs->app_records[role]++;
      hs->sip_unreadable = TRUE;
      conn->dir[role].sip_done = TRUE;
    } else if (outer_type == CT_ALERT)
      tlsd_handshake_note(hs, FALSE, "the %s sent an encrypted alert (no key log to read it)",
                          tlsd_role_name(role));
  } else if (hs->finished[TLSD_CLIENT] || conn->dir[role].epoch == EPOCH_APPLICATION) {
    hs->sip_unreadable = TRUE;
    conn->dir[role].sip_done = TRUE;
  }
}

static void
encrypted_record(TlsdConn *conn, TlsdRole role, const guint8 header[TLSD_RECORD_HEADER_LEN],
                 CBS body, gint64 time_us)
{
  Dir *d = &conn->dir[role];
  TlsdHandshake *hs = conn->hs;
  g_autofree guint8 *plain = NULL;
  gsize plain_len;
  guint8 type;

  if (hs->version == TLS13 && header[0] != CT_APPLICATION_DATA) {
    /* TLS 1.3 protected records all say application_data outside; any
     * other type is in clear: the compatibility ChangeCipherSpec, or an
     * alert sent before the sender switched keys (OpenSSL does that when
     * it rejects the server's certificate). */
    plaintext_record(conn, role, header[0], CBS_data(&body), CBS_len(&body), FALSE, time_us);
    return;
  }
  if (d->sip_done && !sip_lines_wanted(d) && (hs->version == TLS13 ? CBS_len(&body) > SKIM_MIN_LEN
                                           : header[0] == CT_APPLICATION_DATA)) {
    /* Past the SIP lines only alerts matter: records too long to be one
     * are counted without decrypting (the sequence number still moves). */
    d->key.seq++;
    hs->app_records[role]++;
    return;
  }
  if (!d->key.ready || d->key_failed) {
    unreadable_record(conn, role, header[0], CBS_len(&body));
    return;
  }
  plain = g_malloc(MAX(CBS_len(&body), 1));
  if (!tlsd_record_key_open(&d->key, header, body, plain, &plain_len, &type)) {
    /* A TLS 1.3 side that finished its handshake moves to the application
     * keys; if we missed its Finished, try those before giving up. */
    gboolean retried = FALSE;
    if (hs->version == TLS13 && d->epoch == EPOCH_HANDSHAKE &&
        set_tls13_key(conn, role,
                      role == TLSD_CLIENT ? TLSD_SECRET_CLIENT_TRAFFIC_0 : TLSD_SECRET_SERVER_TRAFFIC_0,
                      EPOCH_APPLICATION))
      retried = tlsd_record_key_open(&d->key, header, body, plain, &plain_len, &type);
    if (!retried) {
      d->key_failed = TRUE;
      hs->decryption = TLSD_DECRYPT_FAILED;
      tlsd_handshake_note(hs, TRUE, "a %s record did not decrypt with the key log's secrets",
                          tlsd_role_name(role));
      unreadable_record(conn, role, header[0], CBS_len(&body));
      return;
    }
  }
  plaintext_record(conn, role, type, plain, plain_len, TRUE, time_us);
}

/* Parses the whole records buffered for |role|. */
static void
process_side(TlsdConn *conn, TlsdRole role, gint64 time_us)
{
  Dir *d = &conn->dir[role];
  TlsdHandshake *hs = conn->hs;
  CBS in;
  gsize used = 0;

  CBS_init(&in, d->records->data, d->records->len);
  while (!d->broken) {
    uint8_t type;
    uint16_t version, len;
    CBS peek = in, body;
    guint8 header[TLSD_RECORD_HEADER_LEN];

    if (!CBS_get_u8(&peek, &type) || !CBS_get_u16(&peek, &version) || !CBS_get_u16(&peek, &len))
      break;
    if (type < CT_CHANGE_CIPHER_SPEC || type > CT_APPLICATION_DATA || (version >> 8) != 3) {
      if (!tlsd_conn_is_tls(conn) && !d->seen_bytes)
        conn->not_tls = TRUE;
      break_dir(conn, role, "bytes that are not a TLS record");
      break;
    }
    if (len > TLSD_MAX_RECORD_LEN) {
      break_dir(conn, role, "a record longer than TLS allows");
      break;
    }
    if (!CBS_get_bytes(&peek, &body, len))
      break;
    memcpy(header, CBS_data(&in), TLSD_RECORD_HEADER_LEN);
    in = peek;
    used = d->records->len - CBS_len(&in);
    d->seen_bytes = TRUE;
    if (d->epoch == EPOCH_CLEAR) {
      plaintext_record(conn, role, type, CBS_data(&body), CBS_len(&body), FALSE, time_us);
      if (type == CT_CHANGE_CIPHER_SPEC && hs->version != 0 && hs->version != TLS13 &&
          hs->have_server_hello) {
        /* TLS 1.2 and older: everything after CCS is encrypted. */
        derive_tls12_keys(conn);
        d->epoch = EPOCH_APPLICATION;
      }
    } else {
      encrypted_record(conn, role, header, body, time_us);
    }
  }
  if (!d->broken)
    g_byte_array_remove_range(d->records, 0, MIN(used, d->records->len));
}

/* Guesses the role from the first handshake message type of a side. */
static int
role_from_first_bytes(const GByteArray *bytes)
{
  if (bytes->len < 6)
    return -1;
  if (bytes->data[0] != CT_HANDSHAKE || bytes->data[1] != 3)
    return -2;
  if (bytes->data[5] == TLSD_HS_CLIENT_HELLO)
    return TLSD_CLIENT;
  if (bytes->data[5] == TLSD_HS_SERVER_HELLO)
    return TLSD_SERVER;
  return -2;
}

void
tlsd_conn_data(TlsdConn *conn, int side, const guint8 *data, gsize len, gint64 time_us)
{
  int role = conn->role_of_side[side];

  if (conn->not_tls || len == 0)
    return;
  if (conn->hs->start_us == 0)
    conn->hs->start_us = time_us;
  if (role < 0) {
    int guess;
    if (conn->pending[side]->len < TLSD_MAX_RECORD_LEN + TLSD_RECORD_HEADER_LEN)
      g_byte_array_append(conn->pending[side], data, len);
    conn->pending_time[side] = time_us;
    guess = role_from_first_bytes(conn->pending[side]);
    if (guess == -2) {
      conn->not_tls = TRUE;
      return;
    }
    if (guess >= 0)
      assign_roles(conn, guess == TLSD_CLIENT ? side : !side, time_us);
    return;
  }
  if (conn->dir[role].broken)
    return;
  g_byte_array_append(conn->dir[role].records, data, len);
  if (conn->dir[role].records->len > 4 * (TLSD_MAX_RECORD_LEN + TLSD_RECORD_HEADER_LEN)) {
    /* Cannot happen with whole records consumed as they complete. */
    break_dir(conn, role, "record buffer overflow");
    return;
  }
  process_side(conn, role, time_us);
}

void
tlsd_conn_close(TlsdConn *conn, int side, gboolean reset, gint64 time_us)
{
  TlsdHandshake *hs = conn->hs;
  int role = conn->role_of_side[side];

  (void) time_us;
  if (role < 0)
    return;
  if (reset)
    hs->rst[role] = TRUE;
  else
    hs->fin[role] = TRUE;
  if (hs->first_close < 0 && !(hs->finished[TLSD_CLIENT] && hs->finished[TLSD_SERVER]))
    hs->first_close = role;
}

void
tlsd_conn_gap(TlsdConn *conn, int side, guint64 missing_bytes)
{
  int role = conn->role_of_side[side];
  g_autofree char *why = g_strdup_printf("%" G_GUINT64_FORMAT " bytes are missing from the capture",
                                         missing_bytes);

  if (role < 0) {
    conn->not_tls = conn->not_tls || !tlsd_conn_is_tls(conn);
    return;
  }
  break_dir(conn, role, why);
}

TlsdHandshake *
tlsd_conn_conclude(TlsdConn *conn)
{
  TlsdHandshake *hs = conn->hs;

  for (int role = 0; role < 2; role++) {
    Dir *d = &conn->dir[role];
    if (!d->broken && (d->records->len > 0 || d->messages->len > 0))
      tlsd_handshake_note(hs, TRUE, "the capture ends inside a %s record",
                          tlsd_role_name(role));
    if (d->sip != NULL && hs->sip_stopped == NULL)
      hs->sip_stopped = tlsd_sip_stream_stopped(d->sip);
  }
  if (hs->version == TLS13 && hs->decryption == TLSD_DECRYPT_NOT_NEEDED && hs->have_server_hello)
    hs->decryption = TLSD_DECRYPT_NO_KEYS;
  tlsd_handshake_conclude(hs);
  /* TLS 1.3 without keys: a side that sent one alert-sized record
   * (2 bytes, type, 16-byte tag) and then closed most likely refused. */
  if (hs->version == TLS13 && hs->decryption != TLSD_DECRYPT_DONE && hs->first_close >= 0 &&
      conn->dir[hs->first_close].last_unread_len == 19 && hs->outcome != TLSD_OUTCOME_REFUSED) {
    hs->outcome = TLSD_OUTCOME_REFUSED;
    hs->refused_by = hs->first_close;
    g_free(hs->reason);
    hs->reason = g_strdup_printf("probably refused: the %s sent an encrypted record the size of an "
                                 "alert and closed the connection (a key log would show the alert)",
                                 tlsd_role_name(hs->first_close));
  }
  conn->hs = NULL;
  return hs;
}

TlsdHandshake *
tlsd_conn_finish(TlsdConn *conn)
{
  TlsdHandshake *hs = tlsd_conn_conclude(conn);

  tlsd_conn_free(conn);
  return hs;
}
