/*
 * Maintenance-port protocol framing (docs/maintenance-protocol.md).
 *
 * Pure string handling, no I/O: the firmware's responder and the host
 * `vgw` command both link this library, so both sides agree on how a
 * request or a reply line is split, quoted and recognised.
 *
 * Lines passed in may carry a trailing "\n" or "\r\n"; strings produced
 * never carry one (the caller appends "\n" when writing).
 */
#ifndef VGW_MGMT_PROTO_H
#define VGW_MGMT_PROTO_H

#include <glib.h>

G_BEGIN_DECLS

/* VGW_MGMT_LINE_MAX is the longest line, in bytes without its "\n",
 * that either side accepts. */
#define VGW_MGMT_LINE_MAX 4096

/* VGW_MGMT_ID_MAX is the longest request id, in characters. */
#define VGW_MGMT_ID_MAX 16

/* VGW_MGMT_ERROR is the GError domain of this library. */
#define VGW_MGMT_ERROR (vgw_mgmt_error_quark())
GQuark vgw_mgmt_error_quark(void);

typedef enum {
  VGW_MGMT_ERROR_NOT_REQUEST,  /* the line does not start with '@' */
  VGW_MGMT_ERROR_BAD_ID,       /* id empty, too long or bad characters */
  VGW_MGMT_ERROR_NO_VERB,      /* "@id" with nothing after it */
  VGW_MGMT_ERROR_BAD_QUOTING,  /* unterminated quote, bad escape, ... */
  VGW_MGMT_ERROR_TOO_LONG,     /* line longer than VGW_MGMT_LINE_MAX */
  VGW_MGMT_ERROR_BAD_REPLY,    /* "@id ok|error" not followed by an object */
} VgwMgmtError;

typedef struct {
  char id[VGW_MGMT_ID_MAX + 1];
  char **argv; /* NULL-terminated; argv[0] is the verb */
} VgwMgmtRequest;

/* vgw_mgmt_id_is_valid returns TRUE if |id| is 1 to VGW_MGMT_ID_MAX
 * characters of [A-Za-z0-9_-]. */
gboolean vgw_mgmt_id_is_valid(const char *id);

/* vgw_mgmt_parse_request parses the machine-mode request |line|
 * ("@<id> <verb> [<arg> ...]"). On success it fills |out| (which the
 * caller later releases with vgw_mgmt_request_clear) and returns TRUE. On
 * failure it returns FALSE, sets |error| (domain VGW_MGMT_ERROR) and leaves
 * |out| cleared. When the line starts with '@' and its id is valid but the
 * rest is malformed, |out->id| still holds the id so the caller can address
 * its error reply. Quoted arguments ("...") may use \" and \\; runs of
 * spaces between arguments are accepted as one separator. */
gboolean vgw_mgmt_parse_request(const char *line, VgwMgmtRequest *out,
                                GError **error);

/* vgw_mgmt_request_clear frees what |req| owns and zeroes it. Safe to call
 * on a zeroed or already cleared request. */
void vgw_mgmt_request_clear(VgwMgmtRequest *req);

/* vgw_mgmt_format_request returns a newly allocated request line (no
 * trailing newline) for |id| and the NULL-terminated |argv| (argv[0] is
 * the verb). Arguments that are empty, hold a space or start with '"' are
 * double-quoted with '"' and '\' escaped. Returns NULL if |id| is invalid,
 * |argv| is empty, or an argument holds '\n' or '\r' (not representable). */
char *vgw_mgmt_format_request(const char *id, const char *const *argv);

/* vgw_mgmt_format_reply returns a newly allocated reply line (no trailing
 * newline): "@<id> ok <json_object>" or "@<id> error <json_object>".
 * |json_object| must be a one-line JSON object; NULL means "{}". */
char *vgw_mgmt_format_reply(const char *id, gboolean ok,
                            const char *json_object);

/* vgw_mgmt_format_error_reply returns a newly allocated error reply line
 * whose object is {"error":"<message>"}, |message| JSON-escaped. */
char *vgw_mgmt_format_error_reply(const char *id, const char *message);

/* vgw_mgmt_parse_reply parses a reply line. If |line| is a reply it sets
 * |*id|, |*ok| and |*json| (the object text; newly allocated, caller
 * frees; any output pointer may be NULL) and returns TRUE. If |line| is not
 * a reply at all (human-mode text, a prompt, a request echo) it returns
 * FALSE without setting |error|. If it starts like a reply ("@<id> ok" or
 * "@<id> error") but is malformed or longer than VGW_MGMT_LINE_MAX, it
 * returns FALSE and sets |error|. */
gboolean vgw_mgmt_parse_reply(const char *line, char **id, gboolean *ok,
                              char **json, GError **error);

/* vgw_mgmt_json_append_string appends |s| to |out| as a JSON string
 * literal, quotes included. |s| is treated as UTF-8; control characters are
 * written as \uXXXX (or \n, \t, ...), '"' and '\' are escaped, and a
 * byte that is not part of a valid UTF-8 sequence is written as \ufffd,
 * so the result is valid UTF-8 JSON for any input. NULL is written as the
 * literal null. */
void vgw_mgmt_json_append_string(GString *out, const char *s);

/* vgw_mgmt_json_quote returns |s| as a newly allocated JSON string literal,
 * as vgw_mgmt_json_append_string writes it. */
char *vgw_mgmt_json_quote(const char *s);

G_END_DECLS

#endif /* VGW_MGMT_PROTO_H */
