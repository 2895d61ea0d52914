/* Routing decisions for new requests: see sip_route.h. */
#include "sip_route.h"

#include <string.h>

/* RFC 5630 §3.2: the Warning a proxy adds when it cannot keep sips:. */
#define SIPS_NOT_ALLOWED_WARNING 380
#define VGW_WARNING 399

const char *sip_route_target_name(SipRouteTarget target) {
  static const char *const names[] = {
      [SIP_ROUTE_TEST_EXTENSION] = "test-extension",
      [SIP_ROUTE_REGISTERED] = "registered",
      [SIP_ROUTE_PROXY_SET] = "proxy-set",
      [SIP_ROUTE_REFUSED] = "refused",
  };

  return (guint)target < G_N_ELEMENTS(names) ? names[target] : "?";
}

static void refuse(SipRouteDecision *out, guint status, const char *text,
                   guint warn_code) {
  out->target = SIP_ROUTE_REFUSED;
  out->status = status;
  out->text = text;
  out->warn_code = warn_code;
}

static gboolean is_own_host(const SipRoutePolicy *policy, const char *host) {
  for (const char *const *h = policy->own_hosts; h != NULL && *h != NULL;
       h++) {
    if (g_ascii_strcasecmp(*h, host) == 0) {
      return TRUE;
    }
  }
  return FALSE;
}

gboolean sip_route_refuse_insecure(SipRouteDecision *out,
                                   SipTransport transport) {
  if (!out->sips || transport == SIP_TRANSPORT_TLS) {
    return FALSE;
  }
  refuse(out, 480, "SIPS Not Allowed", SIPS_NOT_ALLOWED_WARNING);
  return TRUE;
}

void sip_route_decide(const osip_message_t *req, SipRegistrar *registrar,
                      SipRouteSource source, const SipRoutePolicy *policy,
                      SipRouteDecision *out) {
  const osip_uri_t *uri = req->req_uri;
  const char *scheme = uri != NULL ? uri->scheme : NULL;

  memset(out, 0, sizeof(*out));
  if (scheme == NULL || uri->host == NULL ||
      (g_ascii_strcasecmp(scheme, "sip") != 0 &&
       g_ascii_strcasecmp(scheme, "sips") != 0)) {
    refuse(out, 416, "Unsupported URI Scheme", VGW_WARNING);
    return;
  }
  out->sips = g_ascii_strcasecmp(scheme, "sips") == 0;
  if (out->sips && !policy->enable_sips) {
    refuse(out, 416, "Unsupported URI Scheme: SIPS is disabled", VGW_WARNING);
    return;
  }
  const char *user = uri->username;
  if (user != NULL && policy->test_call_number != NULL &&
      policy->test_call_number[0] != '\0' &&
      strcmp(user, policy->test_call_number) == 0) {
    out->target = SIP_ROUTE_TEST_EXTENSION;
    return;
  }
  if (user != NULL &&
      (sip_registrar_lookup(registrar, user, uri->host, &out->binding) ||
       (is_own_host(policy, uri->host) &&
        sip_registrar_lookup(registrar, user, NULL, &out->binding)))) {
    out->target = SIP_ROUTE_REGISTERED;
    sip_route_refuse_insecure(out, out->binding.transport);
    return;
  }
  if (source == SIP_ROUTE_FROM_USER && policy->server_proxy_set != NULL) {
    out->target = SIP_ROUTE_PROXY_SET;
    out->proxy_set = policy->server_proxy_set;
    return;
  }
  refuse(out, 404, "Not Found", VGW_WARNING);
}
