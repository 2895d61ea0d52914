/*
 * SIP transactions: libosip2's RFC 3261 §17 state machines (ICT, IST,
 * NICT, NIST) driven from a GLib main loop, on transports the caller
 * supplies.
 *
 * The layer owns one osip_t. Bytes come in through sip_txn_layer_receive()
 * (one datagram, or one message framed by a SipFramer); the layer checks
 * them (sip_framing.h, sip_message.h), answers what it must refuse,
 * absorbs retransmissions in the matching server transaction (resending
 * the last response) and hands new requests and responses to the
 * transaction user (TU) through callbacks. Timers (A to K) run from one
 * GSource on the layer's main context, due at libosip2's next deadline;
 * nothing polls. Over TCP and TLS, transactions end as soon as they
 * complete (timers D, I, J, K are zero), and non-INVITE server
 * transactions are the layer's own, not libosip2's (sip_txn.c).
 *
 * Not thread-safe: use a layer from its main context's thread only.
 */
#ifndef VGW_SIP_TXN_H
#define VGW_SIP_TXN_H

#include <glib.h>
#include <sys/time.h> /* osip2/osip.h uses struct timeval, time_t */
#include <time.h>
#include <osip2/osip.h>

#include "sip_framing.h"
#include "sip_reason.h"

typedef enum {
  SIP_TRANSPORT_UDP,
  SIP_TRANSPORT_TCP,
  SIP_TRANSPORT_TLS,
  SIP_TRANSPORT_COUNT
} SipTransport;

/* "udp", "tcp", "tls"; "?" out of range. */
const char *sip_transport_name(SipTransport transport);

/* Where a message came from or goes to. For a stream, |connection| is the
 * transport's id of the connection (never 0) and responses to a request go
 * back on the connection it came on; for UDP it is the transport's id of
 * the socket it came in on (0: the transport picks one), responses leave
 * from that socket and go to the address in the request's top Via after
 * sip_message_stamp_via() (received/rport), i.e. back to the source
 * address. */
typedef struct {
  SipTransport transport;
  char address[48]; /* numeric IPv4 or IPv6 */
  guint16 port;
  guint64 connection;
  /* The SIPInterface row a message came in on (0 also for the implicit
   * interface of a configuration without rows, param/sip_interfaces.h);
   * set by the transport, for routing and the TLS Context. A connection
   * the gateway opened belongs to no interface: vgwd's transport gives it
   * VGW_SIP_INTERFACES (vgwd/sip_transport.h). */
  guint interface;
} SipPeer;

typedef struct SipTxnLayer SipTxnLayer;
/* One transaction; server transactions are handed to the TU. */
typedef struct SipTxn SipTxn;

typedef struct {
  /* Sends |len| bytes (one whole message) to |to|. FALSE if it cannot (no
   * such connection, socket error): the transaction then fails with a
   * transport error. Required.
   *
   * To a stream peer (TCP, TLS) with |to->connection| 0 — a client
   * transaction's request to an address:port — the transport reuses a
   * connection to that address:port (one it opened, or one the peer
   * opened and offered with ;alias, RFC 5923) or opens one, and queues
   * the bytes until it can write (TLS: after the handshake). TRUE then
   * means queued, not delivered: a connection that cannot be made (even
   * one that fails at once, reported from the main loop so that it has
   * its reason), or dies with bytes queued, is reported with
   * sip_txn_layer_peer_failed(), which ends the transactions waiting on
   * it at once. */
  gboolean (*send)(const SipPeer *to, const char *bytes, gsize len,
                   gpointer user_data);
  /* A new request, in its new server transaction |txn|, already stamped
   * with its source (sip_message_stamp_via()). The TU answers with
   * sip_txn_respond(), now or later. An ACK to a 2xx has no transaction:
   * it arrives with |txn| NULL and is not to be answered. |req| belongs to
   * the layer and lives as long as |txn|. Required. */
  void (*request)(SipTxnLayer *layer, SipTxn *txn,
                  const osip_message_t *req, const SipPeer *from,
                  gpointer user_data);
} SipTxnCallbacks;

/* The outcome of a client transaction: each response, then, if no final
 * response came, once with |resp| NULL and |reason| saying why (timeout
 * or transport error). */
typedef enum {
  SIP_CLIENT_RESPONSE,         /* |resp| is a response (1xx or final) */
  SIP_CLIENT_TIMEOUT,          /* timer B or F fired */
  SIP_CLIENT_TRANSPORT_ERROR,  /* send() refused the request, or the
                                  transport reported the peer failed
                                  (sip_txn_layer_failure() says why) */
} SipClientEvent;

/* Why a peer could not be reached: sip_txn_layer_peer_failed(). */
typedef enum {
  SIP_PEER_SEND_FAILED,        /* send() refused the message */
  SIP_PEER_CONNECTION_REFUSED, /* connect(): ECONNREFUSED (a closed port) */
  SIP_PEER_UNREACHABLE,        /* connect(): any other error */
  SIP_PEER_CONNECTION_LIMIT,   /* our own bound on open connections */
  SIP_PEER_TLS_HANDSHAKE,      /* the TLS handshake failed */
  SIP_PEER_CLOSED,             /* the connection died with bytes queued */
  SIP_PEER_PING_TIMEOUT,       /* no CRLF pong to a keep-alive ping */
  SIP_PEER_FAILURE_COUNT
} SipPeerFailure;

/* "send-failed", "connection-refused", "unreachable", "connection-limit",
 * "tls-handshake-failed", "connection-closed", "ping-timeout"; "?" out of
 * range. Stable: status, logs and the sip-options verb show them. */
const char *sip_peer_failure_name(SipPeerFailure failure);

typedef void (*SipClientFunc)(SipTxnLayer *layer, SipClientEvent event,
                              const osip_message_t *resp, gpointer data);

/* One transport's share of the counters below. */
typedef struct {
  guint64 received;             /* messages taken in (keep-alives not) */
  guint64 sent;                 /* messages handed to send() and sent */
  guint64 rejected[SIP_REASON_COUNT];
} SipTransportStats;

/* Counters for status and tests. rejected[] counts refused incoming
 * messages by reason (rejected[SIP_REASON_NONE] stays 0); transport[]
 * splits received, rejected and sent by the transport they came on or
 * went out on. */
typedef struct {
  guint64 received;             /* messages taken in (keep-alives not) */
  guint64 rejected[SIP_REASON_COUNT];
  guint64 refusals_sent;        /* 4xx/5xx answered for refused requests */
  guint64 retransmissions;      /* requests absorbed by their transaction */
  guint64 stray_responses;      /* responses matching no transaction */
  guint64 transport_errors;     /* sends that failed */
  guint64 peer_failures;        /* client transactions ended by
                                   sip_txn_layer_peer_failed() */
  guint server_transactions;    /* live */
  guint client_transactions;    /* live */
  SipTransportStats transport[SIP_TRANSPORT_COUNT];
} SipTxnStats;

/* A layer on |context| (NULL: the thread-default main context). |limits|
 * is copied (NULL: sip_limits_init_default()). */
SipTxnLayer *sip_txn_layer_new(GMainContext *context, const SipLimits *limits,
                               const SipTxnCallbacks *callbacks,
                               gpointer user_data);

/* Ends every transaction without further callbacks and frees the layer. */
void sip_txn_layer_free(SipTxnLayer *layer);

/* Takes one message (or datagram, on UDP) received from |from|. Returns
 * SIP_REASON_NONE when the message went to a transaction or the TU, or
 * why it was refused; a refused request that can be answered gets its
 * 400/413/505 (sip_response_refusal()), sent statelessly to |from|. On a
 * stream, the caller closes the connection on a framing reason from its
 * SipFramer; a reason returned here concerns this message only. */
SipReason sip_txn_layer_receive(SipTxnLayer *layer, const guint8 *bytes,
                                gsize len, const SipPeer *from);

/* Counts a stream that |from|'s transport closed for |reason|, a framing
 * error of its SipFramer (sip_framer_next() returned SIP_FRAME_ERROR), so
 * every refusal shows in one place: rejected[reason] and
 * transport[from->transport].rejected[reason]. Nothing is sent. */
void sip_txn_layer_count_stream_error(SipTxnLayer *layer,
                                      const SipPeer *from, SipReason reason);

/* Sends |resp| (taken) in server transaction |txn|. A final response ends
 * the TU's use of |txn|: the layer keeps the transaction to absorb
 * retransmissions and frees it when its timers end (at once over TCP and
 * TLS). */
void sip_txn_respond(SipTxn *txn, osip_message_t *resp);

/* The request that opened |txn|. */
const osip_message_t *sip_txn_request(const SipTxn *txn);

/* Sends |req| (taken; must pass sip_message_validate()) to |to| in a new
 * client transaction (ICT for INVITE, NICT otherwise); |func| hears what
 * becomes of it. FALSE if libosip2 refuses the request. */
gboolean sip_txn_send_request(SipTxnLayer *layer, osip_message_t *req,
                              const SipPeer *to, SipClientFunc func,
                              gpointer data);

/* sip_txn_layer_peer_failed ends, at once, every client transaction
 * whose request went to |peer| (same transport, address and port; for a
 * stream, on connection |peer->connection| or, when that is 0, on any) and
 * has no final response yet: each hears SIP_CLIENT_TRANSPORT_ERROR now,
 * not after timer B or F, so a dead proxy is noticed in milliseconds.
 * Counted in SipTxnStats.peer_failures. The transport calls it from its
 * own callbacks, never from inside send(). */
void sip_txn_layer_peer_failed(SipTxnLayer *layer, const SipPeer *peer,
                               SipPeerFailure failure);

/* Inside a SipClientFunc called with SIP_CLIENT_TRANSPORT_ERROR: why
 * (SIP_PEER_SEND_FAILED when send() refused the request). */
SipPeerFailure sip_txn_layer_failure(const SipTxnLayer *layer);

/* Sends |msg| (not taken) to |to| outside any transaction: what a proxy
 * forwards statelessly, an ACK to a 2xx (RFC 3261 §16.11, §17.1.1.3).
 * Counted as sent; FALSE if it cannot be printed or sent. */
gboolean sip_txn_layer_send(SipTxnLayer *layer, const osip_message_t *msg,
                            const SipPeer *to);

/* A response that matched no transaction (counted in
 * SipTxnStats.stray_responses), from |from|: among them the retransmitted
 * 2xx to an INVITE whose client transaction ended at the first 2xx, which
 * a stateful proxy forwards upstream (RFC 3261 §16.7, §13.3.1.4). |resp|
 * is the layer's, for the call only. */
typedef void (*SipStrayResponseFunc)(SipTxnLayer *layer,
                                     const osip_message_t *resp,
                                     const SipPeer *from, gpointer data);

/* sip_txn_layer_set_stray_response has |func| (NULL: none, the default)
 * hear every stray response, with |data|. */
void sip_txn_layer_set_stray_response(SipTxnLayer *layer,
                                      SipStrayResponseFunc func,
                                      gpointer data);

const SipTxnStats *sip_txn_layer_stats(const SipTxnLayer *layer);

#endif
