/*
 * A block device that loses power on cue, for crash-injection tests.
 *
 * It keeps two images: what reads see, and what would survive a power
 * cut ("durable"). Every write and every flush is one operation, numbered
 * from 0. Armed with cut_at = N, operations 0..N-1 complete and operation
 * N is where the power goes: a write there keeps only its first
 * |tear_bytes| bytes (all of it if larger), and every later operation
 * fails. Two cache models:
 *
 *  - write-through: a write is durable as soon as it is issued;
 *  - volatile cache: writes since the last flush are pending, and at the
 *    cut each pending write independently survives whole, vanishes or is
 *    torn at a random byte (seeded), the way a disk cache may reorder.
 */
#ifndef VGW_STORE_TEST_POWERCUT_BLOCKDEV_H
#define VGW_STORE_TEST_POWERCUT_BLOCKDEV_H

#include "blockdev.h"

/* POWERCUT_NEVER as cut_at: power never fails (for counting operations). */
#define POWERCUT_NEVER G_MAXUINT

typedef struct {
  guint cut_at;
  gsize tear_bytes;
  gboolean volatile_cache;
  guint32 seed; /* for the volatile-cache model */
} PowercutPlan;

/* powercut_blockdev_new returns a device whose initial contents are the
 * |size| bytes at |image| (copied), following |plan|. */
VgwBlockDev *powercut_blockdev_new(const guint8 *image, gsize size,
                                   const PowercutPlan *plan);

/* powercut_blockdev_op_count returns how many operations were issued
 * (including the cut one and failed ones after it). */
guint powercut_blockdev_op_count(VgwBlockDev *dev);

/* powercut_blockdev_op_length returns the length of write operation
 * |index| (0 for a flush or an index never reached). */
gsize powercut_blockdev_op_length(VgwBlockDev *dev, guint index);

/* powercut_blockdev_reboot returns a new memory device holding what
 * survived: the durable image after the cut (or, if power never failed,
 * after a final flush). */
VgwBlockDev *powercut_blockdev_reboot(VgwBlockDev *dev);

#endif
