#include "sockpeer.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "instance.h"

/* The kernel's TCP_ESTABLISHED, which unix sockets use for "connected". */
#define UNIX_STATE_CONNECTED 1

/* The longest command line shown for a holder. */
#define HOLDER_COMMAND_MAX 120

void
vgw_sock_holder_clear(VgwSockHolder *holder)
{
  g_clear_pointer(&holder->command, g_free);
  holder->pid = 0;
}

static gboolean
send_dump_request(int fd)
{
  struct {
    struct nlmsghdr nlh;
    struct unix_diag_req req;
  } msg;

  memset(&msg, 0, sizeof msg);
  msg.nlh.nlmsg_len = sizeof msg;
  msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  msg.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  msg.req.sdiag_family = AF_UNIX;
  msg.req.udiag_states = 1u << UNIX_STATE_CONNECTED;
  msg.req.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER;
  return send(fd, &msg, sizeof msg, 0) == (ssize_t) sizeof msg;
}

/* Looks at one socket of the dump (a message NLMSG_OK accepted): if it
 * is an accepted connection of |path| (its name) whose client end is still
 * open (a peer inode), returns that peer inode; else 0.  The kernel
 * reports a peer that has closed as inode 0. */
static guint32
accepted_peer(const struct nlmsghdr *nlh, const char *path)
{
  const struct unix_diag_msg *diag = NLMSG_DATA(nlh);
  const struct rtattr *attr;
  int attr_len;
  gboolean name_matches = FALSE;
  guint32 peer = 0;

  if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof *diag))
    return 0;
  /* A socket still in the backlog has no inode: not accepted yet. */
  if (diag->udiag_ino == 0 || diag->udiag_state != UNIX_STATE_CONNECTED)
    return 0;
  attr = (const struct rtattr *) (diag + 1);
  attr_len = (int) (nlh->nlmsg_len - NLMSG_LENGTH(sizeof *diag));
  for (; RTA_OK(attr, attr_len); attr = RTA_NEXT(attr, attr_len)) {
    gsize payload = RTA_PAYLOAD(attr);

    /* A path name comes with its NUL (the bound address's length). */
    if (attr->rta_type == UNIX_DIAG_NAME)
      name_matches = strnlen(RTA_DATA(attr), payload) == strlen(path) &&
                     memcmp(RTA_DATA(attr), path, strlen(path)) == 0;
    else if (attr->rta_type == UNIX_DIAG_PEER && payload >= sizeof peer)
      memcpy(&peer, RTA_DATA(attr), sizeof peer);
  }
  return name_matches ? peer : 0;
}

/* Returns the inode of the live client end of an accepted connection of
 * |path|, 0 if there is none, -1 if the kernel could not be asked. */
static gint64
find_peer_inode(const char *path)
{
  int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  gint64 found = -1;
  static guint8 buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));

  if (fd < 0)
    return -1;
  if (!send_dump_request(fd))
    goto out;
  for (;;) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    const struct nlmsghdr *nlh = (const struct nlmsghdr *) buf;
    int left;

    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      goto out;
    left = (int) n;
    for (; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
      guint32 peer;

      if (nlh->nlmsg_type == NLMSG_DONE) {
        if (found < 0)
          found = 0;
        goto out;
      }
      if (nlh->nlmsg_type == NLMSG_ERROR)
        goto out;
      if (found <= 0 && (peer = accepted_peer(nlh, path)) != 0)
        found = peer;
    }
  }
out:
  close(fd);
  return found;
}

static gboolean
pid_holds_inode(const char *pid, const char *target)
{
  g_autofree char *fd_dir = g_build_filename("/proc", pid, "fd", NULL);
  GDir *dir = g_dir_open(fd_dir, 0, NULL);
  const char *fd;
  gboolean held = FALSE;

  while (dir != NULL && !held && (fd = g_dir_read_name(dir)) != NULL) {
    g_autofree char *link = g_build_filename(fd_dir, fd, NULL);
    g_autofree char *to = g_file_read_link(link, NULL);
    held = g_strcmp0(to, target) == 0;
  }
  if (dir != NULL)
    g_dir_close(dir);
  return held;
}

static char *
command_of(int pid)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!vgw_pid_cmdline(pid, &data, &len))
    return NULL;
  /* Arguments are NUL-separated, the last one NUL-terminated; the
   * command goes into a one-line message, so no control characters. */
  for (gsize i = 0; i + 1 < len; i++) {
    if ((guchar) data[i] < 0x20)
      data[i] = ' ';
  }
  if (strlen(data) > HOLDER_COMMAND_MAX)
    strcpy(data + HOLDER_COMMAND_MAX - 3, "...");
  return g_utf8_make_valid(data, -1);
}

/* Finds the process holding socket inode |inode|; pid 0 if none visible. */
static void
name_holder(guint32 inode, VgwSockHolder *holder)
{
  g_autofree char *target = g_strdup_printf("socket:[%u]", inode);
  GDir *proc = g_dir_open("/proc", 0, NULL);
  const char *entry;

  while (proc != NULL && (entry = g_dir_read_name(proc)) != NULL) {
    guint64 pid;

    if (!g_ascii_string_to_unsigned(entry, 10, 1, G_MAXINT, &pid, NULL))
      continue;
    if (pid_holds_inode(entry, target)) {
      holder->pid = (int) pid;
      holder->command = command_of((int) pid);
      break;
    }
  }
  if (proc != NULL)
    g_dir_close(proc);
}

gboolean
vgw_sock_holder_find(const char *path, VgwSockHolder *holder)
{
  gint64 inode = find_peer_inode(path);

  memset(holder, 0, sizeof *holder);
  if (inode <= 0)
    return FALSE;
  name_holder((guint32) inode, holder);
  return TRUE;
}

char *
vgw_sock_holder_describe(const VgwSockHolder *holder)
{
  if (holder->pid == 0)
    return g_strdup("another client");
  return g_strdup_printf("pid %d (%s)", holder->pid,
                         holder->command != NULL ? holder->command : "?");
}
