#include "tcp_reasm.h"

typedef struct {
  guint32 seq;
  GBytes *data;
} Held;

/* Sequence numbers wrap: compare as a signed distance. */
static gint32
seq_diff(guint32 a, guint32 b)
{
  return (gint32) (a - b);
}

void
tlsd_tcp_dir_syn(TlsdTcpDir *dir, guint32 seq)
{
  if (dir->started && dir->syn)
    return; /* a retransmitted SYN */
  dir->started = TRUE;
  dir->syn = TRUE;
  dir->isn = seq;
  dir->next_seq = seq + 1;
}

static gint
held_cmp(gconstpointer a, gconstpointer b)
{
  const Held *x = a, *y = b;
  gint32 d = seq_diff(x->seq, y->seq);

  return d < 0 ? -1 : d > 0;
}

static void
held_free(gpointer p)
{
  Held *h = p;

  g_bytes_unref(h->data);
  g_free(h);
}

/* Delivers the part of [seq, seq+len) at or after next_seq if it starts
 * at or before next_seq; returns FALSE if it starts beyond (a hole). */
static gboolean
deliver_from(TlsdTcpDir *dir, guint32 seq, const guint8 *data, gsize len,
             TlsdTcpDeliverFunc deliver, gpointer user_data)
{
  gint32 ahead = seq_diff(seq, dir->next_seq);
  gsize skip;

  if (ahead > 0)
    return FALSE;
  skip = (gsize) -(gint64) ahead;
  if (skip < len) {
    dir->next_seq += (guint32) (len - skip);
    dir->delivered += len - skip;
    deliver(user_data, data + skip, len - skip);
  }
  return TRUE;
}

void
tlsd_tcp_dir_segment(TlsdTcpDir *dir, guint32 seq, const guint8 *data, gsize len,
                     TlsdTcpDeliverFunc deliver, gpointer user_data)
{
  if (len == 0 || dir->overflow)
    return;
  if (!dir->started) {
    dir->started = TRUE;
    dir->next_seq = seq;
  }
  if (!deliver_from(dir, seq, data, len, deliver, user_data)) {
    Held *h;
    /* A segment so far ahead it cannot be this stream's is dropped. */
    if (seq_diff(seq, dir->next_seq) > (gint32) (64 * 1024 * 1024))
      return;
    if (dir->held_bytes + len > TLSD_TCP_MAX_HELD) {
      dir->overflow = TRUE;
      return;
    }
    h = g_new(Held, 1);
    h->seq = seq;
    h->data = g_bytes_new(data, len);
    dir->held = g_list_insert_sorted(dir->held, h, held_cmp);
    dir->held_bytes += len;
    return;
  }
  /* The hole may be filled now. */
  while (dir->held != NULL) {
    Held *h = dir->held->data;
    gsize hlen;
    const guint8 *hdata = g_bytes_get_data(h->data, &hlen);
    if (seq_diff(h->seq, dir->next_seq) > 0)
      break;
    dir->held = g_list_delete_link(dir->held, dir->held);
    dir->held_bytes -= hlen;
    deliver_from(dir, h->seq, hdata, hlen, deliver, user_data);
    held_free(h);
  }
}

guint64
tlsd_tcp_dir_missing(const TlsdTcpDir *dir)
{
  const Held *first;

  if (dir->held == NULL)
    return 0;
  first = dir->held->data;
  return (guint64) (guint32) seq_diff(first->seq, dir->next_seq);
}

void
tlsd_tcp_dir_clear(TlsdTcpDir *dir)
{
  g_list_free_full(dir->held, held_free);
  dir->held = NULL;
  dir->held_bytes = 0;
}
