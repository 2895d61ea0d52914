/* Free-port picking and in-use detection on 127.0.0.1. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ports.h"
#include "vgw-error.h"

/* Holds |port| on 127.0.0.1 with a socket of |type| (listening for TCP). */
static int
hold(int type, guint16 port)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
  int fd = socket(AF_INET, type, 0);

  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpint(bind(fd, (struct sockaddr *) &sa, sizeof sa), ==, 0);
  if (type == SOCK_STREAM)
    g_assert_cmpint(listen(fd, 1), ==, 0);
  return fd;
}

static void
test_pick_free(void)
{
  g_autoptr(GError) error = NULL;
  guint16 port = 0, other = 0;

  g_assert_true(vgw_port_pick_free(VGW_PORT_UDP | VGW_PORT_TCP, NULL, 0, &port, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(port, >, 0);
  g_assert_true(vgw_port_check_free(port, VGW_PORT_UDP | VGW_PORT_TCP, &error));
  g_assert_no_error(error);

  /* The avoid list is honoured. */
  for (int i = 0; i < 20; i++) {
    g_assert_true(vgw_port_pick_free(VGW_PORT_TCP, &port, 1, &other, &error));
    g_assert_cmpuint(other, !=, port);
  }
}

/* A range is free port by port, skips the avoided ports, and a held port
 * inside it is never part of the range picked. */
static void
test_pick_free_range(void)
{
  g_autoptr(GError) error = NULL;
  guint16 first = 0, again = 0;

  g_assert_true(vgw_port_pick_free_range(VGW_PORT_UDP, 4, NULL, 0, &first, &error));
  g_assert_no_error(error);
  for (guint i = 0; i < 4; i++)
    g_assert_true(vgw_port_check_free(first + i, VGW_PORT_UDP, NULL));

  int fd = hold(SOCK_DGRAM, first + 2);
  guint16 avoid = first + 1;
  for (int n = 0; n < 20; n++) {
    g_assert_true(vgw_port_pick_free_range(VGW_PORT_UDP, 4, &avoid, 1, &again, &error));
    g_assert_false(again <= first + 2 && first + 2 < again + 4);
    g_assert_false(again <= avoid && avoid < again + 4);
  }
  close(fd);
}

static void
test_in_use(void)
{
  g_autoptr(GError) error = NULL;
  guint16 port = 0;
  g_autofree char *tcp_msg = NULL;
  g_autofree char *udp_msg = NULL;
  int fd;

  g_assert_true(vgw_port_pick_free(VGW_PORT_UDP | VGW_PORT_TCP, NULL, 0, &port, &error));

  fd = hold(SOCK_STREAM, port);
  g_assert_false(vgw_port_check_free(port, VGW_PORT_TCP, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_PORT_IN_USE);
  tcp_msg = g_strdup_printf("port %u/tcp on 127.0.0.1 is in use", port);
  g_assert_cmpstr(error->message, ==, tcp_msg);
  g_clear_error(&error);
  /* UDP on the same number is a different port. */
  g_assert_true(vgw_port_check_free(port, VGW_PORT_UDP, &error));
  g_assert_false(vgw_port_check_free(port, VGW_PORT_UDP | VGW_PORT_TCP, &error));
  g_clear_error(&error);
  close(fd);

  fd = hold(SOCK_DGRAM, port);
  g_assert_false(vgw_port_check_free(port, VGW_PORT_UDP | VGW_PORT_TCP, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_PORT_IN_USE);
  udp_msg = g_strdup_printf("port %u/udp on 127.0.0.1 is in use", port);
  g_assert_cmpstr(error->message, ==, udp_msg);
  g_clear_error(&error);
  g_assert_true(vgw_port_check_free(port, VGW_PORT_TCP, NULL));
  close(fd);
}

static void
test_resolve(void)
{
  g_autoptr(GError) error = NULL;
  guint16 sip = 0, tls = 0, busy = 0;
  int fd;

  g_assert_true(vgw_ports_resolve(0, 0, &sip, &tls, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(sip, >, 0);
  g_assert_cmpuint(tls, >, 0);
  g_assert_cmpuint(sip, !=, tls);

  /* A fixed port is kept as given when free. */
  g_assert_true(vgw_ports_resolve(sip, 0, &sip, &tls, &error));
  g_assert_true(vgw_port_pick_free(VGW_PORT_UDP | VGW_PORT_TCP, NULL, 0, &busy, &error));
  fd = hold(SOCK_STREAM, busy);
  g_assert_false(vgw_ports_resolve(busy, 0, &sip, &tls, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_PORT_IN_USE);
  g_clear_error(&error);
  g_assert_false(vgw_ports_resolve(0, busy, &sip, &tls, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_PORT_IN_USE);
  g_clear_error(&error);
  close(fd);

  g_assert_false(vgw_ports_resolve(7000, 7000, &sip, &tls, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_USAGE);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/ports/pick-free", test_pick_free);
  g_test_add_func("/ports/pick-free-range", test_pick_free_range);
  g_test_add_func("/ports/in-use", test_in_use);
  g_test_add_func("/ports/resolve", test_resolve);
  return g_test_run();
}
