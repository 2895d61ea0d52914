/* vgwd's registrar: see sip_registrations.h. */
#include "vgwd/sip_registrations.h"

#include "mgmt/mgmt_proto.h"
#include "mgmt/mgmt_reply.h"
#include "sip_message.h"
#include "vgwd/registrar_auth.h"

/* The authentication of vgwd's one registrar. */
static VgwRegistrarAuth *registrar_auth;

static gboolean on_sweep(gpointer data) {
  guint dropped = sip_registrar_sweep(data);
  if (dropped > 0) {
    g_debug("sip: %u registrations expired", dropped);
  }
  return G_SOURCE_CONTINUE;
}

SipRegistrar *vgw_sip_registrations_start(VgwConfigState *config) {
  g_return_val_if_fail(registrar_auth == NULL, NULL);
  registrar_auth = vgw_registrar_auth_new(config);
  SipRegistrar *registrar = sip_registrar_new(NULL, NULL, NULL);
  g_timeout_add_seconds(VGW_SIP_REGISTRAR_SWEEP_S, on_sweep, registrar);
  return registrar;
}

void vgw_sip_registrations_answer(SipRegistrar *registrar, SipTxn *txn,
                                  const osip_message_t *req,
                                  const SipPeer *from,
                                  const SipClientIdentity *identity) {
  if (!vgw_registrar_auth_admit(registrar_auth, txn, req, from)) {
    return;
  }
  char *tag = sip_tag_new();
  SipRegisterResult result;
  osip_message_t *resp =
      sip_registrar_register(registrar, req, from, identity, tag, &result);
  char *aor = NULL;

  g_free(tag);
  if (req->to != NULL && req->to->url != NULL) {
    osip_uri_to_str(req->to->url, &aor);
  }
  if (result == SIP_REGISTER_OK) {
    g_debug("sip/%s: %s:%u: REGISTER for %s: 200",
            sip_transport_name(from->transport), from->address, from->port,
            aor ? aor : "?");
  } else {
    g_message("sip/%s: %s:%u: REGISTER for %s refused: %s (%s)",
              sip_transport_name(from->transport), from->address, from->port,
              aor ? aor : "?", sip_register_result_text(result),
              sip_register_result_name(result));
  }
  osip_free(aor);
  if (resp == NULL) {
    /* Out of memory in libosip2: the client retransmits or times out. */
    g_warning("sip: no memory for a response to REGISTER from %s:%u",
              from->address, from->port);
    return;
  }
  sip_txn_respond(txn, resp);
}

/* ---- sip-registrations ---- */

/* identity_json appends "client_identity": the verified TLS client
 * certificate |id| names, or null. */
static void identity_json(GString *j, const SipClientIdentity *id) {
  vgw_json_key(j, "client_identity");
  if (id == NULL) {
    g_string_append(j, "null");
    return;
  }
  g_string_append_c(j, '{');
  vgw_json_str(j, "subject", id->subject);
  vgw_json_key(j, "san");
  g_string_append_c(j, '[');
  for (guint i = 0; id->san != NULL && id->san[i] != NULL; i++) {
    if (i > 0) {
      g_string_append_c(j, ',');
    }
    vgw_mgmt_json_append_string(j, id->san[i]);
  }
  g_string_append_c(j, ']');
  vgw_json_str(j, "issuer", id->issuer);
  vgw_json_str(j, "sha256", id->sha256);
  g_string_append_c(j, '}');
}

static void binding_json(const SipBinding *b, gpointer data) {
  GString *j = data;

  if (j->str[j->len - 1] != '[') {
    g_string_append_c(j, ',');
  }
  g_string_append_c(j, '{');
  vgw_json_str(j, "aor", b->aor);
  vgw_json_str(j, "contact", b->contact);
  vgw_json_uint(j, "expires", b->expires);
  vgw_json_str(j, "transport", sip_transport_name(b->transport));
  vgw_json_str(j, "received", b->source_address);
  vgw_json_uint(j, "rport", b->source_port);
  vgw_json_uint(j, "connection", b->connection);
  vgw_json_str(j, "call_id", b->call_id);
  vgw_json_uint(j, "cseq", b->cseq);
  identity_json(j, b->client_identity);
  g_string_append_c(j, '}');
}

static void binding_text(const SipBinding *b, gpointer data) {
  g_string_append_printf(data, "%s  %s  %s from %s:%u, expires in %u s\n",
                         b->aor, b->contact, sip_transport_name(b->transport),
                         b->source_address, b->source_port, b->expires);
  const SipClientIdentity *id = b->client_identity;
  if (id != NULL) {
    char *san = id->san != NULL && id->san[0] != NULL
                    ? g_strjoinv(", ", id->san)
                    : g_strdup("none");
    g_string_append_printf(data,
                           "    client certificate %s (SAN %s), issuer %s, "
                           "SHA-256 %s\n",
                           id->subject, san, id->issuer, id->sha256);
    g_free(san);
  }
}

static void verb_registrations(const VgwMgmtCall *c, VgwMgmtReply *out) {
  SipRegistrar *registrar = c->data;
  const SipRegistrarStats *st = sip_registrar_stats(registrar);
  const SipRegistrarLimits *lim = sip_registrar_limits(registrar);
  GString *body = g_string_new(NULL);

  if (c->argc != 0) {
    g_string_free(body, TRUE);
    vgw_reply_usage(c, out);
    return;
  }
  if (c->human) {
    g_string_printf(body, "%u contacts for %u addresses of record\n",
                    st->bindings, st->aors);
    sip_registrar_foreach(registrar, binding_text, body);
    for (guint r = SIP_REGISTER_OK + 1; r < SIP_REGISTER_RESULT_COUNT; r++) {
      if (st->results[r] > 0) {
        g_string_append_printf(body, "refused %s: %" G_GUINT64_FORMAT "\n",
                               sip_register_result_name(r), st->results[r]);
      }
    }
    vgw_registrar_auth_text(registrar_auth, body);
    vgw_reply_ok(out, body);
    return;
  }
  g_string_append_c(body, '{');
  vgw_json_uint(body, "aors", st->aors);
  vgw_json_key(body, "bindings");
  g_string_append_c(body, '[');
  sip_registrar_foreach(registrar, binding_json, body);
  g_string_append_c(body, ']');
  vgw_json_uint(body, "registered", st->results[SIP_REGISTER_OK]);
  vgw_json_key(body, "refused");
  g_string_append_c(body, '{');
  for (guint r = SIP_REGISTER_OK + 1; r < SIP_REGISTER_RESULT_COUNT; r++) {
    if (st->results[r] > 0) {
      vgw_json_uint(body, sip_register_result_name(r), st->results[r]);
    }
  }
  g_string_append_c(body, '}');
  vgw_json_key(body, "limits");
  g_string_append_c(body, '{');
  vgw_json_uint(body, "default_expires", lim->default_expires);
  vgw_json_uint(body, "min_expires", lim->min_expires);
  vgw_json_uint(body, "max_expires", lim->max_expires);
  vgw_json_uint(body, "max_contacts_per_aor", lim->max_contacts_per_aor);
  vgw_json_uint(body, "max_aors", lim->max_aors);
  g_string_append_c(body, '}');
  vgw_registrar_auth_json(registrar_auth, body);
  g_string_append_c(body, '}');
  vgw_reply_ok(out, body);
}

static const VgwMgmtVerb registrations_verbs[] = {
    {"sip-registrations", "", "the SIP registrar's bindings", 0,
     verb_registrations},
};

const VgwMgmtVerbSet vgw_sip_registrations_verb_set = {
    registrations_verbs, G_N_ELEMENTS(registrations_verbs), NULL};
