/*
 * The board as vgwd sees it: the system controller found through the
 * device tree and mapped through /dev/mem, its identity and reset cause
 * read once at start, and the watchdog serviced from the main loop.
 */
#ifndef VGW_HAL_BOARD_H
#define VGW_HAL_BOARD_H

#include <glib.h>

#include "hal/devmem.h"
#include "hal/sysctl.h"

G_BEGIN_DECLS

/* VGW_SYSCTL_COMPATIBLE is the device-tree compatible of the sysctl. */
#define VGW_SYSCTL_COMPATIBLE "vgw,sysctl"

typedef struct {
  gboolean present;           /* the system controller was found */
  VgwDevmem mem;
  VgwSysctl sc;
  VgwBoardIdentity id;
  char mac_base[18];
  uint32_t reset_cause;
  uint32_t reset_count;
  gboolean wdt_enabled;
  uint32_t wdt_timeout_ms;
  guint kick_source;
} VgwBoard;

/* vgw_board_open finds and maps the system controller, checks its ID and
 * reads identity and reset cause into |b|. On failure |b->present| is
 * FALSE, |error| says why, and the other fields hold placeholders
 * ("unknown" serial) so the firmware can still run (e.g. on -M virt). */
gboolean vgw_board_open(VgwBoard *b, GError **error);

/* vgw_board_start_watchdog enables the watchdog with |timeout_ms|, locked,
 * and kicks it every |kick_ms| from the default main context, so a hung
 * main loop resets the board. No-op without a system controller. */
gboolean vgw_board_start_watchdog(VgwBoard *b, uint32_t timeout_ms,
                                  guint kick_ms);

/* vgw_board_reset asks the system controller for a board reset (reset
 * cause "firmware"). Returns only without a system controller, or if the
 * reset did not happen within a second. */
void vgw_board_reset(VgwBoard *b);

G_END_DECLS

#endif /* VGW_HAL_BOARD_H */
