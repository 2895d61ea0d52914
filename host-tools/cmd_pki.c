/* vgw pki ca | issue: the test PKI, offline (host-tools/README.md, "vgw pki"). */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "commands.h"
#include "fileread.h"
#include "hal/crypto_engine.h"
#include "pki_bundle.h"
#include "pki_cert.h"
#include "pki_describe.h"
#include "pki_san.h"
#include "pki_time.h"
#include "tls/tls_softkey.h"
#include "vgw-error.h"

#define CA_DEFAULT_DAYS 3650
#define LEAF_DEFAULT_DAYS 365
#define SECONDS_PER_DAY 86400
/* The most a --csr file may hold. */
#define REQUEST_FILE_MAX (1024 * 1024)

/* Indexed by VgwPkiRole. */
static const struct {
  const char *name;
  const char *what;
  guint eku;  /* VgwPkiEku, unless --eku says otherwise */
} roles[] = {
  [VGW_PKI_ROLE_DEVICE] = { "device", "device certificate (the gateway's own)",
                            VGW_PKI_EKU_SERVER | VGW_PKI_EKU_CLIENT },
  [VGW_PKI_ROLE_CLIENT] = { "client", "SIP client certificate", VGW_PKI_EKU_CLIENT },
  [VGW_PKI_ROLE_PROXY] = { "proxy", "SIP proxy certificate", VGW_PKI_EKU_SERVER },
};

static gboolean
parse_role(const VgwOption *opt, const char *text, gpointer field, GError **error)
{
  for (guint i = 0; i < G_N_ELEMENTS(roles); i++) {
    if (strcmp(roles[i].name, text) == 0) {
      *(guint *) field = i;
      return TRUE;
    }
  }
  g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
              "invalid value '%s' for --%s (expected device, client or proxy)", text,
              opt->long_name);
  return FALSE;
}

const VgwOptionType vgw_option_pki_role = { TRUE, parse_role, NULL };

static const struct {
  const char *name;
  guint bits;
} ekus[] = {
  { "server", VGW_PKI_EKU_SERVER },
  { "client", VGW_PKI_EKU_CLIENT },
  { "both", VGW_PKI_EKU_SERVER | VGW_PKI_EKU_CLIENT },
  { "none", 0 },
};

static gboolean
usage(GError **error, const char *message)
{
  g_set_error_literal(error, VGW_ERROR, VGW_ERROR_USAGE, message);
  return FALSE;
}

/* check_common checks --out, fills the default CN and works out the
 * validity window, |default_days| long unless --days or --not-after say
 * otherwise. */
static gboolean
check_common(VgwPkiOptions *o, guint default_days, GError **error)
{
  g_autofree char *name = g_path_get_basename(o->out);
  gint64 now = g_get_real_time() / G_USEC_PER_SEC;

  if (g_str_has_suffix(o->out, "/") || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    return usage(error, "--out names the files to write, DIR/NAME, not a directory");
  if (o->cn == NULL)
    o->cn = g_steal_pointer(&name);
  if (o->days != 0 && o->not_after != NULL)
    return usage(error, "--days and --not-after both set the end of the validity; give one");
  if (!vgw_pki_time_parse(o->not_before, now, "not-before", &o->not_before_unix, error))
    return FALSE;
  if (o->not_after == NULL)
    o->not_after_unix = o->not_before_unix +
                        (gint64) (o->days != 0 ? o->days : default_days) * SECONDS_PER_DAY;
  else if (!vgw_pki_time_parse(o->not_after, now, "not-after", &o->not_after_unix, error))
    return FALSE;
  if (o->not_after_unix <= o->not_before_unix)
    return usage(error, "the validity window is empty: --not-after must come after --not-before");
  return TRUE;
}

gboolean
vgw_pki_ca_check(gpointer opts, GError **error)
{
  return check_common(opts, CA_DEFAULT_DAYS, error);
}

gboolean
vgw_pki_issue_check(gpointer opts, GError **error)
{
  VgwPkiOptions *o = opts;

  if ((o->ca != NULL) == o->self_signed)
    return usage(error, "give either --ca DIR/CA or --self-signed");
  if (o->csr != NULL && o->self_signed)
    return usage(error, "--csr certifies a key held elsewhere: it cannot sign itself; give --ca");
  if (o->no_chain && o->ca == NULL)
    return usage(error, "--no-chain leaves out the intermediates of --ca; there is no --ca");
  if (o->no_san && (o->sans != NULL || o->san_critical))
    return usage(error, "--no-san makes a certificate without subjectAltName; it takes no --san "
                        "or --san-critical");
  o->eku_bits = roles[o->role].eku;
  if (o->eku != NULL) {
    gsize i;
    for (i = 0; i < G_N_ELEMENTS(ekus) && strcmp(ekus[i].name, o->eku) != 0; i++)
      ;
    if (i == G_N_ELEMENTS(ekus)) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                  "invalid value '%s' for --eku (expected server, client, both or none)", o->eku);
      return FALSE;
    }
    o->eku_bits = ekus[i].bits;
  }
  return check_common(o, LEAF_DEFAULT_DAYS, error);
}

static void
print_made(const VgwPkiOptions *o, const VgwPkiBundle *made, const char *what,
           int left_out, gint64 now)
{
  int n = (int) sk_X509_num(made->chain);
  g_autofree char *chain = left_out > 0
      ? g_strdup_printf("empty: --no-chain left out %d intermediate%s", left_out,
                        left_out == 1 ? "" : "s")
      : g_strdup_printf("%d intermediate%s", n, n == 1 ? "" : "s");
  g_autofree char *details = vgw_pki_describe(made->cert, now);

  g_autofree char *key = o->csr != NULL
      ? g_strdup_printf("the key of request %s (no %s.key)", o->csr, o->out)
      : g_strdup_printf("key %s.key (%s)", o->out, vgw_crypto_key_type_name(o->key_type));

  printf("%s.crt: %s; %s; chain %s.chain (%s)\n%s", o->out, what, key, o->out, chain,
         details);
}

/* load_issuer loads the CA at |base| (DIR/CA) into |out|; a certificate
 * that is no CA cannot sign. */
static gboolean
load_issuer(const char *base, VgwPkiBundle *out, GError **error)
{
  if (!vgw_pki_bundle_load(base, out, error))
    return FALSE;
  if (X509_check_ca(out->cert))
    return TRUE;
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
              "%s.crt: not a CA certificate (make one with vgw pki ca)", base);
  vgw_pki_bundle_clear(out);
  return FALSE;
}

/* request_key returns the public key of the PKCS#10 request in |path|
 * once the request's signature shows its maker holds the private half. */
static EVP_PKEY *
request_key(const char *path, GError **error)
{
  g_autofree char *pem = NULL;
  gsize len = 0;
  BIO *bio;
  X509_REQ *req = NULL;
  EVP_PKEY *key = NULL;

  if (!vgw_file_read(path, REQUEST_FILE_MAX, &pem, &len, error))
    return NULL;
  if ((bio = BIO_new_mem_buf(pem, (int) len)) != NULL)
    req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
  BIO_free(bio);
  if (req == NULL)
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s: no PEM certificate request", path);
  else if ((key = X509_REQ_get_pubkey(req)) == NULL || X509_REQ_verify(req, key) != 1) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "%s: the request's signature does not verify with its own key", path);
    EVP_PKEY_free(key);
    key = NULL;
  }
  X509_REQ_free(req);
  ERR_clear_error();
  return key;
}

/* make issues the certificate |spec| describes for a new key of
 * --key-type (or the key of --csr), signed by |issuer| (NULL: by
 * itself), writes it with its chain (empty with |no_chain|) and prints
 * what it made as |what|. */
static gboolean
make(const VgwPkiOptions *o, VgwPkiCertSpec *spec, const VgwPkiBundle *issuer,
     gboolean no_chain, const char *what, GError **error)
{
  VgwPkiBundle made = { 0 };
  EVP_PKEY *requested = NULL;
  gboolean ok = FALSE;
  int left_out = 0;

  spec->common_name = o->cn;
  spec->not_before = o->not_before_unix;
  spec->not_after = o->not_after_unix;
  if (o->csr != NULL) {
    if ((requested = request_key(o->csr, error)) == NULL)
      return FALSE;
  } else if ((made.key = vgw_tls_softkey_generate(o->key_type)) == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot generate a %s key",
                vgw_crypto_key_type_name(o->key_type));
    return FALSE;
  }
  made.cert = vgw_pki_cert_make(spec, requested != NULL ? requested : made.key,
                                issuer ? issuer->cert : NULL, issuer ? issuer->key : NULL,
                                error);
  if (made.cert == NULL)
    goto out;
  made.chain = issuer != NULL ? vgw_pki_bundle_chain_for(issuer) : sk_X509_new_null();
  if (made.chain == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "out of memory for the chain");
    goto out;
  }
  if (no_chain) {
    left_out = (int) sk_X509_num(made.chain);
    sk_X509_pop_free(made.chain, X509_free);
    made.chain = sk_X509_new_null();
  }
  if (!vgw_pki_bundle_save(o->out, &made, error))
    goto out;
  print_made(o, &made, what, left_out, g_get_real_time() / G_USEC_PER_SEC);
  ok = TRUE;
out:
  EVP_PKEY_free(requested);
  vgw_pki_bundle_clear(&made);
  return ok;
}

/* make_signed_by runs make() with the CA at |issuer_base| (DIR/CA; NULL:
 * self-signed) as issuer. */
static gboolean
make_signed_by(const VgwPkiOptions *o, const char *issuer_base, VgwPkiCertSpec *spec,
               gboolean no_chain, const char *what, GError **error)
{
  VgwPkiBundle issuer = { 0 };
  gboolean ok;

  if (issuer_base != NULL && !load_issuer(issuer_base, &issuer, error))
    return FALSE;
  ok = make(o, spec, issuer_base != NULL ? &issuer : NULL, no_chain, what, error);
  vgw_pki_bundle_clear(&issuer);
  return ok;
}

gboolean
vgw_pki_ca_run(gconstpointer opts, GError **error)
{
  const VgwPkiOptions *o = opts;
  VgwPkiCertSpec spec = { .ca = TRUE };

  return make_signed_by(o, o->issuer, &spec, FALSE,
                        o->issuer != NULL ? "intermediate CA" : "root CA", error);
}

gboolean
vgw_pki_issue_run(gconstpointer opts, GError **error)
{
  const VgwPkiOptions *o = opts;
  VgwPkiCertSpec spec = { .eku = o->eku_bits, .san_critical = o->san_critical };
  gboolean ok;

  if (o->no_san)
    spec.sans = NULL;
  else if (o->sans != NULL)
    spec.sans = vgw_pki_sans_parse(o->sans, error);
  else if ((spec.sans = vgw_pki_san_of_host(o->cn)) == NULL)
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "the CN '%s' makes no subjectAltName (not printable ASCII): give --san or --no-san",
                o->cn);
  if (!o->no_san && spec.sans == NULL)
    return FALSE;
  ok = make_signed_by(o, o->ca, &spec, o->no_chain, roles[o->role].what, error);
  GENERAL_NAMES_free(spec.sans);
  return ok;
}
