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
  char *config;          /* ini file written to the flash before boot, or NULL */
  char *capture;         /* pcapng capturing both NICs from boot on, or NULL */
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

/* vgw reset: how the reset is done.  New methods add values here and a
 * case in cmd_reset.c's trigger. */
typedef enum {
  VGW_RESET_FIRMWARE, /* ask the firmware through the maintenance port */
  VGW_RESET_HARD,     /* QMP system_reset */
  VGW_RESET_SAVE,     /* ask the firmware to save the staged configuration, then reset */
  VGW_RESET_GRACEFUL, /* ask the firmware to wait for calls to end (and save if |save|) */
} VgwResetMethod;

typedef struct {
  char *name;
  VgwResetMethod method;
  gboolean save;       /* SAVE, or GRACEFUL with --save */
  guint graceful_s;    /* GRACEFUL: seconds to wait for calls */
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

/* vgw param get NAME [--json] | set NAME VALUE */
typedef struct {
  char *name;   /* gateway */
  char *param;
  char *value;  /* set only */
  gboolean json;
} VgwParamOptions;
gboolean vgw_param_get_parse(int argc, char **argv, VgwParamOptions *opts, GError **error);
gboolean vgw_param_set_parse(int argc, char **argv, VgwParamOptions *opts, GError **error);
void vgw_param_options_clear(VgwParamOptions *opts);
int vgw_cmd_param(int argc, char **argv);

/* vgw ini load F [--incremental] | export F | check F */
typedef struct {
  char *name;   /* gateway (not for check) */
  char *file;
  gboolean incremental;
  gboolean allow_empty; /* load: a full load of a file naming nothing */
  gboolean json;
} VgwIniOptions;
gboolean vgw_ini_load_parse(int argc, char **argv, VgwIniOptions *opts, GError **error);
gboolean vgw_ini_export_parse(int argc, char **argv, VgwIniOptions *opts, GError **error);
gboolean vgw_ini_check_parse(int argc, char **argv, VgwIniOptions *opts, GError **error);
void vgw_ini_options_clear(VgwIniOptions *opts);
int vgw_cmd_ini(int argc, char **argv);

/* vgw pending [--json] | save | factory-reset: one firmware verb each */
typedef struct {
  char *name;
  gboolean json;
} VgwConfigOptions;
gboolean vgw_pending_parse(int argc, char **argv, VgwConfigOptions *opts, GError **error);
gboolean vgw_save_parse(int argc, char **argv, VgwConfigOptions *opts, GError **error);
gboolean vgw_factory_reset_parse(int argc, char **argv, VgwConfigOptions *opts, GError **error);
void vgw_config_options_clear(VgwConfigOptions *opts);
int vgw_cmd_pending(int argc, char **argv);
int vgw_cmd_save(int argc, char **argv);
int vgw_cmd_factory_reset(int argc, char **argv);

/* vgw flash show [--json] | export-config F (offline, stopped gateway) */
typedef struct {
  char *name;
  char *file;   /* export-config */
  gboolean json;
} VgwFlashOptions;
gboolean vgw_flash_show_parse(int argc, char **argv, VgwFlashOptions *opts, GError **error);
gboolean vgw_flash_export_parse(int argc, char **argv, VgwFlashOptions *opts, GError **error);
void vgw_flash_options_clear(VgwFlashOptions *opts);
int vgw_cmd_flash(int argc, char **argv);

/* vgw handshakes FILE [--json] [--keylog F] [--filter KEY=VALUE ...] */
typedef struct {
  char *file;
  char *keylog;
  char **filters;
  gboolean json;
} VgwHandshakesOptions;
gboolean vgw_handshakes_parse(int argc, char **argv, VgwHandshakesOptions *opts, GError **error);
void vgw_handshakes_options_clear(VgwHandshakesOptions *opts);
int vgw_cmd_handshakes(int argc, char **argv);

/* vgw capture start [--port lan|wan|all] --out F | stop [--keylog F] */
typedef struct {
  char *name;
  char *file;    /* start: --out */
  char *keylog;  /* stop */
  int ports;     /* VgwCapturePorts */
} VgwCaptureOptions;
gboolean vgw_capture_start_parse(int argc, char **argv, VgwCaptureOptions *opts, GError **error);
gboolean vgw_capture_stop_parse(int argc, char **argv, VgwCaptureOptions *opts, GError **error);
void vgw_capture_options_clear(VgwCaptureOptions *opts);
int vgw_cmd_capture(int argc, char **argv);

/* VGW_KEYSTORE_NO_SLOT marks --slot not given (any int is a possible
 * argument, to be refused with its own value). */
#define VGW_KEYSTORE_NO_SLOT G_MININT

/* vgw keystore list [--json] | gen | import | lock | pub | zeroize (running or
 * stopped gateway) | reset (stopped) */
typedef struct {
  char *name;
  int slot;            /* VGW_KEYSTORE_NO_SLOT until given */
  char *type;          /* gen: key type name */
  guint32 key_type;    /* gen: VGW_KEY_TYPE_* of |type| */
  char *key;           /* import: PEM file */
  gboolean json;
  gboolean yes;        /* zeroize, reset: confirmed */
} VgwKeystoreOptions;
gboolean vgw_keystore_list_parse(int argc, char **argv, VgwKeystoreOptions *opts, GError **error);
gboolean vgw_keystore_gen_parse(int argc, char **argv, VgwKeystoreOptions *opts, GError **error);
gboolean vgw_keystore_import_parse(int argc, char **argv, VgwKeystoreOptions *opts, GError **error);
/* lock and pub: |verb| is "keystore lock" or "keystore pub" */
gboolean vgw_keystore_slot_parse(const char *verb, int argc, char **argv,
                                 VgwKeystoreOptions *opts, GError **error);
/* reset (stopped gateway): keystore.bin deleted, a new board secret */
gboolean vgw_keystore_reset_parse(int argc, char **argv, VgwKeystoreOptions *opts,
                                  GError **error);
gboolean vgw_keystore_zeroize_parse(int argc, char **argv, VgwKeystoreOptions *opts,
                                    GError **error);
void vgw_keystore_options_clear(VgwKeystoreOptions *opts);
int vgw_cmd_keystore(int argc, char **argv);

G_END_DECLS

#endif /* VGW_COMMANDS_H */
