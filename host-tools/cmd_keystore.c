/* vgw keystore list | gen | import | lock | pub: the crypto engine's key
 * slots, on a running gateway or (factory provisioning) a stopped one. */
#include <openssl/bytestring.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "confcmd.h"
#include "hal/crypto_engine.h"
#include "keyfile.h"
#include "keystore_access.h"
#include "vgw_crypto.h"
#include "vgw-error.h"

static gboolean
parse_key_type(const VgwOption *opt, const char *text, gpointer field, GError **error)
{
  if (vgw_crypto_key_type_parse(text, field))
    return TRUE;
  g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
              "invalid value '%s' for --%s (expected ec-p256, rsa-2048 or rsa-3072)", text,
              opt->long_name);
  return FALSE;
}

const VgwOptionType vgw_option_key_type = { TRUE, parse_key_type, NULL };

/* A verb that loses keys runs only with --yes; |what| says what it does. */
static gboolean
require_yes(const VgwKeystoreOptions *opts, const char *what, GError **error)
{
  if (opts->yes)
    return TRUE;
  g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s; add --yes", what);
  return FALSE;
}

gboolean
vgw_keystore_zeroize_check(gpointer data, GError **error)
{
  return require_yes(data, "keystore zeroize erases every key, the device key too", error);
}

gboolean
vgw_keystore_reset_check(gpointer data, GError **error)
{
  return require_yes(data,
                     "keystore reset deletes the keystore and every key in it, and makes "
                     "a new board secret", error);
}

static void
print_list(JsonObject *o)
{
  JsonArray *slots = json_object_get_array_member(o, "slots");
  guint n = slots != NULL ? json_array_get_length(slots) : 0;

  if (n == 0) {
    printf("no keys (%s slots empty)\n", vgw_conf_string(o, "num_slots"));
    return;
  }
  printf("%-4s  %-8s  %-6s  %-9s  %s\n", "slot", "type", "locked", "origin",
         "fingerprint (SHA-256 of the public key)");
  for (guint i = 0; i < n; i++) {
    JsonObject *s = json_array_get_object_element(slots, i);
    printf("%-4" G_GINT64_FORMAT "  %-8s  %-6s  %-9s  %s\n",
           json_object_get_int_member(s, "slot"),
           json_object_get_string_member_with_default(s, "type", "?"),
           json_object_get_boolean_member_with_default(s, "locked", FALSE) ? "yes" : "no",
           json_object_get_string_member_with_default(s, "origin", "?"),
           json_object_get_string_member_with_default(s, "fingerprint", "?"));
  }
}

static void
say_where(const VgwKeystore *ks, const char *name)
{
  if (vgw_keystore_is_offline(ks))
    printf("(offline: gateway '%s' is stopped; the change is in its keystore for the next boot)\n",
           name);
}

static gboolean
print_pub_pem(GBytes *spki, GError **error)
{
  CBS cbs;
  EVP_PKEY *pkey;

  CBS_init(&cbs, g_bytes_get_data(spki, NULL), g_bytes_get_size(spki));
  pkey = EVP_parse_public_key(&cbs);
  if (pkey == NULL || CBS_len(&cbs) != 0) {
    EVP_PKEY_free(pkey);
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "keystore pub: the engine's public key does not parse as a SubjectPublicKeyInfo");
    return FALSE;
  }
  PEM_write_PUBKEY(stdout, pkey);
  EVP_PKEY_free(pkey);
  return TRUE;
}

/* reset works without the engine: it is for keystores the engine
 * cannot open. */
gboolean
vgw_keystore_reset_run(gconstpointer data, GError **error)
{
  const VgwKeystoreOptions *opts = data;

  if (!vgw_keystore_reset(opts->name, error))
    return FALSE;
  printf("keystore of gateway '%s' reset: every key deleted, a new board secret made; "
         "the gateway makes itself a new device key at its next boot\n", opts->name);
  return TRUE;
}

static gboolean
run(const char *sub, const VgwKeystoreOptions *opts, GError **error)
{
  /* Provisioning may precede the first boot; listing may not create one. */
  g_autoptr(VgwKeystore) ks = NULL;
  guint slot = (guint) opts->slot;

  ks = vgw_keystore_open(opts->name, strcmp(sub, "list") != 0 && strcmp(sub, "pub") != 0 &&
                         strcmp(sub, "zeroize") != 0, error);
  if (ks == NULL)
    return FALSE;
  if (strcmp(sub, "list") == 0) {
    g_autoptr(JsonObject) o = vgw_keystore_list(ks, error);
    if (o == NULL)
      return FALSE;
    if (opts->json)
      vgw_conf_print_json(o);
    else
      print_list(o);
    return TRUE;
  }
  if (strcmp(sub, "gen") == 0) {
    if (!vgw_keystore_gen(ks, slot, opts->key_type, error))
      return FALSE;
    printf("slot %u: %s key generated in the engine\n", slot, vgw_crypto_key_type_name(opts->key_type));
  } else if (strcmp(sub, "import") == 0) {
    VgwKeyfile kf;
    g_autofree char *fp = NULL;
    uint32_t type;
    gboolean ok;

    if (!vgw_keyfile_load(opts->key, &kf, error))
      return FALSE;
    type = kf.key_type;
    ok = vgw_keystore_import(ks, slot, &kf, error);
    /* The fingerprint keystore list shows (SHA-256 of the SPKI DER). */
    fp = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, kf.spki);
    vgw_keyfile_clear(&kf);
    if (!ok)
      return FALSE;
    printf("slot %u: %s key imported, public key fingerprint %s\n", slot,
           vgw_crypto_key_type_name(type), fp);
  } else if (strcmp(sub, "zeroize") == 0) {
    if (!vgw_keystore_zeroize(ks, error))
      return FALSE;
    printf("every slot erased%s\n",
           vgw_keystore_is_offline(ks) ? "" : "; the gateway made itself a new device key");
  } else if (strcmp(sub, "lock") == 0) {
    if (!vgw_keystore_lock(ks, slot, error))
      return FALSE;
    printf("slot %u locked\n", slot);
  } else {
    g_autoptr(GBytes) spki = vgw_keystore_pub(ks, slot, error);
    return spki != NULL && print_pub_pem(spki, error);
  }
  say_where(ks, opts->name);
  return TRUE;
}

#define KEYSTORE_RUN(fn, sub)                      \
  gboolean fn(gconstpointer opts, GError **error) \
  {                                               \
    return run(sub, opts, error);                 \
  }

KEYSTORE_RUN(vgw_keystore_list_run, "list")
KEYSTORE_RUN(vgw_keystore_gen_run, "gen")
KEYSTORE_RUN(vgw_keystore_import_run, "import")
KEYSTORE_RUN(vgw_keystore_lock_run, "lock")
KEYSTORE_RUN(vgw_keystore_pub_run, "pub")
KEYSTORE_RUN(vgw_keystore_zeroize_run, "zeroize")
