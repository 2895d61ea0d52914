/*
 * Peer host-name verification (PeerHostNameVerificationMode, gateway-spec
 * §1.4): does a peer's certificate name one of the addresses the gateway
 * knows that peer by?
 *
 * The references are what the Proxy Sets were configured with: an IP
 * address, or an FQDN compared as the string itself, never as the
 * addresses it resolves to. The rules, in order:
 *  1. a SubjectAltName dNSName matches a DNS reference, or an iPAddress
 *     entry matches an IP reference (as 4 or 16 bytes; a dNSName is never
 *     compared with an IP reference);
 *  2. no SAN matched and the SAN extension is critical: rejected;
 *  3. a subject Common Name equals TLSRemoteSubjectName (without case);
 *  4. a subject Common Name matches a DNS reference as a dNSName would
 *     (wildcard included), or spells an IP reference exactly;
 *  5. otherwise rejected.
 * A wildcard is only the whole left-most label of a DNS pattern, followed
 * by at least two labels: "*.lab.test" matches "a.lab.test", not
 * "a.b.lab.test" nor "lab.test"; "f*.lab.test", "a.*.test", "*" and
 * "*.test" match nothing. DNS names compare without ASCII case.
 *
 * Strict mode (the per-context StrictHostNameMatch, RFC 5922 §7.2) stops
 * after rule 1 and takes no wildcard.
 *
 * Pure: no I/O, no global state; the certificate is only read.
 */
#ifndef VGW_TLS_HOSTNAME_H
#define VGW_TLS_HOSTNAME_H

#include <glib.h>
#include <openssl/base.h>

G_BEGIN_DECLS

/* The rule that decided, for a caller to branch on. */
typedef enum {
  VGW_TLS_NAME_SAN_DNS,          /* a SAN dNSName matched (accepted) */
  VGW_TLS_NAME_SAN_IP,           /* a SAN iPAddress matched (accepted) */
  VGW_TLS_NAME_CN_REMOTE_SUBJECT, /* the CN is TLSRemoteSubjectName
                                   * (accepted) */
  VGW_TLS_NAME_CN_REFERENCE,     /* the CN names a reference (accepted) */
  VGW_TLS_NAME_SAN_CRITICAL,     /* no SAN matched, the SAN extension is
                                  * critical (rejected) */
  VGW_TLS_NAME_NO_MATCH,         /* nothing matched (rejected) */
} VgwTlsNameRule;

/* What to match a certificate against. */
typedef struct {
  const char *const *references; /* IP address literals or DNS names */
  guint n_references;
  const char *remote_subject_name; /* TLSRemoteSubjectName; NULL or "":
                                    * none */
  gboolean strict;               /* SAN only, no CN, no wildcard */
} VgwTlsNameCheck;

/* The outcome: the rule and one sentence saying what matched what (or
 * what was looked at), for the log. */
typedef struct {
  VgwTlsNameRule rule;
  char sentence[320];
} VgwTlsNameVerdict;

/* vgw_tls_hostname_check matches |cert| against |check| and fills |out|;
 * TRUE when the rule accepts the certificate. */
gboolean vgw_tls_hostname_check(X509 *cert, const VgwTlsNameCheck *check,
                                VgwTlsNameVerdict *out);

/* vgw_tls_name_rule_accepts: TRUE for the rules that accept. */
gboolean vgw_tls_name_rule_accepts(VgwTlsNameRule rule);

/* vgw_tls_name_rule_name returns the stable name of |rule| for logs and
 * status ("san-dns", "san-ip", "cn-remote-subject", "cn-reference",
 * "san-critical", "no-match"), "unknown" for another number. */
const char *vgw_tls_name_rule_name(VgwTlsNameRule rule);

/* vgw_tls_dns_name_matches: does the certificate's DNS name |pattern|
 * (|len| bytes, not NUL-terminated) match the DNS name |reference| under
 * the wildcard rule above (no wildcard at all when |wildcard| is
 * FALSE)? */
gboolean vgw_tls_dns_name_matches(const uint8_t *pattern, size_t len,
                                  const char *reference, gboolean wildcard);

G_END_DECLS

#endif /* VGW_TLS_HOSTNAME_H */
