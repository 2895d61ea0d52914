/*
 * The clock verb of the maintenance port (docs/maintenance-protocol.md):
 * clock-sync steps the system clock to the board's RTC.
 *
 * The kernel reads the RTC only at boot; afterwards the wall clock
 * follows the CPU's timer.  A gateway restored from a snapshot (`vgw up
 * --from`) resumes with the timer where the snapshot stopped it, while
 * the board's RTC (PL031) reads the host's clock: the host calls
 * clock-sync before the gateway counts as ready.
 */
#ifndef VGW_MGMT_CLOCK_VERBS_H
#define VGW_MGMT_CLOCK_VERBS_H

#include "mgmt/mgmt_verb.h"

G_BEGIN_DECLS

/* vgw_clock_verb_set: add it with the RTC device's path ("/dev/rtc0") as
 * data. */
extern const VgwMgmtVerbSet vgw_clock_verb_set;

G_END_DECLS

#endif /* VGW_MGMT_CLOCK_VERBS_H */
