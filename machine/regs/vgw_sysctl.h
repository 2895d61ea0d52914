/*
 * vgw system controller register map.
 *
 * All registers are 32 bits wide, little-endian, and must be accessed with
 * aligned 32-bit loads and stores.  Plain C, no QEMU includes: the device
 * model and the firmware both include this file.
 *
 * Device tree: compatible = "vgw,sysctl".
 */
#ifndef VGW_REGS_SYSCTL_H
#define VGW_REGS_SYSCTL_H

#define VGW_SYSCTL_ID               0x000   /* RO: VGW_SYSCTL_ID_VALUE */
#define VGW_SYSCTL_VERSION          0x004   /* RO: block version, major << 16 | minor */
#define VGW_SYSCTL_HW_REV           0x008   /* RO: board hardware revision (property "hw-rev") */
#define VGW_SYSCTL_RESET_CAUSE      0x00c   /* RO: VGW_RESET_CAUSE_* of the last reset */
#define VGW_SYSCTL_RESET_COUNT      0x010   /* RO: resets since power-on (0 after power-on) */
#define VGW_SYSCTL_RESET_REQ        0x014   /* WO: write VGW_SYSCTL_RESET_REQ_MAGIC to reset the board */
#define VGW_SYSCTL_SCRATCH          0x018   /* RW: survives warm resets, 0 after power-on */
#define VGW_SYSCTL_SERIAL0          0x020   /* RO: serial number, 16 ASCII bytes, NUL padded, */
#define VGW_SYSCTL_SERIAL_LEN       16      /*     byte i at SERIAL0 + i (little-endian words) */
#define VGW_SYSCTL_MAC_BASE_HI      0x030   /* RO: MAC base bytes 0..1 in bits 15..0 (byte 0 in 15..8) */
#define VGW_SYSCTL_MAC_BASE_LO      0x034   /* RO: MAC base bytes 2..5 (byte 2 in bits 31..24) */
#define VGW_SYSCTL_WDT_CTRL         0x040   /* RW: VGW_WDT_CTRL_* */
#define VGW_SYSCTL_WDT_TIMEOUT      0x044   /* RW: timeout in ms, VGW_WDT_TIMEOUT_MIN..MAX */
#define VGW_SYSCTL_WDT_KICK         0x048   /* WO: write VGW_SYSCTL_WDT_KICK_MAGIC to reload */
#define VGW_SYSCTL_WDT_REMAINING    0x04c   /* RO: ms left before the watchdog resets the board */

#define VGW_SYSCTL_ID_VALUE         0x53574756u  /* "VGWS" in memory order */
#define VGW_SYSCTL_VERSION_VALUE    0x00010000u  /* 1.0 */

#define VGW_SYSCTL_RESET_REQ_MAGIC  0x54455352u  /* "RSET" */
#define VGW_SYSCTL_WDT_KICK_MAGIC   0x4b43494bu  /* "KICK" */

/* RESET_CAUSE values */
#define VGW_RESET_CAUSE_POWER_ON    0  /* first start of the machine */
#define VGW_RESET_CAUSE_HOST        1  /* host reset: QMP system_reset, monitor */
#define VGW_RESET_CAUSE_FIRMWARE    2  /* firmware asked: RESET_REQ, or PSCI SYSTEM_RESET */
#define VGW_RESET_CAUSE_WATCHDOG    3  /* watchdog expired */

/* WDT_CTRL bits */
#define VGW_WDT_CTRL_ENABLE         (1u << 0)  /* count down from WDT_TIMEOUT */
#define VGW_WDT_CTRL_LOCK           (1u << 1)  /* set-only: ENABLE and TIMEOUT frozen until reset */

#define VGW_WDT_TIMEOUT_MIN         100u      /* ms */
#define VGW_WDT_TIMEOUT_MAX         600000u   /* ms */
#define VGW_WDT_TIMEOUT_DEFAULT     30000u    /* ms */

#endif /* VGW_REGS_SYSCTL_H */
