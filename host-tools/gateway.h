/*
 * A gateway as the host sees it: stopping it (shared by `vgw down`, the
 * foreground `vgw up` on SIGINT/SIGTERM, and `vgw up` cleaning up after a
 * failed boot) and describing it (`vgw status`, `vgw list`).
 */
#ifndef VGW_GATEWAY_H
#define VGW_GATEWAY_H

#include <json-glib/json-glib.h>

#include "instance.h"

G_BEGIN_DECLS

/* Seconds QEMU gets to leave after QMP quit, then after SIGTERM. */
#define VGW_QUIT_TIMEOUT_S 10
#define VGW_TERM_TIMEOUT_S 5

/* vgw_wait_pid_exit polls until |pid| is gone (or a zombie) or
 * |timeout_ms| passed; returns TRUE if it is gone. */
gboolean vgw_wait_pid_exit(int pid, guint timeout_ms);

/* vgw_gateway_kill ends |pid| without asking: SIGTERM, then SIGKILL
 * after VGW_TERM_TIMEOUT_S.  Returns TRUE once it is gone. */
gboolean vgw_gateway_kill(int pid);

/* vgw_gateway_stop stops the QEMU |pid| of |inst|: QMP quit, then
 * vgw_gateway_kill if it does not leave in time.  Removes the sockets and
 * pid file and records the instance as stopped (flash.img and
 * console.log stay).  Fails only if the process survives SIGKILL. */
gboolean vgw_gateway_stop(VgwInstance *inst, int pid, GError **error);

/* vgw_gateway_mark_stopped removes the runtime files and records pid 0 in
 * instance.json (best effort). */
void vgw_gateway_mark_stopped(VgwInstance *inst);

/* vgw_gateway_describe returns the host's facts about |inst|, whose QEMU
 * runs as |pid| (0: stopped): name, state, pid, uptime_s, serial,
 * mac_base, ports, forwards, wan_link, state_dir, sockets
 * (host-tools/README.md, vgw status --json).  A stopped gateway has pid
 * and uptime_s null. */
JsonObject *vgw_gateway_describe(const VgwInstance *inst, int pid);

G_END_DECLS

#endif /* VGW_GATEWAY_H */
