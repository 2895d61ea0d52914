/* Argument handling: every row of the verb tables (help, unknown options,
 * where --name and --json are taken, required options and arguments), the
 * rules of each verb, and the built vgw binary ($VGW_BIN: exit status,
 * one-line errors, --help). */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "commands.h"
#include "instance.h"
#include "ports.h"
#include "vgw_crypto.h"
#include "vgw-error.h"

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })
#define ARGC(v) ((int) g_strv_length(v))

/* -- the tables ------------------------------------------------------------ */

typedef struct {
  char *path;  /* "param get" */
  const VgwVerb *verb;
} Row;

static void
collect_rows(const VgwVerb *table, const char *prefix, GArray *rows)
{
  for (const VgwVerb *v = table; v->name != NULL; v++) {
    Row row = { *prefix != '\0' ? g_strconcat(prefix, " ", v->name, NULL) : g_strdup(v->name), v };
    g_array_append_val(rows, row);
    if (v->subs != NULL)
      collect_rows(v->subs, row.path, rows);
  }
}

static void
row_clear(gpointer data)
{
  g_free(((Row *) data)->path);
}

/* Every row below `vgw`, subcommand tables and hidden rows included. */
static GArray *
all_rows(void)
{
  GArray *rows = g_array_new(FALSE, FALSE, sizeof(Row));

  g_array_set_clear_func(rows, row_clear);
  collect_rows(vgw_cli_root()->subs, "", rows);
  g_assert_cmpuint(rows->len, >, 20);
  return rows;
}

/* The options a row takes, the common ones included. */
static GPtrArray *
row_options(const VgwVerb *verb)
{
  static const VgwOption name = { .long_name = "name", .short_name = 'n' };
  static const VgwOption json = { .long_name = "json" };
  GPtrArray *all = g_ptr_array_new();

  if (verb->flags & VGW_VERB_GATEWAY)
    g_ptr_array_add(all, (gpointer) &name);
  if (verb->flags & VGW_VERB_JSON)
    g_ptr_array_add(all, (gpointer) &json);
  for (const VgwOption *o = verb->options; o != NULL && o->long_name != NULL; o++)
    g_ptr_array_add(all, (gpointer) o);
  return all;
}

static void
assert_contains(const char *text, const char *needle, const char *where)
{
  if (strstr(text, needle) == NULL)
    g_error("%s: '%s' not in:\n%s", where, needle, text);
}

static void
assert_lacks(const char *text, const char *needle, const char *where)
{
  if (strstr(text, needle) != NULL)
    g_error("%s: '%s' should not be in:\n%s", where, needle, text);
}

/* --help names the verb, every option it takes (and no --name or --json
 * it does not take), its arguments, or its listed subcommands. */
static void
test_table_help(void)
{
  g_autoptr(GArray) rows = all_rows();

  for (guint i = 0; i < rows->len; i++) {
    const Row *r = &g_array_index(rows, Row, i);
    g_autofree char *help = vgw_cli_help(r->path);
    g_autofree char *usage = g_strdup_printf("vgw %s ", r->path);
    g_autoptr(GPtrArray) options = row_options(r->verb);

    assert_contains(help, "Usage:", r->path);
    assert_contains(help, usage, r->path);
    if (r->verb->subs != NULL) {
      for (const VgwVerb *s = r->verb->subs; s->name != NULL; s++) {
        g_autofree char *line = g_strdup_printf("\n  %s ", s->name);
        if (s->flags & VGW_VERB_HIDDEN)
          assert_lacks(help, line, r->path);
        else
          assert_contains(help, line, r->path);
      }
      continue;
    }
    assert_contains(help, "--help", r->path);
    for (guint j = 0; j < options->len; j++) {
      const VgwOption *o = g_ptr_array_index(options, j);
      g_autofree char *lng = g_strdup_printf("--%s", o->long_name);
      g_autofree char *shrt = g_strdup_printf("-%c, --%s", o->short_name, o->long_name);
      assert_contains(help, o->short_name != 0 ? shrt : lng, r->path);
    }
    if (!(r->verb->flags & VGW_VERB_GATEWAY))
      assert_lacks(help, "--name", r->path);
    if (!(r->verb->flags & VGW_VERB_JSON))
      assert_lacks(help, "--json", r->path);
    for (const VgwArg *a = r->verb->args; a != NULL && a->usage != NULL; a++)
      assert_contains(help, a->usage, r->path);
  }
  {
    g_autofree char *top = vgw_cli_help("");
    for (const VgwVerb *v = vgw_cli_root()->subs; v->name != NULL; v++) {
      g_autofree char *line = g_strdup_printf("\n  %s ", v->name);
      assert_contains(top, line, "vgw");
    }
  }
}

/* A value of |opt|'s type that parses. */
static const char *
sample_value(const VgwOption *opt)
{
  if (opt->type == &vgw_option_uint)
    return opt->min == 0 ? "0" : "1";
  if (opt->type == &vgw_option_string || opt->type == &vgw_option_strings)
    return "x";
  if (opt->type == &vgw_option_port)
    return "0";
  if (opt->type == &vgw_option_key_type)
    return "ec-p256";
  if (opt->type == &vgw_option_capture_ports)
    return "lan";
  if (opt->type == &vgw_option_pki_role)
    return "device";
  g_error("--%s: a required option of a type this test has no sample for", opt->long_name);
}

/* Words a row's check requires beyond its required options. */
static const char *
check_needs(const char *path)
{
  if (g_str_equal(path, "pki issue"))
    return "--self-signed";
  if (g_str_equal(path, "cert inject"))
    return "--cert=x"; /* or --generate */
  return g_str_equal(path, "keystore zeroize") || g_str_equal(path, "keystore reset") ? "--yes"
                                                                                   : NULL;
}

/* The shortest command line of |r| that parses, with |extra| options
 * (NULL-terminated) before the arguments. */
static GPtrArray *
minimal_argv(const Row *r, const char *const *extra)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
  const char *last_word = strrchr(r->path, ' ');

  g_ptr_array_add(argv, g_strdup(last_word != NULL ? last_word + 1 : r->path));
  for (const char *const *e = extra; e != NULL && *e != NULL; e++)
    g_ptr_array_add(argv, g_strdup(*e));
  for (const VgwOption *o = r->verb->options; o != NULL && o->long_name != NULL; o++) {
    if (o->flags & VGW_OPTION_REQUIRED) {
      g_ptr_array_add(argv, g_strdup_printf("--%s", o->long_name));
      g_ptr_array_add(argv, g_strdup(sample_value(o)));
    }
  }
  if (check_needs(r->path) != NULL)
    g_ptr_array_add(argv, g_strdup(check_needs(r->path)));
  for (const VgwArg *a = r->verb->args; a != NULL && a->usage != NULL; a++)
    g_ptr_array_add(argv, g_strdup("A"));
  g_ptr_array_add(argv, NULL);
  return argv;
}

/* Parses |argv| for |r|: TRUE with |*opts| (free with free_opts), or
 * FALSE with a usage error. */
static gboolean
parse_row(const Row *r, GPtrArray *argv, gpointer *opts, GError **error)
{
  *opts = g_malloc0(r->verb->options_size);
  if (vgw_cli_parse(r->path, (int) argv->len - 1, (char **) argv->pdata, *opts,
                    r->verb->options_size, error))
    return TRUE;
  g_assert_error(*error, VGW_ERROR, VGW_ERROR_USAGE);
  g_assert_null(strchr((*error)->message, '\n'));
  g_clear_pointer(opts, g_free);
  return FALSE;
}

static void
free_opts(const Row *r, gpointer opts)
{
  vgw_cli_clear(r->path, opts);
  g_free(opts);
}

static void
expect_refused(const Row *r, const char *const *extra, const char *needle)
{
  g_autoptr(GPtrArray) argv = minimal_argv(r, extra);
  g_autoptr(GError) error = NULL;
  gpointer opts;

  if (parse_row(r, argv, &opts, &error)) {
    free_opts(r, opts);
    g_error("%s: %s was accepted", r->path, extra[0]);
  }
  if (strstr(error->message, needle) == NULL)
    g_error("%s: '%s' lacks '%s'", r->path, error->message, needle);
}

/* --name and --json are taken exactly where the row's flags say, the
 * default name is "default", and names that cannot be a directory are
 * refused. */
static void
test_table_name_json(void)
{
  g_autoptr(GArray) rows = all_rows();

  for (guint i = 0; i < rows->len; i++) {
    const Row *r = &g_array_index(rows, Row, i);
    gboolean gateway = (r->verb->flags & VGW_VERB_GATEWAY) != 0;
    gboolean json = (r->verb->flags & VGW_VERB_JSON) != 0;
    const char *with_name[] = { "--name", "gw7", NULL };
    const char *with_json[] = { "--json", NULL };
    g_autoptr(GError) error = NULL;
    gpointer opts;

    if (r->verb->subs != NULL)
      continue;
    {
      g_autoptr(GPtrArray) argv = minimal_argv(r, NULL);
      if (!parse_row(r, argv, &opts, &error))
        g_error("%s: the minimal command line failed: %s", r->path, error->message);
      g_assert_cmpstr(((VgwCommonOptions *) opts)->name, ==, gateway ? "default" : NULL);
      g_assert_false(((VgwCommonOptions *) opts)->json);
      g_assert_false(((VgwCommonOptions *) opts)->help);
      free_opts(r, opts);
    }
    if (gateway) {
      g_autoptr(GPtrArray) argv = minimal_argv(r, with_name);
      const char *bad_names[] = { "-x", "..", ".hidden", "a/b", "", "x y",
                                  "123456789012345678901234567890123" };
      g_assert_true(parse_row(r, argv, &opts, &error));
      g_assert_cmpstr(((VgwCommonOptions *) opts)->name, ==, "gw7");
      free_opts(r, opts);
      for (gsize b = 0; b < G_N_ELEMENTS(bad_names); b++) {
        const char *bad[] = { "--name", bad_names[b], NULL };
        expect_refused(r, bad, "invalid gateway name");
      }
    } else {
      expect_refused(r, with_name, "--name");
    }
    if (json) {
      g_autoptr(GPtrArray) argv = minimal_argv(r, with_json);
      g_assert_true(parse_row(r, argv, &opts, &error));
      g_assert_true(((VgwCommonOptions *) opts)->json);
      free_opts(r, opts);
    } else {
      expect_refused(r, with_json, "--json");
    }
  }
}

/* Unknown options, missing required options, missing and extra
 * arguments are usage errors that say which. */
static void
test_table_usage_errors(void)
{
  g_autoptr(GArray) rows = all_rows();

  for (guint i = 0; i < rows->len; i++) {
    const Row *r = &g_array_index(rows, Row, i);
    const char *unknown[] = { "--no-such-option", NULL };
    guint nargs = 0;
    gboolean rest = FALSE;

    if (r->verb->subs != NULL)
      continue;
    expect_refused(r, unknown, "--no-such-option");
    for (const VgwOption *o = r->verb->options; o != NULL && o->long_name != NULL; o++) {
      g_autoptr(GPtrArray) argv = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *flag = g_strdup_printf("--%s", o->long_name);
      gpointer opts;
      guint at;
      if (!(o->flags & VGW_OPTION_REQUIRED))
        continue;
      argv = minimal_argv(r, NULL);
      for (at = 1; g_strcmp0(g_ptr_array_index(argv, at), flag) != 0; at++)
        g_assert_cmpuint(at, <, argv->len - 2);
      g_ptr_array_remove_range(argv, at, 2);
      g_assert_false(parse_row(r, argv, &opts, &error));
      g_autofree char *needle = g_strdup_printf("missing %s", flag);
      assert_contains(error->message, needle, r->path);
    }
    for (const VgwArg *a = r->verb->args; a != NULL && a->usage != NULL; a++) {
      nargs++;
      rest |= a->rest;
    }
    if (nargs > 0) {
      g_autoptr(GPtrArray) argv = minimal_argv(r, NULL);
      g_autoptr(GError) error = NULL;
      gpointer opts;
      g_ptr_array_remove_index(argv, argv->len - 2); /* the last argument */
      g_assert_false(parse_row(r, argv, &opts, &error));
      assert_contains(error->message, "missing ", r->path);
    }
    if (!rest) {
      g_autoptr(GPtrArray) argv = minimal_argv(r, NULL);
      g_autoptr(GError) error = NULL;
      gpointer opts;
      g_ptr_array_insert(argv, argv->len - 1, g_strdup("stray"));
      g_assert_false(parse_row(r, argv, &opts, &error));
      assert_contains(error->message, "unexpected argument 'stray'", r->path);
    }
  }
}

/* -- the rules of single verbs -------------------------------------------- */

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

#define PARSE(path, argv, opts, error) \
  vgw_cli_parse(path, ARGC(argv), argv, opts, sizeof *(opts), error)

static void
test_up_defaults(void)
{
  g_autoptr(GError) error = NULL;
  VgwUpOptions o;

  g_assert_true(PARSE("up", ARGV("up"), &o, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(o.name, ==, "default");
  g_assert_cmpuint(o.smp, ==, 1);
  g_assert_cmpuint(o.sip_port, ==, 5060);
  g_assert_cmpuint(o.sip_tls_port, ==, 5061);
  g_assert_cmpuint(o.timeout_s, ==, 300);
  g_assert_false(o.detach);
  g_assert_null(o.qemu);
  g_assert_null(o.images);
  g_assert_null(o.config);
  g_assert_null(o.capture);
  g_assert_false(o.seed.set);
  vgw_cli_clear("up", &o);
}

static void
test_up_all_options(void)
{
  g_autoptr(GError) error = NULL;
  char **argv = ARGV("up", "--name", "b", "--smp", "4", "--sip-port", "0",
                     "--sip-tls-port=0", "--timeout", "12", "--detach",
                     "--qemu", "/q/qemu", "--images", "/i", "-c", "site.ini",
                     "--capture", "c.pcapng", "--seed", "9223372036854775807");
  VgwUpOptions o;

  g_assert_true(PARSE("up", argv, &o, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(o.name, ==, "b");
  g_assert_cmpuint(o.smp, ==, 4);
  g_assert_cmpuint(o.sip_port, ==, 0);
  g_assert_cmpuint(o.sip_tls_port, ==, 0);
  g_assert_cmpuint(o.timeout_s, ==, 12);
  g_assert_true(o.detach);
  g_assert_cmpstr(o.qemu, ==, "/q/qemu");
  g_assert_cmpstr(o.images, ==, "/i");
  g_assert_cmpstr(o.config, ==, "site.ini");
  g_assert_cmpstr(o.capture, ==, "c.pcapng");
  g_assert_true(o.seed.set);
  g_assert_cmpuint(o.seed.value, ==, G_MAXINT64);
  vgw_cli_clear("up", &o);
}

/* Each bad command line must be a usage error whose message holds |needle|. */
static void
expect_usage_error(const char *path, char **argv, const char *needle)
{
  const VgwVerb *verb = vgw_cli_find(path);
  g_autoptr(GError) error = NULL;
  g_autofree gpointer opts = g_malloc0(verb->options_size);

  if (vgw_cli_parse(path, ARGC(argv), argv, opts, verb->options_size, &error)) {
    g_autofree char *joined = g_strjoinv(" ", argv);
    vgw_cli_clear(path, opts);
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
  expect_usage_error("up", ARGV("up", "--sip-port", "65536"), "65536");
  expect_usage_error("up", ARGV("up", "--sip-tls-port", "x"), "--sip-tls-port");
  expect_usage_error("up", ARGV("up", "--sip-port"), "--sip-port");
  expect_usage_error("up", ARGV("up", "--smp", "0"), "invalid value '0' for --smp (expected 1..4)");
  expect_usage_error("up", ARGV("up", "--seed", "-1"),
                     "invalid value '-1' for --seed (expected 0..9223372036854775807)");
  expect_usage_error("up", ARGV("up", "--seed", "9223372036854775808"), "--seed");
  expect_usage_error("up", ARGV("up", "--seed", "0x10"), "--seed");
  expect_usage_error("up", ARGV("up", "--seed"), "--seed");
  expect_usage_error("up", ARGV("up", "--smp", "5"), "--smp");
  expect_usage_error("up", ARGV("up", "--smp", "two"), "--smp");
  expect_usage_error("up", ARGV("up", "--smp", "-1"), "--smp");
  expect_usage_error("up", ARGV("up", "--timeout", "0"), "--timeout");
  expect_usage_error("up", ARGV("up", "--timeout", "86401"), "--timeout");
  expect_usage_error("up", ARGV("up", "--sip-port", "7000", "--sip-tls-port", "7000"), "differ");
  expect_usage_error("up", ARGV("up", "--name", "a/b"), "invalid gateway name");
  expect_usage_error("up", ARGV("up", "--name", "-x"), "invalid gateway name '-x'");
  expect_usage_error("up", ARGV("up", "-n", "--detach"), "invalid gateway name '--detach'");
  expect_usage_error("up", ARGV("up", "--nope"), "--nope");
  expect_usage_error("up", ARGV("up", "stray"), "stray");
  expect_usage_error("down", ARGV("down", "--hard"), "--hard");
  expect_usage_error("reset", ARGV("reset", "--graceful", "5"), "--graceful");
  expect_usage_error("reset", ARGV("reset", "--timeout", "-3"), "--timeout");
  expect_usage_error("reset", ARGV("reset", "--hard", "--save"), "--hard cannot be combined with --save");
  expect_usage_error("console", ARGV("console", "--json"), "--json");
  expect_usage_error("maint", ARGV("maint"), "missing request verb");
  expect_usage_error("maint", ARGV("maint", "--timeout", "0", "status"), "--timeout");
  expect_usage_error("param set", ARGV("set", "A"), "missing value");
  expect_usage_error("param get", ARGV("get", "A", "B"), "unexpected argument 'B'");
  expect_usage_error("ini export", ARGV("export", "--incremental", "a"), "--incremental");
  expect_usage_error("ini check", ARGV("check"), "missing ini file name");
  expect_usage_error("flash export-config", ARGV("export-config"), "missing output file name");
  expect_usage_error("handshakes", ARGV("handshakes", "--filter", "colour=red", "f.pcap"), "colour");
  expect_usage_error("capture start", ARGV("start", "--out", "f", "--port", "both"), "both");
  expect_usage_error("capture start", ARGV("start"), "missing --out F");
  expect_usage_error("keystore gen", ARGV("gen", "--type", "ec-p256"), "missing --slot S");
  expect_usage_error("keystore gen", ARGV("gen", "--slot", "16", "--type", "ec-p256"),
                     "invalid value '16' for --slot (expected 0..15)");
  expect_usage_error("keystore pub", ARGV("pub", "--slot", "-1"), "invalid value '-1' for --slot");
  expect_usage_error("keystore gen", ARGV("gen", "--slot", "1", "--type", "rsa-1024"),
                     "invalid value 'rsa-1024' for --type (expected ec-p256, rsa-2048 or rsa-3072)");
  expect_usage_error("keystore gen", ARGV("gen", "--slot", "1"), "missing --type T");
  expect_usage_error("keystore import", ARGV("import", "--slot", "0"), "missing --key F");
  expect_usage_error("keystore zeroize", ARGV("zeroize"),
                     "keystore zeroize erases every key, the device key too; add --yes");
  expect_usage_error("keystore reset", ARGV("reset"),
                     "keystore reset deletes the keystore and every key in it, and makes a new "
                     "board secret; add --yes");
}

static void
test_reset_methods(void)
{
  struct { char **argv; VgwResetMethod method; gboolean save; } cases[] = {
    { ARGV("reset"), VGW_RESET_FIRMWARE, FALSE },
    { ARGV("reset", "--hard", "--name", "gw1"), VGW_RESET_HARD, FALSE },
    { ARGV("reset", "--save"), VGW_RESET_SAVE, TRUE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    VgwResetOptions o;
    g_assert_true(PARSE("reset", cases[i].argv, &o, &error));
    g_assert_cmpint(o.method, ==, cases[i].method);
    g_assert_cmpint(o.save, ==, cases[i].save);
    g_assert_cmpuint(o.timeout_s, ==, VGW_DEFAULT_BOOT_TIMEOUT_S);
    vgw_cli_clear("reset", &o);
  }
}

static void
test_arguments_with_dashes(void)
{
  g_autoptr(GError) error = NULL;
  VgwMaintOptions m;
  VgwParamOptions p;
  VgwIniOptions ini;
  VgwHandshakesOptions h;
  char **maint_argv = ARGV("maint", "--name", "w", "debug", "--not-an-option", "x y");

  /* Words after the request verb are the request's, even with '-'. */
  g_assert_true(PARSE("maint", maint_argv, &m, &error));
  g_assert_cmpstr(m.name, ==, "w");
  g_assert_cmpuint(m.timeout_s, ==, 10);
  g_assert_cmpuint(g_strv_length(m.request), ==, 3);
  g_assert_cmpstr(m.request[0], ==, "debug");
  g_assert_cmpstr(m.request[1], ==, "--not-an-option");
  g_assert_cmpstr(m.request[2], ==, "x y");
  vgw_cli_clear("maint", &m);

  /* VALUE may start with '-' (options end at NAME), and may be empty. */
  g_assert_true(PARSE("param set", ARGV("set", "--name", "gw1", "TLSMutualAuthentication", "-1"),
                      &p, &error));
  g_assert_cmpstr(p.name, ==, "gw1");
  g_assert_cmpstr(p.param, ==, "TLSMutualAuthentication");
  g_assert_cmpstr(p.value, ==, "-1");
  vgw_cli_clear("param set", &p);
  g_assert_true(PARSE("param set", ARGV("set", "TLSRemoteSubjectName", ""), &p, &error));
  g_assert_cmpstr(p.value, ==, "");
  vgw_cli_clear("param set", &p);

  /* Elsewhere options may follow arguments, and "--" ends them. */
  g_assert_true(PARSE("param get", ARGV("get", "GwDebugLevel", "--json", "-n", "gw1"), &p, &error));
  g_assert_cmpstr(p.param, ==, "GwDebugLevel");
  g_assert_cmpstr(p.name, ==, "gw1");
  g_assert_true(p.json);
  vgw_cli_clear("param get", &p);
  g_assert_true(PARSE("ini load", ARGV("load", "-i", "--", "-odd.ini"), &ini, &error));
  g_assert_true(ini.incremental);
  g_assert_cmpstr(ini.file, ==, "-odd.ini");
  vgw_cli_clear("ini load", &ini);

  /* A repeated option collects every value. */
  g_assert_true(PARSE("handshakes", ARGV("handshakes", "-f", "port=5061", "--filter", "version=1.3",
                                         "--keylog", "k.log", "c.pcapng"), &h, &error));
  g_assert_cmpuint(g_strv_length(h.filters), ==, 2);
  g_assert_cmpstr(h.filters[1], ==, "version=1.3");
  g_assert_cmpstr(h.keylog, ==, "k.log");
  g_assert_cmpstr(h.file, ==, "c.pcapng");
  g_assert_null(h.name);
  vgw_cli_clear("handshakes", &h);
}

static void
test_keystore_and_capture(void)
{
  g_autoptr(GError) error = NULL;
  VgwKeystoreOptions k;
  VgwCaptureOptions c;

  g_assert_true(PARSE("keystore gen", ARGV("gen", "--name", "g", "-s", "15", "-t", "rsa-3072"),
                      &k, &error));
  g_assert_cmpuint(k.slot, ==, 15);
  g_assert_cmpuint(k.key_type, ==, VGW_KEY_TYPE_RSA_3072);
  g_assert_cmpstr(k.name, ==, "g");
  vgw_cli_clear("keystore gen", &k);
  g_assert_true(PARSE("keystore import", ARGV("import", "--slot", "0", "--key", "k.pem"), &k, &error));
  g_assert_cmpuint(k.slot, ==, 0);
  g_assert_cmpstr(k.key, ==, "k.pem");
  vgw_cli_clear("keystore import", &k);
  g_assert_true(PARSE("keystore zeroize", ARGV("zeroize", "--yes"), &k, &error));
  g_assert_true(k.yes);
  vgw_cli_clear("keystore zeroize", &k);
  g_assert_true(PARSE("keystore reset", ARGV("reset", "--yes"), &k, &error));
  g_assert_true(k.yes);
  vgw_cli_clear("keystore reset", &k);

  g_assert_true(PARSE("capture start", ARGV("start", "-o", "f.pcapng"), &c, &error));
  g_assert_cmpint(c.ports, ==, VGW_CAPTURE_ALL);
  g_assert_cmpstr(c.file, ==, "f.pcapng");
  vgw_cli_clear("capture start", &c);
  g_assert_true(PARSE("capture start", ARGV("start", "--port", "wan", "--out", "f"), &c, &error));
  g_assert_cmpint(c.ports, ==, VGW_CAPTURE_WAN);
  vgw_cli_clear("capture start", &c);
}

/* --help stops parsing: nothing else is required or checked. */
static void
test_help_option(void)
{
  g_autoptr(GError) error = NULL;
  VgwKeystoreOptions k;
  VgwParamOptions p;

  g_assert_true(PARSE("keystore gen", ARGV("gen", "--help"), &k, &error));
  g_assert_true(k.help);
  vgw_cli_clear("keystore gen", &k);
  g_assert_true(PARSE("param get", ARGV("get", "-h"), &p, &error));
  g_assert_true(p.help);
  vgw_cli_clear("param get", &p);
  /* After a request verb, --help is the request's. */
  {
    VgwMaintOptions m;
    g_assert_true(PARSE("maint", ARGV("maint", "status", "--help"), &m, &error));
    g_assert_false(m.help);
    g_assert_cmpstr(m.request[1], ==, "--help");
    vgw_cli_clear("maint", &m);
  }
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

/* Runs $VGW_BIN with |args| in the state directory |state_dir|. */
static void
run_vgw_in(Run *r, const char *state_dir, const char *const *args)
{
  const char *bin = g_getenv("VGW_BIN");
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_autoptr(GSubprocessLauncher) l = NULL;
  g_autoptr(GSubprocess) p = NULL;
  g_autoptr(GError) error = NULL;

  if (bin == NULL)
    g_error("VGW_BIN is not set (meson test sets it to the built vgw)");
  g_ptr_array_add(argv, (char *) bin);
  for (const char *const *a = args; *a != NULL; a++)
    g_ptr_array_add(argv, (char *) *a);
  g_ptr_array_add(argv, NULL);
  l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv(l, "VGW_STATE_DIR", state_dir, TRUE);
  g_subprocess_launcher_setenv(l, "VGW_QEMU", "/nonexistent/qemu-system-aarch64", TRUE);
  p = g_subprocess_launcher_spawnv(l, (const char *const *) argv->pdata, &error);
  g_assert_no_error(error);
  g_assert_true(g_subprocess_communicate_utf8(p, NULL, NULL, &r->out, &r->err, &error));
  g_assert_no_error(error);
  r->status = g_subprocess_get_exit_status(p);
}

/* Runs $VGW_BIN with |args| in a fresh state directory, which it must
 * leave empty. */
static void
run_vgw(Run *r, const char *const *args)
{
  g_autofree char *state = g_dir_make_tmp("vgwargs-XXXXXX", NULL);

  run_vgw_in(r, state, args);
  g_assert_cmpint(g_rmdir(state), ==, 0);
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
expect_binary_error(const char *const *args, int status, const char *needle)
{
  Run r = { 0 };

  run_vgw(&r, args);
  if (r.status != status)
    g_error("vgw %s: status %d, want %d (%s)", args[0], r.status, status, r.err);
  assert_one_error_line(&r, needle);
  run_clear(&r);
}

/* `vgw PATH --help` exits 0 and prints the help the table gives; an
 * unknown option exits 2 with one line. */
static void
test_binary_every_row(void)
{
  g_autoptr(GArray) rows = all_rows();

  for (guint i = 0; i < rows->len; i++) {
    const Row *r = &g_array_index(rows, Row, i);
    g_auto(GStrv) words = g_strsplit(r->path, " ", -1);
    g_autoptr(GStrvBuilder) help_args = g_strv_builder_new();
    g_autoptr(GStrvBuilder) bad_args = g_strv_builder_new();
    g_auto(GStrv) help_argv = NULL, bad_argv = NULL;
    g_autofree char *want = vgw_cli_help(r->path);
    Run run = { 0 };

    g_strv_builder_addv(help_args, (const char **) words);
    g_strv_builder_add(help_args, "--help");
    help_argv = g_strv_builder_end(help_args);
    run_vgw(&run, (const char *const *) help_argv);
    if (run.status != 0 || g_strcmp0(run.out, want) != 0 || *run.err != '\0')
      g_error("vgw %s --help: status %d, stdout:\n%s\nstderr:\n%s", r->path, run.status,
              run.out, run.err);
    run_clear(&run);

    g_strv_builder_addv(bad_args, (const char **) words);
    g_strv_builder_add(bad_args, r->verb->subs != NULL ? "no-such-command" : "--no-such-option");
    bad_argv = g_strv_builder_end(bad_args);
    expect_binary_error((const char *const *) bad_argv, VGW_EXIT_USAGE,
                        r->verb->subs != NULL ? "no-such-command" : "--no-such-option");
  }
  {
    const char *args[] = { "--help", NULL };
    g_autofree char *want = vgw_cli_help("");
    Run run = { 0 };
    run_vgw(&run, args);
    g_assert_cmpint(run.status, ==, 0);
    g_assert_cmpstr(run.out, ==, want);
    assert_lacks(run.out, "_relay", "vgw --help");
    run_clear(&run);
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
    { { "up", "--name", "-x" }, "invalid gateway name '-x'" },
    { { "down", "extra" }, "extra" },
    { { "reset", "--name" }, "--name" },
    { { "reset", "--graceful", "5" }, "--graceful" },
    { { "status", "--name", "bad/name" }, "invalid gateway name" },
    { { "list", "--x" }, "--x" },
    { { "console", "a" }, "'a'" },
    { { "maint" }, "missing request verb" },
    { { "param" }, "missing command after 'param' (get, set; see 'vgw param --help')" },
    { { "capture", "x" }, "unknown command 'capture x' (start, stop; see 'vgw capture --help')" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    expect_binary_error(cases[i].args, VGW_EXIT_USAGE, cases[i].needle);
  {
    const char *args[] = { NULL };
    Run r = { 0 };
    run_vgw(&r, args);
    g_assert_cmpint(r.status, ==, 2);
    assert_contains(r.err, "Usage:", "vgw");
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
    { { "maint", "--name", "ghost", "status" }, "no gateway named 'ghost'" },
    { { "up", "--name", "ghost" }, "QEMU not found at /nonexistent/qemu-system-aarch64" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    expect_binary_error(cases[i].args, VGW_EXIT_FAILURE, cases[i].needle);
  {
    const char *args[] = { "list", "--json", NULL };
    Run r = { 0 };
    run_vgw(&r, args);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "[]\n");
    run_clear(&r);
  }
  {
    const char *args[] = { "status", "--name", "ghost", "--json", NULL };
    Run r = { 0 };
    run_vgw(&r, args);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_cmpstr(r.out, ==, "{\"name\":\"ghost\",\"state\":\"unknown\"}\n");
    run_clear(&r);
  }
}

static JsonNode *
parse_json(const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data(parser, text, -1, &error))
    g_error("not JSON (%s): %s", error->message, text);
  return json_node_copy(json_parser_get_root(parser));
}

/* list --json holds, per gateway, the object status --json starts with. */
static void
test_binary_list_is_status(void)
{
  g_autofree char *state = g_dir_make_tmp("vgwlist-XXXXXX", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VgwInstance) inst = NULL;
  g_autoptr(JsonNode) list = NULL, status = NULL;
  const char *list_args[] = { "list", "--json", NULL };
  const char *status_args[] = { "status", "--name", "gw1", "--json", NULL };
  Run r = { 0 };

  g_setenv("VGW_STATE_DIR", state, TRUE);
  inst = vgw_instance_new("gw1", &error);
  g_assert_no_error(error);
  inst->serial = g_strdup("VGW0123456789");
  inst->mac_base = g_strdup("02:00:00:00:00:10");
  inst->sip_port = 15060;
  inst->sip_tls_port = 15061;
  g_assert_true(vgw_instance_ensure_dir(inst, &error));
  g_assert_true(vgw_instance_save(inst, &error));

  run_vgw_in(&r, state, list_args);
  g_assert_cmpint(r.status, ==, 0);
  list = parse_json(r.out);
  run_clear(&r);
  run_vgw_in(&r, state, status_args);
  g_assert_cmpint(r.status, ==, 0);
  status = parse_json(r.out);
  run_clear(&r);

  g_assert_true(JSON_NODE_HOLDS_ARRAY(list));
  g_assert_cmpuint(json_array_get_length(json_node_get_array(list)), ==, 1);
  /* Stopped: QMP adds nothing but its null run state. */
  g_assert_true(json_object_get_null_member(json_node_get_object(status), "run_state"));
  json_object_remove_member(json_node_get_object(status), "run_state");
  g_assert_true(json_node_equal(json_array_get_element(json_node_get_array(list), 0), status));
  g_assert_cmpstr(json_object_get_string_member(json_node_get_object(status), "serial"), ==,
                  "VGW0123456789");
  g_assert_cmpint(json_object_get_int_member(json_object_get_object_member(
                      json_node_get_object(status), "ports"), "sips"), ==, 15061);
  {
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", state);
    g_assert_cmpint(system(cmd), ==, 0);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/args/table/help", test_table_help);
  g_test_add_func("/args/table/name-json", test_table_name_json);
  g_test_add_func("/args/table/usage-errors", test_table_usage_errors);
  g_test_add_func("/args/port-parse", test_port_parse);
  g_test_add_func("/args/up-defaults", test_up_defaults);
  g_test_add_func("/args/up-all-options", test_up_all_options);
  g_test_add_func("/args/bad-arguments", test_bad_arguments);
  g_test_add_func("/args/reset-methods", test_reset_methods);
  g_test_add_func("/args/arguments-with-dashes", test_arguments_with_dashes);
  g_test_add_func("/args/keystore-and-capture", test_keystore_and_capture);
  g_test_add_func("/args/help-option", test_help_option);
  g_test_add_func("/args/binary-every-row", test_binary_every_row);
  g_test_add_func("/args/binary-usage-errors", test_binary_usage_errors);
  g_test_add_func("/args/binary-failures", test_binary_failures);
  g_test_add_func("/args/binary-list-is-status", test_binary_list_is_status);
  return g_test_run();
}
