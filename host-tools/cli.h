/*
 * Command-line front end: the verb table, dispatch, and the option
 * parsing every verb shares.
 *
 * Every verb is a pair: vgw_<verb>_parse() fills an options struct from
 * argv without side effects (so the tests can drive it), and
 * vgw_cmd_<verb>() parses, runs, reports errors and returns the exit
 * status.  Usage errors exit 2, failures 1, each with one line
 * "vgw: <message>" on stderr.
 */
#ifndef VGW_CLI_H
#define VGW_CLI_H

#include <glib.h>

G_BEGIN_DECLS

typedef int (*VgwVerbFunc)(int argc, char **argv);

typedef struct {
  const char *name;
  const char *summary;
  VgwVerbFunc run;
} VgwVerb;

/* vgw_cli_verbs returns the verb table, ended by an all-NULL entry. */
const VgwVerb *vgw_cli_verbs(void);

/* vgw_cli_main dispatches "vgw <verb> ..." and returns the exit status. */
int vgw_cli_main(int argc, char **argv);

/* vgw_cli_parse parses |argc|/|argv| (argv[0] is ignored) for |verb|
 * with |entries| (|entry_data| is passed to callback options).  With
 * |stop_at_args| parsing stops at the first non-option, so the rest can
 * hold words starting with '-'.  Positional arguments are returned in
 * |*args| (may be NULL: then any positional argument is a usage error).
 * --help prints the verb's help and exits 0.  Errors are VGW_ERROR_USAGE
 * with a hint to --help. */
gboolean vgw_cli_parse(const char *verb, const char *params,
                       const char *summary, const GOptionEntry *entries,
                       gpointer entry_data, gboolean stop_at_args, int argc,
                       char **argv, char ***args, GError **error);

/* vgw_cli_instance_name puts the default instance name in |*name| when
 * the user gave none, then checks the name; FALSE with a usage error for a
 * name that cannot be an instance. */
gboolean vgw_cli_instance_name(char **name, GError **error);

/* vgw_cli_dispatch runs "vgw |verb| SUB ..." (argv[0] is |verb|) with
 * the subcommand table |subs| (ended by an all-NULL entry): the SUB's
 * function gets argv from SUB on.  No SUB or an unknown one is a usage
 * error (exit 2); --help lists the subcommands. */
int vgw_cli_dispatch(const char *verb, const VgwVerb *subs, int argc,
                     char **argv);

/* vgw_cli_positional takes exactly |n| positional arguments from |args|
 * (freed) into |out| (named |names| in the usage error). */
gboolean vgw_cli_positional(const char *verb, char **args, guint n,
                            const char *const *names, char ***out,
                            GError **error);

/* vgw_cli_finish reports |error| (if set) and returns the exit status. */
int vgw_cli_finish(GError *error);

G_END_DECLS

#endif /* VGW_CLI_H */
