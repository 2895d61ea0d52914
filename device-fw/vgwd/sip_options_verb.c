/* sip-options and sip-options-result: see sip_options_verb.h. */
#include "vgwd/sip_options_verb.h"

#include <arpa/inet.h>
#include <string.h>

#include "mgmt/mgmt_reply.h"
#include "sip_message.h"
#include "sip_request.h"

typedef struct {
  VgwSipProbes *owner;
  guint id;
  SipPeer to;
  gint64 start_us;
  gboolean done;
  /* The outcome, once done. */
  guint status;               /* final response; 0: none */
  char *reason;               /* its reason phrase, or why none came */
  const char *failure;        /* a sip_peer_failure_name(), "timeout" */
  char *detail;               /* the transport's words for the failure */
  guint provisional;          /* 1xx responses seen */
  guint64 rtt_ms;
  guint64 connection;         /* stream: the connection used; 0: none */
  gboolean connection_ours;   /* we opened it (else the peer, with alias) */
} Probe;

struct VgwSipProbes {
  VgwSipTransport *t;
  GQueue probes;              /* Probe*, oldest first */
  guint next_id;
};

VgwSipProbes *vgw_sip_probes_new(VgwSipTransport *t) {
  VgwSipProbes *p = g_new0(VgwSipProbes, 1);

  p->t = t;
  g_queue_init(&p->probes);
  return p;
}

static void probe_free(Probe *probe) {
  g_free(probe->reason);
  g_free(probe->detail);
  g_free(probe);
}

/* ---- Parsing the target ---- */

static gboolean transport_from_name(const char *name, SipTransport *out) {
  for (int i = 0; i < SIP_TRANSPORT_COUNT; i++) {
    if (g_ascii_strcasecmp(name, sip_transport_name(i)) == 0) {
      *out = i;
      return TRUE;
    }
  }
  return FALSE;
}

/* parse_target: where |uri| (and |transport|, NULL: from the URI) says to
 * send; FALSE with |why| set if it cannot be dialled. */
static gboolean parse_target(const char *uri_text, const char *transport,
                             SipPeer *to, char *why, gsize why_len) {
  osip_uri_t *uri = NULL;
  osip_uri_param_t *param = NULL;
  gboolean sips;
  guint64 port;
  struct in_addr addr;
  gboolean ok = FALSE;

  memset(to, 0, sizeof(*to));
  sip_message_library_init();
  if (osip_uri_init(&uri) != 0 || osip_uri_parse(uri, uri_text) != 0 ||
      uri->scheme == NULL || uri->host == NULL) {
    g_snprintf(why, why_len, "not a SIP URI");
    goto out;
  }
  sips = g_ascii_strcasecmp(uri->scheme, "sips") == 0;
  if (!sips && g_ascii_strcasecmp(uri->scheme, "sip") != 0) {
    g_snprintf(why, why_len, "not a sip: or sips: URI");
    goto out;
  }
  to->transport = sips ? SIP_TRANSPORT_TLS : SIP_TRANSPORT_UDP;
  if (osip_uri_uparam_get_byname(uri, "transport", &param) == 0 &&
      param != NULL && param->gvalue != NULL &&
      !transport_from_name(param->gvalue, &to->transport)) {
    g_snprintf(why, why_len, "transport=%s: not udp, tcp or tls",
               param->gvalue);
    goto out;
  }
  if (transport != NULL && !transport_from_name(transport, &to->transport)) {
    g_snprintf(why, why_len, "%s: not udp, tcp or tls", transport);
    goto out;
  }
  if (sips && to->transport != SIP_TRANSPORT_TLS) {
    g_snprintf(why, why_len, "a sips: URI goes over TLS only");
    goto out;
  }
  /* The resolver (DNS, DNS2IP) is not wired to this verb: an address. */
  if (inet_pton(AF_INET, uri->host, &addr) != 1) {
    g_snprintf(why, why_len, "%s: not an IPv4 address", uri->host);
    goto out;
  }
  g_strlcpy(to->address, uri->host, sizeof(to->address));
  if (uri->port == NULL) {
    port = to->transport == SIP_TRANSPORT_TLS ? 5061 : 5060;
  } else if (!g_ascii_string_to_unsigned(uri->port, 10, 1, G_MAXUINT16, &port,
                                         NULL)) {
    g_snprintf(why, why_len, "%s: not a port", uri->port);
    goto out;
  }
  to->port = (guint16)port;
  ok = TRUE;
out:
  osip_uri_free(uri);
  return ok;
}

/* ---- The transaction ---- */

static void probe_end(Probe *probe) {
  probe->done = TRUE;
  probe->rtt_ms =
      (guint64)(g_get_monotonic_time() - probe->start_us) / 1000;
  probe->connection = vgw_sip_transport_connection_to(
      probe->owner->t, &probe->to, &probe->connection_ours);
}

static void on_outcome(SipTxnLayer *layer, SipClientEvent event,
                       const osip_message_t *resp, gpointer data) {
  Probe *probe = data;
  const char *detail;

  switch (event) {
  case SIP_CLIENT_RESPONSE:
    if (MSG_IS_STATUS_1XX(resp)) {
      probe->provisional++;
      return;
    }
    probe->status = (guint)resp->status_code;
    probe->reason = g_strdup(resp->reason_phrase ? resp->reason_phrase : "");
    break;
  case SIP_CLIENT_TIMEOUT:
    probe->failure = "timeout";
    probe->detail = g_strdup("no final response (timer F)");
    break;
  case SIP_CLIENT_TRANSPORT_ERROR:
    probe->failure = sip_peer_failure_name(sip_txn_layer_failure(layer));
    detail = vgw_sip_transport_failure_detail(probe->owner->t, &probe->to);
    probe->detail = g_strdup(detail);
    break;
  }
  probe_end(probe);
  g_message("sip: OPTIONS to %s %s:%u: %s%s%s", sip_transport_name(probe->to.transport),
            probe->to.address, probe->to.port,
            probe->failure ? probe->failure : probe->reason,
            probe->detail ? ": " : "", probe->detail ? probe->detail : "");
}

/* make_room drops the oldest finished probe when VGW_SIP_PROBES_KEPT are
 * kept; FALSE if all of them are still running. */
static gboolean make_room(VgwSipProbes *p) {
  if (p->probes.length < VGW_SIP_PROBES_KEPT) {
    return TRUE;
  }
  for (GList *l = p->probes.head; l != NULL; l = l->next) {
    Probe *probe = l->data;
    if (probe->done) {
      g_queue_delete_link(&p->probes, l);
      probe_free(probe);
      return TRUE;
    }
  }
  return FALSE;
}

static osip_message_t *options_for(VgwSipProbes *p, const char *uri,
                                   const SipPeer *to, char *why,
                                   gsize why_len) {
  char host[48];
  guint16 port;
  g_autofree char *from = NULL;
  g_autofree char *target = NULL;
  g_autofree char *contact = NULL;
  g_autoptr(GError) error = NULL;
  osip_message_t *req;

  if (!vgw_sip_transport_sent_by(p->t, to, host, sizeof(host), &port)) {
    g_snprintf(why, why_len, "no route to %s", to->address);
    return NULL;
  }
  from = g_strdup_printf("<sip:vgw@%s>", host);
  target = g_strdup_printf("<%s>", uri);
  contact = g_strdup_printf("<sip:vgw@%s:%u;transport=%s>", host, port,
                            sip_transport_name(to->transport));
  SipRequestSpec spec = {
      .method = "OPTIONS",
      .request_uri = uri,
      .from = from,
      .to = target,
      .transport = to->transport,
      .sent_by_host = host,
      .sent_by_port = port,
      .alias = TRUE,
      .contact = contact,
      .user_agent = "vgw",
  };
  req = sip_request_new(&spec, &error);
  if (req == NULL) {
    g_snprintf(why, why_len, "%s", error->message);
  }
  return req;
}

static void verb_options(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwSipProbes *p = c->data;
  char why[160];
  SipPeer to;
  osip_message_t *req;

  if (c->argc < 1 || c->argc > 2) {
    vgw_reply_usage(c, out);
    return;
  }
  if (!parse_target(c->argv[1], c->argc == 2 ? c->argv[2] : NULL, &to, why,
                    sizeof(why))) {
    vgw_reply_fail(out, "%s: %s", c->argv[1], why);
    return;
  }
  if (!make_room(p)) {
    vgw_reply_fail(out, "%u OPTIONS are still waiting for an answer",
                   VGW_SIP_PROBES_KEPT);
    return;
  }
  req = options_for(p, c->argv[1], &to, why, sizeof(why));
  if (req == NULL) {
    vgw_reply_fail(out, "%s: %s", c->argv[1], why);
    return;
  }
  Probe *probe = g_new0(Probe, 1);
  probe->owner = p;
  probe->id = ++p->next_id;
  probe->to = to;
  probe->start_us = g_get_monotonic_time();
  g_queue_push_tail(&p->probes, probe);
  if (!sip_txn_send_request(vgw_sip_transport_layer(p->t), req, &to,
                            on_outcome, probe)) {
    g_queue_remove(&p->probes, probe);
    probe_free(probe);
    vgw_reply_fail(out, "the transaction layer refused the request");
    return;
  }
  GString *body = g_string_new(NULL);
  if (c->human) {
    g_string_printf(body, "OPTIONS %u sent to %s\n", probe->id, c->argv[1]);
  } else {
    g_string_append_c(body, '{');
    vgw_json_uint(body, "id", probe->id);
    /* It may already have failed (send refused at once). */
    vgw_json_str(body, "state", probe->done ? "done" : "pending");
    g_string_append_c(body, '}');
  }
  vgw_reply_ok(out, body);
}

/* ---- The outcome ---- */

static void outcome_json(const Probe *probe, GString *j) {
  g_string_append_c(j, '{');
  vgw_json_uint(j, "id", probe->id);
  vgw_json_str(j, "state", probe->done ? "done" : "pending");
  vgw_json_str(j, "transport", sip_transport_name(probe->to.transport));
  vgw_json_str(j, "address", probe->to.address);
  vgw_json_uint(j, "port", probe->to.port);
  if (probe->done) {
    vgw_json_bool(j, "answered", probe->status != 0);
    vgw_json_uint(j, "rtt_ms", probe->rtt_ms);
    vgw_json_uint(j, "provisional", probe->provisional);
    if (probe->status != 0) {
      vgw_json_uint(j, "status", probe->status);
      vgw_json_str(j, "reason", probe->reason);
    } else {
      vgw_json_str(j, "failure", probe->failure);
      vgw_json_str(j, "detail", probe->detail);
    }
    vgw_json_key(j, "connection");
    if (probe->connection != 0) {
      g_string_append_c(j, '{');
      vgw_json_uint(j, "id", probe->connection);
      vgw_json_str(j, "opened_by",
                   probe->connection_ours ? "gateway" : "peer");
      g_string_append_c(j, '}');
    } else {
      g_string_append(j, "null");
    }
  }
  g_string_append_c(j, '}');
}

static void outcome_text(const Probe *probe, GString *t) {
  g_string_append_printf(t, "OPTIONS %u to %s:%u over %s: ", probe->id,
                         probe->to.address, probe->to.port,
                         sip_transport_name(probe->to.transport));
  if (!probe->done) {
    g_string_append(t, "waiting\n");
  } else if (probe->status != 0) {
    g_string_append_printf(t, "%u %s in %" G_GUINT64_FORMAT " ms\n",
                           probe->status, probe->reason, probe->rtt_ms);
  } else {
    g_string_append_printf(t, "%s%s%s after %" G_GUINT64_FORMAT " ms\n",
                           probe->failure, probe->detail ? ": " : "",
                           probe->detail ? probe->detail : "",
                           probe->rtt_ms);
  }
}

static void verb_result(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwSipProbes *p = c->data;
  guint64 id;

  if (c->argc != 1 ||
      !g_ascii_string_to_unsigned(c->argv[1], 10, 1, G_MAXUINT, &id, NULL)) {
    vgw_reply_usage(c, out);
    return;
  }
  for (GList *l = p->probes.head; l != NULL; l = l->next) {
    Probe *probe = l->data;
    if (probe->id == id) {
      GString *body = g_string_new(NULL);
      if (c->human) {
        outcome_text(probe, body);
      } else {
        outcome_json(probe, body);
      }
      vgw_reply_ok(out, body);
      return;
    }
  }
  vgw_reply_fail(out, "no OPTIONS %" G_GUINT64_FORMAT
                 " (the last %u are kept)", id, VGW_SIP_PROBES_KEPT);
}

static const VgwMgmtVerb sip_options_verbs[] = {
    {"sip-options", "URI [udp|tcp|tls]",
     "send one OPTIONS to a SIP peer (outcome: sip-options-result)", 0,
     verb_options},
    {"sip-options-result", "ID", "the outcome of a sip-options", 0,
     verb_result},
};

const VgwMgmtVerbSet vgw_sip_options_verb_set = {
    sip_options_verbs, G_N_ELEMENTS(sip_options_verbs), NULL};
