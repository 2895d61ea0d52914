/* Argument handling of every verb: parsers directly, and the built vgw
 * binary (exit status, one-line errors, --help) when $VGW_BIN is set. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "vgw_crypto.h"
#include "ports.h"
#include "vgw-error.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(v) ((int) g_strv_length(v))

static void
test_port_parse(void)
{
  struct { const char *text; gboolean ok; guint16 value; } cases[] = {
    { "0", TRUE, 0 }, { "1", TRUE, 1 }, { "5060", TRUE, 5060 },
    { "65535", TRUE, 65535 }, { "65536", FALSE, 0 }, { "-1", FALSE, 0 },
    { "", FALSE, 0 }, { "abc", FALSE, 0 }, { "50x", FALSE, 0 },
    { " 5060", FALSE, 0 }, { "99999999999999999999", FALSE, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    guint16 port = 42;
    gboolean ok = vgw_port_parse(cases[i].text, "--sip-port", &port, &error);
    g_assert_cmpint(ok, ==, cases[i].ok);
    if (ok) {
      g_assert_no_error(error);
      g_assert_cmpuint(port, ==, cases[i].value);
    } else {
      g_assert_error(error, VGW_ERROR, VGW_ERROR_USAGE);
      g_assert_nonnull(strstr(error->message, "--sip-port"));
      g_assert_nonnull(strstr(error->message, "0..65535"));
    }
  }
}

static void
test_up_defaults(void)
{
  g_autoptr(GError) error = NULL;
  VgwUpOptions o;

  g_assert_true(vgw_up_parse(1, ARGV("up"), &o, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(o.name, ==, "default");
  g_assert_cmpuint(o.smp, ==, 1);
  g_assert_cmpuint(o.sip_port, ==, 5060);
  g_assert_cmpuint(o.sip_tls_port, ==, 5061);
  g_assert_cmpuint(o.timeout_s, ==, 300);
  g_assert_false(o.detach);
  g_assert_null(o.qemu);
  g_assert_null(o.images);
  vgw_up_options_clear(&o);
}

static void
test_up_all_options(void)
{
  g_autoptr(GError) error = NULL;
  char **argv = ARGV("up", "--name", "b", "--smp", "4", "--sip-port", "0",
                     "--sip-tls-port=0", "--timeout", "12", "--detach",
                     "--qemu", "/q/qemu", "--images", "/i");
  VgwUpOptions o;

  g_assert_true(vgw_up_parse(ARGC(argv), argv, &o, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(o.name, ==, "b");
  g_assert_cmpuint(o.smp, ==, 4);
  g_assert_cmpuint(o.sip_port, ==, 0);
  g_assert_cmpuint(o.sip_tls_port, ==, 0);
  g_assert_cmpuint(o.timeout_s, ==, 12);
  g_assert_true(o.detach);
  g_assert_cmpstr(o.qemu, ==, "/q/qemu");
  g_assert_cmpstr(o.images, ==, "/i");
  vgw_up_options_clear(&o);
}

typedef gboolean (*ParseFunc)(int argc, char **argv, gpointer opts, GError **error);

/* Each bad command line must be a usage error whose message holds |needle|. */
static void
expect_usage_error(ParseFunc parse, char **argv, const char *needle)
{
  g_autoptr(GError) error = NULL;
  union {
    VgwUpOptions up; VgwDownOptions down; VgwResetOptions reset;
    VgwStatusOptions status; VgwConsoleOptions console; VgwListOptions list;
    VgwMaintOptions maint;
  } opts;

  if (parse(ARGC(argv), argv, &opts, &error)) {
    g_autofree char *joined = g_strjoinv(" ", argv);
    g_error("'%s' was accepted", joined);
  }
  g_assert_error(error, VGW_ERROR, VGW_ERROR_USAGE);
  if (strstr(error->message, needle) == NULL)
    g_error("message '%s' lacks '%s'", error->message, needle);
  g_assert_null(strchr(error->message, '\n'));
  g_assert_cmpint(vgw_error_exit_status(error), ==, VGW_EXIT_USAGE);
}

static void
test_bad_arguments(void)
{
  ParseFunc up = (ParseFunc) vgw_up_parse, down = (ParseFunc) vgw_down_parse,
            reset = (ParseFunc) vgw_reset_parse, status = (ParseFunc) vgw_status_parse,
            console = (ParseFunc) vgw_console_parse, list = (ParseFunc) vgw_list_parse,
            maint = (ParseFunc) vgw_maint_parse;

  expect_usage_error(up, ARGV("up", "--sip-port", "65536"), "65536");
  expect_usage_error(up, ARGV("up", "--sip-tls-port", "x"), "--sip-tls-port");
  expect_usage_error(up, ARGV("up", "--sip-port"), "--sip-port");
  expect_usage_error(up, ARGV("up", "--smp", "0"), "--smp");
  expect_usage_error(up, ARGV("up", "--smp", "5"), "--smp");
  expect_usage_error(up, ARGV("up", "--smp", "two"), "--smp");
  expect_usage_error(up, ARGV("up", "--timeout", "0"), "--timeout");
  expect_usage_error(up, ARGV("up", "--sip-port", "7000", "--sip-tls-port", "7000"), "differ");
  expect_usage_error(up, ARGV("up", "--name", "a/b"), "invalid gateway name");
  expect_usage_error(up, ARGV("up", "--name", ""), "invalid gateway name");
  expect_usage_error(up, ARGV("up", "--name", "..x"), "invalid gateway name");
  expect_usage_error(up, ARGV("up", "--nope"), "--nope");
  expect_usage_error(up, ARGV("up", "stray"), "stray");
  expect_usage_error(down, ARGV("down", "--hard"), "--hard");
  expect_usage_error(down, ARGV("down", "x"), "'x'");
  expect_usage_error(down, ARGV("down", "--name"), "--name");
  expect_usage_error(reset, ARGV("reset", "--graceful"), "--graceful");
  expect_usage_error(reset, ARGV("reset", "--timeout", "-3"), "--timeout");
  expect_usage_error(status, ARGV("status", "--json", "extra"), "extra");
  expect_usage_error(status, ARGV("status", "--name", "x y"), "invalid gateway name");
  expect_usage_error(console, ARGV("console", "--json"), "--json");
  expect_usage_error(list, ARGV("list", "--name", "x"), "--name");
  expect_usage_error(maint, ARGV("maint"), "missing request verb");
  expect_usage_error(maint, ARGV("maint", "--timeout", "0", "status"), "--timeout");
}

static void
test_other_verbs(void)
{
  g_autoptr(GError) error = NULL;
  VgwResetOptions r;
  VgwStatusOptions s;
  VgwDownOptions d;
  VgwConsoleOptions c;
  VgwListOptions l;
  VgwMaintOptions m;
  char **maint_argv = ARGV("maint", "--name", "w", "debug", "--not-an-option", "x y");

  g_assert_true(vgw_reset_parse(1, ARGV("reset"), &r, &error));
  g_assert_cmpint(r.method, ==, VGW_RESET_FIRMWARE);
  g_assert_cmpstr(r.name, ==, "default");
  vgw_reset_options_clear(&r);
  g_assert_true(vgw_reset_parse(4, ARGV("reset", "--hard", "--name", "gw1"), &r, &error));
  g_assert_cmpint(r.method, ==, VGW_RESET_HARD);
  g_assert_cmpstr(r.name, ==, "gw1");
  vgw_reset_options_clear(&r);

  g_assert_true(vgw_status_parse(4, ARGV("status", "--json", "-n", "z"), &s, &error));
  g_assert_true(s.json);
  g_assert_cmpstr(s.name, ==, "z");
  vgw_status_options_clear(&s);

  g_assert_true(vgw_down_parse(3, ARGV("down", "--name", "q"), &d, &error));
  g_assert_cmpstr(d.name, ==, "q");
  vgw_down_options_clear(&d);
  g_assert_true(vgw_console_parse(1, ARGV("console"), &c, &error));
  g_assert_cmpstr(c.name, ==, "default");
  vgw_console_options_clear(&c);
  g_assert_true(vgw_list_parse(2, ARGV("list", "--json"), &l, &error));
  g_assert_true(l.json);

  /* Words after the request verb are the request's, even with '-'. */
  g_assert_true(vgw_maint_parse(ARGC(maint_argv), maint_argv, &m, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(m.name, ==, "w");
  g_assert_cmpuint(g_strv_length(m.request), ==, 3);
  g_assert_cmpstr(m.request[0], ==, "debug");
  g_assert_cmpstr(m.request[1], ==, "--not-an-option");
  g_assert_cmpstr(m.request[2], ==, "x y");
  vgw_maint_options_clear(&m);
}

static void
expect_keystore_usage(gboolean ok, GError **error, const char *message)
{
  g_assert_false(ok);
  g_assert_error(*error, VGW_ERROR, VGW_ERROR_USAGE);
  g_assert_cmpstr((*error)->message, ==, message);
  g_clear_error(error);
}

static void
test_keystore_verbs(void)
{
  g_autoptr(GError) error = NULL;
  VgwKeystoreOptions k;

  g_assert_true(vgw_keystore_list_parse(2, ARGV("list", "--json"), &k, &error));
  g_assert_true(k.json);
  g_assert_cmpstr(k.name, ==, "default");
  vgw_keystore_options_clear(&k);

  g_assert_true(vgw_keystore_gen_parse(7, ARGV("gen", "--name", "g", "--slot", "15", "--type", "rsa-3072"),
                                       &k, &error));
  g_assert_cmpint(k.slot, ==, 15);
  g_assert_cmpuint(k.key_type, ==, VGW_KEY_TYPE_RSA_3072);
  g_assert_cmpstr(k.name, ==, "g");
  vgw_keystore_options_clear(&k);
  expect_keystore_usage(vgw_keystore_gen_parse(3, ARGV("gen", "--type", "ec-p256"), &k, &error),
                        &error, "keystore gen: --slot is required (0-15)");
  expect_keystore_usage(vgw_keystore_gen_parse(5, ARGV("gen", "--slot", "16", "--type", "ec-p256"), &k, &error),
                        &error, "keystore gen: no slot 16 (0-15)");
  expect_keystore_usage(vgw_keystore_gen_parse(5, ARGV("gen", "--slot", "1", "--type", "rsa-1024"), &k, &error),
                        &error, "keystore gen: --type must be ec-p256, rsa-2048 or rsa-3072");
  expect_keystore_usage(vgw_keystore_gen_parse(3, ARGV("gen", "--slot", "1"), &k, &error),
                        &error, "keystore gen: --type must be ec-p256, rsa-2048 or rsa-3072");

  g_assert_true(vgw_keystore_import_parse(5, ARGV("import", "--slot", "0", "--key", "k.pem"), &k, &error));
  g_assert_cmpint(k.slot, ==, 0);
  g_assert_cmpstr(k.key, ==, "k.pem");
  vgw_keystore_options_clear(&k);
  expect_keystore_usage(vgw_keystore_import_parse(3, ARGV("import", "--slot", "0"), &k, &error),
                        &error, "keystore import: --key is required");

  expect_keystore_usage(vgw_keystore_zeroize_parse(1, ARGV("zeroize"), &k, &error),
                        &error, "keystore zeroize erases every key, the device key too; add --yes");
  g_assert_true(vgw_keystore_zeroize_parse(2, ARGV("zeroize", "--yes"), &k, &error));
  vgw_keystore_options_clear(&k);

  g_assert_true(vgw_keystore_slot_parse("keystore lock", 3, ARGV("lock", "-s", "3"), &k, &error));
  g_assert_cmpint(k.slot, ==, 3);
  vgw_keystore_options_clear(&k);
  expect_keystore_usage(vgw_keystore_slot_parse("keystore pub", 3, ARGV("pub", "--slot", "-1"), &k, &error),
                        &error, "keystore pub: no slot -1 (0-15)");
  expect_keystore_usage(vgw_keystore_slot_parse("keystore pub", 1, ARGV("pub"), &k, &error),
                        &error, "keystore pub: --slot is required (0-15)");
}

/* -- the binary ---------------------------------------------------------- */

typedef struct {
  int status;
  char *out;
  char *err;
} Run;

static void
run_clear(Run *r)
{
  g_free(r->out);
  g_free(r->err);
}

static gboolean
run_vgw(Run *r, const char *const *args)
{
  const char *bin = g_getenv("VGW_BIN");
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GSubprocessLauncher) l = NULL;
  g_autoptr(GSubprocess) p = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *state = NULL;

  if (bin == NULL) {
    g_test_skip("VGW_BIN not set");
    return FALSE;
  }
  g_ptr_array_add(argv, (char *) bin);
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add(argv, (char *) *a);
  g_ptr_array_add(argv, NULL);
  l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  state = g_dir_make_tmp("vgwargs-XXXXXX", NULL);
  g_subprocess_launcher_setenv(l, "VGW_STATE_DIR", state, TRUE);
  g_subprocess_launcher_setenv(l, "VGW_QEMU", "/nonexistent/qemu-system-aarch64", TRUE);
  p = g_subprocess_launcher_spawnv(l, (const char *const *) argv->pdata, &error);
  g_assert_no_error(error);
  g_assert_true(g_subprocess_communicate_utf8(p, NULL, NULL, &r->out, &r->err, &error));
  g_assert_no_error(error);
  r->status = g_subprocess_get_exit_status(p);
  g_rmdir(state);
  return TRUE;
}

static void
assert_one_error_line(const Run *r, const char *needle)
{
  g_auto(GStrv) lines = g_strsplit(r->err, "\n", -1);

  g_assert_cmpuint(g_strv_length(lines), ==, 2); /* the line + "" after its \n */
  g_assert_true(g_str_has_prefix(lines[0], "vgw: "));
  if (strstr(lines[0], needle) == NULL)
    g_error("'%s' lacks '%s'", lines[0], needle);
}

static void
test_binary_help(void)
{
  for (const VgwVerb *v = vgw_cli_verbs(); v->name != NULL; v++) {
    const char *args[] = { v->name, "--help", NULL };
    g_autofree char *usage = g_strdup_printf("vgw %s", v->name);
    Run r = { 0 };
    if (!run_vgw(&r, args))
      return;
    g_assert_cmpint(r.status, ==, 0);
    g_assert_nonnull(strstr(r.out, "Usage:"));
    g_assert_nonnull(strstr(r.out, usage));
    run_clear(&r);
  }
  {
    const char *args[] = { "--help", NULL };
    Run r = { 0 };
    run_vgw(&r, args);
    g_assert_cmpint(r.status, ==, 0);
    for (const VgwVerb *v = vgw_cli_verbs(); v->name != NULL; v++)
      g_assert_nonnull(strstr(r.out, v->name));
    run_clear(&r);
  }
}

static void
test_binary_usage_errors(void)
{
  struct { const char *args[6]; const char *needle; } cases[] = {
    { { "frobnicate" }, "unknown command 'frobnicate'" },
    { { "up", "--sip-port", "65536" }, "65536" },
    { { "up", "--sip-tls-port", "-1" }, "--sip-tls-port" },
    { { "up", "--smp", "9" }, "--smp" },
    { { "up", "--bogus" }, "--bogus" },
    { { "down", "extra" }, "extra" },
    { { "reset", "--name" }, "--name" },
    { { "status", "--name", "bad/name" }, "invalid gateway name" },
    { { "list", "--x" }, "--x" },
    { { "console", "a" }, "'a'" },
    { { "maint" }, "missing request verb" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    Run r = { 0 };
    if (!run_vgw(&r, cases[i].args))
      return;
    g_assert_cmpint(r.status, ==, 2);
    assert_one_error_line(&r, cases[i].needle);
    run_clear(&r);
  }
  {
    const char *args[] = { NULL };
    Run r = { 0 };
    run_vgw(&r, args);
    g_assert_cmpint(r.status, ==, 2);
    run_clear(&r);
  }
}

static void
test_binary_failures(void)
{
  struct { const char *args[6]; const char *needle; } cases[] = {
    { { "status", "--name", "ghost" }, "no gateway named 'ghost'" },
    { { "down", "--name", "ghost" }, "gateway 'ghost' is not running" },
    { { "reset", "--name", "ghost" }, "no gateway named 'ghost'" },
    { { "console", "--name", "ghost" }, "no gateway named 'ghost'" },
    { { "up", "--name", "ghost" }, "QEMU not found at /nonexistent/qemu-system-aarch64" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    Run r = { 0 };
    if (!run_vgw(&r, cases[i].args))
      return;
    g_assert_cmpint(r.status, ==, 1);
    assert_one_error_line(&r, cases[i].needle);
    run_clear(&r);
  }
  {
    const char *args[] = { "list", "--json", NULL };
    Run r = { 0 };
    run_vgw(&r, args);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "[]\n");
    run_clear(&r);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/args/port-parse", test_port_parse);
  g_test_add_func("/args/up-defaults", test_up_defaults);
  g_test_add_func("/args/up-all-options", test_up_all_options);
  g_test_add_func("/args/bad-arguments", test_bad_arguments);
  g_test_add_func("/args/other-verbs", test_other_verbs);
  g_test_add_func("/args/keystore-verbs", test_keystore_verbs);
  g_test_add_func("/args/binary-help", test_binary_help);
  g_test_add_func("/args/binary-usage-errors", test_binary_usage_errors);
  g_test_add_func("/args/binary-failures", test_binary_failures);
  return g_test_run();
}
