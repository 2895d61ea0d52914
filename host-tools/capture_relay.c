/*
 * The capture relay: reads the pcap stream QEMU's filter-dump writes into
 * a FIFO per NIC and writes one pcapng file with wall-clock timestamps.
 *
 * Why the timestamps need correcting (QEMU 7.2, net/dump.c): when the
 * filter is created, net_dump_state_init() takes start_ts = the RTC's
 * current date in whole seconds (qemu_get_timedate(), then mktime() of a
 * UTC struct tm: off by the host's UTC offset unless TZ is UTC), and
 * each packet gets start_ts + qemu_clock_get_us(QEMU_CLOCK_VIRTUAL).  The
 * virtual clock counts from the VM's start (and stops while it is
 * paused), not from the filter's creation.  A capture started after boot
 * is therefore ahead by the guest's uptime at that moment, plus the
 * truncated fraction of a second and any time-zone error.  For a given
 * filter the error is one constant c = file_time - real_time (it only
 * shrinks when the VM is paused).
 *
 * The relay reads each record moments after QEMU wrote it, so its own
 * clock at the read, arrival >= real_time, gives file_time - arrival
 * = c - delay <= c.  The largest such sample seen so far is the best
 * estimate of c (its error is the smallest read delay, normally tens of
 * microseconds); each packet is stamped file_time - estimate, keeping
 * QEMU's precise spacing between packets.  A sample more than a second
 * below the estimate means the virtual clock stood still (a pause): the
 * estimate restarts from it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "commands.h"
#include "pcapng_write.h"
#include "vgw-error.h"

#define PCAP_HEADER_LEN 24
#define PCAP_RECORD_HEADER_LEN 16
#define PCAP_MAGIC_US 0xa1b2c3d4
#define PAUSE_US G_USEC_PER_SEC
/* QEMU opens the FIFO within a second of object-add or of its start. */
#define OPEN_TIMEOUT_MS 120000
#define PIPE_SIZE (1 << 20)

typedef struct {
  const char *name;     /* "lan", "wan" */
  guint32 interface_id;
  int fd;               /* read end, -1 once closed */
  int keepalive_fd;     /* our own write end until QEMU has opened it */
  GByteArray *buf;
  gboolean have_header;
  gint64 offset_us;     /* estimate of c */
  gboolean have_offset;
  guint64 packets;
} Port;

static gboolean
write_all(int fd, GBytes *bytes)
{
  gsize len;
  const guint8 *p = g_bytes_get_data(bytes, &len);

  while (len > 0) {
    ssize_t n = write(fd, p, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return FALSE;
    p += n;
    len -= (gsize) n;
  }
  return TRUE;
}

static guint32
le32(const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16 | (guint32) p[3] << 24;
}

/* Turns the whole records in |port|'s buffer into EPBs. */
static gboolean
drain(Port *port, int out_fd, gint64 arrival_us)
{
  gsize used = 0;

  if (!port->have_header) {
    if (port->buf->len < PCAP_HEADER_LEN)
      return TRUE;
    if (le32(port->buf->data) != PCAP_MAGIC_US) {
      g_printerr("vgw capture relay: %s: not QEMU's pcap stream\n", port->name);
      return FALSE;
    }
    port->have_header = TRUE;
    used = PCAP_HEADER_LEN;
    /* QEMU holds the write end now: its close will be our EOF. */
    close(port->keepalive_fd);
    port->keepalive_fd = -1;
  }
  while (port->buf->len - used >= PCAP_RECORD_HEADER_LEN) {
    const guint8 *h = port->buf->data + used;
    guint32 caplen = le32(h + 8), len = le32(h + 12);
    gint64 file_us = (gint64) (gint32) le32(h) * G_USEC_PER_SEC + le32(h + 4);
    gint64 sample = file_us - arrival_us;
    g_autoptr(GBytes) epb = NULL;

    if (caplen > 262144) {
      g_printerr("vgw capture relay: %s: record of %u bytes\n", port->name, caplen);
      return FALSE;
    }
    if (port->buf->len - used - PCAP_RECORD_HEADER_LEN < caplen)
      break;
    if (!port->have_offset || sample > port->offset_us || sample < port->offset_us - PAUSE_US) {
      port->offset_us = sample;
      port->have_offset = TRUE;
    }
    epb = tlsd_pcapng_epb(port->interface_id, file_us - port->offset_us,
                          h + PCAP_RECORD_HEADER_LEN, caplen, len);
    if (!write_all(out_fd, epb)) {
      g_printerr("vgw capture relay: write: %s\n", g_strerror(errno));
      return FALSE;
    }
    port->packets++;
    used += PCAP_RECORD_HEADER_LEN + caplen;
  }
  g_byte_array_remove_range(port->buf, 0, used);
  return TRUE;
}

static gboolean
open_port(Port *port, const char *fifo)
{
  port->fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (port->fd < 0) {
    g_printerr("vgw capture relay: cannot open %s: %s\n", fifo, g_strerror(errno));
    return FALSE;
  }
  /* Until QEMU opens the FIFO, a read would see end-of-file: hold a
   * write end of our own meanwhile. */
  port->keepalive_fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  fcntl(port->fd, F_SETPIPE_SZ, PIPE_SIZE);
  port->buf = g_byte_array_new();
  return port->keepalive_fd >= 0;
}

/* Tells the launcher on |ready_fd| why the relay cannot start ("error
 * ..." instead of "ready"); the error line goes to capture.log. */
static gboolean
fail_start(int ready_fd, GError **error, const char *format, ...) G_GNUC_PRINTF(3, 4);

static gboolean
fail_start(int ready_fd, GError **error, const char *format, ...)
{
  g_autofree char *reason = NULL;
  g_autofree char *line = NULL;
  va_list ap;

  va_start(ap, format);
  reason = g_strdup_vprintf(format, ap);
  va_end(ap);
  line = g_strdup_printf("error %s\n", reason);
  if (write(ready_fd, line, strlen(line)) < 0)
    g_printerr("vgw capture relay: cannot report to the launcher: %s\n", g_strerror(errno));
  g_set_error_literal(error, VGW_ERROR, VGW_ERROR_FAILED, reason);
  return FALSE;
}

gboolean
vgw_capture_relay_run(gconstpointer data, GError **error)
{
  const VgwCaptureRelayOptions *opts = data;
  const char *dir = opts->dir, *out = opts->out;
  VgwCapturePorts ports = opts->ports;
  int ready_fd = (int) opts->ready_fd;
  Port port[2];
  guint nports = 0;
  int out_fd;
  gint64 started = g_get_monotonic_time();

  out_fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out_fd < 0) {
    return fail_start(ready_fd, error, "cannot create %s: %s", out, g_strerror(errno));
  }
  {
    g_autoptr(GBytes) shb = tlsd_pcapng_shb("vgw capture (QEMU filter-dump)");
    write_all(out_fd, shb);
  }
  for (int i = 0; i < 2; i++) {
    const char *name = i == 0 ? "lan" : "wan";
    g_autofree char *fifo = NULL, *descr = NULL;
    g_autoptr(GBytes) idb = NULL;
    if (!(ports & (i == 0 ? VGW_CAPTURE_LAN : VGW_CAPTURE_WAN)))
      continue;
    fifo = g_strdup_printf("%s/capture-%s.fifo", dir, name);
    memset(&port[nports], 0, sizeof port[nports]);
    port[nports].name = name;
    port[nports].interface_id = nports;
    if (!open_port(&port[nports], fifo)) {
      return fail_start(ready_fd, error, "cannot open the capture FIFOs");
    }
    descr = g_strdup_printf("vgw gateway %s NIC (QEMU netdev '%s')",
                            i == 0 ? "LAN (SIP)" : "WAN", name);
    idb = tlsd_pcapng_idb(TLSD_LINKTYPE_ETHERNET, 65536, name, descr);
    write_all(out_fd, idb);
    nports++;
  }
  if (ready_fd >= 0) {
    if (write(ready_fd, "ready\n", 6) < 0)
      g_printerr("vgw capture relay: cannot report ready: %s\n", g_strerror(errno));
    close(ready_fd);
  }

  for (;;) {
    struct pollfd fds[2];
    guint open_ports = 0;
    gboolean waiting_open = FALSE;
    int n;

    for (guint i = 0; i < nports; i++) {
      fds[i].fd = port[i].fd;
      fds[i].events = POLLIN;
      fds[i].revents = 0;
      open_ports += port[i].fd >= 0;
      waiting_open |= port[i].fd >= 0 && !port[i].have_header;
    }
    if (open_ports == 0)
      break;
    n = poll(fds, nports, waiting_open ? 1000 : -1);
    if (n < 0 && errno != EINTR)
      break;
    if (waiting_open && g_get_monotonic_time() - started > OPEN_TIMEOUT_MS * 1000LL) {
      g_printerr("vgw capture relay: QEMU never opened the capture FIFOs\n");
      break;
    }
    for (guint i = 0; i < nports; i++) {
      guint8 chunk[65536];
      ssize_t got;
      if (port[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      got = read(port[i].fd, chunk, sizeof chunk);
      if (got < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (got <= 0) {
        close(port[i].fd);
        port[i].fd = -1;
        continue;
      }
      g_byte_array_append(port[i].buf, chunk, (guint) got);
      if (!drain(&port[i], out_fd, g_get_real_time())) {
        close(port[i].fd);
        port[i].fd = -1;
      }
    }
  }
  for (guint i = 0; i < nports; i++) {
    if (port[i].buf != NULL && port[i].buf->len > 0)
      g_printerr("vgw capture relay: %s: %u bytes of a cut record dropped\n", port[i].name,
                 port[i].buf->len);
    g_printerr("vgw capture relay: %s: %" G_GUINT64_FORMAT " packets\n", port[i].name,
               port[i].packets);
    if (port[i].keepalive_fd >= 0)
      close(port[i].keepalive_fd);
    if (port[i].buf != NULL)
      g_byte_array_unref(port[i].buf);
  }
  if (fsync(out_fd) != 0 && errno != EINVAL)
    g_printerr("vgw capture relay: fsync: %s\n", g_strerror(errno));
  close(out_fd);
  return TRUE;
}
