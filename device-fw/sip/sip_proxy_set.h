/*
 * One Proxy Set's redundancy logic (gateway-spec.md §3.2): which of its
 * addresses are up, which one a new request goes to, when each is due a
 * keep-alive, and what a response, a timeout or a transport error does to
 * them. Pure logic: no sockets, no timers, no DNS. The caller (vgwd's
 * proxy_sets.c) resolves the ProxyIp rows into proxies, sends the
 * keep-alives it is told are due, reports what becomes of every request it
 * sent to a proxy, and passes the clock (milliseconds, monotonic) into
 * every call, so unit tests run the rules on canned events.
 *
 * The rules ([vgw] where the manuals leave them open):
 *  - A proxy is SIP_PROXY_UNKNOWN until it first answers, SIP_PROXY_UP
 *    after an answer that is not a failure, SIP_PROXY_DOWN after a
 *    failure. Unknown proxies are used (optimistically), down ones never.
 *  - Keep-alive (EnableProxyKeepAlive): every proxy of the set gets an
 *    OPTIONS (or REGISTER) as soon as it is added, then
 *    ProxyKeepAliveTime seconds after the previous one ended; one at a
 *    time per proxy. The manuals send REGISTER keep-alives at
 *    RegistrationTime, which the registry does not have: ProxyKeepAliveTime
 *    paces both methods. An OPTIONS answered with a final code listed in
 *    KeepAliveFailureResp marks the proxy down, any other final response up
 *    (an empty list: every response means alive); a REGISTER keep-alive is
 *    up on any final response. A timeout or a transport error marks down.
 *    Provisional responses change nothing.
 *  - Requests the caller routed to a proxy count the same way, except
 *    that every final response means alive (KeepAliveFailureResp is about
 *    keep-alives): "a proxy that does not answer INVITEs is marked
 *    offline".
 *  - Without keep-alive nothing would ever find a down proxy back, so a
 *    down proxy becomes unknown again (is retried) ProxyKeepAliveTime
 *    seconds after it went down.
 *  - Without load balancing one proxy is active: every new request goes
 *    to it. When it goes down the next usable proxy in order (ProxyIpIndex,
 *    then the resolver's order for a name with several addresses; after the
 *    last, the first again) becomes active: one failover. Homing
 *    (ProxyRedundancyMode 1) moves back to the first usable proxy in order
 *    as soon as it is usable again (for a proxy that was down: as soon as
 *    it answers); Parking (0, and -1: the global default of the 6.x
 *    manuals) stays where it is until that proxy goes down in turn.
 *  - IsProxyHotSwap: a request that failed on a proxy (timeout, transport
 *    error) is sent again at once to the next usable proxy
 *    (sip_proxy_set_hot_swap()); without it the request fails with the
 *    proxy.
 *  - Load balancing (ProxyLoadBalancingMethod): round robin goes through
 *    the usable proxies in order, one request each; random weights picks
 *    one of them at random. The registry has no ProxyIp Weight column (a
 *    7.4 addition), so every proxy weighs the same. With load balancing
 *    there is no active proxy and failover means that a down proxy gets no
 *    more requests; each proxy going down while another is usable counts as
 *    a failover.
 *
 * Not thread-safe; one set per Proxy Set row.
 */
#ifndef VGW_SIP_PROXY_SET_H
#define VGW_SIP_PROXY_SET_H

#include <glib.h>

#include "sip_txn.h"

G_BEGIN_DECLS

/* ProxyIpIndex 0..4: addresses per set. */
#define SIP_PROXY_SET_MAX_ADDRESSES 5
/* Addresses one name may give (DNS2IP has four columns; DNS answers are
 * cut to as many). */
#define SIP_PROXY_MAX_ADDRESSES_PER_NAME 4
#define SIP_PROXY_SET_MAX_PROXIES \
  (SIP_PROXY_SET_MAX_ADDRESSES * SIP_PROXY_MAX_ADDRESSES_PER_NAME)
/* KeepAliveFailureResp: at most this many codes (the configuration's
 * limit, param/failure_codes.h, which parses them). */
#define SIP_PROXY_MAX_FAILURE_CODES 3

/* EnableProxyKeepAlive; the values are the registry's. */
typedef enum {
  SIP_KEEPALIVE_OFF = 0,
  SIP_KEEPALIVE_OPTIONS = 1,
  SIP_KEEPALIVE_REGISTER = 2,
} SipKeepAliveMethod;

/* ProxyLoadBalancingMethod; the values are the registry's. */
typedef enum {
  SIP_BALANCING_OFF = 0,
  SIP_BALANCING_ROUND_ROBIN = 1,
  SIP_BALANCING_RANDOM_WEIGHTS = 2,
} SipBalancing;

/* ProxyRedundancyMode (-1 is read as Parking). */
typedef enum {
  SIP_REDUNDANCY_PARKING = 0,
  SIP_REDUNDANCY_HOMING = 1,
} SipRedundancy;

/* A Proxy Set row's settings. */
typedef struct {
  SipKeepAliveMethod keepalive;
  guint keepalive_s;          /* ProxyKeepAliveTime, >= 1 */
  SipBalancing balancing;
  gboolean hot_swap;          /* IsProxyHotSwap */
  SipRedundancy redundancy;
  guint n_failure_codes;      /* KeepAliveFailureResp */
  guint failure_codes[SIP_PROXY_MAX_FAILURE_CODES];
} SipProxySetConfig;

#define SIP_PROXY_SET_ERROR (sip_proxy_set_error_quark())
GQuark sip_proxy_set_error_quark(void);

typedef enum {
  SIP_PROXY_SET_ERROR_BAD_ADDRESS,    /* not host[:port] */
} SipProxySetError;

/* A ProxyIp host: an IPv4 literal or a DNS name (RFC 1035 length). */
#define SIP_PROXY_HOST_LEN 254

/* sip_proxy_address_parse reads a ProxyIp IpAddress, "host" or
 * "host:port": host an IPv4 address or a name of letters, digits, '-' and
 * '.' (at most SIP_PROXY_HOST_LEN - 1 bytes), port 1..65535. Sets |host|
 * and |*port| (0 when none is given), or returns FALSE with |error|
 * (SIP_PROXY_SET_ERROR_BAD_ADDRESS) naming what is wrong. IPv6 literals
 * are refused: the transports are IPv4. */
gboolean sip_proxy_address_parse(const char *text,
                                 char host[SIP_PROXY_HOST_LEN],
                                 guint16 *port, GError **error);

typedef enum {
  SIP_PROXY_UNKNOWN,  /* not answered yet: used */
  SIP_PROXY_UP,       /* answered: used */
  SIP_PROXY_DOWN,     /* failed: not used */
} SipProxyState;

/* "unknown", "up", "down". */
const char *sip_proxy_state_name(SipProxyState state);

/* Why a proxy went down. */
typedef enum {
  SIP_PROXY_FAILURE_NONE,
  SIP_PROXY_FAILURE_RESPONSE,   /* a KeepAliveFailureResp code */
  SIP_PROXY_FAILURE_TIMEOUT,    /* no final response (timer B/F) */
  SIP_PROXY_FAILURE_TRANSPORT,  /* could not be sent, connection lost */
} SipProxyFailure;

/* "none", "failure-response", "timeout", "transport-error". */
const char *sip_proxy_failure_name(SipProxyFailure failure);

/* One address of the set, as the caller resolved it. */
typedef struct {
  guint ip_index;   /* ProxyIpIndex of the row it came from */
  SipPeer peer;     /* transport, numeric address, port; connection as
                     * sip_proxy_set_set_connection() last said */
} SipProxyTarget;

/* A proxy and what is known of it. */
typedef struct {
  SipProxyTarget target;
  SipProxyState state;
  SipProxyFailure failure;      /* why it is down; NONE when not */
  guint last_code;              /* last final (or provisional) status; 0 */
  gint64 last_response_ms;      /* when it came; -1: never */
  gint64 changed_ms;            /* when |state| last changed */
  guint64 times_down;           /* how often it went down */
  gboolean keepalive_pending;   /* a keep-alive is out */
  gint64 keepalive_due_ms;      /* next keep-alive; -1: none planned */
} SipProxy;

/* What happened, for the caller's log and counters. */
typedef enum {
  SIP_PROXY_EVENT_UP,        /* |proxy| went up */
  SIP_PROXY_EVENT_DOWN,      /* |proxy| went down */
  SIP_PROXY_EVENT_FAILOVER,  /* the active proxy is now |proxy|: the old
                              * one went down */
  SIP_PROXY_EVENT_HOMING,    /* the active proxy is back to |proxy| */
} SipProxyEvent;

typedef struct SipProxySet SipProxySet;

typedef void (*SipProxyEventFunc)(SipProxySet *set, SipProxyEvent event,
                                  guint proxy, gpointer data);

/* sip_proxy_set_new: a set with |cfg| (copied) and no proxies. |func|
 * (may be NULL) hears every event, synchronously, inside the call that
 * caused it. */
SipProxySet *sip_proxy_set_new(const SipProxySetConfig *cfg,
                               SipProxyEventFunc func, gpointer data);

void sip_proxy_set_free(SipProxySet *set);

/* sip_proxy_set_configure applies changed settings. Proxy states stay;
 * keep-alives are rescheduled from |now_ms| (a method switched on sends at
 * once). */
void sip_proxy_set_configure(SipProxySet *set, const SipProxySetConfig *cfg,
                             gint64 now_ms);

const SipProxySetConfig *sip_proxy_set_config(const SipProxySet *set);

/* sip_proxy_set_set_targets replaces the proxies with |targets| (|n| at
 * most SIP_PROXY_SET_MAX_PROXIES, in order). A target equal to an existing
 * proxy (ProxyIpIndex, transport, address, port) keeps its state, its
 * connection and its keep-alive schedule, so re-resolving a name changes
 * nothing that did not change; new ones are unknown, due a keep-alive at
 * |now_ms|. The active proxy stays active if it is still there. Indexes
 * change: a caller waiting for a keep-alive's outcome keeps the peer and
 * finds its proxy again with sip_proxy_set_find(). */
void sip_proxy_set_set_targets(SipProxySet *set, const SipProxyTarget *targets,
                               guint n, gint64 now_ms);

guint sip_proxy_set_count(const SipProxySet *set);

/* Proxy |i| (< sip_proxy_set_count()). */
const SipProxy *sip_proxy_set_proxy(const SipProxySet *set, guint i);

/* sip_proxy_set_find returns the index of the proxy reached at |peer|
 * (transport, address, port), or -1. */
gint sip_proxy_set_find(const SipProxySet *set, const SipPeer *peer);

/* sip_proxy_set_active is the active proxy's index, or -1 (load
 * balancing, or no proxies). */
gint sip_proxy_set_active(const SipProxySet *set);

/* sip_proxy_set_failovers: failovers since the set was made. */
guint64 sip_proxy_set_failovers(const SipProxySet *set);

/* sip_proxy_set_pick chooses the proxy for a new request at |now_ms|:
 * sets |*i| and returns TRUE, or FALSE when every proxy is down (the
 * caller answers 503). |random| is a uniformly random number the random
 * weights method uses (the caller's g_random_int()). */
gboolean sip_proxy_set_pick(SipProxySet *set, gint64 now_ms, guint32 random,
                            guint *i);

/* sip_proxy_set_hot_swap: after a request to proxy |failed| failed (and
 * was reported with sip_proxy_set_failed()), the proxy to send it to
 * again: with IsProxyHotSwap the next usable proxy in order after
 * |failed|, TRUE; otherwise, or when none is usable, FALSE. */
gboolean sip_proxy_set_hot_swap(SipProxySet *set, guint failed,
                                gint64 now_ms, guint *i);

/* sip_proxy_set_next_keepalive: when the next keep-alive is due, -1 when
 * none is planned (keep-alive off, or all out). */
gint64 sip_proxy_set_next_keepalive(const SipProxySet *set);

/* sip_proxy_set_take_keepalive: a proxy whose keep-alive is due at
 * |now_ms|, now marked as having one out; FALSE when none is due. The
 * caller sends it and reports the outcome with sip_proxy_set_answered()
 * or sip_proxy_set_failed() with |keepalive| TRUE. */
gboolean sip_proxy_set_take_keepalive(SipProxySet *set, gint64 now_ms,
                                      guint *i);

/* sip_proxy_set_answered: proxy |i| answered |code| to a keep-alive
 * (|keepalive|) or to a request the caller routed to it. */
void sip_proxy_set_answered(SipProxySet *set, guint i, guint code,
                            gboolean keepalive, gint64 now_ms);

/* sip_proxy_set_failed: a keep-alive (|keepalive|) or a routed request to
 * proxy |i| got no final response: |failure| is TIMEOUT or TRANSPORT. A
 * transport error also forgets the proxy's connection. */
void sip_proxy_set_failed(SipProxySet *set, guint i, SipProxyFailure failure,
                          gboolean keepalive, gint64 now_ms);

/* sip_proxy_set_set_connection records the stream connection to proxy |i|
 * (0: none), which sip_proxy_set_proxy() and pick's caller then use. */
void sip_proxy_set_set_connection(SipProxySet *set, guint i,
                                  guint64 connection);

G_END_DECLS

#endif /* VGW_SIP_PROXY_SET_H */
