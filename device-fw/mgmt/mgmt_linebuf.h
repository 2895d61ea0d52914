/*
 * Line assembly for the maintenance port: bytes in, complete lines and
 * breaks out, with the VGW_MGMT_LINE_MAX limit enforced. No I/O.
 *
 * A NUL byte is a break: the serial line's way of saying that the host
 * side connected or hung up (the board sends a BREAK then, and the tty
 * delivers it as NUL, see mgmt_port.c). It drops the line being received
 * and is queued in order with the complete lines.
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

/* vgw_linebuf_feed appends |len| bytes of |data|. Complete lines and
 * breaks are queued for vgw_linebuf_next. Bytes of a line beyond the limit
 * are dropped, and that line is queued marked too long once its "\n"
 * arrives. */
void vgw_linebuf_feed(VgwLineBuf *buf, const char *data, size_t len);

typedef enum {
  VGW_LINEBUF_EMPTY, /* nothing queued */
  VGW_LINEBUF_LINE,  /* a complete line */
  VGW_LINEBUF_BREAK, /* a NUL byte: the partial line before it was dropped */
} VgwLineEvent;

/* vgw_linebuf_next pops the oldest queued event. For a line it sets
 * |*line| to the line without "\n" or a "\r" before it, newly allocated
 * (caller frees), and |*too_long| (may be NULL) to whether it exceeded the
 * limit; such a line holds only its first |max_line| bytes. Otherwise
 * |*line| is set to NULL. */
VgwLineEvent vgw_linebuf_next(VgwLineBuf *buf, char **line,
                              gboolean *too_long);

/* vgw_linebuf_pending returns the number of bytes held for the line not
 * yet terminated. */
size_t vgw_linebuf_pending(const VgwLineBuf *buf);

G_END_DECLS

#endif /* VGW_MGMT_LINEBUF_H */
