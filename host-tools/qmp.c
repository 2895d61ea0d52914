#include "qmp.h"

#include "linesock.h"

G_DEFINE_QUARK(vgw-qmp-error-quark, vgw_qmp_error)

/* QMP replies to query commands can be long (query-qom-tree ...). */
#define QMP_LINE_MAX (16 * 1024 * 1024)

struct VgwQmp {
  VgwLineSocket *ls;
  guint timeout_ms;
  guint next_id;
  GPtrArray *events; /* JsonObject */
};

static void
set_io_error(GError **error, GError *io, const char *what)
{
  if (g_error_matches(io, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    g_set_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_TIMEOUT,
                "QMP did not answer %s in time", what);
  else if (g_error_matches(io, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
           g_error_matches(io, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
           g_error_matches(io, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED))
    g_set_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_CLOSED,
                "QMP connection closed while waiting for %s", what);
  else
    g_set_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_PROTOCOL,
                "QMP %s: %s", what, io->message);
}

/* Reads one message; returns a new JsonObject or NULL with |error|. */
static JsonObject *
read_message(VgwQmp *qmp, gint64 deadline, const char *what, GError **error)
{
  for (;;) {
    g_autoptr(GError) local = NULL;
    g_autoptr(JsonParser) parser = NULL;
    g_autofree char *line = vgw_line_socket_read_line(qmp->ls, QMP_LINE_MAX,
                                                      deadline, &local);
    JsonNode *root;

    if (line == NULL) {
      set_io_error(error, local, what);
      return NULL;
    }
    if (*g_strstrip(line) == '\0')
      continue;
    parser = json_parser_new();
    if (!json_parser_load_from_data(parser, line, -1, &local) ||
        (root = json_parser_get_root(parser)) == NULL ||
        !JSON_NODE_HOLDS_OBJECT(root)) {
      g_set_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_PROTOCOL,
                  "QMP sent something that is not a JSON object while waiting for %s",
                  what);
      return NULL;
    }
    return json_object_ref(json_node_get_object(root));
  }
}

static gboolean
is_event(JsonObject *msg)
{
  return json_object_has_member(msg, "event");
}

static VgwQmp *
handshake(VgwQmp *qmp, GError **error)
{
  gint64 deadline = g_get_monotonic_time() + (gint64) qmp->timeout_ms * 1000;
  JsonObject *greeting = read_message(qmp, deadline, "the greeting", error);
  JsonNode *ret;

  if (greeting == NULL)
    goto fail;
  if (!json_object_has_member(greeting, "QMP")) {
    json_object_unref(greeting);
    g_set_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_PROTOCOL,
                "no QMP greeting on the socket");
    goto fail;
  }
  json_object_unref(greeting);
  ret = vgw_qmp_execute(qmp, "qmp_capabilities", NULL, error);
  if (ret == NULL)
    goto fail;
  json_node_unref(ret);
  return qmp;

fail:
  vgw_qmp_free(qmp);
  return NULL;
}

static VgwQmp *
qmp_new(VgwLineSocket *ls, guint timeout_ms)
{
  VgwQmp *qmp = g_new0(VgwQmp, 1);

  qmp->ls = ls;
  qmp->timeout_ms = timeout_ms;
  qmp->next_id = 1;
  qmp->events = g_ptr_array_new_with_free_func((GDestroyNotify) json_object_unref);
  return qmp;
}

VgwQmp *
vgw_qmp_connect(const char *path, guint timeout_ms, GError **error)
{
  g_autoptr(GError) local = NULL;
  VgwLineSocket *ls = vgw_line_socket_connect_unix(path, &local);

  if (ls == NULL) {
    g_set_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_CONNECT, "%s",
                local->message);
    return NULL;
  }
  return handshake(qmp_new(ls, timeout_ms), error);
}

VgwQmp *
vgw_qmp_new_for_socket(GSocket *socket, guint timeout_ms, GError **error)
{
  return handshake(qmp_new(vgw_line_socket_new(socket), timeout_ms), error);
}

void
vgw_qmp_free(VgwQmp *qmp)
{
  if (qmp == NULL)
    return;
  vgw_line_socket_free(qmp->ls);
  g_ptr_array_unref(qmp->events);
  g_free(qmp);
}

static char *
build_request(const char *command, JsonObject *arguments, const char *id)
{
  g_autoptr(JsonBuilder) b = json_builder_new();
  g_autoptr(JsonGenerator) gen = json_generator_new();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object(b);
  json_builder_set_member_name(b, "execute");
  json_builder_add_string_value(b, command);
  if (arguments != NULL) {
    JsonNode *args = json_node_new(JSON_NODE_OBJECT);
    json_node_set_object(args, arguments);
    json_builder_set_member_name(b, "arguments");
    json_builder_add_value(b, args);
  }
  json_builder_set_member_name(b, "id");
  json_builder_add_string_value(b, id);
  json_builder_end_object(b);
  root = json_builder_get_root(b);
  json_generator_set_root(gen, root);
  return json_generator_to_data(gen, NULL);
}

JsonNode *
vgw_qmp_execute(VgwQmp *qmp, const char *command, JsonObject *arguments,
                GError **error)
{
  g_autofree char *id = g_strdup_printf("vgw-%u", qmp->next_id++);
  g_autofree char *request = build_request(command, arguments, id);
  g_autofree char *what = g_strdup_printf("the reply to '%s'", command);
  gint64 deadline = g_get_monotonic_time() + (gint64) qmp->timeout_ms * 1000;
  g_autoptr(GError) local = NULL;

  if (!vgw_line_socket_write_line(qmp->ls, request, deadline, &local)) {
    set_io_error(error, local, what);
    return NULL;
  }
  for (;;) {
    JsonObject *msg = read_message(qmp, deadline, what, error);
    const char *msg_id;

    if (msg == NULL)
      return NULL;
    if (is_event(msg)) {
      g_ptr_array_add(qmp->events, msg);
      continue;
    }
    msg_id = json_object_has_member(msg, "id")
                 ? json_node_get_string(json_object_get_member(msg, "id")) : NULL;
    if (g_strcmp0(msg_id, id) != 0) {
      /* A reply to someone else's request, or stray output: not ours. */
      json_object_unref(msg);
      continue;
    }
    if (json_object_has_member(msg, "return")) {
      JsonNode *ret = json_node_copy(json_object_get_member(msg, "return"));
      json_object_unref(msg);
      return ret;
    }
    if (json_object_has_member(msg, "error")) {
      JsonNode *err = json_object_get_member(msg, "error");
      const char *desc = NULL;
      if (JSON_NODE_HOLDS_OBJECT(err) &&
          json_object_has_member(json_node_get_object(err), "desc"))
        desc = json_object_get_string_member(json_node_get_object(err), "desc");
      g_set_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_COMMAND, "%s",
                  desc != NULL ? desc : "QMP command failed");
      json_object_unref(msg);
      return NULL;
    }
    json_object_unref(msg);
    g_set_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_PROTOCOL,
                "QMP reply to '%s' has neither return nor error", command);
    return NULL;
  }
}

char *
vgw_qmp_hmp(VgwQmp *qmp, const char *line, GError **error)
{
  g_autoptr(JsonObject) args = json_object_new();
  g_autoptr(JsonNode) ret = NULL;

  json_object_set_string_member(args, "command-line", line);
  ret = vgw_qmp_execute(qmp, "human-monitor-command", args, error);
  if (ret == NULL)
    return NULL;
  if (json_node_get_value_type(ret) != G_TYPE_STRING) {
    g_set_error(error, VGW_QMP_ERROR, VGW_QMP_ERROR_PROTOCOL,
                "QEMU's answer to '%s' is not text", line);
    return NULL;
  }
  return g_strdup(json_node_get_string(ret));
}

GPtrArray *
vgw_qmp_get_events(VgwQmp *qmp)
{
  return qmp->events;
}

gboolean
vgw_qmp_has_event(VgwQmp *qmp, const char *name)
{
  for (guint i = 0; i < qmp->events->len; i++) {
    JsonObject *ev = g_ptr_array_index(qmp->events, i);
    if (g_strcmp0(json_object_get_string_member(ev, "event"), name) == 0)
      return TRUE;
  }
  return FALSE;
}

gboolean
vgw_qmp_wait_event(VgwQmp *qmp, const char *name, GError **error)
{
  g_autofree char *what = g_strdup_printf("event %s", name);
  gint64 deadline = g_get_monotonic_time() + (gint64) qmp->timeout_ms * 1000;

  while (!vgw_qmp_has_event(qmp, name)) {
    JsonObject *msg = read_message(qmp, deadline, what, error);
    if (msg == NULL)
      return FALSE;
    if (is_event(msg))
      g_ptr_array_add(qmp->events, msg);
    else
      json_object_unref(msg);
  }
  return TRUE;
}
