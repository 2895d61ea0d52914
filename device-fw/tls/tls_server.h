/*
 * The TLS server behind the SIP Interfaces' TLS listeners (one listening
 * socket each, vgw_tls_server_listen): the versions of its policy
 * (vgw_tls_server_set_versions; TLS 1.2 and 1.3 until set) with Context 0's
 * certificate, non-blocking, in the GLib main loop.
 *
 * The private key is the crypto engine's (tls_signer.h): a handshake
 * whose signature is in the engine waits without blocking the loop. For
 * the benchmark, a debug switch makes new connections use a software key
 * (BoringSSL, same key type, a certificate with the same subject) instead,
 * so handshakes per second with both can be measured in one run.
 *
 * A connection's application data (its decrypted byte stream) goes to the
 * stream handler (VgwTlsStreamOps, vgw_tls_server_set_stream: SIP over
 * TLS); without one it is read and discarded. The handler meets a
 * connection only once its handshake has completed, so no byte the peer
 * sent before that (nor any byte of the handshake) can reach it. Each
 * handshake is
 * logged (peer, version, cipher, group, signature scheme, key) and each
 * failure (peer, what went wrong, alert, and its VgwTlsError name, which
 * is also counted); beyond VGW_TLS_LOG_PER_SECOND lines a second the rest
 * are counted and summarised, so a benchmark does not turn into a console
 * flood.
 *
 * Connections are bounded in two pools, so that peers who open TCP
 * connections and never finish a handshake cannot lock out everyone
 * else. Half-open connections (accepted, handshake not finished) are at
 * most VGW_TLS_MAX_HALF_OPEN: when a new connection arrives with the
 * pool full, the oldest half-open one is dropped (failure reason
 * "evicted", logged with its peer) to admit it, so a new client always
 * gets its turn and an attacker must keep outpacing every real client.
 * Each half-open connection is also dropped after
 * VGW_TLS_HANDSHAKE_TIMEOUT_S ("timeout"). Established connections are
 * at most VGW_TLS_MAX_ESTABLISHED: beyond that a new connection is
 * refused ("limit"), since it could not be served once its handshake
 * finished.
 *
 * Every connection uses the identity in force when it was accepted, so a
 * new identity (slot 0 replaced, a new certificate) serves the next
 * connections without disturbing the open ones. *
 * Re-handshakes (TLSReHandshakeInterval), as far as BoringSSL goes:
 * every vgw_tls_server_set_rehandshake_interval, an established TLS 1.3
 * connection sends a KeyUpdate that requests the peer's, so both
 * directions get new traffic keys. BoringSSL cannot start a TLS 1.2
 * renegotiation in either role, nor accept one as server: a TLS 1.2
 * connection keeps its keys (a client connection's stream handler is
 * asked to replace it instead: VgwTlsStreamOps.renew), and a peer that
 * tries to renegotiate
 * (a ClientHello, or a HelloRequest to a client connection) gets a fatal
 * no_renegotiation alert; the connection is closed, logged with
 * VGW_TLS_RENEGOTIATION_RULE and counted (reason "renegotiation").
 */
#ifndef VGW_TLS_SERVER_H
#define VGW_TLS_SERVER_H

#include <glib.h>
#include <netinet/in.h>
#include <openssl/base.h>
#include <stdint.h>

#include "tls/tls_error.h"
#include "tls/tls_peer_verify.h"
#include "tls/tls_role_policy.h"
#include "tls/tls_signer.h"
#include "tls/tls_versions.h"

G_BEGIN_DECLS

#define VGW_TLS_PORT 5061
#define VGW_TLS_MAX_HALF_OPEN 64
#define VGW_TLS_MAX_ESTABLISHED 128
#define VGW_TLS_HANDSHAKE_TIMEOUT_S 10
#define VGW_TLS_LOG_PER_SECOND 10
/* A connection sends at most this many KeyUpdates in a row without
 * sending application data in between, then none until it does: a
 * BoringSSL peer closes a connection on its 33rd KeyUpdate with no
 * application data between them (unexpected_message), and new keys
 * protect nothing that was not sent. */
#define VGW_TLS_IDLE_KEY_UPDATES 16
/* The rule a refused renegotiation is logged with. */
#define VGW_TLS_RENEGOTIATION_RULE "renegotiation is not supported"

typedef struct VgwTlsServer VgwTlsServer;
/* One listening socket of a server. */
typedef struct VgwTlsListener VgwTlsListener;
/* One accepted TLS connection. */
typedef struct VgwTlsConn VgwTlsConn;

/* The stream handler: what is done with the application data of
 * established connections. Every callback runs on the default main
 * context. */
typedef struct {
  /* |conn| from |addr| (|name| "a.b.c.d:port") completed its handshake.
   * Returns the handler's state for it, passed to the callbacks below;
   * NULL refuses the connection (it is closed, closed() not called). */
  gpointer (*open)(VgwTlsConn *conn, const struct sockaddr_in *addr,
                   const char *name, gpointer data);
  /* |len| bytes of the connection's decrypted stream, in order. */
  void (*received)(gpointer conn_data, const guint8 *bytes, gsize len);
  /* The connection is gone (the peer closed it, a TLS or socket error,
   * vgw_tls_conn_abort(), the server freed): |conn_data| and its
   * VgwTlsConn are not used again. Never called from inside received() or
   * a vgw_tls_conn_* call. */
  void (*closed)(gpointer conn_data);
  /* Client connections only (tls_client.h), which have their conn_data
   * from the start: the handshake completed, or failed with |code|
   * (|detail| for people; closed() follows). */
  void (*established)(gpointer conn_data);
  void (*failed)(gpointer conn_data, VgwTlsError code, const char *detail);
  /* Client connections only, optional: the TLS 1.2 connection is due
   * for its re-handshake (vgw_tls_server_set_rehandshake_interval), which
   * BoringSSL cannot do; the handler may replace it by a new connection
   * (a full handshake: nothing resumes). Without it nothing happens. */
  void (*renew)(gpointer conn_data);
} VgwTlsStreamOps;

/* What `status` reports about the listener. Strings stay valid until the
 * identity changes. */
typedef struct {
  uint16_t port;
  const char *key_source; /* "engine", "software" or "none" */
  int slot;               /* engine slot, -1 for a software key */
  const char *key_type;   /* "rsa-2048", ... */
  const char *subject;    /* "CN=ACL_..." */
  const char *cert_sha256;
  guint64 handshakes; /* completed */
  guint64 failures;   /* connections that failed, of every reason */
  guint64 failures_by_reason[VGW_TLS_ERROR_COUNT]; /* indexed by VgwTlsError */
  guint half_open;    /* open now, handshake not finished */
  guint max_half_open;
  guint established;  /* open now, handshake finished */
  guint max_established;
  guint handshake_timeout_s;
  guint64 key_updates; /* KeyUpdates sent (TLSReHandshakeInterval) */
  guint64 renewals;    /* TLS 1.2 re-handshakes handed to renew() */
} VgwTlsServerInfo;

/* One connection, as `show tls connections` reports it
 * (vgw_tls_server_foreach_conn). The pointers are valid during the
 * callback only. */
typedef struct {
  const char *peer;      /* "a.b.c.d:port" */
  gboolean client;       /* the gateway opened it (else accepted it) */
  const char *owner;     /* what it belongs to, for people: the
                          * listener's (vgw_tls_listener_set_owner) or the
                          * connection's (vgw_tls_conn_set_owner); NULL
                          * when unknown */
  gboolean established;  /* its handshake completed (else half-open) */
  const char *context;   /* "TLS Context N (why)" */
  const SSL *ssl;        /* version, cipher, group, the peer's
                          * certificate and its verification */
  guint64 age_s;         /* since accepted or connected */
  guint64 bytes_in;      /* application data read */
  guint64 bytes_out;     /* application data written */
  guint64 key_updates;   /* KeyUpdates sent */
  guint64 renewals;      /* re-handshakes handed to renew() (TLS 1.2,
                          * client) */
} VgwTlsConnInfo;

typedef void (*VgwTlsConnFunc)(const VgwTlsConnInfo *info, gpointer data);

/* vgw_tls_server_new makes a server with no listening socket yet (see
 * vgw_tls_server_listen). Until an identity is set, connections are
 * closed at once. */
VgwTlsServer *vgw_tls_server_new(VgwTlsSigner *signer);

/* vgw_tls_server_listen serves the bound, listening, non-blocking TCP
 * socket |fd| (taken over) from the default main context; its
 * connections carry |tag| (vgw_tls_conn_tag: vgwd tags them with their
 * SIP Interface). All listeners share the server's limits; each serves
 * Context 0's identity unless vgw_tls_listener_set_context chose
 * another. */
VgwTlsListener *vgw_tls_server_listen(VgwTlsServer *s, int fd, int tag);

/* vgw_tls_server_unlisten stops accepting on |l| and closes its socket.
 * With |close_connections|, and no other listener of the same tag left,
 * the connections of its tag are closed too (each logged; an established
 * one's closed() is called before this returns). */
void vgw_tls_server_unlisten(VgwTlsServer *s, VgwTlsListener *l,
                             gboolean close_connections);

/* vgw_tls_server_start is vgw_tls_server_new with one listener, tag 0, on
 * TCP |port| of every IPv4 address (the unit tests' and benchmark's
 * server). NULL with |error| set if the port cannot be bound. */
VgwTlsServer *vgw_tls_server_start(uint16_t port, VgwTlsSigner *signer,
                                   GError **error);

/* vgw_tls_server_set_engine_identity serves |cert|, followed by the
 * intermediates |chain| (NULL: none), with the key in engine slot |slot|
 * (of |key_type|) to the next connections; open ones keep what they
 * have. |cert| and |chain| are referenced, not taken. */
gboolean vgw_tls_server_set_engine_identity(VgwTlsServer *s, X509 *cert,
                                            STACK_OF(X509) *chain,
                                            guint slot, uint32_t key_type,
                                            GError **error);

/* vgw_tls_server_set_context_identity serves |cert| and |chain| with the
 * key in engine |slot| to the next connections of the listeners serving
 * TLS Context |context| (> 0; Context 0 is the engine identity above),
 * under the context's server-role |policy| (copied; NULL: the server's,
 * vgw_tls_server_set_policy); |cert| NULL removes it, and those listeners
 * serve Context 0 again. */
gboolean vgw_tls_server_set_context_identity(VgwTlsServer *s, guint context,
                                             X509 *cert,
                                             STACK_OF(X509) *chain,
                                             guint slot, uint32_t key_type,
                                             const VgwTlsRolePolicy *policy,
                                             GError **error);

/* vgw_tls_listener_set_context makes |l| serve TLS Context |context|
 * from its next connection on (Context 0 while |context| has no
 * identity); |why| (copied) says why, in the line logged for every
 * connection: "tls: PEER: TLS context N (WHY): SUBJECT". */
void vgw_tls_listener_set_context(VgwTlsListener *l, guint context,
                                  const char *why);

/* vgw_tls_listener_set_client_auth: with |require|, |l|'s next
 * connections must show a client certificate that chains to the trusted
 * roots of the TLS Context they are served (vgw_tls_server_set_context_roots)
 * and is valid now (tls_peer_verify.h); the handshake fails otherwise,
 * with the alert tls_peer_verify.h gives for the reason (no certificate:
 * certificate_required under TLS 1.3, handshake_failure under TLS 1.2,
 * BoringSSL's choice), and the failure's log line names |rule| (copied:
 * the parameter that requires it and where its value came from).
 * Verification completes inside the handshake, before the stream handler
 * meets the connection; there is no early data (no session resumption),
 * so no byte of application data is read before it. */
void vgw_tls_listener_set_client_auth(VgwTlsListener *l, gboolean require,
                                      const char *rule);

/* How the names of client certificates are checked
 * (PeerHostNameVerificationMode in the server role, tls_hostname.h). The
 * callbacks run on the main context while a connection is accepted. */
typedef struct {
  /* Appends to |out| the reference identities of a client connecting
   * from |address| (an IPv4 literal): the addresses, as configured, of
   * the Proxy Sets that address classifies to (borrowed strings, valid
   * during the call). None: nothing classifies it. */
  void (*references)(const char *address, GPtrArray *out, gpointer data);
  /* Whether TLS Context |context| matches names strictly
   * (StrictHostNameMatch). */
  gboolean (*strict)(guint context, gpointer data);
  gpointer data;
} VgwTlsClientNames;

/* vgw_tls_server_set_client_names: from the next connection on, the
 * listeners that require a client certificate
 * (vgw_tls_listener_set_client_auth) also match its names, when |names|
 * is not NULL (copied), against the references names->references gives
 * for the client's address and |remote_subject_name| (TLSRemoteSubjectName,
 * copied; NULL or "": none). This happens inside the handshake, once the
 * chain is verified: a refusal sends bad_certificate, fails with
 * VGW_TLS_ERROR_HOSTNAME and its log line names the rule and the Proxy
 * Sets (or that none classifies the client); an accepted handshake's log
 * line names the rule that matched. A client no Proxy Set classifies is
 * refused unless its CN is |remote_subject_name|: there is no address to
 * match. With |names| NULL, names are not checked, for the reason
 * |why_not| (copied), which vgw_tls_peer_name_skipped() then gives for
 * each connection. */
/* Why a server whose client names were never set up checks none. */
#define VGW_TLS_NAMES_NOT_CONFIGURED \
  "PeerHostNameVerificationMode is not applied to this server"

void vgw_tls_server_set_client_names(VgwTlsServer *s,
                                     const VgwTlsClientNames *names,
                                     const char *remote_subject_name,
                                     const char *why_not);

/* vgw_tls_server_set_context_roots makes |roots| (referenced; NULL: none)
 * the trusted roots client certificates are verified against on
 * connections served TLS Context |context| (0 included), from the next
 * connection on. */
void vgw_tls_server_set_context_roots(VgwTlsServer *s, guint context,
                                      STACK_OF(X509) *roots);

/* vgw_tls_server_set_software_identity installs the benchmark's software
 * key |key| and its certificate |cert| (both referenced), used once
 * vgw_tls_server_use_software(s, TRUE). */
gboolean vgw_tls_server_set_software_identity(VgwTlsServer *s, X509 *cert,
                                              EVP_PKEY *key, GError **error);

/* vgw_tls_server_has_software_identity says whether one is installed. */
gboolean vgw_tls_server_has_software_identity(const VgwTlsServer *s);

/* vgw_tls_server_use_software makes the next connections use the
 * software key (TRUE; needs a software identity) or the engine key. */
gboolean vgw_tls_server_use_software(VgwTlsServer *s, gboolean software);

/* vgw_tls_server_info describes the listener for `status`. */
void vgw_tls_server_info(VgwTlsServer *s, VgwTlsServerInfo *out);

/* vgw_tls_server_set_versions makes the identities set from now on
 * (vgw_tls_server_set_*_identity) offer and accept the protocol versions
 * of |versions| (copied; tls_versions.h). A server starts with
 * vgw_tls_version_policy_builtin's. An engine RSA key does not offer TLS
 * 1.0/1.1 besides TLS 1.2 (vgw_tls_versions_drop_legacy, logged). A
 * version failure's log line names the policy's rule. */
void vgw_tls_server_set_versions(VgwTlsServer *s,
                                 const VgwTlsVersionPolicy *versions);

/* vgw_tls_server_set_policy is vgw_tls_server_set_versions for the whole
 * server-role policy (|policy| copied; tls_role_policy.h): versions,
 * cipher list and groups, Context 0's in vgwd. */
void vgw_tls_server_set_policy(VgwTlsServer *s,
                               const VgwTlsRolePolicy *policy);

/* vgw_tls_server_set_limits replaces the bounds on half-open and
 * established connections (VGW_TLS_MAX_HALF_OPEN and
 * VGW_TLS_MAX_ESTABLISHED at start; each at least 1). Connections already
 * open beyond a lowered bound stay open. */
void vgw_tls_server_set_limits(VgwTlsServer *s, guint max_half_open,
                               guint max_established);

/* vgw_tls_server_set_handshake_timeout gives connections accepted from
 * now on |seconds| (at least 1; VGW_TLS_HANDSHAKE_TIMEOUT_S at start) to
 * finish their handshake. A test switch: a long timeout keeps stalled
 * connections in the half-open pool however slowly they arrive. */
void vgw_tls_server_set_handshake_timeout(VgwTlsServer *s, guint seconds);

/* vgw_tls_server_set_stream hands the application data of connections
 * whose handshake completes from now on to |ops| (copied) with |data|.
 * NULL |ops|: it is read and discarded. */
void vgw_tls_server_set_stream(VgwTlsServer *s, const VgwTlsStreamOps *ops,
                               gpointer data);

/* vgw_tls_conn_write queues |len| bytes for SSL_write on |conn| and sends
 * what the socket takes now; the rest goes out as it drains. From
 * |conn|'s own received(), "now" is once the data of that wake-up is
 * handled: the answers go out together. FALSE if the connection failed
 * (it is then closed from the main loop). Callable from anywhere,
 * received() included. */
gboolean vgw_tls_conn_write(VgwTlsConn *conn, const guint8 *bytes, gsize len);

/* vgw_tls_conn_pending is the number of bytes queued and not yet taken by
 * the socket (the handler bounds it). */
gsize vgw_tls_conn_pending(const VgwTlsConn *conn);

/* vgw_tls_conn_abort closes |conn| from the main loop (its closed() comes
 * later, never inside this call), logging |why|. Nothing is read from or
 * written to it after this call. */
void vgw_tls_conn_abort(VgwTlsConn *conn, const char *why);

/* vgw_tls_conn_hold(conn, TRUE) stops reading |conn|'s application data:
 * received() is not called again until vgw_tls_conn_hold(conn, FALSE),
 * and nothing is read from its socket meanwhile, so a peer that keeps
 * sending is slowed down by TCP. For a stream handler that got more than
 * it will process in one go (it may call it from inside received(); the
 * bytes of that call are its to keep). Writing is not affected. */
void vgw_tls_conn_hold(VgwTlsConn *conn, gboolean hold);

/* vgw_tls_conn_tag returns the tag of the listener |conn| came in on. */
int vgw_tls_conn_tag(const VgwTlsConn *conn);

/* vgw_tls_conn_peer_identity returns the identity of the client
 * certificate |conn|'s handshake verified (vgw_tls_listener_set_client_auth),
 * valid as long as |conn|; NULL when none was verified. */
const VgwTlsPeerIdentity *vgw_tls_conn_peer_identity(const VgwTlsConn *conn);

/* vgw_tls_listener_set_owner names what |l|'s connections belong to
 * ("SIP Interface NAME"; copied), for vgw_tls_server_foreach_conn. */
void vgw_tls_listener_set_owner(VgwTlsListener *l, const char *owner);

/* vgw_tls_conn_set_owner names what |conn| belongs to (copied, at most
 * 95 bytes), for vgw_tls_server_foreach_conn; it overrides its
 * listener's. */
void vgw_tls_conn_set_owner(VgwTlsConn *conn, const char *owner);

/* vgw_tls_server_foreach_conn calls |func| for each connection of |s|:
 * the established ones, then the half-open ones, oldest first. |func|
 * must not open or close connections. */
void vgw_tls_server_foreach_conn(VgwTlsServer *s, VgwTlsConnFunc func,
                                 gpointer data);

/* vgw_tls_server_set_rehandshake_interval makes every established TLS 1.3
 * connection of |s| send a KeyUpdate requesting the peer's every
 * |seconds| (0: never), counted per connection and in
 * VgwTlsServerInfo.key_updates. Open connections start counting the new
 * interval now; new ones from their handshake. An idle connection stops
 * after VGW_TLS_IDLE_KEY_UPDATES until it sends application data again.
 * A TLS 1.2 client connection instead asks its stream handler's renew()
 * at the same interval (counted in renewals); other TLS 1.2 connections
 * are left alone (see the top of this file). */
void vgw_tls_server_set_rehandshake_interval(VgwTlsServer *s, guint seconds);

/* vgw_tls_server_port returns the port of the oldest listener, 0 without
 * one. */
uint16_t vgw_tls_server_port(const VgwTlsServer *s);

/* vgw_tls_server_free closes the listeners and every connection. */
void vgw_tls_server_free(VgwTlsServer *s);

G_END_DECLS

#endif /* VGW_TLS_SERVER_H */
