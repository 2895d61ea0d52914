/*
 * The maintenance port: a serial line (UART1, /dev/ttyAMA1) in raw,
 * non-blocking mode, served from the main loop. Input is split into lines
 * (mgmt_linebuf.h), each handed to a VgwMgmtSession; its output is queued
 * and written as the line accepts it. Actions a request asks for (reset,
 * debug hooks) run only after the reply has left the UART.
 */
#ifndef VGW_MGMT_PORT_H
#define VGW_MGMT_PORT_H

#include <glib.h>

#include "mgmt/mgmt_session.h"

G_BEGIN_DECLS

/* VgwMgmtActionFunc performs |action| once its reply has been sent. */
typedef void (*VgwMgmtActionFunc)(VgwMgmtAction action, gpointer user_data);

typedef struct VgwMgmtPort VgwMgmtPort;

/* vgw_mgmt_port_open opens |tty_path| raw and non-blocking and serves
 * |session| (not owned) on it from the default main context. Returns NULL
 * and sets |error| when the device cannot be opened or configured. */
VgwMgmtPort *vgw_mgmt_port_open(const char *tty_path, VgwMgmtSession *session,
                                VgwMgmtActionFunc act, gpointer user_data,
                                GError **error);

/* vgw_mgmt_port_close stops serving and closes the device; NULL allowed. */
void vgw_mgmt_port_close(VgwMgmtPort *port);

G_END_DECLS

#endif /* VGW_MGMT_PORT_H */
