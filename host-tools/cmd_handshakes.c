/* vgw handshakes F.pcap|F.pcapng: explain every TLS handshake in a
 * capture (tlsdissect/), as text or as the JSON of docs/handshakes.md. */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "commands.h"
#include "filter.h"
#include "report.h"
#include "vgw-error.h"

gboolean
vgw_handshakes_check(gpointer data, GError **error)
{
  const VgwHandshakesOptions *opts = data;
  g_autoptr(GError) local = NULL;
  g_autoptr(TlsdFilter) check = tlsd_filter_new(opts->filters, &local);

  if (check != NULL)
    return TRUE;
  g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s (see 'vgw handshakes --help')",
              local->message);
  return FALSE;
}

/* The analysis keeps every handshake until the report is written, some
 * 1.8 KB of small allocations per connection: three quarters of the size
 * of a capture of short connections.  Faulted in page by page, that memory
 * was a third of the run on a virtual machine, where a page fault costs
 * some 10 us.  So the heap is grown in one go first: glibc is told to
 * serve blocks this large from its heap and to keep them once freed, and
 * the kernel fills the pages in one call (MADV_POPULATE_WRITE, Linux 5.14;
 * on older kernels nothing is gained or lost).  Small captures are left
 * alone, and the reservation is bounded, so a capture of a few long
 * connections wastes little. */
#define HEAP_RESERVE_MIN (4 << 20)
#define HEAP_RESERVE_MAX (30 << 20)

static void
reserve_heap(const char *capture)
{
  guintptr page = (guintptr) sysconf(_SC_PAGESIZE);
  struct stat st;
  gsize size;
  char *block;
  guintptr first, last;

  if (stat(capture, &st) != 0 || st.st_size < HEAP_RESERVE_MIN || page == 0 ||
      (page & (page - 1)) != 0)
    return;
  size = MIN((gsize) st.st_size / 4 * 3, (gsize) HEAP_RESERVE_MAX);
  if (!mallopt(M_MMAP_THRESHOLD, 32 << 20) || !mallopt(M_TRIM_THRESHOLD, 256 << 20))
    return;
  block = malloc(size);
  if (block == NULL)
    return;
  first = ((guintptr) block + page - 1) & ~(page - 1);
  last = ((guintptr) block + size) & ~(page - 1);
  if (last > first)
    (void) madvise((void *) first, last - first, MADV_POPULATE_WRITE);
  free(block);
}

gboolean
vgw_handshakes_run(gconstpointer data, GError **error)
{
  const VgwHandshakesOptions *opts = data;
  g_autoptr(TlsdKeylog) keylog = tlsd_keylog_new();
  g_autoptr(TlsdFilter) filter = tlsd_filter_new(opts->filters, error);
  g_autoptr(TlsdResult) result = NULL;
  g_autoptr(GPtrArray) shown = g_ptr_array_new();
  g_autoptr(GError) local = NULL;

  if (filter == NULL)
    return FALSE;
  if (opts->keylog != NULL && !tlsd_keylog_load_file(keylog, opts->keylog, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "key log: %s", local->message);
    return FALSE;
  }
  reserve_heap(opts->file);
  result = tlsd_analyze_file(opts->file, keylog, &local);
  if (result == NULL) {
    g_set_error_literal(error, VGW_ERROR, VGW_ERROR_FAILED, local->message);
    return FALSE;
  }
  for (guint i = 0; i < result->handshakes->len; i++) {
    TlsdHandshake *hs = g_ptr_array_index(result->handshakes, i);
    if (tlsd_filter_match(filter, hs))
      g_ptr_array_add(shown, hs);
  }
  if (!tlsd_report_write(stdout, opts->json, result, opts->file, shown)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot write the report: %s",
                g_strerror(errno));
    return FALSE;
  }
  if (fflush(stdout) != 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED, "cannot write the report: %s",
                g_strerror(errno));
    return FALSE;
  }
  return TRUE;
}
