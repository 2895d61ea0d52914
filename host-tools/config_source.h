/*
 * Where the running configuration came from, as the firmware reports it
 * in its status ("config_source", docs/maintenance-protocol.md):
 *
 *   "config_source": {"generation": N,
 *                     "skipped": [{"generation": M, "reason": "..."}, ...]}
 *
 * A newer flash generation that the firmware could not use (damaged,
 * torn) is skipped and it boots an older one: a silent rollback unless
 * someone says so.  `vgw up` and `vgw status` print the line this module
 * words.  Firmware older than the key has no "config_source": nothing is
 * said then.
 */
#ifndef VGW_CONFIG_SOURCE_H
#define VGW_CONFIG_SOURCE_H

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* vgw_config_source_note returns "configuration: generation N (newer
 * generation M skipped: REASON[; newer generation ...])" when |status|'s
 * config_source lists skipped generations; NULL when it lists none, or
 * has no (well-formed) config_source.  N is "none" when the firmware ran
 * factory defaults (generation null or absent). */
char *vgw_config_source_note(JsonObject *status);

G_END_DECLS

#endif /* VGW_CONFIG_SOURCE_H */
