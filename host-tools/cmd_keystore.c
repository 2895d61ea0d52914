/* vgw keystore list | gen | import | lock | pub: the crypto engine's key
 * slots, on a running gateway or (factory provisioning) a stopped one. */
#include <openssl/bytestring.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "confcmd.h"
#include "hal/crypto_engine.h"
#include "keyfile.h"
#include "keystore_access.h"
#include "vgw_crypto.h"
#include "vgw-error.h"

#define NAME_ENTRY(o) \
  { "name", 'n', 0, G_OPTION_ARG_STRING, &(o)->name, "Gateway name (default \"default\")", "N" }
#define SLOT_ENTRY(o) \
  { "slot", 's', 0, G_OPTION_ARG_INT, &(o)->slot, "Key slot, 0-15 (slot 0 is TLS Context 0's device key)", "S" }

static const char keystore_where[] =
  "On a running gateway this goes through its maintenance port; on a\n"
  "stopped one it provisions the keystore offline (a QEMU in qtest mode\n"
  "drives the board's crypto engine; no guest runs).";

/* A verb's own check after its options parsed, or NULL. */
typedef gboolean (*KeystoreCheck)(VgwKeystoreOptions *opts, GError **error);

/* parse fills |opts| from argv for |verb|: its |entries|, the instance
 * name, --slot when |need_slot|, then |check|.  On failure |opts| is
 * cleared. */
static gboolean
parse(const char *verb, const char *summary, const GOptionEntry *entries,
      gboolean need_slot, KeystoreCheck check, VgwKeystoreOptions *opts,
      int argc, char **argv, GError **error)
{
  g_autofree char *full = g_strdup_printf("%s\n\n%s", summary, keystore_where);

  memset(opts, 0, sizeof *opts);
  opts->slot = VGW_KEYSTORE_NO_SLOT;
  if (!vgw_cli_parse(verb, NULL, full, entries, opts, FALSE, argc, argv, NULL, error) ||
      !vgw_cli_instance_name(&opts->name, error))
    goto fail;
  if (need_slot && opts->slot == VGW_KEYSTORE_NO_SLOT) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s: --slot is required (0-%u)",
                verb, VGW_CRYPTO_SLOTS - 1);
    goto fail;
  }
  if (need_slot && (opts->slot < 0 || opts->slot >= (int) VGW_CRYPTO_SLOTS)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s: no slot %d (0-%u)",
                verb, opts->slot, VGW_CRYPTO_SLOTS - 1);
    goto fail;
  }
  if (check != NULL && !check(opts, error))
    goto fail;
  return TRUE;
fail:
  vgw_keystore_options_clear(opts);
  return FALSE;
}

gboolean
vgw_keystore_list_parse(int argc, char **argv, VgwKeystoreOptions *opts, GError **error)
{
  const GOptionEntry entries[] = {
    NAME_ENTRY(opts),
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, "Print JSON", NULL },
    { NULL },
  };

  return parse("keystore list",
               "List the engine's key slots: type, lock state, origin and the\n"
               "SHA-256 fingerprint of the public key.  Private keys cannot be read.",
               entries, FALSE, NULL, opts, argc, argv, error);
}

static gboolean
check_type(VgwKeystoreOptions *opts, GError **error)
{
  if (opts->type != NULL && vgw_crypto_key_type_parse(opts->type, &opts->key_type))
    return TRUE;
  g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
              "keystore gen: --type must be ec-p256, rsa-2048 or rsa-3072");
  return FALSE;
}

gboolean
vgw_keystore_gen_parse(int argc, char **argv, VgwKeystoreOptions *opts, GError **error)
{
  const GOptionEntry entries[] = {
    NAME_ENTRY(opts),
    SLOT_ENTRY(opts),
    { "type", 't', 0, G_OPTION_ARG_STRING, &opts->type, "ec-p256, rsa-2048 or rsa-3072", "T" },
    { NULL },
  };

  return parse("keystore gen",
               "Generate a key pair inside the engine; the private key never\n"
               "leaves it.  Replaces an unlocked key in the slot.",
               entries, TRUE, check_type, opts, argc, argv, error);
}

static gboolean
check_key(VgwKeystoreOptions *opts, GError **error)
{
  if (opts->key != NULL)
    return TRUE;
  g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "keystore import: --key is required");
  return FALSE;
}

gboolean
vgw_keystore_import_parse(int argc, char **argv, VgwKeystoreOptions *opts, GError **error)
{
  const GOptionEntry entries[] = {
    NAME_ENTRY(opts),
    SLOT_ENTRY(opts),
    { "key", 'k', 0, G_OPTION_ARG_FILENAME, &opts->key, "PEM private key (P-256, RSA 2048/3072)", "F" },
    { NULL },
  };

  return parse("keystore import",
               "Write a private key into a slot.  The engine can use it but\n"
               "never gives it back.  Replaces an unlocked key in the slot.",
               entries, TRUE, check_key, opts, argc, argv, error);
}

gboolean
vgw_keystore_slot_parse(const char *verb, int argc, char **argv, VgwKeystoreOptions *opts,
                        GError **error)
{
  const GOptionEntry entries[] = {
    NAME_ENTRY(opts),
    SLOT_ENTRY(opts),
    { NULL },
  };
  gboolean lock = strcmp(verb, "keystore lock") == 0;

  return parse(verb,
               lock ? "Lock a slot: its key can no longer be replaced or deleted\n"
                      "until the keystore's factory reset."
                    : "Print a slot's public key (PEM).",
               entries, TRUE, NULL, opts, argc, argv, error);
}

/* A verb that loses keys runs only with --yes; |what| says what it does. */
static gboolean
require_yes(const VgwKeystoreOptions *opts, const char *what, GError **error)
{
  if (opts->yes)
    return TRUE;
  g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s; add --yes", what);
  return FALSE;
}

static gboolean
check_yes(VgwKeystoreOptions *opts, GError **error)
{
  return require_yes(opts, "keystore zeroize erases every key, the device key too", error);
}

static gboolean
check_yes_reset(VgwKeystoreOptions *opts, GError **error)
{
  return require_yes(opts, "keystore reset deletes the keystore, every key in it, and makes "
                     "a new board secret", error);
}

gboolean
vgw_keystore_reset_parse(int argc, char **argv, VgwKeystoreOptions *opts, GError **error)
{
  const GOptionEntry entries[] = {
    NAME_ENTRY(opts),
    { "yes", 0, 0, G_OPTION_ARG_NONE, &opts->yes, "Yes, lose every key", NULL },
    { NULL },
  };

  return parse("keystore reset",
               "Start the keystore over on a stopped gateway: keystore.bin is\n"
               "deleted with every key in it and a new board secret is made.  The\n"
               "recovery from a damaged keystore or a lost keystore.secret, which\n"
               "zeroize cannot open.  The gateway makes itself a new device key at\n"
               "its next boot.",
               entries, FALSE, check_yes_reset, opts, argc, argv, error);
}

gboolean
vgw_keystore_zeroize_parse(int argc, char **argv, VgwKeystoreOptions *opts, GError **error)
{
  const GOptionEntry entries[] = {
    NAME_ENTRY(opts),
    { "yes", 0, 0, G_OPTION_ARG_NONE, &opts->yes, "Yes, erase every key", NULL },
    { NULL },
  };

  return parse("keystore zeroize",
               "Erase every slot, locked or not: the keystore's factory reset.\n"
               "A running gateway then makes itself a new device key and\n"
               "certificate; a stopped one does so at its next boot.",
               entries, FALSE, check_yes, opts, argc, argv, error);
}

void
vgw_keystore_options_clear(VgwKeystoreOptions *opts)
{
  g_clear_pointer(&opts->name, g_free);
  g_clear_pointer(&opts->type, g_free);
  g_clear_pointer(&opts->key, g_free);
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
static gboolean
run_reset(const VgwKeystoreOptions *opts, GError **error)
{
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

  if (strcmp(sub, "reset") == 0)
    return run_reset(opts, error);
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

#define DEFINE_SUB(fn, sub, parse_call)                            \
  static int fn(int argc, char **argv)                             \
  {                                                                \
    g_autoptr(GError) error = NULL;                                \
    VgwKeystoreOptions opts;                                       \
    if (parse_call) {                                              \
      run(sub, &opts, &error);                                     \
      vgw_keystore_options_clear(&opts);                           \
    }                                                              \
    return vgw_cli_finish(error);                                  \
  }

DEFINE_SUB(cmd_list, "list", vgw_keystore_list_parse(argc, argv, &opts, &error))
DEFINE_SUB(cmd_gen, "gen", vgw_keystore_gen_parse(argc, argv, &opts, &error))
DEFINE_SUB(cmd_import, "import", vgw_keystore_import_parse(argc, argv, &opts, &error))
DEFINE_SUB(cmd_lock, "lock", vgw_keystore_slot_parse("keystore lock", argc, argv, &opts, &error))
DEFINE_SUB(cmd_zeroize, "zeroize", vgw_keystore_zeroize_parse(argc, argv, &opts, &error))
DEFINE_SUB(cmd_pub, "pub", vgw_keystore_slot_parse("keystore pub", argc, argv, &opts, &error))
DEFINE_SUB(cmd_reset, "reset", vgw_keystore_reset_parse(argc, argv, &opts, &error))

static const VgwVerb keystore_verbs[] = {
  { "list", "list the key slots (type, lock, fingerprint; never private keys)", cmd_list },
  { "gen", "generate a key pair inside the engine", cmd_gen },
  { "import", "write a PEM private key into a slot (write-only)", cmd_import },
  { "lock", "lock a slot against replacement and deletion", cmd_lock },
  { "pub", "print a slot's public key (PEM)", cmd_pub },
  { "zeroize", "erase every slot, locked or not (the keystore's factory reset)", cmd_zeroize },
  { "reset", "stopped gateway: delete a damaged keystore, make a new board secret", cmd_reset },
  { NULL, NULL, NULL },
};

int
vgw_cmd_keystore(int argc, char **argv)
{
  return vgw_cli_dispatch("keystore", keystore_verbs, argc, argv);
}
