#include "bootwait.h"

#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "vgw-error.h"

/* Console lines kept for the tail shown on failures. */
#define KEEP_LINES 64

struct VgwConsoleScan {
  char *path;
  goffset offset;
  GString *partial;
  GQueue lines; /* char*, oldest first, at most KEEP_LINES */
};

goffset
vgw_file_size(const char *path)
{
  GStatBuf st;

  return g_stat(path, &st) == 0 ? (goffset) st.st_size : 0;
}

VgwConsoleScan *
vgw_console_scan_new(const char *path, goffset offset)
{
  VgwConsoleScan *scan = g_new0(VgwConsoleScan, 1);

  scan->path = g_strdup(path);
  scan->offset = offset;
  scan->partial = g_string_new(NULL);
  g_queue_init(&scan->lines);
  return scan;
}

void
vgw_console_scan_free(VgwConsoleScan *scan)
{
  if (scan == NULL)
    return;
  g_free(scan->path);
  g_string_free(scan->partial, TRUE);
  g_queue_clear_full(&scan->lines, g_free);
  g_free(scan);
}

static JsonObject *
parse_ready(const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new();
  JsonNode *root;

  if (json_parser_load_from_data(parser, json, -1, NULL) &&
      (root = json_parser_get_root(parser)) != NULL && JSON_NODE_HOLDS_OBJECT(root))
    return json_object_ref(json_node_get_object(root));
  return json_object_new();
}

/* Handles one complete line; returns what it means. */
static VgwConsoleEvent
take_line(VgwConsoleScan *scan, char *line, JsonObject **ready)
{
  const char *mark;
  gsize len = strlen(line);

  /* Terminals send \r\n; drop the \r and any other trailing blanks. */
  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
    line[--len] = '\0';
  g_queue_push_tail(&scan->lines, line);
  while (g_queue_get_length(&scan->lines) > KEEP_LINES)
    g_free(g_queue_pop_head(&scan->lines));

  /* The mark may follow a kernel timestamp or other prefix. */
  if ((mark = strstr(line, VGW_READY_MARK)) != NULL) {
    if (ready != NULL)
      *ready = parse_ready(mark + strlen(VGW_READY_MARK));
    return VGW_CONSOLE_READY;
  }
  if (strstr(line, VGW_PANIC_MARK) != NULL)
    return VGW_CONSOLE_PANIC;
  if (strstr(line, VGW_START_MARK) != NULL)
    return VGW_CONSOLE_START;
  return VGW_CONSOLE_NOTHING;
}

VgwConsoleEvent
vgw_console_scan_poll(VgwConsoleScan *scan, JsonObject **ready)
{
  VgwConsoleEvent event = VGW_CONSOLE_NOTHING;
  goffset size = vgw_file_size(scan->path);
  FILE *f;
  char buf[8192];
  size_t n;

  if (size < scan->offset) {
    /* Truncated behind our back: a new QEMU started the log over. */
    scan->offset = 0;
    g_string_truncate(scan->partial, 0);
  }
  if (size == scan->offset || (f = fopen(scan->path, "rb")) == NULL)
    return VGW_CONSOLE_NOTHING;
  if (fseeko(f, scan->offset, SEEK_SET) != 0) {
    fclose(f);
    return VGW_CONSOLE_NOTHING;
  }
  while (event == VGW_CONSOLE_NOTHING && (n = fread(buf, 1, sizeof buf, f)) > 0) {
    for (size_t i = 0; i < n; i++) {
      scan->offset++;
      if (buf[i] != '\n') {
        /* NULs would cut the line short; the console is text. */
        g_string_append_c(scan->partial, buf[i] != '\0' ? buf[i] : ' ');
        continue;
      }
      event = take_line(scan, g_string_free(scan->partial, FALSE), ready);
      scan->partial = g_string_new(NULL);
      if (event != VGW_CONSOLE_NOTHING)
        break;
    }
  }
  fclose(f);
  return event;
}

gboolean
vgw_console_firmware_ready(const char *path, goffset *boot_offset)
{
  g_autoptr(VgwConsoleScan) scan = vgw_console_scan_new(path, 0);
  gboolean ready = FALSE;
  VgwConsoleEvent event;

  *boot_offset = 0;
  while ((event = vgw_console_scan_poll(scan, NULL)) != VGW_CONSOLE_NOTHING) {
    if (event == VGW_CONSOLE_START) {
      *boot_offset = scan->offset;
      ready = FALSE;
    } else if (event == VGW_CONSOLE_READY) {
      ready = TRUE;
    }
  }
  return ready;
}

char *
vgw_console_scan_tail(VgwConsoleScan *scan, guint n)
{
  GString *out = g_string_new(NULL);
  guint total = g_queue_get_length(&scan->lines) + (scan->partial->len > 0);
  guint skip = total > n ? total - n : 0;
  guint i = 0;

  for (GList *l = scan->lines.head; l != NULL; l = l->next, i++) {
    if (i < skip)
      continue;
    if (out->len > 0)
      g_string_append_c(out, '\n');
    g_string_append(out, l->data);
  }
  if (scan->partial->len > 0) {
    if (out->len > 0)
      g_string_append_c(out, '\n');
    g_string_append(out, scan->partial->str);
  }
  return g_string_free(out, FALSE);
}

void
vgw_boot_result_clear(VgwBootResult *result)
{
  g_clear_pointer(&result->ready, json_object_unref);
  g_clear_pointer(&result->tail, g_free);
  result->elapsed_s = 0;
}

typedef struct {
  VgwConsoleScan *scan;
  VgwAliveFunc alive;
  gpointer alive_data;
  GMainLoop *loop;
  gint64 start_us, deadline_us, panic_until_us;
  gboolean panic, ready, timed_out, exited, interrupted;
  gboolean need_start; /* a ready line counts only after a start mark */
  gboolean started;
  JsonObject *ready_obj;
} Wait;

/* Reads what is new and returns the first event that counts: with
 * |need_start|, a ready line before the first start mark is passed over. */
static VgwConsoleEvent
poll_counted(Wait *w)
{
  for (;;) {
    VgwConsoleEvent event = vgw_console_scan_poll(w->scan, &w->ready_obj);

    if (event == VGW_CONSOLE_START) {
      w->started = TRUE;
    } else if (event == VGW_CONSOLE_READY && w->need_start && !w->started) {
      g_clear_pointer(&w->ready_obj, json_object_unref);
    } else {
      return event;
    }
  }
}

static gboolean
on_tick(gpointer data)
{
  Wait *w = data;
  gint64 now = g_get_monotonic_time();

  if (w->panic) {
    /* Keep reading a little so the tail shows the panic's backtrace. */
    vgw_console_scan_poll(w->scan, NULL);
    if (now >= w->panic_until_us)
      g_main_loop_quit(w->loop);
    return G_SOURCE_CONTINUE;
  }
  switch (poll_counted(w)) {
  case VGW_CONSOLE_READY:
    w->ready = TRUE;
    g_main_loop_quit(w->loop);
    return G_SOURCE_CONTINUE;
  case VGW_CONSOLE_PANIC:
    w->panic = TRUE;
    w->panic_until_us = now + G_USEC_PER_SEC;
    return G_SOURCE_CONTINUE;
  case VGW_CONSOLE_START:
  case VGW_CONSOLE_NOTHING:
    break;
  }
  if (w->alive != NULL && !w->alive(w->alive_data)) {
    /* Read what QEMU wrote before it went. */
    if (poll_counted(w) == VGW_CONSOLE_READY)
      w->ready = TRUE;
    else
      w->exited = TRUE;
    g_main_loop_quit(w->loop);
  } else if (now >= w->deadline_us) {
    w->timed_out = TRUE;
    g_main_loop_quit(w->loop);
  }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal(gpointer data)
{
  Wait *w = data;

  w->interrupted = TRUE;
  g_main_loop_quit(w->loop);
  return G_SOURCE_CONTINUE;
}

/* The reason after "Kernel panic - not syncing: " on the first panic
 * line kept, without the "]---" of the closing banner. */
static char *
find_panic_reason(VgwConsoleScan *scan)
{
  static const char mark[] = "not syncing: ";

  for (GList *l = scan->lines.head; l != NULL; l = l->next) {
    const char *p = strstr(l->data, VGW_PANIC_MARK);
    if (p != NULL && (p = strstr(p, mark)) != NULL) {
      char *reason = g_strdup(p + strlen(mark));
      char *end = strstr(reason, " ]---");
      if (end != NULL)
        *end = '\0';
      return reason;
    }
  }
  return NULL;
}

/* How often the console log is looked at: the ready line is seen at most
 * this late (a poll is one stat() while nothing was written). */
#define BOOT_POLL_MS 10

gboolean
vgw_boot_wait(const char *name, const char *console_log, goffset offset,
              gboolean after_start, guint timeout_s, VgwAliveFunc alive,
              gpointer alive_data, VgwBootResult *result, GError **error)
{
  Wait w = { .need_start = after_start };
  guint tick, sigint, sigterm;
  char *panic_reason = NULL;

  w.scan = vgw_console_scan_new(console_log, offset);
  w.alive = alive;
  w.alive_data = alive_data;
  w.loop = g_main_loop_new(NULL, FALSE);
  w.start_us = g_get_monotonic_time();
  w.deadline_us = w.start_us + (gint64) timeout_s * G_USEC_PER_SEC;

  tick = g_timeout_add(BOOT_POLL_MS, on_tick, &w);
  sigint = g_unix_signal_add(SIGINT, on_signal, &w);
  sigterm = g_unix_signal_add(SIGTERM, on_signal, &w);
  on_tick(&w);
  if (!w.ready && !w.exited && !w.timed_out)
    g_main_loop_run(w.loop);
  g_source_remove(tick);
  g_source_remove(sigint);
  g_source_remove(sigterm);
  g_main_loop_unref(w.loop);

  result->elapsed_s = (g_get_monotonic_time() - w.start_us) / 1e6;
  if (w.ready) {
    result->ready = w.ready_obj;
    vgw_console_scan_free(w.scan);
    return TRUE;
  }
  result->tail = vgw_console_scan_tail(w.scan, VGW_TAIL_LINES);
  panic_reason = find_panic_reason(w.scan);
  vgw_console_scan_free(w.scan);
  if (*result->tail == '\0')
    g_clear_pointer(&result->tail, g_free);
  if (w.interrupted)
    g_set_error(error, VGW_ERROR, VGW_ERROR_INTERRUPTED,
                "interrupted while waiting for gateway '%s' to become ready", name);
  else if (w.panic)
    g_set_error(error, VGW_ERROR, VGW_ERROR_PANIC,
                "gateway '%s': kernel panic during boot%s%s (last console lines follow)",
                name, panic_reason != NULL ? ": " : "",
                panic_reason != NULL ? panic_reason : "");
  else if (w.exited)
    g_set_error(error, VGW_ERROR, VGW_ERROR_EXITED,
                "QEMU exited while gateway '%s' was booting", name);
  else
    g_set_error(error, VGW_ERROR, VGW_ERROR_TIMEOUT,
                "gateway '%s' did not become ready within %u s (%s)", name, timeout_s,
                result->tail != NULL ? "last console lines follow" : "no console output");
  /* The lines a panic's or a timeout's message promises follow it. */
  if (result->tail != NULL && error != NULL &&
      (g_error_matches(*error, VGW_ERROR, VGW_ERROR_PANIC) ||
       g_error_matches(*error, VGW_ERROR, VGW_ERROR_TIMEOUT)))
    vgw_error_set_detail(*error, result->tail);
  g_free(panic_reason);
  return FALSE;
}
