/*
 * vgwd's Proxy Sets: the ProxySet and ProxyIp tables of the running
 * configuration put to work (gateway-spec.md §3.2). Each ProxySet row gets
 * a SipProxySet (sip/sip_proxy_set.h: the redundancy rules) whose proxies
 * are its ProxyIp rows (ProxyIpIndex order), each address resolved by
 * net/resolver.h (IPv4 literal, DNS2IP, then DNS; a name with several
 * addresses gives several proxies). Keep-alive OPTIONS or REGISTER go out
 * through the SipTxnLayer as the set's rules say; each state change is
 * logged (and so reaches syslog when it is on).
 *
 * Addresses: ProxyIp IpAddress "host[:port]"; no port means 5060 (UDP,
 * TCP) or 5061 (TLS); TransportType -1 means the global SIPTransportType.
 * A row whose address does not parse is logged and left out. Names
 * resolved through DNS are looked up again every VGW_PROXY_RESOLVE_S
 * (getaddrinfo() gives no TTL) and whenever the configuration changes;
 * literal and DNS2IP addresses change with the configuration only.
 *
 * UsePingPongKeepAlive: the connection to each TCP and TLS proxy also
 * carries CRLF CRLF pings (RFC 5626 §4.4.1) every ProxyKeepAliveTime
 * seconds of its set (at most VGW_PROXY_PING_MAX_S; the registry has no
 * PingPongKeepAliveTime), through VgwProxyLocal.set_ping.
 *
 * The keep-alive requests: OPTIONS (or REGISTER, with Expires twice the
 * keep-alive interval) to sip:HOST:PORT (sips: over TLS, RFC 5630; over
 * TCP ;transport=tcp), From and To <sip:vgw@LAN-ADDRESS> (REGISTER: To the
 * proxy's domain), Via sent-by (and REGISTER's Contact) the LAN address
 * and the port of the transport's listener on it (VgwProxyLocal.port); a
 * keep-alive with no such listener open is not sent, and its proxy is
 * down (transport-error).
 *
 * Single-threaded: the default main context.
 */
#ifndef VGW_VGWD_PROXY_SETS_H
#define VGW_VGWD_PROXY_SETS_H

#include <glib.h>

#include "mgmt/mgmt_status.h"
#include "mgmt/mgmt_verb.h"
#include "param_config.h"
#include "sip_txn.h"

G_BEGIN_DECLS

/* Seconds between DNS lookups of a Proxy Set name. */
#define VGW_PROXY_RESOLVE_S 60
/* The longest CRLF ping interval (RFC 5626 suggests 95-120 s). */
#define VGW_PROXY_PING_MAX_S 120

typedef struct VgwProxySets VgwProxySets;

/* Where the gateway's requests say they come from (Via sent-by), and
 * the transport's CRLF pings. */
typedef struct {
  /* The LAN address ("a.b.c.d", or "a.b.c.d/n" with the prefix ignored),
   * NULL while there is none: then keep-alives wait. */
  const char *(*lan_address)(gpointer data);
  /* Pings the connection to stream peer |peer| every |interval_s| (0:
   * stops): vgw_sip_transport_set_ping(). */
  void (*set_ping)(const SipPeer *peer, guint interval_s, gpointer data);
  /* The live connection to stream peer |peer|, 0 if none:
   * vgw_sip_transport_connection_to(). */
  guint64 (*connection_to)(const SipPeer *peer, gpointer data);
  /* The port of our |transport| listener on our address |address|, 0 if
   * none is open: vgw_listeners_port(). Asked at each keep-alive, so a
   * SIP Interface changed live counts at the next one. */
  guint16 (*port)(const char *address, SipTransport transport,
                  gpointer data);
  /* TLS connections to |peer| are for the Proxy Set address |name| (an
   * FQDN as configured): SNI and the name the certificate must carry
   * (vgw_sip_transport_set_server_name()). NULL: no TLS client. */
  void (*set_server_name)(const SipPeer *peer, const char *name,
                          gpointer data);
  /* TLS connections to |peer| present TLS Context |context|, chosen
   * because |why| (vgw_sip_transport_set_tls_context()). NULL: no TLS
   * client. */
  void (*set_tls_context)(const SipPeer *peer, guint context,
                          const char *why, gpointer data);
  gpointer data;
} VgwProxyLocal;

/* vgw_proxy_sets_new: no sets until vgw_proxy_sets_apply(). Keep-alives
 * go out through |layer|, which must outlive the sets. |local| is
 * copied. */
VgwProxySets *vgw_proxy_sets_new(SipTxnLayer *layer,
                                 const VgwProxyLocal *local);

/* Stops every timer and lookup; keep-alives still out are forgotten. */
void vgw_proxy_sets_free(VgwProxySets *sets);

/* vgw_proxy_sets_apply takes the ProxySet, ProxyIp and DNS2IP tables
 * and SIPTransportType from |running| (the running configuration, after
 * each change: a VgwConfigAppliedFunc's job). A set whose row stays keeps
 * its proxies' states. */
void vgw_proxy_sets_apply(VgwProxySets *sets, const VgwParamConfig *running);

/* vgw_proxy_sets_pick: where a new request to Proxy Set |proxy_set_name|
 * (ProxyName, ASCII case ignored) goes: TRUE with |*out| (connection 0:
 * the transport opens or reuses one), FALSE when there is no such set or
 * none of its proxies is up (answer 503). */
gboolean vgw_proxy_sets_pick(VgwProxySets *sets, const char *proxy_set_name,
                             SipPeer *out);

/* vgw_proxy_sets_report: what became of a request routed to |to| (as
 * pick gave it): |event| and |code| as a SipClientFunc has them. A
 * timeout or transport error marks the proxy down; with IsProxyHotSwap
 * |*retry| (may be NULL) is set to the next proxy and TRUE is returned:
 * send the request again there. */
gboolean vgw_proxy_sets_report(VgwProxySets *sets, const SipPeer *to,
                               SipClientEvent event, guint code,
                               SipPeer *retry);

/* vgw_proxy_sets_classify: the name of the Proxy Set one of whose proxies
 * sent |req| (a request) from |from|, or NULL. Valid until the next apply.
 *
 * The rule is AudioCodes' classification by IP address, port and
 * transport type, not by address alone: every program on a host behind
 * slirp reaches the gateway from the same address (10.0.2.2), so an
 * address names a host, and only the port tells its proxy from its users.
 *  - UDP: the transport, address and port are the proxy's. A proxy sends
 *    from the port it listens on (what its Via says and responses go
 *    back to, RFC 3261 §18.2.2; RFC 3581 depends on it).
 *  - TCP, TLS: the source port of a connection the proxy opened is an
 *    ephemeral one, so either the request came on the connection the
 *    transport holds to that proxy (VgwProxyLocal.connection_to: one the
 *    gateway opened, or one the proxy opened offering ;alias, RFC 5923),
 *    or it came from the proxy's address over the proxy's transport and
 *    its top Via's sent-by port (5060, 5061 for TLS, when absent) is the
 *    proxy's port: a proxy's Via names the port it listens on.
 * Neither is proof of identity (a peer on the proxy's host can claim its
 * Via port); mutual TLS is what proves it. */
const char *vgw_proxy_sets_classify(VgwProxySets *sets, const SipPeer *from,
                                    const osip_message_t *req);

/* vgw_proxy_sets_tls_references: the addresses, as configured (an FQDN
 * or an IP address, without port), of every TLS proxy that |address|
 * (a peer's IPv4 address) resolves from: the names the certificate of a
 * TLS client connecting from |address| must carry when
 * PeerHostNameVerificationMode covers the server role (tls_hostname.h).
 * At the handshake no request has come yet, so the proxy is known by
 * address and transport alone (vgw_proxy_sets_classify's first test).
 * Appends each once to |out| (borrowed strings, valid until the next
 * apply). */
void vgw_proxy_sets_tls_references(const VgwProxySets *sets,
                                   const char *address, GPtrArray *out);

/* vgw_proxy_sets_server_set: the ProxySetName of the first IPGroup of
 * Type Server (by row) that names one, where calls to no registered user
 * go (device-fw/sip/README.md, "Routing", rule 3); NULL when none. Valid
 * until the next apply. */
const char *vgw_proxy_sets_server_set(const VgwProxySets *sets);

/* vgw_proxy_sets_status fills at most |max| |out| rows (one per proxy and
 * per address not resolved) and returns how many. Strings are the sets'
 * own, valid until the next apply or lookup. */
gsize vgw_proxy_sets_status(VgwProxySets *sets, VgwStatusProxy *out,
                            gsize max);

/* `sip-proxies`: every proxy as in `status` "proxies"; a set to add with
 * the sets as its data. */
extern const VgwMgmtVerbSet vgw_proxy_sets_verb_set;

G_END_DECLS

#endif /* VGW_VGWD_PROXY_SETS_H */
