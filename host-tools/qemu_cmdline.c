#include "qemu_cmdline.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "board_secret.h"
#include "identity.h"
#include "vgw-config.h"
#include "vgw-error.h"

static const char *const image_files[] = { "Image", "initramfs.cpio", "flash.img" };

static const char *
first_set(const char *option, const char *env_name, const char *builtin)
{
  const char *env = g_getenv(env_name);

  if (option != NULL && *option != '\0')
    return option;
  if (env != NULL && *env != '\0')
    return env;
  return builtin != NULL && *builtin != '\0' ? builtin : NULL;
}

char *
vgw_qemu_resolve_binary(const char *option, GError **error)
{
  const char *chosen = first_set(option, "VGW_QEMU", VGW_DEFAULT_QEMU);
  g_autofree char *found = NULL;

  if (chosen == NULL) {
    found = g_find_program_in_path(VGW_QEMU_BINARY_NAME);
    if (found == NULL) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_NO_QEMU,
                  "QEMU not found (no %s on PATH; run scripts/build.sh, or set VGW_QEMU)",
                  VGW_QEMU_BINARY_NAME);
      return NULL;
    }
    return g_steal_pointer(&found);
  }
  if (!g_file_test(chosen, G_FILE_TEST_IS_REGULAR) || access(chosen, X_OK) != 0) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_NO_QEMU,
                "QEMU not found at %s (run scripts/build.sh, or set VGW_QEMU)", chosen);
    return NULL;
  }
  return g_strdup(chosen);
}

char *
vgw_images_resolve_dir(const char *option, GError **error)
{
  const char *dir = first_set(option, "VGW_IMAGES", VGW_DEFAULT_IMAGES);

  if (dir == NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                "no images directory (run scripts/build.sh, or set VGW_IMAGES)");
    return NULL;
  }
  for (gsize i = 0; i < G_N_ELEMENTS(image_files); i++) {
    g_autofree char *path = g_build_filename(dir, image_files[i], NULL);
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_FAILED,
                  "%s not found in images directory %s (run scripts/build.sh, or set VGW_IMAGES)",
                  image_files[i], dir);
      return NULL;
    }
  }
  return g_strdup(dir);
}

/* The netdev ids of the board's NICs, LAN then WAN. */
static const char *const nic_netdevs[] = { "lan", "wan", NULL };

/* Moves the strings of |strv| to the end of |a| and frees |strv|. */
static void
append_strv(GPtrArray *a, char **strv)
{
  for (char **s = strv; *s != NULL; s++)
    g_ptr_array_add(a, *s);
  g_free(strv);
}

char **
vgw_qemu_build_argv(const VgwQemuConfig *cfg, const VgwInstance *inst)
{
  GPtrArray *a = g_ptr_array_new();
  guint8 mac[VGW_MAC_LEN];
  g_autofree char *wan_mac = NULL;

  if (!vgw_mac_parse(inst->mac_base, mac))
    memset(mac, 0, sizeof mac);
  wan_mac = vgw_mac_offset(mac, 1);

#define ADD(s) g_ptr_array_add(a, g_strdup(s))
#define ADDF(...) g_ptr_array_add(a, g_strdup_printf(__VA_ARGS__))
  ADD(cfg->qemu);
  ADD("-M");
  ADDF("vgw,serial=%s,mac-base=%s,keystore=%s,keystore-secret=%s",
       inst->serial, inst->mac_base, inst->keystore, VGW_BOARD_SECRET_ID);
  ADD("-object");
  g_ptr_array_add(a, vgw_board_secret_qemu_object(inst->keystore_secret));
  ADD("-smp");
  ADDF("%u", cfg->smp);
  ADD("-m");
  ADDF("%u", cfg->memory_mb);
  ADD("-nodefaults");
  ADD("-display");
  ADD("none");
  ADD("-kernel");
  g_ptr_array_add(a, g_build_filename(cfg->images, "Image", NULL));
  ADD("-initrd");
  g_ptr_array_add(a, g_build_filename(cfg->images, "initramfs.cpio", NULL));
  ADD("-append");
  /* cryptomgr.notests: the kernel's crypto self-tests cost about 0.33 s of
   * guest time on every boot (tests/bench/RESULTS.md), and nothing the
   * firmware does goes through the kernel's crypto API: TLS is BoringSSL's
   * and the keys are the engine's. */
  ADD("console=ttyAMA0 quiet cryptomgr.notests");
  if (cfg->replay != VGW_REPLAY_NONE) {
    append_strv(a, vgw_replay_flash_args(inst->flash));
  } else {
    ADD("-drive");
    ADDF("if=mtd,format=raw,file=%s", inst->flash);
  }
  /* LAN: SIP signalling and RTP, forwarded from 127.0.0.1 only. */
  ADD("-netdev");
  GString *lan = g_string_new(NULL);
  g_string_printf(lan, "user,id=lan,net=10.0.2.0/24,"
                  "hostfwd=udp:127.0.0.1:%u-:5060,hostfwd=tcp:127.0.0.1:%u-:5060,"
                  "hostfwd=tcp:127.0.0.1:%u-:5061",
                  inst->sip_port, inst->sip_port, inst->sip_tls_port);
  /* RTP: slirp forwards one port per rule. */
  for (guint i = 0; inst->rtp_port != 0 && i < VGW_QEMU_RTP_PORTS; i++)
    g_string_append_printf(lan, ",hostfwd=udp:127.0.0.1:%u-:%u",
                           inst->rtp_port + i, VGW_TEST_RTP_PORT_BASE + i);
  /* The SIP Interfaces' other LAN ports (sip_forwards.h). */
  for (gsize i = 0; i < inst->n_forwards; i++)
    g_string_append_printf(lan, ",hostfwd=%s:127.0.0.1:%u-:%u",
                           inst->forwards[i].tcp ? "tcp" : "udp",
                           inst->forwards[i].host, inst->forwards[i].guest);
  g_ptr_array_add(a, g_string_free(lan, FALSE));
  ADD("-net");
  ADDF("nic,netdev=lan,macaddr=%s", inst->mac_base);
  /* WAN: slirp, or a link to another gateway's WAN port (wan_link.h). */
  ADD("-netdev");
  g_ptr_array_add(a, vgw_wan_link_netdev(&inst->wan_link));
  ADD("-net");
  ADDF("nic,netdev=wan,macaddr=%s", wan_mac);
  /* UART0 console, logged; UART1 maintenance port. */
  ADD("-chardev");
  if (cfg->replay != VGW_REPLAY_NONE)
    g_ptr_array_add(a, vgw_replay_console_chardev(inst->console_log));
  else
    ADDF("socket,id=console,path=%s,server=on,wait=off,logfile=%s",
         inst->console_sock, inst->console_log);
  ADD("-serial");
  ADD("chardev:console");
  ADD("-chardev");
  if (cfg->replay != VGW_REPLAY_NONE)
    ADD(VGW_REPLAY_MAINT_CHARDEV);
  else
    ADDF("socket,id=maint,path=%s,server=on,wait=off", inst->maint_sock);
  ADD("-serial");
  ADD("chardev:maint");
  ADD("-qmp");
  ADDF("unix:%s,server=on,wait=off", inst->qmp_sock);
  ADD("-pidfile");
  ADD(inst->pid_file);
  if (inst->seed.set) {
    ADD("-seed");
    ADDF("%" G_GUINT64_FORMAT, inst->seed.value);
  }
  if (cfg->replay != VGW_REPLAY_NONE)
    append_strv(a, vgw_replay_args(cfg->replay, cfg->replay_log, nic_netdevs));
#undef ADD
#undef ADDF
  g_ptr_array_add(a, NULL);
  return (char **) g_ptr_array_free(a, FALSE);
}

guint
vgw_qemu_argv_uint(char **argv, const char *option)
{
  for (; argv != NULL && argv[0] != NULL && argv[1] != NULL; argv++)
    if (g_str_equal(argv[0], option))
      return (guint) g_ascii_strtoull(argv[1], NULL, 10);
  return 0;
}

/* Returns the last non-blank line of |text|, stripped. */
static char *
last_line(const char *text)
{
  g_auto(GStrv) lines = g_strsplit(text != NULL ? text : "", "\n", -1);

  for (int i = (int) g_strv_length(lines) - 1; i >= 0; i--) {
    char *l = g_strstrip(lines[i]);
    if (*l != '\0')
      return g_strdup(l);
  }
  return NULL;
}

void
vgw_qemu_explain_failure(const char *qemu, const char *log_text,
                         GError **error)
{
  /* QEMU 7.2's net/slirp.c: "Could not set up host forwarding rule '%s'". */
  const char *rule = log_text != NULL
                         ? strcasestr(log_text, "could not set up host forwarding rule '")
                         : NULL;
  g_autofree char *last = last_line(log_text);

  if (rule != NULL) {
    /* 'udp:127.0.0.1:5060-:5060' */
    char proto[8] = "";
    unsigned port = 0;
    if (sscanf(strchr(rule, '\'') + 1, "%7[a-z]:127.0.0.1:%u-", proto, &port) == 2) {
      g_set_error(error, VGW_ERROR, VGW_ERROR_PORT_IN_USE,
                  "port %u/%s on 127.0.0.1 is in use", port, proto);
      return;
    }
  }
  guint16 wan_port = 0;
  if (vgw_wan_link_bind_failed(log_text, &wan_port)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_PORT_IN_USE,
                "port %u/tcp on 127.0.0.1 is in use", wan_port);
    return;
  }
  /* QEMU 7.2 says "unsupported machine type" and then a hint line. */
  if (log_text != NULL && strstr(log_text, "unsupported machine type") != NULL) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_NO_QEMU,
                "QEMU at %s has no vgw machine (run scripts/build.sh, or set VGW_QEMU)",
                qemu);
    return;
  }
  g_set_error(error, VGW_ERROR, VGW_ERROR_EXITED, "QEMU exited early: %s",
              last != NULL ? last : "(no message on its stderr)");
}
