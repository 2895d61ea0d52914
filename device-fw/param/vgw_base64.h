/*
 * The one base64 decoder of the firmware (and of the host tools that link
 * its libraries): standard alphabet, '=' padding, strict.
 */
#ifndef VGW_BASE64_H
#define VGW_BASE64_H

#include <glib.h>

G_BEGIN_DECLS

/* vgw_base64_decode decodes the |len| characters at |text|, which must be
 * whole groups of four characters of the standard alphabet with '='
 * padding only at the end (no white space, no line breaks). Returns the
 * bytes, newly allocated (g_free), with their number in |*out_len|, or
 * NULL when |text| is empty or not such base64; a failed decode leaves no
 * partial output in memory (the text may be a private key). */
guchar *vgw_base64_decode(const char *text, gsize len, gsize *out_len);

G_END_DECLS

#endif /* VGW_BASE64_H */
