#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "instance.h"
#include "ports.h"
#include "vgw-config.h"
#include "vgw-error.h"

/* -- option value types --------------------------------------------------- */

static gboolean
parse_flag(const VgwOption *opt, const char *text, gpointer field, GError **error)
{
  *(gboolean *) field = TRUE;
  return TRUE;
}

const VgwOptionType vgw_option_flag = { FALSE, parse_flag, NULL };

static gboolean
parse_string(const VgwOption *opt, const char *text, gpointer field, GError **error)
{
  char **value = field;

  g_free(*value);
  *value = g_strdup(text);
  return TRUE;
}

static void
clear_string(gpointer field)
{
  g_clear_pointer((char **) field, g_free);
}

const VgwOptionType vgw_option_string = { TRUE, parse_string, clear_string };

static gboolean
parse_strings(const VgwOption *opt, const char *text, gpointer field, GError **error)
{
  char ***values = field;
  guint n = *values != NULL ? g_strv_length(*values) : 0;

  *values = g_renew(char *, *values, n + 2);
  (*values)[n] = g_strdup(text);
  (*values)[n + 1] = NULL;
  return TRUE;
}

static void
clear_strings(gpointer field)
{
  g_clear_pointer((char ***) field, g_strfreev);
}

const VgwOptionType vgw_option_strings = { TRUE, parse_strings, clear_strings };

static gboolean
parse_uint(const VgwOption *opt, const char *text, gpointer field, GError **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned(text, 10, opt->min, opt->max, &value, NULL)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE,
                "invalid value '%s' for --%s (expected %u..%u)", text,
                opt->long_name, opt->min, opt->max);
    return FALSE;
  }
  *(guint *) field = (guint) value;
  return TRUE;
}

const VgwOptionType vgw_option_uint = { TRUE, parse_uint, NULL };

static gboolean
parse_port(const VgwOption *opt, const char *text, gpointer field, GError **error)
{
  g_autofree char *flag = g_strconcat("--", opt->long_name, NULL);

  return vgw_port_parse(text, flag, field, error);
}

const VgwOptionType vgw_option_port = { TRUE, parse_port, NULL };

static gboolean
parse_gateway(const VgwOption *opt, const char *text, gpointer field, GError **error)
{
  return vgw_instance_name_check(text, error) && parse_string(opt, text, field, error);
}

const VgwOptionType vgw_option_gateway = { TRUE, parse_gateway, clear_string };

/* -- the options of a verb ------------------------------------------------ */

static const VgwOption name_option = {
  VGW_OPTION("name", 'n', vgw_option_gateway, VgwCommonOptions, name, "N",
             "Gateway name"),
  .fallback = VGW_DEFAULT_NAME,
};
static const VgwOption json_option = {
  VGW_OPTION("json", 0, vgw_option_flag, VgwCommonOptions, json, NULL,
             "Print JSON instead of text"),
};
static const VgwOption help_option = {
  VGW_OPTION("help", 'h', vgw_option_flag, VgwCommonOptions, help, NULL,
             "Show this help"),
};

/* The options |verb| takes, in the order --help lists them. */
static GPtrArray *
verb_options(const VgwVerb *verb)
{
  GPtrArray *all = g_ptr_array_new();

  if (verb->flags & VGW_VERB_GATEWAY)
    g_ptr_array_add(all, (gpointer) &name_option);
  for (const VgwOption *o = verb->options; o != NULL && o->long_name != NULL; o++)
    g_ptr_array_add(all, (gpointer) o);
  if (verb->flags & VGW_VERB_JSON)
    g_ptr_array_add(all, (gpointer) &json_option);
  g_ptr_array_add(all, (gpointer) &help_option);
  return all;
}

static gpointer
field_of(gpointer opts, gsize offset)
{
  return (char *) opts + offset;
}

/* One command line being parsed, or one --help being built. */
typedef struct {
  const VgwVerb *verb;
  const char *path;
  gpointer opts;
  GPtrArray *options;  /* const VgwOption * */
  gboolean *given;     /* per option */
  GPtrArray *strings;  /* what the GOptionEntry array points to */
} Parser;

static void
parser_init(Parser *p, const VgwVerb *verb, const char *path, gpointer opts)
{
  p->verb = verb;
  p->path = path;
  p->opts = opts;
  p->options = verb_options(verb);
  p->given = g_new0(gboolean, p->options->len);
  p->strings = g_ptr_array_new_with_free_func(g_free);
}

static void
parser_clear(Parser *p)
{
  g_ptr_array_unref(p->options);
  g_free(p->given);
  g_ptr_array_unref(p->strings);
}

/* GOption hands every option here, as "--long" or "-s". */
static gboolean
on_option(const char *option_name, const char *value, gpointer data, GError **error)
{
  Parser *p = data;

  for (guint i = 0; i < p->options->len; i++) {
    const VgwOption *o = g_ptr_array_index(p->options, i);
    gboolean match = g_str_has_prefix(option_name, "--")
                         ? strcmp(option_name + 2, o->long_name) == 0
                         : o->short_name != 0 && option_name[1] == o->short_name;
    if (match) {
      p->given[i] = TRUE;
      return o->type->parse(o, value, field_of(p->opts, o->offset), error);
    }
  }
  g_assert_not_reached();
}

static char *
args_usage(const VgwVerb *verb)
{
  g_autoptr(GString) s = g_string_new(NULL);

  for (const VgwArg *a = verb->args; a != NULL && a->usage != NULL; a++)
    g_string_append_printf(s, "%s%s", s->len > 0 ? " " : "", a->usage);
  return s->len > 0 ? g_strdup(s->str) : NULL;
}

static GOptionContext *
parser_context(Parser *p)
{
  g_autofree char *params = args_usage(p->verb);
  g_autofree char *prgname = g_strconcat("vgw ", p->path, NULL);
  GOptionContext *ctx = g_option_context_new(params);
  GOptionGroup *group = g_option_group_new(p->path, p->verb->summary, p->verb->summary, p, NULL);
  GOptionEntry *entries = g_new0(GOptionEntry, p->options->len + 1);

  g_ptr_array_add(p->strings, entries);
  for (guint i = 0; i < p->options->len; i++) {
    const VgwOption *o = g_ptr_array_index(p->options, i);
    char *description = o->fallback != NULL
                            ? g_strdup_printf("%s (default: %s)", o->description, o->fallback)
                            : g_strdup(o->description);
    g_ptr_array_add(p->strings, description);
    entries[i].long_name = o->long_name;
    entries[i].short_name = o->short_name;
    entries[i].flags = o->type->takes_value ? 0 : G_OPTION_FLAG_NO_ARG;
    entries[i].arg = G_OPTION_ARG_CALLBACK;
    entries[i].arg_data = (gpointer) on_option;
    entries[i].description = description;
    entries[i].arg_description = o->arg_description;
  }
  g_set_prgname(prgname);
  g_option_group_add_entries(group, entries);
  g_option_context_set_main_group(ctx, group);
  g_option_context_set_summary(ctx, p->verb->help != NULL ? p->verb->help : p->verb->summary);
  /* --help is an option like the others, so parsing never exits. */
  g_option_context_set_help_enabled(ctx, FALSE);
  g_option_context_set_strict_posix(ctx, (p->verb->flags & VGW_VERB_OPTIONS_FIRST) != 0);
  return ctx;
}

static gboolean
usage_error(GError **error, const char *path, const char *format, ...) G_GNUC_PRINTF(3, 4);

static gboolean
usage_error(GError **error, const char *path, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  va_start(ap, format);
  what = g_strdup_vprintf(format, ap);
  va_end(ap);
  g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s (see 'vgw %s --help')", what, path);
  return FALSE;
}

/* Fallbacks for the options not given; required ones must have been. */
static gboolean
parser_fill_missing(Parser *p, GError **error)
{
  for (guint i = 0; i < p->options->len; i++) {
    const VgwOption *o = g_ptr_array_index(p->options, i);
    if (p->given[i])
      continue;
    if (o->flags & VGW_OPTION_REQUIRED)
      return usage_error(error, p->path, "missing --%s%s%s", o->long_name,
                         o->arg_description != NULL ? " " : "",
                         o->arg_description != NULL ? o->arg_description : "");
    if (o->fallback != NULL &&
        !o->type->parse(o, o->fallback, field_of(p->opts, o->offset), error))
      return FALSE;
  }
  return TRUE;
}

/* Puts |words| (what GOption left, argv[0] first) into the argument fields. */
static gboolean
parser_take_args(Parser *p, char **words, GError **error)
{
  guint n = g_strv_length(words), next = 1;

  /* GOption leaves the "--" that ends the options in place. */
  if (n > 1 && strcmp(words[1], "--") == 0)
    next = 2;
  for (const VgwArg *a = p->verb->args; a != NULL && a->usage != NULL; a++) {
    if (next >= n)
      return usage_error(error, p->path, "missing %s", a->what);
    if (a->rest) {
      *(char ***) field_of(p->opts, a->offset) = g_strdupv(words + next);
      return TRUE;
    }
    *(char **) field_of(p->opts, a->offset) = g_strdup(words[next++]);
  }
  if (next < n)
    return usage_error(error, p->path, "unexpected argument '%s'", words[next]);
  return TRUE;
}

static void
clear_options(const VgwVerb *verb, gpointer opts)
{
  g_autoptr(GPtrArray) options = verb_options(verb);

  for (guint i = 0; i < options->len; i++) {
    const VgwOption *o = g_ptr_array_index(options, i);
    if (o->type->clear != NULL)
      o->type->clear(field_of(opts, o->offset));
  }
  for (const VgwArg *a = verb->args; a != NULL && a->usage != NULL; a++) {
    if (a->rest)
      g_clear_pointer((char ***) field_of(opts, a->offset), g_strfreev);
    else
      g_clear_pointer((char **) field_of(opts, a->offset), g_free);
  }
}

static gboolean
parse_verb(const VgwVerb *verb, const char *path, int argc, char **argv, gpointer opts,
           GError **error)
{
  VgwCommonOptions *common = opts;
  Parser p;
  GOptionContext *ctx;
  g_autoptr(GError) local = NULL;
  char **words = g_new0(char *, argc + 2);
  gboolean ok;

  memset(opts, 0, verb->options_size);
  parser_init(&p, verb, path, opts);
  ctx = parser_context(&p);
  /* argv[0] becomes "vgw <path>" for GOption's messages. */
  words[0] = g_strconcat("vgw ", path, NULL);
  for (int i = 1; i < argc; i++)
    words[i] = g_strdup(argv[i]);
  {
    char **parsed = words;
    ok = g_option_context_parse_strv(ctx, &parsed, &local);
    words = parsed;
  }
  if (!ok) {
    if (local->domain == G_OPTION_ERROR)
      usage_error(error, path, "%s", local->message);
    else
      g_propagate_error(error, g_steal_pointer(&local));
  } else if (!common->help) {
    ok = parser_fill_missing(&p, error) && parser_take_args(&p, words, error) &&
         (verb->check == NULL || verb->check(opts, error));
  }
  g_strfreev(words);
  g_option_context_free(ctx);
  parser_clear(&p);
  if (!ok)
    clear_options(verb, opts);
  return ok;
}

/* The help of a verb with options: GOption's, from the row. */
static char *
options_help(const VgwVerb *verb, const char *path)
{
  Parser p;
  GOptionContext *ctx;
  char *text;

  parser_init(&p, verb, path, NULL);
  ctx = parser_context(&p);
  text = g_option_context_get_help(ctx, TRUE, NULL);
  g_option_context_free(ctx);
  parser_clear(&p);
  return text;
}

/* The help of a verb with subcommands: their one-line summaries. */
static char *
commands_help(const VgwVerb *verb, const char *path)
{
  GString *s = g_string_new(NULL);

  g_string_append_printf(s, "Usage:\n  vgw %s%s<command> [options]\n\n%s\n\nCommands:\n",
                         path, *path != '\0' ? " " : "", verb->help);
  for (const VgwVerb *v = verb->subs; v->name != NULL; v++) {
    if (!(v->flags & VGW_VERB_HIDDEN))
      g_string_append_printf(s, "  %-14s %s\n", v->name, v->summary);
  }
  g_string_append(s, "\nEvery command takes --help.\n");
  return g_string_free(s, FALSE);
}

static char *
verb_help(const VgwVerb *verb, const char *path)
{
  return verb->subs != NULL ? commands_help(verb, path) : options_help(verb, path);
}

/* -- lookup and dispatch -------------------------------------------------- */

static const VgwVerb *
find_sub(const VgwVerb *verb, const char *name)
{
  for (const VgwVerb *v = verb->subs; v != NULL && v->name != NULL; v++) {
    if (strcmp(v->name, name) == 0)
      return v;
  }
  return NULL;
}

const VgwVerb *
vgw_cli_find(const char *path)
{
  g_auto(GStrv) words = g_strsplit(path != NULL ? path : "", " ", -1);
  const VgwVerb *verb = vgw_cli_root();

  for (char **w = words; verb != NULL && *w != NULL; w++) {
    if (**w != '\0')
      verb = find_sub(verb, *w);
  }
  return verb;
}

static char *
sub_path(const char *path, const char *name)
{
  return *path != '\0' ? g_strconcat(path, " ", name, NULL) : g_strdup(name);
}

static int
run_verb(const VgwVerb *verb, const char *path, int argc, char **argv);

/* "vgw PATH SUB ...": argv[0] is the word of |verb|. */
static int
dispatch(const VgwVerb *verb, const char *path, int argc, char **argv)
{
  const char *word = argc > 1 ? argv[1] : NULL;
  const VgwVerb *sub;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) names = g_string_new(NULL);

  if (word != NULL && (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0 ||
                       strcmp(word, "help") == 0)) {
    g_autofree char *help = verb_help(verb, path);
    fputs(help, stdout);
    return VGW_EXIT_OK;
  }
  if (word != NULL && (sub = find_sub(verb, word)) != NULL) {
    g_autofree char *subpath = sub_path(path, word);
    return run_verb(sub, subpath, argc - 1, argv + 1);
  }
  if (word == NULL && *path == '\0') {
    g_autofree char *help = verb_help(verb, path);
    fputs(help, stderr);
    return VGW_EXIT_USAGE;
  }
  /* A verb's few subcommands are worth naming; the top level's are not. */
  for (const VgwVerb *v = verb->subs; *path != '\0' && v->name != NULL; v++) {
    if (!(v->flags & VGW_VERB_HIDDEN))
      g_string_append_printf(names, "%s%s", names->len ? ", " : "", v->name);
  }
  if (names->len > 0)
    g_string_append(names, "; ");
  if (word == NULL)
    g_set_error(&error, VGW_ERROR, VGW_ERROR_USAGE,
                "missing command after '%s' (%ssee 'vgw %s --help')", path, names->str, path);
  else
    g_set_error(&error, VGW_ERROR, VGW_ERROR_USAGE, "unknown command '%s%s%s' (%ssee 'vgw%s%s --help')",
                path, *path != '\0' ? " " : "", word, names->str, *path != '\0' ? " " : "", path);
  return vgw_error_report(error);
}

static int
run_verb(const VgwVerb *verb, const char *path, int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  gpointer opts;
  gboolean ok;

  if (verb->subs != NULL)
    return dispatch(verb, path, argc, argv);
  opts = g_malloc0(verb->options_size);
  if (!parse_verb(verb, path, argc, argv, opts, &error)) {
    g_free(opts);
    return vgw_error_report(error);
  }
  if (((VgwCommonOptions *) opts)->help) {
    g_autofree char *help = verb_help(verb, path);
    fputs(help, stdout);
    ok = TRUE;
  } else {
    ok = verb->run(opts, &error);
  }
  clear_options(verb, opts);
  g_free(opts);
  /* What the verb printed comes before its error line. */
  fflush(stdout);
  return ok ? VGW_EXIT_OK : vgw_error_report(error);
}

int
vgw_cli_main(int argc, char **argv)
{
  if (argc > 1 && strcmp(argv[1], "--version") == 0) {
    printf("vgw %s\n", VGW_VERSION);
    return VGW_EXIT_OK;
  }
  return dispatch(vgw_cli_root(), "", argc, argv);
}

/* -- for the tests -------------------------------------------------------- */

gboolean
vgw_cli_parse(const char *path, int argc, char **argv, gpointer opts, gsize opts_size,
              GError **error)
{
  const VgwVerb *verb = vgw_cli_find(path);

  g_return_val_if_fail(verb != NULL && verb->subs == NULL, FALSE);
  g_return_val_if_fail(opts_size == verb->options_size, FALSE);
  return parse_verb(verb, path, argc, argv, opts, error);
}

void
vgw_cli_clear(const char *path, gpointer opts)
{
  const VgwVerb *verb = vgw_cli_find(path);

  g_return_if_fail(verb != NULL && verb->subs == NULL);
  clear_options(verb, opts);
}

char *
vgw_cli_help(const char *path)
{
  const VgwVerb *verb = vgw_cli_find(path);

  g_return_val_if_fail(verb != NULL, NULL);
  return verb_help(verb, path != NULL ? path : "");
}
