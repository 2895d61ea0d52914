/* Power-cut simulator: see powercut_blockdev.h. */
#include "powercut_blockdev.h"

#include <string.h>

typedef struct {
  guint64 offset;
  GBytes *data;
} PendingWrite;

typedef struct {
  VgwBlockDev base;
  PowercutPlan plan;
  guint8 *visible;
  guint8 *durable;
  GArray *pending;     /* PendingWrite, volatile-cache model only */
  GArray *op_lengths;  /* gsize per operation; 0 for flushes */
  gboolean dead;
  GRand *rand;
} PowercutDev;

static void apply_prefix(PowercutDev *d, guint64 offset, const guint8 *data,
                         gsize keep) {
  memcpy(d->durable + offset, data, keep);
}

static void clear_pending(PowercutDev *d) {
  for (guint i = 0; i < d->pending->len; i++) {
    g_bytes_unref(g_array_index(d->pending, PendingWrite, i).data);
  }
  g_array_set_size(d->pending, 0);
}

/* Power fails: resolve the volatile cache, then refuse everything. */
static void lose_power(PowercutDev *d) {
  for (guint i = 0; i < d->pending->len; i++) {
    PendingWrite *w = &g_array_index(d->pending, PendingWrite, i);
    gsize len;
    const guint8 *data = g_bytes_get_data(w->data, &len);
    switch (g_rand_int_range(d->rand, 0, 3)) {
    case 0: /* lost */
      break;
    case 1: /* survived */
      apply_prefix(d, w->offset, data, len);
      break;
    default: /* torn */
      apply_prefix(d, w->offset, data,
                   (gsize)g_rand_int_range(d->rand, 0, (gint32)len + 1));
      break;
    }
  }
  clear_pending(d);
  d->dead = TRUE;
}

static gboolean power_is_on(PowercutDev *d, gsize length, GError **error) {
  guint index = d->op_lengths->len;
  g_array_append_val(d->op_lengths, length);
  if (d->dead || index > d->plan.cut_at) {
    d->dead = TRUE;
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "power lost");
    return FALSE;
  }
  return TRUE;
}

static gboolean pc_read(VgwBlockDev *dev, guint64 offset, void *buf,
                        gsize len, GError **error) {
  PowercutDev *d = (PowercutDev *)dev;
  if (d->dead) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "power lost");
    return FALSE;
  }
  memcpy(buf, d->visible + offset, len);
  return TRUE;
}

static gboolean pc_write(VgwBlockDev *dev, guint64 offset, const void *buf,
                         gsize len, GError **error) {
  PowercutDev *d = (PowercutDev *)dev;
  if (!power_is_on(d, len, error)) {
    return FALSE;
  }
  gboolean is_cut = d->op_lengths->len - 1 == d->plan.cut_at;
  gsize keep = is_cut ? MIN(len, d->plan.tear_bytes) : len;
  memcpy(d->visible + offset, buf, keep);
  if (d->plan.volatile_cache) {
    PendingWrite w = {offset, g_bytes_new(buf, keep)};
    g_array_append_val(d->pending, w);
  } else {
    apply_prefix(d, offset, buf, keep);
  }
  if (is_cut) {
    lose_power(d);
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "power lost");
    return FALSE;
  }
  return TRUE;
}

static gboolean pc_flush(VgwBlockDev *dev, GError **error) {
  PowercutDev *d = (PowercutDev *)dev;
  if (!power_is_on(d, 0, error)) {
    return FALSE;
  }
  if (d->op_lengths->len - 1 == d->plan.cut_at) {
    lose_power(d); /* the flush never completes */
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_IO, "power lost");
    return FALSE;
  }
  for (guint i = 0; i < d->pending->len; i++) {
    PendingWrite *w = &g_array_index(d->pending, PendingWrite, i);
    gsize len;
    const guint8 *data = g_bytes_get_data(w->data, &len);
    apply_prefix(d, w->offset, data, len);
  }
  clear_pending(d);
  return TRUE;
}

static void pc_destroy(VgwBlockDev *dev) {
  PowercutDev *d = (PowercutDev *)dev;
  clear_pending(d);
  g_array_unref(d->pending);
  g_array_unref(d->op_lengths);
  g_rand_free(d->rand);
  g_free(d->visible);
  g_free(d->durable);
  g_free(d);
}

static const VgwBlockDevOps pc_ops = {
    .read = pc_read,
    .write = pc_write,
    .flush = pc_flush,
    .destroy = pc_destroy,
};

VgwBlockDev *powercut_blockdev_new(const guint8 *image, gsize size,
                                   const PowercutPlan *plan) {
  PowercutDev *d = g_new0(PowercutDev, 1);
  d->base.ops = &pc_ops;
  d->base.size = size;
  d->plan = *plan;
  d->visible = g_memdup2(image, size);
  d->durable = g_memdup2(image, size);
  d->pending = g_array_new(FALSE, FALSE, sizeof(PendingWrite));
  d->op_lengths = g_array_new(FALSE, FALSE, sizeof(gsize));
  d->rand = g_rand_new_with_seed(plan->seed);
  return &d->base;
}

guint powercut_blockdev_op_count(VgwBlockDev *dev) {
  return ((PowercutDev *)dev)->op_lengths->len;
}

gsize powercut_blockdev_op_length(VgwBlockDev *dev, guint index) {
  PowercutDev *d = (PowercutDev *)dev;
  return index < d->op_lengths->len
             ? g_array_index(d->op_lengths, gsize, index)
             : 0;
}

VgwBlockDev *powercut_blockdev_reboot(VgwBlockDev *dev) {
  PowercutDev *d = (PowercutDev *)dev;
  if (!d->dead) { /* a clean shutdown: the cache reaches the medium */
    for (guint i = 0; i < d->pending->len; i++) {
      PendingWrite *w = &g_array_index(d->pending, PendingWrite, i);
      gsize len;
      const guint8 *data = g_bytes_get_data(w->data, &len);
      apply_prefix(d, w->offset, data, len);
    }
    clear_pending(d);
  }
  VgwBlockDev *mem = vgw_blockdev_new_memory(dev->size, 0);
  memcpy(vgw_blockdev_memory_data(mem), d->durable, dev->size);
  return mem;
}
