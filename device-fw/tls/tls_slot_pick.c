/* The slot policy of a certificate swap: see tls_slot_pick.h. */
#include "tls/tls_slot_pick.h"

#include <string.h>

#include "vgw_crypto.h"

#define RECORD_PREFIX "sha256="

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

/* first returns the lowest slot whose use is |use|, or -1. */
static int first(const VgwTlsSlotUse *uses, guint n, VgwTlsSlotUse use) {
  for (guint slot = 0; slot < n; slot++) {
    if (uses[slot] == use) {
      return (int)slot;
    }
  }
  return -1;
}

int vgw_tls_slot_pick(const VgwTlsSlotUse *uses, guint n) {
  int slot = first(uses, n, VGW_TLS_SLOT_EMPTY);
  return slot >= 0 ? slot : first(uses, n, VGW_TLS_SLOT_RETIRED);
}

char *vgw_tls_retired_blob(guint slot) {
  return g_strdup_printf("tls/retired/%u", slot);
}

char *vgw_tls_retired_record(const char *sha256) {
  return g_strconcat(RECORD_PREFIX, sha256, NULL);
}

gboolean vgw_tls_retired_matches(const void *record, gsize len,
                                 const char *sha256) {
  const gsize prefix = strlen(RECORD_PREFIX);
  const gsize fp = strlen(sha256);
  return record != NULL && len == prefix + fp &&
         memcmp(record, RECORD_PREFIX, prefix) == 0 &&
         memcmp((const char *)record + prefix, sha256, fp) == 0;
}
