/*
 * Line assembly for the maintenance port: bytes in, complete lines out,
 * with the VGW_MGMT_LINE_MAX limit enforced. No I/O; both the firmware and
 * the host tool use it on their side of the serial link.
 */
#ifndef VGW_MGMT_LINEBUF_H
#define VGW_MGMT_LINEBUF_H

#include <glib.h>

G_BEGIN_DECLS

typedef struct VgwLineBuf VgwLineBuf;

/* vgw_linebuf_new returns an empty line buffer that accepts lines of at
 * most |max_line| bytes (excluding "\n"). Free it with vgw_linebuf_free. */
VgwLineBuf *vgw_linebuf_new(size_t max_line);

/* vgw_linebuf_free releases |buf|; NULL is allowed. */
void vgw_linebuf_free(VgwLineBuf *buf);

/* vgw_linebuf_feed appends |len| bytes of |data|. Complete lines are
 * queued for vgw_linebuf_next. Bytes of a line beyond the limit are
 * dropped, and that line is queued marked too long once its "\n" arrives. */
void vgw_linebuf_feed(VgwLineBuf *buf, const char *data, size_t len);

/* vgw_linebuf_next pops the oldest complete line, without "\n" or a
 * "\r" before it, as a newly allocated string (caller frees), or returns
 * NULL when no complete line is queued. If |too_long| is not NULL it is set
 * to whether the line exceeded the limit; such a line holds only its first
 * |max_line| bytes. A NUL byte inside a line ends the returned string. */
char *vgw_linebuf_next(VgwLineBuf *buf, gboolean *too_long);

/* vgw_linebuf_pending returns the number of bytes held for the line not
 * yet terminated. */
size_t vgw_linebuf_pending(const VgwLineBuf *buf);

G_END_DECLS

#endif /* VGW_MGMT_LINEBUF_H */
