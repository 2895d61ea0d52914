/* Keystore verbs: see mgmt_keystore_verbs.h. */
#include "mgmt/mgmt_keystore_verbs.h"

#include <string.h>

#include "vgw_base64.h"
#include "vgw_crypto.h"

struct VgwKeystoreVerbs {
  VgwCryptoEngine *engine;
  VgwKeystoreChangedFunc changed;
  gpointer changed_data;
};

VgwKeystoreVerbs *vgw_keystore_verbs_new(VgwCryptoEngine *engine,
                                         VgwKeystoreChangedFunc changed,
                                         gpointer user_data) {
  VgwKeystoreVerbs *v = g_new0(VgwKeystoreVerbs, 1);
  v->engine = engine;
  v->changed = changed;
  v->changed_data = user_data;
  return v;
}

void vgw_keystore_verbs_free(VgwKeystoreVerbs *v) { g_free(v); }

/* keystore returns the call's verbs, or NULL with |out| failed when the
 * board has no crypto engine or the verb does not have |argc|
 * arguments. */
static VgwKeystoreVerbs *keystore(const VgwMgmtCall *c, guint argc,
                                  VgwMgmtReply *out) {
  VgwKeystoreVerbs *v = c->data;
  if (v->engine == NULL) {
    vgw_reply_fail(out, "no crypto engine on this board");
    return NULL;
  }
  if (c->argc != argc) {
    vgw_reply_usage(c, out);
    return NULL;
  }
  return v;
}

/* parse_slot reads a decimal slot number; the engine checks the range.
 * Errors never quote the argument: an import whose arguments are out of
 * order would otherwise echo the key. */
static gboolean parse_slot(const char *text, guint *slot, VgwMgmtReply *out) {
  guint64 v;
  if (!g_ascii_string_to_unsigned(text, 10, 0, 1000, &v, NULL)) {
    vgw_reply_fail(out, "bad slot: SLOT is a slot number");
    return FALSE;
  }
  *slot = (guint)v;
  return TRUE;
}

static gboolean parse_type(const char *text, uint32_t *type,
                           VgwMgmtReply *out) {
  if (!vgw_crypto_key_type_parse(text, type)) {
    vgw_reply_fail(out,
                   "bad key type: TYPE is one of ec-p256, rsa-2048, "
                   "rsa-3072");
    return FALSE;
  }
  return TRUE;
}

/* engine_fail fails |out| with the driver's message. */
static void engine_fail(VgwMgmtReply *out, GError *error) {
  vgw_reply_fail(out, "%s", error->message);
  g_error_free(error);
}

/* Everything list shows about one slot. */
typedef struct {
  guint slot;
  VgwCryptoSlotInfo info;
  char *fingerprint; /* SHA-256 of the SPKI DER, hex; NULL if empty */
} SlotView;

static gboolean view_slot(VgwCryptoEngine *e, guint slot, SlotView *view,
                          GError **error) {
  memset(view, 0, sizeof(*view));
  view->slot = slot;
  if (!vgw_crypto_info(e, slot, &view->info, error)) {
    return FALSE;
  }
  if (view->info.key_type == VGW_KEY_TYPE_NONE) {
    return TRUE;
  }
  GBytes *spki = vgw_crypto_export_pub(e, slot, error);
  if (spki == NULL) {
    return FALSE;
  }
  view->fingerprint = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, spki);
  g_bytes_unref(spki);
  return TRUE;
}

static const char *origin(const SlotView *view) {
  return view->info.imported ? "imported" : "generated";
}

static void append_slot_json(GString *b, const SlotView *view) {
  g_string_append_printf(b, "{\"slot\":%u", view->slot);
  vgw_json_str(b, "type", vgw_crypto_key_type_name(view->info.key_type));
  vgw_json_bool(b, "locked", view->info.locked);
  vgw_json_str(b, "origin", origin(view));
  vgw_json_str(b, "fingerprint", view->fingerprint);
  g_string_append_c(b, '}');
}

static void append_slot_text(GString *b, const SlotView *view) {
  g_string_append_printf(
      b, "slot %2u  %-8s  %-9s  %-8s  sha256:%s\n", view->slot,
      vgw_crypto_key_type_name(view->info.key_type), origin(view),
      view->info.locked ? "locked" : "unlocked", view->fingerprint);
}

/* reply_slot answers a verb that changed |slot| with the slot as list
 * shows it. */
static void reply_slot(VgwKeystoreVerbs *v, guint slot, gboolean human,
                       VgwMgmtReply *out) {
  SlotView view;
  GError *error = NULL;
  if (!view_slot(v->engine, slot, &view, &error)) {
    engine_fail(out, error);
    return;
  }
  GString *b = g_string_new(NULL);
  if (human) {
    append_slot_text(b, &view);
  } else {
    append_slot_json(b, &view);
  }
  g_free(view.fingerprint);
  vgw_reply_ok(out, b);
}

static void verb_list(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwKeystoreVerbs *v = keystore(c, 0, out);
  gboolean human = c->human;
  if (v == NULL) {
    return;
  }
  guint n = vgw_crypto_num_slots(v->engine);
  GString *b = g_string_new(NULL);
  if (!human) {
    g_string_append_printf(b, "{\"num_slots\":%u,\"slots\":[", n);
  }
  guint shown = 0;
  for (guint slot = 0; slot < n; slot++) {
    SlotView view;
    GError *error = NULL;
    if (!view_slot(v->engine, slot, &view, &error)) {
      g_string_free(b, TRUE);
      engine_fail(out, error);
      return;
    }
    if (view.info.key_type != VGW_KEY_TYPE_NONE) {
      if (human) {
        append_slot_text(b, &view);
      } else {
        g_string_append(b, shown ? "," : "");
        append_slot_json(b, &view);
      }
      shown++;
    }
    g_free(view.fingerprint);
  }
  if (human) {
    g_string_append_printf(b, "%u of %u slots hold a key.\n", shown, n);
  } else {
    g_string_append(b, "]}");
  }
  vgw_reply_ok(out, b);
}

static void key_changed(VgwKeystoreVerbs *v, guint slot) {
  if (v->changed != NULL) {
    v->changed(slot, v->changed_data);
  }
}

static void verb_gen(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwKeystoreVerbs *v = keystore(c, 2, out);
  char **argv = c->argv;
  guint slot;
  uint32_t type;
  if (v == NULL || !parse_slot(argv[1], &slot, out) ||
      !parse_type(argv[2], &type, out)) {
    return;
  }
  GError *error = NULL;
  if (!vgw_crypto_generate(v->engine, slot, type, &error)) {
    g_message("keystore: generate in slot %u refused: %s", slot,
              error->message);
    engine_fail(out, error);
    return;
  }
  g_message("keystore: slot %u: %s key generated in the engine", slot,
            vgw_crypto_key_type_name(type));
  key_changed(v, slot);
  reply_slot(v, slot, c->human, out);
}

/* verb_import hands the key to the engine; the session wipes the
 * request's copy (VGW_MGMT_VERB_SECRET_ARGS), this function its own. */
static void verb_import(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwKeystoreVerbs *v = keystore(c, 3, out);
  char **argv = c->argv;
  guint slot;
  uint32_t type;
  if (v == NULL || !parse_slot(argv[1], &slot, out) ||
      !parse_type(argv[2], &type, out)) {
    return;
  }
  gsize len = 0;
  guchar *key = vgw_base64_decode(argv[3], strlen(argv[3]), &len);
  GError *error = NULL;
  if (key == NULL) {
    vgw_reply_fail(out, "the key is not valid base64");
    return;
  }
  if (!vgw_crypto_import(v->engine, slot, type, key, len, &error)) {
    g_message("keystore: import into slot %u refused: %s", slot,
              error->message);
    engine_fail(out, error);
  } else {
    g_message("keystore: slot %u: %s key imported", slot,
              vgw_crypto_key_type_name(type));
    key_changed(v, slot);
    reply_slot(v, slot, c->human, out);
  }
  explicit_bzero(key, len);
  g_free(key);
}

static void verb_lock(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwKeystoreVerbs *v = keystore(c, 1, out);
  guint slot;
  if (v == NULL) {
    return;
  }
  if (!parse_slot(c->argv[1], &slot, out)) {
    return;
  }
  GError *error = NULL;
  if (!vgw_crypto_lock(v->engine, slot, &error)) {
    g_message("keystore: lock of slot %u refused: %s", slot, error->message);
    engine_fail(out, error);
    return;
  }
  g_message("keystore: slot %u locked (until a keystore zeroize)", slot);
  reply_slot(v, slot, c->human, out);
}

static void verb_pub(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwKeystoreVerbs *v = keystore(c, 1, out);
  gboolean human = c->human;
  guint slot;
  if (v == NULL) {
    return;
  }
  if (!parse_slot(c->argv[1], &slot, out)) {
    return;
  }
  GError *error = NULL;
  GBytes *spki = vgw_crypto_export_pub(v->engine, slot, &error);
  if (spki == NULL) {
    engine_fail(out, error);
    return;
  }
  char *b64 =
      g_base64_encode(g_bytes_get_data(spki, NULL), g_bytes_get_size(spki));
  GString *b = g_string_new(NULL);
  if (human) {
    /* PEM, so a person can paste it into openssl. */
    g_string_append(b, "-----BEGIN PUBLIC KEY-----\n");
    for (size_t i = 0; b64[i] != '\0'; i += 64) {
      g_string_append_len(b, b64 + i, MIN((size_t)64, strlen(b64 + i)));
      g_string_append_c(b, '\n');
    }
    g_string_append(b, "-----END PUBLIC KEY-----\n");
  } else {
    g_string_append_c(b, '{');
    vgw_json_str(b, "spki", b64);
    g_string_append_c(b, '}');
  }
  g_free(b64);
  g_bytes_unref(spki);
  vgw_reply_ok(out, b);
}

/* keystore-zeroize all-keys: the keystore's factory reset, the only way
 * to free a locked slot.  The confirmation word keeps a stray request
 * from erasing the device's identity. */
static void verb_zeroize(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwKeystoreVerbs *v = keystore(c, 1, out);
  if (v == NULL) {
    return;
  }
  if (strcmp(c->argv[1], VGW_KEYSTORE_ZEROIZE_CONFIRM) != 0) {
    vgw_reply_usage(c, out);
    return;
  }
  GError *error = NULL;
  if (!vgw_crypto_zeroize(v->engine, &error)) {
    g_message("keystore: zeroize refused: %s", error->message);
    engine_fail(out, error);
    return;
  }
  guint n = vgw_crypto_num_slots(v->engine);
  g_message("keystore: zeroized, all %u slots empty", n);
  /* Slot 0's user makes a new device key, as on a first boot. */
  for (guint slot = 0; slot < n; slot++) {
    key_changed(v, slot);
  }
  GString *b = g_string_new(NULL);
  if (c->human) {
    g_string_append_printf(b, "All %u slots erased.\n", n);
  } else {
    g_string_append_printf(b, "{\"zeroized\":true,\"num_slots\":%u}", n);
  }
  vgw_reply_ok(out, b);
}

#define KEY_TYPES "ec-p256|rsa-2048|rsa-3072"

static const VgwMgmtVerb keystore_verbs[] = {
    {"keystore-list", "", "the engine's key slots", 0, verb_list},
    {"keystore-gen", "SLOT " KEY_TYPES, "generate a key in a slot", 0,
     verb_gen},
    {"keystore-import", "SLOT " KEY_TYPES " BASE64-KEY",
     "load a private key into a slot", VGW_MGMT_VERB_SECRET_ARGS,
     verb_import},
    {"keystore-lock", "SLOT", "make a slot's key permanent", 0, verb_lock},
    {"keystore-pub", "SLOT", "a slot's public key", 0, verb_pub},
    {"keystore-zeroize",
     VGW_KEYSTORE_ZEROIZE_CONFIRM " (erases every key, locked or not)",
     "the keystore's factory reset", 0, verb_zeroize},
};

const VgwMgmtVerbSet vgw_keystore_verb_set = {
    keystore_verbs, G_N_ELEMENTS(keystore_verbs), NULL};

gboolean vgw_keystore_verbs_handle(char **argv, gboolean human,
                                   VgwMgmtReply *out, gpointer user_data) {
  return vgw_mgmt_verb_set_call(&vgw_keystore_verb_set, user_data, argv,
                                human, out);
}
