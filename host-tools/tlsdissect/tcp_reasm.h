/*
 * One direction of a TCP connection put back in order: retransmitted and
 * overlapping bytes are delivered once, out-of-order segments wait (up to
 * TLSD_TCP_MAX_HELD bytes) until the hole before them is filled.
 */
#ifndef TLSD_TCP_REASM_H
#define TLSD_TCP_REASM_H

#include <glib.h>

G_BEGIN_DECLS

/* Bytes held beyond a hole before the direction is declared broken. */
#define TLSD_TCP_MAX_HELD (4 * 1024 * 1024)

typedef void (*TlsdTcpDeliverFunc)(gpointer user_data, const guint8 *data, gsize len);

typedef struct {
  gboolean started;   /* next_seq is known */
  gboolean syn;       /* started from a SYN (else mid-stream) */
  guint32 isn;
  guint32 next_seq;   /* sequence number of the next byte to deliver */
  GList *held;        /* out-of-order segments, sorted by sequence number */
  gsize held_bytes;
  gboolean overflow;  /* too much held: gave up on this direction */
  guint64 delivered;
} TlsdTcpDir;

/* tlsd_tcp_dir_syn records a SYN with sequence number |seq|. */
void tlsd_tcp_dir_syn(TlsdTcpDir *dir, guint32 seq);

/* tlsd_tcp_dir_segment takes |len| payload bytes at sequence number |seq|
 * and calls |deliver| for every newly in-order run of bytes.  Without a
 * SYN the first segment seen starts the stream. */
void tlsd_tcp_dir_segment(TlsdTcpDir *dir, guint32 seq, const guint8 *data, gsize len,
                          TlsdTcpDeliverFunc deliver, gpointer user_data);

/* tlsd_tcp_dir_missing returns the size of the first hole: the bytes
 * between what was delivered and the first held segment (0 if nothing is
 * held). */
guint64 tlsd_tcp_dir_missing(const TlsdTcpDir *dir);

/* tlsd_tcp_dir_clear frees the held segments. */
void tlsd_tcp_dir_clear(TlsdTcpDir *dir);

G_END_DECLS

#endif /* TLSD_TCP_REASM_H */
