/*
 * Record and replay of a gateway's run: QEMU's record/replay (icount)
 * with everything the board needs for a replay to match its record
 * instruction for instruction (docs/record-replay.md says why each piece).
 *
 * A recording is a directory, written by `vgw up --record DIR` before
 * QEMU starts (all but the log) and while it runs (the log):
 *   replay.bin         QEMU's log of every non-deterministic input
 *   flash.img, keystore.bin (when there was one), keystore.secret
 *                      the gateway's as they were when the record began
 *   Image, initramfs.cpio
 *                      the images it booted
 *   instance.json      the recording gateway's record: identity, QEMU, argv
 *   end.icount         the instruction count at which the record was
 *                      stopped (decimal), written when it is stopped
 * `vgw up --replay DIR` starts a new gateway from it that runs the
 * recorded execution again, from the same state, and pauses at the
 * instruction count where the record was stopped.
 */
#ifndef VGW_REPLAY_H
#define VGW_REPLAY_H

#include <glib.h>

#include "bootwait.h"
#include "instance.h"
#include "qmp.h"

G_BEGIN_DECLS

typedef enum {
  VGW_REPLAY_NONE,
  VGW_REPLAY_RECORD,
  VGW_REPLAY_PLAY,
} VgwReplayMode;

/* vgw_replay_log returns the path of QEMU's log in recording |dir|. */
char *vgw_replay_log(const char *dir);

/* vgw_replay_flash_args returns the -drive options that give the board
 * |flash| through QEMU's blkreplay driver, so that flash I/O completes at
 * recorded points. */
char **vgw_replay_flash_args(const char *flash);

/* vgw_replay_console_chardev returns the console's -chardev value: a
 * file chardev writing |console_log|.  A socket chardev with no client
 * takes no bytes, and a replay writes only as many bytes as the record's
 * chardev took, so its log would stay empty. */
char *vgw_replay_console_chardev(const char *console_log);

/* VGW_REPLAY_MAINT_CHARDEV is the maintenance port's -chardev value: no
 * backend.  The board sends the guest a break when a host client
 * connects to or hangs up from the maintenance socket, and QEMU 7.2 logs
 * chardev input but not these events, so a recording that used the port
 * would not replay; without a socket no client can connect. */
#define VGW_REPLAY_MAINT_CHARDEV "null,id=maint"

/* vgw_replay_args returns the options that turn on |mode| (not
 * VGW_REPLAY_NONE) with the log |log|: -icount with rr=, a filter-replay
 * on each of the NICs' netdevs |netdevs| (NULL-terminated), and virtio-net
 * transmitting from a virtual-clock timer (QEMU 7.2's transmit bottom
 * half runs at host moments that no log records). */
char **vgw_replay_args(VgwReplayMode mode, const char *log, const char *const *netdevs);

/* vgw_replay_record_begin creates the recording directory |dir| (which
 * must not exist: VGW_ERROR_RUNNING) and copies into it the state of the
 * gateway |inst| that is about to boot from |images|: flash, keystore (if
 * any), board secret, images.  The caller writes instance.json once the
 * argv is known (vgw_replay_record_instance). */
gboolean vgw_replay_record_begin(const VgwInstance *inst, const char *images, const char *dir,
                                 GError **error);

/* vgw_replay_record_instance saves |inst|'s record (vgw_instance_to_json)
 * as |dir|/instance.json. */
gboolean vgw_replay_record_instance(const VgwInstance *inst, const char *dir, GError **error);

/* vgw_replay_provision prepares the new instance |clone| for a replay of
 * recording |dir|: takes the recording gateway's identity, forwards and
 * seed, copies flash, keystore and board secret into its state directory,
 * and returns the recording's smp (|*smp|), QEMU binary (|*qemu|) and
 * images directory (|*images|, that is |dir|).  VGW_ERROR_UNKNOWN when
 * |dir| holds no recording. */
gboolean vgw_replay_provision(const char *dir, VgwInstance *clone, guint *smp, char **qemu,
                              char **images, GError **error);

/* vgw_replay_mode_of returns the record/replay mode of the QEMU argv
 * |argv| (VGW_REPLAY_NONE for a plain run) and, for the others, its
 * recording directory in |*dir| (if not NULL). */
VgwReplayMode vgw_replay_mode_of(char **argv, char **dir);

/* vgw_replay_icount returns QEMU's instruction count of the record or
 * replay (HMP `info replay`) in |*icount|.  VGW_ERROR_FAILED when QEMU's
 * answer has none. */
gboolean vgw_replay_icount(VgwQmp *qmp, guint64 *icount, GError **error);

/* vgw_replay_record_end marks the end of the recording in |dir| of the
 * QEMU behind |qmp|, which is about to quit: pauses it, saves its
 * instruction count as end.icount, and lets it run on until the count
 * has moved past (a replay pauses there before it meets the recorded
 * shutdown, which would end it). */
gboolean vgw_replay_record_end(VgwQmp *qmp, const char *dir, GError **error);

/* vgw_replay_pause_at_end tells the replaying QEMU behind |qmp|, started
 * paused (-S), to pause again at the end.icount of recording |dir|, and
 * runs it. */
gboolean vgw_replay_pause_at_end(VgwQmp *qmp, const char *dir, GError **error);

/* vgw_replay_run_to_end lets the replaying QEMU behind |qmp| run on to
 * the recorded quit, which ends it: removes the pause at the end and
 * runs it. */
gboolean vgw_replay_run_to_end(VgwQmp *qmp, GError **error);

/* vgw_replay_start connects to the QMP socket |qmp_sock| of a replaying
 * QEMU just started, waiting for it up to |timeout_s| or until |alive|
 * says QEMU is gone (VGW_ERROR_EXITED), and runs
 * vgw_replay_pause_at_end for recording |dir|. */
gboolean vgw_replay_start(const char *qmp_sock, const char *dir, guint timeout_s,
                          VgwAliveFunc alive, gpointer alive_data, GError **error);

/* vgw_replay_end_icount reads end.icount of recording |dir|. */
gboolean vgw_replay_end_icount(const char *dir, guint64 *icount, GError **error);

G_END_DECLS

#endif /* VGW_REPLAY_H */
