/*
 * vgw board: physical memory map and interrupt map.
 *
 * This header is the hardware contract between the QEMU board model
 * (machine/hw/arm/vgw_soc.c) and the gateway firmware (device-fw/hal).
 * It is plain C with no QEMU includes; nothing else may define these
 * addresses.
 *
 * Every device sits on its own 64 KiB boundary so a guest using 64 KiB
 * pages, or mapping a block through /dev/mem, never shares a page between
 * two devices.
 */
#ifndef VGW_REGS_MEMMAP_H
#define VGW_REGS_MEMMAP_H

/* GICv2 */
#define VGW_GIC_DIST_BASE       0x08000000u
#define VGW_GIC_DIST_SIZE       0x00010000u
#define VGW_GIC_CPU_BASE        0x08010000u
#define VGW_GIC_CPU_SIZE        0x00010000u

/* PL011 UART0: console (kernel and firmware log) */
#define VGW_UART0_BASE          0x09000000u
/* PL011 UART1: maintenance port (management protocol) */
#define VGW_UART1_BASE          0x09010000u
#define VGW_UART_SIZE           0x00001000u

/* PL031 real-time clock */
#define VGW_RTC_BASE            0x09020000u
#define VGW_RTC_SIZE            0x00001000u

/* System controller: identity, reset cause, reset request, watchdog */
#define VGW_SYSCTL_BASE         0x09030000u
#define VGW_SYSCTL_SIZE         0x00001000u

/* Crypto engine (reserved; modelled by its own issue) */
#define VGW_CRYPTO_BASE         0x09040000u
#define VGW_CRYPTO_SIZE         0x00010000u

/*
 * virtio-mmio transports.  The board places the LAN port, the WAN/MGMT
 * port and the configuration flash at fixed addresses so the firmware
 * tells the ports apart by address, never by probe order.
 */
#define VGW_VIRTIO_LAN_BASE     0x0a000000u
#define VGW_VIRTIO_WAN_BASE     0x0a010000u
#define VGW_VIRTIO_FLASH_BASE   0x0a020000u
#define VGW_VIRTIO_SIZE         0x00000200u

/* DRAM: size from -m */
#define VGW_DRAM_BASE           0x40000000u

/*
 * Shared Peripheral Interrupt numbers (GIC SPI n is interrupt ID 32 + n,
 * the number a device tree "interrupts" cell carries).
 */
#define VGW_IRQ_UART0           1
#define VGW_IRQ_UART1           2
#define VGW_IRQ_RTC             3
#define VGW_IRQ_SYSCTL          4
#define VGW_IRQ_CRYPTO          5
#define VGW_IRQ_VIRTIO_LAN      16
#define VGW_IRQ_VIRTIO_WAN      17
#define VGW_IRQ_VIRTIO_FLASH    18

#endif /* VGW_REGS_MEMMAP_H */
