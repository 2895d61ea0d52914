/*
 * Where the test extension's media lives on the gateway (test_extension.h):
 * UDP ports VGW_TEST_RTP_PORT_BASE and the VGW_TEST_RTP_PORTS - 1 after it
 * on LAN, one per call at once. The host side's `vgw up` forwards host
 * ports to exactly these (host-tools/qemu_cmdline.h), so both sides take
 * them from here. Constants only: host tools include this without the
 * firmware's SIP stack.
 */
#ifndef VGW_VGWD_TEST_EXTENSION_PORTS_H
#define VGW_VGWD_TEST_EXTENSION_PORTS_H

#define VGW_TEST_RTP_PORT_BASE 40000
#define VGW_TEST_RTP_PORTS 4

#endif /* VGW_VGWD_TEST_EXTENSION_PORTS_H */
