/*
 * Host names to IPv4 addresses, the way the gateway resolves a Proxy Set
 * address (gateway-spec.md §3.2, issue 10): an address literal stands for
 * itself; a name is looked up in the Internal DNS table (ini DNS2IP)
 * first, then in DNS through the C library's resolver (the nameserver DHCP
 * gave: slirp's 10.0.2.3), on a worker thread so the main loop never waits.
 *
 * IPv4 only: the SIP transports are. A name gives at most
 * VGW_RESOLVE_MAX_ADDRESSES addresses, in the table's column order or in
 * the resolver's answer order, duplicates dropped. NAPTR and SRV are not
 * looked up: getaddrinfo() does not do them and a hand-written DNS client
 * is not cheap; a Proxy Set address with no port uses the transport's
 * default port (RFC 3263 §4.2 without SRV). getaddrinfo() gives no TTL,
 * so callers re-resolve on a period of their own (and when the table
 * changes).
 */
#ifndef VGW_NET_RESOLVER_H
#define VGW_NET_RESOLVER_H

#include <glib.h>

#include "param_config.h"

G_BEGIN_DECLS

/* DNS2IP has four address columns. */
#define VGW_RESOLVE_MAX_ADDRESSES 4
/* "a.b.c.d" with its NUL. */
#define VGW_RESOLVE_ADDRESS_LEN 16

typedef struct {
  guint n;
  char address[VGW_RESOLVE_MAX_ADDRESSES][VGW_RESOLVE_ADDRESS_LEN];
} VgwAddressList;

typedef enum {
  VGW_RESOLVED_LITERAL, /* the name was an IPv4 address */
  VGW_RESOLVED_DNS2IP,  /* a DNS2IP row */
  VGW_RESOLVED_DNS,     /* the C library's resolver */
} VgwResolvedSource;

/* "literal", "dns2ip", "dns". */
const char *vgw_resolved_source_name(VgwResolvedSource source);

#define VGW_RESOLVE_ERROR (vgw_resolve_error_quark())
GQuark vgw_resolve_error_quark(void);

typedef enum {
  VGW_RESOLVE_ERROR_NOT_FOUND,  /* no such name, or no IPv4 address */
  VGW_RESOLVE_ERROR_TEMPORARY,  /* no answer now (server down): retry */
  VGW_RESOLVE_ERROR_FAILED,     /* anything else the resolver says */
} VgwResolveError;

/* vgw_dns2ip_lookup fills |out| from the DNS2IP row of |cfg| whose
 * DomainName equals |name| (ASCII case ignored), with its non-zero
 * addresses in column order. FALSE (|out| empty) when there is no such
 * row or it has no address. */
gboolean vgw_dns2ip_lookup(const VgwParamConfig *cfg, const char *name,
                           VgwAddressList *out);

/* vgw_resolve_local resolves what needs no DNS: an IPv4 literal, then a
 * DNS2IP row. TRUE with |out| and |*source| set, or FALSE: ask DNS. */
gboolean vgw_resolve_local(const VgwParamConfig *cfg, const char *name,
                           VgwAddressList *out, VgwResolvedSource *source);

typedef struct VgwDnsLookup VgwDnsLookup;

/* The outcome of a DNS lookup: |addresses| (at least one), or |error|
 * (VGW_RESOLVE_ERROR) and |addresses| NULL. Runs on the main context the
 * lookup was started from; the lookup is freed when it returns. */
typedef void (*VgwDnsLookupFunc)(const char *name,
                                 const VgwAddressList *addresses,
                                 const GError *error, gpointer data);

/* vgw_dns_lookup_start looks |name| up in DNS on a worker thread and
 * calls |func| on the thread-default main context of the caller. The
 * handle is valid until |func| runs or the lookup is cancelled. */
VgwDnsLookup *vgw_dns_lookup_start(const char *name, VgwDnsLookupFunc func,
                                   gpointer data);

/* vgw_dns_lookup_cancel: |func| will not be called (the worker finishes
 * its getaddrinfo() and the lookup is freed then). Call it from the
 * thread that started the lookup. */
void vgw_dns_lookup_cancel(VgwDnsLookup *lookup);

G_END_DECLS

#endif /* VGW_NET_RESOLVER_H */
