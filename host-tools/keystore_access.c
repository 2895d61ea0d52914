#include "keystore_access.h"

#include <string.h>
#include <unistd.h>

#include "board_secret.h"
#include "hal/crypto_engine.h"
#include "hal/crypto_qtest.h"
#include "instance.h"
#include "maint.h"
#include "qemu_cmdline.h"
#include "vgw_crypto.h"
#include "vgw-error.h"

/* Key generation in the engine can take a while for RSA-3072. */
#define KEYSTORE_TIMEOUT_S 60

struct VgwKeystore {
  VgwMaintSession *maint;   /* online */
  VgwCryptoEngine *engine;  /* offline: the board's engine under qtest */
  int lock_fd;              /* offline: the instance lock, so no boot races us */
};

/* Driver errors become the one-line VGW_ERRORs vgw prints. */
static gboolean
engine_failed(GError *driver_error, GError **error)
{
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s", driver_error->message);
  g_error_free(driver_error);
  return FALSE;
}

static gboolean
open_offline(VgwKeystore *ks, VgwInstance *inst, GError **error)
{
  g_autofree char *qemu = vgw_qemu_resolve_binary(NULL, error);
  GError *driver_error = NULL;

  if (qemu == NULL || !vgw_instance_ensure_dir(inst, error) ||
      (ks->lock_fd = vgw_instance_lock(inst, error)) < 0 ||
      !vgw_board_secret_ensure(inst->keystore_secret, error))
    return FALSE;
  ks->engine = vgw_crypto_qtest_open(qemu, inst->keystore, inst->keystore_secret,
                                     &driver_error);
  return ks->engine != NULL || engine_failed(driver_error, error);
}

VgwKeystore *
vgw_keystore_open(const char *name, gboolean create, GError **error)
{
  g_autoptr(VgwInstance) inst = vgw_instance_new(name, error);
  VgwMaintTarget target = { .timeout_s = KEYSTORE_TIMEOUT_S };
  VgwKeystore *ks;

  if (inst == NULL)
    return NULL;
  if (!vgw_instance_known(inst) && !create) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_UNKNOWN, "no gateway named '%s'", name);
    return NULL;
  }
  if (vgw_instance_known(inst) && !vgw_instance_load(inst, error))
    return NULL;
  ks = g_new0(VgwKeystore, 1);
  ks->lock_fd = -1;
  if (vgw_instance_running_pid(inst) != 0) {
    target.socket_path = inst->maint_sock;
    ks->maint = vgw_maint_session_open(&target, error);
    if (ks->maint == NULL) {
      g_free(ks);
      return NULL;
    }
    return ks;
  }
  if (!open_offline(ks, inst, error)) {
    vgw_keystore_close(ks);
    return NULL;
  }
  return ks;
}

gboolean
vgw_keystore_is_offline(const VgwKeystore *ks)
{
  return ks->maint == NULL;
}

static JsonObject *
request(VgwKeystore *ks, const char *const *req, GError **error)
{
  return vgw_maint_session_request(ks->maint, req, 0, error);
}

static JsonObject *
list_offline(VgwKeystore *ks, GError **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  guint n = vgw_crypto_num_slots(ks->engine);
  g_autoptr(JsonNode) root = NULL;
  GError *driver_error = NULL;

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "num_slots");
  json_builder_add_int_value(b, n);
  json_builder_set_member_name(b, "slots");
  json_builder_begin_array(b);
  for (guint slot = 0; slot < n; slot++) {
    VgwCryptoSlotInfo info;
    g_autoptr(GBytes) spki = NULL;
    g_autofree char *fp = NULL;

    if (!vgw_crypto_info(ks->engine, slot, &info, &driver_error)) {
      engine_failed(driver_error, error);
      return NULL;
    }
    if (info.key_type == VGW_KEY_TYPE_NONE)
      continue;
    if ((spki = vgw_crypto_export_pub(ks->engine, slot, &driver_error)) == NULL) {
      engine_failed(driver_error, error);
      return NULL;
    }
    fp = vgw_spki_fingerprint(spki);
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "slot");
    json_builder_add_int_value(b, slot);
    json_builder_set_member_name(b, "type");
    json_builder_add_string_value(b, vgw_crypto_key_type_name(info.key_type));
    json_builder_set_member_name(b, "locked");
    json_builder_add_boolean_value(b, info.locked);
    json_builder_set_member_name(b, "origin");
    json_builder_add_string_value(b, info.imported ? "imported" : "generated");
    json_builder_set_member_name(b, "fingerprint");
    json_builder_add_string_value(b, fp);
    json_builder_end_object(b);
  }
  json_builder_end_array(b);
  json_builder_end_object(b);
  root = json_builder_get_root(b);
  return json_object_ref(json_node_get_object(root));
}

JsonObject *
vgw_keystore_list(VgwKeystore *ks, GError **error)
{
  const char *req[] = { "keystore-list", NULL };

  if (ks->engine != NULL)
    return list_offline(ks, error);
  return request(ks, req, error);
}

gboolean
vgw_keystore_gen(VgwKeystore *ks, guint slot, uint32_t key_type, GError **error)
{
  g_autofree char *s = g_strdup_printf("%u", slot);
  const char *req[] = { "keystore-gen", s, vgw_crypto_key_type_name(key_type), NULL };
  g_autoptr(JsonObject) o = NULL;
  GError *driver_error = NULL;

  if (ks->engine != NULL)
    return vgw_crypto_generate(ks->engine, slot, key_type, &driver_error) ||
           engine_failed(driver_error, error);
  o = request(ks, req, error);
  return o != NULL;
}

gboolean
vgw_keystore_import(VgwKeystore *ks, guint slot, const VgwKeyfile *kf, GError **error)
{
  g_autofree char *s = g_strdup_printf("%u", slot);
  gsize len = 0;
  const guint8 *raw = g_bytes_get_data(kf->import_bytes, &len);
  GError *driver_error = NULL;
  char *b64;
  JsonObject *o;

  if (ks->engine != NULL)
    return vgw_crypto_import(ks->engine, slot, kf->key_type, raw, len, &driver_error) ||
           engine_failed(driver_error, error);
  b64 = g_base64_encode(raw, len);
  const char *req[] = { "keystore-import", s, vgw_crypto_key_type_name(kf->key_type), b64, NULL };
  o = request(ks, req, error);

  explicit_bzero(b64, strlen(b64));
  g_free(b64);
  if (o == NULL)
    return FALSE;
  json_object_unref(o);
  return TRUE;
}

gboolean
vgw_keystore_lock(VgwKeystore *ks, guint slot, GError **error)
{
  g_autofree char *s = g_strdup_printf("%u", slot);
  const char *req[] = { "keystore-lock", s, NULL };
  g_autoptr(JsonObject) o = NULL;
  GError *driver_error = NULL;

  if (ks->engine != NULL)
    return vgw_crypto_lock(ks->engine, slot, &driver_error) || engine_failed(driver_error, error);
  o = request(ks, req, error);
  return o != NULL;
}

GBytes *
vgw_keystore_pub(VgwKeystore *ks, guint slot, GError **error)
{
  g_autofree char *s = g_strdup_printf("%u", slot);
  const char *req[] = { "keystore-pub", s, NULL };
  g_autoptr(JsonObject) o = NULL;
  GError *driver_error = NULL;
  const char *b64;
  guint8 *der;
  gsize len = 0;

  if (ks->engine != NULL) {
    GBytes *spki = vgw_crypto_export_pub(ks->engine, slot, &driver_error);
    if (spki == NULL)
      engine_failed(driver_error, error);
    return spki;
  }
  o = request(ks, req, error);
  if (o == NULL)
    return NULL;
  b64 = json_object_get_string_member_with_default(o, "spki", NULL);
  if (b64 == NULL || (der = g_base64_decode(b64, &len)) == NULL || len == 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "keystore-pub: the firmware's reply has no public key");
    return NULL;
  }
  return g_bytes_new_take(der, len);
}

void
vgw_keystore_close(VgwKeystore *ks)
{
  if (ks == NULL)
    return;
  vgw_maint_session_close(ks->maint);
  /* Freeing the engine stops QEMU and waits, so the keystore file is
   * complete before the lock goes. */
  vgw_crypto_engine_free(ks->engine);
  if (ks->lock_fd >= 0)
    close(ks->lock_fd);
  g_free(ks);
}
