/* The registrar: see sip_registrar.h. */
#include "sip_registrar.h"

#include <string.h>

#include "sip_message.h"

typedef struct {
  char *contact;
  char *call_id;
  guint32 cseq;
  gint64 expires_at;
  SipTransport transport;
  char source_address[48];
  guint16 source_port;
  guint64 connection;
  guint64 generation; /* registrar's count when made: larger is newer */
  SipClientIdentity *client_identity; /* NULL: none */
} Binding;

typedef struct {
  char *aor;
  char *user; /* the AOR's user part, "" for none */
  char *host; /* lower-cased */
  GPtrArray *bindings; /* of Binding, in the order first bound */
} Aor;

struct SipRegistrar {
  SipRegistrarLimits limits;
  SipRegistrarClock clock;
  gpointer clock_data;
  GHashTable *aors; /* AOR string -> Aor */
  guint64 generation; /* bindings made so far */
  SipRegistrarStats stats;
};

/* One Contact of a REGISTER: its URI and the lifetime asked for. */
typedef struct {
  char *uri;
  guint expires;
} Change;

static const struct {
  const char *name;
  const char *text;
  guint status;
} results[SIP_REGISTER_RESULT_COUNT] = {
    [SIP_REGISTER_OK] = {"ok", "OK", 200},
    [SIP_REGISTER_BAD_SCHEME] = {"bad-scheme", "Unsupported URI Scheme", 416},
    [SIP_REGISTER_BAD_CONTACT] = {"bad-contact", "Contact without a URI",
                                  400},
    [SIP_REGISTER_BAD_EXPIRES] = {"bad-expires", "Invalid expires value",
                                  400},
    [SIP_REGISTER_BAD_WILDCARD] = {"bad-wildcard",
                                   "Contact * needs Expires 0 and no other "
                                   "contact",
                                   400},
    [SIP_REGISTER_INTERVAL_TOO_BRIEF] = {"interval-too-brief",
                                         "Interval Too Brief", 423},
    [SIP_REGISTER_OUT_OF_ORDER] = {"out-of-order",
                                   "CSeq not above the binding's", 400},
    [SIP_REGISTER_TOO_MANY_CONTACTS] = {"too-many-contacts",
                                        "Too many contacts for this AOR", 403},
    [SIP_REGISTER_TOO_MANY_AORS] = {"too-many-aors",
                                    "Registrar full: too many AORs", 503},
};

const char *sip_register_result_name(SipRegisterResult result) {
  return result < SIP_REGISTER_RESULT_COUNT ? results[result].name : "?";
}

const char *sip_register_result_text(SipRegisterResult result) {
  return result < SIP_REGISTER_RESULT_COUNT ? results[result].text : "?";
}

guint sip_register_result_status(SipRegisterResult result) {
  return result < SIP_REGISTER_RESULT_COUNT ? results[result].status : 500;
}

void sip_registrar_limits_init_default(SipRegistrarLimits *limits) {
  *limits = (SipRegistrarLimits){
      .default_expires = 3600,
      .min_expires = 60,
      .max_expires = 7200,
      .max_contacts_per_aor = 10,
      .max_aors = 1000,
  };
}

static gint64 monotonic_seconds(gpointer data) {
  return g_get_monotonic_time() / G_USEC_PER_SEC;
}

static void binding_free(gpointer p) {
  Binding *b = p;

  g_free(b->contact);
  g_free(b->call_id);
  if (b->client_identity != NULL) {
    g_free(b->client_identity->subject);
    g_free(b->client_identity->issuer);
    g_free(b->client_identity->sha256);
    g_strfreev(b->client_identity->san);
    g_free(b->client_identity);
  }
  g_free(b);
}

static SipClientIdentity *identity_copy(const SipClientIdentity *id) {
  if (id == NULL) {
    return NULL;
  }
  SipClientIdentity *copy = g_new0(SipClientIdentity, 1);
  copy->subject = g_strdup(id->subject);
  copy->issuer = g_strdup(id->issuer);
  copy->sha256 = g_strdup(id->sha256);
  copy->san = g_strdupv(id->san);
  return copy;
}

static void aor_free(gpointer p) {
  Aor *a = p;

  g_free(a->aor);
  g_free(a->user);
  g_free(a->host);
  g_ptr_array_unref(a->bindings);
  g_free(a);
}

SipRegistrar *sip_registrar_new(const SipRegistrarLimits *limits,
                                SipRegistrarClock clock, gpointer clock_data) {
  SipRegistrar *r = g_new0(SipRegistrar, 1);

  if (limits != NULL) {
    r->limits = *limits;
  } else {
    sip_registrar_limits_init_default(&r->limits);
  }
  r->clock = clock != NULL ? clock : monotonic_seconds;
  r->clock_data = clock_data;
  r->aors = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, aor_free);
  return r;
}

void sip_registrar_free(SipRegistrar *registrar) {
  if (registrar == NULL) {
    return;
  }
  g_hash_table_unref(registrar->aors);
  g_free(registrar);
}

const SipRegistrarLimits *sip_registrar_limits(const SipRegistrar *registrar) {
  return &registrar->limits;
}

guint sip_registrar_sweep(SipRegistrar *registrar) {
  gint64 now = registrar->clock(registrar->clock_data);
  GHashTableIter iter;
  Aor *aor;
  guint dropped = 0;

  g_hash_table_iter_init(&iter, registrar->aors);
  while (g_hash_table_iter_next(&iter, NULL, (gpointer *)&aor)) {
    for (guint i = aor->bindings->len; i-- > 0;) {
      const Binding *b = g_ptr_array_index(aor->bindings, i);
      if (b->expires_at <= now) {
        g_ptr_array_remove_index(aor->bindings, i);
        dropped++;
      }
    }
    if (aor->bindings->len == 0) {
      g_hash_table_iter_remove(&iter);
    }
  }
  return dropped;
}

/* parse_seconds reads a delta-seconds value (RFC 3261 §25.1: 1*DIGIT),
 * capping it at G_MAXUINT as §20.19 says of values too large. */
static gboolean parse_seconds(const char *text, guint *out) {
  guint64 value = 0;

  if (text == NULL || *text == '\0') {
    return FALSE;
  }
  for (const char *p = text; *p != '\0'; p++) {
    if (!g_ascii_isdigit(*p)) {
      return FALSE;
    }
    value = MIN(value * 10 + (guint64)(*p - '0'), (guint64)G_MAXUINT);
  }
  *out = (guint)value;
  return TRUE;
}

/* aor_of gives the AOR of |uri| (§10.3 step 5): scheme:user@host[:port],
 * no parameters, the host lower-cased; NULL if the scheme is not sip or
 * sips. */
static char *aor_of(const osip_uri_t *uri) {
  if (uri == NULL || uri->scheme == NULL || uri->host == NULL ||
      (g_ascii_strcasecmp(uri->scheme, "sip") != 0 &&
       g_ascii_strcasecmp(uri->scheme, "sips") != 0)) {
    return NULL;
  }
  char *scheme = g_ascii_strdown(uri->scheme, -1);
  char *host = g_ascii_strdown(uri->host, -1);
  char *aor = g_strdup_printf(
      "%s:%s%s%s%s%s", scheme, uri->username ? uri->username : "",
      uri->username ? "@" : "", host, uri->port ? ":" : "",
      uri->port ? uri->port : "");
  g_free(scheme);
  g_free(host);
  return aor;
}

static void change_clear(gpointer p) {
  osip_free(((Change *)p)->uri);
}

/* read_contacts collects the Contact header fields of |req| in |changes|,
 * each with its lifetime (§10.3 step 6), the last of a repeated URI
 * winning; *wildcard tells a "Contact: *". */
static SipRegisterResult read_contacts(const SipRegistrar *r,
                                       const osip_message_t *req,
                                       GArray *changes, gboolean *wildcard) {
  osip_header_t *expires_header = NULL;
  guint header_expires = r->limits.default_expires;
  gboolean header_given = osip_message_get_expires(req, 0, &expires_header) >= 0;
  osip_contact_t *contact;

  if (header_given &&
      !parse_seconds(expires_header->hvalue, &header_expires)) {
    return SIP_REGISTER_BAD_EXPIRES;
  }
  *wildcard = FALSE;
  for (int pos = 0; osip_message_get_contact(req, pos, &contact) >= 0; pos++) {
    if (contact->url == NULL) {
      if (g_strcmp0(contact->displayname, "*") != 0) {
        return SIP_REGISTER_BAD_CONTACT;
      }
      *wildcard = TRUE;
      continue;
    }
    osip_generic_param_t *param = NULL;
    Change change = {NULL, header_expires};
    if (osip_contact_param_get_byname(contact, "expires", &param) >= 0 &&
        !parse_seconds(param->gvalue, &change.expires)) {
      return SIP_REGISTER_BAD_EXPIRES;
    }
    if (change.expires != 0 && change.expires < r->limits.min_expires) {
      return SIP_REGISTER_INTERVAL_TOO_BRIEF;
    }
    change.expires = MIN(change.expires, r->limits.max_expires);
    if (osip_uri_to_str(contact->url, &change.uri) != 0) {
      return SIP_REGISTER_BAD_CONTACT;
    }
    for (guint i = 0; i < changes->len; i++) {
      if (strcmp(g_array_index(changes, Change, i).uri, change.uri) == 0) {
        g_array_remove_index(changes, i);
        break;
      }
    }
    g_array_append_val(changes, change);
  }
  if (*wildcard && (changes->len > 0 || !header_given || header_expires != 0)) {
    return SIP_REGISTER_BAD_WILDCARD;
  }
  return SIP_REGISTER_OK;
}

/* A request from the same Call-ID must come later (§10.3 step 7). */
static gboolean in_order(const Binding *b, const char *call_id, guint32 cseq) {
  return strcmp(b->call_id, call_id) != 0 || cseq > b->cseq;
}

static gint find_contact(GPtrArray *bindings, const char *uri) {
  for (guint i = 0; i < bindings->len; i++) {
    if (strcmp(((Binding *)g_ptr_array_index(bindings, i))->contact, uri) ==
        0) {
      return (gint)i;
    }
  }
  return -1;
}

/* update works out an AOR's bindings after the REGISTER: |next| starts as
 * a copy of the current ones; bindings it replaces or removes go to
 * |replaced|, new ones to |created|. Nothing is freed here. */
static SipRegisterResult update(SipRegistrar *r, GArray *changes,
                                gboolean wildcard, const char *call_id,
                                guint32 cseq, const SipPeer *from,
                                const SipClientIdentity *identity, gint64 now,
                                GPtrArray *next, GPtrArray *replaced,
                                GPtrArray *created) {
  if (wildcard) {
    for (guint i = 0; i < next->len; i++) {
      if (!in_order(g_ptr_array_index(next, i), call_id, cseq)) {
        return SIP_REGISTER_OUT_OF_ORDER;
      }
      g_ptr_array_add(replaced, g_ptr_array_index(next, i));
    }
    g_ptr_array_set_size(next, 0);
    return SIP_REGISTER_OK;
  }
  for (guint i = 0; i < changes->len; i++) {
    const Change *c = &g_array_index(changes, Change, i);
    gint at = find_contact(next, c->uri);
    Binding *b = NULL;

    if (at >= 0) {
      Binding *old = g_ptr_array_index(next, at);
      if (!in_order(old, call_id, cseq)) {
        return SIP_REGISTER_OUT_OF_ORDER;
      }
      g_ptr_array_add(replaced, old);
    }
    if (c->expires > 0) {
      b = g_new0(Binding, 1);
      b->contact = g_strdup(c->uri);
      b->call_id = g_strdup(call_id);
      b->cseq = cseq;
      b->expires_at = now + c->expires;
      b->transport = from->transport;
      g_strlcpy(b->source_address, from->address, sizeof b->source_address);
      b->source_port = from->port;
      b->connection = from->connection;
      b->client_identity = identity_copy(identity);
      b->generation = ++r->generation;
      g_ptr_array_add(created, b);
    }
    if (at >= 0 && b != NULL) {
      g_ptr_array_index(next, at) = b;
    } else if (at >= 0) {
      g_ptr_array_remove_index(next, at);
    } else if (b != NULL) {
      g_ptr_array_add(next, b);
    }
  }
  return SIP_REGISTER_OK;
}

/* apply checks the REGISTER against the bindings of |aor_key| and the
 * limits, and only if it passes installs the result. */
static SipRegisterResult apply(SipRegistrar *r, const char *aor_key,
                               GArray *changes, gboolean wildcard,
                               const osip_message_t *req, const SipPeer *from,
                               const SipClientIdentity *identity, gint64 now) {
  Aor *aor = g_hash_table_lookup(r->aors, aor_key);
  GPtrArray *next = g_ptr_array_new_with_free_func(NULL);
  GPtrArray *replaced = g_ptr_array_new_with_free_func(binding_free);
  GPtrArray *created = g_ptr_array_new_with_free_func(binding_free);
  char *call_id = NULL;
  guint32 cseq = (guint32)g_ascii_strtoull(req->cseq->number, NULL, 10);
  guint before = aor != NULL ? aor->bindings->len : 0;
  SipRegisterResult result;

  osip_call_id_to_str(req->call_id, &call_id);
  for (guint i = 0; i < before; i++) {
    g_ptr_array_add(next, g_ptr_array_index(aor->bindings, i));
  }
  result = update(r, changes, wildcard, call_id ? call_id : "", cseq, from,
                  identity, now, next, replaced, created);
  if (result == SIP_REGISTER_OK && next->len > before &&
      next->len > r->limits.max_contacts_per_aor) {
    result = SIP_REGISTER_TOO_MANY_CONTACTS;
  }
  if (result == SIP_REGISTER_OK && aor == NULL && next->len > 0 &&
      g_hash_table_size(r->aors) >= r->limits.max_aors) {
    result = SIP_REGISTER_TOO_MANY_AORS;
  }
  osip_free(call_id);
  if (result != SIP_REGISTER_OK) {
    g_ptr_array_set_free_func(replaced, NULL);
    g_ptr_array_unref(replaced);
    g_ptr_array_unref(created);
    g_ptr_array_unref(next);
    return result;
  }
  /* The new bindings now belong to |next|, the replaced ones go. */
  g_ptr_array_set_free_func(created, NULL);
  g_ptr_array_unref(created);
  g_ptr_array_unref(replaced);
  if (aor == NULL && next->len > 0) {
    aor = g_new0(Aor, 1);
    aor->aor = g_strdup(aor_key);
    aor->user = g_strdup(req->to->url->username ? req->to->url->username : "");
    aor->host = g_ascii_strdown(req->to->url->host, -1);
    aor->bindings = g_ptr_array_new_with_free_func(binding_free);
    g_hash_table_insert(r->aors, aor->aor, aor);
  }
  if (aor != NULL) {
    /* Swap the pointers in without freeing the ones kept. */
    g_ptr_array_set_free_func(aor->bindings, NULL);
    g_ptr_array_unref(aor->bindings);
    g_ptr_array_set_free_func(next, binding_free);
    aor->bindings = next;
    if (next->len == 0) {
      g_hash_table_remove(r->aors, aor_key);
    }
  } else {
    g_ptr_array_unref(next);
  }
  return SIP_REGISTER_OK;
}

/* The 200: every current contact with its remaining seconds (§10.3 step
 * 8). */
static osip_message_t *registered(const SipRegistrar *r,
                                  const osip_message_t *req, const char *aor_key,
                                  const char *to_tag, gint64 now) {
  osip_message_t *resp = sip_response_new(req, 200, NULL, to_tag);
  const Aor *aor = g_hash_table_lookup(r->aors, aor_key);

  for (guint i = 0; resp != NULL && aor != NULL && i < aor->bindings->len;
       i++) {
    const Binding *b = g_ptr_array_index(aor->bindings, i);
    char *value = g_strdup_printf("<%s>;expires=%" G_GINT64_FORMAT, b->contact,
                                  b->expires_at - now);
    osip_message_set_contact(resp, value);
    g_free(value);
  }
  return resp;
}

osip_message_t *sip_registrar_register(SipRegistrar *registrar,
                                       const osip_message_t *req,
                                       const SipPeer *from,
                                       const SipClientIdentity *identity,
                                       const char *to_tag,
                                       SipRegisterResult *result) {
  gint64 now = registrar->clock(registrar->clock_data);
  GArray *changes = g_array_new(FALSE, FALSE, sizeof(Change));
  char *aor_key = aor_of(req->to ? req->to->url : NULL);
  gboolean wildcard = FALSE;
  osip_message_t *resp;
  SipRegisterResult res;

  sip_registrar_sweep(registrar);
  g_array_set_clear_func(changes, change_clear);
  if (aor_key == NULL) {
    res = SIP_REGISTER_BAD_SCHEME;
  } else {
    res = read_contacts(registrar, req, changes, &wildcard);
  }
  if (res == SIP_REGISTER_OK) {
    res = apply(registrar, aor_key, changes, wildcard, req, from, identity,
                now);
  }
  if (res == SIP_REGISTER_OK) {
    resp = registered(registrar, req, aor_key, to_tag, now);
  } else {
    resp = sip_response_warned(req, sip_register_result_status(res),
                               sip_register_result_text(res), to_tag);
  }
  if (resp != NULL && res == SIP_REGISTER_INTERVAL_TOO_BRIEF) {
    char *min = g_strdup_printf("%u", registrar->limits.min_expires);
    osip_message_set_header(resp, "Min-Expires", min);
    g_free(min);
  }
  registrar->stats.results[res]++;
  g_array_unref(changes);
  g_free(aor_key);
  *result = res;
  return resp;
}

static void binding_view(const Aor *a, const Binding *b, gint64 now,
                         SipBinding *view) {
  *view = (SipBinding){
      .aor = a->aor,
      .contact = b->contact,
      .call_id = b->call_id,
      .cseq = b->cseq,
      .expires = (guint)(b->expires_at - now),
      .transport = b->transport,
      .source_address = b->source_address,
      .source_port = b->source_port,
      .connection = b->connection,
      .client_identity = b->client_identity,
  };
}

gboolean sip_registrar_lookup(SipRegistrar *registrar, const char *user,
                              const char *host, SipBinding *out) {
  const Aor *best_aor = NULL;
  const Binding *best = NULL;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail(user != NULL, FALSE);
  sip_registrar_sweep(registrar);
  g_hash_table_iter_init(&iter, registrar->aors);
  while (g_hash_table_iter_next(&iter, NULL, &value)) {
    const Aor *a = value;
    if (strcmp(a->user, user) != 0 ||
        (host != NULL && g_ascii_strcasecmp(a->host, host) != 0)) {
      continue;
    }
    for (guint i = 0; i < a->bindings->len; i++) {
      const Binding *b = g_ptr_array_index(a->bindings, i);
      if (best == NULL || b->generation > best->generation) {
        best = b;
        best_aor = a;
      }
    }
  }
  if (best == NULL) {
    return FALSE;
  }
  binding_view(best_aor, best, registrar->clock(registrar->clock_data), out);
  return TRUE;
}

static gint compare_aor(gconstpointer a, gconstpointer b) {
  return strcmp((*(Aor *const *)a)->aor, (*(Aor *const *)b)->aor);
}

guint sip_registrar_foreach(SipRegistrar *registrar, SipBindingFunc func,
                            gpointer data) {
  gint64 now;
  GPtrArray *aors = g_ptr_array_new();
  GHashTableIter iter;
  gpointer aor;
  guint n = 0;

  sip_registrar_sweep(registrar);
  now = registrar->clock(registrar->clock_data);
  g_hash_table_iter_init(&iter, registrar->aors);
  while (g_hash_table_iter_next(&iter, NULL, &aor)) {
    g_ptr_array_add(aors, aor);
  }
  g_ptr_array_sort(aors, compare_aor);
  for (guint i = 0; i < aors->len; i++) {
    const Aor *a = g_ptr_array_index(aors, i);
    for (guint j = 0; j < a->bindings->len; j++, n++) {
      const Binding *b = g_ptr_array_index(a->bindings, j);
      SipBinding view;
      binding_view(a, b, now, &view);
      func(&view, data);
    }
  }
  g_ptr_array_unref(aors);
  return n;
}

const SipRegistrarStats *sip_registrar_stats(SipRegistrar *registrar) {
  GHashTableIter iter;
  gpointer aor;

  sip_registrar_sweep(registrar);
  registrar->stats.aors = g_hash_table_size(registrar->aors);
  registrar->stats.bindings = 0;
  g_hash_table_iter_init(&iter, registrar->aors);
  while (g_hash_table_iter_next(&iter, NULL, &aor)) {
    registrar->stats.bindings += ((Aor *)aor)->bindings->len;
  }
  return &registrar->stats;
}
