/*
 * Instances and their state directories.
 *
 * An instance is a named gateway.  Its state directory
 * $VGW_STATE_DIR/<name> holds its sockets, logs, flash copy and
 * instance.json (identity, ports, WAN link, start time, pid, QEMU argv).  The state
 * root is $VGW_STATE_DIR, else $XDG_RUNTIME_DIR/vgw, else /tmp/vgw-<uid>.
 *
 * Whether an instance is running is decided from the live process, never
 * from a file alone: the recorded pid must exist, not be a zombie, and be
 * a QEMU started for this state directory.
 */
#ifndef VGW_INSTANCE_H
#define VGW_INSTANCE_H

#include <glib.h>
#include <json-glib/json-glib.h>

#include "wan_link.h"

G_BEGIN_DECLS

/* Longest unix socket path that fits sockaddr_un.sun_path with its NUL. */
#define VGW_UNIX_PATH_MAX 107

#define VGW_DEFAULT_NAME "default"

/* A host port on 127.0.0.1 forwarded to a SIP Interface's port on LAN,
 * beyond the factory forwards (sip_port, sip_tls_port): see
 * sip_forwards.h. */
typedef struct {
  gboolean tcp;   /* TCP (a TCP or TLS listener), else UDP */
  guint16 guest;  /* the interface's port */
  guint16 host;
} VgwForward;

/* The seed of QEMU's guest-visible RNG (`vgw up --seed`, QEMU -seed):
 * it makes the crypto engine's TRNG, key generation and signatures
 * reproducible.  The largest seed fits a JSON integer of instance.json. */
typedef struct {
  gboolean set;   /* FALSE: QEMU draws from the host's RNG */
  guint64 value;  /* 0..VGW_SEED_MAX */
} VgwSeed;

#define VGW_SEED_MAX ((guint64) G_MAXINT64)

/* vgw_remove_flat_dir removes |dir| and the files in it (not
 * subdirectories: state and snapshot directories have none), ignoring
 * what cannot be removed. */
void vgw_remove_flat_dir(const char *dir);

/* vgw_file_copy copies |from| to |to|, which must not exist; else
 * VGW_ERROR_FAILED "cannot copy F to T: <reason>". */
gboolean vgw_file_copy(const char *from, const char *to, GError **error);

/* vgw_seed_parse sets |seed| from the decimal |text| (0..VGW_SEED_MAX);
 * else a VGW_ERROR_USAGE error "invalid value 'T' for --seed (...)". */
gboolean vgw_seed_parse(const char *text, VgwSeed *seed, GError **error);

/* Every port of 32 interfaces, UDP, TCP and TLS. */
#define VGW_MAX_FORWARDS 96

typedef struct {
  char *name;
  char *dir;           /* state directory */
  char *qmp_sock;
  char *console_sock;
  char *maint_sock;
  char *console_log;
  char *qemu_log;
  char *pid_file;
  char *flash;
  char *keystore;        /* the crypto engine's keystore (secure element) */
  char *keystore_secret; /* the board secret that wraps it, base64 */
  char *json_file;
  char *lock_file;

  /* Recorded in instance.json; zero/NULL until known. */
  char *serial;
  char *mac_base;      /* "aa:bb:cc:dd:ee:ff" */
  guint16 sip_port;    /* UDP and TCP */
  guint16 sip_tls_port;
  guint16 rtp_port;    /* first of VGW_QEMU_RTP_PORTS UDP ports; 0: none */
  gsize n_forwards;    /* the SIP Interfaces' other LAN ports */
  VgwForward forwards[VGW_MAX_FORWARDS];
  VgwWanLink wan_link; /* the WAN port's network (wan_link.h) */
  VgwSeed seed;        /* of the last up: not kept from one up to the next */
  int pid;             /* 0 when not started by us or stopped */
  gint64 started_unix; /* seconds since the epoch, 0 if never */
  char *qemu;          /* QEMU binary used */
  char *images;        /* images directory used */
  char **qemu_argv;
} VgwInstance;

/* vgw_state_root returns the state root directory (not created). */
char *vgw_state_root(void);

/* vgw_instance_name_check returns TRUE if |name| is 1 to 32 characters
 * of [A-Za-z0-9_.-] not starting with '.' or '-' (a safe directory and
 * socket path component); else a VGW_ERROR_USAGE error. */
gboolean vgw_instance_name_check(const char *name, GError **error);

/* vgw_instance_new returns the instance |name| with all its paths filled
 * in (nothing read or created).  Fails with VGW_ERROR_USAGE for a bad
 * name and VGW_ERROR_FAILED when a socket path would exceed
 * VGW_UNIX_PATH_MAX bytes. */
VgwInstance *vgw_instance_new(const char *name, GError **error);

void vgw_instance_free(VgwInstance *inst);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgwInstance, vgw_instance_free)

/* vgw_instance_known returns TRUE if the state directory holds an
 * instance.json (the instance was started at least once). */
gboolean vgw_instance_known(const VgwInstance *inst);

/* vgw_instance_ensure_dir creates the state root and directory (0700). */
gboolean vgw_instance_ensure_dir(const VgwInstance *inst, GError **error);

/* vgw_instance_load reads instance.json into |inst|'s recorded fields.
 * A missing file is a VGW_ERROR_UNKNOWN error, "no gateway named 'N'". */
gboolean vgw_instance_load(VgwInstance *inst, GError **error);

/* vgw_instance_load_from reads the recorded fields (identity, ports,
 * forwards, WAN link, seed, pid, QEMU, images, argv) of |inst| from the
 * instance.json at |path|, a snapshot's copy for example; |inst|'s own
 * paths stay.  Fails with VGW_ERROR_FAILED "cannot read PATH: why". */
gboolean vgw_instance_load_from(VgwInstance *inst, const char *path, GError **error);

/* vgw_json_object_file_read returns the JSON object in the file |path|
 * of at most |limit| bytes (unref it); VGW_ERROR_FAILED "cannot read
 * PATH: why" for anything else. */
JsonObject *vgw_json_object_file_read(const char *path, gsize limit, GError **error);

/* vgw_instance_to_json returns instance.json's text for |inst|. */
char *vgw_instance_to_json(const VgwInstance *inst);

/* vgw_instance_save writes instance.json atomically. */
gboolean vgw_instance_save(const VgwInstance *inst, GError **error);

/* vgw_instance_running_pid returns the pid of the QEMU process running
 * this instance, or 0 if none is running. */
int vgw_instance_running_pid(const VgwInstance *inst);

/* vgw_instance_require_running loads |inst| and returns its running pid;
 * fails with VGW_ERROR_UNKNOWN or VGW_ERROR_NOT_RUNNING ("gateway 'N' is
 * not running"). */
int vgw_instance_require_running(VgwInstance *inst, GError **error);

/* vgw_instance_lock takes the instance's lock file (exclusive, not
 * waiting) and returns its fd; closing the fd releases it.  Whoever starts
 * the gateway or writes its images offline holds it.  Fails with
 * VGW_ERROR_RUNNING, "gateway 'N' is being started or run by another
 * vgw". */
int vgw_instance_lock(const VgwInstance *inst, GError **error);

/* vgw_instance_remove_runtime_files removes the sockets and the pid file
 * (flash.img, keystore.bin, keystore.secret, console.log and
 * instance.json stay). */
void vgw_instance_remove_runtime_files(const VgwInstance *inst);

/* vgw_instance_list_names returns the names of all known instances in
 * the state root, sorted; an empty vector if the root does not exist. */
char **vgw_instance_list_names(void);

/* vgw_list_named_dirs returns the names of the directories in |root|
 * that are valid names (vgw_instance_name_check) and hold a regular file
 * |marker|, sorted; an empty vector if |root| does not exist. */
char **vgw_list_named_dirs(const char *root, const char *marker);

/* vgw_pid_cmdline reads |pid|'s command line (/proc/PID/cmdline: every
 * argument NUL-terminated) into |*data|, |*len| bytes plus one more NUL;
 * FALSE if it cannot be read or is empty (a kernel thread, a zombie). */
gboolean vgw_pid_cmdline(int pid, char **data, gsize *len);

/* vgw_pid_cmdline_mentions returns TRUE if one of |pid|'s arguments
 * (its command line, vgw_pid_cmdline) contains |needle|. */
gboolean vgw_pid_cmdline_mentions(int pid, const char *needle);

/* vgw_pid_alive returns TRUE if |pid| exists and is not a zombie. */
gboolean vgw_pid_alive(int pid);

G_END_DECLS

#endif /* VGW_INSTANCE_H */
