/* System controller driver: see sysctl.h. */
#include "hal/sysctl.h"

#include <stdio.h>

#include "vgw_sysctl.h"

void vgw_sysctl_init(VgwSysctl *sc, volatile uint32_t *regs) {
  sc->regs = regs;
}

uint32_t vgw_sysctl_read(const VgwSysctl *sc, uint32_t offset) {
  return sc->regs[offset / 4];
}

void vgw_sysctl_write(const VgwSysctl *sc, uint32_t offset, uint32_t value) {
  sc->regs[offset / 4] = value;
}

gboolean vgw_sysctl_probe(const VgwSysctl *sc) {
  if (vgw_sysctl_read(sc, VGW_SYSCTL_ID) != VGW_SYSCTL_ID_VALUE) {
    return FALSE;
  }
  uint32_t version = vgw_sysctl_read(sc, VGW_SYSCTL_VERSION);
  return (version >> 16) == (VGW_SYSCTL_VERSION_VALUE >> 16);
}

void vgw_sysctl_read_identity(const VgwSysctl *sc, VgwBoardIdentity *out) {
  for (uint32_t i = 0; i < VGW_SYSCTL_SERIAL_LEN; i += 4) {
    uint32_t word = vgw_sysctl_read(sc, VGW_SYSCTL_SERIAL0 + i);
    for (uint32_t b = 0; b < 4; b++) {
      out->serial[i + b] = (char)((word >> (8 * b)) & 0xff);
    }
  }
  out->serial[VGW_SYSCTL_SERIAL_LEN] = '\0';
  for (size_t i = 0; out->serial[i] != '\0'; i++) {
    if (!g_ascii_isprint(out->serial[i])) {
      out->serial[i] = '?';
    }
  }
  out->hw_rev = vgw_sysctl_read(sc, VGW_SYSCTL_HW_REV);
  uint32_t hi = vgw_sysctl_read(sc, VGW_SYSCTL_MAC_BASE_HI);
  uint32_t lo = vgw_sysctl_read(sc, VGW_SYSCTL_MAC_BASE_LO);
  out->mac_base[0] = (uint8_t)(hi >> 8);
  out->mac_base[1] = (uint8_t)hi;
  out->mac_base[2] = (uint8_t)(lo >> 24);
  out->mac_base[3] = (uint8_t)(lo >> 16);
  out->mac_base[4] = (uint8_t)(lo >> 8);
  out->mac_base[5] = (uint8_t)lo;
}

uint32_t vgw_sysctl_reset_cause(const VgwSysctl *sc) {
  return vgw_sysctl_read(sc, VGW_SYSCTL_RESET_CAUSE);
}

uint32_t vgw_sysctl_reset_count(const VgwSysctl *sc) {
  return vgw_sysctl_read(sc, VGW_SYSCTL_RESET_COUNT);
}

const char *vgw_reset_cause_name(uint32_t cause) {
  switch (cause) {
    case VGW_RESET_CAUSE_POWER_ON: return "power-on";
    case VGW_RESET_CAUSE_HOST: return "host";
    case VGW_RESET_CAUSE_FIRMWARE: return "firmware";
    case VGW_RESET_CAUSE_WATCHDOG: return "watchdog";
    default: return "unknown";
  }
}

gboolean vgw_sysctl_wdt_start(const VgwSysctl *sc, uint32_t timeout_ms,
                              gboolean lock) {
  if (timeout_ms < VGW_WDT_TIMEOUT_MIN || timeout_ms > VGW_WDT_TIMEOUT_MAX) {
    return FALSE;
  }
  vgw_sysctl_write(sc, VGW_SYSCTL_WDT_TIMEOUT, timeout_ms);
  uint32_t ctrl = VGW_WDT_CTRL_ENABLE | (lock ? VGW_WDT_CTRL_LOCK : 0);
  vgw_sysctl_write(sc, VGW_SYSCTL_WDT_CTRL, ctrl);
  vgw_sysctl_wdt_kick(sc);
  return vgw_sysctl_wdt_enabled(sc) &&
         vgw_sysctl_wdt_timeout(sc) == timeout_ms;
}

void vgw_sysctl_wdt_kick(const VgwSysctl *sc) {
  vgw_sysctl_write(sc, VGW_SYSCTL_WDT_KICK, VGW_SYSCTL_WDT_KICK_MAGIC);
}

gboolean vgw_sysctl_wdt_enabled(const VgwSysctl *sc) {
  return (vgw_sysctl_read(sc, VGW_SYSCTL_WDT_CTRL) & VGW_WDT_CTRL_ENABLE) != 0;
}

uint32_t vgw_sysctl_wdt_timeout(const VgwSysctl *sc) {
  return vgw_sysctl_read(sc, VGW_SYSCTL_WDT_TIMEOUT);
}

void vgw_sysctl_request_reset(const VgwSysctl *sc) {
  vgw_sysctl_write(sc, VGW_SYSCTL_RESET_REQ, VGW_SYSCTL_RESET_REQ_MAGIC);
}

void vgw_format_mac(const uint8_t mac[6], char out[18]) {
  snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
           mac[3], mac[4], mac[5]);
}
