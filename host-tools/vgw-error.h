/*
 * The error domain of the vgw command and how errors become exit codes.
 *
 * Every failure travels as a GError up to the verb's entry point, which
 * prints it as the one line "vgw: <message>" and maps it to an exit
 * status: 2 for usage errors, 1 for everything else.  Scripts rely on
 * that, so nothing else may print errors or pick exit codes.
 */
#ifndef VGW_ERROR_H
#define VGW_ERROR_H

#include <glib.h>

G_BEGIN_DECLS

#define VGW_ERROR (vgw_error_quark())
GQuark vgw_error_quark(void);

typedef enum {
  VGW_ERROR_USAGE,          /* bad or missing option or argument: exit 2 */
  VGW_ERROR_FAILED,         /* anything else that went wrong */
  VGW_ERROR_UNKNOWN,        /* no instance of that name was ever created */
  VGW_ERROR_NOT_RUNNING,    /* the instance exists but QEMU is not running */
  VGW_ERROR_RUNNING,        /* the instance is already running */
  VGW_ERROR_PORT_IN_USE,    /* a host port is taken */
  VGW_ERROR_NO_QEMU,        /* QEMU binary missing or without the vgw board */
  VGW_ERROR_TIMEOUT,        /* something did not happen in time */
  VGW_ERROR_PANIC,          /* the guest kernel panicked */
  VGW_ERROR_EXITED,         /* QEMU exited when it should not have */
  VGW_ERROR_INTERRUPTED,    /* SIGINT/SIGTERM while waiting */
  VGW_ERROR_BUSY,           /* a one-client port is held by someone else */
} VgwErrorCode;

#define VGW_EXIT_OK 0
#define VGW_EXIT_FAILURE 1
#define VGW_EXIT_USAGE 2

/* vgw_error_exit_status returns the exit status for |error|: 2 for
 * usage errors (VGW_ERROR_USAGE and GOption's own errors), else 1. */
int vgw_error_exit_status(const GError *error);

/* vgw_error_set_detail attaches |detail| (lines, such as the console
 * output a failed boot ended with) to |error|, of the VGW_ERROR domain:
 * vgw_error_report prints it after the error line. */
void vgw_error_set_detail(GError *error, const char *detail);

/* vgw_error_report prints |error| as the single line "vgw: <message>" on
 * stderr (only the message's first line), then its detail if it has one,
 * and returns its exit status. */
int vgw_error_report(const GError *error);

G_END_DECLS

#endif /* VGW_ERROR_H */
