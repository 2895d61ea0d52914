/*
 * TLS key logs in the NSS format (SSLKEYLOGFILE, `openssl s_client
 * -keylogfile`, a pcapng Decryption Secrets Block):
 *
 *   LABEL <client random, 64 hex digits> <secret, hex>
 *
 * Lines starting with '#' and blank lines are ignored.  Labels kept:
 * CLIENT_RANDOM (TLS 1.2 master secret), CLIENT_HANDSHAKE_TRAFFIC_SECRET,
 * SERVER_HANDSHAKE_TRAFFIC_SECRET, CLIENT_TRAFFIC_SECRET_0,
 * SERVER_TRAFFIC_SECRET_0; others (EXPORTER_SECRET, early secrets) are
 * counted but not used.
 */
#ifndef TLSD_KEYLOG_H
#define TLSD_KEYLOG_H

#include <glib.h>

G_BEGIN_DECLS

#define TLSD_RANDOM_LEN 32
#define TLSD_MAX_SECRET_LEN 64

typedef enum {
  TLSD_SECRET_MASTER,            /* CLIENT_RANDOM */
  TLSD_SECRET_CLIENT_HANDSHAKE,  /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
  TLSD_SECRET_SERVER_HANDSHAKE,  /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
  TLSD_SECRET_CLIENT_TRAFFIC_0,  /* CLIENT_TRAFFIC_SECRET_0 */
  TLSD_SECRET_SERVER_TRAFFIC_0,  /* SERVER_TRAFFIC_SECRET_0 */
  TLSD_SECRET_KINDS,
} TlsdSecretKind;

typedef struct {
  guint8 data[TLSD_MAX_SECRET_LEN];
  gsize len;  /* 0: not known */
} TlsdSecret;

typedef struct TlsdKeylog TlsdKeylog;

/* tlsd_keylog_new returns an empty key log. */
TlsdKeylog *tlsd_keylog_new(void);
void tlsd_keylog_free(TlsdKeylog *log);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TlsdKeylog, tlsd_keylog_free)

/* tlsd_keylog_add_text adds the lines of |text| (|len| bytes, need not be
 * NUL-terminated).  Malformed lines are skipped and counted; returns the
 * number of lines added. */
guint tlsd_keylog_add_text(TlsdKeylog *log, const char *text, gsize len);

/* The largest key log file read: some 300000 connections' secrets. */
#define TLSD_KEYLOG_MAX (64 * 1024 * 1024)

/* tlsd_keylog_load_file adds the lines of the file |path| (at most
 * TLSD_KEYLOG_MAX bytes).  Fails with a GFileError when it cannot be read
 * (fileread.h), or G_FILE_ERROR_INVAL ("PATH holds no
 * TLS key log lines") when nothing in it is a key log line. */
gboolean tlsd_keylog_load_file(TlsdKeylog *log, const char *path,
                               GError **error);

/* tlsd_keylog_lookup returns the secret of |kind| for the connection whose
 * ClientHello random is |client_random|, or NULL. */
const TlsdSecret *tlsd_keylog_lookup(const TlsdKeylog *log,
                                     const guint8 client_random[TLSD_RANDOM_LEN],
                                     TlsdSecretKind kind);

/* tlsd_keylog_entries returns the number of lines kept. */
guint tlsd_keylog_entries(const TlsdKeylog *log);

/* tlsd_keylog_skipped returns the number of malformed lines skipped. */
guint tlsd_keylog_skipped(const TlsdKeylog *log);

G_END_DECLS

#endif /* TLSD_KEYLOG_H */
