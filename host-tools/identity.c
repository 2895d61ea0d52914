#include "identity.h"

#include <stdio.h>
#include <string.h>

static void
name_digest(const char *name, guint8 out[32])
{
  GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
  gsize len = 32;

  g_checksum_update(sum, (const guchar *) name, -1);
  g_checksum_get_digest(sum, out, &len);
  g_checksum_free(sum);
}

char *
vgw_identity_serial(const char *name)
{
  guint8 d[32];

  name_digest(name, d);
  /* 10 hex digits = 5 bytes */
  return g_strdup_printf("VGW%02X%02X%02X%02X%02X", d[0], d[1], d[2], d[3], d[4]);
}

void
vgw_identity_mac_base(const char *name, guint8 mac[VGW_MAC_LEN])
{
  guint8 d[32];

  name_digest(name, d);
  /* Use bytes after the ones the serial uses, so the two look unrelated. */
  memcpy(mac, d + 8, VGW_MAC_LEN);
  mac[0] = (mac[0] & 0xfc) | 0x02; /* unicast, locally administered */
  mac[5] &= 0xfe;                  /* even: base+1 stays in the same /47 */
}

char *
vgw_mac_format(const guint8 mac[VGW_MAC_LEN])
{
  return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                         mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}

gboolean
vgw_mac_parse(const char *text, guint8 mac[VGW_MAC_LEN])
{
  unsigned int b[VGW_MAC_LEN];
  char tail;

  if (text == NULL || strlen(text) != 17)
    return FALSE;
  for (int i = 0; i < 17; i++) {
    if (i % 3 == 2 ? text[i] != ':' : !g_ascii_isxdigit(text[i]))
      return FALSE;
  }
  if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
             &b[4], &b[5], &tail) != 6)
    return FALSE;
  for (int i = 0; i < VGW_MAC_LEN; i++)
    mac[i] = (guint8) b[i];
  return TRUE;
}

char *
vgw_mac_offset(const guint8 mac[VGW_MAC_LEN], guint n)
{
  guint8 m[VGW_MAC_LEN];
  guint carry = n;

  memcpy(m, mac, VGW_MAC_LEN);
  for (int i = VGW_MAC_LEN - 1; i >= 0 && carry != 0; i--) {
    guint v = m[i] + carry;
    m[i] = (guint8) (v & 0xff);
    carry = v >> 8;
  }
  return vgw_mac_format(m);
}
