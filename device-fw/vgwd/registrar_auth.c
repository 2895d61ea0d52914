/* Digest authentication of REGISTER: see registrar_auth.h. */
#include "vgwd/registrar_auth.h"

#include <string.h>

#include "mgmt/mgmt_reply.h"
#include "param/digest_users.h"
#include "param/param_config.h"
#include "param/param_registry.h"
#include "sip_digest.h"
#include "sip_message.h"

struct VgwRegistrarAuth {
  VgwConfigState *config;
  SipDigestAuth *digest; /* for the settings below; NULL: none yet */
  char *realm;
  guint algorithms;
  guint lifetime_s;
  guint64 accepted;
  guint64 challenged[SIP_DIGEST_RESULT_COUNT];
};

VgwRegistrarAuth *vgw_registrar_auth_new(VgwConfigState *config) {
  VgwRegistrarAuth *auth = g_new0(VgwRegistrarAuth, 1);
  auth->config = config;
  return auth;
}

void vgw_registrar_auth_free(VgwRegistrarAuth *auth) {
  if (auth == NULL) {
    return;
  }
  sip_digest_auth_free(auth->digest);
  g_free(auth->realm);
  g_free(auth);
}

static const VgwParamValue *param(const VgwRegistrarAuth *auth,
                                  const char *name) {
  return vgw_param_config_global_named(vgw_config_state_running(auth->config),
                                       name);
}

static gboolean enabled(const VgwRegistrarAuth *auth) {
  return auth->config != NULL && param(auth, "RegistrarAuthentication")->num != 0;
}

/* RegistrarAuthAlgorithms as a SIP_DIGEST_OFFER() set. */
static guint algorithms_for_config(const VgwRegistrarAuth *auth) {
  switch (param(auth, "RegistrarAuthAlgorithms")->num) {
    case 1:
      return SIP_DIGEST_OFFER(VGW_DIGEST_MD5);
    case 2:
      return SIP_DIGEST_OFFER(VGW_DIGEST_SHA256);
    default:
      return SIP_DIGEST_OFFER_ALL;
  }
}

/* The authenticator for the configured realm, algorithms and lifetime,
 * new when one of them changed. */
static SipDigestAuth *digest_for_config(VgwRegistrarAuth *auth) {
  const char *realm = param(auth, "RegistrarAuthRealm")->str;
  guint algorithms = algorithms_for_config(auth);
  guint lifetime_s = (guint)param(auth, "RegistrarNonceLifetime")->num;

  if (auth->digest == NULL || strcmp(auth->realm, realm) != 0 ||
      auth->algorithms != algorithms || auth->lifetime_s != lifetime_s) {
    sip_digest_auth_free(auth->digest);
    g_free(auth->realm);
    auth->digest =
        sip_digest_auth_new(realm, algorithms, lifetime_s, NULL, NULL);
    auth->realm = g_strdup(realm);
    auth->algorithms = algorithms;
    auth->lifetime_s = lifetime_s;
  }
  return auth->digest;
}

/* Who may register the AOR with user part |aor_user|, and why a user
 * found has no usable password. */
typedef struct {
  const VgwParamConfig *running;
  const char *aor_user;
  char *unusable; /* set when the lookup says VGW_DIGEST_USER_UNUSABLE */
} UserQuery;

/* SipDigestHa1Func: the HA1 of the SBCUserInfoTable row with LocalUser
 * |aor_user| and Digest user name |username| (digest_users.h). */
static SipDigestResult ha1_of(const char *username, VgwDigestAlgorithm alg,
                              char ha1[VGW_DIGEST_HEX_MAX + 1],
                              gpointer data) {
  UserQuery *q = data;
  VgwDigestHa1 found;

  switch (vgw_digest_users_find(q->running, q->aor_user, username, &found,
                                &q->unusable)) {
    case VGW_DIGEST_USER_FOUND:
      g_strlcpy(ha1, found.ha1[alg], VGW_DIGEST_HEX_MAX + 1);
      vgw_digest_ha1_clear(&found);
      return SIP_DIGEST_OK;
    case VGW_DIGEST_USER_UNUSABLE:
      return SIP_DIGEST_UNUSABLE_PASSWORD;
    case VGW_DIGEST_USER_UNKNOWN:
      break;
  }
  return SIP_DIGEST_UNKNOWN_USER;
}

/* Logs why a REGISTER was challenged: |detail| when the lookup gave one
 * (an unusable password: what to do about it), else the result's text. */
static void log_challenge(const osip_message_t *req, const SipPeer *from,
                          SipDigestResult result, const char *detail) {
  char *aor = NULL;

  if (req->to != NULL && req->to->url != NULL) {
    osip_uri_to_str(req->to->url, &aor);
  }
  g_message("sip/%s: %s:%u: REGISTER for %s challenged: %s (%s)",
            sip_transport_name(from->transport), from->address, from->port,
            aor != NULL ? aor : "?",
            detail != NULL ? detail : sip_digest_result_text(result),
            sip_digest_result_name(result));
  osip_free(aor);
}

gboolean vgw_registrar_auth_admit(VgwRegistrarAuth *auth, SipTxn *txn,
                                  const osip_message_t *req,
                                  const SipPeer *from) {
  if (!enabled(auth)) {
    return TRUE;
  }
  SipDigestAuth *digest = digest_for_config(auth);
  const osip_uri_t *to = req->to != NULL ? req->to->url : NULL;
  UserQuery query = {vgw_config_state_running(auth->config),
                     to != NULL && to->username != NULL ? to->username : "",
                     NULL};
  SipDigestResult result =
      sip_digest_auth_check(digest, req, ha1_of, &query, NULL);

  if (result == SIP_DIGEST_OK) {
    auth->accepted++;
    return TRUE;
  }
  auth->challenged[result]++;
  log_challenge(req, from, result,
                result == SIP_DIGEST_UNUSABLE_PASSWORD ? query.unusable : NULL);
  g_free(query.unusable);

  char *tag = sip_tag_new();
  osip_message_t *resp = sip_response_new(req, 401, NULL, tag);
  g_free(tag);
  if (resp == NULL ||
      !sip_digest_auth_challenge(digest, resp,
                                 result == SIP_DIGEST_STALE_NONCE)) {
    /* Out of memory in libosip2: the client retransmits or times out. */
    g_warning("sip: no memory for a 401 to REGISTER from %s:%u",
              from->address, from->port);
    if (resp != NULL) {
      osip_message_free(resp);
    }
    return FALSE;
  }
  sip_txn_respond(txn, resp);
  return FALSE;
}

void vgw_registrar_auth_json(VgwRegistrarAuth *auth, GString *j) {
  vgw_json_key(j, "auth");
  g_string_append_c(j, '{');
  vgw_json_bool(j, "enabled", enabled(auth));
  vgw_json_str(j, "realm", param(auth, "RegistrarAuthRealm")->str);
  vgw_json_uint(j, "accepted", auth->accepted);
  vgw_json_key(j, "challenged");
  g_string_append_c(j, '{');
  for (guint r = SIP_DIGEST_OK + 1; r < SIP_DIGEST_RESULT_COUNT; r++) {
    if (auth->challenged[r] > 0) {
      vgw_json_uint(j, sip_digest_result_name(r), auth->challenged[r]);
    }
  }
  g_string_append(j, "}}");
}

void vgw_registrar_auth_text(VgwRegistrarAuth *auth, GString *t) {
  if (!enabled(auth)) {
    g_string_append(t, "Digest authentication off\n");
    return;
  }
  g_string_append_printf(t,
                         "Digest authentication in realm %s: %" G_GUINT64_FORMAT
                         " accepted\n",
                         param(auth, "RegistrarAuthRealm")->str,
                         auth->accepted);
  for (guint r = SIP_DIGEST_OK + 1; r < SIP_DIGEST_RESULT_COUNT; r++) {
    if (auth->challenged[r] > 0) {
      g_string_append_printf(t, "challenged %s: %" G_GUINT64_FORMAT "\n",
                             sip_digest_result_name(r), auth->challenged[r]);
    }
  }
}
