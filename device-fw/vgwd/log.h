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

/* vgw_log_set_syslog sends every later message also as a UDP syslog
 * datagram (RFC 3164 style, facility |facility| 16..23 = local0..7) to
 * |server|:|port| (host byte order) when |enable| and |server| is not 0;
 * otherwise stops sending. Debug messages go out only when |debug_level|
 * (GwDebugLevel) is above 0. Sending never blocks: the socket is
 * non-blocking and a datagram that does not fit is dropped. */
void vgw_log_set_syslog(gboolean enable, guint32 server, guint16 port,
                        guint facility, guint debug_level);

/* vgw_uptime_ms returns milliseconds since the kernel booted
 * (CLOCK_BOOTTIME). */
guint64 vgw_uptime_ms(void);

G_END_DECLS

#endif /* VGW_VGWD_LOG_H */
