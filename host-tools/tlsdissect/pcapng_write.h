/*
 * A pcapng writer for vgw capture: a Section Header Block, one Interface
 * Description Block per NIC, Enhanced Packet Blocks, and Decryption
 * Secrets Blocks that carry a TLS key log so Wireshark/tshark decrypt the
 * file with no other file or preference.  Every block is written with one
 * write(2), so a reader following the growing file sees whole blocks (or
 * the start of one) and the file is valid at every block boundary.
 * Little-endian, microsecond timestamps (the default if_tsresol).
 */
#ifndef TLSD_PCAPNG_WRITE_H
#define TLSD_PCAPNG_WRITE_H

#include <glib.h>

G_BEGIN_DECLS

#define TLSD_LINKTYPE_ETHERNET 1

/* tlsd_pcapng_shb returns a Section Header Block naming |application|. */
GBytes *tlsd_pcapng_shb(const char *application);

/* tlsd_pcapng_idb returns an Interface Description Block for an interface
 * named |name| (if_name) described by |description| (may be NULL). */
GBytes *tlsd_pcapng_idb(guint16 linktype, guint32 snaplen, const char *name,
                        const char *description);

/* tlsd_pcapng_epb returns an Enhanced Packet Block for |caplen| bytes of
 * a |len|-byte frame seen on interface |interface_id| at |time_us|
 * (microseconds since the epoch). */
GBytes *tlsd_pcapng_epb(guint32 interface_id, gint64 time_us, const guint8 *data,
                        guint32 caplen, guint32 len);

/* tlsd_pcapng_dsb returns a Decryption Secrets Block holding the TLS key
 * log |keylog| (|len| bytes). */
GBytes *tlsd_pcapng_dsb(const char *keylog, gsize len);

/* tlsd_pcapng_embed_secrets writes |out_path|: the pcapng |in_path| with a
 * Decryption Secrets Block holding |keylog| placed before the first
 * packet (so single-pass readers know the keys in time).  Writes a
 * temporary file and renames it, so |out_path| may be |in_path|.  Fails
 * with G_FILE_ERROR_INVAL if |in_path| is not a pcapng whose block
 * structure is intact. */
gboolean tlsd_pcapng_embed_secrets(const char *in_path, const char *out_path,
                                   const char *keylog, gsize keylog_len, GError **error);

G_END_DECLS

#endif /* TLSD_PCAPNG_WRITE_H */
