/* vgw cert inject | show: a TLS Context's certificate, chain and trusted
 * roots, on a running gateway (maintenance port) or a stopped one (its
 * flash image and keystore, answered by the firmware's own verbs,
 * device-fw/tls/tls_context_verbs.h). */
#include <openssl/mem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "confcmd.h"
#include "config/config_state.h"
#include "fileread.h"
#include "instance.h"
#include "keyfile.h"
#include "keystore_access.h"
#include "store/blockdev.h"
#include "tls/tls_bundle.h"
#include "tls/tls_cert.h"
#include "tls/tls_context_verbs.h"
#include "vgw-error.h"
#include "vgw_crypto.h"

/* The most a certificate file may hold. */
#define CERT_FILE_MAX (1024 * 1024)

/* A gateway's TLS Contexts, running or stopped. */
typedef struct {
  VgwKeystore *ks;            /* the session (online) or the engine (offline) */
  VgwConfigState *cs;         /* offline: over the flash image */
  VgwTlsContextVerbs *verbs;  /* offline */
} CertTarget;

static void
target_close(CertTarget *t)
{
  vgw_tls_context_verbs_free(t->verbs);
  vgw_config_state_free(t->cs);
  vgw_keystore_close(t->ks);
}

static gboolean
target_open(const char *name, CertTarget *t, GError **error)
{
  g_autoptr(VgwInstance) inst = NULL;
  VgwBlockDev *dev;
  GError *local = NULL;

  if ((t->ks = vgw_keystore_open(name, FALSE, error)) == NULL)
    return FALSE;
  if (!vgw_keystore_is_offline(t->ks))
    return TRUE;
  if ((inst = vgw_instance_new(name, error)) == NULL || !vgw_instance_load(inst, error))
    return FALSE;
  dev = vgw_blockdev_open_file(inst->flash, TRUE, &local);
  if (dev == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s: %s", inst->flash, local->message);
    g_error_free(local);
    return FALSE;
  }
  t->cs = vgw_config_state_open(dev);
  t->verbs = vgw_tls_context_verbs_new(vgw_keystore_engine(t->ks), t->cs, NULL, NULL);
  vgw_keystore_add_verbs(t->ks, &vgw_tls_context_verb_set, t->verbs);
  return TRUE;
}

/* read_certs appends the certificates of PEM file |path| to |to|. */
static gboolean
read_certs(const char *path, STACK_OF(X509) *to, GError **error)
{
  g_autofree char *pem = NULL;
  gsize len = 0;
  STACK_OF(X509) *certs;
  GError *local = NULL;

  if (!vgw_file_read(path, CERT_FILE_MAX, &pem, &len, error))
    return FALSE;
  if ((certs = vgw_tls_bundle_read_pem(pem, len, path, &local)) == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s", local->message);
    g_error_free(local);
    return FALSE;
  }
  while (sk_X509_num(certs) > 0)
    sk_X509_push(to, sk_X509_shift(certs));
  sk_X509_free(certs);
  return TRUE;
}

/* stage sends |x| as a `cert-add KIND` request. */
static gboolean
stage(CertTarget *t, const char *kind, X509 *x, GError **error)
{
  uint8_t *der = NULL;
  int len = i2d_X509(x, &der);
  g_autofree char *b64 = NULL;
  g_autoptr(JsonObject) o = NULL;

  if (len <= 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot encode a certificate");
    return FALSE;
  }
  b64 = g_base64_encode(der, (gsize) len);
  OPENSSL_free(der);
  const char *req[] = { "cert-add", kind, b64, NULL };
  o = vgw_keystore_request(t->ks, req, error);
  return o != NULL;
}

/* current_slot asks the context's key slot (cert-show). */
static gboolean
current_slot(CertTarget *t, const char *context, guint *slot, GError **error)
{
  const char *req[] = { "cert-show", context, NULL };
  g_autoptr(JsonObject) o = vgw_keystore_request(t->ks, req, error);

  if (o == NULL)
    return FALSE;
  *slot = (guint) json_object_get_int_member_with_default(o, "slot", 0);
  return TRUE;
}

/* The files of one `vgw cert inject`, read. */
typedef struct {
  STACK_OF(X509) *certs;  /* --cert: the certificate, perhaps its chain */
  STACK_OF(X509) *chain;  /* --chain */
  STACK_OF(X509) *roots;  /* --ca ... */
  VgwKeyfile kf;          /* --key */
} Bundle;

static void
bundle_clear(Bundle *b)
{
  vgw_keyfile_clear(&b->kf);
  sk_X509_pop_free(b->certs, X509_free);
  sk_X509_pop_free(b->chain, X509_free);
  sk_X509_pop_free(b->roots, X509_free);
}

static gboolean
bundle_read(const VgwCertOptions *opts, Bundle *b, GError **error)
{
  memset(b, 0, sizeof *b);
  b->certs = sk_X509_new_null();
  b->chain = sk_X509_new_null();
  b->roots = sk_X509_new_null();
  if ((opts->cert != NULL && !read_certs(opts->cert, b->certs, error)) ||
      (opts->chain != NULL && !read_certs(opts->chain, b->chain, error)))
    return FALSE;
  for (char **ca = opts->ca; ca != NULL && *ca != NULL; ca++)
    if (!read_certs(*ca, b->roots, error))
      return FALSE;
  if (opts->cert != NULL && sk_X509_num(b->certs) == 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s: no certificate", opts->cert);
    return FALSE;
  }
  return opts->key == NULL || vgw_keyfile_load(opts->key, &b->kf, error);
}

/* stage_all sends |certs| from |first| on as `cert-add KIND`. */
static gboolean
stage_all(CertTarget *t, const char *kind, STACK_OF(X509) *certs, size_t first,
          GError **error)
{
  for (size_t i = first; i < sk_X509_num(certs); i++)
    if (!stage(t, kind, sk_X509_value(certs, i), error))
      return FALSE;
  return TRUE;
}

/* send_bundle stages |b| for |context| on the gateway (without a device
 * certificate for --generate: the gateway issues that). */
static gboolean
send_bundle(CertTarget *t, const char *context, const Bundle *b, GError **error)
{
  const char *begin[] = { "cert-begin", context, NULL };
  g_autoptr(JsonObject) begun = vgw_keystore_request(t->ks, begin, error);

  return begun != NULL &&
         (sk_X509_num(b->certs) == 0 || stage(t, "cert", sk_X509_value(b->certs, 0), error)) &&
         stage_all(t, "chain", b->certs, 1, error) &&
         stage_all(t, "chain", b->chain, 0, error) &&
         stage_all(t, "ca", b->roots, 0, error);
}

/* import_checked has the gateway validate the staged bundle with |kf|'s
 * public key and only then puts the key into |slot|: a refused bundle
 * leaves the engine alone. */
static gboolean
import_checked(CertTarget *t, const VgwKeyfile *kf, guint slot, GError **error)
{
  g_autofree char *spki = g_base64_encode(g_bytes_get_data(kf->spki, NULL),
                                          g_bytes_get_size(kf->spki));
  const char *check[] = { "cert-check", spki, NULL };
  g_autoptr(JsonObject) checked = vgw_keystore_request(t->ks, check, error);

  return checked != NULL && vgw_keystore_import(t->ks, slot, kf, error);
}

/* subject_cn returns the common name --subject gives, "CN=" optional. */
static const char *
subject_cn(const char *subject)
{
  return g_str_has_prefix(subject, "CN=") ? subject + 3 : subject;
}

/* common_name is the CN to issue or request: --subject's, else the
 * gateway's name (always a valid one, instance.h). */
static const char *
common_name(const VgwCertOptions *opts)
{
  return opts->subject != NULL ? subject_cn(opts->subject) : opts->name;
}

/* generate has the engine make a new |opts->generate| key in |slot| and
 * the gateway stage a self-signed certificate for it, signed in the
 * engine: no private key exists outside it. */
static gboolean
generate(const VgwCertOptions *opts, CertTarget *t, guint slot, GError **error)
{
  g_autofree char *slot_text = g_strdup_printf("%u", slot);
  const char *issue[] = { "cert-issue", slot_text, common_name(opts), NULL };
  g_autoptr(JsonObject) issued = NULL;

  if (!vgw_keystore_gen(t->ks, slot, opts->generate, error))
    return FALSE;
  issued = vgw_keystore_request(t->ks, issue, error);
  return issued != NULL;
}

/* new_key_slot sets |slot| to the engine slot a new key goes into and
 * |note| to how it was chosen (newly allocated): --slot if given, with a
 * warning on a running gateway when a TLS Context serves from that slot;
 * else the slot the gateway's policy chooses (`cert-slot`,
 * device-fw/tls/tls_slot_pick.h), so that nothing in service changes
 * before the commit. */
static gboolean
new_key_slot(const VgwCertOptions *opts, CertTarget *t, guint *slot, char **note,
             GError **error)
{
  g_autofree char *asked = opts->slot_given ? g_strdup_printf("%u", opts->slot) : NULL;
  const char *req[] = { "cert-slot", asked, NULL };
  g_autoptr(JsonObject) o = NULL;
  GError *local = NULL;
  const char *use;

  if ((o = vgw_keystore_request(t->ks, req, &local)) == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "%s%s", local->message,
                opts->slot_given ? "" : "; name the slot to use with --slot S "
                                        "(vgw keystore list shows what each holds)");
    g_error_free(local);
    return FALSE;
  }
  *slot = (guint) json_object_get_int_member_with_default(o, "slot", 0);
  use = json_object_get_string_member_with_default(o, "use", "?");
  if (opts->slot_given) {
    *note = g_strdup("");
    if (strcmp(use, "context") == 0 && !vgw_keystore_is_offline(t->ks))
      g_printerr("vgw: warning: a TLS Context serves from engine slot %u: its key changes "
                 "before the new certificate is committed, so handshakes under way may "
                 "fail; without --slot the new key goes into a free slot and nothing "
                 "is lost\n", *slot);
  } else {
    *note = g_strdup_printf(" (chosen: %s)", strcmp(use, "empty") == 0
                                               ? "an empty slot"
                                               : "the slot of a key a swap retired");
  }
  return TRUE;
}

/* retired_note says which slot the commit |done| retired, if any (newly
 * allocated). */
static char *
retired_note(JsonObject *done)
{
  if (!json_object_has_member(done, "retired"))
    return g_strdup("");
  return g_strdup_printf("; the key it left in slot %" G_GINT64_FORMAT " is retired",
                         json_object_get_int_member(done, "retired"));
}

/* inject stages the bundle and commits it (see vgw_cert_inject_run). */
static gboolean
inject(const VgwCertOptions *opts, CertTarget *t, const Bundle *b, GError **error)
{
  g_autofree char *context = g_strdup_printf("%u", opts->context);
  g_autofree char *slot_text = NULL;
  g_autofree char *note = NULL;
  g_autofree char *retired = NULL;
  g_autoptr(JsonObject) done = NULL;
  gboolean new_key = opts->key != NULL || opts->generate != VGW_KEY_TYPE_NONE;
  guint slot = opts->slot;

  if (new_key ? !new_key_slot(opts, t, &slot, &note, error)
              : !opts->slot_given && !current_slot(t, context, &slot, error))
    return FALSE;
  if (!send_bundle(t, context, b, error) ||
      (opts->key != NULL && !import_checked(t, &b->kf, slot, error)) ||
      (opts->generate != VGW_KEY_TYPE_NONE && !generate(opts, t, slot, error)))
    return FALSE;
  slot_text = g_strdup_printf("%u", slot);
  const char *commit[] = { "cert-commit", slot_text, NULL };
  if ((done = vgw_keystore_request(t->ks, commit, error)) == NULL)
    return FALSE;
  retired = retired_note(done);
  if (opts->generate != VGW_KEY_TYPE_NONE)
    printf("context %u: self-signed %s installed, its new %s key generated in engine slot %u%s%s%s\n",
           opts->context, vgw_conf_string(done, "subject"),
           vgw_crypto_key_type_name(opts->generate), slot, note ? note : "",
           sk_X509_num(b->roots) > 0 ? ", new trusted roots" : "", retired);
  else
    printf("context %u: %s installed with %d intermediate(s), key in engine slot %u%s%s%s\n",
           opts->context, vgw_conf_string(done, "subject"),
           (int) (sk_X509_num(b->certs) - 1 + sk_X509_num(b->chain)), slot, note ? note : "",
           sk_X509_num(b->roots) > 0 ? ", new trusted roots" : "", retired);
  if (vgw_keystore_is_offline(t->ks))
    printf("(offline: gateway '%s' is stopped; it serves it from its next boot)\n",
           opts->name);
  return TRUE;
}

/* check_slot_subject checks --slot and --subject, the options inject
 * and csr share. */
static gboolean
check_slot_subject(VgwCertOptions *opts, GError **error)
{
  guint64 n;

  if (opts->subject != NULL && !vgw_tls_cert_common_name_valid(subject_cn(opts->subject))) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "invalid value '%s' for --subject (expected a common name of 1 to %d "
                "printable ASCII characters)", opts->subject, VGW_TLS_CERT_CN_MAX);
    return FALSE;
  }
  if (opts->slot_text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned(opts->slot_text, 10, 0, VGW_CRYPTO_SLOTS - 1, &n, NULL)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "invalid value '%s' for --slot (expected 0 to %u)", opts->slot_text,
                VGW_CRYPTO_SLOTS - 1);
    return FALSE;
  }
  opts->slot = (guint) n;
  opts->slot_given = TRUE;
  return TRUE;
}

gboolean
vgw_cert_inject_check(gpointer data, GError **error)
{
  VgwCertOptions *opts = data;
  gboolean generating = opts->generate != VGW_KEY_TYPE_NONE;

  if ((opts->cert == NULL) == !generating) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "give either --cert or --generate (one certificate per context)");
    return FALSE;
  }
  if (generating && (opts->key != NULL || opts->chain != NULL)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "--generate makes the key and a self-signed certificate: no --%s",
                opts->key != NULL ? "key" : "chain");
    return FALSE;
  }
  if (opts->subject != NULL && !generating) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "--subject names the certificate --generate makes; with --cert the "
                "certificate has its own");
    return FALSE;
  }
  return check_slot_subject(opts, error);
}

gboolean
vgw_cert_csr_check(gpointer data, GError **error)
{
  return check_slot_subject(data, error);
}

/* csr_key sets |slot| to the engine slot whose key the request is for:
 * with --generate a new key made there (new_key_slot), else --slot or
 * the context's; |what| describes the key (newly allocated). */
static gboolean
csr_key(const VgwCertOptions *opts, CertTarget *t, guint *slot, char **what, GError **error)
{
  g_autofree char *context = g_strdup_printf("%u", opts->context);
  g_autofree char *note = NULL;

  *slot = opts->slot;
  if (opts->generate == VGW_KEY_TYPE_NONE) {
    if (!opts->slot_given && !current_slot(t, context, slot, error))
      return FALSE;
    *what = g_strdup_printf("the key in engine slot %u", *slot);
    return TRUE;
  }
  if (!new_key_slot(opts, t, slot, &note, error) ||
      !vgw_keystore_gen(t->ks, *slot, opts->generate, error))
    return FALSE;
  *what = g_strdup_printf("a new %s key generated in engine slot %u%s; once it is signed, "
                          "install the certificate with vgw cert inject --cert F --slot %u",
                          vgw_crypto_key_type_name(opts->generate), *slot, note, *slot);
  return TRUE;
}

gboolean
vgw_cert_csr_run(gconstpointer data, GError **error)
{
  const VgwCertOptions *opts = data;
  g_autofree char *slot_text = NULL;
  g_autofree char *what = NULL;
  CertTarget t = { 0 };
  JsonObject *o = NULL;
  GError *local = NULL;
  guint slot;
  const char *pem;
  gboolean ok;

  if (target_open(opts->name, &t, error) && csr_key(opts, &t, &slot, &what, error)) {
    slot_text = g_strdup_printf("%u", slot);
    const char *req[] = { "cert-csr", slot_text, common_name(opts), NULL };
    o = vgw_keystore_request(t.ks, req, error);
  }
  target_close(&t);
  if (o == NULL)
    return FALSE;
  pem = vgw_conf_string(o, "csr");
  if (opts->out == NULL) {
    fputs(pem, stdout);
    /* The request is the output; say which key on the side. */
    g_printerr("vgw: certificate request for %s\n", what);
    ok = TRUE;
  } else if ((ok = g_file_set_contents(opts->out, pem, -1, &local))) {
    printf("%s: certificate request for %s\n", opts->out, what);
  } else {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s", local->message);
    g_error_free(local);
  }
  json_object_unref(o);
  return ok;
}

gboolean
vgw_cert_inject_run(gconstpointer data, GError **error)
{
  const VgwCertOptions *opts = data;
  CertTarget t = { 0 };
  Bundle b;
  /* The files are read before the gateway is touched. */
  gboolean ok = bundle_read(opts, &b, error) && target_open(opts->name, &t, error) &&
                inject(opts, &t, &b, error);

  target_close(&t);
  bundle_clear(&b);
  return ok;
}

/* The 6.4 way to give Context 0 its files: parameters naming them,
 * here files beside the ini. */
static const struct {
  const char *param;
  gsize offset;
} config_files[] = {
  { "HTTPSCertFileName", G_STRUCT_OFFSET(VgwCertOptions, cert) },
  { "HTTPSPkeyFileName", G_STRUCT_OFFSET(VgwCertOptions, key) },
};

gboolean
vgw_cert_from_config(const VgwParamConfig *cfg, const char *ini_path, VgwCertOptions *out,
                     GError **error)
{
  g_autofree char *dir = g_path_get_dirname(ini_path);
  const char *roots = vgw_param_config_global_named(cfg, "HTTPSRootFileName")->str;

  memset(out, 0, sizeof *out);
  for (gsize i = 0; i < G_N_ELEMENTS(config_files); i++) {
    const char *file = vgw_param_config_global_named(cfg, config_files[i].param)->str;
    if (file != NULL && *file != '\0')
      G_STRUCT_MEMBER(char *, out, config_files[i].offset) = g_build_filename(dir, file, NULL);
  }
  if (roots != NULL && *roots != '\0') {
    out->ca = g_new0(char *, 2);
    out->ca[0] = g_build_filename(dir, roots, NULL);
  }
  if (out->cert == NULL && (out->key != NULL || out->ca != NULL)) {
    vgw_cert_options_clear(out);
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "HTTPSPkeyFileName or HTTPSRootFileName without HTTPSCertFileName: "
                "vgw installs them together, as one bundle");
    return FALSE;
  }
  return TRUE;
}

gboolean
vgw_cert_precheck(const VgwCertOptions *opts, GError **error)
{
  Bundle b;
  GError *local = NULL;
  gboolean ok = bundle_read(opts, &b, error);

  /* Without a key file the key is the engine's: only the gateway can
   * check it. */
  if (ok && opts->key != NULL) {
    STACK_OF(X509) *chain = sk_X509_new_null();
    for (size_t i = 1; i < sk_X509_num(b.certs); i++)
      sk_X509_push(chain, sk_X509_value(b.certs, i));
    ok = vgw_tls_bundle_check(sk_X509_value(b.certs, 0), chain, b.kf.spki, b.roots,
                              VGW_TLS_ROLES_SIP, g_get_real_time() / G_USEC_PER_SEC, &local);
    sk_X509_free(chain);
    if (!ok) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s: %s: %s", opts->cert,
                  vgw_tls_bundle_error_name(local->code), local->message);
      g_error_free(local);
    }
  }
  bundle_clear(&b);
  return ok;
}

void
vgw_cert_options_clear(VgwCertOptions *opts)
{
  g_free(opts->cert);
  g_free(opts->chain);
  g_free(opts->key);
  g_free(opts->slot_text);
  g_free(opts->subject);
  g_free(opts->out);
  g_strfreev(opts->ca);
  memset(opts, 0, sizeof *opts);
}

static void
print_cert(const char *label, JsonObject *c)
{
  printf("  %-12s %s\n", label, json_object_get_string_member_with_default(c, "subject", "?"));
  printf("  %-12s issuer %s\n", "", json_object_get_string_member_with_default(c, "issuer", "?"));
  printf("  %-12s valid %s to %s\n", "",
         json_object_get_string_member_with_default(c, "not_before", "?"),
         json_object_get_string_member_with_default(c, "not_after", "?"));
  printf("  %-12s sha256 %s\n", "", json_object_get_string_member_with_default(c, "sha256", "?"));
}

static void
print_certs(const char *label, JsonArray *a)
{
  for (guint i = 0; a != NULL && i < json_array_get_length(a); i++)
    print_cert(label, json_array_get_object_element(a, i));
}

gboolean
vgw_cert_show_run(gconstpointer data, GError **error)
{
  const VgwCertOptions *opts = data;
  g_autofree char *context = g_strdup_printf("%u", opts->context);
  const char *req[] = { "cert-show", context, NULL };
  CertTarget t = { 0 };
  JsonObject *o = NULL;

  if (target_open(opts->name, &t, error))
    o = vgw_keystore_request(t.ks, req, error);
  target_close(&t);
  if (o == NULL)
    return FALSE;
  if (opts->json) {
    vgw_conf_print_json(o);
  } else {
    JsonNode *cert = json_object_get_member(o, "certificate");
    printf("TLS context %s (%s): key in engine slot %s\n", context,
           json_object_get_string_member_with_default(o, "name", "?"),
           vgw_conf_string(o, "slot"));
    if (cert != NULL && JSON_NODE_HOLDS_OBJECT(cert))
      print_cert("certificate", json_node_get_object(cert));
    else if (opts->context == 0)
      printf("  no certificate yet (the gateway makes one at its next boot)\n");
    else
      printf("  no certificate yet (vgw cert inject installs one); its listeners serve "
             "context 0's\n");
    print_certs("chain", json_object_get_array_member(o, "chain"));
    print_certs("trusted root", json_object_get_array_member(o, "roots"));
  }
  json_object_unref(o);
  return TRUE;
}
