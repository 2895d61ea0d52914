/*
 * Host ports on 127.0.0.1: parsing, checking that they are free, and
 * picking free ones for "port 0".
 *
 * Checks bind the port the way QEMU's user networking will (TCP with
 * SO_REUSEADDR, UDP without) and release it at once; a port can still be
 * taken between the check and QEMU's bind, which `vgw up` catches from
 * QEMU's "could not set up host forwarding rule" error.
 */
#ifndef VGW_PORTS_H
#define VGW_PORTS_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VGW_PORT_UDP = 1 << 0,
  VGW_PORT_TCP = 1 << 1,
} VgwPortProto;

/* vgw_port_parse parses a decimal port 0..65535 (0 means "pick a free
 * one") from |text| for the option |option| (used in the message).
 * Returns FALSE with a VGW_ERROR_USAGE error otherwise. */
gboolean vgw_port_parse(const char *text, const char *option, guint16 *out,
                        GError **error);

/* vgw_port_check_free returns TRUE if |port| can be bound on 127.0.0.1
 * for every protocol in |protos|.  Otherwise it sets
 * VGW_ERROR_PORT_IN_USE, "port P/tcp on 127.0.0.1 is in use" (or a
 * failure to bind for another reason). */
gboolean vgw_port_check_free(guint16 port, VgwPortProto protos,
                             GError **error);

/* vgw_port_pick_free finds a port that is free on 127.0.0.1 for every
 * protocol in |protos| and is not one of the |n_avoid| ports in |avoid|;
 * stores it in |out|.  It picks at random below the kernel's ephemeral
 * port range (16384 up to ip_local_port_range's first port), where no
 * outgoing connection takes it before QEMU binds it.  Fails only if none
 * is found after many tries. */
gboolean vgw_port_pick_free(VgwPortProto protos, const guint16 *avoid,
                            gsize n_avoid, guint16 *out, GError **error);

/* vgw_port_pick_free_range finds |count| consecutive ports free on
 * 127.0.0.1 for every protocol in |protos|, none of them one of the
 * |n_avoid| ports in |avoid|; stores the first in |first|.  Fails only if
 * no such range is found after many tries. */
gboolean vgw_port_pick_free_range(VgwPortProto protos, guint count,
                                  const guint16 *avoid, gsize n_avoid,
                                  guint16 *first, GError **error);

/* vgw_ports_resolve turns the requested SIP port (UDP and TCP) and SIPS
 * port (TCP), where 0 means "pick", into concrete free, distinct ports.
 * A fixed port that is taken fails with VGW_ERROR_PORT_IN_USE. */
gboolean vgw_ports_resolve(guint16 sip_requested, guint16 tls_requested,
                           guint16 *sip_out, guint16 *tls_out,
                           GError **error);

G_END_DECLS

#endif /* VGW_PORTS_H */
