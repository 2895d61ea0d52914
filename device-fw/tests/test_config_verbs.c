/* Unit tests for the configuration verbs (mgmt/mgmt_config_verbs.h) and
 * the running/staged/saved state (config/config_state.h), driven through a
 * maintenance session over an in-memory flash store. */
#include <string.h>

#include "mgmt/mgmt_config_verbs.h"
#include "mgmt/mgmt_ini_verbs.h"
#include "mgmt/mgmt_session.h"
#include "mgmt/mgmt_table_verbs.h"
#include "param_ini.h"
#include "param_registry.h"
#include "param_secret.h"
#include "store.h"
#include "config/config_state.h"

#define FLASH_SIZE (1024 * 1024)

typedef struct {
  VgwBlockDev *dev; /* owned by |cs|; kept to copy the flash for a reboot */
  VgwConfigState *cs;
  VgwIniVerbs *ini_verbs;
  VgwMgmtSession *session;
  VgwMgmtAction action;
} Gw;

static void no_status(VgwStatus *st, gpointer data) {
  (void)data;
  st->state = "running";
}

static void apply_login(const VgwParamConfig *running, gpointer data) {
  Gw *gw = data;
  gssize u = vgw_param_find_global("MaintenanceUserName", 19);
  gssize p = vgw_param_find_global("MaintenancePassword", 19);
  vgw_mgmt_session_set_credentials(
      gw->session, vgw_param_config_global(running, (gsize)u)->str,
      vgw_param_config_global(running, (gsize)p)->str);
}

/* gw_boot boots a gateway from |dev| (taken) and logs in, as vgwd does. */
static Gw *gw_boot(VgwBlockDev *dev) {
  Gw *gw = g_new0(Gw, 1);
  gw->dev = dev;
  gw->cs = vgw_config_state_open(dev);
  gw->ini_verbs = vgw_ini_verbs_new(gw->cs);
  gw->session = vgw_mgmt_session_new("", "", no_status, NULL);
  vgw_mgmt_session_add_verbs(gw->session, &vgw_config_verb_set, gw->cs);
  vgw_mgmt_session_add_verbs(gw->session, &vgw_table_verb_set, gw->cs);
  vgw_mgmt_session_add_verbs(gw->session, &vgw_ini_verb_set, gw->ini_verbs);
  vgw_config_state_set_applied(gw->cs, apply_login, gw);
  return gw;
}

static void gw_free(Gw *gw) {
  vgw_mgmt_session_free(gw->session);
  vgw_ini_verbs_free(gw->ini_verbs);
  vgw_config_state_free(gw->cs);
  g_free(gw);
}

/* copy_flash returns a new memory device holding |dev|'s bytes: a reboot
 * onto the same flash. */
static VgwBlockDev *copy_flash(VgwBlockDev *dev) {
  VgwBlockDev *copy = vgw_blockdev_new_memory(dev->size, 0xff);
  memcpy(vgw_blockdev_memory_data(copy), vgw_blockdev_memory_data(dev),
         dev->size);
  return copy;
}

/* req sends one line and returns the output (caller frees). */
static char *req(Gw *gw, const char *line) {
  VgwMgmtResult r;
  vgw_mgmt_session_handle_line(gw->session, line, FALSE, 1, &r);
  gw->action = r.action;
  char *out = g_steal_pointer(&r.output);
  vgw_mgmt_result_clear(&r);
  return out;
}

static void expect(Gw *gw, const char *line, const char *want) {
  char *out = req(gw, line);
  g_assert_cmpstr(out, ==, want);
  g_free(out);
}

static void expect_has(Gw *gw, const char *line, const char *want) {
  char *out = req(gw, line);
  if (strstr(out, want) == NULL) {
    g_error("%s\n  gave %s  expected it to contain %s", line, out, want);
  }
  g_free(out);
}

static Gw *gw_fresh(void) {
  Gw *gw = gw_boot(vgw_blockdev_new_memory(FLASH_SIZE, 0xff));
  expect(gw, "@0 login Admin Admin", "@0 ok {\"user\":\"Admin\"}\n");
  return gw;
}

/* Bytes per upload-chunk: 3000 characters of base64, the verb's limit. */
#define UPLOAD_CHUNK_BYTES 2250

/* upload sends |text| with upload-begin and as many upload-chunks as
 * it takes. */
static void upload(Gw *gw, const char *text) {
  gsize len = strlen(text);

  expect(gw, "@u upload-begin", "@u ok {}\n");
  for (gsize done = 0; done < len; done += UPLOAD_CHUNK_BYTES) {
    gsize n = MIN(UPLOAD_CHUNK_BYTES, len - done);
    char *b64 = g_base64_encode((const guchar *)text + done, n);
    char *line = g_strdup_printf("@c upload-chunk %s", b64);
    char *want = g_strdup_printf("@c ok {\"bytes\":%zu}\n", done + n);
    expect(gw, line, want);
    g_free(want);
    g_free(line);
    g_free(b64);
  }
}

static char *staged_ini(Gw *gw) {
  return vgw_ini_export(vgw_config_state_staged(gw->cs));
}

static void test_boot_factory(void) {
  Gw *gw = gw_fresh();
  g_assert_cmpstr(vgw_config_state_source(gw->cs), ==, "factory");
  g_assert_cmpuint(vgw_config_state_generation(gw->cs), ==, 0);
  g_assert_false(vgw_config_state_unsaved(gw->cs));
  expect(gw, "@1 param-get TLSVersion",
         "@1 ok {\"name\":\"TLSVersion\",\"value\":\"0\",\"pending\":null,"
         "\"reset_required\":true}\n");
  expect(gw, "@2 param-get NoSuchThing",
         "@2 error {\"error\":\"NoSuchThing: unknown parameter\"}\n");
  expect(gw, "@3 pending", "@3 ok {\"pending\":[]}\n");
  gw_free(gw);
}

static void test_param_set_live_and_pending(void) {
  Gw *gw = gw_fresh();
  expect(gw, "@1 param-set GwDebugLevel 5",
         "@1 ok {\"name\":\"GwDebugLevel\",\"value\":\"5\",\"pending\":null,"
         "\"applied\":\"live\"}\n");
  expect(gw, "@2 param-set tlsversion 1",
         "@2 ok {\"name\":\"TLSVersion\",\"value\":\"0\",\"pending\":\"1\","
         "\"applied\":\"after-reset\"}\n");
  expect(gw, "@3 pending",
         "@3 ok {\"pending\":[{\"name\":\"TLSVersion\",\"current\":\"0\","
         "\"pending\":\"1\"}]}\n");
  expect(gw, "@4 param-get TLSVersion",
         "@4 ok {\"name\":\"TLSVersion\",\"value\":\"0\",\"pending\":\"1\","
         "\"reset_required\":true}\n");
  g_assert_true(vgw_config_state_unsaved(gw->cs));
  /* Human mode: the same verb, text. */
  expect(gw, "param-get TLSVersion",
         "TLSVersion = 0\n  pending: 1 (after the next reset)\nvgw> ");
  gw_free(gw);
}

static void test_param_set_bad_value(void) {
  Gw *gw = gw_fresh();
  char *before = staged_ini(gw);
  expect_has(gw, "@1 param-set TLSVersion 9",
             "@1 error {\"error\":\"TLSVersion: ");
  expect_has(gw, "@2 param-set GwDebugLevel 8",
             "@2 error {\"error\":\"GwDebugLevel: ");
  expect_has(gw, "@3 param-set GwDebugLevel", "usage: param-set NAME VALUE");
  expect(gw, "@4 param-set Bogus 1",
         "@4 error {\"error\":\"Bogus: unknown parameter\"}\n");
  char *after = staged_ini(gw);
  g_assert_cmpstr(before, ==, after);
  g_free(before);
  g_free(after);
  gw_free(gw);
}

/* exported_ini returns the "ini" string of an ini-export reply (caller
 * frees). */
static char *exported_ini(Gw *gw) {
  char *out = req(gw, "@x ini-export");
  const char *prefix = "@x ok {\"ini\":\"";
  g_assert_true(g_str_has_prefix(out, prefix));
  char *json = g_strndup(out + strlen(prefix) - 1,
                         strlen(out) - strlen(prefix) - 1);
  g_free(out);
  char *ini = g_strcompress(json + 1);
  ini[strlen(ini) - 2] = '\0'; /* the closing quote and '}' */
  g_free(json);
  return ini;
}

/* MaintenancePassword is a secret: it changes the login at once, is
 * never shown or exported in clear, and an export loaded elsewhere still
 * logs in with the same password. */
static void test_password_parameter(void) {
  Gw *gw = gw_fresh();
  expect(gw, "@0 param-get MaintenancePassword",
         "@0 ok {\"name\":\"MaintenancePassword\",\"value\":\"*****\","
         "\"pending\":null,\"reset_required\":false}\n");
  expect(gw, "@1 param-set MaintenancePassword \"s3cret pw\"",
         "@1 ok {\"name\":\"MaintenancePassword\",\"value\":\"*****\","
         "\"pending\":null,\"applied\":\"live\"}\n");
  expect(gw, "param-get MaintenancePassword",
         "MaintenancePassword = *****\nvgw> ");
  char *ini = exported_ini(gw);
  g_assert_null(strstr(ini, "s3cret"));
  g_assert_nonnull(strstr(ini, "MaintenancePassword = '$pbkdf2-sha256$10000$"));
  expect(gw, "@2 logout", "@2 ok {}\n");
  expect(gw, "@3 login Admin Admin", "@3 error {\"error\":\"login failed\"}\n");
  expect(gw, "@4 login Admin \"s3cret pw\"", "@4 ok {\"user\":\"Admin\"}\n");
  /* The flash keeps the hash, never the password. */
  expect(gw, "@5 save", "@5 ok {\"generation\":1}\n");
  const VgwParamConfig *saved = vgw_config_state_staged(gw->cs);
  gssize p = vgw_param_find_global("MaintenancePassword", 19);
  const char *stored = vgw_param_config_global(saved, (gsize)p)->str;
  g_assert_true(g_str_has_prefix(stored, VGW_SECRET_PREFIX));
  g_assert_true(vgw_secret_verify(stored, "s3cret pw"));
  const guint8 *flash = vgw_blockdev_memory_data(gw->dev);
  g_assert_nonnull(memmem(flash, gw->dev->size, stored, strlen(stored)));
  g_assert_null(memmem(flash, gw->dev->size, "s3cret", 6));

  /* The export loads into a factory gateway, which then accepts the
   * password (the hash is taken as it is, not hashed again). */
  Gw *other = gw_fresh();
  upload(other, ini);
  expect_has(other, "@6 ini-load full", "@6 ok {\"applied\":\"live\"");
  expect(other, "@7 logout", "@7 ok {}\n");
  expect(other, "@8 login Admin \"s3cret pw\"", "@8 ok {\"user\":\"Admin\"}\n");
  /* A password in clear in a file is hashed on load. */
  upload(other, "MaintenancePassword = 'n3w'\n");
  expect_has(other, "@9 ini-load incremental", "@9 ok");
  char *again = exported_ini(other);
  g_assert_null(strstr(again, "n3w"));
  expect(other, "@10 login Admin n3w", "@10 ok {\"user\":\"Admin\"}\n");
  /* A malformed hash is refused without being quoted. */
  expect(other, "@11 param-set MaintenancePassword $pbkdf2-sha256$10000$AA$BB",
         "@11 error {\"error\":\"MaintenancePassword: malformed "
         "$pbkdf2-sha256$... hash: salt is not 8 to 64 bytes of base64\"}\n");
  expect_has(other, "@12 param-set MaintenancePassword "
                    "0123456789012345678901234567890123456789",
             "@12 error {\"error\":\"MaintenancePassword: longer than 31 "
             "characters\"}");
  g_free(again);
  g_free(ini);
  gw_free(other);
  gw_free(gw);
}

/* The session ends when the host side hangs up (a NUL byte on the line)
 * and on a new login: an unfinished upload does not survive into the
 * next session. */
static void test_upload_ends_with_session(void) {
  Gw *gw = gw_fresh();
  upload(gw, "GwDebugLevel = 3\n");
  VgwMgmtResult r;
  vgw_mgmt_session_feed(gw->session, "\0", 1);
  g_assert_true(vgw_mgmt_session_next(gw->session, 1, &r));
  g_assert_true(r.hangup);
  vgw_mgmt_result_clear(&r);
  expect(gw, "@1 login Admin Admin", "@1 ok {\"user\":\"Admin\"}\n");
  expect(gw, "@2 ini-load incremental",
         "@2 error {\"error\":\"nothing uploaded (upload-begin, "
         "upload-chunk first)\"}\n");
  upload(gw, "GwDebugLevel = 3\n");
  expect(gw, "@3 login Admin Admin", "@3 ok {\"user\":\"Admin\"}\n");
  expect(gw, "@4 upload-chunk QUJD",
         "@4 error {\"error\":\"no upload in progress (upload-begin "
         "first)\"}\n");
  expect_has(gw, "@5 param-get GwDebugLevel", "\"value\":\"0\"");
  gw_free(gw);
}

/* A full load of a file that names nothing would silently reset every
 * value: refused unless the request says allow-empty. */
static void test_ini_load_empty(void) {
  Gw *gw = gw_fresh();
  expect_has(gw, "@1 param-set GwDebugLevel 5", "live");
  upload(gw, "; nothing but a comment\r\n\r\n");
  expect(gw, "@2 ini-load full site.ini",
         "@2 error {\"error\":\"site.ini: names no parameter and no table: "
         "a full load would reset everything to factory defaults (ini-load "
         "full allow-empty does that)\"}\n");
  expect_has(gw, "@3 ini-check", "@3 error {\"error\":\"upload.ini: names no");
  expect_has(gw, "@4 param-get GwDebugLevel", "\"value\":\"5\"");
  expect_has(gw, "@5 ini-load incremental", "@5 ok");
  expect_has(gw, "@6 param-get GwDebugLevel", "\"value\":\"5\"");
  expect(gw, "@7 ini-load incremental allow-empty x.ini",
         "@7 error {\"error\":\"usage: ini-load full [allow-empty]|"
         "incremental [FILENAME]\"}\n");
  expect_has(gw, "@8 ini-load full allow-empty site.ini", "@8 ok");
  expect_has(gw, "@9 param-get GwDebugLevel", "\"value\":\"0\"");
  gw_free(gw);
}

/* Probe: bytes that are not UTF-8 in a request come back as valid UTF-8
 * JSON. */
static void test_invalid_utf8_reply(void) {
  Gw *gw = gw_fresh();
  char *out = req(gw, "@1 param-get \xff\xfe");
  g_assert_true(g_utf8_validate(out, -1, NULL));
  g_assert_cmpstr(out, ==,
                  "@1 error {\"error\":\"\\ufffd\\ufffd: unknown parameter\"}\n");
  g_free(out);
  gw_free(gw);
}

static void test_ini_load_error_changes_nothing(void) {
  Gw *gw = gw_fresh();
  char *before = staged_ini(gw);
  upload(gw, "; test\nTLSVersion = 1\nGwDebugLevel = 99\n");
  expect_has(gw, "@1 ini-load full site.ini",
             "@1 error {\"error\":\"site.ini:3: GwDebugLevel: ");
  expect_has(gw, "@2 ini-check", "@2 error {\"error\":\"upload.ini:3: ");
  char *after = staged_ini(gw);
  g_assert_cmpstr(before, ==, after);
  expect(gw, "@3 pending", "@3 ok {\"pending\":[]}\n");
  g_free(before);
  g_free(after);
  gw_free(gw);
}

static void test_ini_load_ok(void) {
  Gw *gw = gw_fresh();
  upload(gw, "TLSVersion = 1\nFooBar = 3\nGwDebugLevel = 4\n");
  expect(gw, "@1 ini-check a.ini",
         "@1 ok {\"warnings\":[\"a.ini:2: FooBar: unknown parameter, "
         "skipped\"]}\n");
  expect(gw, "@2 ini-load incremental a.ini",
         "@2 ok {\"applied\":\"after-reset\",\"warnings\":[\"a.ini:2: FooBar: "
         "unknown parameter, skipped\"],\"pending\":1}\n");
  expect_has(gw, "@3 param-get GwDebugLevel", "\"value\":\"4\"");
  expect_has(gw, "@4 ini-export", "TLSVersion = 1");
  expect_has(gw, "@5 ini-load sideways", "usage: ini-load");
  gw_free(gw);
}

static void test_upload_limits(void) {
  Gw *gw = gw_fresh();
  expect(gw, "@1 upload-chunk QUJD",
         "@1 error {\"error\":\"no upload in progress (upload-begin "
         "first)\"}\n");
  expect(gw, "@2 ini-load full",
         "@2 error {\"error\":\"nothing uploaded (upload-begin, upload-chunk "
         "first)\"}\n");
  expect(gw, "@3 upload-begin", "@3 ok {}\n");
  expect(gw, "@4 upload-chunk QU*D",
         "@4 error {\"error\":\"chunk is not valid base64\"}\n");
  char *big = g_strnfill(VGW_UPLOAD_CHUNK_MAX + 4, 'A');
  char *line = g_strdup_printf("@5 upload-chunk %s", big);
  expect_has(gw, line, "at most 3000 characters");
  g_free(line);
  g_free(big);
  expect(gw, "@6 upload-chunk QUJD", "@6 ok {\"bytes\":3}\n");
  gw_free(gw);
}

static void test_tables(void) {
  Gw *gw = gw_fresh();
  expect_has(gw, "@1 table-set TLSContexts 1 Name=ctx1 TLSVersion=4",
             "@1 ok {\"index\":1,\"values\":{\"Name\":\"ctx1\"");
  expect_has(gw, "@2 table-set SIPInterface 0 InterfaceName=si TLSContext=ctx1",
             "@2 ok {\"index\":0,");
  char *before = staged_ini(gw);
  expect_has(gw, "@3 table-set SIPInterface 1 TLSContext=nope",
             "@3 error {\"error\":\"table-set: SIPInterface 1: TLSContext: ");
  expect_has(gw, "@4 table-delete TLSContexts 1",
             "@4 error {\"error\":\"TLSContexts 1 is still referred to: ");
  expect_has(gw, "@5 table-set SIPInterface 0 UDPPort=70000",
             "@5 error {\"error\":\"SIPInterface 0: UDPPort: ");
  expect(gw, "@6 table-set SIPInterface 0 Nope=1",
         "@6 error {\"error\":\"SIPInterface 0: Nope: unknown column\"}\n");
  expect_has(gw, "@7 table-set SIPInterface 99 UDPPort=1", "bad row index");
  expect_has(gw, "@8 table-delete TLSContexts 0", "cannot be deleted");
  char *after = staged_ini(gw);
  g_assert_cmpstr(before, ==, after);
  g_free(before);
  g_free(after);
  expect_has(gw, "@9 table-show SIPInterface",
             "@9 ok {\"table\":\"SIPInterface\",\"columns\":[\"InterfaceName\"");
  expect(gw, "@10 table-delete SIPInterface 0", "@10 ok {}\n");
  expect(gw, "@11 table-delete TLSContexts 1", "@11 ok {}\n");
  expect_has(gw, "table-show TLSContexts", "TLSContexts: 1 row(s)\n");
  gw_free(gw);
}

/* gw_reboot boots a new gateway on a copy of |gw|'s flash and frees
 * |gw|: unsaved changes are lost, as on a reset. */
static Gw *gw_reboot(Gw *gw) {
  Gw *next = gw_boot(copy_flash(gw->dev));
  gw_free(gw);
  expect(next, "@0 login Admin Admin", "@0 ok {\"user\":\"Admin\"}\n");
  return next;
}

static void test_save_and_reboot(void) {
  Gw *gw = gw_fresh();
  expect_has(gw, "@1 param-set TLSVersion 1", "after-reset");
  expect_has(gw, "@2 table-set TLSContexts 3 \"Name=a b\"", "@2 ok");
  expect(gw, "@3 save", "@3 ok {\"generation\":1}\n");
  g_assert_false(vgw_config_state_unsaved(gw->cs));
  g_assert_cmpuint(vgw_config_state_generation(gw->cs), ==, 1);
  expect(gw, "save", "Saved as flash generation 2.\nvgw> ");
  char *saved = staged_ini(gw);
  expect_has(gw, "@4 param-set GwDebugLevel 3", "live"); /* not saved */

  gw = gw_reboot(gw);
  g_assert_cmpstr(vgw_config_state_source(gw->cs), ==, "flash");
  g_assert_cmpuint(vgw_config_state_generation(gw->cs), ==, 2);
  g_assert_false(vgw_config_state_unsaved(gw->cs));
  char *booted = staged_ini(gw);
  g_assert_cmpstr(saved, ==, booted);
  g_assert_true(vgw_param_config_equal(vgw_config_state_running(gw->cs),
                                       vgw_config_state_staged(gw->cs)));
  expect(gw, "@5 pending", "@5 ok {\"pending\":[]}\n");
  expect_has(gw, "@6 param-get TLSVersion", "\"value\":\"1\",\"pending\":null");
  expect_has(gw, "@7 param-get GwDebugLevel", "\"value\":\"0\"");
  g_free(saved);
  g_free(booted);

  /* reset save: saved first, then the reset action. */
  expect_has(gw, "@8 param-set GwDebugLevel 2", "live");
  expect(gw, "@9 reset save", "@9 ok {}\n");
  g_assert_cmpint(gw->action, ==, VGW_MGMT_ACTION_RESET);
  g_assert_cmpuint(vgw_config_state_generation(gw->cs), ==, 3);
  expect_has(gw, "@10 reset later", "@10 error {\"error\":\"usage: reset");
  expect_has(gw, "@10 reset graceful 5", "@10 error {\"error\":\"usage: reset");
  g_assert_cmpint(gw->action, ==, VGW_MGMT_ACTION_NONE);
  gw = gw_reboot(gw);
  expect_has(gw, "@11 param-get GwDebugLevel", "\"value\":\"2\"");
  gw_free(gw);
}

static void test_factory_reset(void) {
  Gw *gw = gw_fresh();
  expect_has(gw, "@1 param-set MaintenanceUserName Boss", "live");
  expect(gw, "@2 save", "@2 ok {\"generation\":1}\n");
  Gw *booted = gw_boot(copy_flash(gw->dev));
  expect(booted, "@3 login Admin Admin",
         "@3 error {\"error\":\"login failed\"}\n");
  expect(booted, "@3 login Boss Admin", "@3 ok {\"user\":\"Boss\"}\n");
  expect(booted, "@4 factory-reset", "@4 ok {}\n");
  g_assert_cmpuint(vgw_config_state_generation(booted->cs), ==, 0);
  g_assert_true(vgw_config_state_unsaved(booted->cs));
  gw_free(gw);
  gw = gw_reboot(booted);
  g_assert_cmpstr(vgw_config_state_source(gw->cs), ==, "factory");
  VgwParamConfig *factory = vgw_param_config_new();
  g_assert_true(vgw_param_config_equal(vgw_config_state_staged(gw->cs),
                                       factory));
  vgw_param_config_free(factory);
  expect_has(gw, "@5 param-get MaintenanceUserName", "\"value\":\"Admin\"");
  gw_free(gw);
}

/* A saved config.ini that no longer loads must not stop the boot. */
static void test_unloadable_saved_config(void) {
  VgwBlockDev *dev = vgw_blockdev_new_memory(FLASH_SIZE, 0xff);
  VgwStore *store = vgw_store_open(dev, NULL);
  VgwStoreTxn *txn = vgw_store_begin(store);
  const char bad[] = "TLSVersion = 7\n";
  g_assert_true(vgw_store_txn_put(txn, VGW_STORE_BLOB_CONFIG,
                                  VGW_STORE_CONFIG_NAME, bad, strlen(bad),
                                  NULL));
  g_assert_true(vgw_store_commit(store, txn, NULL));
  vgw_store_txn_free(txn);
  vgw_store_free(store);
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "config: saved configuration (flash generation 1) "
                        "rejected: config.ini:1: TLSVersion: *");
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "config: factory defaults");
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING,
                        "config: rolled back: flash generation 1 skipped "
                        "(config-rejected); the configuration comes from "
                        "factory defaults");
  Gw *gw = gw_boot(dev);
  g_test_assert_expected_messages();
  g_assert_cmpstr(vgw_config_state_source(gw->cs), ==, "factory");
  const VgwConfigSource *src = vgw_config_state_boot_source(gw->cs);
  g_assert_cmpuint(src->generation, ==, 0);
  g_assert_cmpuint(src->n_skipped, ==, 1);
  g_assert_cmpuint(src->skipped[0].generation, ==, 1);
  g_assert_cmpstr(src->skipped[0].reason, ==, VGW_CONFIG_SKIP_REJECTED);
  g_assert_true(vgw_config_state_unsaved(gw->cs));
  expect(gw, "@0 login Admin Admin", "@0 ok {\"user\":\"Admin\"}\n");
  expect(gw, "@1 save", "@1 ok {\"generation\":2}\n");
  gw_free(gw);
}

/* Without a flash the gateway runs, and save says why it cannot. */
static void test_no_flash(void) {
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING, "config: no config*");
  Gw *gw = gw_boot(NULL);
  g_test_assert_expected_messages();
  expect(gw, "@0 login Admin Admin", "@0 ok {\"user\":\"Admin\"}\n");
  g_test_expect_message("vgw", G_LOG_LEVEL_WARNING, "config: save failed: *");
  expect_has(gw, "@1 save", "no usable configuration flash store");
  g_test_assert_expected_messages();
  gw_free(gw);
}

int main(int argc, char **argv) {
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/config-verbs/boot-factory", test_boot_factory);
  g_test_add_func("/config-verbs/param-set-live-pending",
                  test_param_set_live_and_pending);
  g_test_add_func("/config-verbs/param-set-bad-value",
                  test_param_set_bad_value);
  g_test_add_func("/config-verbs/password-parameter", test_password_parameter);
  g_test_add_func("/config-verbs/upload-ends-with-session",
                  test_upload_ends_with_session);
  g_test_add_func("/config-verbs/ini-load-empty", test_ini_load_empty);
  g_test_add_func("/config-verbs/invalid-utf8-reply", test_invalid_utf8_reply);
  g_test_add_func("/config-verbs/ini-load-error",
                  test_ini_load_error_changes_nothing);
  g_test_add_func("/config-verbs/ini-load-ok", test_ini_load_ok);
  g_test_add_func("/config-verbs/upload-limits", test_upload_limits);
  g_test_add_func("/config-verbs/tables", test_tables);
  g_test_add_func("/config-verbs/save-and-reboot", test_save_and_reboot);
  g_test_add_func("/config-verbs/factory-reset", test_factory_reset);
  g_test_add_func("/config-verbs/unloadable-saved-config",
                  test_unloadable_saved_config);
  g_test_add_func("/config-verbs/no-flash", test_no_flash);
  return g_test_run();
}
