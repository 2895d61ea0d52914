/*
 * vgwd: the gateway firmware's daemon. One GLib main loop, non-blocking
 * I/O throughout:
 *  - board identity and reset cause from the system controller, watchdog
 *    enabled and kicked from the loop (a hung loop resets the board);
 *  - LAN and WAN found by bus address, renamed, DHCP (udhcpc) in the
 *    background;
 *  - SIP on the listeners of the SIP Interfaces (listeners.h; factory:
 *    UDP/TCP 5060 and TLS 5061 on LAN), following the SIPInterface table
 *    live and the ports' addresses (sip_transport.h): OPTIONS
 *    answered 200, REGISTER by the registrar (sip_registrations.h), calls
 *    to the test extension answered and their RTP echoed
 *    (test_extension.h), calls to registered users proxied
 *    (call_router.h), other INVITEs 404, other requests 501
 *    (sip_answer.h);
 *  - the crypto engine: the kernel's entropy pool fed from its TRNG, TLS
 *    Context 0's device key and self-signed certificate, the TLS server of
 *    the interfaces' TLS listeners signing with the engine, its
 *    connections' data handed to SIP once their handshake is done; the
 *    keystore verbs;
 *  - the configuration (device-fw/param) booted from the flash store
 *    (device-fw/store) on the configuration flash, factory defaults when
 *    it is blank or unusable; applied to addressing, maintenance login
 *    and syslog;
 *  - the maintenance port on UART1, with the configuration verbs;
 *  - the VGW-READY line on the console once every SIP Interface listens
 *    (its port has an address; or the DHCP wait ran out).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hal/board.h"
#include "hal/crypto_engine.h"
#include "mgmt/mgmt_clock_verbs.h"
#include "mgmt/mgmt_config_verbs.h"
#include "mgmt/mgmt_ini_verbs.h"
#include "mgmt/mgmt_keystore_verbs.h"
#include "mgmt/mgmt_port.h"
#include "mgmt/mgmt_reply.h"
#include "mgmt/mgmt_session.h"
#include "mgmt/mgmt_status.h"
#include "mgmt/mgmt_table_verbs.h"
#include "net/dhcp.h"
#include "net/netports.h"
#include "tls/tls_entropy.h"
#include "tls/tls_server.h"
#include "tls/tls_keylog_verbs.h"
#include "tls/tls_context_verbs.h"
#include "tls/tls_conn_verbs.h"
#include "tls/tls_service.h"
#include "config/config_state.h"
#include "config/flash.h"
#include "vgwd/listeners.h"
#include "vgwd/log.h"
#include "vgwd/proxy_sets.h"
#include "vgwd/sip_answer.h"
#include "vgwd/sip_registrations.h"
#include "vgwd/sip_options_verb.h"
#include "vgwd/sip_transport.h"
#include "vgwd/test_extension.h"
#include "vgw_memmap.h"

#ifndef VGW_FW_VERSION
#define VGW_FW_VERSION "0.0.0"
#endif

#define WDT_TIMEOUT_MS 10000
#define WDT_KICK_MS 2000
#define DHCP_WAIT_MS 10000
#define MAINT_TTY "/dev/ttyAMA1"
#define CRASH_COUNT_FILE VGW_RUN_DIR "/crash_count"
#define FLASH_WAIT_MS 1000

typedef struct {
  VgwBoard board;
  VgwNet net;
  VgwSipTransport *sip;
  VgwSipAnswer sip_answer;
  VgwProxySets *proxy_sets;
  VgwListeners *listeners;
  VgwMgmtSession *session;
  VgwMgmtPort *port;
  VgwConfigState *config;
  VgwIniVerbs *ini_verbs;
  VgwCryptoEngine *engine;
  VgwTlsService *tls;
  VgwTlsKeylog *tls_keylog;
  VgwKeystoreVerbs *keystore_verbs;
  VgwTlsContextVerbs *context_verbs;
  guint crash_count;
  gboolean ready_sent;
  gboolean dhcp_wait_over;
  guint64 start_ms;
} Vgwd;

/* read_crash_count reads the count init keeps of vgwd restarts. */
static guint read_crash_count(void) {
  char *text = NULL;
  guint count = 0;
  if (g_file_get_contents(CRASH_COUNT_FILE, &text, NULL, NULL)) {
    count = (guint)g_ascii_strtoull(text, NULL, 10);
  }
  g_free(text);
  return count;
}

static void fill_status(VgwStatus *st, gpointer data) {
  Vgwd *d = data;
  st->state = "running";
  st->firmware = VGW_FW_VERSION;
  st->uptime_s = vgw_uptime_ms() / 1000;
  st->reset_cause = vgw_reset_cause_name(d->board.reset_cause);
  st->reset_count = d->board.reset_count;
  st->serial = d->board.id.serial;
  st->hw_rev = d->board.id.hw_rev;
  st->mac_base = d->board.mac_base;
  st->crash_count = d->crash_count;
  st->wdt_enabled = d->board.wdt_enabled;
  st->wdt_timeout_ms = d->board.wdt_timeout_ms;
  st->n_ifaces = 0;
  for (size_t i = 0; i < VGW_NET_PORTS && i < VGW_STATUS_MAX_IFACES; i++) {
    const VgwNetPort *p = &d->net.ports[i];
    st->ifaces[st->n_ifaces++] = (VgwStatusIface){
        p->role, p->mac[0] ? p->mac : NULL, p->ipv4};
  }
  if (d->listeners != NULL) {
    st->n_listeners = vgw_listeners_describe(d->listeners, st->listeners,
                                             VGW_STATUS_MAX_LISTENERS);
  }
  if (d->tls != NULL) {
    vgw_tls_service_status(d->tls, &st->tls);
    vgw_tls_keylog_status(d->tls_keylog, &st->tls_keylog);
  }
  if (d->listeners != NULL) {
    vgw_sip_transport_status(d->sip, &st->sip);
    st->sip.registrations =
        sip_registrar_stats(d->sip_answer.registrar)->bindings;
    vgw_test_extension_status(d->sip_answer.test_extension,
                              &st->sip.test_extension);
    vgw_call_router_status(d->sip_answer.calls, &st->sip.calls);
  }
  if (d->proxy_sets != NULL) {
    st->n_proxies = vgw_proxy_sets_status(d->proxy_sets, st->proxies,
                                          VGW_STATUS_MAX_PROXIES);
  }
  GPtrArray *pending = vgw_config_state_pending(d->config);
  st->pending = pending->len;
  g_ptr_array_unref(pending);
  st->config_source = vgw_config_state_source(d->config);
  st->config_generation = vgw_config_state_generation(d->config);
  st->config_unsaved = vgw_config_state_unsaved(d->config);
  st->config_boot = vgw_config_state_boot_source(d->config);
}

static const VgwParamValue *param(const VgwParamConfig *cfg,
                                  const char *name) {
  return vgw_param_config_global_named(cfg, name);
}

/* lan_address is the LAN's address for the test extension's SDP. */
static const char *lan_address(gpointer data) {
  const Vgwd *d = data;

  for (size_t i = 0; i < VGW_NET_PORTS; i++) {
    if (strcmp(d->net.ports[i].role, "lan") == 0) {
      return d->net.ports[i].ipv4;
    }
  }
  return NULL;
}

/* set_server_name: the Proxy Sets' FQDNs (VgwProxyLocal). */
static void set_server_name(const SipPeer *peer, const char *name,
                            gpointer data) {
  vgw_sip_transport_set_server_name(((Vgwd *)data)->sip, peer, name);
}

/* client_references: what the certificate of a TLS client from |address|
 * must name (VgwTlsReferencesFunc): its Proxy Sets' addresses. */
static void client_references(const char *address, GPtrArray *out,
                              gpointer data) {
  vgw_proxy_sets_tls_references(((Vgwd *)data)->proxy_sets, address, out);
}

/* set_tls_context: the Proxy Sets' TLS Contexts (VgwProxyLocal). */
static void set_tls_context(const SipPeer *peer, guint context,
                            const char *why, gpointer data) {
  vgw_sip_transport_set_tls_context(((Vgwd *)data)->sip, peer, context, why);
}

/* set_ping: the Proxy Sets' CRLF pings (VgwProxyLocal). */
static void set_ping(const SipPeer *peer, guint interval_s, gpointer data) {
  vgw_sip_transport_set_ping(((Vgwd *)data)->sip, peer, interval_s);
}

/* connection_to: the connection to a proxy, for its status. */
static guint64 connection_to(const SipPeer *peer, gpointer data) {
  gboolean outgoing;
  return vgw_sip_transport_connection_to(((Vgwd *)data)->sip, peer,
                                         &outgoing);
}

/* addressing reads a port's addressing parameters, |prefix| "LAN"/"WAN". */
static VgwNetAddressing addressing(const VgwParamConfig *cfg,
                                   const char *prefix) {
  char name[32];
  VgwNetAddressing a;
  g_snprintf(name, sizeof(name), "%sIPMode", prefix);
  a.dhcp = param(cfg, name)->num != 0;
  g_snprintf(name, sizeof(name), "%sIPAddress", prefix);
  a.address = (guint32)param(cfg, name)->num;
  g_snprintf(name, sizeof(name), "%sPrefixLength", prefix);
  a.prefix = (guint)param(cfg, name)->num;
  g_snprintf(name, sizeof(name), "%sDefaultGateway", prefix);
  a.gateway = (guint32)param(cfg, name)->num;
  return a;
}

/* follow_addresses gives the listeners the ports' current addresses; a
 * port without one (a host vgwd has none) takes VGW_LAN_ADDRESS or
 * VGW_WAN_ADDRESS from the environment, if set (testing only). */
static void follow_addresses(Vgwd *d) {
  static const char *const roles[VGW_NETWORK_COUNT] = {
      [VGW_NETWORK_LAN] = "lan", [VGW_NETWORK_WAN] = "wan"};
  static const char *const env[VGW_NETWORK_COUNT] = {
      [VGW_NETWORK_LAN] = "VGW_LAN_ADDRESS",
      [VGW_NETWORK_WAN] = "VGW_WAN_ADDRESS"};
  for (int n = 0; n < VGW_NETWORK_COUNT; n++) {
    const VgwNetPort *p = vgw_net_port(&d->net, roles[n]);
    const char *ipv4 = p != NULL ? p->ipv4 : NULL;
    vgw_listeners_set_address(d->listeners, n,
                              ipv4 != NULL ? ipv4 : g_getenv(env[n]));
  }
}

static void maybe_ready(Vgwd *d);

/* on_config_applied puts the live parts of the running configuration into
 * effect: the maintenance login, syslog and the SIP Interfaces' listeners
 * (first opened here, when start_maintenance installs this). Addressing
 * needs a reset (registry), so it is read once at boot instead. */
static void on_config_applied(const VgwParamConfig *running, gpointer data) {
  Vgwd *d = data;
  vgw_mgmt_session_set_credentials(d->session,
                                   param(running, "MaintenanceUserName")->str,
                                   param(running, "MaintenancePassword")->str);
  vgw_log_set_syslog(param(running, "EnableSyslog")->num != 0,
                     (guint32)param(running, "SyslogServerIP")->num,
                     (guint16)param(running, "SyslogServerPort")->num,
                     (guint)param(running, "SyslogFacility")->num,
                     (guint)param(running, "GwDebugLevel")->num);
  if (d->tls != NULL) {
    vgw_tls_service_apply_verify_server(d->tls, running);
    vgw_tls_service_apply_policies(d->tls, running);
    vgw_tls_service_apply_peer_names(d->tls, running);
    vgw_tls_service_apply_rehandshake(d->tls, running);
  }
  if (d->proxy_sets != NULL) {
    vgw_proxy_sets_apply(d->proxy_sets, running);
  }
  if (d->listeners != NULL) {
    follow_addresses(d);
    vgw_listeners_apply(d->listeners, running);
    maybe_ready(d);
  }
}

/* open_config boots the configuration from the flash (VGW_FLASH names an
 * image file instead, for a host vgwd). It never fails: without a usable
 * flash the gateway runs factory defaults. */
static void open_config(Vgwd *d) {
  const char *env = g_getenv("VGW_FLASH");
  /* Only the real board has a flash worth waiting for. */
  char *path = env ? g_strdup(env)
                   : vgw_flash_find_device(d->board.present ? FLASH_WAIT_MS : 0);
  VgwBlockDev *dev = NULL;
  GError *error = NULL;
  if (path == NULL) {
    g_warning("flash: no configuration flash (virtio-mmio at 0x%x)",
              VGW_VIRTIO_FLASH_BASE);
  } else if ((dev = vgw_blockdev_open_file(path, TRUE, &error)) == NULL) {
    g_warning("flash: %s", error->message);
    g_clear_error(&error);
  } else {
    g_message("flash: %s, %" G_GUINT64_FORMAT " KiB", path,
              dev->size / 1024);
  }
  g_free(path);
  d->config = vgw_config_state_open(dev);
}

/* maybe_ready prints the ready line once every SIP Interface listens, or
 * the DHCP wait is over. */
static void maybe_ready(Vgwd *d) {
  if (d->ready_sent || d->listeners == NULL ||
      (!vgw_listeners_complete(d->listeners) && !d->dhcp_wait_over)) {
    return;
  }
  d->ready_sent = TRUE;
  VgwStatus st;
  memset(&st, 0, sizeof(st));
  fill_status(&st, d);
  char *json = vgw_status_to_ready_json(&st);
  g_message("ready after %" G_GUINT64_FORMAT " ms (vgwd started at %"
            G_GUINT64_FORMAT " ms)",
            vgw_uptime_ms(), d->start_ms);
  printf("VGW-READY %s\n", json);
  fflush(stdout);
  g_free(json);
}

static void on_net_changed(gpointer data) {
  Vgwd *d = data;
  if (d->listeners != NULL) {
    follow_addresses(d);
  }
  maybe_ready(d);
}

static gboolean on_dhcp_wait_over(gpointer data) {
  Vgwd *d = data;
  d->dhcp_wait_over = TRUE;
  if (!d->ready_sent) {
    g_warning("LAN has no address after %d ms; ready without it",
              DHCP_WAIT_MS);
  }
  maybe_ready(d);
  return G_SOURCE_REMOVE;
}

/* on_action runs what a maintenance request asked for, after its reply
 * has left the UART. */
static void on_action(VgwMgmtAction action, gpointer data) {
  Vgwd *d = data;
  switch (action) {
    case VGW_MGMT_ACTION_RESET:
      g_message("resetting the board");
      vgw_board_reset(&d->board);
      g_warning("reset did not happen (no system controller?)");
      break;
    case VGW_MGMT_ACTION_WATCHDOG_STALL:
      /* Test hook: the loop stops here for real, so the watchdog is no
       * longer kicked and resets the board. */
      for (;;) {
        sleep(60);
      }
    case VGW_MGMT_ACTION_CRASH:
      abort();
    case VGW_MGMT_ACTION_NONE:
      break;
  }
}

static void start_board(Vgwd *d) {
  GError *error = NULL;
  if (!vgw_board_open(&d->board, &error)) {
    g_warning("no system controller: %s; running without identity and "
              "watchdog",
              error->message);
    g_clear_error(&error);
    return;
  }
  g_message("board: serial %s, hw rev %u, mac base %s", d->board.id.serial,
            d->board.id.hw_rev, d->board.mac_base);
  g_message("board: reset cause %s, resets since power-on %u",
            vgw_reset_cause_name(d->board.reset_cause),
            d->board.reset_count);
  if (vgw_board_start_watchdog(&d->board, WDT_TIMEOUT_MS, WDT_KICK_MS)) {
    g_message("watchdog: enabled and locked, %u ms, kicked every %d ms",
              d->board.wdt_timeout_ms, WDT_KICK_MS);
  } else {
    g_warning("watchdog: could not be configured (enabled %d, %u ms)",
              d->board.wdt_enabled, d->board.wdt_timeout_ms);
  }
}

/* The call router's view of the Proxy Sets (call_router.h). */
static gboolean router_from_proxy(const SipPeer *from,
                                  const osip_message_t *req, gpointer sets) {
  return vgw_proxy_sets_classify(sets, from, req) != NULL;
}

static const char *router_server_set(gpointer sets) {
  return vgw_proxy_sets_server_set(sets);
}

static gboolean router_pick(const char *proxy_set, SipPeer *out,
                            gpointer sets) {
  return vgw_proxy_sets_pick(sets, proxy_set, out);
}

static gboolean router_report(const SipPeer *to, SipClientEvent event,
                              guint code, SipPeer *retry, gpointer sets) {
  return vgw_proxy_sets_report(sets, to, event, code, retry);
}

/* The port of our |transport| listener on |address|, from the SIP
 * Interfaces as they are now: what the Proxy Sets and the call router put
 * in our Via, Contact and Record-Route. */
static guint16 listener_port(const char *address, SipTransport transport,
                             gpointer data) {
  const Vgwd *d = data;

  return d->listeners != NULL
             ? vgw_listeners_port(d->listeners, address, transport)
             : 0;
}

/* start_crypto finds the crypto engine, feeds the kernel's entropy pool
 * from its TRNG (before anything draws random numbers from BoringSSL),
 * makes sure TLS Context 0 has its key and certificate and starts the TLS
 * server of the interfaces' TLS listeners. Without an engine (e.g. -M
 * virt, a host vgwd) the gateway runs without TLS. */
static void start_crypto(Vgwd *d) {
  GError *error = NULL;
  d->engine = vgw_crypto_engine_open_devmem(&error);
  if (d->engine == NULL) {
    g_warning("crypto: %s; no TLS listeners", error->message);
    g_clear_error(&error);
    return;
  }
  g_message("crypto: engine version %u.%u, %u key slots",
            vgw_crypto_version(d->engine) >> 16,
            vgw_crypto_version(d->engine) & 0xffff,
            vgw_crypto_num_slots(d->engine));
  if (vgw_tls_feed_kernel_entropy(d->engine, "/dev/urandom",
                                  VGW_TLS_ENTROPY_BYTES, &error)) {
    g_message("crypto: %d TRNG bytes added to the kernel's entropy pool",
              VGW_TLS_ENTROPY_BYTES);
  } else {
    g_warning("crypto: kernel entropy pool not fed: %s", error->message);
    g_clear_error(&error);
  }
  d->tls = vgw_tls_service_start(d->engine, d->config, d->board.id.serial,
                                 &error);
  if (d->tls == NULL) {
    g_warning("tls: %s; no TLS listeners", error->message);
    g_clear_error(&error);
    return;
  }
  d->tls_keylog = vgw_tls_keylog_new(VGW_TLS_KEYLOG_MAX_LINES);
  vgw_tls_keylog_set_device(d->tls_keylog);
  if (d->sip != NULL) {
    vgw_tls_service_set_stream(d->tls, &vgw_sip_tls_stream_ops, d->sip);
    vgw_sip_transport_set_tls_client(d->sip, vgw_tls_service_client(d->tls));
  }
  vgw_tls_service_apply_verify_server(d->tls,
                                      vgw_config_state_running(d->config));
  if (d->proxy_sets != NULL) {
    vgw_tls_service_set_client_references(d->tls, client_references, d);
  }
  vgw_tls_service_apply_peer_names(d->tls,
                                   vgw_config_state_running(d->config));
  if (d->listeners != NULL) {
    vgw_listeners_set_tls(d->listeners, vgw_tls_service_server(d->tls));
  }
  g_message("tls: serving the SIP Interfaces' TLS listeners (%s)",
            d->sip != NULL ? "SIP over TLS"
                           : "no SIP: application data is discarded");
}

/* The TLS service's debug verbs (tls_service.h). Until a TLS build knows
 * a row's verb it answers with the usage. */
static void verb_debug_tls(const VgwMgmtCall *c, VgwMgmtReply *out) {
  if (!vgw_tls_service_debug_verb(c->argv, c->human, out, c->data)) {
    vgw_reply_usage(c, out);
  }
}

static const VgwMgmtVerb tls_debug_verbs[] = {
    {"debug tls-key", "engine|software",
     "TLS key for new connections (benchmark switch)", 0, verb_debug_tls},
    {"debug tls-handshake-timeout", "SECONDS",
     "handshake deadline of new TLS connections (test switch)", 0,
     verb_debug_tls},
    {"debug tls-rehandshake-unit", "SECONDS",
     "how long a minute of TLSReHandshakeInterval lasts (test switch)", 0,
     verb_debug_tls},
};

static const VgwMgmtVerbSet tls_debug_verb_set = {
    tls_debug_verbs, G_N_ELEMENTS(tls_debug_verbs), NULL};

static void start_maintenance(Vgwd *d) {
  const char *tty = g_getenv("VGW_MAINT_TTY");
  GError *error = NULL;
  const VgwParamConfig *running = vgw_config_state_running(d->config);
  d->session = vgw_mgmt_session_new(
      param(running, "MaintenanceUserName")->str,
      param(running, "MaintenancePassword")->str, fill_status, d);
  d->ini_verbs = vgw_ini_verbs_new(d->config);
  d->keystore_verbs = vgw_keystore_verbs_new(
      d->engine, d->tls != NULL ? vgw_tls_service_key_changed : NULL, d->tls);
  vgw_mgmt_session_add_verbs(d->session, &vgw_config_verb_set, d->config);
  vgw_mgmt_session_add_verbs(d->session, &vgw_table_verb_set, d->config);
  vgw_mgmt_session_add_verbs(d->session, &vgw_clock_verb_set, (gpointer) "/dev/rtc0");
  vgw_mgmt_session_add_verbs(d->session, &vgw_ini_verb_set, d->ini_verbs);
  vgw_mgmt_session_add_verbs(d->session, &vgw_keystore_verb_set,
                             d->keystore_verbs);
  d->context_verbs = vgw_tls_context_verbs_new(
      d->engine, d->config,
      d->tls != NULL ? vgw_tls_service_context_changed : NULL, d->tls);
  vgw_mgmt_session_add_verbs(d->session, &vgw_tls_context_verb_set,
                             d->context_verbs);
  if (d->tls != NULL) {
    vgw_mgmt_session_add_verbs(d->session, &tls_debug_verb_set, d->tls);
    vgw_mgmt_session_add_verbs(d->session, &vgw_tls_keylog_verb_set,
                               d->tls_keylog);
    vgw_mgmt_session_add_verbs(d->session, &vgw_tls_conn_verb_set, d->tls);
  }
  if (d->sip != NULL) {
    vgw_mgmt_session_add_verbs(d->session, &vgw_sip_debug_verb_set, d->sip);
    vgw_mgmt_session_add_verbs(d->session, &vgw_sip_options_verb_set,
                               vgw_sip_probes_new(d->sip));
    vgw_mgmt_session_add_verbs(d->session, &vgw_sip_registrations_verb_set,
                               d->sip_answer.registrar);
    vgw_mgmt_session_add_verbs(d->session, &vgw_call_router_verb_set,
                               d->sip_answer.calls);
  }
  if (d->proxy_sets != NULL) {
    vgw_mgmt_session_add_verbs(d->session, &vgw_proxy_sets_verb_set,
                               d->proxy_sets);
  }
  vgw_config_state_set_applied(d->config, on_config_applied, d);
  d->port = vgw_mgmt_port_open(tty ? tty : MAINT_TTY, d->session, on_action,
                               d, &error);
  if (d->port == NULL) {
    g_warning("maintenance port: %s", error->message);
    g_clear_error(&error);
  }
}

int main(int argc, char **argv) {
  static Vgwd d;
  signal(SIGPIPE, SIG_IGN);
  vgw_log_init(g_getenv("VGW_DEBUG") != NULL);
  d.start_ms = vgw_uptime_ms();
  g_message("vgwd %s starting", VGW_FW_VERSION);
  d.crash_count = read_crash_count();
  if (d.crash_count > 0) {
    g_message("restarted by init after %u crash(es)", d.crash_count);
  }

  /* The configuration first, as it says how to address the ports; then
   * the ports, so DHCP round trips overlap the rest of the start-up, which
   * is what the ready line waits for. The board comes before both so the
   * watchdog runs while the flash is read. */
  start_board(&d);
  open_config(&d);
  const VgwParamConfig *running = vgw_config_state_running(d.config);
  VgwNetAddressing addr[2] = {addressing(running, "LAN"),
                              addressing(running, "WAN")};
  vgw_net_start(&d.net, addr, on_net_changed, &d);

  d.sip_answer.registrar = vgw_sip_registrations_start(d.config);
  d.sip_answer.test_extension =
      vgw_test_extension_new(d.config, lan_address, &d);
  d.sip_answer.calls = vgw_call_router_new(d.sip_answer.registrar, d.config,
                                           listener_port, &d);
  d.sip = vgw_sip_transport_new(NULL, vgw_sip_answer, &d.sip_answer);
  d.sip_answer.transport = d.sip;
  if (d.sip == NULL) {
    g_warning("sip: libosip2 could not be initialised; no SIP listeners");
  } else {
    sip_txn_layer_set_stray_response(vgw_sip_transport_layer(d.sip),
                                     vgw_call_router_stray_response,
                                     d.sip_answer.calls);
    /* Opened by on_config_applied and on_net_changed. */
    d.listeners = vgw_listeners_new(d.sip);
    g_message("sip: OPTIONS answered 200, REGISTER by the registrar, the "
              "test extension answers calls, other requests 501");
  }

  if (d.sip != NULL) {
    VgwProxyLocal local = {.lan_address = lan_address,
                           .set_ping = set_ping,
                           .connection_to = connection_to,
                           .port = listener_port,
                           .set_server_name = set_server_name,
                           .set_tls_context = set_tls_context,
                           .data = &d};
    d.proxy_sets =
        vgw_proxy_sets_new(vgw_sip_transport_layer(d.sip), &local);
    const VgwCallRouterProxySets router_sets = {
        router_from_proxy, router_server_set, router_pick, router_report,
        d.proxy_sets};
    vgw_call_router_set_proxy_sets(d.sip_answer.calls, &router_sets);
  }
  start_crypto(&d);
  start_maintenance(&d);
  g_timeout_add(DHCP_WAIT_MS, on_dhcp_wait_over, &d);
  maybe_ready(&d);

  GMainLoop *loop = g_main_loop_new(NULL, FALSE);
  g_main_loop_run(loop);
  return 0;
}
