/*
 * vgw-sip-engine-host: vgwd's SIP-over-TLS engine built for the host, for
 * the benchmarks (tests/bench/sip_tls.py). The same code as on the
 * gateway: the TLS listener (tls/tls_server.h), the SIP transport over it
 * (vgwd/sip_transport.h) and vgwd's answers (vgwd/sip_answer.h: OPTIONS
 * 200, REGISTER by the registrar, no test extension). What differs is the
 * key: a software key made at start (tls/tls_softkey.h), there being no
 * crypto engine on the host, and the connection bounds, raised so that the
 * benchmark's connections fit.
 *
 *   vgw-sip-engine-host [--port P] [--key-type rsa-2048|ec-p256]
 *                       [--client-ca ROOTS.pem]
 *
 * With --client-ca every connection must present a client certificate
 * that chains to one of the roots in ROOTS.pem, verified inside the
 * handshake as a gateway's SIP Interface with TLSMutualAuthentication 1
 * does it (tls_server.h, tls_peer_verify.h).
 *
 * Port 0 (the default) picks a free one. Once listening it prints one
 * line on stdout, "ready port=P", and serves until SIGTERM or SIGINT; it
 * then prints the transport's counters as one JSON line and exits 0.
 * Logs go to stderr.
 */
#include <glib-unix.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#include "vgw_crypto.h"
#include "mgmt/mgmt_status.h"
#include "net/sockets.h"
#include "tls/tls_bundle.h"
#include "tls/tls_server.h"
#include "tls/tls_softkey.h"
#include "vgwd/log.h"
#include "vgwd/sip_answer.h"
#include "vgwd/sip_registrations.h"
#include "vgwd/sip_transport.h"

/* Connections a benchmark opens at once, with room to spare. */
#define ENGINE_HOST_MAX_CONNECTIONS 4096

static gboolean on_signal(gpointer loop) {
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

/* read_roots returns the certificates of the PEM file |path|, or NULL
 * with |error| set. */
static STACK_OF(X509) *read_roots(const char *path, GError **error) {
  char *text = NULL;
  gsize len = 0;
  if (!g_file_get_contents(path, &text, &len, error)) {
    return NULL;
  }
  STACK_OF(X509) *roots = vgw_tls_bundle_read_pem(text, len, path, error);
  g_free(text);
  return roots;
}

/* start_server listens on TCP |port| of every IPv4 address; with |roots|
 * it requires and verifies client certificates against them. */
static VgwTlsServer *start_server(uint16_t port, STACK_OF(X509) *roots,
                                  GError **error) {
  int fd = vgw_inet_bind_any(SOCK_STREAM, port, 64, NULL, error);
  if (fd < 0) {
    return NULL;
  }
  VgwTlsServer *tls = vgw_tls_server_new(NULL);
  VgwTlsListener *listener = vgw_tls_server_listen(tls, fd, 0);
  if (roots != NULL) {
    vgw_tls_server_set_context_roots(tls, 0, roots);
    vgw_tls_listener_set_client_auth(listener, TRUE, "--client-ca");
  }
  return tls;
}

static void print_counters(const VgwSipTransport *t) {
  VgwStatusSip sip = {0};
  vgw_sip_transport_status(t, &sip);
  printf("{");
  for (size_t i = 0; i < sip.n_transports; i++) {
    const VgwStatusSipTransport *tr = &sip.transports[i];
    guint64 rejected = 0;
    for (size_t j = 0; j < tr->n_rejected; j++) {
      rejected += tr->rejected[j].count;
    }
    printf("%s\"%s\":{\"received\":%" G_GUINT64_FORMAT
           ",\"sent\":%" G_GUINT64_FORMAT ",\"rejected\":%" G_GUINT64_FORMAT
           ",\"accepted\":%" G_GUINT64_FORMAT "}",
           i ? "," : "", tr->name, tr->received, tr->sent, rejected,
           tr->accepted);
  }
  printf(",\"send_errors\":%" G_GUINT64_FORMAT "}\n", sip.send_errors);
  fflush(stdout);
}

int main(int argc, char **argv) {
  gint port = 0;
  char *key_name = NULL;
  char *client_ca = NULL;
  GOptionEntry entries[] = {
      {"port", 0, 0, G_OPTION_ARG_INT, &port, "TLS port (0: a free one)", "P"},
      {"key-type", 0, 0, G_OPTION_ARG_STRING, &key_name,
       "rsa-2048 (the factory device key's type, default) or ec-p256", "T"},
      {"client-ca", 0, 0, G_OPTION_ARG_FILENAME, &client_ca,
       "require client certificates issued under these roots (PEM)", "F"},
      {NULL}};
  GOptionContext *octx = g_option_context_new("- vgwd's SIP/TLS engine");
  g_option_context_add_main_entries(octx, entries, NULL);
  GError *error = NULL;
  if (!g_option_context_parse(octx, &argc, &argv, &error)) {
    fprintf(stderr, "vgw-sip-engine-host: %s\n", error->message);
    return 1;
  }
  g_option_context_free(octx);
  uint32_t key_type = VGW_KEY_TYPE_RSA_2048;
  if (key_name != NULL && g_strcmp0(key_name, "ec-p256") == 0) {
    key_type = VGW_KEY_TYPE_EC_P256;
  } else if (key_name != NULL && g_strcmp0(key_name, "rsa-2048") != 0) {
    fprintf(stderr, "vgw-sip-engine-host: --key-type is rsa-2048 or "
            "ec-p256\n");
    return 1;
  }
  if (port < 0 || port > 65535) {
    fprintf(stderr, "vgw-sip-engine-host: --port is 0-65535\n");
    return 1;
  }
  vgw_log_init(FALSE);

  STACK_OF(X509) *roots = NULL;
  if (client_ca != NULL && (roots = read_roots(client_ca, &error)) == NULL) {
    fprintf(stderr, "vgw-sip-engine-host: %s\n", error->message);
    return 1;
  }
  VgwTlsServer *tls = start_server((uint16_t)port, roots, &error);
  EVP_PKEY *key = NULL;
  X509 *cert = NULL;
  if (tls == NULL ||
      !vgw_tls_softkey_make(key_type, "ACL_HOSTENGINE",
                            g_get_real_time() / G_USEC_PER_SEC, &key, &cert,
                            &error) ||
      !vgw_tls_server_set_software_identity(tls, cert, key, &error)) {
    fprintf(stderr, "vgw-sip-engine-host: %s\n", error->message);
    return 1;
  }
  vgw_tls_server_use_software(tls, TRUE);
  vgw_tls_server_set_limits(tls, ENGINE_HOST_MAX_CONNECTIONS,
                            ENGINE_HOST_MAX_CONNECTIONS);

  VgwSipAnswer answer = {.registrar = vgw_sip_registrations_start(NULL)};
  VgwSipTransportLimits limits = {
      .max_connections = ENGINE_HOST_MAX_CONNECTIONS,
      .max_tls_connections = ENGINE_HOST_MAX_CONNECTIONS,
      .idle_timeout_s = VGW_SIP_IDLE_TIMEOUT_S,
      .max_send_backlog = VGW_SIP_MAX_SEND_BACKLOG};
  VgwSipTransport *sip = vgw_sip_transport_new(&limits, vgw_sip_answer,
                                               &answer);
  if (sip == NULL) {
    fprintf(stderr, "vgw-sip-engine-host: libosip2 could not be "
            "initialised\n");
    return 1;
  }
  vgw_tls_server_set_stream(tls, &vgw_sip_tls_stream_ops, sip);

  GMainLoop *loop = g_main_loop_new(NULL, FALSE);
  g_unix_signal_add(SIGTERM, on_signal, loop);
  g_unix_signal_add(SIGINT, on_signal, loop);
  printf("ready port=%u\n", vgw_tls_server_port(tls));
  fflush(stdout);
  g_main_loop_run(loop);

  print_counters(sip);
  vgw_tls_server_free(tls);
  sk_X509_pop_free(roots, X509_free);
  return 0;
}
