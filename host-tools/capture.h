/*
 * Packet capture on a gateway's virtual NICs (vgw capture, vgw up
 * --capture).
 *
 * QEMU's filter-dump writes pcap records whose timestamps are not wall
 * clock (see capture_relay.c), so QEMU writes into a FIFO in the state
 * directory and a relay process (`vgw capture _relay`, detached) turns the
 * records into pcapng with corrected times, one interface per NIC ("lan"
 * and "wan", the netdev ids of qemu_cmdline.c).  The relay ends by itself
 * when QEMU closes the FIFOs: at `vgw capture stop` (object-del of the
 * filters) or when the gateway stops.  capture.json in the state
 * directory records the running capture.
 */
#ifndef VGW_CAPTURE_H
#define VGW_CAPTURE_H

#include <glib.h>

#include "instance.h"
#include "qmp.h"

G_BEGIN_DECLS

typedef enum {
  VGW_CAPTURE_LAN = 1,
  VGW_CAPTURE_WAN = 2,
  VGW_CAPTURE_ALL = 3,
} VgwCapturePorts;

/* vgw_capture_ports_parse reads "lan", "wan" or "all"; VGW_ERROR_USAGE
 * otherwise. */
gboolean vgw_capture_ports_parse(const char *text, VgwCapturePorts *out, GError **error);

/* vgw_capture_launch starts the relay writing the pcapng |out| for the
 * NICs in |ports| of |inst| and waits until it reads the FIFOs; the
 * capture is recorded in capture.json.  Fails if a capture is running. */
gboolean vgw_capture_launch(const VgwInstance *inst, const char *out, VgwCapturePorts ports,
                            GError **error);

/* vgw_capture_qemu_args returns the -object filter-dump options that make
 * QEMU write the NICs in |ports| to the relay from boot on. */
char **vgw_capture_qemu_args(const VgwInstance *inst, VgwCapturePorts ports);

/* vgw_capture_boot launches the relay for |out| (all NICs) and appends
 * the filter-dump objects to |inst|'s QEMU argv: for vgw up --capture. */
gboolean vgw_capture_boot(VgwInstance *inst, const char *out, GError **error);

G_END_DECLS

#endif /* VGW_CAPTURE_H */
