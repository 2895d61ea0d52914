/* A stateful proxy's message transforms: see sip_proxy.h. */
#include "sip_proxy.h"

#include <string.h>

#include "sip_message.h"

/* RFC 3261 §8.1.1.7: every branch we make starts with the magic cookie. */
#define BRANCH_COOKIE "z9hG4bK"

gboolean sip_proxy_uri_is_own(const SipProxyIdentity *self,
                              const osip_uri_t *uri) {
  if (uri == NULL || uri->host == NULL || uri->scheme == NULL) {
    return FALSE;
  }
  gboolean sips = g_ascii_strcasecmp(uri->scheme, "sips") == 0;
  guint64 port = sips ? 5061 : 5060;
  if (uri->port != NULL &&
      !g_ascii_string_to_unsigned(uri->port, 10, 1, G_MAXUINT16, &port,
                                  NULL)) {
    return FALSE;
  }
  gboolean host_ours = FALSE;
  for (const char *const *h = self->hosts; h != NULL && *h != NULL; h++) {
    host_ours = host_ours || g_ascii_strcasecmp(*h, uri->host) == 0;
  }
  for (guint t = 0; host_ours && t < SIP_TRANSPORT_COUNT; t++) {
    if (self->ports[t] == port) {
      return TRUE;
    }
  }
  return FALSE;
}

char *sip_proxy_hop_uri(const SipProxyHop *hop) {
  return g_strdup_printf("<%s:%s:%u%s;lr>",
                         hop->transport == SIP_TRANSPORT_TLS ? "sips" : "sip",
                         hop->host, hop->port,
                         hop->transport == SIP_TRANSPORT_TCP ? ";transport=tcp"
                                                             : "");
}

/* Removes the Routes at the top that name the gateway: the previous hop
 * routed the request to us (§16.4); after double record-routing there are
 * two. */
static void strip_own_routes(osip_message_t *msg,
                             const SipProxyIdentity *self) {
  osip_route_t *route = NULL;

  while (osip_message_get_route(msg, 0, &route) >= 0 &&
         sip_proxy_uri_is_own(self, route->url)) {
    osip_list_remove(&msg->routes, 0);
    osip_route_free(route);
  }
}

static gboolean set_request_uri(osip_message_t *msg, const char *text) {
  osip_uri_t *uri = NULL;

  if (osip_uri_init(&uri) != 0) {
    return FALSE;
  }
  if (osip_uri_parse(uri, text) != 0) {
    osip_uri_free(uri);
    return FALSE;
  }
  osip_uri_free(msg->req_uri);
  msg->req_uri = uri;
  return TRUE;
}

static gboolean push_via(osip_message_t *msg, const SipProxyHop *hop,
                         const char *branch) {
  const char *upper[SIP_TRANSPORT_COUNT] = {"UDP", "TCP", "TLS"};
  char *text = g_strdup_printf("SIP/2.0/%s %s:%u;branch=%s;rport",
                               upper[hop->transport], hop->host, hop->port,
                               branch);
  osip_via_t *via = NULL;
  gboolean ok = osip_via_init(&via) == 0 && osip_via_parse(via, text) == 0;

  g_free(text);
  if (!ok) {
    osip_via_free(via);
    return FALSE;
  }
  osip_list_add(&msg->vias, via, 0);
  return TRUE;
}

static gboolean push_record_route(osip_message_t *msg,
                                  const SipProxyHop *hop) {
  char *text = sip_proxy_hop_uri(hop);
  osip_record_route_t *rr = NULL;
  gboolean ok = osip_record_route_init(&rr) == 0 &&
                osip_record_route_parse(rr, text) == 0;

  g_free(text);
  if (!ok) {
    osip_record_route_free(rr);
    return FALSE;
  }
  osip_list_add(&msg->record_routes, rr, 0);
  return TRUE;
}

SipReason sip_proxy_forward(const osip_message_t *req,
                            const SipProxyForward *how,
                            const SipProxyHop *hop,
                            const SipProxyIdentity *self,
                            osip_message_t **out) {
  osip_message_t *copy = NULL;
  SipReason reason;

  *out = NULL;
  if (osip_message_clone(req, &copy) != 0) {
    return SIP_REASON_UNPARSEABLE;
  }
  reason = sip_message_take_hop(copy);
  if (reason != SIP_REASON_NONE) {
    osip_message_free(copy);
    return reason;
  }
  strip_own_routes(copy, self);

  char *tag = sip_tag_new();
  char *branch = g_strconcat(BRANCH_COOKIE, "-vgw-", tag, NULL);
  gboolean double_rr = how->record_route && how->arrival != NULL &&
                       how->arrival->transport != hop->transport;
  gboolean ok =
      (how->target_uri == NULL || set_request_uri(copy, how->target_uri)) &&
      push_via(copy, hop, branch) &&
      (!double_rr || push_record_route(copy, how->arrival)) &&
      (!how->record_route || push_record_route(copy, hop));
  g_free(branch);
  g_free(tag);
  if (!ok) {
    osip_message_free(copy);
    return SIP_REASON_UNPARSEABLE;
  }
  osip_message_force_update(copy);
  *out = copy;
  return SIP_REASON_NONE;
}

const char *sip_proxy_top_branch(const osip_message_t *msg) {
  osip_via_t *via = osip_list_get(&msg->vias, 0);
  osip_generic_param_t *branch = NULL;

  if (via == NULL || osip_via_param_get_byname(via, "branch", &branch) < 0 ||
      branch->gvalue == NULL) {
    return "";
  }
  return branch->gvalue;
}

osip_message_t *sip_proxy_response(const osip_message_t *resp) {
  osip_message_t *copy = NULL;

  if (osip_list_size(&resp->vias) < 2 ||
      osip_message_clone(resp, &copy) != 0) {
    return NULL;
  }
  osip_via_t *ours = osip_list_get(&copy->vias, 0);
  osip_list_remove(&copy->vias, 0);
  osip_via_free(ours);
  osip_message_force_update(copy);
  return copy;
}

osip_message_t *sip_proxy_cancel(const osip_message_t *forwarded) {
  osip_message_t *c = NULL;
  osip_via_t *via = NULL;
  gboolean ok;

  if (osip_message_init(&c) != 0) {
    return NULL;
  }
  osip_message_set_method(c, osip_strdup("CANCEL"));
  osip_message_set_version(c, osip_strdup("SIP/2.0"));
  ok = osip_uri_clone(forwarded->req_uri, &c->req_uri) == 0 &&
       osip_via_clone(osip_list_get(&forwarded->vias, 0), &via) == 0 &&
       osip_list_add(&c->vias, via, 0) >= 0 &&
       osip_from_clone(forwarded->from, &c->from) == 0 &&
       osip_to_clone(forwarded->to, &c->to) == 0 &&
       osip_call_id_clone(forwarded->call_id, &c->call_id) == 0 &&
       osip_cseq_init(&c->cseq) == 0 &&
       osip_list_clone(&forwarded->routes, &c->routes,
                       (int (*)(void *, void **))osip_route_clone) == 0 &&
       osip_message_set_max_forwards(c, "70") == 0 &&
       osip_message_set_content_length(c, "0") == 0;
  if (ok) {
    osip_cseq_set_number(c->cseq, osip_strdup(forwarded->cseq->number));
    osip_cseq_set_method(c->cseq, osip_strdup("CANCEL"));
    osip_message_force_update(c);
    return c;
  }
  osip_message_free(c);
  return NULL;
}
