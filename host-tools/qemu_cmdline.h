/*
 * Which QEMU and images to use, and the QEMU command line of an instance.
 *
 * Lookup order for the QEMU binary: --qemu, $VGW_QEMU, the build's
 * default (meson option qemu_build_dir), qemu-system-aarch64 on PATH.
 * For the images directory: --images, $VGW_IMAGES, the build's default
 * (meson option images_dir).
 */
#ifndef VGW_QEMU_CMDLINE_H
#define VGW_QEMU_CMDLINE_H

#include <glib.h>

#include "instance.h"
#include "replay.h"
#include "vgwd/test_extension_ports.h"

G_BEGIN_DECLS

#define VGW_QEMU_BINARY_NAME "qemu-system-aarch64"

/* The gateway's RTP ports on LAN, VGW_TEST_RTP_PORT_BASE and after
 * (device-fw/vgwd/test_extension_ports.h), are forwarded from
 * VgwInstance.rtp_port and the ports after it: this many. */
#define VGW_QEMU_RTP_PORTS VGW_TEST_RTP_PORTS

typedef struct {
  const char *qemu;    /* binary */
  const char *images;  /* directory with Image, initramfs.cpio, flash.img */
  guint smp;
  guint memory_mb;
  VgwReplayMode replay; /* record or replay this run (replay.h) */
  const char *replay_log; /* QEMU's record/replay log, with |replay| */
} VgwQemuConfig;

/* vgw_qemu_resolve_binary returns the QEMU binary to use given the
 * --qemu value |option| (may be NULL).  Fails with VGW_ERROR_NO_QEMU,
 * "QEMU not found at PATH (run scripts/build.sh, or set VGW_QEMU)". */
char *vgw_qemu_resolve_binary(const char *option, GError **error);

/* vgw_images_resolve_dir returns the images directory given the
 * --images value |option|, after checking that Image,
 * initramfs.cpio and flash.img are in it. */
char *vgw_images_resolve_dir(const char *option, GError **error);

/* vgw_qemu_build_argv returns the full QEMU argv (argv[0] is the binary)
 * for |inst|, whose serial, mac_base and ports must be set. */
char **vgw_qemu_build_argv(const VgwQemuConfig *cfg, const VgwInstance *inst);

/* vgw_qemu_argv_uint returns the value after |option| in the QEMU argv
 * |argv| as a number; 0 when absent. */
guint vgw_qemu_argv_uint(char **argv, const char *option);

/* vgw_qemu_explain_failure turns QEMU's stderr |log_text| after an early
 * exit into one line for the user, with the error code to use: a host
 * forwarding failure, or a WAN link that could not listen, becomes "port
 * P/udp on 127.0.0.1 is in use" (VGW_ERROR_PORT_IN_USE), an unknown machine "QEMU at Q has no vgw
 * machine ..." (VGW_ERROR_NO_QEMU), anything else "QEMU exited early:
 * <last stderr line>" (VGW_ERROR_EXITED). */
void vgw_qemu_explain_failure(const char *qemu, const char *log_text,
                              GError **error);

G_END_DECLS

#endif /* VGW_QEMU_CMDLINE_H */
