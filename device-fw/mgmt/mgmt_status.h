/*
 * The gateway status as the maintenance port's `status` verb and the
 * console ready line report it (docs/maintenance-protocol.md): a plain-data
 * snapshot and its JSON and human renderings.
 */
#ifndef VGW_MGMT_STATUS_H
#define VGW_MGMT_STATUS_H

#include <glib.h>
#include <stdint.h>

#include "config/config_state.h"

G_BEGIN_DECLS

#define VGW_STATUS_MAX_IFACES 2
/* Three per SIP Interface (UDP, TCP, TLS), 32 interfaces. */
#define VGW_STATUS_MAX_LISTENERS 96
#define VGW_STATUS_MAX_COUNTS 32

/* A named counter, e.g. TLS failures of one reason. */
typedef struct {
  const char *name;
  uint64_t count;
} VgwStatusCount;

typedef struct {
  const char *name;   /* "lan", "wan" */
  const char *mac;    /* "aa:bb:..." or NULL when unknown */
  const char *ipv4;   /* "a.b.c.d/n" or NULL */
} VgwStatusIface;

/* One SIP listener, "listeners" in `status`. */
typedef struct {
  const char *transport; /* "udp", "tcp", "tls" */
  uint16_t port;
  const char *interface; /* SIP Interface name */
  const char *network;   /* "LAN" or "WAN" */
  const char *address;   /* the IPv4 address it is bound to */
  gboolean stream;       /* TCP, TLS: the two counts below are shown */
  uint32_t connections;  /* open now on this interface and transport */
  uint64_t refused;      /* refused by the interface's connection limit */
} VgwStatusListener;

/* The TLS listener (device-fw/tls), `status` field "tls". */
typedef struct {
  gboolean present;         /* FALSE: "tls": null (no engine, no listener) */
  uint16_t port;
  const char *key_source;   /* "engine", "software" (debug), "none" */
  int slot;                 /* engine slot, -1 for the software key */
  const char *key_type;     /* "rsa-2048", "rsa-3072", "ec-p256" */
  const char *subject;      /* "CN=ACL_<serial>" */
  const char *cert_sha256;  /* certificate fingerprint, hex */
  uint64_t handshakes;      /* completed since start */
  uint64_t failures;        /* failed since start */
  size_t n_failure_reasons; /* the reasons with a non-zero count */
  VgwStatusCount failure_reasons[VGW_STATUS_MAX_COUNTS];
  uint32_t half_open;       /* open now, handshake not finished */
  uint32_t half_open_max;
  uint64_t half_open_dropped; /* oldest half-open dropped for a newcomer */
  uint32_t established;     /* open now, handshake finished */
  uint32_t established_max;
  uint32_t handshake_timeout_s; /* a half-open connection's deadline */
  uint64_t engine_signatures; /* TLS signatures the engine made */
  uint64_t key_updates;       /* KeyUpdates sent, both roles
                               * (TLSReHandshakeInterval) */
  uint64_t rehandshakes;      /* re-handshakes due on our TLS 1.2
                               * connections, each answered by a new
                               * connection (TLSReHandshakeInterval) */
  uint64_t client_handshakes; /* as TLS client (tls_client.h), completed */
  uint64_t client_failures;   /* as TLS client, failed */
  size_t n_client_failure_reasons;
  VgwStatusCount client_failure_reasons[VGW_STATUS_MAX_COUNTS];
} VgwStatusTls;

/* The gateway's own TLS key log (tls/tls_keylog.h), `status` field
 * "tls_keylog". */
typedef struct {
  gboolean present;         /* FALSE: "tls_keylog": null (no TLS) */
  gboolean on;
  int context;              /* -1: every context */
  uint64_t expires_in_s;    /* while on, rounded up */
  uint32_t lines;           /* secret lines held for the host now */
  uint32_t max_lines;
  uint64_t recorded;        /* lines taken since it was turned on */
  uint64_t dropped;         /* of those, pushed out by newer ones */
  const char *last_end;     /* how the previous one ended: "none",
                             * "requested", "expired", "replaced" */
} VgwStatusTlsKeylog;

/* One SIP transport (vgwd/sip_transport.h), in `status` field "sip". */
#define VGW_STATUS_MAX_SIP_REASONS 32
typedef struct {
  const char *name;           /* "udp", "tcp": its key in "sip" */
  uint64_t received;          /* messages taken in (keep-alives not) */
  uint64_t sent;              /* messages sent */
  size_t n_rejected;          /* the reasons with a non-zero count */
  VgwStatusCount rejected[VGW_STATUS_MAX_SIP_REASONS];
  gboolean stream;            /* TCP: the connection fields below apply */
  uint32_t connections;       /* open now */
  uint32_t connections_max;
  uint64_t accepted;          /* connections served since start */
  uint64_t closed_idle;       /* closed after idle_timeout_s without a byte */
  uint32_t idle_timeout_s;
  uint64_t pings;             /* CRLF CRLF keep-alives answered */
  uint32_t outgoing;          /* of |connections|, opened by the gateway */
  uint64_t opened;            /* connections the gateway opened */
  uint64_t connect_failures;  /* connect or TLS handshake failed */
  uint64_t pings_sent;        /* CRLF CRLF keep-alives sent (RFC 5626) */
  uint64_t pongs;             /* their CRLF answers */
  uint64_t ping_timeouts;     /* connections closed for want of a pong */
  uint32_t messages_per_turn; /* taken from a connection per loop turn */
  uint64_t deferred;          /* turns that ended with more left */
} VgwStatusSipTransport;

/* The test extension (vgwd/test_extension.h), "sip.test_extension". */
typedef struct {
  gboolean present;           /* FALSE: "test_extension": null */
  uint64_t calls;             /* answered since start */
  uint32_t active;            /* answered and not ended */
  uint64_t echoed_packets;    /* RTP packets sent back, all calls */
} VgwStatusTestExtension;

/* Calls routed by the gateway (vgwd/call_router.h), "sip.calls". */
typedef struct {
  gboolean present;           /* FALSE: "calls": null */
  uint32_t in_progress;       /* trying, ringing or answered */
  uint64_t total;             /* calls routed since start */
} VgwStatusCalls;

#define VGW_STATUS_MAX_SIP_TRANSPORTS 3
typedef struct {
  gboolean present;           /* FALSE: "sip": null (no SIP listeners) */
  size_t n_transports;
  VgwStatusSipTransport transports[VGW_STATUS_MAX_SIP_TRANSPORTS];
  uint32_t server_transactions; /* live */
  uint64_t retransmissions;   /* requests absorbed by their transaction */
  uint64_t send_errors;       /* messages the transport could not send */
  uint32_t client_transactions; /* live */
  uint64_t peer_failures;     /* client transactions ended because their
                                 peer could not be reached */
  uint32_t registrations;     /* contacts bound by REGISTER, live */
  VgwStatusTestExtension test_extension;
  VgwStatusCalls calls;
} VgwStatusSip;

/* One proxy of a Proxy Set (vgwd/proxy_sets.h), an element of `status`
 * "proxies" and of the sip-proxies reply. */
#define VGW_STATUS_MAX_PROXIES 40
typedef struct {
  uint32_t set;               /* ProxySet row index */
  const char *set_name;       /* its ProxyName ("" when none) */
  uint32_t ip_index;          /* ProxyIpIndex */
  const char *configured;     /* the IpAddress as configured */
  const char *address;        /* resolved IPv4; NULL: not resolved */
  const char *resolved_by;    /* "literal", "dns2ip", "dns"; or NULL */
  uint16_t port;
  const char *transport;      /* "udp", "tcp", "tls" */
  const char *state;          /* "unknown", "up", "down", "unresolved" */
  const char *reason;         /* why down or unresolved; NULL otherwise */
  uint32_t last_code;         /* last response's status; 0: none yet */
  int64_t last_response_age_s; /* seconds since it came; -1: none */
  uint64_t connection;        /* the stream connection; 0: none */
  gboolean active;            /* new requests go here (no load balancing) */
  uint64_t failovers;         /* the set's failovers */
} VgwStatusProxy;

typedef struct {
  const char *state;        /* "running" */
  const char *firmware;     /* version */
  uint64_t uptime_s;
  const char *reset_cause;  /* vgw_reset_cause_name() */
  uint32_t reset_count;
  const char *serial;
  uint32_t hw_rev;
  const char *mac_base;
  uint32_t crash_count;
  gboolean wdt_enabled;
  uint32_t wdt_timeout_ms;
  size_t n_ifaces;
  VgwStatusIface ifaces[VGW_STATUS_MAX_IFACES];
  size_t n_listeners;
  VgwStatusListener listeners[VGW_STATUS_MAX_LISTENERS];
  uint32_t pending;             /* staged values waiting for a reset */
  const char *config_source;    /* "factory" or "flash"; NULL = "factory" */
  uint64_t config_generation;   /* flash store generation, 0 = none */
  gboolean config_unsaved;      /* staged differs from the flash */
  const VgwConfigSource *config_boot; /* NULL: factory, nothing skipped */
  VgwStatusTls tls;
  VgwStatusTlsKeylog tls_keylog;
  VgwStatusSip sip;
  size_t n_proxies;
  VgwStatusProxy proxies[VGW_STATUS_MAX_PROXIES];
} VgwStatus;

/* vgw_status_to_json returns the `status` reply object as one line of
 * JSON (newly allocated). */
char *vgw_status_to_json(const VgwStatus *st);

/* vgw_status_proxies_json appends the |n| |proxies| to |j| as a JSON
 * array: `status` "proxies" and the sip-proxies reply. */
void vgw_status_proxies_json(GString *j, const VgwStatusProxy *proxies,
                             size_t n);

/* vgw_status_proxies_text appends one human line per proxy to |t|. */
void vgw_status_proxies_text(GString *t, const VgwStatusProxy *proxies,
                             size_t n);

/* vgw_status_tls_keylog_json appends the key log's fields to the JSON
 * object being built in |j| (its braces are the caller's): `status`
 * "tls_keylog" and the tls-keylog verbs' replies. */
void vgw_status_tls_keylog_json(GString *j, const VgwStatusTlsKeylog *k);

/* vgw_status_tls_keylog_text appends the key log's one human line (loud
 * while it is on). */
void vgw_status_tls_keylog_text(GString *t, const VgwStatusTlsKeylog *k);

/* vgw_status_to_ready_json returns the object of the console ready line:
 * the status fields that describe the boot (firmware, serial, hw_rev,
 * mac_base, reset_cause, reset_count, crash_count, interfaces,
 * listeners, config_source), one line, newly allocated. */
char *vgw_status_to_ready_json(const VgwStatus *st);

/* vgw_status_to_text returns a human-readable multi-line rendering, each
 * line ending in "\n" (newly allocated). */
char *vgw_status_to_text(const VgwStatus *st);

G_END_DECLS

#endif /* VGW_MGMT_STATUS_H */
