/* Host forwards of the SIP Interfaces' LAN ports: see sip_forwards.h. */
#include "sip_forwards.h"

#include "ports.h"
#include "sip_interfaces.h"

static gboolean factory_covers(gboolean tcp, guint16 guest) {
  return guest == VGW_SIP_FACTORY_GUEST_PORT ||
         (tcp && guest == VGW_SIP_FACTORY_GUEST_TLS_PORT);
}

static void add(VgwInstance *inst, gboolean tcp, guint16 guest) {
  if (guest == 0 || factory_covers(tcp, guest))
    return;
  for (gsize i = 0; i < inst->n_forwards; i++)
    if (inst->forwards[i].tcp == tcp && inst->forwards[i].guest == guest)
      return;
  if (inst->n_forwards < VGW_MAX_FORWARDS)
    inst->forwards[inst->n_forwards++] = (VgwForward){ tcp, guest, 0 };
}

void
vgw_sip_forwards_from_config(VgwInstance *inst, const VgwParamConfig *cfg)
{
  VgwSipIface ifaces[VGW_SIP_IFACE_MAX];
  gsize n = vgw_sip_interfaces_read(cfg, ifaces);

  inst->n_forwards = 0;
  for (gsize i = 0; i < n; i++) {
    if (ifaces[i].network != VGW_NETWORK_LAN)
      continue;
    add(inst, FALSE, ifaces[i].port[VGW_SIP_LISTEN_UDP]);
    add(inst, TRUE, ifaces[i].port[VGW_SIP_LISTEN_TCP]);
    add(inst, TRUE, ifaces[i].port[VGW_SIP_LISTEN_TLS]);
  }
}

gboolean
vgw_sip_forwards_pick(VgwInstance *inst, const guint16 *avoid, gsize n_avoid,
                      GError **error)
{
  g_autoptr(GArray) taken = g_array_new(FALSE, FALSE, sizeof(guint16));

  g_array_append_vals(taken, avoid, n_avoid);
  for (gsize i = 0; i < inst->n_forwards; i++) {
    VgwForward *f = &inst->forwards[i];
    if (!vgw_port_pick_free(f->tcp ? VGW_PORT_TCP : VGW_PORT_UDP,
                            (const guint16 *) taken->data, taken->len,
                            &f->host, error))
      return FALSE;
    g_array_append_val(taken, f->host);
  }
  return TRUE;
}
