/*
 * The verbs.  For each: an options struct, a parser that only parses
 * (VGW_ERROR_USAGE on bad input; --help prints and exits 0), a clear
 * function, and the entry point vgw_cmd_<verb>(argc, argv) where argv[0]
 * is the verb, which returns the exit status.
 */
#ifndef VGW_COMMANDS_H
#define VGW_COMMANDS_H

#include <glib.h>

G_BEGIN_DECLS

#define VGW_DEFAULT_SIP_PORT 5060
#define VGW_DEFAULT_SIP_TLS_PORT 5061
#define VGW_DEFAULT_BOOT_TIMEOUT_S 300
#define VGW_DEFAULT_SMP 1
#define VGW_MAX_SMP 4
#define VGW_MEMORY_MB 256

/* vgw up */
typedef struct {
  char *name;
  guint smp;
  guint16 sip_port;      /* 0: pick a free one */
  guint16 sip_tls_port;  /* 0: pick a free one */
  guint timeout_s;
  gboolean detach;
  char *qemu;            /* NULL: $VGW_QEMU or the build default */
  char *images;          /* NULL: $VGW_IMAGES or the build default */
} VgwUpOptions;
gboolean vgw_up_parse(int argc, char **argv, VgwUpOptions *opts, GError **error);
void vgw_up_options_clear(VgwUpOptions *opts);
int vgw_cmd_up(int argc, char **argv);

/* vgw down */
typedef struct {
  char *name;
} VgwDownOptions;
gboolean vgw_down_parse(int argc, char **argv, VgwDownOptions *opts, GError **error);
void vgw_down_options_clear(VgwDownOptions *opts);
int vgw_cmd_down(int argc, char **argv);

/* vgw reset: how the reset is done.  Later methods (graceful, save
 * first) add values here and a case in cmd_reset.c's trigger. */
typedef enum {
  VGW_RESET_FIRMWARE, /* ask the firmware through the maintenance port */
  VGW_RESET_HARD,     /* QMP system_reset */
} VgwResetMethod;

typedef struct {
  char *name;
  VgwResetMethod method;
  guint timeout_s;
} VgwResetOptions;
gboolean vgw_reset_parse(int argc, char **argv, VgwResetOptions *opts, GError **error);
void vgw_reset_options_clear(VgwResetOptions *opts);
int vgw_cmd_reset(int argc, char **argv);

/* vgw status */
typedef struct {
  char *name;
  gboolean json;
} VgwStatusOptions;
gboolean vgw_status_parse(int argc, char **argv, VgwStatusOptions *opts, GError **error);
void vgw_status_options_clear(VgwStatusOptions *opts);
int vgw_cmd_status(int argc, char **argv);

/* vgw console */
typedef struct {
  char *name;
} VgwConsoleOptions;
gboolean vgw_console_parse(int argc, char **argv, VgwConsoleOptions *opts, GError **error);
void vgw_console_options_clear(VgwConsoleOptions *opts);
int vgw_cmd_console(int argc, char **argv);

/* vgw list */
typedef struct {
  gboolean json;
} VgwListOptions;
gboolean vgw_list_parse(int argc, char **argv, VgwListOptions *opts, GError **error);
int vgw_cmd_list(int argc, char **argv);

/* vgw maint VERB [ARG...] */
typedef struct {
  char *name;
  guint timeout_s;
  char **request; /* verb and arguments */
} VgwMaintOptions;
gboolean vgw_maint_parse(int argc, char **argv, VgwMaintOptions *opts, GError **error);
void vgw_maint_options_clear(VgwMaintOptions *opts);
int vgw_cmd_maint(int argc, char **argv);

G_END_DECLS

#endif /* VGW_COMMANDS_H */
