/*
 * SIP transactions on libosip2, driven from a GLib main loop (sip_txn.h).
 *
 * libosip2 queues events in per-transaction FIFOs. The layer runs only
 * the transactions it queued an event in (layer_run(): a queue, since
 * callbacks may queue more, a TU answering at once), not libosip2's
 * osip_*_execute(), which walk every live transaction; the timer source
 * runs them all, after libosip2's timer scans queued their events.
 * Transactions that end are only unlinked in the kill callback and freed
 * after the pass, because libosip2 still touches them on the way out of
 * its state machine.
 */
#include "sip_txn.h"

#include <string.h>

#include "sip_message.h"

/* libosip2 reports a far-future deadline when no timer runs. */
#define SIP_TXN_NO_TIMER_S (24 * 3600)
/* The timer source wakes this much after libosip2's deadline: libosip2
 * compares on its own clock (gettimeofday) with "later than", and waking
 * before it would find nothing due and spin. */
#define SIP_TXN_TIMER_SLACK_US 1000

struct SipTxn {
  SipTxnLayer *layer;
  osip_transaction_t *tr; /* NULL once libosip2 ended it, or a stream NIST */
  SipPeer peer;           /* server: where the request came from */
  gboolean client;
  gboolean tu_done;       /* server: final response given; client: outcome
                             reported */
  SipClientFunc func;
  gpointer data;
  /* A stream NIST (no libosip2 transaction, see stream_nist_receive()). */
  osip_message_t *request;
  gboolean in_request_cb; /* the TU's request callback runs */
  char *held_key;         /* in layer->held: the TU has not answered yet */
  osip_message_t *provisional; /* the last one sent, for a retransmission */
};

struct SipTxnLayer {
  osip_t *osip;
  GMainContext *context;
  GSource *timer;    /* ready time: libosip2's next deadline, or earlier */
  SipLimits limits;
  SipTxnCallbacks cb;
  gpointer user_data;
  SipTxnStats stats;
  GHashTable *txns;  /* every SipTxn, owned */
  GPtrArray *dead;   /* osip_transaction_t ended in this pass */
  GQueue runnable;   /* osip_transaction_t with events queued */
  GHashTable *held;  /* stream NISTs the TU has not answered, by
                        stream_nist_key() */
  gboolean running;
  SipPeerFailure failure; /* of the transport error being reported */
  SipStrayResponseFunc stray;
  gpointer stray_data;
};

static void layer_run(SipTxnLayer *l);

const char *sip_transport_name(SipTransport transport) {
  static const char *const names[SIP_TRANSPORT_COUNT] = {"udp", "tcp", "tls"};

  return (guint)transport < SIP_TRANSPORT_COUNT ? names[transport] : "?";
}

const char *sip_peer_failure_name(SipPeerFailure failure) {
  static const char *const names[SIP_PEER_FAILURE_COUNT] = {
      "send-failed",          "connection-refused", "unreachable",
      "connection-limit",     "tls-handshake-failed", "connection-closed",
      "ping-timeout",
  };

  return (guint)failure < SIP_PEER_FAILURE_COUNT ? names[failure] : "?";
}

static void count_received(SipTxnLayer *l, const SipPeer *from) {
  l->stats.received++;
  l->stats.transport[from->transport].received++;
}

static void count_rejected(SipTxnLayer *l, const SipPeer *from,
                           SipReason reason) {
  l->stats.rejected[reason]++;
  l->stats.transport[from->transport].rejected[reason]++;
}

static SipTxn *txn_of(osip_transaction_t *tr) {
  return osip_transaction_get_reserved1(tr);
}

static SipTxn *txn_new(SipTxnLayer *l, osip_transaction_t *tr,
                       const SipPeer *peer, gboolean client) {
  SipTxn *t = g_new0(SipTxn, 1);

  t->layer = l;
  t->tr = tr;
  t->peer = *peer;
  t->client = client;
  osip_transaction_set_reserved1(tr, t);
  g_hash_table_add(l->txns, t);
  if (client) {
    l->stats.client_transactions++;
  } else {
    l->stats.server_transactions++;
  }
  return t;
}

static void txn_free(SipTxn *t) {
  if (t->request != NULL) {
    osip_message_free(t->request);
  }
  if (t->provisional != NULL) {
    osip_message_free(t->provisional);
  }
  g_free(t->held_key);
  g_free(t);
}

static void txn_forget(SipTxn *t) {
  g_hash_table_remove(t->layer->txns, t);
  txn_free(t);
}

/* Queues |evt| in |tr| and runs it (later, if a pass is running). */
static void txn_queue(SipTxnLayer *l, osip_transaction_t *tr,
                      osip_event_t *evt) {
  osip_transaction_add_event(tr, evt);
  g_queue_push_tail(&l->runnable, tr);
  layer_run(l);
}

/* ---- Sending ---- */

static gboolean send_bytes(SipTxnLayer *l, const SipPeer *to,
                           const char *bytes, gsize len) {
  if (!l->cb.send(to, bytes, len, l->user_data)) {
    l->stats.transport_errors++;
    return FALSE;
  }
  l->stats.transport[to->transport].sent++;
  return TRUE;
}

static gboolean send_message(SipTxnLayer *l, const SipPeer *to,
                             const osip_message_t *msg) {
  gsize len;
  char *bytes = sip_message_to_bytes(msg, &len);
  gboolean ok = bytes != NULL && send_bytes(l, to, bytes, len);

  g_free(bytes);
  return ok;
}

/* Sends a refusal built from a request that failed its checks, if it
 * survives the wire: libosip2 prints some header fields it accepted in a
 * form it does not parse back, and a peer would choke on them too. */
static gboolean send_refusal(SipTxnLayer *l, const SipPeer *to,
                             const osip_message_t *resp) {
  gsize len;
  char *bytes = sip_message_to_bytes(resp, &len);
  osip_message_t *check = NULL;
  gboolean ok = FALSE;

  if (bytes != NULL) {
    sip_message_parse((const guint8 *)bytes, len, &check);
  }
  if (check != NULL) {
    osip_message_free(check);
    ok = send_bytes(l, to, bytes, len);
  }
  g_free(bytes);
  return ok;
}

/* Where a response to a request from |from| goes: the same connection on
 * a stream; on UDP the top Via's received/rport (or sent-by) address. */
static void response_destination(const SipPeer *from,
                                  const osip_message_t *resp, SipPeer *to) {
  char *address = NULL;
  int port = 0;

  *to = *from;
  if (from->transport != SIP_TRANSPORT_UDP) {
    return;
  }
  osip_response_get_destination((osip_message_t *)resp, &address, &port);
  if (address != NULL && port > 0 && port <= G_MAXUINT16) {
    g_strlcpy(to->address, address, sizeof(to->address));
    to->port = (guint16)port;
  }
  osip_free(address);
}

static int osip_send_cb(osip_transaction_t *tr, osip_message_t *msg,
                        char *host, int port, int out_socket) {
  SipTxn *t = txn_of(tr);
  SipPeer to;

  if (t->client) {
    to = t->peer;
  } else {
    response_destination(&t->peer, msg, &to);
  }
  return send_message(t->layer, &to, msg) ? OSIP_SUCCESS : OSIP_UNDEFINED_ERROR;
}

/* ---- libosip2 callbacks ---- */

static void osip_request_cb(int type, osip_transaction_t *tr,
                            osip_message_t *msg) {
  SipTxn *t = txn_of(tr);
  SipTxnLayer *l = t->layer;

  l->cb.request(l, t, msg, &t->peer, l->user_data);
}

static void osip_retransmission_cb(int type, osip_transaction_t *tr,
                                   osip_message_t *msg) {
  txn_of(tr)->layer->stats.retransmissions++;
}

static void client_report(SipTxn *t, SipClientEvent event,
                          const osip_message_t *resp) {
  if (t->tu_done) {
    return;
  }
  if (event != SIP_CLIENT_RESPONSE || !MSG_IS_STATUS_1XX(resp)) {
    t->tu_done = TRUE;
  }
  t->func(t->layer, event, resp, t->data);
}

static void osip_response_cb(int type, osip_transaction_t *tr,
                             osip_message_t *msg) {
  client_report(txn_of(tr), SIP_CLIENT_RESPONSE, msg);
}

static void osip_timeout_cb(int type, osip_transaction_t *tr,
                            osip_message_t *msg) {
  client_report(txn_of(tr), SIP_CLIENT_TIMEOUT, NULL);
}

static void osip_transport_error_cb(int type, osip_transaction_t *tr,
                                    int error) {
  SipTxn *t = txn_of(tr);

  if (t->client) {
    t->layer->failure = SIP_PEER_SEND_FAILED;
    client_report(t, SIP_CLIENT_TRANSPORT_ERROR, NULL);
  }
}

static void osip_kill_cb(int type, osip_transaction_t *tr) {
  SipTxn *t = txn_of(tr);

  osip_remove_transaction(t->layer->osip, tr);
  g_ptr_array_add(t->layer->dead, tr);
}

static void set_callbacks(osip_t *osip) {
  static const int requests[] = {
      OSIP_IST_INVITE_RECEIVED,     OSIP_NIST_REGISTER_RECEIVED,
      OSIP_NIST_BYE_RECEIVED,       OSIP_NIST_OPTIONS_RECEIVED,
      OSIP_NIST_INFO_RECEIVED,      OSIP_NIST_CANCEL_RECEIVED,
      OSIP_NIST_NOTIFY_RECEIVED,    OSIP_NIST_SUBSCRIBE_RECEIVED,
      OSIP_NIST_UNKNOWN_REQUEST_RECEIVED,
  };
  static const int responses[] = {
      OSIP_ICT_STATUS_1XX_RECEIVED,  OSIP_ICT_STATUS_2XX_RECEIVED,
      OSIP_ICT_STATUS_3XX_RECEIVED,  OSIP_ICT_STATUS_4XX_RECEIVED,
      OSIP_ICT_STATUS_5XX_RECEIVED,  OSIP_ICT_STATUS_6XX_RECEIVED,
      OSIP_NICT_STATUS_1XX_RECEIVED, OSIP_NICT_STATUS_2XX_RECEIVED,
      OSIP_NICT_STATUS_3XX_RECEIVED, OSIP_NICT_STATUS_4XX_RECEIVED,
      OSIP_NICT_STATUS_5XX_RECEIVED, OSIP_NICT_STATUS_6XX_RECEIVED,
  };

  for (gsize i = 0; i < G_N_ELEMENTS(requests); i++) {
    osip_set_message_callback(osip, requests[i], osip_request_cb);
  }
  for (gsize i = 0; i < G_N_ELEMENTS(responses); i++) {
    osip_set_message_callback(osip, responses[i], osip_response_cb);
  }
  osip_set_message_callback(osip, OSIP_IST_INVITE_RECEIVED_AGAIN,
                            osip_retransmission_cb);
  osip_set_message_callback(osip, OSIP_NIST_REQUEST_RECEIVED_AGAIN,
                            osip_retransmission_cb);
  osip_set_message_callback(osip, OSIP_ICT_STATUS_TIMEOUT, osip_timeout_cb);
  osip_set_message_callback(osip, OSIP_NICT_STATUS_TIMEOUT, osip_timeout_cb);
  for (int k = 0; k < OSIP_KILL_CALLBACK_COUNT; k++) {
    osip_set_kill_transaction_callback(osip, k, osip_kill_cb);
  }
  for (int e = 0; e < OSIP_TRANSPORT_ERROR_CALLBACK_COUNT; e++) {
    osip_set_transport_error_callback(osip, e, osip_transport_error_cb);
  }
  osip_set_cb_send_message(osip, osip_send_cb);
}

/* ---- The loop ---- */

/* Whether a timer that ends |tr| is due now, and which (*timeout). Over a
 * reliable transport timers D, I, J and K are zero (RFC 3261 §17.1.1.2,
 * §17.2.1, §17.1.2.2, §17.2.2): a transaction that reached Completed
 * (Confirmed for an IST) ends at once instead of at the next timer pass,
 * so that live transactions are only those still waiting for something. */
static gboolean zero_timer_due(const osip_transaction_t *tr,
                               type_t *timeout) {
  switch (tr->state) {
  case ICT_COMPLETED:
    *timeout = TIMEOUT_D;
    return tr->ict_context->timer_d_length == 0;
  case IST_CONFIRMED:
    *timeout = TIMEOUT_I;
    return tr->ist_context->timer_i_length == 0;
  case NICT_COMPLETED:
    *timeout = TIMEOUT_K;
    return tr->nict_context->timer_k_length == 0;
  case NIST_COMPLETED:
    *timeout = TIMEOUT_J;
    return tr->nist_context->timer_j_length == 0;
  default:
    return FALSE;
  }
}

/* Runs the events queued in |tr|, then its zero-length final timer. */
static void txn_execute(osip_transaction_t *tr) {
  type_t timeout;

  do {
    osip_event_t *evt;
    while ((evt = osip_fifo_tryget(tr->transactionff)) != NULL) {
      osip_transaction_execute(tr, evt);
    }
    if (!zero_timer_due(tr, &timeout)) {
      return;
    }
    evt = osip_malloc(sizeof(*evt));
    memset(evt, 0, sizeof(*evt));
    evt->type = timeout;
    evt->transactionid = tr->transactionid;
    osip_transaction_add_event(tr, evt);
  } while (TRUE);
}

/* Arms the timer source for libosip2's next deadline, unless it is armed
 * for an earlier one already: re-arming on every message would push a due
 * timer back forever under a steady stream. Waking early is harmless. */
static void layer_arm_timer(SipTxnLayer *l) {
  struct timeval tv = {0};

  osip_timers_gettimeout(l->osip, &tv);
  if (tv.tv_sec >= SIP_TXN_NO_TIMER_S) {
    return;
  }
  gint64 due = g_get_monotonic_time() + (gint64)tv.tv_sec * G_USEC_PER_SEC +
               tv.tv_usec + SIP_TXN_TIMER_SLACK_US;
  gint64 armed = g_source_get_ready_time(l->timer);
  if (armed == -1 || due < armed) {
    g_source_set_ready_time(l->timer, due);
  }
}

static void layer_free_dead(SipTxnLayer *l) {
  for (guint i = 0; i < l->dead->len; i++) {
    osip_transaction_t *tr = g_ptr_array_index(l->dead, i);
    SipTxn *t = txn_of(tr);

    if (t->client) {
      l->stats.client_transactions--;
    } else {
      l->stats.server_transactions--;
    }
    t->tr = NULL;
    /* A server transaction the TU has not answered yet (a provisional
     * response failed to send) stays until sip_txn_respond(). */
    if (t->client || t->tu_done) {
      txn_forget(t);
    }
    osip_transaction_free2(tr);
  }
  g_ptr_array_set_size(l->dead, 0);
}

/* Runs every runnable transaction, including those made runnable on the
 * way; a call while a pass runs leaves the work to that pass. */
static void layer_run(SipTxnLayer *l) {
  osip_transaction_t *tr;

  if (l->running) {
    return;
  }
  l->running = TRUE;
  while ((tr = g_queue_pop_head(&l->runnable)) != NULL) {
    txn_execute(tr);
  }
  l->running = FALSE;
  layer_free_dead(l);
  layer_arm_timer(l);
}

/* Makes the transactions of |list| with events queued runnable. */
static void layer_queue_pending(SipTxnLayer *l, osip_list_t *list) {
  osip_list_iterator_t it;

  for (osip_transaction_t *tr = osip_list_get_first(list, &it); tr != NULL;
       tr = osip_list_get_next(&it)) {
    if (osip_fifo_size(tr->transactionff) > 0) {
      g_queue_push_tail(&l->runnable, tr);
    }
  }
}

static gboolean layer_timer_fired(gpointer data) {
  SipTxnLayer *l = data;
  osip_t *osip = l->osip;

  g_source_set_ready_time(l->timer, -1);
  osip_timers_ict_execute(osip);
  osip_timers_ist_execute(osip);
  osip_timers_nict_execute(osip);
  osip_timers_nist_execute(osip);
  layer_queue_pending(l, &osip->osip_ict_transactions);
  layer_queue_pending(l, &osip->osip_ist_transactions);
  layer_queue_pending(l, &osip->osip_nict_transactions);
  layer_queue_pending(l, &osip->osip_nist_transactions);
  layer_run(l);
  return G_SOURCE_CONTINUE;
}

static gboolean timer_dispatch(GSource *source, GSourceFunc func,
                               gpointer data) {
  return func(data);
}

static GSourceFuncs timer_funcs = {.dispatch = timer_dispatch};

/* ---- Public ---- */

SipTxnLayer *sip_txn_layer_new(GMainContext *context, const SipLimits *limits,
                               const SipTxnCallbacks *callbacks,
                               gpointer user_data) {
  SipTxnLayer *l = g_new0(SipTxnLayer, 1);

  sip_message_library_init();
  if (osip_init(&l->osip) != OSIP_SUCCESS) {
    g_free(l);
    return NULL;
  }
  osip_set_application_context(l->osip, l);
  set_callbacks(l->osip);
  l->context = context != NULL ? g_main_context_ref(context)
                                : g_main_context_ref_thread_default();
  if (limits != NULL) {
    l->limits = *limits;
  } else {
    sip_limits_init_default(&l->limits);
  }
  l->cb = *callbacks;
  l->user_data = user_data;
  l->txns = g_hash_table_new(NULL, NULL);
  l->held = g_hash_table_new(g_str_hash, g_str_equal);
  l->dead = g_ptr_array_new();
  g_queue_init(&l->runnable);
  l->timer = g_source_new(&timer_funcs, sizeof(GSource));
  g_source_set_callback(l->timer, layer_timer_fired, l, NULL);
  g_source_attach(l->timer, l->context);
  return l;
}

static void layer_drop_list(SipTxnLayer *l, osip_list_t *list) {
  osip_transaction_t *tr;

  while ((tr = osip_list_get(list, 0)) != NULL) {
    osip_remove_transaction(l->osip, tr);
    osip_transaction_free2(tr);
  }
}

void sip_txn_layer_free(SipTxnLayer *l) {
  GHashTableIter iter;
  gpointer t;

  if (l == NULL) {
    return;
  }
  g_source_destroy(l->timer);
  g_source_unref(l->timer);
  layer_drop_list(l, &l->osip->osip_ict_transactions);
  layer_drop_list(l, &l->osip->osip_ist_transactions);
  layer_drop_list(l, &l->osip->osip_nict_transactions);
  layer_drop_list(l, &l->osip->osip_nist_transactions);
  osip_release(l->osip);
  g_hash_table_iter_init(&iter, l->txns);
  while (g_hash_table_iter_next(&iter, &t, NULL)) {
    txn_free(t);
  }
  g_hash_table_unref(l->txns);
  g_hash_table_unref(l->held);
  g_ptr_array_unref(l->dead);
  g_main_context_unref(l->context);
  g_free(l);
}

/* An event for a message that arrived. */
static osip_event_t *incoming_event(osip_message_t *msg) {
  osip_event_t *evt = osip_malloc(sizeof(*evt));

  memset(evt, 0, sizeof(*evt));
  evt->sip = msg;
  if (MSG_IS_REQUEST(msg)) {
    evt->type = MSG_IS_INVITE(msg) ? RCV_REQINVITE
                : MSG_IS_ACK(msg)  ? RCV_REQACK
                                   : RCV_REQUEST;
  } else if (MSG_IS_STATUS_1XX(msg)) {
    evt->type = RCV_STATUS_1XX;
  } else if (MSG_IS_STATUS_2XX(msg)) {
    evt->type = RCV_STATUS_2XX;
  } else {
    evt->type = RCV_STATUS_3456XX;
  }
  return evt;
}

/* Counts a refused message and answers it when it is a request that can
 * be answered; takes |msg| (may be NULL). */
static SipReason refuse(SipTxnLayer *l, osip_message_t *msg, SipReason reason,
                        const SipPeer *from) {
  count_rejected(l, from, reason);
  if (msg != NULL && MSG_IS_REQUEST(msg) && !MSG_IS_ACK(msg) &&
      sip_reason_status(reason) != 0 && osip_list_get(&msg->vias, 0) != NULL) {
    char *tag = sip_tag_new();
    osip_message_t *resp;
    SipPeer to;

    sip_message_stamp_via(msg, from->address, from->port);
    resp = sip_response_refusal(msg, reason, tag);
    g_free(tag);
    if (resp != NULL) {
      response_destination(from, resp, &to);
      if (send_refusal(l, &to, resp)) {
        l->stats.refusals_sent++;
      }
      osip_message_free(resp);
    }
  }
  if (msg != NULL) {
    osip_message_free(msg);
  }
  return reason;
}

/* A datagram refused by framing: answer from its header section when it
 * passed (too large, wrong Content-Length). */
static SipReason refuse_datagram(SipTxnLayer *l, const SipFrame *frame,
                                 const SipPeer *from) {
  osip_message_t *msg = NULL;

  if (frame->header_len > 0) {
    sip_message_parse(frame->data, frame->header_len, &msg);
  }
  return refuse(l, msg, frame->reason, from);
}

/* ---- Stream server transactions without libosip2 ----
 *
 * A non-INVITE request over TCP or TLS needs little of a transaction: no
 * retransmission is sent over a reliable transport (timer E is for
 * unreliable ones, RFC 3261 §17.1.2.2) and timer J is zero, so the NIST
 * ends with the final response (§17.2.2). Such a request gets a SipTxn of
 * its own whose responses go straight onto its connection, which saves
 * libosip2's copies of its headers and its state machine per request.
 * While the TU has not given the final response, a request with the same
 * branch on that connection is absorbed and gets the last provisional
 * response again, as in libosip2's Trying and Proceeding states. Requests
 * without an RFC 3261 branch keep libosip2's (RFC 2543) matching. */

static const char *top_branch(const osip_message_t *msg) {
  osip_via_t *via = osip_list_get(&msg->vias, 0);
  osip_generic_param_t *branch = NULL;

  if (via == NULL ||
      osip_via_param_get_byname(via, "branch", &branch) < 0 ||
      branch == NULL || branch->gvalue == NULL) {
    return NULL;
  }
  return branch->gvalue;
}

static gboolean stream_nist_wanted(const osip_message_t *msg,
                                   const SipPeer *from) {
  const char *branch;

  if (from->transport == SIP_TRANSPORT_UDP || !MSG_IS_REQUEST(msg) ||
      MSG_IS_INVITE(msg) || MSG_IS_ACK(msg)) {
    return FALSE;
  }
  branch = top_branch(msg);
  return branch != NULL && g_str_has_prefix(branch, "z9hG4bK");
}

/* Identifies a stream NIST: connection, branch, method (RFC 3261
 * §17.2.3; the sent-by is the connection's). */
static char *stream_nist_key(const osip_message_t *msg, const SipPeer *from) {
  return g_strdup_printf("%" G_GUINT64_FORMAT " %s %s", from->connection,
                         top_branch(msg), msg->cseq->method);
}

static void stream_nist_end(SipTxn *t) {
  SipTxnLayer *l = t->layer;

  if (t->held_key != NULL) {
    g_hash_table_remove(l->held, t->held_key);
  }
  l->stats.server_transactions--;
  txn_forget(t);
}

/* Takes |msg|, a request stream_nist_wanted(). */
static void stream_nist_receive(SipTxnLayer *l, osip_message_t *msg,
                                const SipPeer *from) {
  SipTxn *t;

  if (g_hash_table_size(l->held) > 0) {
    g_autofree char *key = stream_nist_key(msg, from);
    t = g_hash_table_lookup(l->held, key);
    if (t != NULL) {
      l->stats.retransmissions++;
      if (t->provisional != NULL) {
        send_message(l, &t->peer, t->provisional);
      }
      osip_message_free(msg);
      return;
    }
  }
  t = g_new0(SipTxn, 1);
  t->layer = l;
  t->peer = *from;
  t->request = msg;
  g_hash_table_add(l->txns, t);
  l->stats.server_transactions++;
  t->in_request_cb = TRUE;
  l->cb.request(l, t, msg, &t->peer, l->user_data);
  t->in_request_cb = FALSE;
  if (t->tu_done) {
    stream_nist_end(t);
  } else {
    t->held_key = stream_nist_key(msg, from);
    g_hash_table_insert(l->held, t->held_key, t);
  }
}

/* sip_txn_respond() for a stream NIST. */
static void stream_nist_respond(SipTxn *t, osip_message_t *resp) {
  send_message(t->layer, &t->peer, resp);
  if (!t->tu_done) {
    if (t->provisional != NULL) {
      osip_message_free(t->provisional);
    }
    t->provisional = resp;
    return;
  }
  osip_message_free(resp);
  if (!t->in_request_cb) {
    stream_nist_end(t);
  }
}

/* The transaction |evt| (a message that arrived) belongs to, as libosip2's
 * osip_find_transaction_and_add_event() looks for it. */
static osip_transaction_t *find_transaction(osip_t *osip, osip_event_t *evt) {
  const osip_message_t *msg = evt->sip;
  osip_list_t *list;

  if (MSG_IS_REQUEST(msg)) {
    list = MSG_IS_INVITE(msg) || MSG_IS_ACK(msg)
               ? &osip->osip_ist_transactions
               : &osip->osip_nist_transactions;
  } else {
    list = strcmp(msg->cseq->method, "INVITE") == 0
               ? &osip->osip_ict_transactions
               : &osip->osip_nict_transactions;
  }
  return osip_transaction_find(list, evt);
}

SipReason sip_txn_layer_receive(SipTxnLayer *l, const guint8 *bytes,
                                gsize len, const SipPeer *from) {
  osip_message_t *msg = NULL;
  SipReason reason;

  if (from->transport == SIP_TRANSPORT_UDP) {
    SipFrame frame;
    switch (sip_datagram_frame(bytes, len, &l->limits, &frame)) {
    case SIP_DATAGRAM_KEEPALIVE:
      return SIP_REASON_NONE;
    case SIP_DATAGRAM_REFUSED:
      count_received(l, from);
      return refuse_datagram(l, &frame, from);
    case SIP_DATAGRAM_MESSAGE:
      bytes = frame.data;
      len = frame.len;
      break;
    }
  }
  count_received(l, from);
  reason = sip_message_parse(bytes, len, &msg);
  if (reason != SIP_REASON_NONE) {
    return refuse(l, msg, reason, from);
  }
  if (MSG_IS_REQUEST(msg)) {
    sip_message_stamp_via(msg, from->address, from->port);
  }
  if (stream_nist_wanted(msg, from)) {
    stream_nist_receive(l, msg, from);
    return SIP_REASON_NONE;
  }

  osip_event_t *evt = incoming_event(msg);
  osip_transaction_t *tr = find_transaction(l->osip, evt);
  if (tr != NULL) {
    txn_queue(l, tr, evt);
    return SIP_REASON_NONE;
  }
  if (MSG_IS_RESPONSE(msg)) {
    l->stats.stray_responses++;
    if (l->stray != NULL) {
      l->stray(l, msg, from, l->stray_data);
    }
  } else if (MSG_IS_ACK(msg)) {
    l->cb.request(l, NULL, msg, from, l->user_data);
  } else {
    if (osip_transaction_init(&tr, MSG_IS_INVITE(msg) ? IST : NIST, l->osip,
                              msg) == OSIP_SUCCESS) {
      txn_new(l, tr, from, FALSE);
      txn_queue(l, tr, evt);
      return SIP_REASON_NONE;
    }
    /* libosip2 wants what sip_message_validate() checked; say so. */
    count_rejected(l, from, SIP_REASON_UNPARSEABLE);
    osip_event_free(evt);
    return SIP_REASON_UNPARSEABLE;
  }
  osip_event_free(evt);
  return SIP_REASON_NONE;
}

void sip_txn_layer_count_stream_error(SipTxnLayer *l, const SipPeer *from,
                                      SipReason reason) {
  g_return_if_fail(reason != SIP_REASON_NONE && reason < SIP_REASON_COUNT);
  count_rejected(l, from, reason);
}

void sip_txn_respond(SipTxn *t, osip_message_t *resp) {
  SipTxnLayer *l = t->layer;
  gboolean final = !MSG_IS_STATUS_1XX(resp);

  g_return_if_fail(!t->client && !t->tu_done);
  if (final) {
    t->tu_done = TRUE;
  }
  if (t->request != NULL) {
    stream_nist_respond(t, resp);
    return;
  }
  if (t->tr == NULL) {
    /* libosip2 already ended it (a send failed): nothing to answer in. */
    osip_message_free(resp);
    if (final) {
      txn_forget(t);
    }
    return;
  }
  txn_queue(l, t->tr, osip_new_outgoing_sipmessage(resp));
}

const osip_message_t *sip_txn_request(const SipTxn *t) {
  if (t->request != NULL) {
    return t->request;
  }
  return t->tr != NULL ? t->tr->orig_request : NULL;
}

gboolean sip_txn_send_request(SipTxnLayer *l, osip_message_t *req,
                              const SipPeer *to, SipClientFunc func,
                              gpointer data) {
  osip_transaction_t *tr = NULL;
  SipTxn *t;

  if (osip_transaction_init(&tr, MSG_IS_INVITE(req) ? ICT : NICT, l->osip,
                            req) != OSIP_SUCCESS) {
    osip_message_free(req);
    return FALSE;
  }
  t = txn_new(l, tr, to, TRUE);
  t->func = func;
  t->data = data;
  osip_event_t *evt = osip_new_outgoing_sipmessage(req);
  evt->transactionid = tr->transactionid;
  txn_queue(l, tr, evt);
  return TRUE;
}

static gboolean peer_matches(const SipPeer *a, const SipPeer *b) {
  return a->transport == b->transport && a->port == b->port &&
         strcmp(a->address, b->address) == 0 &&
         (b->connection == 0 || a->connection == 0 ||
          a->connection == b->connection);
}

void sip_txn_layer_peer_failed(SipTxnLayer *l, const SipPeer *peer,
                               SipPeerFailure failure) {
  GHashTableIter iter;
  gpointer key;
  GPtrArray *ended = g_ptr_array_new();

  g_return_if_fail(!l->running);
  g_hash_table_iter_init(&iter, l->txns);
  while (g_hash_table_iter_next(&iter, &key, NULL)) {
    SipTxn *t = key;
    if (t->client && t->tr != NULL && !t->tu_done &&
        peer_matches(&t->peer, peer)) {
      g_ptr_array_add(ended, t);
    }
  }
  /* End them in libosip2 first, so no timer of theirs fires later, then
   * tell each TU (which may start new transactions from its callback). */
  for (guint i = 0; i < ended->len; i++) {
    SipTxn *t = g_ptr_array_index(ended, i);
    osip_remove_transaction(l->osip, t->tr);
    g_ptr_array_add(l->dead, t->tr);
  }
  for (guint i = 0; i < ended->len; i++) {
    SipTxn *t = g_ptr_array_index(ended, i);
    l->stats.peer_failures++;
    l->failure = failure;
    client_report(t, SIP_CLIENT_TRANSPORT_ERROR, NULL);
  }
  g_ptr_array_unref(ended);
  layer_free_dead(l);
  layer_arm_timer(l);
}

SipPeerFailure sip_txn_layer_failure(const SipTxnLayer *l) {
  return l->failure;
}

gboolean sip_txn_layer_send(SipTxnLayer *l, const osip_message_t *msg,
                            const SipPeer *to) {
  return send_message(l, to, msg);
}

void sip_txn_layer_set_stray_response(SipTxnLayer *layer,
                                      SipStrayResponseFunc func,
                                      gpointer data) {
  layer->stray = func;
  layer->stray_data = data;
}

const SipTxnStats *sip_txn_layer_stats(const SipTxnLayer *l) {
  return &l->stats;
}
