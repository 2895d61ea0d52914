/*
 * The registrar (RFC 3261 §10.3): REGISTER requests bind contacts to an
 * address of record (AOR), the To URI reduced to scheme:user@host[:port]
 * (parameters dropped, host lower-cased).
 *
 * A REGISTER is checked whole before anything changes: a refusal leaves
 * every binding as it was. Each contact's lifetime is its "expires"
 * parameter, else the Expires header, else limits.default_expires; above
 * max_expires it is cut to max_expires, a non-zero one below min_expires
 * refuses the request with 423 and Min-Expires. Expires 0 removes that
 * contact; "Contact: *" with Expires: 0 removes every contact of the AOR.
 * An update of an existing binding from the same Call-ID needs a higher
 * CSeq (§10.3 step 7), else the request is refused as out of order.
 * Contacts are the same when their URIs print the same (libosip2's
 * osip_uri_to_str()), a stricter test than §19.1.4's comparison.
 *
 * Bindings expire on the registrar's clock: every call below first drops
 * the expired ones, so nothing stale is ever seen; sip_registrar_sweep()
 * lets the owner free them on a timer as well.
 *
 * No authentication here: any REGISTER it is given binds. Digest
 * authentication (sip_digest.h) comes first, in vgwd
 * (vgwd/registrar_auth.h), when the configuration asks for it. Not
 * thread-safe.
 */
#ifndef VGW_SIP_REGISTRAR_H
#define VGW_SIP_REGISTRAR_H

#include <glib.h>

#include "sip_txn.h"

/* Seconds on a clock that never goes back; the registrar only compares
 * and subtracts them. */
typedef gint64 (*SipRegistrarClock)(gpointer data);

typedef struct {
  guint default_expires;      /* no expires given: 3600 s */
  guint min_expires;          /* shorter, not 0: 423 (RFC 3261: 60 s) */
  guint max_expires;          /* longer: cut to this; 7200 s */
  guint max_contacts_per_aor; /* 10 */
  guint max_aors;             /* 1000 */
} SipRegistrarLimits;

void sip_registrar_limits_init_default(SipRegistrarLimits *limits);

/* What became of a REGISTER: one code per outcome, with a stable name,
 * the status answered and the reason phrase. */
typedef enum {
  SIP_REGISTER_OK = 0,               /* 200 with the current contacts */
  SIP_REGISTER_BAD_SCHEME,           /* 416: To URI not sip: or sips: */
  SIP_REGISTER_BAD_CONTACT,          /* 400: a Contact without a URI */
  SIP_REGISTER_BAD_EXPIRES,          /* 400: not 1*DIGIT below 2^32 */
  SIP_REGISTER_BAD_WILDCARD,         /* 400: "*" with other contacts or
                                        without Expires: 0 */
  SIP_REGISTER_INTERVAL_TOO_BRIEF,   /* 423 with Min-Expires */
  SIP_REGISTER_OUT_OF_ORDER,         /* 400: same Call-ID, CSeq not higher */
  SIP_REGISTER_TOO_MANY_CONTACTS,    /* 403: max_contacts_per_aor */
  SIP_REGISTER_TOO_MANY_AORS,        /* 503: max_aors */
  SIP_REGISTER_RESULT_COUNT
} SipRegisterResult;

/* "ok", "interval-too-brief", ...; "?" out of range. */
const char *sip_register_result_name(SipRegisterResult result);
/* The reason phrase of the answer, e.g. "Interval Too Brief". */
const char *sip_register_result_text(SipRegisterResult result);
/* 200, 400, 403, 416, 423 or 503. */
guint sip_register_result_status(SipRegisterResult result);

/* Who the TLS client certificate of the connection a REGISTER came over
 * names, when the gateway verified it (mutual TLS). */
typedef struct {
  char *subject; /* "CN=alice,O=example" */
  char *issuer;
  char *sha256;  /* fingerprint of the DER certificate, lower-case hex */
  char **san;    /* subjectAltName entries, NULL-terminated: "DNS:name",
                  * "IP:a.b.c.d", "URI:sip:...", "email:..." */
} SipClientIdentity;

/* One contact bound to an AOR, as sip_registrar_foreach() shows it. */
typedef struct {
  const char *aor;
  const char *contact;        /* the Contact URI */
  const char *call_id;
  guint32 cseq;
  guint expires;              /* seconds left, at least 1 */
  SipTransport transport;     /* what the REGISTER came over */
  const char *source_address; /* where it came from (received) */
  guint16 source_port;        /* (rport) */
  guint64 connection;         /* TCP/TLS: the connection it came on (the
                                 transport's id), where requests to the
                                 contact go; UDP: 0 */
  const SipClientIdentity *client_identity; /* the verified TLS client
                                              certificate of the REGISTER's
                                              connection; NULL: none (UDP,
                                              TCP, TLS without one) */
} SipBinding;

typedef void (*SipBindingFunc)(const SipBinding *binding, gpointer data);

typedef struct {
  guint aors;
  guint bindings;
  guint64 results[SIP_REGISTER_RESULT_COUNT]; /* REGISTERs answered, by
                                                 outcome */
} SipRegistrarStats;

typedef struct SipRegistrar SipRegistrar;

/* A registrar with |limits| (copied; NULL: the defaults) on |clock| with
 * |clock_data| (NULL: g_get_monotonic_time() in seconds). */
SipRegistrar *sip_registrar_new(const SipRegistrarLimits *limits,
                                SipRegistrarClock clock, gpointer clock_data);
void sip_registrar_free(SipRegistrar *registrar);

/* Applies the REGISTER |req| (valid by sip_message_validate()) received
 * from |from| over a connection whose client certificate names
 * |identity| (NULL: none; copied into the bindings it makes), and returns
 * its answer (the caller's to send or free; NULL only when libosip2 runs
 * out of memory), with |to_tag| added to To. The
 * outcome is in *result: 200 lists every contact now bound to the AOR,
 * each with ;expires= its remaining seconds (none when none is left);
 * 423 carries Min-Expires; every refusal has the result's phrase and a
 * Warning "399 vgw" with it. Counted in the stats. */
osip_message_t *sip_registrar_register(SipRegistrar *registrar,
                                       const osip_message_t *req,
                                       const SipPeer *from,
                                       const SipClientIdentity *identity,
                                       const char *to_tag,
                                       SipRegisterResult *result);

/* Calls |func| on each live binding, by AOR and then contact in the order
 * they were first bound. Returns how many. */
guint sip_registrar_foreach(SipRegistrar *registrar, SipBindingFunc func,
                            gpointer data);

/* Finds where a request for |user| at |host| goes (RFC 3261 §16.5): the
 * most recently registered or refreshed live binding of an AOR whose user
 * is |user| (case-sensitive) and whose host is |host| (case-insensitive;
 * the AOR's port is not compared). With |host| NULL any host matches: the
 * Request-URI named the gateway itself. Fills *out, whose strings belong
 * to the registrar and last until its next call. FALSE: none. Forking to
 * every binding is not done. */
gboolean sip_registrar_lookup(SipRegistrar *registrar, const char *user,
                              const char *host, SipBinding *out);

/* Drops the expired bindings now. Returns how many went. */
guint sip_registrar_sweep(SipRegistrar *registrar);

/* The counts, with the expired bindings dropped first. */
const SipRegistrarStats *sip_registrar_stats(SipRegistrar *registrar);

const SipRegistrarLimits *sip_registrar_limits(const SipRegistrar *registrar);

#endif
