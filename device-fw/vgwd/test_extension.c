/*
 * The test extension: see test_extension.h.
 *
 * A call lives from its INVITE until BYE, CANCEL, a refusal after the
 * INVITE was taken, or VGW_TEST_CALL_IDLE_S of silence. It is keyed by
 * Call-ID: the extension is the only UAS for these dialogs, and its To tag
 * is checked on in-dialog requests.
 */
#include "vgwd/test_extension.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "param/param_config.h"
#include "sip_message.h"
#include "sip_request.h"
#include "sip_sdp.h"

#define RTP_MAX_PACKET 2048
#define RTP_HEADER_LEN 12
#define RTP_VERSION 2
/* Datagrams per wake-up of a call's socket, as on the SIP socket. */
#define READS_PER_WAKEUP 64

typedef struct {
  VgwTestExtension *x;
  char *call_id;
  char *to_tag;
  SipTxn *invite;       /* until the INVITE has its final response */
  osip_message_t *request; /* a copy of the INVITE: the BYE is built from
                              it */
  osip_message_t *ok;   /* the 200, sent when the ringing is over */
  SipTxnLayer *layer;
  SipPeer caller;       /* the caller's flow: where the INVITE came from */
  osip_message_t *unacked; /* the 200 sent, until its ACK */
  guint ok_timer;       /* its next retransmission */
  guint ok_interval_ms;
  guint ok_elapsed_ms;  /* since it was first sent */
  guint t1_ms, t2_ms;
  guint slot;           /* RTP port VGW_TEST_RTP_PORT_BASE + slot */
  int rtp_fd;
  guint rtp_watch;
  guint ring_timer;
  guint idle_timer;
  gint64 last_active_us;
  gboolean answered;
  guint64 echoed;
} TestCall;

struct VgwTestExtension {
  VgwConfigState *config;
  VgwLanAddressFunc lan_address;
  gpointer lan_data;
  GHashTable *calls;    /* Call-ID -> TestCall, owned */
  guint t1_ms, t2_ms;
  TestCall *slots[VGW_TEST_RTP_PORTS];
  guint64 answered;
  guint64 echoed;
};

static const VgwParamValue *param(const VgwTestExtension *x,
                                  const char *name) {
  return vgw_param_config_global_named(vgw_config_state_running(x->config),
                                       name);
}

/* ---- Calls ---- */

static void call_free(gpointer data) {
  TestCall *c = data;

  g_clear_handle_id(&c->rtp_watch, g_source_remove);
  g_clear_handle_id(&c->ring_timer, g_source_remove);
  g_clear_handle_id(&c->idle_timer, g_source_remove);
  g_clear_handle_id(&c->ok_timer, g_source_remove);
  if (c->rtp_fd >= 0) {
    close(c->rtp_fd);
  }
  g_clear_pointer(&c->ok, osip_message_free);
  g_clear_pointer(&c->unacked, osip_message_free);
  g_clear_pointer(&c->request, osip_message_free);
  c->x->slots[c->slot] = NULL;
  g_free(c->call_id);
  g_free(c->to_tag);
  g_free(c);
}

static void call_end(TestCall *c, const char *why) {
  g_message("test-call %s: ended: %s; %" G_GUINT64_FORMAT
            " RTP packets echoed",
            c->call_id, why, c->echoed);
  g_hash_table_remove(c->x->calls, c->call_id); /* frees c */
}

/* call_respond answers the call's INVITE with |resp| (taken; NULL when
 * libosip2 ran out of memory: the client retransmits or times out). A
 * final response ends the call's use of the transaction. */
static void call_respond(TestCall *c, osip_message_t *resp) {
  if (resp == NULL) {
    g_warning("test-call %s: no memory for a response", c->call_id);
    return;
  }
  gboolean final = resp->status_code >= 200;
  sip_txn_respond(c->invite, resp);
  if (final) {
    c->invite = NULL;
  }
}

static gboolean on_rtp(int fd, GIOCondition cond, gpointer data) {
  TestCall *c = data;
  guint8 packet[RTP_MAX_PACKET];

  for (guint i = 0; i < READS_PER_WAKEUP; i++) {
    struct sockaddr_in sender;
    socklen_t len = sizeof(sender);
    ssize_t n = recvfrom(fd, packet, sizeof(packet), MSG_DONTWAIT,
                         (struct sockaddr *)&sender, &len);
    if (n < 0) {
      break;
    }
    /* RTP only (RFC 3550 §5.1): a fixed header with version 2. */
    if (n < RTP_HEADER_LEN || packet[0] >> 6 != RTP_VERSION) {
      continue;
    }
    c->last_active_us = g_get_monotonic_time();
    if (sendto(fd, packet, (size_t)n, MSG_DONTWAIT,
               (struct sockaddr *)&sender, len) == n) {
      c->echoed++;
      c->x->echoed++;
    }
  }
  return G_SOURCE_CONTINUE;
}

static gboolean on_call_idle(gpointer data) {
  TestCall *c = data;
  gint64 idle_us = g_get_monotonic_time() - c->last_active_us;
  gint64 limit_us = (gint64)VGW_TEST_CALL_IDLE_S * G_USEC_PER_SEC;

  c->idle_timer = 0; /* this source ends either way */
  if (c->ring_timer != 0) {
    idle_us = 0; /* ringing is not silence: TestCallAnswerDelay bounds it */
  }
  if (idle_us >= limit_us) {
    call_end(c, "no RTP or SIP for " G_STRINGIFY(VGW_TEST_CALL_IDLE_S) " s");
  } else {
    guint left_s = (guint)((limit_us - idle_us + G_USEC_PER_SEC - 1) /
                           G_USEC_PER_SEC);
    c->idle_timer = g_timeout_add_seconds(left_s, on_call_idle, c);
  }
  return G_SOURCE_REMOVE;
}

/* rtp_open binds a socket for slot |slot|; -1 with errno on failure. */
static int rtp_open(guint slot) {
  struct sockaddr_in sa = {.sin_family = AF_INET,
                           .sin_port = htons(VGW_TEST_RTP_PORT_BASE + slot),
                           .sin_addr.s_addr = htonl(INADDR_ANY)};
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

/* call_new makes a call in a free slot with its RTP socket; NULL with
 * |*status| the answer when there is none. */
static TestCall *call_new(VgwTestExtension *x, SipTxnLayer *layer,
                          SipTxn *txn, const SipPeer *from,
                          const char *call_id, guint *status) {
  guint slot = 0;

  while (slot < VGW_TEST_RTP_PORTS && x->slots[slot] != NULL) {
    slot++;
  }
  if (slot == VGW_TEST_RTP_PORTS) {
    *status = 486; /* Busy Here */
    return NULL;
  }
  int fd = rtp_open(slot);
  if (fd < 0) {
    g_warning("test-call: RTP port %u: %s", VGW_TEST_RTP_PORT_BASE + slot,
              g_strerror(errno));
    *status = 503;
    return NULL;
  }
  TestCall *c = g_new0(TestCall, 1);
  c->x = x;
  c->call_id = g_strdup(call_id);
  c->to_tag = sip_tag_new();
  c->invite = txn;
  c->layer = layer;
  c->caller = *from;
  c->t1_ms = x->t1_ms;
  c->t2_ms = x->t2_ms;
  osip_message_clone(sip_txn_request(txn), &c->request);
  c->slot = slot;
  c->rtp_fd = fd;
  c->rtp_watch = g_unix_fd_add(fd, G_IO_IN, on_rtp, c);
  c->last_active_us = g_get_monotonic_time();
  c->idle_timer = g_timeout_add_seconds(VGW_TEST_CALL_IDLE_S, on_call_idle,
                                        c);
  x->slots[slot] = c;
  g_hash_table_insert(x->calls, c->call_id, c);
  return c;
}

/* The whole Call-ID of |req|: libosip2 splits it at the '@'. */
static char *call_id_of(const osip_message_t *req) {
  const osip_call_id_t *id = req->call_id;

  return id->host != NULL ? g_strdup_printf("%s@%s", id->number, id->host)
                          : g_strdup(id->number);
}

/* ---- INVITE ---- */

/* The address the SDP answer gives: TestCallMediaAddress, else the LAN's
 * without its prefix length. */
static char *media_address(const VgwTestExtension *x) {
  guint32 configured = (guint32)param(x, "TestCallMediaAddress")->num;
  const char *lan = x->lan_address(x->lan_data);

  if (configured != 0) {
    struct in_addr a = {.s_addr = htonl(configured)};
    char text[INET_ADDRSTRLEN];
    return g_strdup(inet_ntop(AF_INET, &a, text, sizeof(text)));
  }
  if (lan == NULL) {
    return NULL;
  }
  const char *slash = strchr(lan, '/');
  return slash != NULL ? g_strndup(lan, (gsize)(slash - lan))
                       : g_strdup(lan);
}

/* The 200 to |req| with |sdp| and a Contact at the host and port the
 * caller sent |req| to (its Request-URI), with |from|'s transport: behind
 * slirp's port forwards the gateway's own address (10.0.2.15:5060) is
 * not one the caller can reach, and callers send their ACK and BYE to
 * the Contact (RFC 3261 §12.1.2). NULL if libosip2 runs out of memory. */
static osip_message_t *answer_ok(const osip_message_t *req,
                                 const SipPeer *from, const char *tag,
                                 const char *sdp) {
  static const char *const transport_param[SIP_TRANSPORT_COUNT] = {
      [SIP_TRANSPORT_UDP] = "",
      [SIP_TRANSPORT_TCP] = ";transport=tcp",
      [SIP_TRANSPORT_TLS] = ";transport=tls"};
  osip_message_t *resp = sip_response_new(req, 200, NULL, tag);
  const osip_uri_t *target = req->req_uri;
  const char *port = target->port;
  g_autofree char *contact = g_strdup_printf(
      "<%s:%s@%s%s%s%s>", target->scheme, target->username, target->host,
      port != NULL ? ":" : "", port != NULL ? port : "",
      transport_param[from->transport]);

  if (resp == NULL || osip_message_set_contact(resp, contact) != 0 ||
      osip_message_set_content_type(resp, "application/sdp") != 0 ||
      osip_message_set_body(resp, sdp, strlen(sdp)) != 0) {
    if (resp != NULL) {
      osip_message_free(resp);
    }
    return NULL;
  }
  return resp;
}

/* |uri| as text, in angle brackets (a name-addr) when |name_addr|;
 * g_free() it. */
static char *uri_text(const osip_uri_t *uri, gboolean name_addr) {
  char *text = NULL;

  osip_uri_to_str(uri, &text);
  char *out = g_strdup_printf(name_addr ? "<%s>" : "%s",
                              text != NULL ? text : "");
  osip_free(text);
  return out;
}

/* The BYE that ends |c| from our side (RFC 3261 §12.2.1.1, §15): to the
 * caller's Contact (else its From URI) through its Record-Route set, in
 * the dialog's Call-ID and tags; our Via names the host and port the
 * caller sent its INVITE to, as our Contact does. NULL if it cannot be
 * built (logged). */
static osip_message_t *bye_new(const TestCall *c) {
  const osip_message_t *inv = c->request;
  osip_contact_t *contact = NULL;
  osip_generic_param_t *caller_tag = NULL;
  g_autofree char *target = NULL, *from = NULL, *to = NULL;
  char *text = NULL;
  GError *error = NULL;

  osip_message_get_contact(inv, 0, &contact);
  target = uri_text(contact != NULL && contact->url != NULL ? contact->url
                                                            : inv->from->url,
                    FALSE);
  from = uri_text(inv->to->url, TRUE);
  to = uri_text(inv->from->url, TRUE);
  guint64 port = c->caller.transport == SIP_TRANSPORT_TLS ? 5061 : 5060;
  if (inv->req_uri->port != NULL) {
    g_ascii_string_to_unsigned(inv->req_uri->port, 10, 1, G_MAXUINT16, &port,
                               NULL);
  }
  SipRequestSpec spec = {
      .method = "BYE",
      .request_uri = target,
      .from = from,
      .to = to,
      .from_tag = c->to_tag,
      .call_id = c->call_id,
      .cseq = 1,
      .transport = c->caller.transport,
      .sent_by_host = inv->req_uri->host,
      .sent_by_port = (guint16)port,
      .user_agent = "vgw test extension",
  };
  osip_message_t *bye = sip_request_new(&spec, &error);
  if (bye == NULL) {
    g_warning("test-call %s: no BYE: %s", c->call_id, error->message);
    g_error_free(error);
    return NULL;
  }
  osip_from_get_tag(inv->from, &caller_tag);
  if (caller_tag != NULL && caller_tag->gvalue != NULL) {
    osip_to_set_tag(bye->to, osip_strdup(caller_tag->gvalue));
  }
  osip_record_route_t *rr;
  for (int i = 0; osip_message_get_record_route(inv, i, &rr) >= 0; i++) {
    if (osip_record_route_to_str(rr, &text) == 0) {
      osip_message_set_route(bye, text);
      osip_free(text);
    }
  }
  osip_message_force_update(bye);
  return bye;
}

static void on_bye_done(SipTxnLayer *layer, SipClientEvent event,
                        const osip_message_t *resp, gpointer data) {
  /* The call is over on our side whatever the caller answers. */
}

/* The 200's retransmission timer (RFC 3261 §13.3.1.4): resend it, the
 * interval doubling up to T2; at 64*T1 without an ACK, BYE. */
static gboolean on_ok_timer(gpointer data) {
  TestCall *c = data;

  c->ok_timer = 0;
  c->ok_elapsed_ms += c->ok_interval_ms;
  if (c->ok_elapsed_ms >= 64 * c->t1_ms) {
    g_message("test-call %s: no ACK for the 200 in %u ms: BYE", c->call_id,
              c->ok_elapsed_ms);
    osip_message_t *bye = bye_new(c);
    if (bye != NULL &&
        !sip_txn_send_request(c->layer, bye, &c->caller, on_bye_done, NULL)) {
      g_warning("test-call %s: the BYE could not be sent", c->call_id);
    }
    call_end(c, "no ACK");
    return G_SOURCE_REMOVE;
  }
  g_debug("test-call %s: 200 again, no ACK after %u ms", c->call_id,
          c->ok_elapsed_ms);
  sip_txn_layer_send(c->layer, c->unacked, &c->caller);
  c->ok_interval_ms = MIN(2 * c->ok_interval_ms, c->t2_ms);
  c->ok_timer = g_timeout_add(c->ok_interval_ms, on_ok_timer, c);
  return G_SOURCE_REMOVE;
}

static void call_answer(TestCall *c) {
  c->answered = TRUE;
  c->last_active_us = g_get_monotonic_time();
  c->x->answered++;
  g_message("test-call %s: answered; echoing RTP on port %u", c->call_id,
            VGW_TEST_RTP_PORT_BASE + c->slot);
  osip_message_clone(c->ok, &c->unacked);
  c->ok_interval_ms = c->t1_ms;
  c->ok_timer = g_timeout_add(c->ok_interval_ms, on_ok_timer, c);
  call_respond(c, g_steal_pointer(&c->ok));
}

/* The ACK came: the 200 is no longer retransmitted. */
static void call_acked(TestCall *c) {
  g_clear_handle_id(&c->ok_timer, g_source_remove);
  g_clear_pointer(&c->unacked, osip_message_free);
}

/* Whether |req| is the call's INVITE again (same top Via branch and
 * CSeq): retransmitted because the 200 was lost. */
static gboolean is_invite_again(const TestCall *c, const osip_message_t *req) {
  const char *was = sip_request_branch(c->request);
  const char *now = sip_request_branch(req);

  return was != NULL && now != NULL && strcmp(was, now) == 0 &&
         strcmp(c->request->cseq->number, req->cseq->number) == 0;
}

static gboolean on_ring_over(gpointer data) {
  TestCall *c = data;

  c->ring_timer = 0;
  call_answer(c);
  return G_SOURCE_REMOVE;
}

/* The refusal |status| for an INVITE no call was made for. */
static void refuse(SipTxn *txn, const osip_message_t *req, guint status,
                   const char *phrase) {
  g_autofree char *tag = sip_tag_new();
  osip_message_t *resp = sip_response_new(req, status, phrase, tag);

  g_message("test-call: INVITE refused %u %s", status,
            phrase != NULL ? phrase : "");
  if (resp != NULL) {
    sip_txn_respond(txn, resp);
  }
}

static void take_invite(VgwTestExtension *x, SipTxnLayer *layer,
                        SipTxn *txn, const osip_message_t *req,
                        const SipPeer *from) {
  osip_body_t *body = NULL;
  SipSdpNegotiation neg;
  guint status = 0;
  g_autofree char *call_id = call_id_of(req);
  TestCall *known = g_hash_table_lookup(x->calls, call_id);

  if (known != NULL && known->unacked != NULL &&
      is_invite_again(known, req)) {
    osip_message_t *again = NULL;
    g_debug("test-call %s: INVITE again: 200 again", call_id);
    if (osip_message_clone(known->unacked, &again) == 0) {
      sip_txn_respond(txn, again);
    }
    return;
  }
  if (known != NULL) {
    refuse(txn, req, 501, "re-INVITE not supported by the test extension");
    return;
  }
  osip_message_get_body(req, 0, &body);
  SipSdpError error = body != NULL
                          ? sip_sdp_negotiate(body->body, body->length, &neg)
                          : SIP_SDP_UNPARSEABLE;
  if (error != SIP_SDP_OK) {
    g_autofree char *phrase =
        g_strdup_printf("Not Acceptable Here (SDP offer: %s)",
                        sip_sdp_error_name(error));
    refuse(txn, req, 488, phrase);
    return;
  }
  g_autofree char *address = media_address(x);
  if (address == NULL) {
    refuse(txn, req, 503, "No LAN address yet");
    return;
  }
  TestCall *c = call_new(x, layer, txn, from, call_id, &status);
  if (c == NULL) {
    refuse(txn, req, status, NULL);
    return;
  }
  guint port_base = (guint)param(x, "TestCallMediaPort")->num;
  guint port = (port_base != 0 ? port_base : VGW_TEST_RTP_PORT_BASE) +
               c->slot;
  g_autofree char *sdp = sip_sdp_answer(&neg, address, (guint16)port,
                                        (guint64)g_get_real_time());
  c->ok = answer_ok(req, from, c->to_tag, sdp);
  if (c->ok == NULL) {
    call_respond(c, sip_response_new(req, 500, NULL, c->to_tag));
    call_end(c, "no memory for the answer");
    return;
  }
  g_message("test-call %s: from %s:%u over %s, RTP to %s:%u, answered at "
            "%s:%u",
            c->call_id, from->address, from->port,
            sip_transport_name(from->transport), neg.address, neg.port,
            address, port);
  call_respond(c, sip_response_new(req, 100, NULL, NULL));
  guint delay_s = (guint)param(x, "TestCallAnswerDelay")->num;
  if (delay_s == 0) {
    call_answer(c);
    return;
  }
  call_respond(c, sip_response_new(req, 180, NULL, c->to_tag));
  c->ring_timer = g_timeout_add_seconds(delay_s, on_ring_over, c);
}

/* ---- In-dialog requests ---- */

/* The call |req| belongs to: its Call-ID and, once we tagged the dialog,
 * our To tag. */
static TestCall *find_call(VgwTestExtension *x, const osip_message_t *req) {
  g_autofree char *call_id = call_id_of(req);
  TestCall *c = g_hash_table_lookup(x->calls, call_id);
  osip_generic_param_t *tag = NULL;

  if (c == NULL) {
    return NULL;
  }
  osip_to_get_tag(req->to, &tag);
  /* A CANCEL repeats the INVITE's To, which had no tag. */
  if (MSG_IS_CANCEL(req)) {
    return tag == NULL ? c : NULL;
  }
  return tag != NULL && tag->gvalue != NULL &&
                 strcmp(tag->gvalue, c->to_tag) == 0
             ? c
             : NULL;
}

/* Whether CANCEL |cancel| is for the INVITE of |c| (RFC 3261 §9.2: same
 * CSeq number and top Via branch). */
static gboolean cancels_invite(const TestCall *c,
                               const osip_message_t *cancel) {
  const osip_message_t *invite;
  osip_via_t *via_i, *via_c;
  osip_generic_param_t *branch_i = NULL, *branch_c = NULL;

  if (c->invite == NULL) {
    return FALSE;
  }
  invite = sip_txn_request(c->invite);
  via_i = osip_list_get(&invite->vias, 0);
  via_c = osip_list_get(&cancel->vias, 0);
  osip_via_param_get_byname(via_i, "branch", &branch_i);
  osip_via_param_get_byname(via_c, "branch", &branch_c);
  return strcmp(invite->cseq->number, cancel->cseq->number) == 0 &&
         branch_i != NULL && branch_c != NULL && branch_i->gvalue != NULL &&
         branch_c->gvalue != NULL &&
         strcmp(branch_i->gvalue, branch_c->gvalue) == 0;
}

static void respond(SipTxn *txn, const osip_message_t *req, guint status,
                    const char *tag) {
  osip_message_t *resp = sip_response_new(req, status, NULL, tag);

  if (resp != NULL) {
    sip_txn_respond(txn, resp);
  }
}

gboolean vgw_test_extension_take(VgwTestExtension *x, SipTxnLayer *layer,
                                 SipTxn *txn, const osip_message_t *req,
                                 const SipPeer *from) {
  const char *number = param(x, "TestCallNumber")->str;

  if (MSG_IS_INVITE(req) && find_call(x, req) == NULL) {
    const char *user = req->req_uri != NULL ? req->req_uri->username : NULL;
    if (number == NULL || number[0] == '\0' || user == NULL ||
        strcmp(user, number) != 0) {
      return FALSE;
    }
    take_invite(x, layer, txn, req, from);
    return TRUE;
  }
  TestCall *c = find_call(x, req);
  if (c == NULL) {
    return FALSE;
  }
  c->last_active_us = g_get_monotonic_time();
  if (MSG_IS_INVITE(req)) {
    refuse(txn, req, 501, "re-INVITE not supported by the test extension");
  } else if (MSG_IS_ACK(req)) {
    g_debug("test-call %s: ACK", c->call_id);
    call_acked(c);
  } else if (MSG_IS_BYE(req)) {
    respond(txn, req, 200, c->to_tag);
    if (c->invite != NULL) {
      call_respond(c, sip_response_new(sip_txn_request(c->invite), 487,
                                       NULL, c->to_tag));
    }
    call_end(c, "BYE");
  } else if (MSG_IS_CANCEL(req)) {
    if (!cancels_invite(c, req)) {
      /* Answered already, or another INVITE: RFC 3261 §9.2 */
      respond(txn, req, 481, c->to_tag);
      return TRUE;
    }
    respond(txn, req, 200, c->to_tag);
    call_respond(c, sip_response_new(sip_txn_request(c->invite), 487, NULL,
                                     c->to_tag));
    call_end(c, "CANCEL");
  } else if (txn != NULL) {
    respond(txn, req, 501, c->to_tag);
  }
  return TRUE;
}

VgwTestExtension *vgw_test_extension_new(VgwConfigState *config,
                                         VgwLanAddressFunc lan_address,
                                         gpointer lan_data) {
  VgwTestExtension *x = g_new0(VgwTestExtension, 1);

  x->config = config;
  x->lan_address = lan_address;
  x->lan_data = lan_data;
  x->calls = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, call_free);
  x->t1_ms = VGW_TEST_T1_MS;
  x->t2_ms = VGW_TEST_T2_MS;
  return x;
}

void vgw_test_extension_set_timers(VgwTestExtension *x, guint t1_ms,
                                   guint t2_ms) {
  x->t1_ms = t1_ms;
  x->t2_ms = t2_ms;
}

void vgw_test_extension_status(const VgwTestExtension *x,
                               VgwStatusTestExtension *out) {
  out->present = TRUE;
  out->calls = x->answered;
  out->active = 0;
  for (guint i = 0; i < VGW_TEST_RTP_PORTS; i++) {
    out->active += x->slots[i] != NULL && x->slots[i]->answered;
  }
  out->echoed_packets = x->echoed;
}
