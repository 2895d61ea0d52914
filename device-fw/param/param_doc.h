/*
 * The parameter reference (docs/parameters.md), generated from the
 * registry so that the document and the code cannot drift.
 */
#ifndef VGW_PARAM_DOC_H
#define VGW_PARAM_DOC_H

#include <glib.h>

G_BEGIN_DECLS

/* vgw_param_doc_markdown returns the whole reference as newly allocated
 * Markdown text. */
char *vgw_param_doc_markdown(void);

G_END_DECLS

#endif /* VGW_PARAM_DOC_H */
