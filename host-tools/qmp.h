/*
 * A small QMP client over a unix socket (or any connected stream socket).
 *
 * Connecting reads QEMU's greeting and negotiates capabilities.  Each
 * command is sent with an id and the client waits, up to the timeout, for
 * the return or error carrying that id.  Asynchronous events that arrive
 * meanwhile (RESET, SHUTDOWN, WATCHDOG, ...) are kept in arrival order so
 * the caller can look at them afterwards.
 */
#ifndef VGW_QMP_H
#define VGW_QMP_H

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define VGW_QMP_ERROR (vgw_qmp_error_quark())
GQuark vgw_qmp_error_quark(void);

typedef enum {
  VGW_QMP_ERROR_CONNECT,  /* could not connect to the socket */
  VGW_QMP_ERROR_TIMEOUT,  /* no answer within the timeout */
  VGW_QMP_ERROR_CLOSED,   /* QEMU closed the connection */
  VGW_QMP_ERROR_PROTOCOL, /* not QMP: bad JSON, no greeting, ... */
  VGW_QMP_ERROR_COMMAND,  /* QEMU answered with an error; message = desc */
} VgwQmpError;

typedef struct VgwQmp VgwQmp;

/* vgw_qmp_connect connects to the QMP unix socket |path|, reads the
 * greeting and runs qmp_capabilities; every later wait is bounded by
 * |timeout_ms|. */
VgwQmp *vgw_qmp_connect(const char *path, guint timeout_ms, GError **error);

/* vgw_qmp_new_for_socket does the same handshake on an already connected
 * |socket| (a reference is taken).  Used by the tests with a fake server. */
VgwQmp *vgw_qmp_new_for_socket(GSocket *socket, guint timeout_ms,
                               GError **error);

void vgw_qmp_free(VgwQmp *qmp);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgwQmp, vgw_qmp_free)

/* vgw_qmp_execute runs |command| with |arguments| (may be NULL; not
 * consumed) and returns a new copy of the "return" member.  A QMP error
 * becomes VGW_QMP_ERROR_COMMAND whose message is QEMU's "desc". */
JsonNode *vgw_qmp_execute(VgwQmp *qmp, const char *command,
                          JsonObject *arguments, GError **error);

/* vgw_qmp_hmp runs the human monitor command |line| (for what QMP
 * itself does not tell, such as `info network` or `info replay`) and
 * returns its output (g_free it).  An output that is not a string is a
 * VGW_QMP_ERROR_PROTOCOL error. */
char *vgw_qmp_hmp(VgwQmp *qmp, const char *line, GError **error);

/* vgw_qmp_get_events returns the events received so far: an array of
 * JsonObject (each a whole event message), owned by |qmp|. */
GPtrArray *vgw_qmp_get_events(VgwQmp *qmp);

/* vgw_qmp_has_event returns TRUE if an event named |name| was received. */
gboolean vgw_qmp_has_event(VgwQmp *qmp, const char *name);

/* vgw_qmp_wait_event waits until an event named |name| has arrived (or
 * already had), reading and keeping other messages.  Fails with
 * VGW_QMP_ERROR_TIMEOUT or VGW_QMP_ERROR_CLOSED. */
gboolean vgw_qmp_wait_event(VgwQmp *qmp, const char *name, GError **error);

G_END_DECLS

#endif /* VGW_QMP_H */
