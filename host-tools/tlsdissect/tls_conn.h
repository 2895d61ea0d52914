/*
 * The TLS side of one TCP connection: splits each direction's byte stream
 * into records, decrypts them when the key log has the connection's
 * secrets, reassembles handshake messages across records, and fills a
 * TlsdHandshake.  Also picks the first SIP request and response out of
 * the (decrypted) application data.
 *
 * The two directions are "sides" 0 and 1 as the TCP layer knows them;
 * which is the client is told by the TCP layer (the SYN) or learnt from
 * the first ClientHello.
 */
#ifndef TLSD_TLS_CONN_H
#define TLSD_TLS_CONN_H

#include <glib.h>

#include "handshake.h"
#include "keylog.h"

G_BEGIN_DECLS

/* Largest TLS record body accepted (RFC 5246: 2^14 + 2048). */
#define TLSD_MAX_RECORD_LEN (16384 + 2048)
/* Largest handshake message accepted (certificate chains fit easily). */
#define TLSD_MAX_HANDSHAKE_LEN (256 * 1024)

typedef struct TlsdConn TlsdConn;

/* tlsd_conn_new starts the analysis of one connection.  |keylog| (may be
 * NULL) must outlive the connection. */
TlsdConn *tlsd_conn_new(const TlsdKeylog *keylog);
void tlsd_conn_free(TlsdConn *conn);

/* tlsd_conn_restart makes |conn| (concluded or not) the start of a new
 * connection's analysis, as from tlsd_conn_new, keeping its buffers: a
 * capture of thousands of connections then allocates them once. */
void tlsd_conn_restart(TlsdConn *conn, const TlsdKeylog *keylog);

/* tlsd_conn_set_client_side says which side (0 or 1) is the client. */
void tlsd_conn_set_client_side(TlsdConn *conn, int side);

/* tlsd_conn_data feeds |len| in-order stream bytes sent by |side| at
 * |time_us|. */
void tlsd_conn_data(TlsdConn *conn, int side, const guint8 *data, gsize len, gint64 time_us);

/* tlsd_conn_close records that |side| sent FIN (|reset| FALSE) or RST. */
void tlsd_conn_close(TlsdConn *conn, int side, gboolean reset, gint64 time_us);

/* tlsd_conn_gap records that bytes from |side| are missing from the
 * capture: that direction cannot be parsed further. */
void tlsd_conn_gap(TlsdConn *conn, int side, guint64 missing_bytes);

/* tlsd_conn_is_tls returns TRUE once a ClientHello or ServerHello was seen. */
gboolean tlsd_conn_is_tls(const TlsdConn *conn);

/* tlsd_conn_wants_data returns FALSE once further stream bytes cannot
 * change the report (handshake over and the SIP lines found, or the
 * stream is not TLS): the caller may stop reassembling. */
gboolean tlsd_conn_wants_data(const TlsdConn *conn);

/* tlsd_conn_side_is_client returns 1 if |side| is the client, 0 if the
 * server, -1 if not known yet. */
int tlsd_conn_side_is_client(const TlsdConn *conn, int side);

/* tlsd_conn_conclude concludes the analysis and hands over the report.
 * |conn| is then good only for tlsd_conn_restart or tlsd_conn_free. */
TlsdHandshake *tlsd_conn_conclude(TlsdConn *conn);

/* tlsd_conn_finish concludes the analysis, hands over the report and
 * frees |conn|. */
TlsdHandshake *tlsd_conn_finish(TlsdConn *conn);

G_END_DECLS

#endif /* TLSD_TLS_CONN_H */
