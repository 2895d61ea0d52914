/* Choosing QEMU and images, the QEMU command line, and turning QEMU's
 * early-exit stderr into one clear line. */
#include <glib/gstdio.h>
#include <string.h>

#include "param_ini.h"
#include "qemu_cmdline.h"
#include "sip_forwards.h"
#include "vgw-error.h"

static gboolean
has_arg(char **argv, const char *arg)
{
  return g_strv_contains((const char *const *) argv, arg);
}

/* The instance "a" with its identity and the SIP ports 15060/15061. */
static VgwInstance *
test_instance(void)
{
  g_autoptr(GError) error = NULL;
  VgwInstance *inst;

  g_setenv("VGW_STATE_DIR", "/tmp/vst", TRUE);
  inst = vgw_instance_new("a", &error);
  g_assert_no_error(error);
  inst->serial = g_strdup("VGW0000000001");
  inst->mac_base = g_strdup("02:00:00:00:00:fe");
  inst->sip_port = 15060;
  inst->sip_tls_port = 15061;
  return inst;
}

static void
test_argv(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VgwInstance) inst = NULL;
  g_auto(GStrv) argv = NULL;
  g_autofree char *chardev = NULL;
  VgwQemuConfig cfg = { .qemu = "/q/qemu-system-aarch64", .images = "/img", .smp = 2, .memory_mb = 256 };

  inst = test_instance();
  argv = vgw_qemu_build_argv(&cfg, inst);

  g_assert_cmpstr(argv[0], ==, "/q/qemu-system-aarch64");
  g_assert_true(has_arg(argv, "vgw,serial=VGW0000000001,mac-base=02:00:00:00:00:fe,"
                              "keystore=/tmp/vst/a/keystore.bin,keystore-secret=vgw-board-secret"));
  g_assert_true(has_arg(argv, "secret,id=vgw-board-secret,file=/tmp/vst/a/keystore.secret,format=base64"));
  g_assert_true(has_arg(argv, "-nodefaults"));
  g_assert_true(has_arg(argv, "/img/Image"));
  g_assert_true(has_arg(argv, "/img/initramfs.cpio"));
  g_assert_true(has_arg(argv, "if=mtd,format=raw,file=/tmp/vst/a/flash.img"));
  g_assert_true(has_arg(argv, "user,id=lan,net=10.0.2.0/24,"
                              "hostfwd=udp:127.0.0.1:15060-:5060,hostfwd=tcp:127.0.0.1:15060-:5060,"
                              "hostfwd=tcp:127.0.0.1:15061-:5061"));
  g_strfreev(g_steal_pointer(&argv));
  /* RTP: the range from rtp_port to the test extension's guest ports. */
  inst->rtp_port = 16000;
  argv = vgw_qemu_build_argv(&cfg, inst);
  g_assert_true(has_arg(argv, "user,id=lan,net=10.0.2.0/24,"
                              "hostfwd=udp:127.0.0.1:15060-:5060,hostfwd=tcp:127.0.0.1:15060-:5060,"
                              "hostfwd=tcp:127.0.0.1:15061-:5061,"
                              "hostfwd=udp:127.0.0.1:16000-:40000,hostfwd=udp:127.0.0.1:16001-:40001,"
                              "hostfwd=udp:127.0.0.1:16002-:40002,hostfwd=udp:127.0.0.1:16003-:40003"));
  g_assert_true(has_arg(argv, "nic,netdev=lan,macaddr=02:00:00:00:00:fe"));
  g_assert_true(has_arg(argv, "nic,netdev=wan,macaddr=02:00:00:00:00:ff"));
  g_assert_true(has_arg(argv, "user,id=wan,net=10.0.3.0/24"));
  chardev = g_strdup_printf("socket,id=console,path=%s,server=on,wait=off,logfile=%s",
                            inst->console_sock, inst->console_log);
  g_assert_true(has_arg(argv, chardev));
  g_assert_true(has_arg(argv, "unix:/tmp/vst/a/qmp.sock,server=on,wait=off"));
  g_assert_true(has_arg(argv, "/tmp/vst/a/qemu.pid"));
  /* QEMU seeds its guest RNG from the host unless vgw up --seed. */
  g_assert_false(has_arg(argv, "-seed"));
  /* Every forwarded port listens on the loopback address only. */
  for (char **a = argv; *a != NULL; a++) {
    const char *fwd = *a;
    while ((fwd = strstr(fwd, "hostfwd=")) != NULL) {
      fwd += strlen("hostfwd=");
      g_assert_true(g_str_has_prefix(fwd, "udp:127.0.0.1:") || g_str_has_prefix(fwd, "tcp:127.0.0.1:"));
    }
  }
}

/* vgw up --seed N becomes QEMU's -seed N, once. */
static void
test_seed(void)
{
  VgwQemuConfig cfg = { .qemu = "/q/qemu-system-aarch64", .images = "/img", .smp = 1, .memory_mb = 256 };
  g_autoptr(VgwInstance) inst = test_instance();
  g_auto(GStrv) argv = NULL;
  guint n = 0;

  inst->seed = (VgwSeed){ TRUE, G_MAXINT64 };
  argv = vgw_qemu_build_argv(&cfg, inst);
  for (guint i = 0; argv[i] != NULL; i++) {
    if (strcmp(argv[i], "-seed") == 0) {
      g_assert_cmpstr(argv[i + 1], ==, "9223372036854775807");
      n++;
    }
  }
  g_assert_cmpuint(n, ==, 1);
}

/* The value after the first |option| in |argv|, or NULL. */
static const char *
arg_after(char **argv, const char *option)
{
  for (guint i = 0; argv[i] != NULL && argv[i + 1] != NULL; i++)
    if (strcmp(argv[i], option) == 0)
      return argv[i + 1];
  return NULL;
}

/* vgw up --record/--replay: the same machine in both modes but for rr=
 * and the replay's -S,
 * the flash through blkreplay, the console on a file, no maintenance
 * socket, a replay filter on both NICs, virtio-net sending from a timer;
 * a plain up has none of it. */
static void
test_replay(void)
{
  VgwQemuConfig cfg = { .qemu = "/q/qemu-system-aarch64", .images = "/img", .smp = 1,
                        .memory_mb = 256, .replay = VGW_REPLAY_RECORD,
                        .replay_log = "/rec/replay.bin" };
  g_autoptr(VgwInstance) inst = test_instance();
  g_auto(GStrv) record = vgw_qemu_build_argv(&cfg, inst);
  g_auto(GStrv) replay = NULL;
  g_auto(GStrv) plain = NULL;
  g_autofree char *console = g_strdup_printf("file,id=console,path=%s", inst->console_log);
  guint n;

  g_assert_cmpstr(arg_after(record, "-icount"), ==,
                  "shift=auto,rr=record,rrfile=/rec/replay.bin");
  g_assert_true(has_arg(record, "file=/tmp/vst/a/flash.img,format=raw,if=none,id=flash-direct"));
  g_assert_true(has_arg(record, "driver=blkreplay,if=mtd,image=flash-direct"));
  g_assert_false(has_arg(record, "if=mtd,format=raw,file=/tmp/vst/a/flash.img"));
  g_assert_true(has_arg(record, "filter-replay,id=replay-lan,netdev=lan"));
  g_assert_true(has_arg(record, "filter-replay,id=replay-wan,netdev=wan"));
  g_assert_true(has_arg(record, "virtio-net-device.tx=timer"));
  g_assert_true(has_arg(record, console));
  g_assert_true(has_arg(record, "null,id=maint"));
  for (char **a = record; *a != NULL; a++)
    g_assert_null(strstr(*a, inst->maint_sock));

  cfg.replay = VGW_REPLAY_PLAY;
  replay = vgw_qemu_build_argv(&cfg, inst);
  g_assert_cmpstr(arg_after(replay, "-icount"), ==,
                  "shift=auto,rr=replay,rrfile=/rec/replay.bin");
  /* The same but for rr=, and a replay starts paused. */
  for (n = 0; record[n] != NULL && replay[n] != NULL; n++)
    if (strcmp(record[n], "-icount") != 0 && (n == 0 || strcmp(record[n - 1], "-icount") != 0))
      g_assert_cmpstr(record[n], ==, replay[n]);
  g_assert_null(record[n]);
  g_assert_cmpstr(replay[n], ==, "-S");
  g_assert_null(replay[n + 1]);
  g_assert_false(has_arg(record, "-S"));

  cfg.replay = VGW_REPLAY_NONE;
  plain = vgw_qemu_build_argv(&cfg, inst);
  g_assert_false(has_arg(plain, "-icount"));
  g_assert_false(has_arg(plain, "virtio-net-device.tx=timer"));
  g_assert_false(has_arg(plain, "null,id=maint"));
}

/* --wan-link: its forms and errors, the WAN netdev for each, and QEMU
 * saying the link's port was taken or whether the link is up. */
static void
test_wan_link(void)
{
  static const struct { const char *spec; VgwWanLinkMode mode; guint16 port; const char *netdev; } good[] = {
    { "slirp", VGW_WAN_LINK_SLIRP, 0, "user,id=wan,net=10.0.3.0/24" },
    { "listen:5999", VGW_WAN_LINK_LISTEN, 5999, "socket,id=wan,listen=127.0.0.1:5999" },
    { "listen:0", VGW_WAN_LINK_LISTEN, 0, NULL },
    { "connect:65535", VGW_WAN_LINK_CONNECT, 65535, "socket,id=wan,connect=127.0.0.1:65535" },
  };
  static const struct { const char *spec, *message; } bad[] = {
    { "", "invalid value '' for --wan-link (expected slirp, listen:PORT or connect:PORT; "
          "the peer is always on 127.0.0.1)" },
    { "listen", "invalid value 'listen' for --wan-link (expected slirp, listen:PORT or "
                "connect:PORT; the peer is always on 127.0.0.1)" },
    { "connect:10.0.0.1:5000", "invalid port '10.0.0.1:5000' in --wan-link "
                               "connect:10.0.0.1:5000 (expected 1..65535)" },
    { "connect:0", "invalid port '0' in --wan-link connect:0 (expected 1..65535)" },
    { "listen:65536", "invalid port '65536' in --wan-link listen:65536 "
                      "(expected 0..65535, 0 picks a free port)" },
    { "listen:-1", "invalid port '-1' in --wan-link listen:-1 "
                   "(expected 0..65535, 0 picks a free port)" },
    { "tap:5", "invalid value 'tap:5' for --wan-link (expected slirp, listen:PORT or "
               "connect:PORT; the peer is always on 127.0.0.1)" },
  };
  VgwQemuConfig cfg = { .qemu = "/q/qemu-system-aarch64", .images = "/img", .smp = 1, .memory_mb = 256 };
  g_autoptr(VgwInstance) inst = test_instance();

  for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *text = NULL;
    VgwWanLink link = { VGW_WAN_LINK_CONNECT, 1 };

    g_assert_true(vgw_wan_link_parse(good[i].spec, &link, &error));
    g_assert_no_error(error);
    g_assert_cmpint(link.mode, ==, good[i].mode);
    g_assert_cmpuint(link.port, ==, good[i].port);
    text = vgw_wan_link_to_string(&link);
    g_assert_cmpstr(text, ==, good[i].spec);
    if (good[i].netdev == NULL)
      continue;
    inst->wan_link = link;
    g_auto(GStrv) argv = vgw_qemu_build_argv(&cfg, inst);
    /* The WAN NIC is on that netdev; LAN keeps its slirp network. */
    for (char **a = argv; *a != NULL; a++) {
      if (g_str_equal(*a, "-netdev") && g_str_has_prefix(a[1], "user,id=lan,"))
        continue;
      if (g_str_equal(*a, "-netdev"))
        g_assert_cmpstr(a[1], ==, good[i].netdev);
    }
    g_assert_true(has_arg(argv, "nic,netdev=wan,macaddr=02:00:00:00:00:ff"));
  }
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    VgwWanLink link = { 0 };

    g_assert_false(vgw_wan_link_parse(bad[i].spec, &link, &error));
    g_assert_error(error, VGW_ERROR, VGW_ERROR_USAGE);
    g_assert_cmpstr(error->message, ==, bad[i].message);
  }

  /* QEMU 7.2's `info network` with the link up, down, and on slirp. */
  static const char up[] =
    "virtio-net-device.0: index=0,type=nic,model=virtio-net-device,macaddr=02:00:00:00:00:fe\r\n"
    " \\ lan: index=0,type=user,net=10.0.2.0,restrict=off\r\n"
    "virtio-net-device.1: index=0,type=nic,model=virtio-net-device,macaddr=02:00:00:00:00:ff\r\n"
    " \\ wan: index=0,type=socket,socket: connection from 127.0.0.1:40312\r\n";
  static const char down[] =
    "virtio-net-device.1: index=0,type=nic,model=virtio-net-device,macaddr=02:00:00:00:00:ff\r\n"
    " \\ wan: index=0,type=socket,\r\n";
  static const char slirp[] = " \\ wan: index=0,type=user,net=10.0.3.0,restrict=off\r\n";
  gboolean connected = FALSE;
  g_assert_true(vgw_wan_link_connected_from_info(up, &connected));
  g_assert_true(connected);
  g_assert_true(vgw_wan_link_connected_from_info(down, &connected));
  g_assert_false(connected);
  g_assert_false(vgw_wan_link_connected_from_info(slirp, &connected));
  g_assert_false(vgw_wan_link_connected_from_info("", &connected));
}

/* A configuration's SIP Interfaces on LAN beyond the factory ports get
 * forwards of their own (once per port and protocol); WAN ones do not. */
static void
test_sip_forwards(void)
{
  static const char ini[] =
    "[ SIPInterface ]\n"
    "FORMAT Index = InterfaceName, NetworkInterface, UDPPort, TCPPort, TLSPort;\n"
    "SIPInterface 0 = \"lan\", \"LAN\", 5060, 5060, 5061;\n"
    "SIPInterface 1 = \"more\", \"LAN\", 5070, 5070, 5071;\n"
    "SIPInterface 2 = \"udp-only\", \"LAN\", 5080, 0, 0;\n"
    "SIPInterface 3 = \"mgmt\", \"WAN\", 5090, 5090, 5091;\n"
    "[ \\SIPInterface ]\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(VgwInstance) inst = NULL;
  g_auto(GStrv) argv = NULL;
  VgwQemuConfig cfg = { .qemu = "/q/qemu-system-aarch64", .images = "/img", .smp = 1, .memory_mb = 256 };
  VgwParamConfig *config = vgw_param_config_new();

  g_assert_true(vgw_ini_load(config, ini, strlen(ini), "t.ini", VGW_INI_FULL, NULL, &error));
  inst = test_instance();
  vgw_sip_forwards_from_config(inst, config);
  vgw_param_config_free(config);
  g_assert_cmpuint(inst->n_forwards, ==, 4);
  const VgwForward want[] = { { FALSE, 5070, 0 }, { TRUE, 5070, 0 }, { TRUE, 5071, 0 },
                              { FALSE, 5080, 0 } };
  for (gsize i = 0; i < G_N_ELEMENTS(want); i++) {
    g_assert_cmpint(inst->forwards[i].tcp, ==, want[i].tcp);
    g_assert_cmpuint(inst->forwards[i].guest, ==, want[i].guest);
  }
  for (gsize i = 0; i < inst->n_forwards; i++)
    inst->forwards[i].host = 17000 + i;
  argv = vgw_qemu_build_argv(&cfg, inst);
  g_assert_true(has_arg(argv, "user,id=lan,net=10.0.2.0/24,"
                              "hostfwd=udp:127.0.0.1:15060-:5060,hostfwd=tcp:127.0.0.1:15060-:5060,"
                              "hostfwd=tcp:127.0.0.1:15061-:5061,"
                              "hostfwd=udp:127.0.0.1:17000-:5070,hostfwd=tcp:127.0.0.1:17001-:5070,"
                              "hostfwd=tcp:127.0.0.1:17002-:5071,hostfwd=udp:127.0.0.1:17003-:5080"));
  /* Picked host ports are free and distinct. */
  const guint16 avoid[] = { 15060, 15061 };
  g_assert_true(vgw_sip_forwards_pick(inst, avoid, G_N_ELEMENTS(avoid), &error));
  g_assert_no_error(error);
  for (gsize i = 0; i < inst->n_forwards; i++) {
    g_assert_cmpuint(inst->forwards[i].host, !=, 0);
    g_assert_cmpuint(inst->forwards[i].host, !=, 15060);
    g_assert_cmpuint(inst->forwards[i].host, !=, 15061);
    for (gsize j = 0; j < i; j++)
      g_assert_cmpuint(inst->forwards[i].host, !=, inst->forwards[j].host);
  }
}

static void
test_resolve(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("vgwimg-XXXXXX", NULL);
  g_autofree char *qemu = g_build_filename(dir, "qemu-system-aarch64", NULL);
  const char *files[] = { "Image", "initramfs.cpio", "flash.img" };
  char *found;

  g_unsetenv("VGW_QEMU");
  g_unsetenv("VGW_IMAGES");
  g_assert_null(vgw_qemu_resolve_binary("/does/not/exist", &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_NO_QEMU);
  g_assert_cmpstr(error->message, ==, "QEMU not found at /does/not/exist (run scripts/build.sh, or set VGW_QEMU)");
  g_clear_error(&error);

  g_assert_true(g_file_set_contents(qemu, "#!/bin/sh\n", -1, NULL));
  /* Not executable yet. */
  g_setenv("VGW_QEMU", qemu, TRUE);
  g_assert_null(vgw_qemu_resolve_binary(NULL, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_NO_QEMU);
  g_clear_error(&error);
  g_chmod(qemu, 0755);
  found = vgw_qemu_resolve_binary(NULL, &error);
  g_assert_cmpstr(found, ==, qemu);
  g_free(found);
  /* The option beats the environment. */
  g_assert_null(vgw_qemu_resolve_binary("/opt/none", &error));
  g_clear_error(&error);

  g_setenv("VGW_IMAGES", dir, TRUE);
  for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autofree char *p = g_build_filename(dir, files[i], NULL);
    g_assert_null(vgw_images_resolve_dir(NULL, &error));
    g_assert_nonnull(strstr(error->message, files[i]));
    g_clear_error(&error);
    g_assert_true(g_file_set_contents(p, "x", -1, NULL));
  }
  found = vgw_images_resolve_dir(NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(found, ==, dir);
  g_free(found);

  for (gsize i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autofree char *p = g_build_filename(dir, files[i], NULL);
    g_unlink(p);
  }
  g_unlink(qemu);
  g_rmdir(dir);
  g_unsetenv("VGW_QEMU");
  g_unsetenv("VGW_IMAGES");
}

static void
test_explain(void)
{
  struct { const char *log; int code; const char *message; } cases[] = {
    { "qemu-system-aarch64: -netdev user,id=lan,net=10.0.2.0/24,hostfwd=udp:127.0.0.1:5060-:5060: "
      "Could not set up host forwarding rule 'udp:127.0.0.1:5060-:5060'\n",
      VGW_ERROR_PORT_IN_USE, "port 5060/udp on 127.0.0.1 is in use" },
    { "qemu-system-aarch64: -netdev user,id=lan: could not set up host forwarding rule 'tcp:127.0.0.1:15061-:5061'\n",
      VGW_ERROR_PORT_IN_USE, "port 15061/tcp on 127.0.0.1 is in use" },
    { "qemu-system-aarch64: unsupported machine type\nUse -machine help to list supported machines\n",
      VGW_ERROR_NO_QEMU, "QEMU at /q has no vgw machine (run scripts/build.sh, or set VGW_QEMU)" },
    { "warning: something\nqemu-system-aarch64: -kernel /x/Image: could not open\n\n",
      VGW_ERROR_EXITED, "QEMU exited early: qemu-system-aarch64: -kernel /x/Image: could not open" },
    { "qemu-system-aarch64: -netdev socket,id=wan,listen=127.0.0.1:39141: "
      "can't bind ip=127.0.0.1 to socket: Address already in use\n",
      VGW_ERROR_PORT_IN_USE, "port 39141/tcp on 127.0.0.1 is in use" },
    { "qemu-system-aarch64: -netdev socket,id=wan,listen=127.0.0.1:x: can't bind ip=127.0.0.1\n",
      VGW_ERROR_EXITED, "QEMU exited early: qemu-system-aarch64: -netdev "
                        "socket,id=wan,listen=127.0.0.1:x: can't bind ip=127.0.0.1" },
    { "", VGW_ERROR_EXITED, "QEMU exited early: (no message on its stderr)" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    vgw_qemu_explain_failure("/q", cases[i].log, &error);
    g_assert_error(error, VGW_ERROR, cases[i].code);
    g_assert_cmpstr(error->message, ==, cases[i].message);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/qemu/argv", test_argv);
  g_test_add_func("/qemu/seed", test_seed);
  g_test_add_func("/qemu/replay", test_replay);
  g_test_add_func("/qemu/sip-forwards", test_sip_forwards);
  g_test_add_func("/qemu/wan-link", test_wan_link);
  g_test_add_func("/qemu/resolve", test_resolve);
  g_test_add_func("/qemu/explain-failure", test_explain);
  return g_test_run();
}
