/*
 * Waiting for a gateway to boot: follow console.log from a given offset
 * until the firmware's ready line, a kernel panic, QEMU going away, a
 * timeout, or SIGINT/SIGTERM.
 *
 * Only output written after |offset| counts, so `vgw up` and `vgw reset`
 * never mistake the previous boot's ready line for this one's.
 */
#ifndef VGW_BOOTWAIT_H
#define VGW_BOOTWAIT_H

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VGW_READY_MARK "VGW-READY "
#define VGW_PANIC_MARK "Kernel panic"
/* The guest's init prints this first (device-fw/init/init): a boot of the
 * firmware starts here. */
#define VGW_START_MARK "init: started at "
#define VGW_TAIL_LINES 15

typedef struct VgwConsoleScan VgwConsoleScan;

typedef enum {
  VGW_CONSOLE_NOTHING, /* no ready line or panic yet */
  VGW_CONSOLE_READY,   /* the ready line was seen */
  VGW_CONSOLE_PANIC,   /* "Kernel panic" was seen */
  VGW_CONSOLE_START,   /* a boot's start mark was seen */
} VgwConsoleEvent;

/* vgw_console_scan_new follows |path| from byte |offset|.  The file need
 * not exist yet; if it shrinks (QEMU truncated it), scanning restarts at 0. */
VgwConsoleScan *vgw_console_scan_new(const char *path, goffset offset);
void vgw_console_scan_free(VgwConsoleScan *scan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgwConsoleScan, vgw_console_scan_free)

/* vgw_console_scan_poll reads what was appended since the last call and
 * reports the first ready line, panic or start mark among complete lines
 * (the next call goes on after it).  For a
 * ready line, |*ready| (if not NULL) gets the line's JSON object (an empty
 * object if the JSON does not parse). */
VgwConsoleEvent vgw_console_scan_poll(VgwConsoleScan *scan, JsonObject **ready);

/* vgw_console_scan_tail returns the last |n| lines read so far, joined
 * with "\n" (an unfinished last line included). */
char *vgw_console_scan_tail(VgwConsoleScan *scan, guint n);

/* vgw_console_firmware_ready returns TRUE if the console log |path| shows
 * the firmware ready since the last boot started (its last start mark),
 * i.e. the maintenance port can be asked now; FALSE while that boot is
 * still on its way.  |*boot_offset| gets the offset just after the last
 * start mark (0 without one), where a wait for this boot's ready line
 * begins. */
gboolean vgw_console_firmware_ready(const char *path, goffset *boot_offset);

/* vgw_file_size returns the size of |path|, 0 if it does not exist. */
goffset vgw_file_size(const char *path);

/* VgwAliveFunc returns FALSE once QEMU is gone. */
typedef gboolean (*VgwAliveFunc)(gpointer data);

typedef struct {
  JsonObject *ready;  /* the ready line's object, on success */
  double elapsed_s;   /* from the call to the ready line */
  char *tail;         /* last console lines, on panic/timeout/exit */
} VgwBootResult;

void vgw_boot_result_clear(VgwBootResult *result);

/* vgw_boot_wait runs the default main context until the ready line
 * appears in |console_log| after |offset| (TRUE), or fails with
 * VGW_ERROR_PANIC, VGW_ERROR_TIMEOUT (|timeout_s|), VGW_ERROR_EXITED
 * (|alive| returned FALSE) or VGW_ERROR_INTERRUPTED.  Messages name the
 * gateway |name|.  With |after_start| only a ready line that follows a
 * start mark (VGW_START_MARK) after |offset| counts: that of a boot that
 * began after the call, never that of a boot already under way (after a
 * reset the console shows nothing new until the next boot's init). */
gboolean vgw_boot_wait(const char *name, const char *console_log,
                       goffset offset, gboolean after_start, guint timeout_s,
                       VgwAliveFunc alive, gpointer alive_data,
                       VgwBootResult *result, GError **error);

G_END_DECLS

#endif /* VGW_BOOTWAIT_H */
