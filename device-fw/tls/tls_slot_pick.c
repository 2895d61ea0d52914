/* The slot policy of a certificate swap: see tls_slot_pick.h. */
#include "tls/tls_slot_pick.h"

#include <string.h>

#include "vgw_crypto.h"

#define RECORD_KEY "sha256="
#define RECORD_WHEN " when="

const char *vgw_tls_slot_use_name(VgwTlsSlotUse use) {
  switch (use) {
    case VGW_TLS_SLOT_EMPTY:
      return "empty";
    case VGW_TLS_SLOT_RETIRED:
      return "retired";
    case VGW_TLS_SLOT_CONTEXT:
      return "context";
    case VGW_TLS_SLOT_LOCKED:
      return "locked";
    case VGW_TLS_SLOT_KEPT:
      return "kept";
  }
  g_return_val_if_reached("?");
}

VgwTlsSlotUse vgw_tls_slot_classify(const VgwCryptoSlotInfo *info,
                                    gboolean referenced, gboolean retired) {
  if (referenced) {
    return VGW_TLS_SLOT_CONTEXT;
  }
  if (info->key_type == VGW_KEY_TYPE_NONE) {
    return VGW_TLS_SLOT_EMPTY;
  }
  if (info->locked) {
    return VGW_TLS_SLOT_LOCKED;
  }
  return retired ? VGW_TLS_SLOT_RETIRED : VGW_TLS_SLOT_KEPT;
}

int vgw_tls_slot_pick(const VgwTlsSlot *slots, guint n) {
  int oldest = -1;
  for (guint slot = 0; slot < n; slot++) {
    if (slots[slot].use == VGW_TLS_SLOT_EMPTY) {
      return (int)slot;
    }
    if (slots[slot].use == VGW_TLS_SLOT_RETIRED &&
        (oldest < 0 ||
         slots[slot].retired_when < slots[oldest].retired_when)) {
      oldest = (int)slot;
    }
  }
  return oldest;
}

char *vgw_tls_retired_blob(guint slot) {
  return g_strdup_printf("tls/retired/%u", slot);
}

char *vgw_tls_retired_record(const char *sha256, guint64 when) {
  return g_strdup_printf(RECORD_KEY "%s" RECORD_WHEN "%" G_GUINT64_FORMAT,
                         sha256, when);
}

/* skip advances |*at| past |text| if the |len| bytes of |record| hold it
 * there. */
static gboolean skip(const char *record, gsize len, gsize *at,
                     const char *text) {
  gsize n = strlen(text);
  if (len - *at < n || memcmp(record + *at, text, n) != 0) {
    return FALSE;
  }
  *at += n;
  return TRUE;
}

gboolean vgw_tls_retired_matches(const void *record, gsize len,
                                 const char *sha256, guint64 *when) {
  gsize at = 0;
  if (record == NULL || !skip(record, len, &at, RECORD_KEY) ||
      !skip(record, len, &at, sha256) ||
      !skip(record, len, &at, RECORD_WHEN) || at == len) {
    return FALSE;
  }
  char *digits = g_strndup((const char *)record + at, len - at);
  gboolean ok = g_ascii_string_to_unsigned(digits, 10, 0, G_MAXUINT64, when,
                                           NULL);
  g_free(digits);
  return ok;
}
