/*
 * Digest authentication of requests to the gateway (RFC 3261 §22.4 on
 * RFC 2617, with SHA-256 from RFC 8760 / RFC 7616): the server side. It
 * never sees a password: users are looked up by their HA1.
 *
 * A challenge offers one fresh nonce under each algorithm the
 * authenticator offers, one WWW-Authenticate header field each, SHA-256
 * first and MD5 second (RFC 8760 §2.4: the client uses the first it
 * supports), each with qop="auth". A request's Authorization for our realm
 * is then checked in this order, the first failure deciding the result:
 * Digest scheme with username, nonce, uri and response; an algorithm
 * offered (MD5 when absent, RFC 2617 §3.2.1); qop=auth with an
 * 8-hex-digit nc and a cnonce; a nonce we issued and still remember; a
 * known user; the response; the nonce not expired (stale: only a right
 * response is told stale=true, so the client retries without asking its
 * user, RFC 2617 §3.2.1); nc above every nc accepted with that nonce
 * before (replay).
 *
 * Nonces are 128 bits from BoringSSL's RAND_bytes (the kernel's
 * getrandom, seeded on the board from the crypto engine's TRNG), hex. A
 * nonce is good for |nonce_lifetime_s|, is remembered as stale for as
 * long again, then forgotten (unknown); at most SIP_DIGEST_MAX_NONCES are
 * remembered, the oldest forgotten first. The "uri" field is not compared
 * with the Request-URI: the response covers it, so it cannot be changed
 * in flight, and clients print URIs differently.
 *
 * The hashes are BoringSSL's (EVP_MD, through param_secret.h's
 * vgw_digest_hash_hex); nothing is hand-written. Not thread-safe.
 */
#ifndef VGW_SIP_DIGEST_H
#define VGW_SIP_DIGEST_H

#include <glib.h>
#include <osipparser2/osip_message.h>

#include "param_secret.h"

G_BEGIN_DECLS

/* "MD5", "SHA-256": the algorithm token. */
const char *sip_digest_algorithm_token(VgwDigestAlgorithm alg);

/* The response (request-digest) of RFC 7616 §3.4.1 with qop=auth, in
 * lower-case hex, from the HA1 H(username:realm:password) in hex (as
 * param_secret.h keeps it):
 *   H( HA1 : nonce : nc : cnonce : auth : H(method:uri) )
 * Newly allocated. */
char *sip_digest_response(VgwDigestAlgorithm alg, const char *ha1,
                          const char *method, const char *uri,
                          const char *nonce, const char *nc,
                          const char *cnonce);

/* Why a request was or was not authenticated. */
typedef enum {
  SIP_DIGEST_OK = 0,
  SIP_DIGEST_NO_CREDENTIALS,  /* no Authorization for our realm */
  SIP_DIGEST_MALFORMED,       /* not Digest, or a required field missing */
  SIP_DIGEST_BAD_ALGORITHM,   /* not one we offer */
  SIP_DIGEST_BAD_QOP,         /* not qop=auth with nc and cnonce */
  SIP_DIGEST_UNKNOWN_NONCE,   /* not ours, or forgotten */
  SIP_DIGEST_STALE_NONCE,     /* past its lifetime */
  SIP_DIGEST_REPLAYED,        /* nc not above the last accepted */
  SIP_DIGEST_UNKNOWN_USER,    /* the HA1 lookup found nobody */
  SIP_DIGEST_UNUSABLE_PASSWORD, /* the user has no HA1 usable now */
  SIP_DIGEST_WRONG_RESPONSE,  /* wrong password, or tampered fields */
  SIP_DIGEST_RESULT_COUNT
} SipDigestResult;

/* "ok", "no-credentials", "stale-nonce", ...; "?" out of range. */
const char *sip_digest_result_name(SipDigestResult result);
/* A sentence for the log, e.g. "the nonce has expired". */
const char *sip_digest_result_text(SipDigestResult result);

#define SIP_DIGEST_MAX_NONCES 1024

/* Seconds on a clock that never goes back. */
typedef gint64 (*SipDigestClock)(gpointer data);

/* Looks up the HA1 of |username| (the Authorization's, unquoted) under
 * |alg| for the request |data| (the caller's: it knows the request):
 * SIP_DIGEST_OK with |ha1| filled (hex, NUL-terminated);
 * SIP_DIGEST_UNKNOWN_USER when there is no such user or the user may not
 * make this request; SIP_DIGEST_UNUSABLE_PASSWORD when the user has no
 * HA1 for our realm (the caller says why in its log). */
typedef SipDigestResult (*SipDigestHa1Func)(const char *username,
                                            VgwDigestAlgorithm alg,
                                            char ha1[VGW_DIGEST_HEX_MAX + 1],
                                            gpointer data);

typedef struct SipDigestAuth SipDigestAuth;

/* Which algorithms an authenticator offers and accepts: a set of
 * 1 << VgwDigestAlgorithm. Offering only MD5 serves clients that give up
 * on the first challenge they cannot answer instead of taking the next
 * (SIPp 3.6: "authentication must use MD5"); only SHA-256, clients that
 * must not fall back to MD5. */
#define SIP_DIGEST_OFFER(alg) (1u << (alg))
#define SIP_DIGEST_OFFER_ALL \
  (SIP_DIGEST_OFFER(VGW_DIGEST_SHA256) | SIP_DIGEST_OFFER(VGW_DIGEST_MD5))

/* An authenticator for |realm| (copied) offering |algorithms| (a
 * non-empty set of SIP_DIGEST_OFFER()) with nonces good for
 * |nonce_lifetime_s| (at least 1), on |clock| with |clock_data| (NULL:
 * g_get_monotonic_time() in seconds). */
SipDigestAuth *sip_digest_auth_new(const char *realm, guint algorithms,
                                   guint nonce_lifetime_s,
                                   SipDigestClock clock, gpointer clock_data);
void sip_digest_auth_free(SipDigestAuth *auth);

const char *sip_digest_auth_realm(const SipDigestAuth *auth);

/* Checks the Authorization fields of |req| for our realm against the
 * HA1 |ha1_of| gives. On SIP_DIGEST_OK the nonce's nc moves up
 * to the one used and *username (if not NULL) is set to the user's name,
 * newly allocated; otherwise *username is left NULL. */
SipDigestResult sip_digest_auth_check(SipDigestAuth *auth,
                                      const osip_message_t *req,
                                      SipDigestHa1Func ha1_of, gpointer data,
                                      char **username);

/* Adds the challenge to the 401 |resp|: a fresh nonce, offered as
 * SHA-256 then MD5 (those of them the authenticator offers), with
 * stale=true when |stale|. FALSE only when
 * libosip2 refuses a header (out of memory). */
gboolean sip_digest_auth_challenge(SipDigestAuth *auth, osip_message_t *resp,
                                   gboolean stale);

G_END_DECLS

#endif /* VGW_SIP_DIGEST_H */
