/*
 * Moments on the command line of `vgw pki`: the edges of a certificate's
 * validity window, which may lie in the past or the future (an expired or
 * a not-yet-valid certificate is one command).
 */
#ifndef VGW_PKI_TIME_H
#define VGW_PKI_TIME_H

#include <glib.h>

G_BEGIN_DECLS

/* vgw_pki_time_parse sets |*out| (Unix seconds) from |text|, read
 * relative to |now| (Unix seconds):
 *   "now";
 *   an offset from now, a sign, digits and a unit d, h, m or s
 *   ("-30d", "+2h");
 *   an ISO 8601 date and time ("2030-01-01T00:00:00Z"; UTC unless it
 *   names a zone).
 * The result must lie in years 1950-9999, the range an X.509 time holds.
 * FALSE with VGW_ERROR_USAGE naming --|option| and what it expected. */
gboolean vgw_pki_time_parse(const char *text, gint64 now, const char *option,
                            gint64 *out, GError **error);

/* vgw_pki_time_format returns |t| (Unix seconds) as
 * "2030-01-01T00:00:00Z", newly allocated. */
char *vgw_pki_time_format(gint64 t);

G_END_DECLS

#endif /* VGW_PKI_TIME_H */
