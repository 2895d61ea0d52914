/*
 * The JSON vgw prints.
 *
 * json-glib writes a string's bytes as they are, so a path or a reply
 * that is not valid UTF-8 would make the output invalid JSON that no
 * reader accepts.  Everything vgw prints as JSON goes through
 * vgw_json_to_text, which replaces each byte that does not start a valid
 * UTF-8 sequence with U+FFFD, as the firmware's escaper does
 * (vgw_mgmt_json_append_string).
 */
#ifndef VGW_JSON_OUT_H
#define VGW_JSON_OUT_H

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* vgw_json_to_text returns |root| as one line of JSON text that is valid
 * UTF-8, member names included; |root| is not changed. */
char *vgw_json_to_text(JsonNode *root);

G_END_DECLS

#endif /* VGW_JSON_OUT_H */
