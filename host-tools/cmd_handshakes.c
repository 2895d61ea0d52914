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
#include "cli.h"
#include "commands.h"
#include "filter.h"
#include "report.h"
#include "vgw-error.h"

gboolean
vgw_handshakes_parse(int argc, char **argv, VgwHandshakesOptions *opts, GError **error)
{
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &opts->json, "Print one JSON object (docs/handshakes.md)", NULL },
    { "keylog", 'k', 0, G_OPTION_ARG_FILENAME, &opts->keylog,
      "TLS key log (SSLKEYLOGFILE format) to decrypt with, besides secrets embedded in the file", "F" },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &opts->filters,
      "Show only matching handshakes (repeatable): sni=NAME, host=ADDR, port=N, "
      "version=1.2|1.3, outcome=completed|refused|incomplete, client-cert=requested|sent|missing",
      "KEY=VALUE" },
    { NULL },
  };
  const char *names[] = { "capture file" };
  char **outs[] = { &opts->file };
  char **args = NULL;
  g_autoptr(TlsdFilter) check = NULL;

  memset(opts, 0, sizeof *opts);
  if (!vgw_cli_parse("handshakes", "F.pcap|F.pcapng",
                     "Explain every TLS handshake in a capture: endpoints, SNI, offered and\n"
                     "chosen versions, ciphers and groups, client authentication,\n"
                     "certificates, alerts, the outcome and the first SIP request and\n"
                     "response.  TLS 1.3 handshakes are decrypted with the secrets\n"
                     "embedded in a pcapng (vgw capture stop --keylog) or given with\n"
                     "--keylog.  A damaged or cut-short file gives the handshakes up to the\n"
                     "damage, marked as partial.",
                     entries, opts, FALSE, argc, argv, &args, error) ||
      !vgw_cli_positional("handshakes", args, 1, names, outs, error))
    goto fail;
  check = tlsd_filter_new(opts->filters, error);
  if (check == NULL) {
    GError *usage = g_error_new(VGW_ERROR, VGW_ERROR_USAGE, "%s (see 'vgw handshakes --help')",
                                (*error)->message);
    g_clear_error(error);
    g_propagate_error(error, usage);
    goto fail;
  }
  return TRUE;

fail:
  vgw_handshakes_options_clear(opts);
  return FALSE;
}

void
vgw_handshakes_options_clear(VgwHandshakesOptions *opts)
{
  g_clear_pointer(&opts->file, g_free);
  g_clear_pointer(&opts->keylog, g_free);
  g_clear_pointer(&opts->filters, g_strfreev);
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

static gboolean
run_handshakes(const VgwHandshakesOptions *opts, GError **error)
{
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

int
vgw_cmd_handshakes(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  VgwHandshakesOptions opts;

  if (vgw_handshakes_parse(argc, argv, &opts, &error)) {
    run_handshakes(&opts, &error);
    vgw_handshakes_options_clear(&opts);
  }
  return vgw_cli_finish(error);
}
