/* Board access for vgwd: see board.h. */
#include "hal/board.h"

#include <string.h>
#include <unistd.h>

gboolean vgw_board_open(VgwBoard *b, GError **error) {
  memset(b, 0, sizeof(*b));
  g_strlcpy(b->id.serial, "unknown", sizeof(b->id.serial));
  g_strlcpy(b->mac_base, "00:00:00:00:00:00", sizeof(b->mac_base));
  b->reset_cause = G_MAXUINT32;
  if (!vgw_devmem_map_compatible(VGW_SYSCTL_COMPATIBLE, &b->mem, NULL,
                                 error)) {
    return FALSE;
  }
  vgw_sysctl_init(&b->sc, b->mem.regs);
  if (!vgw_sysctl_probe(&b->sc)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NODEV,
                "system controller ID/version mismatch (0x%08x)",
                vgw_sysctl_read(&b->sc, 0));
    vgw_devmem_unmap(&b->mem);
    return FALSE;
  }
  b->present = TRUE;
  vgw_sysctl_read_identity(&b->sc, &b->id);
  vgw_format_mac(b->id.mac_base, b->mac_base);
  b->reset_cause = vgw_sysctl_reset_cause(&b->sc);
  b->reset_count = vgw_sysctl_reset_count(&b->sc);
  b->wdt_enabled = vgw_sysctl_wdt_enabled(&b->sc);
  b->wdt_timeout_ms = vgw_sysctl_wdt_timeout(&b->sc);
  return TRUE;
}

static gboolean on_kick(gpointer data) {
  VgwBoard *b = data;
  vgw_sysctl_wdt_kick(&b->sc);
  return G_SOURCE_CONTINUE;
}

gboolean vgw_board_start_watchdog(VgwBoard *b, uint32_t timeout_ms,
                                  guint kick_ms) {
  if (!b->present) {
    return FALSE;
  }
  gboolean ok = vgw_sysctl_wdt_start(&b->sc, timeout_ms, TRUE);
  b->wdt_enabled = vgw_sysctl_wdt_enabled(&b->sc);
  b->wdt_timeout_ms = vgw_sysctl_wdt_timeout(&b->sc);
  if (b->kick_source == 0 && b->wdt_enabled) {
    b->kick_source = g_timeout_add(kick_ms, on_kick, b);
  }
  return ok;
}

void vgw_board_reset(VgwBoard *b) {
  if (!b->present) {
    return;
  }
  vgw_sysctl_request_reset(&b->sc);
  sleep(1);
}
