/*
 * The two renderings of an analysis: stable JSON (documented field by
 * field in docs/handshakes.md; "schema" is bumped on any incompatible
 * change) and text for people.
 */
#ifndef TLSD_REPORT_H
#define TLSD_REPORT_H

#include <stdio.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "analyzer.h"

G_BEGIN_DECLS

#define TLSD_JSON_SCHEMA 1

/* tlsd_report_json returns the whole report for |result| on file
 * |file_name|: the handshakes listed in |shown| (TlsdHandshake*, a subset
 * of result->handshakes after filtering), the file's facts from |result|. */
JsonNode *tlsd_report_json(const TlsdResult *result, const char *file_name,
                           const GPtrArray *shown);

/* tlsd_handshake_json returns one handshake's object. */
JsonNode *tlsd_handshake_json(const TlsdHandshake *hs, guint index);

/* tlsd_report_text writes the text report to |out|. */
void tlsd_report_text(GString *out, const TlsdResult *result, const char *file_name,
                      const GPtrArray *shown);

/* tlsd_report_write writes the report (JSON if |json|, else text) to
 * |out| one handshake at a time, so a large capture's report is never
 * held whole in memory.  FALSE if writing failed (errno is set). */
gboolean tlsd_report_write(FILE *out, gboolean json, const TlsdResult *result,
                           const char *file_name, const GPtrArray *shown);

/* tlsd_format_time returns "2025-01-31T12:00:00.123456Z" for |time_us|. */
char *tlsd_format_time(gint64 time_us);

G_END_DECLS

#endif /* TLSD_REPORT_H */
