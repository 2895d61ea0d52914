/*
 * System controller driver (machine/regs/vgw_sysctl.h).
 *
 * The driver works on a register window given as a `volatile uint32_t *`,
 * so the firmware hands it the /dev/mem mapping (hal/devmem.h) and a unit
 * test hands it a plain array. Offsets come only from vgw_sysctl.h.
 */
#ifndef VGW_HAL_SYSCTL_H
#define VGW_HAL_SYSCTL_H

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

typedef struct {
  volatile uint32_t *regs; /* start of the register block */
} VgwSysctl;

typedef struct {
  char serial[17];     /* NUL-terminated, at most 16 characters */
  uint32_t hw_rev;
  uint8_t mac_base[6];
} VgwBoardIdentity;

/* vgw_sysctl_init points |sc| at the register window |regs|. */
void vgw_sysctl_init(VgwSysctl *sc, volatile uint32_t *regs);

/* vgw_sysctl_read returns the 32-bit register at byte offset |offset|. */
uint32_t vgw_sysctl_read(const VgwSysctl *sc, uint32_t offset);

/* vgw_sysctl_write stores |value| in the register at byte offset
 * |offset|. */
void vgw_sysctl_write(const VgwSysctl *sc, uint32_t offset, uint32_t value);

/* vgw_sysctl_probe returns TRUE if the ID register holds
 * VGW_SYSCTL_ID_VALUE and the block's major version is one this driver
 * knows. */
gboolean vgw_sysctl_probe(const VgwSysctl *sc);

/* vgw_sysctl_read_identity decodes serial number, hardware revision and
 * MAC base into |out|. Non-printable serial bytes become '?'. */
void vgw_sysctl_read_identity(const VgwSysctl *sc, VgwBoardIdentity *out);

/* vgw_sysctl_reset_cause returns the RESET_CAUSE register
 * (VGW_RESET_CAUSE_*). */
uint32_t vgw_sysctl_reset_cause(const VgwSysctl *sc);

/* vgw_sysctl_reset_count returns the resets since power-on. */
uint32_t vgw_sysctl_reset_count(const VgwSysctl *sc);

/* vgw_reset_cause_name returns "power-on", "host", "firmware" or
 * "watchdog" for a VGW_RESET_CAUSE_* value, "unknown" otherwise. */
const char *vgw_reset_cause_name(uint32_t cause);

/* vgw_sysctl_wdt_start programs the watchdog timeout to |timeout_ms|, then
 * sets ENABLE (and LOCK if |lock|), and kicks it once. It returns TRUE if
 * the watchdog then reads back enabled with that timeout. When the
 * watchdog is already locked (a restarted firmware after a crash) the
 * writes are ignored by the hardware and the return value tells whether
 * the running configuration matches. |timeout_ms| outside
 * VGW_WDT_TIMEOUT_MIN..MAX returns FALSE without writing. */
gboolean vgw_sysctl_wdt_start(const VgwSysctl *sc, uint32_t timeout_ms,
                              gboolean lock);

/* vgw_sysctl_wdt_kick reloads the watchdog (writes the kick magic). */
void vgw_sysctl_wdt_kick(const VgwSysctl *sc);

/* vgw_sysctl_wdt_enabled returns whether WDT_CTRL has ENABLE set. */
gboolean vgw_sysctl_wdt_enabled(const VgwSysctl *sc);

/* vgw_sysctl_wdt_timeout returns WDT_TIMEOUT in ms. */
uint32_t vgw_sysctl_wdt_timeout(const VgwSysctl *sc);

/* vgw_sysctl_request_reset writes the reset magic; on the board the reset
 * happens at once and this does not return. */
void vgw_sysctl_request_reset(const VgwSysctl *sc);

/* vgw_format_mac writes |mac| as "aa:bb:cc:dd:ee:ff" into |out|. */
void vgw_format_mac(const uint8_t mac[6], char out[18]);

G_END_DECLS

#endif /* VGW_HAL_SYSCTL_H */
