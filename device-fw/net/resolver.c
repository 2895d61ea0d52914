/* Host names to IPv4 addresses: see resolver.h. */
#include "net/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

/* Lookups at once: a Proxy Set has at most five names, and getaddrinfo()
 * may wait seconds for a silent server. */
#define DNS_THREADS 2

G_DEFINE_QUARK(vgw-resolve-error-quark, vgw_resolve_error)

const char *vgw_resolved_source_name(VgwResolvedSource source) {
  switch (source) {
    case VGW_RESOLVED_LITERAL:
      return "literal";
    case VGW_RESOLVED_DNS2IP:
      return "dns2ip";
    case VGW_RESOLVED_DNS:
      return "dns";
  }
  return "?";
}

/* add_address appends |a| (network byte order) unless it is there or the
 * list is full. */
static void add_address(VgwAddressList *out, struct in_addr a) {
  char text[VGW_RESOLVE_ADDRESS_LEN];

  if (out->n == VGW_RESOLVE_MAX_ADDRESSES ||
      inet_ntop(AF_INET, &a, text, sizeof(text)) == NULL) {
    return;
  }
  for (guint i = 0; i < out->n; i++) {
    if (strcmp(out->address[i], text) == 0) {
      return;
    }
  }
  g_strlcpy(out->address[out->n++], text, sizeof(text));
}

gboolean vgw_dns2ip_lookup(const VgwParamConfig *cfg, const char *name,
                           VgwAddressList *out) {
  const VgwTableDesc *table = vgw_param_table(VGW_TABLE_DNS2IP);

  memset(out, 0, sizeof(*out));
  for (gsize r = 0; r < vgw_param_config_row_count(cfg, VGW_TABLE_DNS2IP);
       r++) {
    const VgwParamRow *row = vgw_param_config_row_at(cfg, VGW_TABLE_DNS2IP, r);
    if (g_ascii_strcasecmp(row->values[table->name_column].str, name) != 0) {
      continue;
    }
    /* The address columns follow DomainName. */
    for (gsize c = 1; c < table->n_columns; c++) {
      guint32 host_order = (guint32)row->values[c].num;
      if (host_order != 0) {
        add_address(out, (struct in_addr){htonl(host_order)});
      }
    }
    return out->n > 0;
  }
  return FALSE;
}

gboolean vgw_resolve_local(const VgwParamConfig *cfg, const char *name,
                           VgwAddressList *out, VgwResolvedSource *source) {
  struct in_addr a;

  memset(out, 0, sizeof(*out));
  if (inet_pton(AF_INET, name, &a) == 1) {
    add_address(out, a);
    *source = VGW_RESOLVED_LITERAL;
    return TRUE;
  }
  if (vgw_dns2ip_lookup(cfg, name, out)) {
    *source = VGW_RESOLVED_DNS2IP;
    return TRUE;
  }
  return FALSE;
}

struct VgwDnsLookup {
  /* Set by the starting thread; read by the worker. */
  char *name;
  VgwDnsLookupFunc func;
  gpointer data;
  GMainContext *context;
  /* Touched only on the starting thread. */
  gboolean cancelled;
  /* Written by the worker before it hands the lookup back. */
  VgwAddressList result;
  GError *error;
};

static gboolean lookup_done(gpointer data) {
  VgwDnsLookup *l = data;

  if (!l->cancelled) {
    l->func(l->name, l->error == NULL ? &l->result : NULL, l->error,
            l->data);
  }
  g_clear_error(&l->error);
  g_main_context_unref(l->context);
  g_free(l->name);
  g_free(l);
  return G_SOURCE_REMOVE;
}

static GError *lookup_error(const char *name, int rc) {
  VgwResolveError code = VGW_RESOLVE_ERROR_FAILED;

  if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY) {
    code = VGW_RESOLVE_ERROR_NOT_FOUND;
  } else if (rc == EAI_AGAIN) {
    code = VGW_RESOLVE_ERROR_TEMPORARY;
  }
  return g_error_new(VGW_RESOLVE_ERROR, code, "%s: %s", name,
                     gai_strerror(rc));
}

/* On a worker thread: the blocking part. */
static void lookup_run(gpointer data, gpointer unused) {
  VgwDnsLookup *l = data;
  struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_DGRAM};
  struct addrinfo *res = NULL;
  int rc = getaddrinfo(l->name, NULL, &hints, &res);

  if (rc != 0) {
    l->error = lookup_error(l->name, rc);
  } else {
    for (const struct addrinfo *ai = res; ai != NULL; ai = ai->ai_next) {
      if (ai->ai_family == AF_INET &&
          ai->ai_addrlen >= sizeof(struct sockaddr_in)) {
        add_address(&l->result,
                    ((const struct sockaddr_in *)ai->ai_addr)->sin_addr);
      }
    }
    freeaddrinfo(res);
    if (l->result.n == 0) {
      l->error = lookup_error(l->name, EAI_NODATA);
    }
  }
  /* Never g_main_context_invoke(): when no thread owns the context at
   * that moment, it runs lookup_done here, on the worker, racing with
   * vgw_dns_lookup_cancel() and calling back on the wrong thread. */
  GSource *done = g_idle_source_new();
  g_source_set_callback(done, lookup_done, l, NULL);
  g_source_attach(done, l->context);
  g_source_unref(done);
}

static GThreadPool *dns_pool(void) {
  static GThreadPool *pool;

  if (g_once_init_enter(&pool)) {
    g_once_init_leave(&pool, g_thread_pool_new(lookup_run, NULL, DNS_THREADS,
                                               FALSE, NULL));
  }
  return pool;
}

VgwDnsLookup *vgw_dns_lookup_start(const char *name, VgwDnsLookupFunc func,
                                   gpointer data) {
  VgwDnsLookup *l = g_new0(VgwDnsLookup, 1);

  l->name = g_strdup(name);
  l->func = func;
  l->data = data;
  l->context = g_main_context_ref_thread_default();
  g_thread_pool_push(dns_pool(), l, NULL);
  return l;
}

void vgw_dns_lookup_cancel(VgwDnsLookup *lookup) {
  lookup->cancelled = TRUE;
}
