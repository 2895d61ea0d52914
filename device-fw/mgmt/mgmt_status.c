/* Status rendering: see mgmt_status.h. */
#include "mgmt/mgmt_status.h"

#include "mgmt/mgmt_reply.h"

static void add_arrays(GString *j, const VgwStatus *st) {
  vgw_json_key(j, "interfaces");
  g_string_append_c(j, '[');
  for (size_t i = 0; i < st->n_ifaces; i++) {
    const VgwStatusIface *f = &st->ifaces[i];
    g_string_append(j, i ? ",{" : "{");
    vgw_json_str(j, "name", f->name);
    vgw_json_str(j, "mac", f->mac);
    vgw_json_str(j, "ipv4", f->ipv4);
    g_string_append_c(j, '}');
  }
  g_string_append(j, "]");
  vgw_json_key(j, "listeners");
  g_string_append_c(j, '[');
  for (size_t i = 0; i < st->n_listeners; i++) {
    g_string_append(j, i ? ",{" : "{");
    const VgwStatusListener *l = &st->listeners[i];
    vgw_json_str(j, "transport", l->transport);
    vgw_json_uint(j, "port", l->port);
    vgw_json_str(j, "interface", l->interface);
    vgw_json_str(j, "network", l->network);
    vgw_json_str(j, "address", l->address);
    if (l->stream) {
      vgw_json_uint(j, "connections", l->connections);
      vgw_json_uint(j, "refused", l->refused);
    }
    g_string_append_c(j, '}');
  }
  g_string_append(j, "]");
}

static void add_identity(GString *j, const VgwStatus *st) {
  vgw_json_str(j, "firmware", st->firmware);
  vgw_json_str(j, "serial", st->serial);
  vgw_json_uint(j, "hw_rev", st->hw_rev);
  vgw_json_str(j, "mac_base", st->mac_base);
  vgw_json_str(j, "reset_cause", st->reset_cause);
  vgw_json_uint(j, "reset_count", st->reset_count);
  vgw_json_uint(j, "crash_count", st->crash_count);
}

/* add_counts adds |n| named counters as an object under |key|. */
static void add_counts(GString *j, const char *key, const VgwStatusCount *c,
                       size_t n) {
  vgw_json_key(j, key);
  g_string_append_c(j, '{');
  for (size_t i = 0; i < n; i++) {
    vgw_json_uint(j, c[i].name, c[i].count);
  }
  g_string_append_c(j, '}');
}

/* open_object adds |key| and opens its object when |present|; else the
 * value is null and it returns FALSE. */
static gboolean open_object(GString *j, const char *key, gboolean present) {
  vgw_json_key(j, key);
  g_string_append(j, present ? "{" : "null");
  return present;
}

static void add_tls(GString *j, const VgwStatusTls *tls) {
  if (!open_object(j, "tls", tls->present)) {
    return;
  }
  vgw_json_uint(j, "port", tls->port);
  vgw_json_str(j, "key_source", tls->key_source);
  vgw_json_uint_or_null(j, "slot", (guint64)MAX(tls->slot, 0),
                        tls->slot >= 0);
  vgw_json_str(j, "key_type", tls->key_type);
  vgw_json_str(j, "subject", tls->subject);
  vgw_json_str(j, "cert_sha256", tls->cert_sha256);
  vgw_json_uint(j, "handshakes", tls->handshakes);
  vgw_json_uint(j, "failures", tls->failures);
  add_counts(j, "failure_reasons", tls->failure_reasons,
             tls->n_failure_reasons);
  vgw_json_uint(j, "connections", (guint64)tls->half_open + tls->established);
  vgw_json_uint(j, "half_open", tls->half_open);
  vgw_json_uint(j, "half_open_max", tls->half_open_max);
  vgw_json_uint(j, "half_open_dropped", tls->half_open_dropped);
  vgw_json_uint(j, "established", tls->established);
  vgw_json_uint(j, "established_max", tls->established_max);
  vgw_json_uint(j, "handshake_timeout_s", tls->handshake_timeout_s);
  vgw_json_uint(j, "engine_signatures", tls->engine_signatures);
  vgw_json_uint(j, "key_updates", tls->key_updates);
  vgw_json_uint(j, "rehandshakes", tls->rehandshakes);
  vgw_json_uint(j, "client_handshakes", tls->client_handshakes);
  vgw_json_uint(j, "client_failures", tls->client_failures);
  add_counts(j, "client_failure_reasons", tls->client_failure_reasons,
             tls->n_client_failure_reasons);
  g_string_append_c(j, '}');
}

void vgw_status_tls_keylog_json(GString *j, const VgwStatusTlsKeylog *k) {
  vgw_json_bool(j, "on", k->on);
  vgw_json_uint_or_null(j, "context", (guint64)MAX(k->context, 0),
                        k->context >= 0);
  vgw_json_uint_or_null(j, "expires_in_s", k->expires_in_s, k->on);
  vgw_json_uint(j, "lines", k->lines);
  vgw_json_uint(j, "max_lines", k->max_lines);
  vgw_json_uint(j, "recorded", k->recorded);
  vgw_json_uint(j, "dropped", k->dropped);
  vgw_json_str(j, "last_end", k->last_end);
}

static void add_tls_keylog(GString *j, const VgwStatusTlsKeylog *k) {
  if (!open_object(j, "tls_keylog", k->present)) {
    return;
  }
  vgw_status_tls_keylog_json(j, k);
  g_string_append_c(j, '}');
}

static void add_sip(GString *j, const VgwStatusSip *sip) {
  if (!open_object(j, "sip", sip->present)) {
    return;
  }
  vgw_json_uint(j, "server_transactions", sip->server_transactions);
  vgw_json_uint(j, "retransmissions", sip->retransmissions);
  vgw_json_uint(j, "send_errors", sip->send_errors);
  vgw_json_uint(j, "client_transactions", sip->client_transactions);
  vgw_json_uint(j, "peer_failures", sip->peer_failures);
  vgw_json_uint(j, "registrations", sip->registrations);
  for (size_t i = 0; i < sip->n_transports; i++) {
    const VgwStatusSipTransport *t = &sip->transports[i];
    open_object(j, t->name, TRUE);
    vgw_json_uint(j, "received", t->received);
    vgw_json_uint(j, "sent", t->sent);
    add_counts(j, "rejected", t->rejected, t->n_rejected);
    if (t->stream) {
      vgw_json_uint(j, "connections", t->connections);
      vgw_json_uint(j, "connections_max", t->connections_max);
      vgw_json_uint(j, "accepted", t->accepted);
      vgw_json_uint(j, "closed_idle", t->closed_idle);
      vgw_json_uint(j, "idle_timeout_s", t->idle_timeout_s);
      vgw_json_uint(j, "pings", t->pings);
      vgw_json_uint(j, "outgoing", t->outgoing);
      vgw_json_uint(j, "opened", t->opened);
      vgw_json_uint(j, "connect_failures", t->connect_failures);
      vgw_json_uint(j, "pings_sent", t->pings_sent);
      vgw_json_uint(j, "pongs", t->pongs);
      vgw_json_uint(j, "ping_timeouts", t->ping_timeouts);
      vgw_json_uint(j, "messages_per_turn", t->messages_per_turn);
      vgw_json_uint(j, "deferred", t->deferred);
    }
    g_string_append_c(j, '}');
  }
  if (open_object(j, "test_extension", sip->test_extension.present)) {
    vgw_json_uint(j, "calls", sip->test_extension.calls);
    vgw_json_uint(j, "active", sip->test_extension.active);
    vgw_json_uint(j, "echoed_packets", sip->test_extension.echoed_packets);
    g_string_append_c(j, '}');
  }
  if (open_object(j, "calls", sip->calls.present)) {
    vgw_json_uint(j, "in_progress", sip->calls.in_progress);
    vgw_json_uint(j, "total", sip->calls.total);
    g_string_append_c(j, '}');
  }
  g_string_append_c(j, '}');
}

void vgw_status_proxies_json(GString *j, const VgwStatusProxy *proxies,
                             size_t n) {
  g_string_append_c(j, '[');
  for (size_t i = 0; i < n; i++) {
    const VgwStatusProxy *p = &proxies[i];
    g_string_append(j, i ? ",{" : "{");
    vgw_json_uint(j, "set", p->set);
    vgw_json_str(j, "set_name", p->set_name);
    vgw_json_uint(j, "ip_index", p->ip_index);
    vgw_json_str(j, "configured", p->configured);
    vgw_json_str(j, "address", p->address);
    vgw_json_str(j, "resolved_by", p->resolved_by);
    vgw_json_uint(j, "port", p->port);
    vgw_json_str(j, "transport", p->transport);
    vgw_json_str(j, "state", p->state);
    vgw_json_str(j, "reason", p->reason);
    vgw_json_key(j, "last_response");
    if (p->last_code == 0) {
      g_string_append(j, "null");
    } else {
      g_string_append_c(j, '{');
      vgw_json_uint(j, "code", p->last_code);
      vgw_json_uint(j, "age_s", (guint64)MAX(p->last_response_age_s, 0));
      g_string_append_c(j, '}');
    }
    vgw_json_uint_or_null(j, "connection", p->connection,
                          p->connection != 0);
    vgw_json_key(j, "active");
    g_string_append(j, p->active ? "true" : "false");
    vgw_json_uint(j, "failovers", p->failovers);
    g_string_append_c(j, '}');
  }
  g_string_append_c(j, ']');
}

void vgw_status_proxies_text(GString *t, const VgwStatusProxy *proxies,
                             size_t n) {
  for (size_t i = 0; i < n; i++) {
    const VgwStatusProxy *p = &proxies[i];
    g_string_append_printf(t, "Proxy:        set %u%s%s%s #%u %s",
                           (unsigned)p->set, p->set_name[0] ? " (" : "",
                           p->set_name, p->set_name[0] ? ")" : "",
                           (unsigned)p->ip_index, p->configured);
    if (p->address != NULL) {
      g_string_append_printf(t, " = %s:%u/%s", p->address,
                             (unsigned)p->port, p->transport);
    }
    g_string_append_printf(t, " %s", p->state);
    if (p->reason != NULL) {
      g_string_append_printf(t, " (%s)", p->reason);
    }
    if (p->last_code != 0) {
      g_string_append_printf(t, ", last response %u %" G_GINT64_FORMAT
                             " s ago",
                             (unsigned)p->last_code,
                             (gint64)p->last_response_age_s);
    }
    g_string_append_printf(t, "%s, %" G_GUINT64_FORMAT " failovers\n",
                           p->active ? ", active" : "",
                           (guint64)p->failovers);
  }
}

/* add_generation adds |generation| under |key|, null when 0 (none). */
static void add_generation(GString *j, const char *key, uint64_t generation) {
  vgw_json_uint_or_null(j, key, generation, generation != 0);
}

static void add_config_source(GString *j, const VgwConfigSource *src) {
  vgw_json_key(j, "config_source");
  g_string_append_c(j, '{');
  add_generation(j, "generation", src != NULL ? src->generation : 0);
  vgw_json_key(j, "skipped");
  g_string_append_c(j, '[');
  for (gsize i = 0; src != NULL && i < src->n_skipped; i++) {
    g_string_append(j, i ? ",{" : "{");
    add_generation(j, "generation", src->skipped[i].generation);
    vgw_json_str(j, "reason", src->skipped[i].reason);
    g_string_append_c(j, '}');
  }
  g_string_append(j, "]}");
}

char *vgw_status_to_json(const VgwStatus *st) {
  GString *j = g_string_new("{");
  vgw_json_str(j, "state", st->state);
  vgw_json_uint(j, "uptime_s", st->uptime_s);
  add_identity(j, st);
  vgw_json_key(j, "watchdog");
  g_string_append_c(j, '{');
  vgw_json_bool(j, "enabled", st->wdt_enabled);
  vgw_json_uint(j, "timeout_ms", st->wdt_timeout_ms);
  g_string_append_c(j, '}');
  add_arrays(j, st);
  vgw_json_uint(j, "pending", st->pending);
  vgw_json_key(j, "config");
  g_string_append(j, "{");
  vgw_json_str(j, "source", st->config_source ? st->config_source : "factory");
  add_generation(j, "generation", st->config_generation);
  vgw_json_bool(j, "unsaved", st->config_unsaved);
  g_string_append_c(j, '}');
  add_config_source(j, st->config_boot);
  vgw_json_key(j, "proxies");
  vgw_status_proxies_json(j, st->proxies, st->n_proxies);
  add_tls(j, &st->tls);
  add_tls_keylog(j, &st->tls_keylog);
  add_sip(j, &st->sip);
  g_string_append_c(j, '}');
  return g_string_free(j, FALSE);
}

char *vgw_status_to_ready_json(const VgwStatus *st) {
  GString *j = g_string_new("{");
  add_identity(j, st);
  add_arrays(j, st);
  /* `vgw up` reports a skipped generation from here, without asking for
   * the status once the gateway is ready. */
  add_config_source(j, st->config_boot);
  g_string_append_c(j, '}');
  return g_string_free(j, FALSE);
}

static const char *or_dash(const char *s) {
  return s != NULL ? s : "-";
}

void vgw_status_tls_keylog_text(GString *t, const VgwStatusTlsKeylog *k) {
  if (!k->on) {
    g_string_append_printf(t, "TLS key log:  off (last ended: %s)\n",
                           k->last_end != NULL ? k->last_end : "none");
    return;
  }
  g_string_append(t, "TLS KEY LOG:  ON, TLS SECRETS ARE RECORDED for ");
  if (k->context >= 0) {
    g_string_append_printf(t, "context %d", k->context);
  } else {
    g_string_append(t, "every context");
  }
  g_string_append_printf(t, "; expires in %" G_GUINT64_FORMAT " s; %u lines "
                         "held (of %u), %" G_GUINT64_FORMAT " dropped\n",
                         (guint64)k->expires_in_s, (unsigned)k->lines,
                         (unsigned)k->max_lines, (guint64)k->dropped);
}

static void append_sip_text(GString *t, const VgwStatusSip *sip) {
  if (!sip->present) {
    g_string_append(t, "SIP:          not running\n");
    return;
  }
  for (size_t i = 0; i < sip->n_transports; i++) {
    const VgwStatusSipTransport *tr = &sip->transports[i];
    uint64_t rejected = 0;
    for (size_t k = 0; k < tr->n_rejected; k++) {
      rejected += tr->rejected[k].count;
    }
    g_string_append_printf(t, "SIP %-3s       %" G_GUINT64_FORMAT
                           " received, %" G_GUINT64_FORMAT " sent, %"
                           G_GUINT64_FORMAT " rejected",
                           tr->name, (guint64)tr->received,
                           (guint64)tr->sent, (guint64)rejected);
    for (size_t k = 0; k < tr->n_rejected; k++) {
      g_string_append_printf(t, "%s%s %" G_GUINT64_FORMAT, k ? ", " : " (",
                             tr->rejected[k].name,
                             (guint64)tr->rejected[k].count);
    }
    g_string_append(t, tr->n_rejected ? ")" : "");
    if (tr->stream) {
      g_string_append_printf(
          t, "; %u connections (of %u), %" G_GUINT64_FORMAT
          " accepted, %" G_GUINT64_FORMAT " closed idle after %u s, %"
          G_GUINT64_FORMAT " pings",
          (unsigned)tr->connections, (unsigned)tr->connections_max,
          (guint64)tr->accepted, (guint64)tr->closed_idle,
          (unsigned)tr->idle_timeout_s, (guint64)tr->pings);
      g_string_append_printf(
          t, "; %u opened by us now, %" G_GUINT64_FORMAT " opened, %"
          G_GUINT64_FORMAT " failed to connect",
          (unsigned)tr->outgoing, (guint64)tr->opened,
          (guint64)tr->connect_failures);
    }
    g_string_append_c(t, '\n');
  }
  g_string_append_printf(t, "SIP:          %u server transactions, %"
                         G_GUINT64_FORMAT " retransmissions absorbed, %"
                         G_GUINT64_FORMAT " send errors, %u contacts "
                         "registered\n",
                         (unsigned)sip->server_transactions,
                         (guint64)sip->retransmissions,
                         (guint64)sip->send_errors,
                         (unsigned)sip->registrations);
  if (sip->test_extension.present) {
    g_string_append_printf(t, "Test call:    %" G_GUINT64_FORMAT
                           " calls answered, %u active, %" G_GUINT64_FORMAT
                           " RTP packets echoed\n",
                           (guint64)sip->test_extension.calls,
                           (unsigned)sip->test_extension.active,
                           (guint64)sip->test_extension.echoed_packets);
  }
  if (sip->calls.present) {
    g_string_append_printf(t, "Calls:        %u in progress, %" G_GUINT64_FORMAT
                           " routed (vgw sip calls)\n",
                           (unsigned)sip->calls.in_progress,
                           (guint64)sip->calls.total);
  }
}

char *vgw_status_to_text(const VgwStatus *st) {
  GString *t = g_string_new(NULL);
  g_string_append_printf(t, "State:        %s\n", or_dash(st->state));
  g_string_append_printf(t, "Firmware:     %s\n", or_dash(st->firmware));
  g_string_append_printf(t, "Uptime:       %" G_GUINT64_FORMAT " s\n",
                         (guint64)st->uptime_s);
  g_string_append_printf(t, "Serial:       %s\n", or_dash(st->serial));
  g_string_append_printf(t, "HW revision:  %u\n", (unsigned)st->hw_rev);
  g_string_append_printf(t, "MAC base:     %s\n", or_dash(st->mac_base));
  g_string_append_printf(t, "Reset cause:  %s (resets since power-on: %u)\n",
                         or_dash(st->reset_cause), (unsigned)st->reset_count);
  g_string_append_printf(t, "Crashes:      %u\n", (unsigned)st->crash_count);
  if (st->wdt_enabled) {
    g_string_append_printf(t, "Watchdog:     enabled, %u ms\n",
                           (unsigned)st->wdt_timeout_ms);
  } else {
    g_string_append(t, "Watchdog:     disabled\n");
  }
  for (size_t i = 0; i < st->n_ifaces; i++) {
    const VgwStatusIface *f = &st->ifaces[i];
    g_string_append_printf(t, "Interface:    %-4s %s %s\n", f->name,
                           or_dash(f->mac), f->ipv4 ? f->ipv4 : "(no address)");
  }
  for (size_t i = 0; i < st->n_listeners; i++) {
    const VgwStatusListener *l = &st->listeners[i];
    g_string_append_printf(t, "Listening:    %s/%u on %s %s (SIP Interface "
                           "%s)\n",
                           l->transport, (unsigned)l->port, or_dash(l->network),
                           or_dash(l->address), or_dash(l->interface));
  }
  g_string_append_printf(t, "Pending:      %u value(s) wait for a reset\n",
                         (unsigned)st->pending);
  g_string_append_printf(t, "Config:       %s", or_dash(st->config_source));
  if (st->config_generation != 0) {
    g_string_append_printf(t, ", flash generation %" G_GUINT64_FORMAT,
                           (guint64)st->config_generation);
  }
  g_string_append(t, st->config_unsaved ? ", unsaved changes\n" : "\n");
  for (gsize i = 0; st->config_boot != NULL && i < st->config_boot->n_skipped;
       i++) {
    const VgwConfigSkipped *k = &st->config_boot->skipped[i];
    g_string_append(t, "Rolled back:  ");
    if (k->generation != 0) {
      g_string_append_printf(t, "flash generation %" G_GUINT64_FORMAT,
                             k->generation);
    } else {
      g_string_append(t, "a flash slot of unknown generation");
    }
    g_string_append_printf(t, " skipped (%s)\n", k->reason);
  }
  if (st->tls.present) {
    const VgwStatusTls *tls = &st->tls;
    g_string_append_printf(t, "TLS:          port %u, %s key", tls->port,
                           or_dash(tls->key_source));
    if (tls->slot >= 0) {
      g_string_append_printf(t, " (slot %d)", tls->slot);
    }
    g_string_append_printf(
        t, ", %s, %s; %" G_GUINT64_FORMAT " handshakes, %" G_GUINT64_FORMAT
        " failed, %u half-open (of %u, %" G_GUINT64_FORMAT
        " dropped), %u established (of %u)\n",
        or_dash(tls->key_type), or_dash(tls->subject),
        (guint64)tls->handshakes, (guint64)tls->failures,
        (unsigned)tls->half_open, (unsigned)tls->half_open_max,
        (guint64)tls->half_open_dropped, (unsigned)tls->established,
        (unsigned)tls->established_max);
  } else {
    g_string_append(t, "TLS:          not running\n");
  }
  if (st->tls_keylog.present) {
    vgw_status_tls_keylog_text(t, &st->tls_keylog);
  }
  append_sip_text(t, &st->sip);
  vgw_status_proxies_text(t, st->proxies, st->n_proxies);
  return g_string_free(t, FALSE);
}
