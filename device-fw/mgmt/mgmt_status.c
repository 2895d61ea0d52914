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
    add_str(j, "transport", st->listeners[i].transport);
    add_num(j, "port", st->listeners[i].port);
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

static void add_tls(GString *j, const VgwStatusTls *tls) {
  add_key(j, "tls");
  if (!tls->present) {
    g_string_append(j, "null");
    return;
  }
  g_string_append_c(j, '{');
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
  add_num(j, "connections", tls->connections);
  add_num(j, "engine_signatures", tls->engine_signatures);
  g_string_append_c(j, '}');
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
  add_key(j, "generation");
  if (st->config_generation == 0) {
    g_string_append(j, "null");
  } else {
    g_string_append_printf(j, "%" G_GUINT64_FORMAT,
                           (guint64)st->config_generation);
  }
  g_string_append_printf(j, ",\"unsaved\":%s}",
                         st->config_unsaved ? "true" : "false");
  add_tls(j, &st->tls);
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
    g_string_append_printf(t, "Listening:    %s/%u\n",
                           st->listeners[i].transport,
                           (unsigned)st->listeners[i].port);
  }
  g_string_append_printf(t, "Pending:      %u value(s) wait for a reset\n",
                         (unsigned)st->pending);
  g_string_append_printf(t, "Config:       %s", or_dash(st->config_source));
  if (st->config_generation != 0) {
    g_string_append_printf(t, ", flash generation %" G_GUINT64_FORMAT,
                           (guint64)st->config_generation);
  }
  g_string_append(t, st->config_unsaved ? ", unsaved changes\n" : "\n");
  if (st->tls.present) {
    const VgwStatusTls *tls = &st->tls;
    g_string_append_printf(t, "TLS:          port %u, %s key", tls->port,
                           or_dash(tls->key_source));
    if (tls->slot >= 0) {
      g_string_append_printf(t, " (slot %d)", tls->slot);
    }
    g_string_append_printf(
        t, ", %s, %s; %" G_GUINT64_FORMAT " handshakes, %" G_GUINT64_FORMAT
        " failed, %u open\n",
        or_dash(tls->key_type), or_dash(tls->subject),
        (guint64)tls->handshakes, (guint64)tls->failures,
        (unsigned)tls->connections);
  } else {
    g_string_append(t, "TLS:          not running\n");
  }
  return g_string_free(t, FALSE);
}
