/* SIP listeners: see listeners.h. */
#include "vgwd/listeners.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>

#include "net/sockets.h"
#include "tls/tls_context_table.h"
#include "vgwd/test_extension.h"

#define TCP_BACKLOG 64

/* The ini check's idea of the test extension's ports is the real one. */
G_STATIC_ASSERT(VGW_SIP_IFACE_RTP_FIRST == VGW_TEST_RTP_PORT_BASE);
G_STATIC_ASSERT(VGW_SIP_IFACE_RTP_LAST ==
                VGW_TEST_RTP_PORT_BASE + VGW_TEST_RTP_PORTS - 1);
/* Every row has its own slot in the transport's per-interface counts. */
G_STATIC_ASSERT(VGW_SIP_IFACE_MAX == VGW_SIP_INTERFACES);

/* One bound listening socket. */
typedef struct {
  VgwListeners *owner;
  guint slot;             /* the interface: its row, 0 for the implicit */
  char *name;             /* the interface's name */
  VgwNetwork network;
  VgwSipListen kind;
  uint16_t port;
  char address[INET_ADDRSTRLEN];
  int fd;                 /* UDP, TCP (TLS: the TLS listener's) */
  guint accept_watch;     /* TCP */
  VgwTlsServer *tls_server; /* TLS: the server it was given to */
  VgwTlsListener *tls;
} Listener;

/* One listener the configuration asks for. */
typedef struct {
  guint slot;
  const char *name;
  VgwNetwork network;
  VgwSipListen kind;
  uint16_t port;
  guint tls_context;   /* TLS: the context it serves, and why */
  const char *tls_why;
  gboolean tls_mutual; /* TLS: it requires a client certificate, and */
  const char *tls_mutual_rule; /* the rule that decided it */
} Wanted;

struct VgwListeners {
  VgwSipTransport *sip;
  VgwTlsServer *tls;
  char *address[VGW_NETWORK_COUNT]; /* "a.b.c.d" or NULL */
  GPtrArray *open;                  /* Listener*, owned */
  /* The configuration's interfaces, names owned, and the TLS Context
   * each one's TLS listener serves with the reason (owned). */
  VgwSipIface ifaces[VGW_SIP_IFACE_MAX];
  guint tls_context[VGW_SIP_IFACE_MAX];
  char *tls_why[VGW_SIP_IFACE_MAX];
  gboolean tls_mutual[VGW_SIP_IFACE_MAX];
  char *tls_mutual_rule[VGW_SIP_IFACE_MAX];
  gsize n_ifaces;
  gboolean complete;
};

static const SipTransport sip_transport_of[VGW_SIP_LISTEN_COUNT] = {
    SIP_TRANSPORT_UDP, SIP_TRANSPORT_TCP, SIP_TRANSPORT_TLS};

static void on_accepted(int fd, const char *peer, gpointer data) {
  Listener *ln = data;
  vgw_sip_transport_accept_tcp(ln->owner->sip, ln->slot, fd, peer);
}

static gboolean on_tcp_accept(int fd, GIOCondition cond, gpointer data) {
  vgw_tcp_accept_all(fd, on_accepted, data);
  return G_SOURCE_CONTINUE;
}

/* slot_of is the transport's interface number of |f|. */
static guint slot_of(const VgwSipIface *f) {
  return f->row == VGW_SIP_IFACE_IMPLICIT ? 0 : (guint)f->row;
}

static gboolean same_listener(const VgwListeners *l, const Listener *ln,
                              const Wanted *w, const char *address) {
  return ln->slot == w->slot && ln->network == w->network &&
         (ln->kind != VGW_SIP_LISTEN_TLS || ln->tls_server == l->tls) &&
         ln->kind == w->kind && ln->port == w->port && address != NULL &&
         strcmp(ln->address, address) == 0;
}

/* wanted_list is every listener the interfaces ask for that can be
 * opened now (its network port has an address; TLS with a server). */
static GArray *wanted_list(const VgwListeners *l) {
  GArray *out = g_array_new(FALSE, FALSE, sizeof(Wanted));
  for (gsize i = 0; i < l->n_ifaces; i++) {
    const VgwSipIface *f = &l->ifaces[i];
    for (int k = 0; k < VGW_SIP_LISTEN_COUNT; k++) {
      if (f->port[k] == 0 || l->address[f->network] == NULL ||
          (k == VGW_SIP_LISTEN_TLS && l->tls == NULL)) {
        continue;
      }
      Wanted w = {slot_of(f),        f->name,           f->network, k,
                  f->port[k],        l->tls_context[i], l->tls_why[i],
                  l->tls_mutual[i],  l->tls_mutual_rule[i]};
      g_array_append_val(out, w);
    }
  }
  return out;
}

/* missing_address says whether an interface with a listener waits for
 * its port's address. */
static gboolean missing_address(const VgwListeners *l) {
  for (gsize i = 0; i < l->n_ifaces; i++) {
    const VgwSipIface *f = &l->ifaces[i];
    gboolean listens = FALSE;
    for (int k = 0; k < VGW_SIP_LISTEN_COUNT; k++) {
      listens |= f->port[k] != 0;
    }
    if (listens && l->address[f->network] == NULL) {
      return TRUE;
    }
  }
  return FALSE;
}

static void listener_close(VgwListeners *l, Listener *ln) {
  const char *why = "its SIP Interface listener was closed";
  g_message("sip: SIP Interface %s: closing %s %s:%u", ln->name,
            vgw_sip_listen_name(ln->kind), ln->address, ln->port);
  switch (ln->kind) {
    case VGW_SIP_LISTEN_UDP:
      vgw_sip_transport_stop_udp(l->sip, ln->fd);
      close(ln->fd);
      break;
    case VGW_SIP_LISTEN_TCP:
      g_source_remove(ln->accept_watch);
      close(ln->fd);
      vgw_sip_transport_close_interface(l->sip, SIP_TRANSPORT_TCP, ln->slot,
                                        why);
      break;
    case VGW_SIP_LISTEN_TLS:
      vgw_tls_server_unlisten(ln->tls_server, ln->tls, TRUE);
      break;
    case VGW_SIP_LISTEN_COUNT:
      g_assert_not_reached();
  }
  g_free(ln->name);
  g_free(ln);
}

/* tls_listener_follow gives TLS listener |ln| the context |w| serves,
 * its client-certificate requirement and the name its connections belong
 * to (`show tls connections`), from its next connection on. */
static void tls_listener_follow(Listener *ln, const Wanted *w) {
  g_autofree char *owner = g_strdup_printf("SIP Interface %s", w->name);
  vgw_tls_listener_set_context(ln->tls, w->tls_context, w->tls_why);
  vgw_tls_listener_set_client_auth(ln->tls, w->tls_mutual, w->tls_mutual_rule);
  vgw_tls_listener_set_owner(ln->tls, owner);
}

/* listener_open binds |w| on |address|; NULL, logged, if it cannot. */
static Listener *listener_open(VgwListeners *l, const Wanted *w,
                               const char *address) {
  struct in_addr in;
  GError *error = NULL;
  int type = w->kind == VGW_SIP_LISTEN_UDP ? SOCK_DGRAM : SOCK_STREAM;

  if (inet_pton(AF_INET, address, &in) != 1) {
    return NULL;
  }
  int fd = vgw_inet_bind(type, in, w->port, TCP_BACKLOG, NULL, &error);
  if (fd < 0) {
    g_warning("sip: SIP Interface %s on %s: cannot listen: %s", w->name,
              vgw_network_name(w->network), error->message);
    g_error_free(error);
    return NULL;
  }
  Listener *ln = g_new0(Listener, 1);
  ln->owner = l;
  ln->slot = w->slot;
  ln->name = g_strdup(w->name);
  ln->network = w->network;
  ln->kind = w->kind;
  ln->port = w->port;
  g_strlcpy(ln->address, address, sizeof(ln->address));
  ln->fd = fd;
  switch (w->kind) {
    case VGW_SIP_LISTEN_UDP:
      vgw_sip_transport_serve_udp(l->sip, w->slot, fd);
      break;
    case VGW_SIP_LISTEN_TCP:
      ln->accept_watch = g_unix_fd_add(fd, G_IO_IN, on_tcp_accept, ln);
      break;
    case VGW_SIP_LISTEN_TLS:
      ln->tls_server = l->tls;
      ln->tls = vgw_tls_server_listen(l->tls, fd, (int)w->slot);
      tls_listener_follow(ln, w);
      break;
    case VGW_SIP_LISTEN_COUNT:
      g_assert_not_reached();
  }
  g_message("sip: SIP Interface %s: listening on %s %s:%u (%s)", ln->name,
            vgw_sip_listen_name(ln->kind), address, ln->port,
            vgw_network_name(ln->network));
  return ln;
}

/* reconcile closes the open listeners nobody wants any more, then opens
 * the wanted ones not open yet (closing first frees their ports). */
static void reconcile(VgwListeners *l) {
  GArray *wanted = wanted_list(l);
  gboolean *have = g_new0(gboolean, wanted->len + 1);

  for (guint i = l->open->len; i-- > 0;) {
    Listener *ln = g_ptr_array_index(l->open, i);
    gboolean keep = FALSE;
    for (guint w = 0; w < wanted->len && !keep; w++) {
      const Wanted *want = &g_array_index(wanted, Wanted, w);
      if (!have[w] &&
          same_listener(l, ln, want, l->address[want->network])) {
        have[w] = keep = TRUE;
        if (strcmp(ln->name, want->name) != 0) {
          g_free(ln->name);
          ln->name = g_strdup(want->name);
        }
        if (ln->kind == VGW_SIP_LISTEN_TLS) {
          /* The interface's TLSContext may have changed: from the next
           * connection on. */
          tls_listener_follow(ln, want);
        }
      }
    }
    if (!keep) {
      g_ptr_array_remove_index(l->open, i);
      listener_close(l, ln);
    }
  }
  gboolean complete = !missing_address(l);
  for (guint w = 0; w < wanted->len; w++) {
    const Wanted *want = &g_array_index(wanted, Wanted, w);
    if (have[w]) {
      continue;
    }
    Listener *ln = listener_open(l, want, l->address[want->network]);
    if (ln != NULL) {
      g_ptr_array_add(l->open, ln);
    } else {
      complete = FALSE;
    }
  }
  l->complete = complete;
  g_free(have);
  g_array_unref(wanted);
}

VgwListeners *vgw_listeners_new(VgwSipTransport *sip) {
  VgwListeners *l = g_new0(VgwListeners, 1);
  l->sip = sip;
  l->open = g_ptr_array_new();
  return l;
}

void vgw_listeners_set_tls(VgwListeners *l, VgwTlsServer *tls) {
  l->tls = tls;
  reconcile(l);
}

void vgw_listeners_set_address(VgwListeners *l, VgwNetwork network,
                               const char *ipv4) {
  char *address = NULL;
  struct in_addr in;

  if (ipv4 != NULL) {
    address = g_strndup(ipv4, strcspn(ipv4, "/"));
    if (inet_pton(AF_INET, address, &in) != 1) {
      g_clear_pointer(&address, g_free);
    }
  }
  if (g_strcmp0(address, l->address[network]) == 0) {
    g_free(address);
    return;
  }
  g_free(l->address[network]);
  l->address[network] = address;
  reconcile(l);
}

void vgw_listeners_apply(VgwListeners *l, const VgwParamConfig *cfg) {
  VgwSipIface ifaces[VGW_SIP_IFACE_MAX];
  gsize n = vgw_sip_interfaces_read(cfg, ifaces);

  for (gsize i = 0; i < l->n_ifaces; i++) {
    g_free((char *)l->ifaces[i].name);
    g_free(l->tls_why[i]);
    g_free(l->tls_mutual_rule[i]);
  }
  for (gsize i = 0; i < n; i++) {
    l->ifaces[i] = ifaces[i];
    l->ifaces[i].name = g_strdup(ifaces[i].name);
    if (ifaces[i].row == VGW_SIP_IFACE_IMPLICIT) {
      l->tls_context[i] = 0;
      l->tls_why[i] = g_strdup("default: no SIP Interface is configured");
    } else {
      l->tls_context[i] = vgw_tls_context_for_interface(
          cfg, ifaces[i].name, ifaces[i].tls_context, &l->tls_why[i]);
    }
    l->tls_mutual[i] = vgw_sip_iface_requires_client_cert(
        cfg, &ifaces[i], &l->tls_mutual_rule[i]);
    l->ifaces[i].tls_context = NULL; /* borrowed from |cfg|: not kept */
  }
  l->n_ifaces = n;
  reconcile(l);
}

gboolean vgw_listeners_complete(const VgwListeners *l) {
  return l->complete;
}

guint16 vgw_listeners_port(const VgwListeners *l, const char *address,
                           SipTransport transport) {
  for (gsize i = 0; i < l->n_ifaces; i++) {
    guint slot = slot_of(&l->ifaces[i]);
    for (guint k = 0; k < l->open->len; k++) {
      const Listener *ln = g_ptr_array_index(l->open, k);
      if (ln->slot == slot && sip_transport_of[ln->kind] == transport &&
          strcmp(ln->address, address) == 0) {
        return ln->port;
      }
    }
  }
  return 0;
}

size_t vgw_listeners_describe(const VgwListeners *l, VgwStatusListener *out,
                              size_t max) {
  size_t n = 0;
  for (guint i = 0; i < l->open->len && n < max; i++) {
    const Listener *ln = g_ptr_array_index(l->open, i);
    VgwStatusListener *s = &out[n++];
    *s = (VgwStatusListener){.transport = vgw_sip_listen_name(ln->kind),
                             .port = ln->port,
                             .interface = ln->name,
                             .network = vgw_network_name(ln->network),
                             .address = ln->address};
    if (ln->kind != VGW_SIP_LISTEN_UDP) {
      VgwSipInterfaceConns c = vgw_sip_transport_interface_conns(
          l->sip, sip_transport_of[ln->kind], ln->slot);
      s->stream = TRUE;
      s->connections = c.open;
      s->refused = c.refused;
    }
  }
  return n;
}
