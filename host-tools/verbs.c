/*
 * The verb tables of `vgw`: every verb and subcommand, its help, its
 * options and arguments.  `vgw --help`, `vgw VERB --help` and the parsing
 * of every command line come from here (cli.h says how to add a verb).
 */
#include "cli.h"
#include "commands.h"
#include "maint.h"
#include "vgw_crypto.h"

#define FIELD(type, member) G_STRUCT_OFFSET(type, member)

#define TIMEOUT_OPTION(type, text, fallback_s)                             \
  { VGW_OPTION("timeout", 0, vgw_option_uint, type, timeout_s, "S", text), \
    .fallback = G_STRINGIFY(fallback_s), .min = 1, .max = VGW_MAX_TIMEOUT_S }

#define VERB_OPTIONS(type) .options_size = sizeof(type)

/* -- up, down, reset, status, console, list, maint ------------------------- */

static const VgwOption up_options[] = {
  { VGW_OPTION("smp", 0, vgw_option_uint, VgwUpOptions, smp, "N",
               "Number of CPU cores"),
    .fallback = G_STRINGIFY(VGW_DEFAULT_SMP), .min = 1, .max = VGW_MAX_SMP },
  { VGW_OPTION("sip-port", 0, vgw_option_port, VgwUpOptions, sip_port, "P",
               "Host port for SIP over UDP and TCP on 127.0.0.1; 0 picks a free one"),
    .fallback = G_STRINGIFY(VGW_DEFAULT_SIP_PORT) },
  { VGW_OPTION("sip-tls-port", 0, vgw_option_port, VgwUpOptions, sip_tls_port, "P",
               "Host port for SIP over TLS on 127.0.0.1; 0 picks a free one"),
    .fallback = G_STRINGIFY(VGW_DEFAULT_SIP_TLS_PORT) },
  TIMEOUT_OPTION(VgwUpOptions, "Seconds to wait for the gateway to be ready",
                 VGW_DEFAULT_BOOT_TIMEOUT_S),
  { VGW_OPTION("detach", 'd', vgw_option_flag, VgwUpOptions, detach, NULL,
               "Return once ready and leave the gateway running") },
  { VGW_OPTION("qemu", 0, vgw_option_string, VgwUpOptions, qemu, "PATH",
               "QEMU binary (default $VGW_QEMU, else the build's)") },
  { VGW_OPTION("images", 0, vgw_option_string, VgwUpOptions, images, "DIR",
               "Images directory (default $VGW_IMAGES, else the build's)") },
  { VGW_OPTION("config", 'c', vgw_option_string, VgwUpOptions, config, "F.ini",
               "Boot with this ini configuration: checked, then saved to the flash before boot") },
  { VGW_OPTION("capture", 0, vgw_option_string, VgwUpOptions, capture, "F",
               "Capture both NICs from the first packet into this pcapng (vgw capture stop ends it)") },
  { VGW_OPTION("wan-link", 0, vgw_option_string, VgwUpOptions, wan_link_spec, "SPEC",
               "WAN port's network: slirp, or a link to another gateway's WAN port over "
               "127.0.0.1, listen:PORT (0 picks one) or connect:PORT; the listening gateway "
               "starts first (default: as the last up, else slirp)") },
  { VGW_OPTION("seed", 0, vgw_option_string, VgwUpOptions, seed_text, "N",
               "Seed the board's randomness (QEMU -seed, N in 0..2^63-1): the crypto "
               "engine's TRNG, keys and signatures repeat with the same N") },
  { VGW_OPTION("from", 0, vgw_option_string, VgwUpOptions, from, "SNAPSHOT",
               "Start a new gateway restored from this snapshot (vgw snapshot save), on "
               "its own ports and copies of flash and keystore") },
  { VGW_OPTION("fresh-identity", 0, vgw_option_flag, VgwUpOptions, fresh_identity, NULL,
               "With --from: give TLS Context 0 a device key and certificate of its own, "
               "generated in the engine, instead of the snapshot's") },
  { VGW_OPTION("record", 0, vgw_option_string, VgwUpOptions, record, "DIR",
               "Record this run (QEMU record/replay) into the new directory DIR, with the "
               "flash, keystore and images it starts from (docs/record-replay.md)") },
  { VGW_OPTION("replay", 0, vgw_option_string, VgwUpOptions, replay, "DIR",
               "Start a new gateway that replays the recording DIR instruction for "
               "instruction, cut off from the network, and stops where the record stopped") },
  { NULL },
};

static const VgwOption test_options[] = {
  { VGW_OPTION("jobs", 'j', vgw_option_uint, VgwTestOptions, jobs, "N",
               "Scenarios run at once, each on its own gateway"),
    .fallback = "1", .min = 1, .max = 64 },
  TIMEOUT_OPTION(VgwTestOptions, "Each scenario's time limit in seconds: then it and "
                 "everything it started are killed and it fails", 600),
  { VGW_OPTION("junit", 0, vgw_option_string, VgwTestOptions, junit, "F",
               "Write a JUnit XML report to F") },
  { VGW_OPTION("seed", 0, vgw_option_string, VgwTestOptions, seed_text, "N",
               "Seed the gateway's randomness (as vgw up --seed; default: a random "
               "seed, printed and in the report)") },
  { VGW_OPTION("no-gateway", 0, vgw_option_flag, VgwTestOptions, no_gateway, NULL,
               "Boot no gateway: the scenarios start their own (the project's system "
               "tests); they get VGW, and VGW_SEED only with --seed") },
  { VGW_OPTION("record", 0, vgw_option_string, VgwTestOptions, record, "DIR",
               "Boot each scenario's own gateway recorded (vgw up --record) into "
               "DIR/SCENARIO; a failed one's recording is kept and named, a passed "
               "one's deleted") },
  { VGW_OPTION("tap", 0, vgw_option_flag, VgwTestOptions, tap, NULL,
               "Print the scenarios' checks as one TAP stream (renumbered, each "
               "scenario's failure not shown by a check as a check of its own), for "
               "a TAP reader such as meson") },
  { NULL },
};

static const VgwArg test_args[] = {
  { .usage = "PATH...", .what = "scenario file or directory",
    .offset = FIELD(VgwTestOptions, paths), .rest = TRUE },
  { NULL },
};

static const VgwArg snapshot_name_arg[] = {
  { .usage = "SNAPSHOT", .what = "snapshot name", .offset = FIELD(VgwSnapshotOptions, snapshot) },
  { NULL },
};

static const VgwVerb snapshot_verbs[] = {
  { .name = "save", .summary = "save a running gateway as a snapshot",
    .help = "Pause a running gateway, save its machine state, flash and keystore\n"
            "as SNAPSHOT, and run it again.  'vgw up --from SNAPSHOT' starts clones.",
    .flags = VGW_VERB_GATEWAY, .args = snapshot_name_arg,
    VERB_OPTIONS(VgwSnapshotOptions), .run = vgw_snapshot_save_run },
  { .name = "list", .summary = "list the snapshots",
    .help = "List the snapshots in the state directory.",
    VERB_OPTIONS(VgwSnapshotOptions), .run = vgw_snapshot_list_run },
  { .name = "delete", .summary = "delete a snapshot",
    .help = "Delete a snapshot.  Its clones keep running.",
    .args = snapshot_name_arg, VERB_OPTIONS(VgwSnapshotOptions),
    .run = vgw_snapshot_delete_run },
  { NULL },
};

static const VgwArg lab_file_arg[] = {
  { .usage = "FILE", .what = "lab file", .offset = FIELD(VgwLabOptions, file) },
  { NULL },
};

static const VgwArg lab_link_args[] = {
  { .usage = "FILE", .what = "lab file", .offset = FIELD(VgwLabOptions, file) },
  { .usage = "LINK", .what = "link name", .offset = FIELD(VgwLabOptions, link) },
  { .usage = "up|down", .what = "link state", .offset = FIELD(VgwLabOptions, state) },
  { NULL },
};

static const VgwArg lab_capture_args[] = {
  { .usage = "FILE", .what = "lab file", .offset = FIELD(VgwLabOptions, file) },
  { .usage = "LINK", .what = "link name", .offset = FIELD(VgwLabOptions, link) },
  { NULL },
};

static const VgwOption lab_up_options[] = {
  TIMEOUT_OPTION(VgwLabOptions, "Seconds each gateway gets to be ready",
                 VGW_DEFAULT_BOOT_TIMEOUT_S),
  { NULL },
};

static const VgwOption lab_capture_start_options[] = {
  { VGW_OPTION("out", 'o', vgw_option_string, VgwLabOptions, out, "F",
               "pcapng file to write (valid while it grows)"),
    .flags = VGW_OPTION_REQUIRED },
  { NULL },
};

static const VgwVerb lab_capture_verbs[] = {
  { .name = "start", .summary = "start capturing a link into a pcapng file",
    .help = "Start capturing every frame of LINK (vgw capture on the WAN port of\n"
            "its end a) into a pcapng file.",
    .options = lab_capture_start_options, .args = lab_capture_args,
    VERB_OPTIONS(VgwLabOptions), .run = vgw_lab_capture_start_run },
  { .name = "stop", .summary = "stop a link's capture",
    .help = "Stop LINK's capture and close its file.",
    .args = lab_capture_args, VERB_OPTIONS(VgwLabOptions), .run = vgw_lab_capture_stop_run },
  { NULL },
};

static const VgwVerb lab_verbs[] = {
  { .name = "up", .summary = "start a lab's gateways, links and peers",
    .help = "Check the lab file, then start its gateways (each link's end a, the\n"
            "listener, before its end b) and its peers.  On a failure it stops\n"
            "what it started and says why.  host-tools/README.md \"Labs\".",
    .options = lab_up_options, .args = lab_file_arg, VERB_OPTIONS(VgwLabOptions),
    .run = vgw_lab_up_run },
  { .name = "down", .summary = "stop everything a lab started",
    .help = "Stop the lab's peers and gateways and remove their state (also after\n"
            "a partial up; nothing running is not an error).",
    .args = lab_file_arg, VERB_OPTIONS(VgwLabOptions), .run = vgw_lab_down_run },
  { .name = "status", .summary = "show a lab's gateways, links and peers",
    .help = "Show each gateway (running or stopped), each link (up or down as set\n"
            "by vgw lab link; connected as QEMU sees it) and each peer.  --json:\n"
            "one object (host-tools/README.md \"Labs\").",
    .flags = VGW_VERB_JSON, .args = lab_file_arg, VERB_OPTIONS(VgwLabOptions),
    .run = vgw_lab_status_run },
  { .name = "link", .summary = "take a link down or bring it up (QMP set_link)",
    .help = "Take LINK down or bring it up again at both ends' WAN netdevs (QMP\n"
            "set_link): frames stop both ways while the TCP connection stays.",
    .args = lab_link_args, VERB_OPTIONS(VgwLabOptions), .run = vgw_lab_link_run },
  { .name = "capture", .summary = "capture a link (start, stop)",
    .help = "Capture one link's frames into a pcapng file.", .subs = lab_capture_verbs },
  { NULL },
};

static const VgwOption reset_options[] = {
  { VGW_OPTION("hard", 0, vgw_option_flag, VgwResetOptions, hard, NULL,
               "Reset the board from outside (QMP system_reset) instead of asking the firmware") },
  { VGW_OPTION("save", 0, vgw_option_flag, VgwResetOptions, save, NULL,
               "Save the staged configuration to flash first (else unsaved changes are lost)") },
  TIMEOUT_OPTION(VgwResetOptions, "Seconds to wait for the gateway to be ready again",
                 VGW_DEFAULT_BOOT_TIMEOUT_S),
  { NULL },
};

static const VgwOption maint_options[] = {
  TIMEOUT_OPTION(VgwMaintOptions, "Seconds to wait for the reply", VGW_MAINT_DEFAULT_TIMEOUT_S),
  { NULL },
};

static const VgwArg maint_args[] = {
  { .usage = "VERB [ARG...]", .what = "request verb",
    .offset = FIELD(VgwMaintOptions, request), .rest = TRUE },
  { NULL },
};

/* -- param, ini, pending, save, factory-reset, flash ----------------------- */

static const VgwArg param_get_args[] = {
  { .usage = "NAME", .what = "parameter name", .offset = FIELD(VgwParamOptions, param) },
  { NULL },
};

static const VgwArg param_set_args[] = {
  { .usage = "NAME", .what = "parameter name", .offset = FIELD(VgwParamOptions, param) },
  { .usage = "VALUE", .what = "value", .offset = FIELD(VgwParamOptions, value) },
  { NULL },
};

static const VgwVerb param_verbs[] = {
  { .name = "get", .summary = "show a parameter's value (and pending value)",
    .help = "Show a parameter's value, and its pending value if a staged\n"
            "change waits for a reset.",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, .args = param_get_args,
    VERB_OPTIONS(VgwParamOptions), .run = vgw_param_get_run },
  { .name = "set", .summary = "set a parameter (live, or pending until reset)",
    .help = "Set a parameter (staged; not saved to flash until 'vgw save').\n"
            "Prints whether it applied live or waits for a reset.  Options\n"
            "go before NAME, so VALUE may start with '-'.",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_OPTIONS_FIRST, .args = param_set_args,
    VERB_OPTIONS(VgwParamOptions), .run = vgw_param_set_run },
  { NULL },
};

static const VgwOption ini_load_options[] = {
  { VGW_OPTION("incremental", 'i', vgw_option_flag, VgwIniOptions, incremental, NULL,
               "Change only what the file names (default: the file replaces the configuration)") },
  { VGW_OPTION("allow-empty", 0, vgw_option_flag, VgwIniOptions, allow_empty, NULL,
               "Allow a full load of a file that names nothing (all factory defaults)") },
  { NULL },
};

static const VgwArg ini_file_arg[] = {
  { .usage = "FILE", .what = "ini file name", .offset = FIELD(VgwIniOptions, file) },
  { NULL },
};

static const VgwVerb ini_verbs[] = {
  { .name = "load", .summary = "upload an ini file and load it (full or --incremental)",
    .help = "Load an ini file into the gateway's staged configuration (not saved\n"
            "to flash until 'vgw save').  Warnings go to stdout; a rejected file\n"
            "changes nothing and exits 1 with the gateway's error.",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, .options = ini_load_options,
    .args = ini_file_arg, VERB_OPTIONS(VgwIniOptions), .run = vgw_ini_load_run },
  { .name = "export", .summary = "write the staged configuration to an ini file",
    .help = "Write the gateway's staged configuration to FILE as an ini file\n"
            "('-' for stdout).",
    .flags = VGW_VERB_GATEWAY, .args = ini_file_arg, VERB_OPTIONS(VgwIniOptions),
    .run = vgw_ini_export_run },
  { .name = "check", .summary = "check an ini file offline with the firmware's parser",
    .help = "Check an ini file offline with the firmware's parser (as a full\n"
            "load onto factory defaults; no gateway needed).  Warnings go to\n"
            "stdout; an error exits 1 with FILE:LINE: PARAMETER: reason.",
    .args = ini_file_arg, VERB_OPTIONS(VgwIniOptions), .run = vgw_ini_check_run },
  { NULL },
};

static const VgwArg flash_export_args[] = {
  { .usage = "FILE", .what = "output file name", .offset = FIELD(VgwFlashOptions, file) },
  { NULL },
};

static const VgwVerb flash_verbs[] = {
  { .name = "show", .summary = "show the store on a stopped gateway's flash",
    .help = "Show the store on a stopped gateway's flash image: generation,\n"
            "blobs, and the saved configuration (config.ini).  --json prints\n"
            "{flash, blank, generation, capacity, damage, blobs, config}.",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, VERB_OPTIONS(VgwFlashOptions),
    .run = vgw_flash_show_run },
  { .name = "export-config", .summary = "write the saved config.ini to a file",
    .help = "Write the configuration saved on a stopped gateway's flash image\n"
            "(config.ini) to FILE ('-' for stdout).",
    .flags = VGW_VERB_GATEWAY, .args = flash_export_args, VERB_OPTIONS(VgwFlashOptions),
    .run = vgw_flash_export_run },
  { NULL },
};

/* -- keystore --------------------------------------------------------------- */

#define KEYSTORE_WHERE                                                   \
  "\n\nOn a running gateway this goes through its maintenance port; on a\n" \
  "stopped one it provisions the keystore offline (a QEMU in qtest mode\n"  \
  "drives the board's crypto engine; no guest runs)."

#define SLOT_OPTION                                                          \
  { VGW_OPTION("slot", 's', vgw_option_uint, VgwKeystoreOptions, slot, "S",  \
               "Key slot (slot 0 is TLS Context 0's device key)"),           \
    .flags = VGW_OPTION_REQUIRED, .min = 0, .max = VGW_CRYPTO_SLOTS - 1 }

static const VgwOption keystore_slot_options[] = {
  SLOT_OPTION,
  { NULL },
};

static const VgwOption keystore_gen_options[] = {
  SLOT_OPTION,
  { VGW_OPTION("type", 't', vgw_option_key_type, VgwKeystoreOptions, key_type, "T",
               "ec-p256, rsa-2048 or rsa-3072"),
    .flags = VGW_OPTION_REQUIRED },
  { NULL },
};

static const VgwOption keystore_import_options[] = {
  SLOT_OPTION,
  { VGW_OPTION("key", 'k', vgw_option_string, VgwKeystoreOptions, key, "F",
               "PEM private key (P-256, RSA 2048/3072)"),
    .flags = VGW_OPTION_REQUIRED },
  { NULL },
};

static const VgwOption keystore_zeroize_options[] = {
  { VGW_OPTION("yes", 0, vgw_option_flag, VgwKeystoreOptions, yes, NULL,
               "Yes, erase every key") },
  { NULL },
};

static const VgwOption keystore_reset_options[] = {
  { VGW_OPTION("yes", 0, vgw_option_flag, VgwKeystoreOptions, yes, NULL,
               "Yes, delete every key and the board secret") },
  { NULL },
};

static const VgwVerb keystore_verbs[] = {
  { .name = "list", .summary = "list the key slots (type, lock, fingerprint; never private keys)",
    .help = "List the engine's key slots: type, lock state, origin and the\n"
            "SHA-256 fingerprint of the public key.  Private keys cannot be read."
            KEYSTORE_WHERE,
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, VERB_OPTIONS(VgwKeystoreOptions),
    .run = vgw_keystore_list_run },
  { .name = "gen", .summary = "generate a key pair inside the engine",
    .help = "Generate a key pair inside the engine; the private key never\n"
            "leaves it.  Replaces an unlocked key in the slot." KEYSTORE_WHERE,
    .flags = VGW_VERB_GATEWAY, .options = keystore_gen_options,
    VERB_OPTIONS(VgwKeystoreOptions), .run = vgw_keystore_gen_run },
  { .name = "import", .summary = "write a PEM private key into a slot (write-only)",
    .help = "Write a private key into a slot.  The engine can use it but\n"
            "never gives it back.  Replaces an unlocked key in the slot." KEYSTORE_WHERE,
    .flags = VGW_VERB_GATEWAY, .options = keystore_import_options,
    VERB_OPTIONS(VgwKeystoreOptions), .run = vgw_keystore_import_run },
  { .name = "lock", .summary = "lock a slot against replacement and deletion",
    .help = "Lock a slot: its key can no longer be replaced or deleted\n"
            "until the keystore's factory reset." KEYSTORE_WHERE,
    .flags = VGW_VERB_GATEWAY, .options = keystore_slot_options,
    VERB_OPTIONS(VgwKeystoreOptions), .run = vgw_keystore_lock_run },
  { .name = "pub", .summary = "print a slot's public key (PEM)",
    .help = "Print a slot's public key (PEM)." KEYSTORE_WHERE,
    .flags = VGW_VERB_GATEWAY, .options = keystore_slot_options,
    VERB_OPTIONS(VgwKeystoreOptions), .run = vgw_keystore_pub_run },
  { .name = "zeroize", .summary = "erase every slot, locked or not (the keystore's factory reset)",
    .help = "Erase every slot, locked or not: the keystore's factory reset.\n"
            "A running gateway then makes itself a new device key and\n"
            "certificate; a stopped one does so at its next boot." KEYSTORE_WHERE,
    .flags = VGW_VERB_GATEWAY, .options = keystore_zeroize_options,
    VERB_OPTIONS(VgwKeystoreOptions), .check = vgw_keystore_zeroize_check,
    .run = vgw_keystore_zeroize_run },
  { .name = "reset", .summary = "stopped gateway: delete a damaged keystore, make a new board secret",
    .help = "The recovery for a keystore the engine cannot open (damaged, or its\n"
            "board secret lost): delete keystore.bin, every key in it, and make a\n"
            "new board secret.  The gateway must be stopped; at its next boot it\n"
            "makes itself a new device key.",
    .flags = VGW_VERB_GATEWAY, .options = keystore_reset_options,
    VERB_OPTIONS(VgwKeystoreOptions), .check = vgw_keystore_reset_check,
    .run = vgw_keystore_reset_run },
  { NULL },
};

/* -- capture, handshakes ---------------------------------------------------- */

static const VgwOption capture_start_options[] = {
  { VGW_OPTION("port", 'p', vgw_option_capture_ports, VgwCaptureOptions, ports, "lan|wan|all",
               "NIC to capture: lan (SIP side), wan or all"),
    .fallback = "all" },
  { VGW_OPTION("out", 'o', vgw_option_string, VgwCaptureOptions, file, "F",
               "pcapng file to write (valid while it grows)"),
    .flags = VGW_OPTION_REQUIRED },
  { NULL },
};

static const VgwOption capture_stop_options[] = {
  { VGW_OPTION("keylog", 'k', vgw_option_string, VgwCaptureOptions, keylog, "F",
               "Embed this TLS key log in the capture (a pcapng Decryption Secrets Block)") },
  { NULL },
};

static const VgwOption capture_relay_options[] = {
  { VGW_OPTION("dir", 0, vgw_option_string, VgwCaptureRelayOptions, dir, "D",
               "State directory"),
    .flags = VGW_OPTION_REQUIRED },
  { VGW_OPTION("out", 0, vgw_option_string, VgwCaptureRelayOptions, out, "F",
               "pcapng to write"),
    .flags = VGW_OPTION_REQUIRED },
  { VGW_OPTION("ports", 0, vgw_option_capture_ports, VgwCaptureRelayOptions, ports, "P",
               "lan, wan or all"),
    .flags = VGW_OPTION_REQUIRED },
  { VGW_OPTION("ready-fd", 0, vgw_option_uint, VgwCaptureRelayOptions, ready_fd, "FD",
               "Where to say ready"),
    .flags = VGW_OPTION_REQUIRED, .max = G_MAXINT },
  { NULL },
};

static const VgwVerb capture_verbs[] = {
  { .name = "start", .summary = "start capturing a gateway's NICs into a pcapng file",
    .help = "Start capturing a running gateway's NIC traffic into a pcapng file,\n"
            "with wall-clock timestamps.  Follow it live with:\n"
            "  tail -c +1 -f F | wireshark -k -i -",
    .flags = VGW_VERB_GATEWAY, .options = capture_start_options,
    VERB_OPTIONS(VgwCaptureOptions), .run = vgw_capture_start_run },
  { .name = "stop", .summary = "stop the capture (--keylog: embed TLS secrets)",
    .help = "Stop the gateway's capture and close its file.  With --keylog the\n"
            "TLS secrets go into the file: tshark and Wireshark then decrypt it\n"
            "with no other file or preference, and so does 'vgw handshakes'.",
    .flags = VGW_VERB_GATEWAY, .options = capture_stop_options,
    VERB_OPTIONS(VgwCaptureOptions), .run = vgw_capture_stop_run },
  { .name = "_relay", .summary = "internal: the capture relay process",
    .help = "Internal: the capture relay process that vgw capture start runs.",
    .flags = VGW_VERB_HIDDEN, .options = capture_relay_options,
    VERB_OPTIONS(VgwCaptureRelayOptions), .run = vgw_capture_relay_run },
  { NULL },
};

static const VgwOption handshakes_options[] = {
  { VGW_OPTION("keylog", 'k', vgw_option_string, VgwHandshakesOptions, keylog, "F",
               "TLS key log (SSLKEYLOGFILE format) to decrypt with, besides secrets embedded in the file") },
  { VGW_OPTION("filter", 'f', vgw_option_strings, VgwHandshakesOptions, filters, "KEY=VALUE",
               "Show only matching handshakes (repeatable): sni=NAME, host=ADDR, port=N, "
    "version=1.2|1.3, outcome=completed|refused|incomplete, client-cert=requested|sent|missing, "
    "rule=REASON") },
  { NULL },
};

static const VgwArg handshakes_args[] = {
  { .usage = "F.pcap|F.pcapng", .what = "capture file", .offset = FIELD(VgwHandshakesOptions, file) },
  { NULL },
};

/* -- pki ----------------------------------------------------------------------- */

#define PKI_OUT_OPTION                                                          \
  { VGW_OPTION("out", 'o', vgw_option_string, VgwPkiOptions, out, "DIR/NAME",   \
               "Write DIR/NAME.crt, DIR/NAME.key (mode 0600) and DIR/NAME.chain"), \
    .flags = VGW_OPTION_REQUIRED }

#define PKI_KEY_AND_WINDOW_OPTIONS(default_days)                                          \
  { VGW_OPTION("cn", 0, vgw_option_string, VgwPkiOptions, cn, "CN",                      \
               "Subject common name (default: NAME)") },                                 \
  { VGW_OPTION("key-type", 't', vgw_option_key_type, VgwPkiOptions, key_type, "T",       \
               "Key type: ec-p256, rsa-2048 or rsa-3072"),                               \
    .fallback = "ec-p256" },                                                            \
  { VGW_OPTION("not-before", 0, vgw_option_string, VgwPkiOptions, not_before, "T",       \
               "Start of validity: now, an offset (-30d, +2h, -15m, +10s) or ISO 8601"), \
    .fallback = "-1h" },                                                                \
  { VGW_OPTION("not-after", 0, vgw_option_string, VgwPkiOptions, not_after, "T",         \
               "End of validity, like --not-before") },                                  \
  { VGW_OPTION("days", 0, vgw_option_uint, VgwPkiOptions, days, "N",                     \
               "Valid N days from --not-before (default " default_days ")"),             \
    .min = 1, .max = 36500 }

static const VgwOption pki_ca_options[] = {
  PKI_OUT_OPTION,
  { VGW_OPTION("issuer", 0, vgw_option_string, VgwPkiOptions, issuer, "DIR/CA",
               "Make an intermediate CA signed by this CA (default: a self-signed root)") },
  PKI_KEY_AND_WINDOW_OPTIONS("3650"),
  { NULL },
};

static const VgwOption pki_issue_options[] = {
  PKI_OUT_OPTION,
  { VGW_OPTION("ca", 0, vgw_option_string, VgwPkiOptions, ca, "DIR/CA",
               "The CA that signs it (vgw pki ca); its chain goes into NAME.chain") },
  { VGW_OPTION("self-signed", 0, vgw_option_flag, VgwPkiOptions, self_signed, NULL,
               "Sign it with its own key instead of --ca") },
  { VGW_OPTION("role", 'r', vgw_option_pki_role, VgwPkiOptions, role, "device|client|proxy",
               "What it is for; sets the EKU: device both, client clientAuth, proxy serverAuth"),
    .flags = VGW_OPTION_REQUIRED },
  { VGW_OPTION("san", 0, vgw_option_strings, VgwPkiOptions, sans, "dns:X|ip:A|uri:U",
               "A subjectAltName entry, taken as given (wildcards anywhere); repeatable "
               "(default: one naming the CN)") },
  { VGW_OPTION("san-critical", 0, vgw_option_flag, VgwPkiOptions, san_critical, NULL,
               "Mark the subjectAltName extension critical") },
  { VGW_OPTION("no-san", 0, vgw_option_flag, VgwPkiOptions, no_san, NULL,
               "No subjectAltName: the CN alone names it") },
  { VGW_OPTION("eku", 0, vgw_option_string, VgwPkiOptions, eku, "server|client|both|none",
               "Extended key usage instead of the role's (none: no extension)") },
  { VGW_OPTION("no-chain", 0, vgw_option_flag, VgwPkiOptions, no_chain, NULL,
               "Leave NAME.chain empty: the intermediates of --ca are missing") },
  { VGW_OPTION("csr", 0, vgw_option_string, VgwPkiOptions, csr, "F.csr",
               "Certify the key of this PKCS#10 request (its signature is checked; "
               "e.g. vgw cert csr) instead of a new key: no NAME.key is written") },
  PKI_KEY_AND_WINDOW_OPTIONS("365"),
  { NULL },
};

static const VgwVerb pki_verbs[] = {
  { .name = "ca", .summary = "make a root CA, or an intermediate with --issuer",
    .help = "Make a CA for the test PKI: a self-signed root, or with --issuer an\n"
            "intermediate CA signed by that CA.  Writes NAME.crt, NAME.key and\n"
            "NAME.chain (the intermediates above it) and prints what it made.",
    .options = pki_ca_options, VERB_OPTIONS(VgwPkiOptions),
    .check = vgw_pki_ca_check, .run = vgw_pki_ca_run },
  { .name = "issue", .summary = "issue a device, client or proxy certificate, good or hostile",
    .help = "Issue a certificate signed by --ca (or --self-signed) for a new key:\n"
            "any SANs, critical or not, any EKU, any validity window (past and\n"
            "future), with or without its intermediates.  Writes NAME.crt,\n"
            "NAME.key and NAME.chain and prints what it made.  With --csr the\n"
            "key is the request's (a gateway's engine key, vgw cert csr) and no\n"
            "NAME.key is written; the subject is still CN=--cn.",
    .options = pki_issue_options, VERB_OPTIONS(VgwPkiOptions),
    .check = vgw_pki_issue_check, .run = vgw_pki_issue_run },
  { NULL },
};

/* -- cert --------------------------------------------------------------------- */

#define CONTEXT_OPTION                                                           \
  { VGW_OPTION("context", 0, vgw_option_uint, VgwCertOptions, context, "N",       \
               "TLSContexts row index (default 0, the device's own)"),            \
    .min = 0, .max = 99 }

static const VgwOption cert_inject_options[] = {
  CONTEXT_OPTION,
  { VGW_OPTION("cert", 0, vgw_option_string, VgwCertOptions, cert, "F.pem",
               "The device certificate, PEM (intermediates may follow it)") },
  { VGW_OPTION("generate", 0, vgw_option_key_type, VgwCertOptions, generate, "T",
               "Instead of --cert: generate a T key (ec-p256, rsa-2048, rsa-3072) in "
               "the engine slot and a self-signed certificate signed by it there") },
  { VGW_OPTION("subject", 0, vgw_option_string, VgwCertOptions, subject, "CN",
               "With --generate: the certificate's common name (default: the "
               "gateway's name)") },
  { VGW_OPTION("chain", 0, vgw_option_string, VgwCertOptions, chain, "F.pem",
               "Intermediates sent after the certificate, PEM") },
  { VGW_OPTION("key", 0, vgw_option_string, VgwCertOptions, key, "F.pem",
               "Its private key: imported into the engine slot once the bundle is "
               "accepted (never stored as a file)") },
  { VGW_OPTION("slot", 0, vgw_option_string, VgwCertOptions, slot_text, "S",
               "The engine slot holding (or to hold, with --key or --generate) the "
               "key (default: the context's; a new key: a free slot)") },
  { VGW_OPTION("ca", 0, vgw_option_strings, VgwCertOptions, ca, "F.pem",
               "Trusted roots replacing the context's, PEM; repeatable") },
  { NULL },
};

static const VgwOption cert_csr_options[] = {
  CONTEXT_OPTION,
  { VGW_OPTION("generate", 0, vgw_option_key_type, VgwCertOptions, generate, "T",
               "Request for a new T key (ec-p256, rsa-2048, rsa-3072) generated in "
               "a free engine slot (or --slot), printed with the request") },
  { VGW_OPTION("slot", 0, vgw_option_string, VgwCertOptions, slot_text, "S",
               "The engine slot whose key the request is for (default: the "
               "context's; with --generate a free slot)") },
  { VGW_OPTION("subject", 0, vgw_option_string, VgwCertOptions, subject, "CN",
               "The common name to request (default: the gateway's name)") },
  { VGW_OPTION("out", 0, vgw_option_string, VgwCertOptions, out, "F.csr",
               "Write the request to F (default: stdout)") },
  { NULL },
};

static const VgwOption cert_show_options[] = {
  CONTEXT_OPTION,
  { NULL },
};

static const VgwVerb cert_verbs[] = {
  { .name = "inject", .summary = "install a TLS Context's certificate, chain and trusted roots",
    .help = "Validate a certificate bundle and install it in a TLS Context: the\n"
            "key must be the certificate's, the chain must lead to a trusted root\n"
            "(the context's, or --ca) or end in a self-signed one, every\n"
            "certificate must be valid now, and the EKU must allow serverAuth and\n"
            "clientAuth.  A refused bundle changes nothing: the error starts with\n"
            "the reason (key-mismatch, untrusted, chain-invalid, not-yet-valid,\n"
            "expired, key-usage, no-server-auth, no-client-auth, unreadable).\n"
            "--generate T instead of --cert makes a new key in the engine slot\n"
            "and a self-signed certificate (CN=--subject) signed by it there; the\n"
            "private key never leaves the engine.\n"
            "Without --slot a new key (--key, --generate) goes into a slot no\n"
            "context uses: an empty one, else one whose key an earlier swap\n"
            "retired (never a key you put there yourself); the commit switches\n"
            "key and certificate together, so nothing in service is lost.\n"
            "New connections use an accepted bundle; open ones keep theirs.\n"
            "On a running gateway this goes through its maintenance port; on a\n"
            "stopped one it writes its flash image and keystore.",
    .flags = VGW_VERB_GATEWAY, .options = cert_inject_options,
    VERB_OPTIONS(VgwCertOptions), .check = vgw_cert_inject_check,
    .run = vgw_cert_inject_run },
  { .name = "csr", .summary = "a certificate signing request for a TLS Context's engine key",
    .help = "Print a PKCS#10 certificate signing request (PEM) for the key in the\n"
            "context's engine slot (or --slot), subject CN=--subject, signed by\n"
            "that key inside the engine.  With --generate T the request is for a\n"
            "new key generated in a free slot (as cert inject picks one), which\n"
            "it names.  Have a CA sign it and install the result with\n"
            "`vgw cert inject --cert F --slot S`: the private key never leaves\n"
            "the engine.  Works on a running or a stopped gateway.",
    .flags = VGW_VERB_GATEWAY, .options = cert_csr_options,
    VERB_OPTIONS(VgwCertOptions), .check = vgw_cert_csr_check,
    .run = vgw_cert_csr_run },
  { .name = "show", .summary = "show a TLS Context's certificate, chain and trusted roots",
    .help = "Show a TLS Context's key slot, certificate, chain and trusted roots\n"
            "(subject, issuer, validity, SHA-256).  --json: the firmware's\n"
            "cert-show object.  Works on a running or a stopped gateway.",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, .options = cert_show_options,
    VERB_OPTIONS(VgwCertOptions), .run = vgw_cert_show_run },
  { NULL },
};

/* -- sip ---------------------------------------------------------------------- */

static const VgwOption sip_options_options[] = {
  { VGW_OPTION("transport", 't', vgw_option_string, VgwSipOptionsOptions, transport,
               "udp|tcp|tls", "Transport, instead of the URI's ;transport= (default udp, sips: tls)") },
  { NULL },
};

static const VgwArg sip_options_args[] = {
  { .usage = "URI", .what = "SIP URI", .offset = FIELD(VgwSipOptionsOptions, uri) },
  { NULL },
};

static const VgwVerb sip_verbs[] = {
  { .name = "options", .summary = "send one OPTIONS from the gateway to a SIP peer",
    .help = "Send one OPTIONS from the gateway to URI (sip:HOST[:PORT][;transport=T]\n"
            "or sips:..., HOST an IPv4 address; a gateway reaches its host as\n"
            "10.0.2.2) and print the answer's status, reason and round-trip time\n"
            "and the connection used, or why there was none: timeout,\n"
            "connection-refused, tls-handshake-failed (with the TLS reason), ...\n"
            "--json: the firmware's sip-options-result object\n"
            "(docs/maintenance-protocol.md).  Exit 0 whenever the gateway tried.",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, .options = sip_options_options,
    .args = sip_options_args,
    VERB_OPTIONS(VgwSipOptionsOptions), .run = vgw_sip_options_run },
  { .name = "registrations", .summary = "list the contacts registered with the gateway",
    .help = "List the contacts bound by REGISTER to each address of record, with\n"
            "the transport and source address each came from and the seconds left,\n"
            "and the REGISTERs refused by reason.  --json: the firmware's\n"
            "sip-registrations object (docs/maintenance-protocol.md).",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, VERB_OPTIONS(VgwCommonOptions),
    .run = vgw_sip_registrations_run },
  { .name = "proxies", .summary = "list the Proxy Sets' proxies and their state",
    .help = "List each Proxy Set's proxies: the address as configured and as resolved\n"
            "(literal, DNS2IP or DNS), transport, state (unknown, up, down or\n"
            "unresolved) and why, whether new requests go there, the last response\n"
            "and its age, and the set's failovers.  --json: the firmware's\n"
            "sip-proxies object (docs/maintenance-protocol.md).",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, VERB_OPTIONS(VgwCommonOptions),
    .run = vgw_sip_proxies_run },
  { .name = "calls", .summary = "list the calls routed through the gateway",
    .help = "List the calls the gateway routed as a proxy: those in progress and\n"
            "the last ended ones, each with its From and To, state (trying,\n"
            "ringing, answered, ended) and why it ended, and the flows of its\n"
            "caller and callee.  --json: the firmware's sip-calls object\n"
            "(docs/maintenance-protocol.md).",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, VERB_OPTIONS(VgwCommonOptions),
    .run = vgw_sip_calls_run },
  { NULL },
};

/* -- tls ---------------------------------------------------------------------- */

static const VgwOption tls_keylog_on_options[] = {
  { VGW_OPTION("minutes", 'm', vgw_option_keylog_minutes, VgwTlsKeylogOptions, seconds, "M",
               "Expiry, in minutes (1 s to 24 h; a fraction such as 0.05 is allowed, for tests)"),
    .fallback = "10" },
  { VGW_OPTION("context", 0, vgw_option_keylog_context, VgwTlsKeylogOptions,
               context_plus_one, "N",
               "Only connections of TLS Context N (default: every context)") },
  { NULL },
};

static const VgwVerb tls_keylog_verbs[] = {
  { .name = "on", .summary = "record the gateway's TLS secrets until an expiry",
    .help = "Record the secrets of the gateway's new TLS handshakes, in both roles,\n"
            "in its memory (bounded) until the expiry; `vgw status` and the console\n"
            "say so.  vgw capture stop embeds them in the capture, so Wireshark and\n"
            "tshark decrypt it with no key file.  A new `on` replaces the running\n"
            "one (and wipes what it held).  --json: the firmware's tls-keylog state.",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, .options = tls_keylog_on_options,
    VERB_OPTIONS(VgwTlsKeylogOptions), .run = vgw_tls_keylog_on_run },
  { .name = "off", .summary = "stop recording TLS secrets and wipe them",
    .help = "Stop recording and wipe (zero) the secrets the gateway holds.",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, VERB_OPTIONS(VgwTlsKeylogOptions),
    .run = vgw_tls_keylog_off_run },
  { .name = "status", .summary = "whether the gateway records TLS secrets",
    .help = "Whether the key log is on, for which context, until when, and the\n"
            "lines held and dropped.  --json: the firmware's tls-keylog state.",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, VERB_OPTIONS(VgwTlsKeylogOptions),
    .run = vgw_tls_keylog_status_run },
  { .name = "read", .summary = "print the TLS secrets held (NSS key log format)",
    .help = "Print the secrets the gateway holds as an NSS key log file\n"
            "(SSLKEYLOGFILE format), for a capture made some other way.",
    .flags = VGW_VERB_GATEWAY, VERB_OPTIONS(VgwTlsKeylogOptions),
    .run = vgw_tls_keylog_read_run },
  { NULL },
};

static const VgwVerb tls_verbs[] = {
  { .name = "keylog", .summary = "the gateway's own TLS key log (on, off, status, read)",
    .help = "The gateway's own TLS key log: off by default, on with an expiry.",
    .subs = tls_keylog_verbs },
  { .name = "connections", .summary = "the gateway's TLS connections, both roles",
    .help = "Every TLS connection of the gateway, accepted (server) and opened\n"
            "(client): peer, what it belongs to, the TLS Context and why, version,\n"
            "cipher and group, the peer certificate's subject, SANs and issuer,\n"
            "whether the peer was authenticated, its age, bytes each way and the\n"
            "KeyUpdates sent (TLSReHandshakeInterval); half-open ones with their\n"
            "state.  --json: the firmware's reply (docs/maintenance-protocol.md).",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, VERB_OPTIONS(VgwCommonOptions),
    .run = vgw_tls_connections_run },
  { NULL },
};

/* -- vgw ---------------------------------------------------------------------- */

static const VgwVerb verbs[] = {
  { .name = "up", .summary = "boot a gateway and wait until it is ready",
    .help = "Boot a gateway, wait until it is ready and print its endpoints.\n"
            "Without --detach it stays in the foreground; Ctrl-C stops the gateway.",
    .flags = VGW_VERB_GATEWAY, .options = up_options, VERB_OPTIONS(VgwUpOptions),
    .check = vgw_up_check, .run = vgw_up_run },
  { .name = "snapshot", .summary = "snapshots of running gateways (save, list, delete)",
    .help = "Save running gateways as snapshots; 'vgw up --from' starts clones.",
    .subs = snapshot_verbs },
  { .name = "lab", .summary = "labs: gateways, links and peers from one file (up, down, status, link, capture)",
    .help = "Bring up and down several gateways, the links between their WAN ports\n"
            "and their SIP peers, from one lab file (host-tools/README.md \"Labs\").",
    .subs = lab_verbs },
  { .name = "test", .summary = "run regression scenarios on clones of one gateway, N at a time",
    .help = "Boot one gateway, save it as a snapshot and run each scenario (an\n"
            "executable; a directory gives its executables) on its own clone of it,\n"
            "--jobs at a time (with --record, each on its own recorded gateway; with\n"
            "--no-gateway, scenarios that start their own gateways).  A scenario\n"
            "passes when it exits 0 and prints no failing TAP line.  Exit 1 if any\n"
            "failed.  host-tools/README.md \"vgw test\" documents the environment a\n"
            "scenario gets.",
    .options = test_options, .args = test_args, VERB_OPTIONS(VgwTestOptions),
    .check = vgw_test_check, .run = vgw_test_run },
  { .name = "down", .summary = "stop a gateway",
    .help = "Stop a gateway.  Its flash and console log are kept.",
    .flags = VGW_VERB_GATEWAY, VERB_OPTIONS(VgwCommonOptions), .run = vgw_down_run },
  { .name = "reset", .summary = "reset a gateway and wait until it is ready again",
    .help = "Reset a gateway and wait until it is ready again.  By default the\n"
            "firmware is asked to reset (maintenance port); --hard resets the board.",
    .flags = VGW_VERB_GATEWAY, .options = reset_options, VERB_OPTIONS(VgwResetOptions),
    .check = vgw_reset_check, .run = vgw_reset_run },
  { .name = "status", .summary = "show a gateway's state",
    .help = "Show a gateway's state: from the host, QMP and its firmware.\n"
            "--json prints one object (fields in host-tools/README.md).",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, VERB_OPTIONS(VgwCommonOptions),
    .run = vgw_status_run },
  { .name = "console", .summary = "attach the terminal to a gateway's console",
    .help = "Attach to a gateway's console (UART0).  On a terminal, Ctrl-] detaches;\n"
            "with piped input, the input is sent and output shown until it goes quiet.",
    .flags = VGW_VERB_GATEWAY, VERB_OPTIONS(VgwCommonOptions), .run = vgw_console_run },
  { .name = "list", .summary = "list the gateways in the state directory",
    .help = "List the gateways in the state directory.  --json prints an array\n"
            "of the host fields of 'vgw status --json', one object per gateway.",
    .flags = VGW_VERB_JSON, VERB_OPTIONS(VgwCommonOptions), .run = vgw_list_run },
  { .name = "maint", .summary = "send one maintenance-port request and print its reply",
    .help = "Send one maintenance-port request (after login as $VGW_USER,\n"
            "default Admin) and print the reply's JSON object.",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_OPTIONS_FIRST, .options = maint_options,
    .args = maint_args, VERB_OPTIONS(VgwMaintOptions), .run = vgw_maint_run },
  { .name = "param", .summary = "show or set one parameter (get, set)",
    .help = "Show or set one parameter of a running gateway.", .subs = param_verbs },
  { .name = "ini", .summary = "load, export or check ini configuration files (load, export, check)",
    .help = "Load, export or check ini configuration files.", .subs = ini_verbs },
  { .name = "pending", .summary = "list the staged values that wait for a reset",
    .help = "List the staged values that take effect only after a reset, with\n"
            "their current and pending values.",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, VERB_OPTIONS(VgwCommonOptions),
    .run = vgw_pending_run },
  { .name = "save", .summary = "save the staged configuration to the gateway's flash",
    .help = "Save the staged configuration to the gateway's flash (power-fail\n"
            "safe); a reset then keeps it.",
    .flags = VGW_VERB_GATEWAY | VGW_VERB_JSON, VERB_OPTIONS(VgwCommonOptions),
    .run = vgw_save_run },
  { .name = "factory-reset", .summary = "erase the saved configuration (next boot: factory defaults)",
    .help = "Erase the saved configuration; the next boot (vgw reset) runs the\n"
            "factory defaults.",
    .flags = VGW_VERB_GATEWAY, VERB_OPTIONS(VgwCommonOptions), .run = vgw_factory_reset_run },
  { .name = "keystore",
    .summary = "the crypto engine's key slots (list, gen, import, lock, pub, zeroize), online or offline",
    .help = "The crypto engine's key slots, on a running gateway or (factory\n"
            "provisioning) a stopped one.",
    .subs = keystore_verbs },
  { .name = "cert",
    .summary = "a TLS Context's certificate, chain and trusted roots (inject, show), online or offline",
    .help = "A TLS Context's certificate, chain and trusted roots, on a running or\n"
            "a stopped gateway.",
    .subs = cert_verbs },
  { .name = "flash", .summary = "read a stopped gateway's flash image (show, export-config)",
    .help = "Read a stopped gateway's flash image through the store library.",
    .subs = flash_verbs },
  { .name = "capture", .summary = "capture a gateway's NIC traffic (start, stop)",
    .help = "Capture a running gateway's NIC traffic into a pcapng file.",
    .subs = capture_verbs },
  { .name = "sip", .summary = "the gateway's SIP state and reach (registrations, calls, proxies, options)",
    .help = "The SIP state of a running gateway.", .subs = sip_verbs },
  { .name = "tls", .summary = "the gateway's TLS (keylog, connections)",
    .help = "The TLS of a running gateway.", .subs = tls_verbs },
  { .name = "pki", .summary = "a test PKI: CAs and good or hostile certificates (ca, issue), offline",
    .help = "Make CAs and certificates for testing TLS with a gateway: good ones\n"
            "and the hostile ones a peer must refuse.  No gateway is needed.",
    .subs = pki_verbs },
  { .name = "handshakes", .summary = "explain every TLS handshake in a pcap/pcapng file",
    .help = "Explain every TLS handshake in a capture: endpoints, SNI, offered and\n"
            "chosen versions, ciphers and groups, client authentication,\n"
            "certificates, alerts, the outcome and the first SIP request and\n"
            "response.  TLS 1.3 handshakes are decrypted with the secrets\n"
            "embedded in a pcapng (vgw capture stop --keylog) or given with\n"
            "--keylog.  A damaged or cut-short file gives the handshakes up to the\n"
            "damage, marked as partial.  --json: docs/handshakes.md.",
    .flags = VGW_VERB_JSON, .options = handshakes_options, .args = handshakes_args,
    VERB_OPTIONS(VgwHandshakesOptions), .check = vgw_handshakes_check,
    .run = vgw_handshakes_run },
  { NULL },
};

static const VgwVerb root = {
  .name = "vgw", .summary = "boot, reset and stop virtual gateways",
  .help = "Boot, reset and stop virtual gateways (QEMU -M vgw).  State lives in\n"
          "$VGW_STATE_DIR (default $XDG_RUNTIME_DIR/vgw or /tmp/vgw-<uid>).",
  .subs = verbs,
};

const VgwVerb *
vgw_cli_root(void)
{
  return &root;
}
