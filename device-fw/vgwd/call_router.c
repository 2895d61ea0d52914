/* vgwd's calls through the gateway as a stateful proxy: see call_router.h. */
#include "vgwd/call_router.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mgmt/mgmt_reply.h"
#include "param/param_config.h"
#include "sip_message.h"
#include "sip_proxy.h"
#include "sip_route.h"

typedef enum {
  CALL_TRYING,
  CALL_RINGING,
  CALL_ANSWERED,
  CALL_ENDED,
} CallState;

static const char *const call_state_names[] = {"trying", "ringing",
                                               "answered", "ended"};

typedef struct {
  VgwCallRouter *router;
  guint refs;             /* the table or history, and each Forward */
  guint64 id;
  char *call_id;
  char *from;             /* From and To URIs of the first INVITE */
  char *to;
  char *caller_tag;       /* its From tag: requests from the caller */
  SipPeer caller;         /* the caller's flow */
  SipPeer callee;         /* the callee's flow */
  gboolean to_proxy_set;  /* routed by rule 3: callee is a Proxy Set's */
  gboolean cancelled;     /* the caller sent a CANCEL: no hot swap */
  CallState state;
  char *end_reason;
  gint64 start_us;        /* real time */
  gint64 answer_us;       /* 0: not answered */
  gint64 end_us;          /* 0: not ended */
  char *invite_branch;    /* the caller's INVITE's branch, until its final
                             response: a CANCEL must match it */
  osip_message_t *forwarded_invite; /* likewise: what a CANCEL copies */
} Call;

/* One request forwarded in a client transaction, and the server
 * transaction its responses go back in. */
typedef struct {
  Call *call;
  SipTxn *server;
  SipPeer to;
  gboolean first_invite;
  gboolean bye;
} Forward;

struct VgwCallRouter {
  SipRegistrar *registrar;
  VgwConfigState *config;
  VgwCallRouterPortFunc port;
  gpointer port_data;
  VgwCallRouterProxySets sets;
  gboolean has_sets;
  GHashTable *calls; /* Call-ID -> Call, in progress */
  GQueue history;    /* ended Calls, newest first */
  guint64 total;
};

VgwCallRouter *vgw_call_router_new(SipRegistrar *registrar,
                                   VgwConfigState *config,
                                   VgwCallRouterPortFunc port,
                                   gpointer port_data) {
  VgwCallRouter *r = g_new0(VgwCallRouter, 1);

  r->registrar = registrar;
  r->config = config;
  r->port = port;
  r->port_data = port_data;
  r->calls = g_hash_table_new(g_str_hash, g_str_equal);
  g_queue_init(&r->history);
  return r;
}

void vgw_call_router_set_proxy_sets(VgwCallRouter *r,
                                    const VgwCallRouterProxySets *sets) {
  r->has_sets = sets != NULL;
  if (sets != NULL) {
    r->sets = *sets;
  }
}

/* ---- Addresses ---- */

/* The address of the interface that reaches |peer|: the source address
 * the kernel picks for it, found by connecting a UDP socket (nothing is
 * sent). Over slirp, 10.0.2.15 for 10.0.2.2. */
static gboolean local_address_for(const char *peer, char out[48]) {
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(9)};
  struct sockaddr_in self;
  socklen_t len = sizeof(self);
  gboolean ok = FALSE;
  int fd;

  if (inet_pton(AF_INET, peer, &to.sin_addr) != 1) {
    return FALSE;
  }
  fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return FALSE;
  }
  if (connect(fd, (struct sockaddr *)&to, sizeof(to)) == 0 &&
      getsockname(fd, (struct sockaddr *)&self, &len) == 0) {
    ok = inet_ntop(AF_INET, &self.sin_addr, out, 48) != NULL;
  }
  close(fd);
  return ok;
}

/* Our hop toward |peer|: see call_router.h. */
static gboolean hop_toward(const VgwCallRouter *r, const SipPeer *peer,
                           SipProxyHop *hop) {
  hop->transport = peer->transport;
  if (!local_address_for(peer->address, hop->host)) {
    return FALSE;
  }
  hop->port = r->port(hop->host, peer->transport, r->port_data);
  return hop->port != 0;
}

/* The binding's flow: its connection, or its UDP source address. */
static void binding_peer(const SipBinding *b, SipPeer *out) {
  *out = (SipPeer){.transport = b->transport,
                   .port = b->source_port,
                   .connection = b->transport == SIP_TRANSPORT_UDP
                                     ? 0
                                     : b->connection};
  g_strlcpy(out->address, b->source_address, sizeof(out->address));
}

static char *peer_text(const SipPeer *p) {
  return g_strdup_printf("%s %s:%u", sip_transport_name(p->transport),
                         p->address, p->port);
}

/* ---- Answers ---- */

/* Answers |req| with |status| and |text|, and a Warning |warn_code| with
 * the same text (399: ours; 380: SIPS Not Allowed). */
static void refuse(SipTxn *txn, const osip_message_t *req, const SipPeer *from,
                   guint status, const char *text, guint warn_code) {
  char *tag = sip_tag_new();
  osip_message_t *resp = sip_response_new(req, status, text, tag);

  g_free(tag);
  g_message("sip/%s: %s:%u: %s refused: %u %s",
            sip_transport_name(from->transport), from->address, from->port,
            req->sip_method, status, text);
  if (resp == NULL) {
    g_warning("sip: no memory for a %u to %s", status, req->sip_method);
    return;
  }
  char *warning = g_strdup_printf("%u vgw \"%s\"", warn_code, text);
  osip_message_set_warning(resp, warning);
  g_free(warning);
  sip_txn_respond(txn, resp);
}

static void answer(SipTxn *txn, const osip_message_t *req, guint status) {
  osip_message_t *resp = sip_response_new(req, status, NULL, NULL);

  if (resp != NULL) {
    sip_txn_respond(txn, resp);
  }
}

/* ---- The call table ---- */

static Call *call_ref(Call *c) {
  c->refs++;
  return c;
}

static void call_unref(Call *c) {
  if (--c->refs > 0) {
    return;
  }
  g_free(c->call_id);
  g_free(c->from);
  g_free(c->to);
  g_free(c->caller_tag);
  g_free(c->end_reason);
  g_free(c->invite_branch);
  if (c->forwarded_invite != NULL) {
    osip_message_free(c->forwarded_invite);
  }
  g_free(c);
}

static char *uri_of(const osip_from_t *from) {
  char *text = NULL;

  if (from != NULL && from->url != NULL) {
    osip_uri_to_str(from->url, &text);
  }
  char *copy = g_strdup(text != NULL ? text : "");
  osip_free(text);
  return copy;
}

static char *tag_of(const osip_from_t *from) {
  osip_generic_param_t *tag = NULL;

  if (from == NULL ||
      osip_from_get_tag((osip_from_t *)from, &tag) != 0 || tag->gvalue == NULL) {
    return NULL;
  }
  return g_strdup(tag->gvalue);
}

static char *call_id_of(const osip_message_t *msg) {
  char *text = NULL;

  osip_call_id_to_str(msg->call_id, &text);
  char *copy = g_strdup(text != NULL ? text : "");
  osip_free(text);
  return copy;
}

/* The first INVITE needs no more: it had its final response. */
static void call_invite_done(Call *c) {
  g_clear_pointer(&c->invite_branch, g_free);
  if (c->forwarded_invite != NULL) {
    osip_message_free(c->forwarded_invite);
    c->forwarded_invite = NULL;
  }
}

static void call_end(Call *c, const char *why) {
  VgwCallRouter *r = c->router;

  if (c->state == CALL_ENDED) {
    return;
  }
  c->state = CALL_ENDED;
  c->end_us = g_get_real_time();
  c->end_reason = g_strdup(why);
  call_invite_done(c);
  g_hash_table_remove(r->calls, c->call_id);
  g_queue_push_head(&r->history, c); /* the table's reference */
  while (g_queue_get_length(&r->history) > VGW_CALL_HISTORY) {
    call_unref(g_queue_pop_tail(&r->history));
  }
  g_message("sip: call %" G_GUINT64_FORMAT " %s -> %s ended: %s", c->id,
            c->from, c->to, why);
}

/* What a response to the first INVITE does to its call. */
static void call_progress(Call *c, guint status) {
  if (status >= 300) {
    char *why = g_strdup_printf("%u", status);
    call_end(c, why);
    g_free(why);
  } else if (status >= 200) {
    if (c->state != CALL_ENDED) {
      c->state = CALL_ANSWERED;
      c->answer_us = g_get_real_time();
      call_invite_done(c);
    }
  } else if (status >= 180 && c->state == CALL_TRYING) {
    c->state = CALL_RINGING;
  }
}

/* ---- Forwarding ---- */

static void forward_done(Forward *f) {
  call_unref(f->call);
  g_free(f);
}

static SipReason forward(VgwCallRouter *r, SipTxnLayer *layer, Call *c,
                         SipTxn *txn, const osip_message_t *req,
                         const SipPeer *from, const SipPeer *to,
                         const SipProxyForward *how, gboolean first_invite,
                         osip_message_t **keep);

/* Tells the Proxy Sets what became of the first INVITE of |f|'s call,
 * routed to one of their proxies: its final response, or none. TRUE when
 * the sets swapped to another proxy and the INVITE went on there: |f| is
 * over, the call goes on. */
static gboolean report_to_proxy_sets(SipTxnLayer *layer, Forward *f,
                                     SipClientEvent event, guint code) {
  Call *c = f->call;
  VgwCallRouter *r = c->router;
  SipPeer next;

  if ((event == SIP_CLIENT_RESPONSE && code < 200) || !f->first_invite ||
      !c->to_proxy_set || c->cancelled || !r->has_sets ||
      r->sets.report == NULL ||
      !r->sets.report(&f->to, event, code, &next, r->sets.data)) {
    return FALSE;
  }
  const osip_message_t *req = sip_txn_request(f->server);
  if (req == NULL || c->state == CALL_ENDED) {
    return FALSE;
  }
  g_message("sip: call %" G_GUINT64_FORMAT ": hot swap from %s:%u to %s:%u",
            c->id, f->to.address, f->to.port, next.address, next.port);
  g_clear_pointer(&c->forwarded_invite, osip_message_free);
  c->callee = next;
  SipProxyForward how = {.record_route = TRUE};
  if (forward(r, layer, c, f->server, req, &c->caller, &next, &how, TRUE,
              &c->forwarded_invite) != SIP_REASON_NONE) {
    call_end(c, "not forwarded"); /* forward() answered the caller */
  }
  forward_done(f);
  return TRUE;
}

static void on_response(SipTxnLayer *layer, SipClientEvent event,
                        const osip_message_t *resp, gpointer data) {
  Forward *f = data;
  guint status;

  if (report_to_proxy_sets(layer, f, event,
                           resp != NULL ? (guint)resp->status_code : 0)) {
    return;
  }
  if (event == SIP_CLIENT_RESPONSE) {
    status = (guint)resp->status_code;
    if (status == 100) {
      return; /* hop by hop: we sent our own */
    }
    if (f->first_invite) {
      call_progress(f->call, status);
    }
    osip_message_t *up = sip_proxy_response(resp);
    if (up != NULL) {
      sip_txn_respond(f->server, up);
    } else {
      g_warning("sip: call %" G_GUINT64_FORMAT ": a %u could not be relayed",
                f->call->id, status);
    }
  } else {
    /* No answer from the next hop: §16.7 step 6 and §16.8. */
    status = event == SIP_CLIENT_TIMEOUT ? 408 : 503;
    const osip_message_t *req = sip_txn_request(f->server);
    g_message("sip: call %" G_GUINT64_FORMAT ": %s to %s:%u: %s",
              f->call->id, req != NULL ? req->sip_method : "request",
              f->to.address, f->to.port,
              event == SIP_CLIENT_TIMEOUT ? "no answer" : "cannot send");
    if (req != NULL) {
      answer(f->server, req, status);
    }
    if (f->first_invite) {
      call_end(f->call, event == SIP_CLIENT_TIMEOUT ? "timeout"
                                                    : "transport-error");
    }
  }
  if (status >= 200) {
    if (f->bye) {
      call_end(f->call, "BYE");
    }
    forward_done(f);
  }
}

/* The copy of |req| from |from| to send to |to|, as sip_proxy_forward()
 * makes it with our hop toward |to|; the gateway is named by the address
 * |from| reached it on, or loopback (a host's forwarded port). No address
 * toward |to| is SIP_REASON_UNPARSEABLE too. */
static SipReason rewrite(const VgwCallRouter *r, const osip_message_t *req,
                         const SipProxyForward *how, const SipPeer *from,
                         const SipPeer *to, osip_message_t **out) {
  SipProxyHop hop, in_hop;

  *out = NULL;
  if (!hop_toward(r, to, &hop) || !hop_toward(r, from, &in_hop)) {
    g_message("sip: no address and listener of ours reaches %s/%s or %s/%s",
              to->address, sip_transport_name(to->transport), from->address,
              sip_transport_name(from->transport));
    return SIP_REASON_UNPARSEABLE;
  }
  const char *const hosts[] = {in_hop.host, "127.0.0.1", NULL};
  SipProxyIdentity self = {hosts, {0}};
  SipProxyForward with_arrival = *how;
  /* Our Routes name the listeners on the address |from| reached. */
  for (guint t = 0; t < SIP_TRANSPORT_COUNT; t++) {
    self.ports[t] = r->port(in_hop.host, (SipTransport)t, r->port_data);
  }
  with_arrival.arrival = &in_hop;
  return sip_proxy_forward(req, &with_arrival, &hop, &self, out);
}

/* Forwards |req| of |c| (from |txn|) to |to| as |how| says, statefully:
 * its responses come back in |txn|. Returns the forwarded copy's status:
 * SIP_REASON_NONE, or a refusal already answered. |keep|, when not NULL,
 * receives a copy of what was sent. */
static SipReason forward(VgwCallRouter *r, SipTxnLayer *layer, Call *c,
                         SipTxn *txn, const osip_message_t *req,
                         const SipPeer *from, const SipPeer *to,
                         const SipProxyForward *how, gboolean first_invite,
                         osip_message_t **keep) {
  osip_message_t *out = NULL;
  SipReason reason = rewrite(r, req, how, from, to, &out);

  if (reason == SIP_REASON_TOO_MANY_HOPS) {
    refuse(txn, req, from, 483, "Too Many Hops", 399);
    return reason;
  }
  if (reason != SIP_REASON_NONE) {
    refuse(txn, req, from, 500, "Request could not be forwarded", 399);
    return reason;
  }
  if (MSG_IS_INVITE(req)) {
    answer(txn, req, 100);
  }
  if (keep != NULL) {
    osip_message_clone(out, keep);
  }
  Forward *f = g_new0(Forward, 1);
  f->call = call_ref(c);
  f->server = txn;
  f->to = *to;
  f->first_invite = first_invite;
  f->bye = MSG_IS_BYE(req);
  if (!sip_txn_send_request(layer, out, to, on_response, f)) {
    forward_done(f);
    refuse(txn, req, from, 500, "Request could not be forwarded", 399);
    return SIP_REASON_UNPARSEABLE;
  }
  return SIP_REASON_NONE;
}

/* ---- New calls ---- */

static const VgwParamValue *param(const VgwCallRouter *r, const char *name) {
  return vgw_param_config_global_named(vgw_config_state_running(r->config),
                                       name);
}

/* Where the decision sends the call: its flow and new Request-URI. FALSE,
 * and the INVITE answered, when it goes nowhere. */
static gboolean destination(VgwCallRouter *r, SipTxn *txn,
                            const osip_message_t *req, const SipPeer *from,
                            SipRouteDecision *d, SipPeer *to,
                            const char **target_uri) {
  *target_uri = NULL;
  if (d->target == SIP_ROUTE_REGISTERED) {
    binding_peer(&d->binding, to);
    *target_uri = d->binding.contact;
    return TRUE;
  }
  if (d->target == SIP_ROUTE_PROXY_SET) {
    if (!r->sets.pick(d->proxy_set, to, r->sets.data)) {
      refuse(txn, req, from, 503, "No proxy of the Proxy Set is up", 399);
      return FALSE;
    }
    if (!sip_route_refuse_insecure(d, to->transport)) {
      return TRUE;
    }
  }
  refuse(txn, req, from, d->status, d->text, d->warn_code);
  return FALSE;
}

static gboolean new_call(VgwCallRouter *r, SipTxnLayer *layer, SipTxn *txn,
                         const osip_message_t *req, const SipPeer *from) {
  gboolean from_proxy =
      r->has_sets && r->sets.from_proxy != NULL &&
      r->sets.from_proxy(from, req, r->sets.data);
  const char *proxy_set = r->has_sets && r->sets.server_proxy_set != NULL &&
                                  r->sets.pick != NULL
                              ? r->sets.server_proxy_set(r->sets.data)
                              : NULL;
  char in_host[48] = "";

  if (!local_address_for(from->address, in_host)) {
    in_host[0] = '\0';
  }
  const char *const own_hosts[] = {in_host, "127.0.0.1", NULL};
  SipRoutePolicy policy = {
      .test_call_number = param(r, "TestCallNumber")->str,
      .enable_sips = param(r, "EnableSIPS")->num != 0,
      .own_hosts = own_hosts,
      .server_proxy_set = proxy_set,
  };
  SipRouteDecision d;
  SipPeer to;
  const char *target_uri;

  sip_route_decide(req, r->registrar,
                   from_proxy ? SIP_ROUTE_FROM_PROXY : SIP_ROUTE_FROM_USER,
                   &policy, &d);
  if (d.target == SIP_ROUTE_TEST_EXTENSION) {
    return FALSE; /* the test extension is not running */
  }
  if (!destination(r, txn, req, from, &d, &to, &target_uri)) {
    return TRUE;
  }

  Call *c = g_new0(Call, 1);
  c->router = r;
  c->refs = 1;
  c->id = r->total + 1;
  c->call_id = call_id_of(req);
  c->from = uri_of(req->from);
  c->to = uri_of(req->to);
  c->caller_tag = tag_of(req->from);
  c->caller = *from;
  c->callee = to;
  c->to_proxy_set = d.target == SIP_ROUTE_PROXY_SET;
  c->state = CALL_TRYING;
  c->start_us = g_get_real_time();
  c->invite_branch = g_strdup(sip_proxy_top_branch(req));

  /* In the table first: the forward may end the call at once (a send
   * that fails). */
  r->total++;
  g_hash_table_insert(r->calls, c->call_id, c);
  SipProxyForward how = {.target_uri = target_uri,
                         .record_route = TRUE};
  if (forward(r, layer, c, txn, req, from, &to, &how, TRUE,
              &c->forwarded_invite) != SIP_REASON_NONE) {
    call_end(c, "not forwarded");
    return TRUE;
  }
  char *caller = peer_text(from);
  char *callee = peer_text(&to);
  g_message("sip: call %" G_GUINT64_FORMAT " %s -> %s: %s (%s) to %s",
            c->id, c->from, c->to, caller, sip_route_target_name(d.target),
            callee);
  g_free(caller);
  g_free(callee);
  return TRUE;
}

/* ---- Requests in a call ---- */

static void on_cancel_response(SipTxnLayer *layer, SipClientEvent event,
                               const osip_message_t *resp, gpointer data) {
  /* The callee's answer to our CANCEL is ours alone (§16.10); what ends
   * the call is the INVITE's 487. */
}

/* A CANCEL of |c|'s first INVITE: 200, and the CANCEL sent on (§16.10). */
static void cancel_call(VgwCallRouter *r, SipTxnLayer *layer, Call *c,
                        SipTxn *txn, const osip_message_t *req,
                        const SipPeer *from) {
  if (c->invite_branch == NULL ||
      strcmp(sip_proxy_top_branch(req), c->invite_branch) != 0) {
    refuse(txn, req, from, 481, "Call/Transaction Does Not Exist", 399);
    return;
  }
  answer(txn, req, 200);
  c->cancelled = TRUE;
  osip_message_t *cancel = sip_proxy_cancel(c->forwarded_invite);
  if (cancel == NULL ||
      !sip_txn_send_request(layer, cancel, &c->callee, on_cancel_response,
                            NULL)) {
    g_warning("sip: call %" G_GUINT64_FORMAT ": CANCEL not sent on", c->id);
    return;
  }
  g_message("sip: call %" G_GUINT64_FORMAT ": CANCEL sent on", c->id);
}

/* A request of |c| from one leg goes to the other; an ACK to a 2xx
 * statelessly (|txn| NULL). */
static void in_call(VgwCallRouter *r, SipTxnLayer *layer, Call *c, SipTxn *txn,
                    const osip_message_t *req, const SipPeer *from) {
  char *tag = tag_of(req->from);
  const SipPeer *to =
      g_strcmp0(tag, c->caller_tag) == 0 ? &c->callee : &c->caller;
  SipProxyForward how = {0};

  g_free(tag);
  if (txn != NULL) {
    forward(r, layer, c, txn, req, from, to, &how, FALSE, NULL);
    return;
  }
  osip_message_t *out = NULL;
  if (rewrite(r, req, &how, from, to, &out) == SIP_REASON_NONE) {
    sip_txn_layer_send(layer, out, to);
    osip_message_free(out);
  }
}

gboolean vgw_call_router_take(VgwCallRouter *r, SipTxnLayer *layer,
                              SipTxn *txn, const osip_message_t *req,
                              const SipPeer *from) {
  char *call_id = call_id_of(req);
  Call *c = g_hash_table_lookup(r->calls, call_id);
  char *to_tag = tag_of(req->to);

  g_free(call_id);
  if (c == NULL) {
    gboolean taken = MSG_IS_INVITE(req) && to_tag == NULL && txn != NULL &&
                     new_call(r, layer, txn, req, from);
    g_free(to_tag);
    return taken;
  }
  call_ref(c);
  if (MSG_IS_CANCEL(req) && txn != NULL) {
    cancel_call(r, layer, c, txn, req, from);
  } else if (MSG_IS_INVITE(req) && to_tag == NULL) {
    /* The same Call-ID again outside the dialog: a loop or a spiral. */
    refuse(txn, req, from, 482, "Loop Detected", 399);
  } else {
    in_call(r, layer, c, txn, req, from);
  }
  g_free(to_tag);
  call_unref(c);
  return TRUE;
}

void vgw_call_router_stray_response(SipTxnLayer *layer,
                                    const osip_message_t *resp,
                                    const SipPeer *from, gpointer router) {
  VgwCallRouter *r = router;

  if (!MSG_IS_STATUS_2XX(resp) || !MSG_IS_RESPONSE_FOR(resp, "INVITE")) {
    return;
  }
  char *call_id = call_id_of(resp);
  Call *c = g_hash_table_lookup(r->calls, call_id);
  g_free(call_id);
  if (c == NULL) {
    return;
  }
  /* The From tag says who sent the INVITE, as in in_call(). */
  char *tag = tag_of(resp->from);
  const SipPeer *to =
      g_strcmp0(tag, c->caller_tag) == 0 ? &c->caller : &c->callee;
  g_free(tag);
  osip_message_t *up = sip_proxy_response(resp);
  if (up == NULL) {
    return;
  }
  g_debug("sip: call %" G_GUINT64_FORMAT ": %d to INVITE again from %s:%u, "
          "relayed to %s:%u",
          c->id, resp->status_code, from->address, from->port, to->address,
          to->port);
  sip_txn_layer_send(layer, up, to);
  osip_message_free(up);
}

/* ---- Status and sip-calls ---- */

void vgw_call_router_status(const VgwCallRouter *r, VgwStatusCalls *out) {
  out->present = TRUE;
  out->in_progress = g_hash_table_size(r->calls);
  out->total = r->total;
}

static gint by_id(gconstpointer a, gconstpointer b) {
  guint64 x = (*(Call *const *)a)->id, y = (*(Call *const *)b)->id;

  return x < y ? -1 : x > y;
}

/* Every call in progress then the ended ones, oldest first. */
static GPtrArray *calls_listed(const VgwCallRouter *r) {
  GPtrArray *all = g_ptr_array_new();
  GHashTableIter iter;
  gpointer c;

  g_hash_table_iter_init(&iter, r->calls);
  while (g_hash_table_iter_next(&iter, NULL, &c)) {
    g_ptr_array_add(all, c);
  }
  for (GList *l = r->history.head; l != NULL; l = l->next) {
    g_ptr_array_add(all, l->data);
  }
  g_ptr_array_sort(all, by_id);
  return all;
}

/* A time in seconds, null for 0 (not yet). */
static void json_time(GString *j, const char *key, gint64 us) {
  vgw_json_uint_or_null(j, key, (guint64)MAX(us, 0) / G_USEC_PER_SEC, us != 0);
}

static void call_json(GString *j, const Call *c) {
  char *caller = peer_text(&c->caller);
  char *callee = peer_text(&c->callee);

  g_string_append_c(j, '{');
  vgw_json_uint(j, "id", c->id);
  vgw_json_str(j, "call_id", c->call_id);
  vgw_json_str(j, "from", c->from);
  vgw_json_str(j, "to", c->to);
  vgw_json_str(j, "state", call_state_names[c->state]);
  vgw_json_str(j, "caller", caller);
  vgw_json_str(j, "callee", callee);
  json_time(j, "start", c->start_us);
  json_time(j, "answer", c->answer_us);
  json_time(j, "end", c->end_us);
  vgw_json_str(j, "end_reason", c->end_reason);
  g_string_append_c(j, '}');
  g_free(caller);
  g_free(callee);
}

static void verb_calls(const VgwMgmtCall *call, VgwMgmtReply *out) {
  const VgwCallRouter *r = call->data;
  GPtrArray *all;
  GString *body;

  if (call->argc != 0) {
    vgw_reply_usage(call, out);
    return;
  }
  all = calls_listed(r);
  body = g_string_new(NULL);
  if (call->human) {
    g_string_printf(body, "%u calls in progress, %" G_GUINT64_FORMAT
                    " routed\n", g_hash_table_size(r->calls), r->total);
    for (guint i = 0; i < all->len; i++) {
      const Call *c = g_ptr_array_index(all, i);
      g_string_append_printf(body, "%" G_GUINT64_FORMAT "  %s -> %s  %s%s%s\n",
                             c->id, c->from, c->to, call_state_names[c->state],
                             c->end_reason ? ": " : "",
                             c->end_reason ? c->end_reason : "");
    }
  } else {
    g_string_append_c(body, '{');
    vgw_json_uint(body, "in_progress", g_hash_table_size(r->calls));
    vgw_json_uint(body, "total", r->total);
    vgw_json_key(body, "calls");
    g_string_append_c(body, '[');
    for (guint i = 0; i < all->len; i++) {
      if (i > 0) {
        g_string_append_c(body, ',');
      }
      call_json(body, g_ptr_array_index(all, i));
    }
    g_string_append(body, "]}");
  }
  g_ptr_array_unref(all);
  vgw_reply_ok(out, body);
}

static const VgwMgmtVerb call_verbs[] = {
    {"sip-calls", "", "the calls routed through the gateway", 0, verb_calls},
};

const VgwMgmtVerbSet vgw_call_router_verb_set = {
    call_verbs, G_N_ELEMENTS(call_verbs), NULL};
