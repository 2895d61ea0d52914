/* Status rendering: see mgmt_status.h. */
#include "mgmt/mgmt_status.h"

#include "mgmt/mgmt_proto.h"

static void add_key(GString *j, const char *key) {
  if (j->str[j->len - 1] != '{') {
    g_string_append_c(j, ',');
  }
  vgw_mgmt_json_append_string(j, key);
  g_string_append_c(j, ':');
}

static void add_str(GString *j, const char *key, const char *value) {
  add_key(j, key);
  vgw_mgmt_json_append_string(j, value);
}

static void add_num(GString *j, const char *key, uint64_t value) {
  add_key(j, key);
  g_string_append_printf(j, "%" G_GUINT64_FORMAT, (guint64)value);
}

static void add_arrays(GString *j, const VgwStatus *st) {
  add_key(j, "interfaces");
  g_string_append_c(j, '[');
  for (size_t i = 0; i < st->n_ifaces; i++) {
    const VgwStatusIface *f = &st->ifaces[i];
    g_string_append(j, i ? ",{" : "{");
    add_str(j, "name", f->name);
    add_str(j, "mac", f->mac);
    add_str(j, "ipv4", f->ipv4);
    g_string_append_c(j, '}');
  }
  g_string_append(j, "]");
  add_key(j, "listeners");
  g_string_append_c(j, '[');
  for (size_t i = 0; i < st->n_listeners; i++) {
    g_string_append(j, i ? ",{" : "{");
    const VgwStatusListener *l = &st->listeners[i];
    add_str(j, "transport", l->transport);
    add_num(j, "port", l->port);
    add_str(j, "interface", l->interface);
    add_str(j, "network", l->network);
    add_str(j, "address", l->address);
    if (l->stream) {
      add_num(j, "connections", l->connections);
      add_num(j, "refused", l->refused);
    }
    g_string_append_c(j, '}');
  }
  g_string_append(j, "]");
}

static void add_identity(GString *j, const VgwStatus *st) {
  add_str(j, "firmware", st->firmware);
  add_str(j, "serial", st->serial);
  add_num(j, "hw_rev", st->hw_rev);
  add_str(j, "mac_base", st->mac_base);
  add_str(j, "reset_cause", st->reset_cause);
  add_num(j, "reset_count", st->reset_count);
  add_num(j, "crash_count", st->crash_count);
}

/* add_counts adds |n| named counters as an object under |key|. */
static void add_counts(GString *j, const char *key, const VgwStatusCount *c,
                       size_t n) {
  add_key(j, key);
  g_string_append_c(j, '{');
  for (size_t i = 0; i < n; i++) {
    add_num(j, c[i].name, c[i].count);
  }
  g_string_append_c(j, '}');
}

/* open_object adds |key| and opens its object when |present|; else the
 * value is null and it returns FALSE. */
static gboolean open_object(GString *j, const char *key, gboolean present) {
  add_key(j, key);
  g_string_append(j, present ? "{" : "null");
  return present;
}

static void add_tls(GString *j, const VgwStatusTls *tls) {
  if (!open_object(j, "tls", tls->present)) {
    return;
  }
  add_num(j, "port", tls->port);
  add_str(j, "key_source", tls->key_source);
  add_key(j, "slot");
  if (tls->slot < 0) {
    g_string_append(j, "null");
  } else {
    g_string_append_printf(j, "%d", tls->slot);
  }
  add_str(j, "key_type", tls->key_type);
  add_str(j, "subject", tls->subject);
  add_str(j, "cert_sha256", tls->cert_sha256);
  add_num(j, "handshakes", tls->handshakes);
  add_num(j, "failures", tls->failures);
  add_counts(j, "failure_reasons", tls->failure_reasons,
             tls->n_failure_reasons);
  add_num(j, "connections", (uint64_t)tls->half_open + tls->established);
  add_num(j, "half_open", tls->half_open);
  add_num(j, "half_open_max", tls->half_open_max);
  add_num(j, "half_open_dropped", tls->half_open_dropped);
  add_num(j, "established", tls->established);
  add_num(j, "established_max", tls->established_max);
  add_num(j, "handshake_timeout_s", tls->handshake_timeout_s);
  add_num(j, "engine_signatures", tls->engine_signatures);
  g_string_append_c(j, '}');
}

static void add_sip(GString *j, const VgwStatusSip *sip) {
  if (!open_object(j, "sip", sip->present)) {
    return;
  }
  add_num(j, "server_transactions", sip->server_transactions);
  add_num(j, "retransmissions", sip->retransmissions);
  add_num(j, "send_errors", sip->send_errors);
  add_num(j, "registrations", sip->registrations);
  for (size_t i = 0; i < sip->n_transports; i++) {
    const VgwStatusSipTransport *t = &sip->transports[i];
    open_object(j, t->name, TRUE);
    add_num(j, "received", t->received);
    add_num(j, "sent", t->sent);
    add_counts(j, "rejected", t->rejected, t->n_rejected);
    if (t->stream) {
      add_num(j, "connections", t->connections);
      add_num(j, "connections_max", t->connections_max);
      add_num(j, "accepted", t->accepted);
      add_num(j, "closed_idle", t->closed_idle);
      add_num(j, "idle_timeout_s", t->idle_timeout_s);
      add_num(j, "pings", t->pings);
    }
    g_string_append_c(j, '}');
  }
  if (open_object(j, "test_extension", sip->test_extension.present)) {
    add_num(j, "calls", sip->test_extension.calls);
    add_num(j, "active", sip->test_extension.active);
    add_num(j, "echoed_packets", sip->test_extension.echoed_packets);
    g_string_append_c(j, '}');
  }
  g_string_append_c(j, '}');
}

/* add_generation adds |generation| under |key|, null when 0 (none). */
static void add_generation(GString *j, const char *key, uint64_t generation) {
  add_key(j, key);
  if (generation == 0) {
    g_string_append(j, "null");
  } else {
    g_string_append_printf(j, "%" G_GUINT64_FORMAT, (guint64)generation);
  }
}

static void add_config_source(GString *j, const VgwConfigSource *src) {
  add_key(j, "config_source");
  g_string_append_c(j, '{');
  add_generation(j, "generation", src != NULL ? src->generation : 0);
  add_key(j, "skipped");
  g_string_append_c(j, '[');
  for (gsize i = 0; src != NULL && i < src->n_skipped; i++) {
    g_string_append(j, i ? ",{" : "{");
    add_generation(j, "generation", src->skipped[i].generation);
    add_str(j, "reason", src->skipped[i].reason);
    g_string_append_c(j, '}');
  }
  g_string_append(j, "]}");
}

char *vgw_status_to_json(const VgwStatus *st) {
  GString *j = g_string_new("{");
  add_str(j, "state", st->state);
  add_num(j, "uptime_s", st->uptime_s);
  add_identity(j, st);
  add_key(j, "watchdog");
  g_string_append_printf(j, "{\"enabled\":%s,\"timeout_ms\":%u}",
                         st->wdt_enabled ? "true" : "false",
                         (unsigned)st->wdt_timeout_ms);
  add_arrays(j, st);
  add_num(j, "pending", st->pending);
  add_key(j, "config");
  g_string_append(j, "{");
  add_str(j, "source", st->config_source ? st->config_source : "factory");
  add_generation(j, "generation", st->config_generation);
  g_string_append_printf(j, ",\"unsaved\":%s}",
                         st->config_unsaved ? "true" : "false");
  add_config_source(j, st->config_boot);
  add_tls(j, &st->tls);
  add_sip(j, &st->sip);
  g_string_append_c(j, '}');
  return g_string_free(j, FALSE);
}

char *vgw_status_to_ready_json(const VgwStatus *st) {
  GString *j = g_string_new("{");
  add_identity(j, st);
  add_arrays(j, st);
  g_string_append_c(j, '}');
  return g_string_free(j, FALSE);
}

static const char *or_dash(const char *s) {
  return s != NULL ? s : "-";
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
  append_sip_text(t, &st->sip);
  return g_string_free(t, FALSE);
}
