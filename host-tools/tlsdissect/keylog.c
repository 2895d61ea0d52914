#include "keylog.h"

#include <string.h>

#include "fileread.h"

/* One connection's secrets, keyed by its client random. */
typedef struct {
  guint8 client_random[TLSD_RANDOM_LEN];
  TlsdSecret secrets[TLSD_SECRET_KINDS];
} Entry;

struct TlsdKeylog {
  GHashTable *by_random;  /* GBytes(random) -> Entry */
  guint entries;
  guint skipped;
};

static const struct {
  const char *label;
  int kind;  /* TlsdSecretKind, or -1 for known labels we do not use */
} labels[] = {
  { "CLIENT_RANDOM", TLSD_SECRET_MASTER },
  { "CLIENT_HANDSHAKE_TRAFFIC_SECRET", TLSD_SECRET_CLIENT_HANDSHAKE },
  { "SERVER_HANDSHAKE_TRAFFIC_SECRET", TLSD_SECRET_SERVER_HANDSHAKE },
  { "CLIENT_TRAFFIC_SECRET_0", TLSD_SECRET_CLIENT_TRAFFIC_0 },
  { "SERVER_TRAFFIC_SECRET_0", TLSD_SECRET_SERVER_TRAFFIC_0 },
  { "EXPORTER_SECRET", -1 },
  { "EARLY_EXPORTER_SECRET", -1 },
  { "CLIENT_EARLY_TRAFFIC_SECRET", -1 },
};

TlsdKeylog *
tlsd_keylog_new(void)
{
  TlsdKeylog *log = g_new0(TlsdKeylog, 1);

  log->by_random = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
                                         (GDestroyNotify) g_bytes_unref, g_free);
  return log;
}

void
tlsd_keylog_free(TlsdKeylog *log)
{
  if (log == NULL)
    return;
  g_hash_table_unref(log->by_random);
  g_free(log);
}

/* Decodes exactly |out_len| bytes from the |hex_len| hex digits at |hex|. */
static gboolean
decode_hex(const char *hex, gsize hex_len, guint8 *out, gsize out_len)
{
  if (hex_len != out_len * 2)
    return FALSE;
  for (gsize i = 0; i < out_len; i++) {
    int hi = g_ascii_xdigit_value(hex[2 * i]);
    int lo = g_ascii_xdigit_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0)
      return FALSE;
    out[i] = (guint8) (hi << 4 | lo);
  }
  return TRUE;
}

/* Splits off the next space-separated word of [*p, end). */
static gboolean
next_word(const char **p, const char *end, const char **word, gsize *len)
{
  while (*p < end && (**p == ' ' || **p == '\t'))
    (*p)++;
  *word = *p;
  while (*p < end && **p != ' ' && **p != '\t')
    (*p)++;
  *len = (gsize) (*p - *word);
  return *len > 0;
}

/* Adds one line; FALSE if it is not a well-formed key log line. */
static gboolean
add_line(TlsdKeylog *log, const char *line, const char *end)
{
  const char *label, *random_hex, *secret_hex, *rest;
  gsize label_len, random_len, secret_len, rest_len;
  guint8 random[TLSD_RANDOM_LEN];
  TlsdSecret secret = { { 0 }, 0 };
  int kind = -2;
  Entry *entry;
  g_autoptr(GBytes) key = NULL;

  if (!next_word(&line, end, &label, &label_len) ||
      !next_word(&line, end, &random_hex, &random_len) ||
      !next_word(&line, end, &secret_hex, &secret_len) ||
      next_word(&line, end, &rest, &rest_len))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS(labels); i++) {
    if (strlen(labels[i].label) == label_len &&
        memcmp(labels[i].label, label, label_len) == 0)
      kind = labels[i].kind;
  }
  if (kind == -2 || secret_len % 2 != 0 || secret_len / 2 > TLSD_MAX_SECRET_LEN ||
      secret_len == 0 ||
      !decode_hex(random_hex, random_len, random, sizeof random) ||
      !decode_hex(secret_hex, secret_len, secret.data, secret_len / 2))
    return FALSE;
  secret.len = secret_len / 2;
  log->entries++;
  if (kind < 0)
    return TRUE;
  key = g_bytes_new(random, sizeof random);
  entry = g_hash_table_lookup(log->by_random, key);
  if (entry == NULL) {
    entry = g_new0(Entry, 1);
    memcpy(entry->client_random, random, sizeof random);
    g_hash_table_insert(log->by_random, g_bytes_ref(key), entry);
  }
  entry->secrets[kind] = secret;
  return TRUE;
}

guint
tlsd_keylog_add_text(TlsdKeylog *log, const char *text, gsize len)
{
  const char *p = text, *end = text + len;
  guint added = 0;

  while (p < end) {
    const char *nl = memchr(p, '\n', (gsize) (end - p));
    const char *line_end = nl != NULL ? nl : end;
    const char *e = line_end;

    if (e > p && e[-1] == '\r')
      e--;
    if (e > p && *p != '#') {
      if (add_line(log, p, e))
        added++;
      else
        log->skipped++;
    }
    p = nl != NULL ? nl + 1 : end;
  }
  return added;
}

gboolean
tlsd_keylog_load_file(TlsdKeylog *log, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;

  if (!vgw_file_read(path, TLSD_KEYLOG_MAX, &text, &len, error))
    return FALSE;
  if (tlsd_keylog_add_text(log, text, len) == 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "%s holds no TLS key log lines (expected \"LABEL <client random> <secret>\")",
                path);
    return FALSE;
  }
  return TRUE;
}

const TlsdSecret *
tlsd_keylog_lookup(const TlsdKeylog *log, const guint8 client_random[TLSD_RANDOM_LEN],
                   TlsdSecretKind kind)
{
  g_autoptr(GBytes) key = NULL;
  const Entry *entry;

  /* Most captures come without secrets: no key to build then. */
  if (g_hash_table_size(log->by_random) == 0)
    return NULL;
  key = g_bytes_new(client_random, TLSD_RANDOM_LEN);
  entry = g_hash_table_lookup(log->by_random, key);
  if (entry == NULL || entry->secrets[kind].len == 0)
    return NULL;
  return &entry->secrets[kind];
}

guint
tlsd_keylog_entries(const TlsdKeylog *log)
{
  return log->entries;
}

guint
tlsd_keylog_skipped(const TlsdKeylog *log)
{
  return log->skipped;
}
