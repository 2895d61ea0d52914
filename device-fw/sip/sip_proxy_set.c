/* One Proxy Set's redundancy logic: see sip_proxy_set.h. */
#include "sip_proxy_set.h"

#include <string.h>

struct SipProxySet {
  SipProxySetConfig cfg;
  SipProxyEventFunc func;
  gpointer func_data;
  guint n;
  SipProxy proxies[SIP_PROXY_SET_MAX_PROXIES];
  gint active;           /* -1: none (load balancing, or no proxies) */
  guint next_rr;         /* round robin: where the next search starts */
  guint64 failovers;
};

G_DEFINE_QUARK(sip-proxy-set-error-quark, sip_proxy_set_error)

const char *sip_proxy_state_name(SipProxyState state) {
  switch (state) {
    case SIP_PROXY_UNKNOWN:
      return "unknown";
    case SIP_PROXY_UP:
      return "up";
    case SIP_PROXY_DOWN:
      return "down";
  }
  return "?";
}

const char *sip_proxy_failure_name(SipProxyFailure failure) {
  switch (failure) {
    case SIP_PROXY_FAILURE_NONE:
      return "none";
    case SIP_PROXY_FAILURE_RESPONSE:
      return "failure-response";
    case SIP_PROXY_FAILURE_TIMEOUT:
      return "timeout";
    case SIP_PROXY_FAILURE_TRANSPORT:
      return "transport-error";
  }
  return "?";
}

gboolean sip_proxy_address_parse(const char *text,
                                 char host[SIP_PROXY_HOST_LEN],
                                 guint16 *port, GError **error) {
  const char *colon = strchr(text, ':');
  gsize host_len = colon != NULL ? (gsize)(colon - text) : strlen(text);
  guint64 number = 0;

  if (host_len == 0 || host_len >= SIP_PROXY_HOST_LEN) {
    g_set_error(error, SIP_PROXY_SET_ERROR, SIP_PROXY_SET_ERROR_BAD_ADDRESS,
                "'%s': the host is empty or longer than %d bytes", text,
                SIP_PROXY_HOST_LEN - 1);
    return FALSE;
  }
  for (gsize k = 0; k < host_len; k++) {
    if (!g_ascii_isalnum(text[k]) && text[k] != '-' && text[k] != '.') {
      g_set_error(error, SIP_PROXY_SET_ERROR,
                  SIP_PROXY_SET_ERROR_BAD_ADDRESS,
                  "'%s': '%c' cannot be in a host name or IPv4 address", text,
                  g_ascii_isprint(text[k]) ? text[k] : '?');
      return FALSE;
    }
  }
  if (colon != NULL &&
      !g_ascii_string_to_unsigned(colon + 1, 10, 1, 65535, &number, NULL)) {
    g_set_error(error, SIP_PROXY_SET_ERROR, SIP_PROXY_SET_ERROR_BAD_ADDRESS,
                "'%s': the port is not a number 1-65535", text);
    return FALSE;
  }
  memcpy(host, text, host_len);
  host[host_len] = '\0';
  *port = (guint16)number;
  return TRUE;
}

SipProxySet *sip_proxy_set_new(const SipProxySetConfig *cfg,
                               SipProxyEventFunc func, gpointer data) {
  SipProxySet *set = g_new0(SipProxySet, 1);

  set->cfg = *cfg;
  set->func = func;
  set->func_data = data;
  set->active = -1;
  return set;
}

void sip_proxy_set_free(SipProxySet *set) {
  g_free(set);
}

const SipProxySetConfig *sip_proxy_set_config(const SipProxySet *set) {
  return &set->cfg;
}

guint sip_proxy_set_count(const SipProxySet *set) {
  return set->n;
}

const SipProxy *sip_proxy_set_proxy(const SipProxySet *set, guint i) {
  g_return_val_if_fail(i < set->n, NULL);
  return &set->proxies[i];
}

gint sip_proxy_set_active(const SipProxySet *set) {
  return set->active;
}

guint64 sip_proxy_set_failovers(const SipProxySet *set) {
  return set->failovers;
}

static gboolean same_peer(const SipPeer *a, const SipPeer *b) {
  return a->transport == b->transport && a->port == b->port &&
         strcmp(a->address, b->address) == 0;
}

gint sip_proxy_set_find(const SipProxySet *set, const SipPeer *peer) {
  for (guint i = 0; i < set->n; i++) {
    if (same_peer(&set->proxies[i].target.peer, peer)) {
      return (gint)i;
    }
  }
  return -1;
}

static void notify(SipProxySet *set, SipProxyEvent event, guint i) {
  if (set->func != NULL) {
    set->func(set, event, i, set->func_data);
  }
}

/* Without keep-alive a down proxy is retried after ProxyKeepAliveTime. */
static void expire_holdoffs(SipProxySet *set, gint64 now_ms) {
  if (set->cfg.keepalive != SIP_KEEPALIVE_OFF) {
    return;
  }
  for (guint i = 0; i < set->n; i++) {
    SipProxy *p = &set->proxies[i];
    if (p->state == SIP_PROXY_DOWN &&
        now_ms - p->changed_ms >= (gint64)set->cfg.keepalive_s * 1000) {
      p->state = SIP_PROXY_UNKNOWN;
      p->failure = SIP_PROXY_FAILURE_NONE;
      p->changed_ms = now_ms;
    }
  }
}

static gboolean usable(const SipProxySet *set, guint i) {
  return set->proxies[i].state != SIP_PROXY_DOWN;
}

/* The first usable proxy at or after |from| in order, wrapping; -1. */
static gint next_usable(const SipProxySet *set, guint from) {
  for (guint k = 0; k < set->n; k++) {
    guint i = (from + k) % set->n;
    if (usable(set, i)) {
      return (gint)i;
    }
  }
  return -1;
}

/* reselect puts the active proxy where the rules want it after a state
 * change: away from a down proxy (a failover), and with homing back to the
 * first usable one. */
static void reselect(SipProxySet *set) {
  if (set->cfg.balancing != SIP_BALANCING_OFF || set->n == 0) {
    set->active = -1;
    return;
  }
  if (set->active < 0) {
    set->active = MAX(next_usable(set, 0), 0);
    return;
  }
  guint old = (guint)set->active;
  if (set->cfg.redundancy == SIP_REDUNDANCY_HOMING) {
    gint first = next_usable(set, 0);
    if (first >= 0 && (guint)first < old) {
      set->active = first;
      notify(set, usable(set, old) ? SIP_PROXY_EVENT_HOMING
                                   : SIP_PROXY_EVENT_FAILOVER,
             (guint)first);
      set->failovers += usable(set, old) ? 0 : 1;
      return;
    }
  }
  if (usable(set, old)) {
    return;
  }
  gint next = next_usable(set, old + 1);
  if (next >= 0 && (guint)next != old) {
    set->active = next;
    set->failovers++;
    notify(set, SIP_PROXY_EVENT_FAILOVER, (guint)next);
  }
}

/* set_state moves proxy |i| to |state|, with its events and the active
 * proxy's reselection. */
static void set_state(SipProxySet *set, guint i, SipProxyState state,
                      SipProxyFailure failure, gint64 now_ms) {
  SipProxy *p = &set->proxies[i];
  SipProxyState old = p->state;

  p->failure = failure;
  if (old == state) {
    return;
  }
  p->state = state;
  p->changed_ms = now_ms;
  if (state == SIP_PROXY_DOWN) {
    p->times_down++;
    if (set->cfg.balancing != SIP_BALANCING_OFF &&
        next_usable(set, 0) >= 0) {
      set->failovers++;
    }
  }
  if (state != SIP_PROXY_UNKNOWN) {
    notify(set, state == SIP_PROXY_UP ? SIP_PROXY_EVENT_UP
                                      : SIP_PROXY_EVENT_DOWN,
           i);
  }
  reselect(set);
}

static void schedule_keepalive(SipProxySet *set, SipProxy *p,
                               gint64 due_ms) {
  p->keepalive_due_ms =
      set->cfg.keepalive != SIP_KEEPALIVE_OFF ? due_ms : -1;
}

void sip_proxy_set_configure(SipProxySet *set, const SipProxySetConfig *cfg,
                             gint64 now_ms) {
  gboolean was_off = set->cfg.keepalive == SIP_KEEPALIVE_OFF;

  set->cfg = *cfg;
  for (guint i = 0; i < set->n; i++) {
    SipProxy *p = &set->proxies[i];
    if (p->keepalive_pending) {
      continue;
    }
    gint64 due = was_off ? now_ms
                         : MIN(p->keepalive_due_ms,
                               now_ms + (gint64)cfg->keepalive_s * 1000);
    schedule_keepalive(set, p, MAX(due, now_ms));
  }
  reselect(set);
}

void sip_proxy_set_set_targets(SipProxySet *set, const SipProxyTarget *targets,
                               guint n, gint64 now_ms) {
  SipProxy next[SIP_PROXY_SET_MAX_PROXIES];
  gint active = -1;

  g_return_if_fail(n <= SIP_PROXY_SET_MAX_PROXIES);
  for (guint k = 0; k < n; k++) {
    SipProxy *p = &next[k];
    gint old = sip_proxy_set_find(set, &targets[k].peer);
    if (old >= 0 &&
        set->proxies[old].target.ip_index == targets[k].ip_index) {
      *p = set->proxies[old];
      if (old == set->active) {
        active = (gint)k;
      }
      continue;
    }
    *p = (SipProxy){.target = targets[k],
                    .state = SIP_PROXY_UNKNOWN,
                    .failure = SIP_PROXY_FAILURE_NONE,
                    .last_response_ms = -1,
                    .changed_ms = now_ms};
    p->target.peer.connection = 0;
    schedule_keepalive(set, p, now_ms);
  }
  memcpy(set->proxies, next, n * sizeof(next[0]));
  set->n = n;
  set->next_rr = 0;
  set->active = active;
  reselect(set);
}

gboolean sip_proxy_set_pick(SipProxySet *set, gint64 now_ms, guint32 random,
                            guint *i) {
  expire_holdoffs(set, now_ms);
  reselect(set);
  gint chosen = -1;
  switch (set->cfg.balancing) {
    case SIP_BALANCING_OFF:
      if (set->active >= 0 && usable(set, (guint)set->active)) {
        chosen = set->active;
      }
      break;
    case SIP_BALANCING_ROUND_ROBIN:
      chosen = set->n > 0 ? next_usable(set, set->next_rr % set->n) : -1;
      if (chosen >= 0) {
        set->next_rr = (guint)chosen + 1;
      }
      break;
    case SIP_BALANCING_RANDOM_WEIGHTS: {
      /* Equal weights: the |random % usable|th usable proxy. */
      guint n_usable = 0;
      for (guint k = 0; k < set->n; k++) {
        n_usable += usable(set, k) ? 1 : 0;
      }
      guint nth = n_usable > 0 ? random % n_usable : 0;
      for (guint k = 0; k < set->n && n_usable > 0; k++) {
        if (usable(set, k) && nth-- == 0) {
          chosen = (gint)k;
          break;
        }
      }
      break;
    }
  }
  if (chosen < 0) {
    return FALSE;
  }
  *i = (guint)chosen;
  return TRUE;
}

gboolean sip_proxy_set_hot_swap(SipProxySet *set, guint failed,
                                gint64 now_ms, guint *i) {
  expire_holdoffs(set, now_ms);
  if (!set->cfg.hot_swap || set->n == 0) {
    return FALSE;
  }
  gint next = next_usable(set, failed + 1);
  if (next < 0 || (guint)next == failed) {
    return FALSE;
  }
  *i = (guint)next;
  return TRUE;
}

gint64 sip_proxy_set_next_keepalive(const SipProxySet *set) {
  gint64 next = -1;

  for (guint i = 0; i < set->n; i++) {
    const SipProxy *p = &set->proxies[i];
    if (!p->keepalive_pending && p->keepalive_due_ms >= 0 &&
        (next < 0 || p->keepalive_due_ms < next)) {
      next = p->keepalive_due_ms;
    }
  }
  return next;
}

gboolean sip_proxy_set_take_keepalive(SipProxySet *set, gint64 now_ms,
                                      guint *i) {
  for (guint k = 0; k < set->n; k++) {
    SipProxy *p = &set->proxies[k];
    if (!p->keepalive_pending && p->keepalive_due_ms >= 0 &&
        p->keepalive_due_ms <= now_ms) {
      p->keepalive_pending = TRUE;
      p->keepalive_due_ms = -1;
      *i = k;
      return TRUE;
    }
  }
  return FALSE;
}

/* keepalive_done plans the next keep-alive of proxy |i| once one ended. */
static void keepalive_done(SipProxySet *set, guint i, gint64 now_ms) {
  SipProxy *p = &set->proxies[i];

  p->keepalive_pending = FALSE;
  schedule_keepalive(set, p, now_ms + (gint64)set->cfg.keepalive_s * 1000);
}

static gboolean is_failure_code(const SipProxySetConfig *cfg, guint code) {
  for (guint k = 0; k < cfg->n_failure_codes; k++) {
    if (cfg->failure_codes[k] == code) {
      return TRUE;
    }
  }
  return FALSE;
}

void sip_proxy_set_answered(SipProxySet *set, guint i, guint code,
                            gboolean keepalive, gint64 now_ms) {
  g_return_if_fail(i < set->n);
  SipProxy *p = &set->proxies[i];

  p->last_code = code;
  p->last_response_ms = now_ms;
  if (code < 200) {
    return;
  }
  if (keepalive) {
    keepalive_done(set, i, now_ms);
  }
  if (keepalive && set->cfg.keepalive == SIP_KEEPALIVE_OPTIONS &&
      is_failure_code(&set->cfg, code)) {
    set_state(set, i, SIP_PROXY_DOWN, SIP_PROXY_FAILURE_RESPONSE, now_ms);
  } else {
    set_state(set, i, SIP_PROXY_UP, SIP_PROXY_FAILURE_NONE, now_ms);
  }
}

void sip_proxy_set_failed(SipProxySet *set, guint i, SipProxyFailure failure,
                          gboolean keepalive, gint64 now_ms) {
  g_return_if_fail(i < set->n);
  g_return_if_fail(failure == SIP_PROXY_FAILURE_TIMEOUT ||
                   failure == SIP_PROXY_FAILURE_TRANSPORT);
  if (keepalive) {
    keepalive_done(set, i, now_ms);
  }
  if (failure == SIP_PROXY_FAILURE_TRANSPORT) {
    set->proxies[i].target.peer.connection = 0;
  }
  set_state(set, i, SIP_PROXY_DOWN, failure, now_ms);
}

void sip_proxy_set_set_connection(SipProxySet *set, guint i,
                                  guint64 connection) {
  g_return_if_fail(i < set->n);
  set->proxies[i].target.peer.connection = connection;
}
