/*
 * The two renderings of an analysis: stable JSON (documented field by
 * field in docs/handshakes.md; "schema" is bumped on any incompatible
 * change) and text for people.  Both append to a GString; the whole
 * report of a large capture goes out a handshake at a time with
 * tlsd_report_write.
 */
#ifndef TLSD_REPORT_H
#define TLSD_REPORT_H

#include <stdio.h>

#include <glib.h>

#include "analyzer.h"

G_BEGIN_DECLS

#define TLSD_JSON_SCHEMA 1

/* What closes the "handshakes" array and opens "sip_flows". */
#define TLSD_REPORT_JSON_SIP_HEAD "],\"sip_flows\":["
/* What closes the JSON report after the SIP flows. */
#define TLSD_REPORT_JSON_TAIL "]}"

/* tlsd_report_json appends the whole JSON report (one line, no newline)
 * for |result| on file |file_name|: the handshakes listed in |shown|
 * (TlsdHandshake*, a subset of result->handshakes after filtering), the
 * file's facts from |result|.  It is tlsd_report_json_head, the
 * handshakes' objects separated by commas, TLSD_REPORT_JSON_SIP_HEAD,
 * the SIP flows' objects (tlsd_sip_flow_json) separated by commas, then
 * TLSD_REPORT_JSON_TAIL.  Filters choose handshakes only: every SIP flow
 * is listed. */
void tlsd_report_json(GString *out, const TlsdResult *result, const char *file_name,
                      const GPtrArray *shown);

/* tlsd_report_json_head appends the report's object up to and including
 * the '[' that opens its "handshakes" array. */
void tlsd_report_json_head(GString *out, const TlsdResult *result, const char *file_name);

/* tlsd_handshake_json appends one handshake's object, numbered |index|. */
void tlsd_handshake_json(GString *out, const TlsdHandshake *hs, guint index);

/* tlsd_sip_flow_json appends one SIP flow's object, numbered |index|:
 * its transport, endpoints, TLS handshake, and each message's time,
 * direction, start line and Call-ID. */
void tlsd_sip_flow_json(GString *out, const TlsdSipFlow *flow, guint index);

/* tlsd_sip_flow_text appends one SIP flow's paragraph, numbered |index|:
 * a line per message with time, direction, start line and Call-ID. */
void tlsd_sip_flow_text(GString *out, const TlsdSipFlow *flow, guint index);

/* tlsd_report_text appends the whole text report.  It is
 * tlsd_report_text_head, tlsd_handshake_text for each of |shown|, then
 * tlsd_sip_flow_text for every SIP flow. */
void tlsd_report_text(GString *out, const TlsdResult *result, const char *file_name,
                      const GPtrArray *shown);

/* tlsd_report_text_head appends the text report's header: the file's
 * facts, errors, how many handshakes there are and are shown. */
void tlsd_report_text_head(GString *out, const TlsdResult *result, const char *file_name,
                           const GPtrArray *shown);

/* tlsd_handshake_text appends one handshake's paragraph. */
void tlsd_handshake_text(GString *out, const TlsdHandshake *hs);

/* tlsd_report_write writes the report (JSON if |json|, then a newline;
 * else text) to |out| one handshake at a time, so a large capture's
 * report is never held whole in memory.  FALSE if writing failed (errno
 * is set). */
gboolean tlsd_report_write(FILE *out, gboolean json, const TlsdResult *result,
                           const char *file_name, const GPtrArray *shown);

/* tlsd_append_time appends "2025-01-31T12:00:00.123456Z" for |time_us|
 * (µs since the epoch), or "(time out of range)" before 1970 or after
 * the year 9999 (as GDateTime can represent). */
void tlsd_append_time(GString *out, gint64 time_us);

/* tlsd_format_time returns what tlsd_append_time appends, newly
 * allocated. */
char *tlsd_format_time(gint64 time_us);

G_END_DECLS

#endif /* TLSD_REPORT_H */
