/*
 * vgwd's log: every GLib log message goes to the console (stderr) as one
 * line, "[seconds since boot] vgwd: <level>message".
 */
#ifndef VGW_VGWD_LOG_H
#define VGW_VGWD_LOG_H

#include <glib.h>

G_BEGIN_DECLS

/* vgw_log_init installs the handler. Debug messages are shown only when
 * |debug| is TRUE. */
void vgw_log_init(gboolean debug);

/* vgw_uptime_ms returns milliseconds since the kernel booted
 * (CLOCK_BOOTTIME). */
guint64 vgw_uptime_ms(void);

G_END_DECLS

#endif /* VGW_VGWD_LOG_H */
