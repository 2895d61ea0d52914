/* The configuration verbs (their arguments are test-args.c's): the chunked
 * upload encoding, offline ini checks (the firmware's parser) and the flash
 * image that `vgw up --config` writes (read back with the store library). */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "blockdev.h"
#include "config_source.h"
#include "flashimg.h"
#include "param_ini.h"
#include "store.h"
#include "upload.h"
#include "vgw-error.h"

/* ---- upload encoding --------------------------------------------------- */

static void
check_chunks(gsize len)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *data = g_malloc(len + 1);
  g_autoptr(GPtrArray) chunks = NULL;
  g_autoptr(GByteArray) back = g_byte_array_new();

  for (gsize i = 0; i < len; i++)
    data[i] = (guint8) (i * 7 + (i >> 8)); /* every byte value, NUL included */
  chunks = vgw_upload_chunks("f.ini", data, len, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(chunks->len, ==, (len + VGW_UPLOAD_CHUNK_BYTES - 1) / VGW_UPLOAD_CHUNK_BYTES);
  for (guint i = 0; i < chunks->len; i++) {
    const char *c = g_ptr_array_index(chunks, i);
    gsize n = 0;
    g_autofree guchar *dec = NULL;
    g_assert_cmpuint(strlen(c), >, 0);
    g_assert_cmpuint(strlen(c), <=, VGW_UPLOAD_CHUNK_MAX);
    g_assert_cmpuint(strlen(c) % 4, ==, 0);
    /* Only base64 characters: nothing the request line would quote. */
    g_assert_cmpuint(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
                     ==, strlen(c));
    /* Each chunk decodes on its own (padding only in the last). */
    if (i + 1 < chunks->len)
      g_assert_null(strchr(c, '='));
    dec = g_base64_decode(c, &n);
    g_byte_array_append(back, dec, n);
  }
  g_assert_cmpuint(back->len, ==, len);
  g_assert_true(len == 0 || memcmp(back->data, data, len) == 0);
}

static void
test_upload_chunks(void)
{
  gsize sizes[] = { 0, 1, 2, 3, 2249, 2250, 2251, 4500, 4501, 100000,
                    VGW_UPLOAD_MAX };

  g_assert_cmpint(VGW_UPLOAD_CHUNK_MAX, ==, 3000);
  g_assert_cmpint(VGW_UPLOAD_MAX, ==, 1048576);
  for (gsize i = 0; i < G_N_ELEMENTS(sizes); i++)
    check_chunks(sizes[i]);
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *big = g_malloc0(VGW_UPLOAD_MAX + 1);
    GPtrArray *chunks = vgw_upload_chunks("big.ini", big, VGW_UPLOAD_MAX + 1, &error);
    g_assert_null(chunks);
    g_assert_error(error, VGW_ERROR, VGW_ERROR_FAILED);
    g_assert_cmpstr(error->message, ==,
                    "big.ini: 1048577 bytes is more than the gateway accepts (1048576)");
  }
}

static char *
write_tmp(const char *name, const char *text, gssize len)
{
  g_autofree char *dir = g_dir_make_tmp("vgwcfg-XXXXXX", NULL);
  char *path = g_build_filename(dir, name, NULL);

  g_assert_true(g_file_set_contents(path, text, len, NULL));
  return path;
}

static void
remove_tmp(const char *path)
{
  g_autofree char *dir = g_path_get_dirname(path);
  g_unlink(path);
  g_rmdir(dir);
}

static void
test_upload_read_file(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = write_tmp("a.ini", "X = 1\n", -1);
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true(vgw_upload_read_file(path, &data, &len, &error));
  g_assert_cmpuint(len, ==, 6);
  remove_tmp(path);
  {
    g_autoptr(GError) e = NULL;
    g_autofree char *d = NULL;
    g_assert_false(vgw_upload_read_file("/nonexistent/x.ini", &d, &len, &e));
    g_assert_error(e, VGW_ERROR, VGW_ERROR_FAILED);
    g_assert_nonnull(strstr(e->message, "x.ini"));
  }
  {
    g_autoptr(GError) e = NULL;
    g_autofree char *d = NULL;
    g_autofree char *zeros = g_malloc0(VGW_UPLOAD_MAX + 1);
    g_autofree char *big = write_tmp("big.ini", zeros, VGW_UPLOAD_MAX + 1);
    g_assert_false(vgw_upload_read_file(big, &d, &len, &e));
    g_assert_cmpstr(strstr(e->message, "big.ini: "), ==, "big.ini: larger than 1048576 bytes");
    remove_tmp(big);
  }
}

/* A full load of nothing resets everything: vgw ini load refuses it
 * unless --allow-empty. */
static void
test_ini_names_nothing(void)
{
  static const char blank[] = "\n  \r\n\t\n";
  static const char comments[] = "; exported by hand\n  ; indented comment = 1\r\n\n";
  static const char one[] = "; header\nGwDebugLevel = 1\n";
  static const char table[] = "[ SIPInterface ]\n";

  g_assert_true(vgw_ini_names_nothing("", 0));
  g_assert_true(vgw_ini_names_nothing(blank, strlen(blank)));
  g_assert_true(vgw_ini_names_nothing(comments, strlen(comments)));
  g_assert_false(vgw_ini_names_nothing(one, strlen(one)));
  g_assert_false(vgw_ini_names_nothing(table, strlen(table)));
  /* Only |len| bytes count. */
  g_assert_true(vgw_ini_names_nothing(one, strlen("; header\n")));
}

static char *
note_of(const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new();

  g_assert_true(json_parser_load_from_data(parser, json, -1, NULL));
  return vgw_config_source_note(json_node_get_object(json_parser_get_root(parser)));
}

/* A rolled-back configuration is said; nothing is said when the newest
 * was used or the firmware does not report it. */
static void
test_config_source_note(void)
{
  g_autofree char *one = note_of("{\"config_source\":{\"generation\":3,\"skipped\":"
                                 "[{\"generation\":4,\"reason\":\"crc-mismatch\"}]}}");
  g_autofree char *two = note_of("{\"config_source\":{\"generation\":null,\"skipped\":"
                                 "[{\"generation\":2,\"reason\":\"torn\\nsave\"},"
                                 "{\"generation\":1,\"reason\":\"bad-header\"}]}}");
  g_autofree char *none = note_of("{\"config_source\":{\"generation\":3,\"skipped\":[]}}");
  g_autofree char *old = note_of("{\"state\":\"running\"}");
  g_autofree char *odd = note_of("{\"config_source\":\"flash\"}");

  g_assert_cmpstr(one, ==, "configuration: generation 3 (newer generation 4 skipped: crc-mismatch)");
  g_assert_cmpstr(two, ==, "configuration: generation none (factory defaults) "
                           "(newer generation 2 skipped: torn save; "
                           "newer generation 1 skipped: bad-header)");
  g_assert_null(none);
  g_assert_null(old);
  g_assert_null(odd);
}

/* ---- ini check -------------------------------------------------------- */

static void
test_ini_check_messages(void)
{
  struct { const char *text; const char *error; const char *warning; } cases[] = {
    { "TLSVersion = 1\nGwDebugLevel = 5\n", NULL, NULL },
    { "; comment\nFooBar = 3\nTLSVersion = 1\n", NULL, "site.ini:2: FooBar: unknown parameter, skipped" },
    { "GwDebugLevel = 5\nTLSVersion = 9\n", "site.ini:2: TLSVersion: value 9 out of range 0..1", NULL },
    { "GwDebugLevel = 8\n", "site.ini:1: GwDebugLevel: ", NULL },
    { "SyslogServerIP = 1.2.3\n", "site.ini:1: SyslogServerIP: ", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) warnings = g_ptr_array_new_with_free_func(g_free);
    VgwParamConfig *cfg = vgw_ini_check(cases[i].text, strlen(cases[i].text), "site.ini",
                                        warnings, &error);
    if (cases[i].error == NULL) {
      g_assert_no_error(error);
      g_assert_nonnull(cfg);
      vgw_param_config_free(cfg);
    } else {
      g_assert_null(cfg);
      g_assert_error(error, VGW_ERROR, VGW_ERROR_FAILED);
      if (!g_str_has_prefix(error->message, cases[i].error))
        g_error("'%s' does not start with '%s'", error->message, cases[i].error);
      g_assert_null(strchr(error->message, '\n'));
    }
    if (cases[i].warning != NULL) {
      g_assert_cmpuint(warnings->len, ==, 1);
      g_assert_cmpstr(g_ptr_array_index(warnings, 0), ==, cases[i].warning);
    }
  }
}

/* ---- flash image (vgw up --config) ----------------------------------- */

static char *
blank_flash(void)
{
  g_autofree char *dir = g_dir_make_tmp("vgwflash-XXXXXX", NULL);
  char *path = g_build_filename(dir, "flash.img", NULL);
  gsize size = 16 * 1024 * 1024;
  g_autofree char *ff = g_malloc(size);

  memset(ff, 0xff, size);
  g_assert_true(g_file_set_contents(path, ff, size, NULL));
  return path;
}

static void
test_flash_write_config(void)
{
  const char *text = "TLSVersion = 1\nGwDebugLevel = 5\nFooBar = 1\n";
  g_autoptr(GError) error = NULL;
  g_autofree char *flash = blank_flash();
  VgwParamConfig *cfg = vgw_ini_check(text, strlen(text), "site.ini", NULL, &error);
  g_autofree char *ini = vgw_ini_export(cfg);
  guint64 gen = 0;

  g_assert_no_error(error);
  {
    g_autoptr(JsonObject) o = vgw_flash_describe(flash, &error);
    g_assert_no_error(error);
    g_assert_true(json_object_get_boolean_member(o, "blank"));
    g_assert_true(json_object_get_null_member(o, "generation"));
    g_assert_true(json_object_get_null_member(o, "config"));
  }
  g_assert_true(vgw_flash_write_config(flash, ini, strlen(ini), &gen, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(gen, ==, 1);

  /* Read back with the store library directly, as the firmware does. */
  {
    VgwBlockDev *dev = vgw_blockdev_open_file(flash, FALSE, &error);
    VgwStore *store = vgw_store_open(dev, &error);
    VgwStoreBlobType type = 0;
    g_autoptr(GBytes) blob = vgw_store_get(store, VGW_STORE_CONFIG_NAME, &type);
    VgwParamConfig *back = vgw_param_config_new();
    gsize n;
    const char *p;

    g_assert_no_error(error);
    g_assert_false(vgw_store_is_blank(store));
    g_assert_null(vgw_store_damage(store));
    g_assert_cmpuint(vgw_store_sequence(store), ==, 1);
    g_assert_nonnull(blob);
    g_assert_cmpint(type, ==, VGW_STORE_BLOB_CONFIG);
    p = g_bytes_get_data(blob, &n);
    g_assert_cmpmem(p, n, ini, strlen(ini));
    g_assert_true(vgw_ini_load(back, p, n, "config.ini", VGW_INI_FULL, NULL, &error));
    g_assert_true(vgw_param_config_equal(back, cfg));
    vgw_param_config_free(back);
    vgw_store_free(store);
    vgw_blockdev_free(dev);
  }

  /* A second write is the next generation; the description shows it. */
  g_assert_true(vgw_flash_write_config(flash, "GwDebugLevel = 1\n", 17, &gen, &error));
  g_assert_cmpuint(gen, ==, 2);
  {
    g_autoptr(JsonObject) o = vgw_flash_describe(flash, &error);
    JsonArray *blobs;
    g_assert_no_error(error);
    g_assert_false(json_object_get_boolean_member(o, "blank"));
    g_assert_cmpint(json_object_get_int_member(o, "generation"), ==, 2);
    g_assert_cmpstr(json_object_get_string_member(o, "config"), ==, "GwDebugLevel = 1\n");
    blobs = json_object_get_array_member(o, "blobs");
    g_assert_cmpuint(json_array_get_length(blobs), ==, 1);
    g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(blobs, 0), "name"),
                    ==, "config.ini");
    g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(blobs, 0), "type"),
                    ==, "config");
  }
  {
    g_autoptr(GError) e = NULL;
    g_assert_false(vgw_flash_write_config("/nonexistent/flash.img", "", 0, NULL, &e));
    g_assert_error(e, VGW_ERROR, VGW_ERROR_FAILED);
    g_assert_true(g_str_has_prefix(e->message, "flash image /nonexistent/flash.img: "));
  }
  vgw_param_config_free(cfg);
  remove_tmp(flash);
}

/* ---- the binary ------------------------------------------------------- */

typedef struct {
  int status;
  char *out, *err;
} Run;

static gboolean
run_vgw(Run *r, const char *state, const char *const *args)
{
  const char *bin = g_getenv("VGW_BIN");
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GSubprocessLauncher) l = NULL;
  g_autoptr(GSubprocess) p = NULL;
  g_autoptr(GError) error = NULL;

  if (bin == NULL) {
    g_test_skip("VGW_BIN not set");
    return FALSE;
  }
  g_ptr_array_add(argv, (char *) bin);
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add(argv, (char *) *a);
  g_ptr_array_add(argv, NULL);
  l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv(l, "VGW_STATE_DIR", state, TRUE);
  g_subprocess_launcher_setenv(l, "VGW_QEMU", "/nonexistent/qemu-system-aarch64", TRUE);
  p = g_subprocess_launcher_spawnv(l, (const char *const *) argv->pdata, &error);
  g_assert_no_error(error);
  g_assert_true(g_subprocess_communicate_utf8(p, NULL, NULL, &r->out, &r->err, &error));
  r->status = g_subprocess_get_exit_status(p);
  return TRUE;
}

static void
assert_one_error_line(const Run *r, const char *needle)
{
  g_auto(GStrv) lines = g_strsplit(r->err, "\n", -1);

  if (g_strv_length(lines) != 2 || !g_str_has_prefix(lines[0], "vgw: ") ||
      strstr(lines[0], needle) == NULL)
    g_error("stderr '%s' is not one line with '%s'", r->err, needle);
}

static void
test_binary(void)
{
  g_autofree char *state = g_dir_make_tmp("vgwcfgbin-XXXXXX", NULL);
  g_autofree char *bad = write_tmp("bad.ini", "GwDebugLevel = 5\nTLSVersion = 9\n", -1);
  g_autofree char *good = write_tmp("good.ini", "FooBar = 1\nTLSVersion = 1\n", -1);
  struct { const char *args[8]; int status; const char *needle; const char *out; } cases[] = {
    { { "ini", "check", bad }, 1, "bad.ini:2: TLSVersion: value 9 out of range 0..1", NULL },
    { { "ini", "check", good }, 0, NULL, "warning: good.ini:1: FooBar: unknown parameter, skipped\n" },
    { { "ini", "check", "/nonexistent/c.ini" }, 1, "c.ini", NULL },
    { { "ini" }, 2, "missing command after 'ini'", NULL },
    { { "ini", "frob" }, 2, "unknown command 'ini frob'", NULL },
    { { "param", "get" }, 2, "missing parameter name", NULL },
    { { "param", "set", "A" }, 2, "missing value", NULL },
    { { "param", "get", "TLSVersion", "--name", "ghost" }, 1, "no gateway named 'ghost'", NULL },
    { { "pending", "--name", "ghost" }, 1, "no gateway named 'ghost'", NULL },
    { { "save", "--name", "ghost" }, 1, "no gateway named 'ghost'", NULL },
    { { "factory-reset", "--name", "ghost" }, 1, "no gateway named 'ghost'", NULL },
    { { "ini", "export", "--name", "ghost", "x.ini" }, 1, "no gateway named 'ghost'", NULL },
    { { "ini", "load", "--name", "ghost", good }, 1, "no gateway named 'ghost'", NULL },
    { { "flash", "show", "--name", "ghost" }, 1, "no gateway named 'ghost'", NULL },
    { { "flash", "export-config", "--name", "ghost", "o.ini" }, 1, "no gateway named 'ghost'", NULL },
    { { "reset", "--hard", "--save" }, 2, "--hard cannot be combined with --save", NULL },
    /* A bad --config stops up before anything starts (no QEMU needed). */
    { { "up", "--name", "cfg", "--config", bad }, 1,
      "bad.ini:2: TLSVersion: value 9 out of range 0..1 (--config rejected; nothing started)", NULL },
    { { "up", "--name", "cfg", "--config", "/nonexistent/c.ini" }, 1, "--config: ", NULL },
    { { "up", "--name", "cfg", "--config", good }, 1, "QEMU not found", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    Run r = { 0 };
    if (!run_vgw(&r, state, cases[i].args))
      return;
    if (r.status != cases[i].status)
      g_error("vgw %s %s: status %d, want %d (%s)", cases[i].args[0],
              cases[i].args[1] ? cases[i].args[1] : "", r.status, cases[i].status, r.err);
    if (cases[i].needle != NULL)
      assert_one_error_line(&r, cases[i].needle);
    if (cases[i].out != NULL && !g_str_has_prefix(r.out, cases[i].out))
      g_error("stdout '%s' does not start with '%s'", r.out, cases[i].out);
    g_free(r.out);
    g_free(r.err);
  }
  /* The rejected --config created no gateway. */
  {
    g_autofree char *dir = g_build_filename(state, "cfg", "flash.img", NULL);
    g_assert_false(g_file_test(dir, G_FILE_TEST_EXISTS));
  }
  remove_tmp(bad);
  remove_tmp(good);
  {
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", state);
    g_assert_cmpint(system(cmd), ==, 0);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/config/upload-chunks", test_upload_chunks);
  g_test_add_func("/config/upload-read-file", test_upload_read_file);
  g_test_add_func("/config/ini-names-nothing", test_ini_names_nothing);
  g_test_add_func("/config/config-source-note", test_config_source_note);
  g_test_add_func("/config/ini-check-messages", test_ini_check_messages);
  g_test_add_func("/config/flash-write-config", test_flash_write_config);
  g_test_add_func("/config/binary", test_binary);
  return g_test_run();
}
