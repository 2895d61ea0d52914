/* vgwd's Proxy Sets: see proxy_sets.h. */
#include "vgwd/proxy_sets.h"

#include <string.h>

#include "failure_codes.h"
#include "mgmt/mgmt_reply.h"
#include "net/resolver.h"
#include "sip_proxy_set.h"
#include "sip_request.h"
#include "tls/tls_context_table.h"

/* While the LAN has no address, look again this often. */
#define NO_ADDRESS_RETRY_MS 1000

typedef struct ProxySetRun ProxySetRun;

/* One ProxyIp row of a set, and what its host resolved to. */
typedef struct {
  ProxySetRun *run;
  guint ip_index;
  char *configured;               /* IpAddress as configured */
  char host[SIP_PROXY_HOST_LEN];
  guint16 port;
  SipTransport transport;
  VgwAddressList resolved;        /* n == 0: not (yet) resolved */
  VgwResolvedSource source;
  char *error;                    /* why not resolved; NULL while trying */
  VgwDnsLookup *lookup;           /* a DNS lookup out, or NULL */
} ProxyAddress;

/* One ProxySet row at work. */
struct ProxySetRun {
  VgwProxySets *sets;
  guint row;                      /* ProxySet index */
  char *name;                     /* ProxyName */
  guint tls_context;              /* what its TLS proxies present */
  char *tls_why;                  /* and why (tls_context_table.h) */
  SipProxySet *set;
  guint n_addresses;
  ProxyAddress *addresses[SIP_PROXY_SET_MAX_ADDRESSES];
};

/* A keep-alive out: its proxy is found again by set row and peer, since
 * the set may have changed meanwhile. */
typedef struct {
  VgwProxySets *sets;             /* NULL once the sets are freed */
  guint row;
  SipPeer peer;
} KeepAlive;

struct VgwProxySets {
  SipTxnLayer *layer;
  VgwProxyLocal local;
  GPtrArray *runs;                /* ProxySetRun*, ascending row */
  GHashTable *keepalives;         /* KeepAlive* out */
  GSource *keepalive_timer;
  guint resolve_timer;
  gboolean ping;                  /* UsePingPongKeepAlive */
  char *server_set;               /* ProxySetName of the first Server
                                     IPGroup naming one; NULL: none */
};

static gint64 now_ms(void) {
  return g_get_monotonic_time() / 1000;
}

static void rearm_keepalives(VgwProxySets *sets);

/* ---- Logging ---- */

static const char *set_label(const ProxySetRun *run) {
  return run->name[0] != '\0' ? run->name : "(no name)";
}

static void on_set_event(SipProxySet *set, SipProxyEvent event, guint i,
                         gpointer data) {
  const ProxySetRun *run = data;
  const SipProxy *p = sip_proxy_set_proxy(set, i);
  const SipPeer *peer = &p->target.peer;
  const char *transport = sip_transport_name(peer->transport);

  switch (event) {
    case SIP_PROXY_EVENT_UP:
      g_message("proxy set %u %s: %s:%u/%s (ProxyIpIndex %u) is up (%u)",
                run->row, set_label(run), peer->address, peer->port,
                transport, p->target.ip_index, p->last_code);
      break;
    case SIP_PROXY_EVENT_DOWN:
      g_message("proxy set %u %s: %s:%u/%s (ProxyIpIndex %u) is down: %s "
                "(last response %u)",
                run->row, set_label(run), peer->address, peer->port,
                transport, p->target.ip_index,
                sip_proxy_failure_name(p->failure), p->last_code);
      break;
    case SIP_PROXY_EVENT_FAILOVER:
      g_message("proxy set %u %s: failover to %s:%u/%s (ProxyIpIndex %u), "
                "failover %" G_GUINT64_FORMAT,
                run->row, set_label(run), peer->address, peer->port,
                transport, p->target.ip_index,
                sip_proxy_set_failovers(set));
      break;
    case SIP_PROXY_EVENT_HOMING:
      g_message("proxy set %u %s: back home to %s:%u/%s (ProxyIpIndex %u)",
                run->row, set_label(run), peer->address, peer->port,
                transport, p->target.ip_index);
      break;
  }
}

/* ---- Addresses ---- */

static void address_free(ProxyAddress *a) {
  if (a->lookup != NULL) {
    vgw_dns_lookup_cancel(a->lookup);
  }
  g_free(a->configured);
  g_free(a->error);
  g_free(a);
}

/* set_pings starts (|on| and UsePingPongKeepAlive) or stops the CRLF
 * pings to |run|'s TCP and TLS proxies. */
static void set_pings(ProxySetRun *run, gboolean on) {
  const VgwProxyLocal *local = &run->sets->local;
  guint interval = on && run->sets->ping
                       ? MIN(sip_proxy_set_config(run->set)->keepalive_s,
                             VGW_PROXY_PING_MAX_S)
                       : 0;

  for (guint i = 0; i < sip_proxy_set_count(run->set); i++) {
    const SipPeer *peer = &sip_proxy_set_proxy(run->set, i)->target.peer;
    if (peer->transport != SIP_TRANSPORT_UDP) {
      local->set_ping(peer, interval, local->data);
    }
  }
}

/* name_server tells the TLS client what |peer| is called as |a| was
 * configured: an FQDN (its SNI and the name its certificate must carry,
 * never the address it resolved to, gateway-spec.md §1.4), or, for an
 * address literal, the address itself (NULL), whatever named it before;
 * and which TLS Context connections to it present. */
static void name_server(ProxySetRun *run, const ProxyAddress *a,
                        const SipPeer *peer) {
  const VgwProxyLocal *local = &run->sets->local;

  if (peer->transport != SIP_TRANSPORT_TLS) {
    return;
  }
  if (local->set_server_name != NULL) {
    local->set_server_name(
        peer, a->source == VGW_RESOLVED_LITERAL ? NULL : a->host,
        local->data);
  }
  if (local->set_tls_context != NULL) {
    local->set_tls_context(peer, run->tls_context, run->tls_why,
                           local->data);
  }
}

/* update_targets gives the set the proxies its addresses resolve to. */
static void update_targets(ProxySetRun *run) {
  SipProxyTarget targets[SIP_PROXY_SET_MAX_PROXIES];
  guint n = 0;

  for (guint k = 0; k < run->n_addresses; k++) {
    const ProxyAddress *a = run->addresses[k];
    for (guint r = 0; r < a->resolved.n && n < G_N_ELEMENTS(targets); r++) {
      SipProxyTarget *t = &targets[n++];
      *t = (SipProxyTarget){.ip_index = a->ip_index,
                            .peer = {a->transport, "", a->port, 0}};
      g_strlcpy(t->peer.address, a->resolved.address[r],
                sizeof(t->peer.address));
      name_server(run, a, &t->peer);
    }
  }
  set_pings(run, FALSE);
  sip_proxy_set_set_targets(run->set, targets, n, now_ms());
  set_pings(run, TRUE);
  rearm_keepalives(run->sets);
}

static void on_dns_answer(const char *name, const VgwAddressList *addresses,
                          const GError *error, gpointer data) {
  ProxyAddress *a = data;

  a->lookup = NULL;
  if (error != NULL) {
    /* A name that no longer resolves keeps the addresses it had: a DNS
     * server that is down for a minute must not take the proxies away. */
    if (a->resolved.n == 0 || error->code == VGW_RESOLVE_ERROR_NOT_FOUND) {
      g_message("proxy set %u %s: %s", a->run->row, set_label(a->run),
                error->message);
      g_free(a->error);
      a->error = g_strdup(error->message);
      if (error->code == VGW_RESOLVE_ERROR_NOT_FOUND) {
        memset(&a->resolved, 0, sizeof(a->resolved));
        update_targets(a->run);
      }
    }
    return;
  }
  g_clear_pointer(&a->error, g_free);
  if (a->resolved.n != addresses->n ||
      memcmp(a->resolved.address, addresses->address,
             sizeof(addresses->address[0]) * addresses->n) != 0) {
    g_message("proxy set %u %s: %s is %s%s%s%s%s%s%s (DNS)", a->run->row,
              set_label(a->run), name, addresses->address[0],
              addresses->n > 1 ? ", " : "",
              addresses->n > 1 ? addresses->address[1] : "",
              addresses->n > 2 ? ", " : "",
              addresses->n > 2 ? addresses->address[2] : "",
              addresses->n > 3 ? ", " : "",
              addresses->n > 3 ? addresses->address[3] : "");
    a->resolved = *addresses;
    a->source = VGW_RESOLVED_DNS;
    update_targets(a->run);
  }
}

static void start_dns(ProxyAddress *a) {
  if (a->lookup == NULL) {
    a->lookup = vgw_dns_lookup_start(a->host, on_dns_answer, a);
  }
}

/* resolve resolves |a| from |cfg|: at once for a literal or a DNS2IP
 * name, else through DNS (the addresses it had stay meanwhile). */
static void resolve(ProxyAddress *a, const VgwParamConfig *cfg) {
  VgwAddressList list;
  VgwResolvedSource source;

  if (vgw_resolve_local(cfg, a->host, &list, &source)) {
    if (a->lookup != NULL) {
      vgw_dns_lookup_cancel(a->lookup);
      a->lookup = NULL;
    }
    a->resolved = list;
    a->source = source;
    g_clear_pointer(&a->error, g_free);
    return;
  }
  if (a->source != VGW_RESOLVED_DNS) {
    /* It was a literal or a DNS2IP row: those addresses no longer hold. */
    memset(&a->resolved, 0, sizeof(a->resolved));
    a->source = VGW_RESOLVED_DNS;
  }
  start_dns(a);
}

static gboolean on_resolve_timer(gpointer data) {
  VgwProxySets *sets = data;

  for (guint s = 0; s < sets->runs->len; s++) {
    ProxySetRun *run = g_ptr_array_index(sets->runs, s);
    for (guint k = 0; k < run->n_addresses; k++) {
      if (run->addresses[k]->source == VGW_RESOLVED_DNS) {
        start_dns(run->addresses[k]);
      }
    }
  }
  return G_SOURCE_CONTINUE;
}

/* ---- Configuration ---- */

static const VgwParamValue *cell(const VgwParamRow *row, gsize t,
                                 const char *column) {
  const VgwTableDesc *table = vgw_param_table(t);
  gssize c = vgw_param_find_column(table, column, strlen(column));

  g_assert(c >= 0);
  return &row->values[c];
}

/* set_config reads ProxySet |row| of a configuration that passed
 * vgw_param_config_validate(), so its KeepAliveFailureResp parses. */
static SipProxySetConfig set_config(const VgwParamRow *row) {
  const gsize t = VGW_TABLE_PROXY_SET;
  gint64 redundancy = cell(row, t, "ProxyRedundancyMode")->num;
  SipProxySetConfig cfg = {
      .keepalive = (SipKeepAliveMethod)cell(row, t, "EnableProxyKeepAlive")->num,
      .keepalive_s = (guint)cell(row, t, "ProxyKeepAliveTime")->num,
      .balancing =
          (SipBalancing)cell(row, t, "ProxyLoadBalancingMethod")->num,
      .hot_swap = cell(row, t, "IsProxyHotSwap")->num != 0,
      .redundancy = redundancy == 1 ? SIP_REDUNDANCY_HOMING
                                    : SIP_REDUNDANCY_PARKING,
  };
  VgwFailureCodes codes = {0};

  G_STATIC_ASSERT(SIP_PROXY_MAX_FAILURE_CODES == VGW_FAILURE_CODES_MAX);
  if (!vgw_failure_codes_parse(cell(row, t, "KeepAliveFailureResp")->str,
                               &codes, NULL)) {
    g_critical("ProxySet %u: KeepAliveFailureResp not checked", row->index);
  }
  cfg.n_failure_codes = codes.n;
  memcpy(cfg.failure_codes, codes.codes, sizeof(cfg.failure_codes));
  return cfg;
}

static ProxySetRun *find_run(VgwProxySets *sets, guint row) {
  for (guint s = 0; s < sets->runs->len; s++) {
    ProxySetRun *run = g_ptr_array_index(sets->runs, s);
    if (run->row == row) {
      return run;
    }
  }
  return NULL;
}

static void run_free(ProxySetRun *run) {
  set_pings(run, FALSE);
  for (guint k = 0; k < run->n_addresses; k++) {
    address_free(run->addresses[k]);
  }
  sip_proxy_set_free(run->set);
  g_free(run->name);
  g_free(run->tls_why);
  g_free(run);
}

/* take_address returns |run|'s address for ProxyIp |row| as it was
 * (removed from |old|), or a new one; NULL when the row's address does
 * not parse. */
static ProxyAddress *take_address(ProxySetRun *run, GPtrArray *old,
                                  const VgwParamRow *row,
                                  SipTransport default_transport) {
  const gsize t = VGW_TABLE_PROXY_IP;
  const char *text = cell(row, t, "IpAddress")->str;
  gint64 transport = cell(row, t, "TransportType")->num;
  guint ip_index = (guint)cell(row, t, "ProxyIpIndex")->num;
  SipTransport tr = transport < 0 ? default_transport : (SipTransport)transport;
  GError *error = NULL;
  char host[SIP_PROXY_HOST_LEN];
  guint16 port;

  if (!sip_proxy_address_parse(text, host, &port, &error)) {
    g_warning("ProxyIp %u: IpAddress %s; left out of proxy set %u",
              row->index, error->message, run->row);
    g_clear_error(&error);
    return NULL;
  }
  if (port == 0) {
    port = tr == SIP_TRANSPORT_TLS ? 5061 : 5060;
  }
  for (guint k = 0; k < old->len; k++) {
    ProxyAddress *a = g_ptr_array_index(old, k);
    if (a->ip_index == ip_index && a->transport == tr && a->port == port &&
        strcmp(a->host, host) == 0) {
      return g_ptr_array_steal_index(old, k);
    }
  }
  ProxyAddress *a = g_new0(ProxyAddress, 1);
  a->run = run;
  a->ip_index = ip_index;
  a->configured = g_strdup(text);
  g_strlcpy(a->host, host, sizeof(a->host));
  a->port = port;
  a->transport = tr;
  a->source = VGW_RESOLVED_LITERAL; /* until resolve() says otherwise */
  return a;
}

static gint by_ip_index(gconstpointer a, gconstpointer b) {
  const ProxyAddress *x = *(ProxyAddress *const *)a;
  const ProxyAddress *y = *(ProxyAddress *const *)b;
  return (gint)x->ip_index - (gint)y->ip_index;
}

/* apply_set brings |run| to ProxySet row |row| and its ProxyIp rows. */
static void apply_set(ProxySetRun *run, const VgwParamConfig *cfg,
                      const VgwParamRow *row) {
  SipTransport default_transport = (SipTransport)vgw_param_config_global_named(
      cfg, "SIPTransportType")->num;
  GPtrArray *old = g_ptr_array_new_with_free_func((GDestroyNotify)address_free);
  GPtrArray *next = g_ptr_array_new();
  SipProxySetConfig set_cfg = set_config(row);

  g_free(run->name);
  run->name = g_strdup(cell(row, VGW_TABLE_PROXY_SET, "ProxyName")->str);
  g_free(run->tls_why);
  run->tls_context =
      vgw_tls_context_for_proxy_set(cfg, run->row, &run->tls_why);
  set_pings(run, FALSE);
  sip_proxy_set_configure(run->set, &set_cfg, now_ms());
  for (guint k = 0; k < run->n_addresses; k++) {
    g_ptr_array_add(old, run->addresses[k]);
  }
  for (gsize r = 0; r < vgw_param_config_row_count(cfg, VGW_TABLE_PROXY_IP);
       r++) {
    const VgwParamRow *ip = vgw_param_config_row_at(cfg, VGW_TABLE_PROXY_IP, r);
    if (cell(ip, VGW_TABLE_PROXY_IP, "ProxySetId")->num != run->row) {
      continue;
    }
    if (next->len == SIP_PROXY_SET_MAX_ADDRESSES) {
      g_warning("ProxyIp %u: proxy set %u has %d addresses already; left "
                "out",
                ip->index, run->row, SIP_PROXY_SET_MAX_ADDRESSES);
      continue;
    }
    ProxyAddress *a = take_address(run, old, ip, default_transport);
    if (a != NULL) {
      g_ptr_array_add(next, a);
    }
  }
  g_ptr_array_sort(next, by_ip_index);
  run->n_addresses = next->len;
  for (guint k = 0; k < next->len; k++) {
    run->addresses[k] = g_ptr_array_index(next, k);
    resolve(run->addresses[k], cfg);
  }
  g_ptr_array_free(next, TRUE);
  g_ptr_array_free(old, TRUE);
  update_targets(run);
}

void vgw_proxy_sets_apply(VgwProxySets *sets, const VgwParamConfig *running) {
  GPtrArray *runs = g_ptr_array_new();

  sets->ping =
      vgw_param_config_global_named(running, "UsePingPongKeepAlive")->num != 0;
  for (gsize r = 0; r < vgw_param_config_row_count(running, VGW_TABLE_PROXY_SET);
       r++) {
    const VgwParamRow *row =
        vgw_param_config_row_at(running, VGW_TABLE_PROXY_SET, r);
    ProxySetRun *run = find_run(sets, row->index);
    if (run != NULL) {
      g_ptr_array_remove(sets->runs, run);
    } else {
      SipProxySetConfig cfg = set_config(row);
      run = g_new0(ProxySetRun, 1);
      run->sets = sets;
      run->row = row->index;
      run->name = g_strdup("");
      run->set = sip_proxy_set_new(&cfg, on_set_event, run);
    }
    g_ptr_array_add(runs, run);
    apply_set(run, running, row);
  }
  g_clear_pointer(&sets->server_set, g_free);
  for (gsize r = 0; r < vgw_param_config_row_count(running, VGW_TABLE_IP_GROUP);
       r++) {
    const VgwParamRow *group =
        vgw_param_config_row_at(running, VGW_TABLE_IP_GROUP, r);
    const char *set_name = cell(group, VGW_TABLE_IP_GROUP, "ProxySetName")->str;
    if (cell(group, VGW_TABLE_IP_GROUP, "Type")->num == 0 &&
        set_name[0] != '\0') {
      sets->server_set = g_strdup(set_name);
      break;
    }
  }
  /* What is left has no row any more. */
  g_ptr_array_set_free_func(sets->runs, (GDestroyNotify)run_free);
  g_ptr_array_free(sets->runs, TRUE);
  sets->runs = runs;
  rearm_keepalives(sets);
}

/* ---- Keep-alive ---- */

static const ProxyAddress *address_of(const ProxySetRun *run,
                                      const SipProxy *p) {
  for (guint k = 0; k < run->n_addresses; k++) {
    if (run->addresses[k]->ip_index == p->target.ip_index &&
        run->addresses[k]->transport == p->target.peer.transport) {
      return run->addresses[k];
    }
  }
  return NULL;
}

static void on_keepalive_result(SipTxnLayer *layer, SipClientEvent event,
                                const osip_message_t *resp, gpointer data) {
  KeepAlive *k = data;
  VgwProxySets *sets = k->sets;
  ProxySetRun *run = sets != NULL ? find_run(sets, k->row) : NULL;
  gint i = run != NULL ? sip_proxy_set_find(run->set, &k->peer) : -1;
  gint64 now = now_ms();
  guint code = event == SIP_CLIENT_RESPONSE ? (guint)resp->status_code : 0;

  if (i >= 0 && event == SIP_CLIENT_RESPONSE) {
    sip_proxy_set_answered(run->set, (guint)i, code, TRUE, now);
  } else if (i >= 0) {
    sip_proxy_set_failed(run->set, (guint)i,
                         event == SIP_CLIENT_TIMEOUT
                             ? SIP_PROXY_FAILURE_TIMEOUT
                             : SIP_PROXY_FAILURE_TRANSPORT,
                         TRUE, now);
  }
  if (event == SIP_CLIENT_RESPONSE && code < 200) {
    return; /* the transaction goes on */
  }
  if (sets != NULL) {
    g_hash_table_remove(sets->keepalives, k);
    rearm_keepalives(sets);
  }
  g_free(k);
}

/* request_uri: sip:HOST:PORT, sips: over TLS (RFC 5630: no
 * ;transport=tls), ;transport=tcp over TCP. */
static char *request_uri(const ProxyAddress *a) {
  return g_strdup_printf("%s:%s:%u%s",
                         a->transport == SIP_TRANSPORT_TLS ? "sips" : "sip",
                         a->host, a->port,
                         a->transport == SIP_TRANSPORT_TCP ? ";transport=tcp"
                                                           : "");
}

/* send_keepalive sends proxy |i|'s keep-alive; FALSE if it could not be
 * built or handed to the layer (the proxy is then down: transport). */
static gboolean send_keepalive(ProxySetRun *run, guint i, const char *lan) {
  VgwProxySets *sets = run->sets;
  const SipProxy *p = sip_proxy_set_proxy(run->set, i);
  const ProxyAddress *a = address_of(run, p);
  gboolean options = sip_proxy_set_config(run->set)->keepalive ==
                     SIP_KEEPALIVE_OPTIONS;
  guint16 local_port =
      sets->local.port(lan, p->target.peer.transport, sets->local.data);
  if (local_port == 0) {
    g_warning("proxy set %u %s: no %s listener on %s to send a keep-alive "
              "from",
              run->row, set_label(run),
              sip_transport_name(p->target.peer.transport), lan);
    return FALSE;
  }
  char *uri = request_uri(a);
  char *from = g_strdup_printf("<sip:vgw@%s>", lan);
  char *aor = g_strdup_printf("<sip:vgw@%s>", a->host);
  char *to = options ? g_strdup_printf("<%s>", uri) : g_strdup(aor);
  char *contact = g_strdup_printf("<sip:vgw@%s:%u%s>", lan, local_port,
                                  p->target.peer.transport == SIP_TRANSPORT_TCP
                                      ? ";transport=tcp" : "");
  SipRequestSpec spec = {
      .method = options ? "OPTIONS" : "REGISTER",
      .request_uri = uri,
      .from = options ? from : aor,
      .to = to,
      .cseq = 1,
      .transport = p->target.peer.transport,
      .sent_by_host = lan,
      .sent_by_port = local_port,
      .alias = TRUE,
      .contact = options ? NULL : contact,
      .user_agent = "vgw",
  };
  GError *error = NULL;
  osip_message_t *req = sip_request_new(&spec, &error);
  gboolean sent = FALSE;

  if (req == NULL) {
    g_warning("proxy set %u %s: keep-alive to %s not built: %s", run->row,
              set_label(run), uri, error->message);
    g_clear_error(&error);
  } else {
    if (!options) {
      char *expires = g_strdup_printf(
          "%u", 2 * sip_proxy_set_config(run->set)->keepalive_s);
      osip_message_set_expires(req, expires);
      g_free(expires);
    }
    KeepAlive *k = g_new0(KeepAlive, 1);
    k->sets = sets;
    k->row = run->row;
    k->peer = p->target.peer;
    g_hash_table_add(sets->keepalives, k);
    g_debug("proxy set %u %s: keep-alive %s to %s:%u/%s", run->row,
            set_label(run), spec.method, k->peer.address, k->peer.port,
            sip_transport_name(k->peer.transport));
    /* The layer frees |req| either way and reports a failed send through
     * on_keepalive_result. */
    sent = sip_txn_send_request(sets->layer, req, &k->peer,
                                on_keepalive_result, k);
    if (!sent) {
      g_hash_table_remove(sets->keepalives, k);
      g_free(k);
    }
  }
  g_free(uri);
  g_free(from);
  g_free(aor);
  g_free(to);
  g_free(contact);
  return sent;
}

/* lan_host: the LAN address without its prefix, in |buf|; NULL if none. */
static const char *lan_host(VgwProxySets *sets, char *buf, gsize len) {
  const char *lan = sets->local.lan_address(sets->local.data);

  if (lan == NULL) {
    return NULL;
  }
  g_strlcpy(buf, lan, len);
  char *slash = strchr(buf, '/');
  if (slash != NULL) {
    *slash = '\0';
  }
  return buf;
}

static gboolean on_keepalive_timer(gpointer data) {
  VgwProxySets *sets = data;
  char buf[64];
  const char *lan = lan_host(sets, buf, sizeof(buf));

  g_source_unref(sets->keepalive_timer);
  sets->keepalive_timer = NULL;
  for (guint s = 0; lan != NULL && s < sets->runs->len; s++) {
    ProxySetRun *run = g_ptr_array_index(sets->runs, s);
    guint i;
    while (sip_proxy_set_take_keepalive(run->set, now_ms(), &i)) {
      if (!send_keepalive(run, i, lan)) {
        sip_proxy_set_failed(run->set, i, SIP_PROXY_FAILURE_TRANSPORT, TRUE,
                             now_ms());
      }
    }
  }
  rearm_keepalives(sets);
  return G_SOURCE_REMOVE;
}

/* rearm_keepalives arms the timer to the earliest keep-alive due. */
static void rearm_keepalives(VgwProxySets *sets) {
  gint64 next = -1;
  char buf[64];

  for (guint s = 0; s < sets->runs->len; s++) {
    ProxySetRun *run = g_ptr_array_index(sets->runs, s);
    gint64 due = sip_proxy_set_next_keepalive(run->set);
    if (due >= 0 && (next < 0 || due < next)) {
      next = due;
    }
  }
  if (sets->keepalive_timer != NULL) {
    g_source_destroy(sets->keepalive_timer);
    g_source_unref(sets->keepalive_timer);
    sets->keepalive_timer = NULL;
  }
  if (next < 0) {
    return;
  }
  gint64 wait = MAX(next - now_ms(), 0);
  if (lan_host(sets, buf, sizeof(buf)) == NULL) {
    wait = MAX(wait, NO_ADDRESS_RETRY_MS);
  }
  sets->keepalive_timer = g_timeout_source_new((guint)MIN(wait, G_MAXUINT));
  g_source_set_callback(sets->keepalive_timer, on_keepalive_timer, sets,
                        NULL);
  g_source_attach(sets->keepalive_timer, NULL);
}

/* ---- For routing ---- */

static ProxySetRun *find_named(VgwProxySets *sets, const char *name) {
  for (guint s = 0; s < sets->runs->len; s++) {
    ProxySetRun *run = g_ptr_array_index(sets->runs, s);
    if (g_ascii_strcasecmp(run->name, name) == 0) {
      return run;
    }
  }
  return NULL;
}

gboolean vgw_proxy_sets_pick(VgwProxySets *sets, const char *proxy_set_name,
                             SipPeer *out) {
  ProxySetRun *run = find_named(sets, proxy_set_name);
  guint i;

  if (run == NULL ||
      !sip_proxy_set_pick(run->set, now_ms(), g_random_int(), &i)) {
    return FALSE;
  }
  *out = sip_proxy_set_proxy(run->set, i)->target.peer;
  return TRUE;
}

gboolean vgw_proxy_sets_report(VgwProxySets *sets, const SipPeer *to,
                               SipClientEvent event, guint code,
                               SipPeer *retry) {
  gboolean again = FALSE;
  gint64 now = now_ms();

  for (guint s = 0; s < sets->runs->len; s++) {
    ProxySetRun *run = g_ptr_array_index(sets->runs, s);
    gint i = sip_proxy_set_find(run->set, to);
    guint next;
    if (i < 0) {
      continue;
    }
    if (event == SIP_CLIENT_RESPONSE) {
      sip_proxy_set_answered(run->set, (guint)i, code, FALSE, now);
      continue;
    }
    sip_proxy_set_failed(run->set, (guint)i,
                         event == SIP_CLIENT_TIMEOUT
                             ? SIP_PROXY_FAILURE_TIMEOUT
                             : SIP_PROXY_FAILURE_TRANSPORT,
                         FALSE, now);
    if (!again && sip_proxy_set_hot_swap(run->set, (guint)i, now, &next)) {
      again = TRUE;
      if (retry != NULL) {
        *retry = sip_proxy_set_proxy(run->set, next)->target.peer;
      }
    }
  }
  return again;
}

/* resolves_to: whether |a| resolved to |address|. */
static gboolean resolves_to(const ProxyAddress *a, const char *address) {
  for (guint r = 0; r < a->resolved.n; r++) {
    if (strcmp(a->resolved.address[r], address) == 0) {
      return TRUE;
    }
  }
  return FALSE;
}

void vgw_proxy_sets_tls_references(const VgwProxySets *sets,
                                   const char *address, GPtrArray *out) {
  for (guint i = 0; i < sets->runs->len; i++) {
    const ProxySetRun *run = g_ptr_array_index(sets->runs, i);
    for (guint k = 0; k < run->n_addresses; k++) {
      const ProxyAddress *a = run->addresses[k];
      if (a->transport == SIP_TRANSPORT_TLS && resolves_to(a, address) &&
          !g_ptr_array_find_with_equal_func(out, a->host, g_str_equal,
                                            NULL)) {
        g_ptr_array_add(out, (gpointer)a->host);
      }
    }
  }
}

const char *vgw_proxy_sets_server_set(const VgwProxySets *sets) {
  return sets->server_set;
}

/* The port the top Via of |req| names (RFC 3261 §18.2.1: without one,
 * 5060, or 5061 over TLS); 0 when it has none that parses. */
static guint16 via_sent_by_port(const osip_message_t *req) {
  const osip_via_t *via = osip_list_get(&req->vias, 0);
  guint64 port;

  if (via == NULL || via->protocol == NULL) {
    return 0;
  }
  if (via->port == NULL) {
    return g_ascii_strcasecmp(via->protocol, "TLS") == 0 ? 5061 : 5060;
  }
  if (!g_ascii_string_to_unsigned(via->port, 10, 1, G_MAXUINT16, &port,
                                  NULL)) {
    return 0;
  }
  return (guint16)port;
}

/* Whether |proxy| sent |req| from |from|: the rule in proxy_sets.h. */
static gboolean sent_by_proxy(const VgwProxySets *sets, const SipPeer *proxy,
                              const SipPeer *from, const osip_message_t *req) {
  if (proxy->transport != from->transport ||
      strcmp(proxy->address, from->address) != 0) {
    return FALSE;
  }
  if (proxy->transport == SIP_TRANSPORT_UDP) {
    return proxy->port == from->port;
  }
  if (from->connection != 0 &&
      sets->local.connection_to(proxy, sets->local.data) == from->connection) {
    return TRUE;
  }
  return via_sent_by_port(req) == proxy->port;
}

const char *vgw_proxy_sets_classify(VgwProxySets *sets, const SipPeer *from,
                                    const osip_message_t *req) {
  for (guint s = 0; s < sets->runs->len; s++) {
    ProxySetRun *run = g_ptr_array_index(sets->runs, s);
    for (guint i = 0; i < sip_proxy_set_count(run->set); i++) {
      if (sent_by_proxy(sets, &sip_proxy_set_proxy(run->set, i)->target.peer,
                        from, req)) {
        return run->name;
      }
    }
  }
  return NULL;
}

/* ---- Status ---- */

static VgwStatusProxy status_row(const ProxySetRun *run,
                                 const ProxyAddress *a) {
  return (VgwStatusProxy){
      .set = run->row,
      .set_name = run->name,
      .ip_index = a->ip_index,
      .configured = a->configured,
      .port = a->port,
      .transport = sip_transport_name(a->transport),
      .state = "unresolved",
      .reason = a->error != NULL ? a->error : "resolving",
      .last_response_age_s = -1,
      .failovers = sip_proxy_set_failovers(run->set),
  };
}

gsize vgw_proxy_sets_status(VgwProxySets *sets, VgwStatusProxy *out,
                            gsize max) {
  gsize n = 0;
  gint64 now = now_ms();

  for (guint s = 0; s < sets->runs->len; s++) {
    const ProxySetRun *run = g_ptr_array_index(sets->runs, s);
    for (guint k = 0; k < run->n_addresses; k++) {
      const ProxyAddress *a = run->addresses[k];
      if (a->resolved.n == 0 && n < max) {
        out[n++] = status_row(run, a);
      }
      for (guint i = 0; i < sip_proxy_set_count(run->set) && n < max; i++) {
        const SipProxy *p = sip_proxy_set_proxy(run->set, i);
        if (p->target.ip_index != a->ip_index ||
            p->target.peer.transport != a->transport) {
          continue;
        }
        VgwStatusProxy *row = &out[n++];
        *row = status_row(run, a);
        row->address = p->target.peer.address;
        row->resolved_by = vgw_resolved_source_name(a->source);
        row->state = sip_proxy_state_name(p->state);
        row->reason = p->state == SIP_PROXY_DOWN
                          ? sip_proxy_failure_name(p->failure)
                          : NULL;
        row->last_code = p->last_code;
        row->last_response_age_s =
            p->last_response_ms >= 0 ? (now - p->last_response_ms) / 1000
                                     : -1;
        row->connection =
            p->target.peer.transport != SIP_TRANSPORT_UDP
                ? sets->local.connection_to(&p->target.peer,
                                            sets->local.data)
                : 0;
        row->active = sip_proxy_set_active(run->set) == (gint)i;
      }
    }
  }
  return n;
}

static void verb_proxies(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwStatusProxy rows[VGW_STATUS_MAX_PROXIES];
  gsize n;
  GString *body = g_string_new(NULL);

  if (c->argc != 0) {
    g_string_free(body, TRUE);
    vgw_reply_usage(c, out);
    return;
  }
  n = vgw_proxy_sets_status(c->data, rows, G_N_ELEMENTS(rows));
  if (c->human) {
    vgw_status_proxies_text(body, rows, n);
    if (n == 0) {
      g_string_append(body, "no Proxy Set has an address\n");
    }
  } else {
    g_string_append(body, "{\"proxies\":");
    vgw_status_proxies_json(body, rows, n);
    g_string_append_c(body, '}');
  }
  vgw_reply_ok(out, body);
}

static const VgwMgmtVerb proxies_verbs[] = {
    {"sip-proxies", "", "the Proxy Sets' proxies and their state", 0,
     verb_proxies},
};

const VgwMgmtVerbSet vgw_proxy_sets_verb_set = {
    proxies_verbs, G_N_ELEMENTS(proxies_verbs), NULL};

/* ---- Life ---- */

VgwProxySets *vgw_proxy_sets_new(SipTxnLayer *layer,
                                 const VgwProxyLocal *local) {
  VgwProxySets *sets = g_new0(VgwProxySets, 1);

  sets->layer = layer;
  sets->local = *local;
  sets->runs = g_ptr_array_new();
  sets->keepalives = g_hash_table_new(NULL, NULL);
  sets->resolve_timer =
      g_timeout_add_seconds(VGW_PROXY_RESOLVE_S, on_resolve_timer, sets);
  return sets;
}

void vgw_proxy_sets_free(VgwProxySets *sets) {
  GHashTableIter it;
  gpointer k;

  if (sets == NULL) {
    return;
  }
  /* Keep-alives still out free themselves when the layer reports them. */
  g_hash_table_iter_init(&it, sets->keepalives);
  while (g_hash_table_iter_next(&it, &k, NULL)) {
    ((KeepAlive *)k)->sets = NULL;
  }
  g_hash_table_unref(sets->keepalives);
  if (sets->keepalive_timer != NULL) {
    g_source_destroy(sets->keepalive_timer);
    g_source_unref(sets->keepalive_timer);
  }
  g_source_remove(sets->resolve_timer);
  g_ptr_array_set_free_func(sets->runs, (GDestroyNotify)run_free);
  g_ptr_array_free(sets->runs, TRUE);
  g_free(sets->server_set);
  g_free(sets);
}
