/* The board secret file: created once, private, never replaced. */
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "board_secret.h"
#include "vgw-error.h"

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

  g_assert_true(vgw_board_secret_ensure(path, "/nonexistent/keystore.bin", &error));
  g_assert_no_error(error);
  g_assert_cmpint(g_stat(path, &st), ==, 0);
  g_assert_cmpint(st.st_mode & 0777, ==, 0600);
  g_assert_true(g_file_get_contents(path, &first, NULL, NULL));
  raw = g_base64_decode(first, &raw_len);
  g_assert_cmpuint(raw_len, ==, VGW_BOARD_SECRET_LEN);

  /* A second call must not replace it: the keystore depends on it. */
  g_assert_true(vgw_board_secret_ensure(path, "/nonexistent/keystore.bin", &error));
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

  g_assert_true(vgw_board_secret_ensure(a, "/nonexistent/keystore.bin", NULL));
  g_assert_true(vgw_board_secret_ensure(b, "/nonexistent/keystore.bin", NULL));
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

  g_assert_false(vgw_board_secret_ensure("/nonexistent-dir/keystore.secret", "/nonexistent-dir/keystore.bin", &error));
  g_assert_nonnull(error);
  g_assert_nonnull(strstr(error->message, "/nonexistent-dir/keystore.secret"));
}

/* A deleted secret next to its keystore is reported, never silently made
 * anew (the keystore would then read as "wrong secret"); renewing starts
 * over with no keystore and a different secret. */
static void
test_missing_secret_and_renew(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("vgwsecret-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "keystore.secret", NULL);
  g_autofree char *ks = g_build_filename(dir, "keystore.bin", NULL);
  g_autofree char *expect = NULL, *before = NULL, *after = NULL;

  g_assert_true(vgw_board_secret_ensure(path, ks, &error));
  g_assert_true(g_file_get_contents(path, &before, NULL, NULL));
  g_assert_true(g_file_set_contents(ks, "wrapped keys", -1, NULL));
  g_unlink(path);
  g_assert_false(vgw_board_secret_ensure(path, ks, &error));
  g_assert_error(error, VGW_ERROR, VGW_ERROR_FAILED);
  expect = g_strdup_printf("the board secret %s is missing, so the keystore %s cannot be read; "
                           "put the secret back, or start over with `vgw keystore reset --yes` "
                           "(every key is lost)", path, ks);
  g_assert_cmpstr(error->message, ==, expect);
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
  g_clear_error(&error);

  g_assert_true(vgw_board_secret_renew(path, ks, &error));
  g_assert_no_error(error);
  g_assert_false(g_file_test(ks, G_FILE_TEST_EXISTS));
  g_assert_true(g_file_get_contents(path, &after, NULL, NULL));
  g_assert_cmpstr(before, !=, after);
  /* Renewing a board that has no keystore (or no secret) works too. */
  g_assert_true(vgw_board_secret_renew(path, ks, &error));
  g_unlink(path);
  g_rmdir(dir);
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
  g_test_add_func("/board-secret/missing-secret-and-renew", test_missing_secret_and_renew);
  g_test_add_func("/board-secret/qemu-object", test_qemu_object);
  return g_test_run();
}
