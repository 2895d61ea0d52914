/*
 * TLS key logs embedded in a pcapng file (Decryption Secrets Blocks,
 * secrets type 0x544c534b "TLSK"), read by walking the file's blocks:
 * libpcap reads packets but skips these blocks.
 */
#ifndef TLSD_PCAPNG_SECRETS_H
#define TLSD_PCAPNG_SECRETS_H

#include <glib.h>

#include "keylog.h"

G_BEGIN_DECLS

#define TLSD_PCAPNG_SHB 0x0a0d0d0a
#define TLSD_PCAPNG_IDB 0x00000001
#define TLSD_PCAPNG_EPB 0x00000006
#define TLSD_PCAPNG_DSB 0x0000000a
#define TLSD_DSB_TLS_KEY_LOG 0x544c534b

typedef enum {
  TLSD_FORMAT_UNKNOWN,
  TLSD_FORMAT_PCAP,
  TLSD_FORMAT_PCAPNG,
} TlsdFileFormat;

/* tlsd_file_format tells the format from the first 4 bytes of |data|. */
TlsdFileFormat tlsd_file_format(const guint8 *data, gsize len);

/* tlsd_pcapng_read_secrets adds the key logs of every Decryption Secrets
 * Block in the pcapng |data| to |keylog| and returns how many blocks held
 * one.  A damaged block structure stops the walk: |*damaged| is then set
 * to a static description (secrets before it are kept). */
guint tlsd_pcapng_read_secrets(const guint8 *data, gsize len, TlsdKeylog *keylog,
                               const char **damaged);

G_END_DECLS

#endif /* TLSD_PCAPNG_SECRETS_H */
