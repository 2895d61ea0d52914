/*
 * Command-line front end: the verb tables, dispatch, help, and the
 * parsing of every command line.
 *
 * A verb is a row (VgwVerb) of a table: the top-level verbs and each
 * verb's subcommands (param get|set, ...) are tables of the same kind, all
 * in verbs.c.  A row declares its options and arguments as data (the
 * offset of each one's field in the verb's options struct), so one parser
 * reads every command line, one function frees every options struct, and
 * `vgw --help` and `vgw VERB --help` are built from the tables.  --name
 * (VGW_VERB_GATEWAY), --json (VGW_VERB_JSON) and --help are added from the
 * row's flags; their fields (VGW_COMMON_OPTIONS) begin every options
 * struct.
 *
 * How to add a verb:
 *   1. commands.h: its options struct, beginning with VGW_COMMON_OPTIONS,
 *      and its run function (and check, for rules that span options).
 *   2. cmd_<verb>.c: the run function.  It gets the parsed options, prints
 *      its result on stdout and returns FALSE with a GError on failure; it
 *      never prints errors or picks exit codes.
 *   3. verbs.c: the row, with its options table, in the table it belongs
 *      to.  test-args.c then checks its --help, unknown options and where
 *      --name and --json are taken.
 *
 * Exit status: 0 done, 1 failed, 2 usage error; an error is one line
 * "vgw: <message>" on stderr (vgw-error.h).
 */
#ifndef VGW_CLI_H
#define VGW_CLI_H

#include <glib.h>

G_BEGIN_DECLS

/* The fields every options struct begins with; cli.c fills them. */
#define VGW_COMMON_OPTIONS                                                \
  struct {                                                                \
    char *name;     /* gateway (VGW_VERB_GATEWAY; default "default") */   \
    gboolean json;  /* --json (VGW_VERB_JSON) */                          \
    gboolean help;  /* --help: nothing else was checked */                \
  }

/* The options struct of a verb with no options of its own. */
typedef struct {
  VGW_COMMON_OPTIONS;
} VgwCommonOptions;

typedef struct VgwOption VgwOption;

/* A kind of option value: how text becomes the field, and how the field
 * is freed. */
typedef struct {
  gboolean takes_value;  /* FALSE: a flag, |text| is NULL */
  /* parse stores |text| in |field|; FALSE with VGW_ERROR_USAGE naming the
   * option and the expected values. */
  gboolean (*parse)(const VgwOption *opt, const char *text, gpointer field,
                    GError **error);
  void (*clear)(gpointer field);  /* NULL: nothing to free */
} VgwOptionType;

extern const VgwOptionType vgw_option_flag;     /* gboolean */
extern const VgwOptionType vgw_option_string;   /* char *: the last one given */
extern const VgwOptionType vgw_option_strings;  /* char **: each one, in order */
extern const VgwOptionType vgw_option_uint;     /* guint in min..max */
extern const VgwOptionType vgw_option_port;     /* guint16: a port, 0 allowed */
extern const VgwOptionType vgw_option_gateway;  /* char *: a valid gateway name */

typedef enum {
  VGW_OPTION_REQUIRED = 1 << 0,  /* missing: a usage error */
} VgwOptionFlags;

struct VgwOption {
  const char *long_name;        /* without "--"; NULL ends a table */
  char short_name;              /* 0: none */
  const VgwOptionType *type;
  gsize offset;                 /* of its field in the options struct */
  const char *arg_description;  /* "N", "F"; NULL for a flag */
  const char *description;
  const char *fallback;         /* parsed as if given when it is not;
                                 * shown in --help as the default */
  VgwOptionFlags flags;
  guint min, max;               /* vgw_option_uint */
};

/* VGW_OPTION fills the fields every option has: --|long_name| (and
 * -|short_name| unless 0) of |type| into |member| of the options struct
 * |st|; the rest (fallback, flags, min, max) by name after it. */
#define VGW_OPTION(long_name_, short_name_, type_, st, member, arg, text) \
  .long_name = (long_name_), .short_name = (short_name_), .type = &(type_),  \
  .offset = G_STRUCT_OFFSET(st, member), .arg_description = (arg),           \
  .description = (text)

/* A positional argument: a char * field, or with |rest| a char ** field
 * that takes this argument and all after it. */
typedef struct {
  const char *usage;  /* in the usage line: "NAME"; NULL ends a table */
  const char *what;   /* in "missing <what>": "parameter name" */
  gsize offset;
  gboolean rest;
} VgwArg;

typedef enum {
  VGW_VERB_GATEWAY = 1 << 0,  /* acts on one gateway: --name N */
  VGW_VERB_JSON = 1 << 1,     /* prints JSON with --json */
  /* Options end at the first argument, so later ones may start with '-'
   * (param set NAME -1, maint VERB --x). */
  VGW_VERB_OPTIONS_FIRST = 1 << 2,
  VGW_VERB_HIDDEN = 1 << 3,   /* internal: not listed in --help */
} VgwVerbFlags;

typedef struct VgwVerb VgwVerb;

struct VgwVerb {
  const char *name;         /* NULL ends a table */
  const char *summary;      /* one line in the parent's --help */
  const char *help;         /* the text of its own --help */
  /* A verb with subcommands has only the fields above and |subs|. */
  const VgwVerb *subs;
  VgwVerbFlags flags;
  const VgwOption *options; /* its own, beside the common ones; or NULL */
  const VgwArg *args;       /* or NULL: no arguments */
  gsize options_size;       /* sizeof its options struct */
  /* check enforces what single options cannot (combinations) and fills
   * derived fields; FALSE with VGW_ERROR_USAGE.  May be NULL. */
  gboolean (*check)(gpointer opts, GError **error);
  gboolean (*run)(gconstpointer opts, GError **error);
};

/* vgw_cli_root returns the row of `vgw` itself: its |subs| are the verbs. */
const VgwVerb *vgw_cli_root(void);

/* vgw_cli_find returns the row of |path| ("up", "param get"), or NULL. */
const VgwVerb *vgw_cli_find(const char *path);

/* vgw_cli_main runs "vgw ..." and returns the exit status. */
int vgw_cli_main(int argc, char **argv);

/* vgw_cli_parse fills |opts| (|opts_size| bytes, the verb's options
 * struct) from |argv| for the verb at |path|; argv[0] is the verb's own
 * word and is ignored.  With --help it stops there: TRUE, opts->help set.
 * FALSE with VGW_ERROR_USAGE on bad input; |opts| is then already
 * cleared.  It prints nothing. */
gboolean vgw_cli_parse(const char *path, int argc, char **argv, gpointer opts,
                       gsize opts_size, GError **error);

/* vgw_cli_clear frees what vgw_cli_parse stored in |opts| for |path|. */
void vgw_cli_clear(const char *path, gpointer opts);

/* vgw_cli_help returns the --help text of |path| ("" or NULL: `vgw`). */
char *vgw_cli_help(const char *path);

G_END_DECLS

#endif /* VGW_CLI_H */
