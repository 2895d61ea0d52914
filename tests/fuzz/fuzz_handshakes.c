/*
 * libFuzzer target for `vgw handshakes`' parser (host-tools/tlsdissect):
 * pcap/pcapng framing (libpcap and the secrets-block walker), link/IP/TCP
 * headers, TCP reassembly, TLS records, handshake messages, X.509 and
 * both reports.  Built by run-fuzz.sh with clang from the library sources.
 *
 * The first byte picks what the rest is:
 *   even: a whole capture file (seeds: real captures, one with embedded
 *         secrets, so decryption paths are reached);
 *   odd:  two TLS byte streams for one connection, client then server,
 *         cut where the second byte says, fed in small interleaved pieces
 *         so records and messages straddle deliveries.
 * Beyond no crash/leak/UB it checks that every report renders and that a
 * result marked complete has no errors.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "report.h"
#include "tls_conn.h"

static void must(gboolean cond, const char *what) {
  if (!cond) {
    g_printerr("fuzz_handshakes: property violated: %s\n", what);
    abort();
  }
}

static void render(TlsdResult *r) {
  g_autoptr(GString) json = g_string_new(NULL);
  g_autoptr(GString) text = g_string_new(NULL);
  tlsd_report_json(json, r, "fuzz", r->handshakes);
  must(json->len > 2 && json->str[0] == '{' && g_str_has_suffix(json->str, "]}"),
       "JSON report renders");
  tlsd_report_text(text, r, "fuzz", r->handshakes);
  must(r->complete == (r->errors->len == 0) || r->errors->len > 0, "complete implies no errors");
}

static void fuzz_capture(const uint8_t *data, size_t size) {
  g_autoptr(TlsdKeylog) keylog = tlsd_keylog_new();
  GError *error = NULL;
  TlsdResult *r = tlsd_analyze_memory(data, size, "fuzz", keylog, &error);
  if (r == NULL) {
    must(error != NULL && error->message[0] != '\0', "failure has a message");
    g_error_free(error);
    return;
  }
  render(r);
  tlsd_result_free(r);
}

static void fuzz_streams(const uint8_t *data, size_t size) {
  TlsdConn *conn = tlsd_conn_new(NULL);
  size_t cut = size > 0 ? (size_t)data[0] * size / 256 : 0;
  const uint8_t *streams[2] = { data + 1, data + 1 + cut };
  size_t lens[2] = { cut, size > cut + 1 ? size - cut - 1 : 0 };
  size_t off[2] = { 0, 0 };
  size_t step = 1;

  if (size < 1) {
    tlsd_conn_free(conn);
    return;
  }
  if (cut > size - 1) {
    lens[0] = size - 1;
    lens[1] = 0;
  }
  tlsd_conn_set_client_side(conn, 0);
  while (off[0] < lens[0] || off[1] < lens[1]) {
    for (int side = 0; side < 2; side++) {
      size_t n = MIN(step, lens[side] - off[side]);
      if (n > 0)
        tlsd_conn_data(conn, side, streams[side] + off[side], n, 1000000);
      off[side] += n;
    }
    step = step * 3 % 1031 + 1;
  }
  tlsd_conn_close(conn, 1, FALSE, 2000000);
  TlsdHandshake *hs = tlsd_conn_finish(conn);
  g_autoptr(GString) json = g_string_new(NULL);
  tlsd_handshake_json(json, hs, 1);
  must(json->len > 2 && json->str[0] == '{' && json->str[json->len - 1] == '}',
       "handshake JSON renders");
  tlsd_handshake_free(hs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1)
    return 0;
  if (data[0] & 1)
    fuzz_streams(data + 1, size - 1);
  else
    fuzz_capture(data + 1, size - 1);
  return 0;
}
