/* The board secret file: created once, private, never replaced. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "board_secret.h"

static void
test_created_private_and_kept(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("vgwsecret-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "keystore.secret", NULL);
  g_autofree char *first = NULL, *again = NULL;
  g_autofree guint8 *raw = NULL;
  gsize raw_len = 0;
  struct stat st;

  g_assert_true(vgw_board_secret_ensure(path, &error));
  g_assert_no_error(error);
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);
  g_assert_true(g_file_get_contents(path, &first, NULL, NULL));
  raw = g_base64_decode(first, &raw_len);
  g_assert_cmpuint(raw_len, ==, VGW_BOARD_SECRET_LEN);

  /* A second call must not replace it: the keystore depends on it. */
  g_assert_true(vgw_board_secret_ensure(path, &error));
  g_assert_true(g_file_get_contents(path, &again, NULL, NULL));
  g_assert_cmpstr(first, ==, again);
  g_unlink(path);
  g_rmdir(dir);
}

static void
test_two_gateways_differ(void)
{
  g_autofree char *dir = g_dir_make_tmp("vgwsecret-XXXXXX", NULL);
  g_autofree char *a = g_build_filename(dir, "a", NULL);
  g_autofree char *b = g_build_filename(dir, "b", NULL);
  g_autofree char *ta = NULL, *tb = NULL;

  g_assert_true(vgw_board_secret_ensure(a, NULL));
  g_assert_true(vgw_board_secret_ensure(b, NULL));
  g_assert_true(g_file_get_contents(a, &ta, NULL, NULL));
  g_assert_true(g_file_get_contents(b, &tb, NULL, NULL));
  g_assert_cmpstr(ta, !=, tb);
  g_unlink(a);
  g_unlink(b);
  g_rmdir(dir);
}

static void
test_unwritable_dir_names_file(void)
{
  g_autoptr(GError) error = NULL;

  g_assert_false(vgw_board_secret_ensure("/nonexistent-dir/keystore.secret", &error));
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "/nonexistent-dir/keystore.secret"));
}

static void
test_qemu_object(void)
{
  g_autofree char *o = vgw_board_secret_qemu_object("/s/keystore.secret");

  g_assert_cmpstr(o, ==, "secret,id=vgw-board-secret,file=/s/keystore.secret,format=base64");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/board-secret/created-private-and-kept", test_created_private_and_kept);
  g_test_add_func("/board-secret/two-gateways-differ", test_two_gateways_differ);
  g_test_add_func("/board-secret/unwritable-dir-names-file", test_unwritable_dir_names_file);
  g_test_add_func("/board-secret/qemu-object", test_qemu_object);
  return g_test_run();
}
