/*
 * Board identity of an instance: serial number and MAC base.
 *
 * Both are derived from the instance name so a gateway keeps its identity
 * across down/up (and across state directories), while two instances with
 * different names never look like the same board.  `vgw up` stores them in
 * instance.json and reuses the stored values afterwards.
 */
#ifndef VGW_IDENTITY_H
#define VGW_IDENTITY_H

#include <glib.h>

G_BEGIN_DECLS

#define VGW_MAC_LEN 6

/* vgw_identity_serial returns a new serial number for |name|: "VGW"
 * followed by 10 upper-case hex digits of the name's SHA-256. */
char *vgw_identity_serial(const char *name);

/* vgw_identity_mac_base writes the MAC base for |name| into |mac|: a
 * locally administered unicast address from the name's SHA-256 whose last
 * byte is even, so base+1 (the WAN port) never carries into byte 4. */
void vgw_identity_mac_base(const char *name, guint8 mac[VGW_MAC_LEN]);

/* vgw_mac_format returns |mac| as "aa:bb:cc:dd:ee:ff". */
char *vgw_mac_format(const guint8 mac[VGW_MAC_LEN]);

/* vgw_mac_parse parses "aa:bb:cc:dd:ee:ff" (either case) into |mac|;
 * returns FALSE on anything else. */
gboolean vgw_mac_parse(const char *text, guint8 mac[VGW_MAC_LEN]);

/* vgw_mac_offset returns |mac| + |n| as a formatted string, adding with
 * carry across the six bytes. */
char *vgw_mac_offset(const guint8 mac[VGW_MAC_LEN], guint n);

G_END_DECLS

#endif /* VGW_IDENTITY_H */
