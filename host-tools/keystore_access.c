#include "keystore_access.h"

#include <string.h>
#include <unistd.h>

#include "board_secret.h"
#include "hal/crypto_engine.h"
#include "hal/crypto_qtest.h"
#include "instance.h"
#include "maint.h"
#include "mgmt/mgmt_keystore_verbs.h"
#include "qemu_cmdline.h"
#include "vgw_crypto.h"
#include "vgw-error.h"

/* Key generation in the engine can take a while for RSA-3072. */
#define KEYSTORE_TIMEOUT_S 60

struct VgwKeystore {
  VgwMaintSession *maint;   /* online */
  /* Offline: the board's engine under qtest, answered by the firmware's own
   * keystore verbs, so both ways behave and reply alike. */
  VgwCryptoEngine *engine;
  VgwKeystoreVerbs *verbs;
  const VgwMgmtVerbSet *more;  /* vgw_keystore_add_verbs */
  gpointer more_data;
  int lock_fd;              /* the instance lock, so no boot races us */
};

/* Driver errors become the one-line VGW_ERRORs vgw prints. */
static gboolean
engine_failed(GError *driver_error, GError **error)
{
  g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s", driver_error->message);
  g_error_free(driver_error);
  return FALSE;
}

/* The firmware's verbs narrate to its log; vgw prints its own lines. */
static void
drop_log(const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

static gboolean
open_offline(VgwKeystore *ks, VgwInstance *inst, GError **error)
{
  g_autofree char *qemu = vgw_qemu_resolve_binary(NULL, error);
  GError *driver_error = NULL;

  if (qemu == NULL || !vgw_instance_ensure_dir(inst, error) ||
      (ks->lock_fd = vgw_instance_lock(inst, error)) < 0 ||
      !vgw_board_secret_ensure(inst->keystore_secret, inst->keystore, error))
    return FALSE;
  ks->engine = vgw_crypto_qtest_open(qemu, inst->keystore, inst->keystore_secret,
                                     &driver_error);
  if (ks->engine == NULL)
    return engine_failed(driver_error, error);
  g_log_set_handler("vgw", G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG,
                    drop_log, NULL);
  ks->verbs = vgw_keystore_verbs_new(ks->engine, NULL, NULL);
  return TRUE;
}

/* Loads gateway |name|: one that ran, or was provisioned before its first
 * boot (a state directory with a keystore or a secret); else an error
 * unless |create|. */
static VgwInstance *
load_instance(const char *name, gboolean create, GError **error)
{
  g_autoptr(VgwInstance) inst = vgw_instance_new(name, error);
  gboolean known;

  if (inst == NULL)
    return NULL;
  known = vgw_instance_known(inst) || g_file_test(inst->keystore_secret, G_FILE_TEST_EXISTS) ||
          g_file_test(inst->keystore, G_FILE_TEST_EXISTS);
  if (!known && !create) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_UNKNOWN, "no gateway named '%s'", name);
    return NULL;
  }
  if (vgw_instance_known(inst) && !vgw_instance_load(inst, error))
    return NULL;
  return g_steal_pointer(&inst);
}

VgwKeystore *
vgw_keystore_open(const char *name, gboolean create, GError **error)
{
  g_autoptr(VgwInstance) inst = load_instance(name, create, error);
  VgwMaintTarget target = { .timeout_s = KEYSTORE_TIMEOUT_S };
  VgwKeystore *ks;

  if (inst == NULL)
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

/* Offline: the firmware's verb handler over the qtest engine; its reply
 * body is the JSON object the maintenance port would send. */
static JsonObject *
request_offline(VgwKeystore *ks, const char *const *req, GError **error)
{
  g_auto(GStrv) argv = g_strdupv((char **) req);
  VgwMgmtReply reply = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonObject *o = NULL;

  if (!vgw_keystore_verbs_handle(argv, FALSE, &reply, ks->verbs) &&
      (ks->more == NULL ||
       !vgw_mgmt_verb_set_call(ks->more, ks->more_data, argv, FALSE, &reply))) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s: not a keystore verb", req[0]);
  } else if (!reply.ok) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s: %s", req[0], reply.body);
  } else if (json_parser_load_from_data(parser, reply.body, -1, NULL) &&
             JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
    o = json_object_ref(json_node_get_object(json_parser_get_root(parser)));
  } else {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "%s: reply is not a JSON object", req[0]);
  }
  for (char **a = argv; *a != NULL; a++)
    explicit_bzero(*a, strlen(*a));
  vgw_mgmt_reply_clear(&reply);
  return o;
}

static JsonObject *
request(VgwKeystore *ks, const char *const *req, GError **error)
{
  if (ks->verbs != NULL)
    return request_offline(ks, req, error);
  return vgw_maint_session_request(ks->maint, req, 0, error);
}

JsonObject *
vgw_keystore_request(VgwKeystore *ks, const char *const *req, GError **error)
{
  return request(ks, req, error);
}

VgwCryptoEngine *
vgw_keystore_engine(VgwKeystore *ks)
{
  return ks->engine;
}

void
vgw_keystore_add_verbs(VgwKeystore *ks, const VgwMgmtVerbSet *set, gpointer data)
{
  if (ks->verbs == NULL)
    return;
  ks->more = set;
  ks->more_data = data;
}

JsonObject *
vgw_keystore_list(VgwKeystore *ks, GError **error)
{
  const char *req[] = { "keystore-list", NULL };

  return request(ks, req, error);
}

gboolean
vgw_keystore_gen(VgwKeystore *ks, guint slot, uint32_t key_type, GError **error)
{
  g_autofree char *s = g_strdup_printf("%u", slot);
  const char *req[] = { "keystore-gen", s, vgw_crypto_key_type_name(key_type), NULL };
  g_autoptr(JsonObject) o = request(ks, req, error);

  return o != NULL;
}

gboolean
vgw_keystore_import(VgwKeystore *ks, guint slot, const VgwKeyfile *kf, GError **error)
{
  g_autofree char *s = g_strdup_printf("%u", slot);
  gsize len = 0;
  const guint8 *raw = g_bytes_get_data(kf->import_bytes, &len);
  char *b64 = g_base64_encode(raw, len);
  const char *req[] = { "keystore-import", s, vgw_crypto_key_type_name(kf->key_type), b64, NULL };
  JsonObject *o = request(ks, req, error);

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
  g_autoptr(JsonObject) o = request(ks, req, error);

  return o != NULL;
}

gboolean
vgw_keystore_zeroize(VgwKeystore *ks, GError **error)
{
  const char *req[] = { "keystore-zeroize", VGW_KEYSTORE_ZEROIZE_CONFIRM, NULL };
  g_autoptr(JsonObject) o = request(ks, req, error);

  return o != NULL;
}

GBytes *
vgw_keystore_pub(VgwKeystore *ks, guint slot, GError **error)
{
  g_autofree char *s = g_strdup_printf("%u", slot);
  const char *req[] = { "keystore-pub", s, NULL };
  g_autoptr(JsonObject) o = request(ks, req, error);
  const char *b64;
  guint8 *der;
  gsize len = 0;

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

gboolean
vgw_keystore_reset(const char *name, GError **error)
{
  g_autoptr(VgwInstance) inst = load_instance(name, FALSE, error);
  gboolean ok;
  int pid, lock_fd;

  if (inst == NULL)
    return FALSE;
  if ((pid = vgw_instance_running_pid(inst)) != 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_RUNNING,
                "gateway '%s' is running (pid %d): stop it first (vgw down); "
                "a running gateway's keys are erased with `vgw keystore zeroize --yes`",
                name, pid);
    return FALSE;
  }
  if ((lock_fd = vgw_instance_lock(inst, error)) < 0)
    return FALSE;
  ok = vgw_board_secret_renew(inst->keystore_secret, inst->keystore, error);
  close(lock_fd);
  return ok;
}

void
vgw_keystore_close(VgwKeystore *ks)
{
  if (ks == NULL)
    return;
  vgw_maint_session_close(ks->maint);
  /* Freeing the engine stops QEMU and waits, so the keystore file is
   * complete before the lock goes. */
  vgw_keystore_verbs_free(ks->verbs);
  vgw_crypto_engine_free(ks->engine);
  if (ks->lock_fd >= 0)
    close(ks->lock_fd);
  g_free(ks);
}
