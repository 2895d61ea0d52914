/*
 * The verbs' options structs and handlers.  Their rows (options, help,
 * flags) are in verbs.c; cli.h says how a verb is parsed and run.
 *
 * run: the verb's work, on options that parsed; results on stdout, a
 * failure as a GError (never printed here).
 * check: rules that span options, and derived fields; VGW_ERROR_USAGE.
 */
#ifndef VGW_COMMANDS_H
#define VGW_COMMANDS_H

#include <glib.h>

#include "capture.h"
#include "cli.h"
#include "param_config.h"
#include "wan_link.h"

G_BEGIN_DECLS

#define VGW_DEFAULT_SIP_PORT 5060
#define VGW_DEFAULT_SIP_TLS_PORT 5061
#define VGW_DEFAULT_BOOT_TIMEOUT_S 300
#define VGW_MAX_TIMEOUT_S 86400
#define VGW_DEFAULT_SMP 1
#define VGW_MAX_SMP 4
#define VGW_MEMORY_MB 256

/* Verbs with only the common options (VgwCommonOptions). */
gboolean vgw_down_run(gconstpointer opts, GError **error);
gboolean vgw_status_run(gconstpointer opts, GError **error);
gboolean vgw_console_run(gconstpointer opts, GError **error);
gboolean vgw_list_run(gconstpointer opts, GError **error);
gboolean vgw_pending_run(gconstpointer opts, GError **error);
gboolean vgw_save_run(gconstpointer opts, GError **error);
gboolean vgw_factory_reset_run(gconstpointer opts, GError **error);
gboolean vgw_sip_registrations_run(gconstpointer opts, GError **error);
gboolean vgw_sip_proxies_run(gconstpointer opts, GError **error);

/* vgw sip options URI [TRANSPORT] */
typedef struct {
  VGW_COMMON_OPTIONS;
  char *uri;
  char *transport; /* udp, tcp, tls; NULL: from the URI */
} VgwSipOptionsOptions;
gboolean vgw_sip_options_run(gconstpointer opts, GError **error);

gboolean vgw_sip_calls_run(gconstpointer opts, GError **error);

/* vgw up */
typedef struct {
  VGW_COMMON_OPTIONS;
  guint smp;
  guint16 sip_port;      /* 0: pick a free one */
  guint16 sip_tls_port;  /* 0: pick a free one */
  guint timeout_s;
  gboolean detach;
  char *qemu;            /* NULL: $VGW_QEMU or the build default */
  char *images;          /* NULL: $VGW_IMAGES or the build default */
  char *config;          /* ini file written to the flash before boot, or NULL */
  char *capture;         /* pcapng capturing both NICs from boot on, or NULL */
  char *wan_link_spec;   /* --wan-link, or NULL: keep the instance's */
  VgwWanLink wan_link;   /* wan_link_spec parsed (vgw_up_check) */
  char *seed_text;       /* --seed, or NULL */
  VgwSeed seed;          /* seed_text parsed (vgw_up_check) */
  char *from;            /* --from: a new gateway restored from this snapshot, or NULL */
  gboolean fresh_identity; /* --from: TLS Context 0 gets a key of its own */
  char *record;          /* --record: a new recording directory, or NULL */
  char *replay;          /* --replay: a new gateway replaying this recording, or NULL */
} VgwUpOptions;
gboolean vgw_up_check(gpointer opts, GError **error);
gboolean vgw_up_run(gconstpointer opts, GError **error);

/* vgw test [--jobs N] [--junit F] [--seed N] [--timeout S] [--no-gateway | --record DIR]
 *          [--tap] PATH... */
typedef struct {
  VGW_COMMON_OPTIONS;
  guint jobs;
  gboolean no_gateway;   /* the scenarios start their own gateways */
  gboolean tap;          /* print one TAP stream of the scenarios' checks */
  guint timeout_s;       /* each scenario's time limit */
  char *junit;           /* JUnit XML report, or NULL */
  char *record;          /* --record: each scenario's gateway boots recorded
                          * into DIR/<scenario>, or NULL */
  char *seed_text;       /* --seed; vgw_test_check draws one when absent
                          * and a gateway is booted */
  VgwSeed seed;          /* seed_text parsed (vgw_test_check) */
  char **paths;          /* scenario files and directories */
} VgwTestOptions;
gboolean vgw_test_check(gpointer opts, GError **error);
gboolean vgw_test_run(gconstpointer opts, GError **error);

/* vgw lab up|down|status FILE, lab link FILE LINK up|down,
 * lab capture start FILE LINK --out F | stop FILE LINK (cmd_lab.c) */
typedef struct {
  VGW_COMMON_OPTIONS;
  char *file;       /* the lab file */
  char *link;       /* link, capture: the link's name */
  char *state;      /* link: "up" or "down" */
  char *out;        /* capture start: pcapng to write */
  guint timeout_s;  /* up: each gateway's boot */
} VgwLabOptions;
gboolean vgw_lab_up_run(gconstpointer opts, GError **error);
gboolean vgw_lab_down_run(gconstpointer opts, GError **error);
gboolean vgw_lab_status_run(gconstpointer opts, GError **error);
gboolean vgw_lab_link_run(gconstpointer opts, GError **error);
gboolean vgw_lab_capture_start_run(gconstpointer opts, GError **error);
gboolean vgw_lab_capture_stop_run(gconstpointer opts, GError **error);

/* vgw snapshot save NAME | list | delete NAME */
typedef struct {
  VGW_COMMON_OPTIONS;
  char *snapshot;
} VgwSnapshotOptions;
gboolean vgw_snapshot_save_run(gconstpointer opts, GError **error);
gboolean vgw_snapshot_list_run(gconstpointer opts, GError **error);
gboolean vgw_snapshot_delete_run(gconstpointer opts, GError **error);

/* vgw reset: how the reset is done.  New methods add values here and a
 * case in cmd_reset.c's trigger. */
typedef enum {
  VGW_RESET_FIRMWARE, /* ask the firmware through the maintenance port */
  VGW_RESET_HARD,     /* QMP system_reset */
  VGW_RESET_SAVE,     /* ask the firmware to save the staged configuration, then reset */
} VgwResetMethod;

typedef struct {
  VGW_COMMON_OPTIONS;
  gboolean hard;
  gboolean save;
  guint timeout_s;
  VgwResetMethod method; /* from hard and save */
} VgwResetOptions;
gboolean vgw_reset_check(gpointer opts, GError **error);
gboolean vgw_reset_run(gconstpointer opts, GError **error);

/* vgw maint VERB [ARG...] */
typedef struct {
  VGW_COMMON_OPTIONS;
  guint timeout_s;
  char **request; /* verb and arguments */
} VgwMaintOptions;
gboolean vgw_maint_run(gconstpointer opts, GError **error);

/* vgw param get NAME | set NAME VALUE */
typedef struct {
  VGW_COMMON_OPTIONS;
  char *param;
  char *value;  /* set only */
} VgwParamOptions;
gboolean vgw_param_get_run(gconstpointer opts, GError **error);
gboolean vgw_param_set_run(gconstpointer opts, GError **error);

/* vgw ini load [--incremental] [--allow-empty] F | export F | check F */
typedef struct {
  VGW_COMMON_OPTIONS;
  char *file;
  gboolean incremental;
  gboolean allow_empty; /* load: a full load may name nothing */
} VgwIniOptions;
gboolean vgw_ini_load_run(gconstpointer opts, GError **error);
gboolean vgw_ini_export_run(gconstpointer opts, GError **error);
gboolean vgw_ini_check_run(gconstpointer opts, GError **error);

/* vgw flash show | export-config F (offline, stopped gateway) */
typedef struct {
  VGW_COMMON_OPTIONS;
  char *file;   /* export-config */
} VgwFlashOptions;
gboolean vgw_flash_show_run(gconstpointer opts, GError **error);
gboolean vgw_flash_export_run(gconstpointer opts, GError **error);

/* vgw handshakes FILE [--keylog F] [--filter KEY=VALUE ...] */
typedef struct {
  VGW_COMMON_OPTIONS;
  char *file;
  char *keylog;
  char **filters;
} VgwHandshakesOptions;
gboolean vgw_handshakes_check(gpointer opts, GError **error);
gboolean vgw_handshakes_run(gconstpointer opts, GError **error);

/* vgw capture start [--port lan|wan|all] --out F | stop [--keylog F] */
typedef struct {
  VGW_COMMON_OPTIONS;
  char *file;    /* start: --out */
  char *keylog;  /* stop */
  VgwCapturePorts ports;
} VgwCaptureOptions;
extern const VgwOptionType vgw_option_capture_ports; /* VgwCapturePorts */
gboolean vgw_capture_start_run(gconstpointer opts, GError **error);
gboolean vgw_capture_stop_run(gconstpointer opts, GError **error);

/* vgw tls keylog on [--context N] [--minutes M] | off | status | read */
typedef struct {
  VGW_COMMON_OPTIONS;
  guint seconds;         /* on: --minutes, in seconds */
  int context_plus_one;  /* on: --context N as N + 1; 0: every context */
} VgwTlsKeylogOptions;
extern const VgwOptionType vgw_option_keylog_minutes;  /* guint seconds */
extern const VgwOptionType vgw_option_keylog_context;  /* int, N + 1 */
gboolean vgw_tls_keylog_on_run(gconstpointer opts, GError **error);
gboolean vgw_tls_keylog_off_run(gconstpointer opts, GError **error);
gboolean vgw_tls_keylog_status_run(gconstpointer opts, GError **error);
gboolean vgw_tls_keylog_read_run(gconstpointer opts, GError **error);

/* vgw tls connections: the firmware's `show tls connections` (VgwCommonOptions). */
gboolean vgw_tls_connections_run(gconstpointer opts, GError **error);

/* vgw capture _relay (internal: the process vgw_capture_launch starts) */
typedef struct {
  VGW_COMMON_OPTIONS;
  char *dir;
  char *out;
  VgwCapturePorts ports;
  guint ready_fd;
} VgwCaptureRelayOptions;
gboolean vgw_capture_relay_run(gconstpointer opts, GError **error);

/* vgw keystore list | gen | import | lock | pub | zeroize (running or
 * stopped gateway) | reset (stopped gateway) */
typedef struct {
  VGW_COMMON_OPTIONS;
  guint slot;
  guint32 key_type;    /* gen: VGW_KEY_TYPE_* */
  char *key;           /* import: PEM file */
  gboolean yes;        /* zeroize, reset: confirmed */
} VgwKeystoreOptions;
extern const VgwOptionType vgw_option_key_type; /* guint32 VGW_KEY_TYPE_* */
gboolean vgw_keystore_zeroize_check(gpointer opts, GError **error);
gboolean vgw_keystore_list_run(gconstpointer opts, GError **error);
gboolean vgw_keystore_gen_run(gconstpointer opts, GError **error);
gboolean vgw_keystore_import_run(gconstpointer opts, GError **error);
gboolean vgw_keystore_lock_run(gconstpointer opts, GError **error);
gboolean vgw_keystore_pub_run(gconstpointer opts, GError **error);
gboolean vgw_keystore_zeroize_run(gconstpointer opts, GError **error);
/* reset (stopped gateway): keystore.bin deleted, a new board secret */
gboolean vgw_keystore_reset_check(gpointer opts, GError **error);
gboolean vgw_keystore_reset_run(gconstpointer opts, GError **error);

/* vgw pki ca | issue: the test PKI (offline; host-tools/README.md) */
typedef enum {
  VGW_PKI_ROLE_DEVICE,  /* the gateway's own certificate */
  VGW_PKI_ROLE_CLIENT,  /* a SIP client's */
  VGW_PKI_ROLE_PROXY,   /* a SIP proxy's */
} VgwPkiRole;
extern const VgwOptionType vgw_option_pki_role; /* guint VgwPkiRole */

typedef struct {
  VGW_COMMON_OPTIONS;
  char *out;             /* DIR/NAME: NAME.crt, NAME.key, NAME.chain */
  char *issuer;          /* ca: DIR/CA that signs an intermediate; NULL: a root */
  char *ca;              /* issue: DIR/CA that signs it */
  gboolean self_signed;  /* issue: signed by its own key, instead of --ca */
  guint role;            /* issue: VgwPkiRole */
  char *cn;              /* NULL: NAME */
  char **sans;           /* issue: dns:X, ip:A, uri:U */
  gboolean san_critical;
  gboolean no_san;
  char *eku;             /* issue: server, client, both, none; NULL: the role's */
  gboolean no_chain;     /* issue: NAME.chain left empty */
  char *csr;             /* issue: a PKCS#10 request whose key it certifies
                          * (no NAME.key: the requester holds the key) */
  guint32 key_type;      /* VGW_KEY_TYPE_* */
  guint days;            /* 0: not given */
  char *not_before;
  char *not_after;
  /* Derived by the checks. */
  guint eku_bits;        /* VgwPkiEku */
  gint64 not_before_unix;
  gint64 not_after_unix;
} VgwPkiOptions;
/* vgw cert inject | show (running or stopped gateway) */
typedef struct {
  VGW_COMMON_OPTIONS;
  guint context;
  char *cert;          /* inject: PEM, the certificate (then perhaps its chain) */
  char *chain;         /* inject: PEM intermediates */
  char *key;           /* inject: PEM private key, imported into the slot */
  char *slot_text;     /* inject: --slot as given */
  char **ca;           /* inject: PEM trusted roots, replacing the context's */
  guint32 generate;    /* inject: VGW_KEY_TYPE_* of a key to generate in the
                        * engine, with a self-signed certificate (instead of
                        * --cert); VGW_KEY_TYPE_NONE when not asked */
  char *subject;       /* inject --generate, csr: the common name */
  char *out;           /* csr: the file to write (NULL: stdout) */
  /* Derived by the check. */
  guint slot;
  gboolean slot_given;
} VgwCertOptions;
gboolean vgw_cert_inject_check(gpointer opts, GError **error);
gboolean vgw_cert_inject_run(gconstpointer opts, GError **error);
gboolean vgw_cert_show_run(gconstpointer opts, GError **error);
gboolean vgw_cert_csr_check(gpointer opts, GError **error);
gboolean vgw_cert_csr_run(gconstpointer opts, GError **error);
/* vgw up --config: HTTPSCertFileName, HTTPSPkeyFileName and
 * HTTPSRootFileName of |cfg| as inject options (files beside |ini_path|;
 * |out| left empty when none is named).  FALSE for a key or roots without
 * a certificate. */
gboolean vgw_cert_from_config(const VgwParamConfig *cfg, const char *ini_path,
                              VgwCertOptions *out, GError **error);
/* vgw_cert_precheck reads |opts|' files and, with a key file, validates
 * the bundle on the host (tls_bundle.h), so a bad one stops `vgw up`
 * before anything starts; errors name the file and the reason. */
gboolean vgw_cert_precheck(const VgwCertOptions *opts, GError **error);
/* vgw_cert_options_clear frees what vgw_cert_from_config filled. */
void vgw_cert_options_clear(VgwCertOptions *opts);

gboolean vgw_pki_ca_check(gpointer opts, GError **error);
gboolean vgw_pki_ca_run(gconstpointer opts, GError **error);
gboolean vgw_pki_issue_check(gpointer opts, GError **error);
gboolean vgw_pki_issue_run(gconstpointer opts, GError **error);

G_END_DECLS

#endif /* VGW_COMMANDS_H */
