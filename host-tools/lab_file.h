/*
 * Lab files (`vgw lab`, host-tools/README.md "Labs"): several gateways,
 * the links between their WAN ports and the SIP peers they need, in one
 * ini file read with GLib's GKeyFile.
 *
 *   [lab]                 optional; name = the lab's name (default: the
 *                         file's name without .ini)
 *   [gateway NAME]        config = boot ini (relative to the lab file),
 *                         seed = N; both optional
 *   [link NAME]           a = GW.wan, b = GW.wan; port = N (optional)
 *   [peer NAME]           kind = kamailio, config = F.cfg; port = N
 *                         (optional)
 *
 * Everything is checked before anything starts: an unknown section or
 * key, a repeated one, a link end that names no gateway or a port other
 * than wan, a port in two links, a fixed TCP port given twice, a missing
 * file.  Each is a VGW_ERROR_USAGE error "FILE:LINE: what".
 */
#ifndef VGW_LAB_FILE_H
#define VGW_LAB_FILE_H

#include <glib.h>

#include "instance.h"

G_BEGIN_DECLS

/* A lab's gateway's instance name is "LAB-GATEWAY"; it must be a valid
 * instance name (instance.h), so the two together are this long at most. */
#define VGW_LAB_INSTANCE_NAME_MAX 32

typedef struct {
  char *name;      /* in the lab file */
  char *instance;  /* "LAB-NAME": its gateway instance */
  char *config;    /* boot ini, absolute; NULL: none */
  char *seed_text; /* NULL: none */
  VgwSeed seed;
  guint line;      /* of its section */
} VgwLabGateway;

typedef struct {
  char *name;
  guint a, b;      /* indexes into the lab's gateways: a listens, b connects */
  guint16 port;    /* the TCP port a listens on; 0: picked at up */
  guint line;
} VgwLabLink;

typedef enum {
  VGW_LAB_PEER_KAMAILIO,
} VgwLabPeerKind;

typedef struct {
  char *name;
  VgwLabPeerKind kind;
  char *config;    /* its configuration, absolute */
  guint16 port;    /* UDP and TCP on 127.0.0.1; 0: picked at up */
  guint line;
} VgwLabPeer;

typedef struct {
  char *path;       /* as given */
  char *name;
  GPtrArray *gateways; /* VgwLabGateway, in file order */
  GPtrArray *links;    /* VgwLabLink */
  GPtrArray *peers;    /* VgwLabPeer */
} VgwLab;

/* vgw_lab_parse reads the lab file text |data| (|len| bytes), named
 * |path| in errors and the base of its relative paths, and checks it as
 * the header says (files named in it must exist).  NULL with a
 * VGW_ERROR_USAGE error "PATH:LINE: reason" (no line when the file has
 * no lines to point at). */
VgwLab *vgw_lab_parse(const char *data, gsize len, const char *path, GError **error);

/* vgw_lab_load reads and parses the file |path|; VGW_ERROR_USAGE also
 * when it cannot be read. */
VgwLab *vgw_lab_load(const char *path, GError **error);

void vgw_lab_free(VgwLab *lab);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VgwLab, vgw_lab_free)

/* vgw_lab_link_find returns the link named |name|, or NULL. */
const VgwLabLink *vgw_lab_link_find(const VgwLab *lab, const char *name);

/* vgw_lab_gateway_link returns the link gateway |index| is an end of,
 * or NULL (its WAN port is on slirp). */
const VgwLabLink *vgw_lab_gateway_link(const VgwLab *lab, guint index);

static inline const VgwLabGateway *
vgw_lab_gateway(const VgwLab *lab, guint index)
{
  return g_ptr_array_index(lab->gateways, index);
}

G_END_DECLS

#endif /* VGW_LAB_FILE_H */
