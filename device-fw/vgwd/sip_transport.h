/*
 * vgwd's SIP transports: the UDP socket and the accepted TCP connections
 * of the SIP listeners (listeners.h) and the established connections of
 * the TLS listener (tls_server.h), wired to one SipTxnLayer
 * (device-fw/sip).
 *
 * UDP: each datagram goes to the layer, which stamps the top Via with
 * received/rport (RFC 3581); responses go to the address and port the
 * request came from, from the socket it came in on (each SIP Interface
 * has its own). TCP: each connection has a SipFramer; whole messages
 * go to the layer, CRLF CRLF pings are answered with CRLF (RFC 5626
 * §4.4.1), a framing error closes the connection; responses go back on the
 * connection the request came on. TLS: the same as TCP over each
 * connection's decrypted stream, answers written back through it
 * (SSL_write); the TLS listener hands a connection over only once its
 * handshake is complete, so no SIP byte is read before that.
 *
 * Bounds, each refusal logged with the peer and the reason and counted,
 * the same for TCP and TLS (each transport counted on its own): its
 * connections open at once (`connection-limit`: the newcomer is closed
 * at once) and those open at once on one SIP Interface
 * (`interface-connection-limit`, likewise), an idle timeout (no byte in
 * or out), the bytes queued for a peer that does not read
 * (`send-backlog`: the connection is closed), and the messages a
 * connection hands on per main-loop iteration (VGW_SIP_MESSAGES_PER_TURN;
 * the turns that used them all with more waiting are counted,
 * `deferred`).
 * Message refusals are the layer's SipReasons (sip_reason.h), counted by
 * transport in its SipTxnStats.
 *
 * Single-threaded: everything runs on the default main context.
 */
#ifndef VGW_VGWD_SIP_TRANSPORT_H
#define VGW_VGWD_SIP_TRANSPORT_H

#include <glib.h>

#include "mgmt/mgmt_status.h"
#include "mgmt/mgmt_verb.h"
#include "sip_registrar.h"
#include "sip_txn.h"
#include "tls/tls_client.h"
#include "tls/tls_server.h"

G_BEGIN_DECLS

/* TCP connections open at once, over all SIP listeners. */
#define VGW_SIP_MAX_CONNECTIONS 256
/* Stream connections of one transport open at once on one SIP Interface.
 * As many as in total, so the factory interface alone keeps the total
 * bound; a gateway with several interfaces lowers it so that one cannot
 * take every connection. */
#define VGW_SIP_MAX_INTERFACE_CONNECTIONS VGW_SIP_MAX_CONNECTIONS
/* Interfaces told apart, by SIPInterface row index (the table's size). */
#define VGW_SIP_INTERFACES 32
/* A TCP connection with no byte in either direction for this long is
 * closed; a client keeps it with CRLF CRLF pings (RFC 5626 suggests
 * pinging every 95 to 120 s). */
#define VGW_SIP_IDLE_TIMEOUT_S 300
/* Bytes queued for one TCP peer that does not read before its connection
 * is closed: several maximal messages. */
#define VGW_SIP_MAX_SEND_BACKLOG (256 * 1024)
/* A keep-alive ping unanswered this long closes the connection (RFC 5626
 * §4.4.1 leaves it to the client; 10 s is what it suggests for a pong). */
#define VGW_SIP_PONG_TIMEOUT_S 10
/* Messages one TCP or TLS connection hands the transaction layer per turn.
 * Every connection with something to say gets one turn in each main-loop
 * iteration, so an iteration costs at most this many messages times the
 * connections open; on the emulated CPU a message takes milliseconds, and
 * an iteration must end well within the 10 s watchdog, which is kicked
 * from the loop. A connection with more waits for its next turn and is
 * not read meanwhile (TCP slows the peer down). */
#define VGW_SIP_MESSAGES_PER_TURN 4

typedef struct {
  guint max_connections;
  guint idle_timeout_s;
  gsize max_send_backlog;
  guint max_interface_connections; /* 0: max_connections */
  /* the TLS listener's bound on established connections, as given to
   * vgw_tls_server_set_limits(); 0: VGW_TLS_MAX_ESTABLISHED */
  guint max_tls_connections;
} VgwSipTransportLimits;

/* One interface's connections of one stream transport. */
typedef struct {
  guint open;
  guint64 refused;  /* interface-connection-limit */
} VgwSipInterfaceConns;

typedef struct VgwSipTransport VgwSipTransport;

/* What a new request is answered with: SipTxnCallbacks.request. */
typedef void (*VgwSipRequestFunc)(SipTxnLayer *layer, SipTxn *txn,
                                  const osip_message_t *req,
                                  const SipPeer *from, gpointer data);

/* vgw_sip_transport_new makes the transports with their SipTxnLayer on
 * the default main context; new requests go to |request| with |data|.
 * |limits| is copied (NULL: the VGW_SIP_* defaults above). Returns NULL
 * when libosip2 cannot be initialised. */
VgwSipTransport *vgw_sip_transport_new(const VgwSipTransportLimits *limits,
                                       VgwSipRequestFunc request,
                                       gpointer data);

/* vgw_sip_transport_serve_udp reads every datagram arriving on the bound,
 * non-blocking UDP socket |fd| of SIP Interface |iface| (below
 * VGW_SIP_INTERFACES; SipPeer.interface) and answers each from it; the
 * first socket served also sends requests of our own. The caller keeps
 * |fd| open until vgw_sip_transport_stop_udp(). */
void vgw_sip_transport_serve_udp(VgwSipTransport *t, guint iface, int fd);

/* vgw_sip_transport_stop_udp stops serving |fd| (the caller closes it);
 * answers to its requests still pending leave from another socket. */
void vgw_sip_transport_stop_udp(VgwSipTransport *t, int fd);

/* vgw_sip_transport_accept_tcp takes over the accepted, non-blocking TCP
 * socket |fd| from |peer| ("a.b.c.d:port") on SIP Interface |iface|
 * (below VGW_SIP_INTERFACES): it is served, or closed at once when the
 * connection limit or the interface's is reached. A TLS connection's
 * interface is its listener's tag (vgw_tls_conn_tag). */
void vgw_sip_transport_accept_tcp(VgwSipTransport *t, guint iface, int fd,
                                  const char *peer);

/* vgw_sip_transport_close_interface closes every |transport| connection
 * accepted on |iface|, logging |why| (their listener was closed). */
void vgw_sip_transport_close_interface(VgwSipTransport *t,
                                       SipTransport transport, guint iface,
                                       const char *why);

/* vgw_sip_transport_interface_conns returns |iface|'s |transport|
 * connections. */
VgwSipInterfaceConns vgw_sip_transport_interface_conns(
    const VgwSipTransport *t, SipTransport transport, guint iface);

/* The stream handler of the TLS listener (vgw_tls_server_set_stream),
 * with the transport as its data: SIP over TLS. */
extern const VgwTlsStreamOps vgw_sip_tls_stream_ops;

/* Outgoing connections (client transactions to a TCP or TLS peer, the
 * layer's send() with connection 0, sip_txn.h): a connection the transport
 * opened to that address:port is reused, else one the peer opened whose
 * top Via offered ;alias (RFC 5923) with that sent-by, else a new one is
 * opened (non-blocking connect; TLS: tls_client.h handshake) and the
 * request waits in its backlog. A connect that fails, a handshake that
 * fails, or a connection that dies with bytes queued is logged with the
 * peer and reason and reported with sip_txn_layer_peer_failed(). Opened
 * connections count against the same per-transport bound as accepted ones
 * and have the same idle timeout; they are counted in status as
 * `opened`, `connect_failures`.
 *
 * TLS alias: for now an accepted TLS connection is reused when its peer
 * offered ;alias, whatever its certificate says. RFC 5923 §7 wants the
 * peer's certificate to name the alias host first (the TLS issue must
 * tighten this). */

/* vgw_sip_transport_layer is the transport's SipTxnLayer, for client
 * transactions (sip_txn_send_request()). */
SipTxnLayer *vgw_sip_transport_layer(VgwSipTransport *t);

/* vgw_sip_transport_sent_by: our address facing |to| (the routing table's
 * choice) in |host| and the SIP UDP port in |port|, for a Via sent-by.
 * FALSE if |to| is no IPv4 address or has no route. */
gboolean vgw_sip_transport_sent_by(const VgwSipTransport *t,
                                   const SipPeer *to, char *host,
                                   gsize host_len, guint16 *port);

/* vgw_sip_transport_connection_to: the id of the live connection a request
 * to |to| (TCP, TLS) would use now, and whether we opened it (else the
 * peer did, offering ;alias); 0 if none. */
guint64 vgw_sip_transport_connection_to(VgwSipTransport *t, const SipPeer *to,
                                        gboolean *outgoing);

/* vgw_sip_transport_client_identity fills |out| (strings borrowed, valid
 * while the connection is open and the caller does not return to the
 * main loop) with the identity of the verified TLS client certificate of
 * the connection |connection| (a SipPeer's); FALSE, |out| untouched,
 * when it has none (UDP, TCP, a TLS listener without mutual
 * authentication, a connection the gateway opened, or gone). */
gboolean vgw_sip_transport_client_identity(VgwSipTransport *t,
                                           guint64 connection,
                                           SipClientIdentity *out);

/* vgw_sip_transport_set_tls_client makes |client| (not owned; NULL: none)
 * open the TLS connections; without one a TLS peer fails at once
 * (tls-handshake-failed, "no TLS client"). */
void vgw_sip_transport_set_tls_client(VgwSipTransport *t,
                                      VgwTlsClient *client);

/* vgw_sip_transport_failure_detail: why the last connection to |peer|
 * (transport, address, port) could not be made, for people ("Connection
 * refused", a VgwTlsError name); NULL if the last failure was another
 * peer's. Valid until the next failure. */
const char *vgw_sip_transport_failure_detail(const VgwSipTransport *t,
                                             const SipPeer *peer);

/* vgw_sip_transport_set_server_name: TLS connections the transport opens
 * from now on to |peer| (address and port; connection ignored) send |name|
 * as SNI and, under VerifyServerCertificate 1, need a certificate for it
 * (RFC 5922). NULL: the address dialled (no SNI, the address verified).
 * For whoever resolved |name| to |peer| (Proxy Sets). */
void vgw_sip_transport_set_server_name(VgwSipTransport *t,
                                       const SipPeer *peer,
                                       const char *name);

/* vgw_sip_transport_set_tls_context: TLS connections the transport opens
 * from now on to |peer| (address and port; connection ignored) present
 * TLS Context |context| (vgw_tls_client_connect), chosen because |why|
 * (copied; for the log and `show tls connections`). NULL |why|: the
 * default, Context 0, as for any peer no Proxy Set names. For whoever
 * chose it (Proxy Sets); a peer two sets name gets the last choice. */
void vgw_sip_transport_set_tls_context(VgwSipTransport *t,
                                       const SipPeer *peer, guint context,
                                       const char *why);

/* vgw_sip_transport_set_ping keeps the connection to |peer| (TCP or TLS,
 * address and port; connection ignored) alive with CRLF CRLF every
 * |interval_s| seconds (RFC 5626 §4.4.1, UsePingPongKeepAlive), now and on
 * any later connection the transport opens to it. A ping unanswered by a
 * CRLF pong within VGW_SIP_PONG_TIMEOUT_S closes the connection and reports
 * the peer failed (SIP_PEER_PING_TIMEOUT). 0 stops pinging |peer|. */
void vgw_sip_transport_set_ping(VgwSipTransport *t, const SipPeer *peer,
                                guint interval_s);

/* The transport's test switches, a verb set to add with the transport as
 * its data: `debug sip-idle-timeout S` (1-3600) sets the idle timeout of
 * every TCP and TLS connection; each applies it at its next idle check (a new
 * connection's first check comes after S). `debug sip-ping TRANSPORT
 * ADDRESS PORT S` is vgw_sip_transport_set_ping() (0-3600 s). */
extern const VgwMgmtVerbSet vgw_sip_debug_verb_set;


/* vgw_sip_transport_status fills |out| (the `status` field "sip") with
 * the counters of every transport, the layer's and the transport's own. */
void vgw_sip_transport_status(const VgwSipTransport *t, VgwStatusSip *out);

G_END_DECLS

#endif /* VGW_VGWD_SIP_TRANSPORT_H */
