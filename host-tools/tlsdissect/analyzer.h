/*
 * Reads a capture file (pcap or pcapng, through libpcap), follows every
 * TCP connection in it and explains each TLS handshake found.
 *
 * A file that cannot be read at all is an error.  A file that is damaged
 * or cut short part way gives the handshakes up to that point, with the
 * result marked incomplete and the reason in |errors|.
 *
 * It also lists the SIP messages of every flow that carried SIP: over
 * UDP, in the clear over TCP, and over TLS where the key log decrypts it.
 */
#ifndef TLSD_ANALYZER_H
#define TLSD_ANALYZER_H

#include <glib.h>

#include "handshake.h"
#include "keylog.h"
#include "pcapng_secrets.h"
#include "sip_lines.h"

G_BEGIN_DECLS

#define TLSD_ERROR (tlsd_error_quark())
GQuark tlsd_error_quark(void);

typedef enum {
  TLSD_ERROR_NOT_CAPTURE, /* neither pcap nor pcapng */
  TLSD_ERROR_UNREADABLE,  /* libpcap refused the file */
  TLSD_ERROR_LINKTYPE,    /* a link type this reader does not decode */
} TlsdErrorCode;

typedef struct {
  TlsdFileFormat format;
  int linktype;             /* DLT_ value */
  guint64 packets;
  guint64 tcp_packets;
  guint64 connections;      /* TCP connections seen */
  guint embedded_secret_blocks;
  guint keylog_entries;     /* embedded and given */
  gboolean complete;        /* FALSE: damaged or truncated, see errors */
  GPtrArray *errors;        /* char* */
  GPtrArray *handshakes;    /* TlsdHandshake*, in order of first packet */
  GPtrArray *sip_flows;     /* TlsdSipFlow* (sip_lines.h) that carried SIP, UDP, TCP or
                             * decrypted TLS, in order of their first message */
} TlsdResult;

void tlsd_result_free(TlsdResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(TlsdResult, tlsd_result_free)

/* tlsd_analyze_memory analyzes the capture file held in |data| (|len|
 * bytes; |name| names it in messages).  |keylog| (may be NULL) holds
 * secrets given by the user; the file's embedded secrets are added to it. */
TlsdResult *tlsd_analyze_memory(const guint8 *data, gsize len, const char *name,
                                TlsdKeylog *keylog, GError **error);

/* The largest capture file read (a regular file is mapped; a pipe or
 * device is read into memory up to this). */
#define TLSD_CAPTURE_MAX ((gsize) 2 << 30)

/* tlsd_analyze_file maps the file |path| (at most TLSD_CAPTURE_MAX bytes,
 * not a directory; errors from fileread.h) and analyzes it. */
TlsdResult *tlsd_analyze_file(const char *path, TlsdKeylog *keylog, GError **error);

G_END_DECLS

#endif /* TLSD_ANALYZER_H */
