/* Bounded file reads (fileread.h): limits, directories, devices. */
#include <glib/gstdio.h>
#include <string.h>

#include "fileread.h"

static char *tmpdir;

static char *
write_tmp(const char *name, const char *data, gssize len)
{
  char *path = g_build_filename(tmpdir, name, NULL);

  g_assert_true(g_file_set_contents(path, data, len, NULL));
  return path;
}

static void
test_read_regular(void)
{
  g_autofree char *path = write_tmp("a.txt", "hello", -1);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  /* Exactly at the limit is allowed, and the text is NUL-terminated. */
  g_assert_true(vgw_file_read(path, 5, &data, &len, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(len, ==, 5);
  g_assert_cmpstr(data, ==, "hello");
  g_unlink(path);
}

static void
test_read_empty(void)
{
  g_autofree char *path = write_tmp("empty.txt", "", 0);
  g_autofree char *data = NULL;
  g_autoptr(GBytes) map = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 1;

  g_assert_true(vgw_file_read(path, 10, &data, &len, &error));
  g_assert_cmpuint(len, ==, 0);
  g_assert_cmpstr(data, ==, "");
  map = vgw_file_map(path, 10, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(g_bytes_get_size(map), ==, 0);
  g_unlink(path);
}

static void
test_regular_over_limit(void)
{
  g_autofree char *path = write_tmp("big.txt", "0123456789", -1);
  g_autofree char *expect = g_strdup_printf("%s: larger than 9 bytes", path);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) map_error = NULL;
  gsize len = 0;

  g_assert_false(vgw_file_read(path, 9, &data, &len, &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED);
  g_assert_cmpstr(error->message, ==, expect);
  g_assert_null(data);
  g_assert_null(vgw_file_map(path, 9, &map_error));
  g_assert_cmpstr(map_error->message, ==, expect);
  g_unlink(path);
}

/* /dev/zero has no size and no end: the read must stop at the limit. */
static void
test_endless_device(void)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) map_error = NULL;
  gsize len = 0;

  g_assert_false(vgw_file_read("/dev/zero", 100000, &data, &len, &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_FAILED);
  g_assert_cmpstr(error->message, ==, "/dev/zero: larger than 100000 bytes");
  g_assert_null(vgw_file_map("/dev/zero", 100000, &map_error));
  g_assert_cmpstr(map_error->message, ==, "/dev/zero: larger than 100000 bytes");
}

/* A device within the limit is read whole: /dev/null is empty. */
static void
test_small_device(void)
{
  g_autoptr(GBytes) b = NULL;
  g_autoptr(GError) error = NULL;

  b = vgw_file_map("/dev/null", 10, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(g_bytes_get_size(b), ==, 0);
}

static void
test_directory(void)
{
  g_autofree char *expect = g_strdup_printf("%s: is a directory", tmpdir);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) map_error = NULL;
  gsize len = 0;

  g_assert_false(vgw_file_read(tmpdir, 1 << 20, &data, &len, &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_cmpstr(error->message, ==, expect);
  g_assert_null(vgw_file_map(tmpdir, 1 << 20, &map_error));
  g_assert_error(map_error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
}

static void
test_missing(void)
{
  g_autofree char *path = g_build_filename(tmpdir, "none", NULL);
  g_autofree char *expect = g_strdup_printf("%s: No such file or directory", path);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  g_assert_false(vgw_file_read(path, 10, &data, &len, &error));
  g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_cmpstr(error->message, ==, expect);
}

static void
test_map_regular(void)
{
  g_autofree char *path = write_tmp("m.bin", "\x00\x01\x02\x03", 4);
  g_autoptr(GBytes) b = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const guint8 *p;

  b = vgw_file_map(path, 4, &error);
  g_assert_no_error(error);
  p = g_bytes_get_data(b, &len);
  g_assert_cmpmem(p, len, "\x00\x01\x02\x03", 4);
  g_unlink(path);
}

int
main(int argc, char **argv)
{
  int rc;

  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("vgwread-XXXXXX", NULL);
  g_test_add_func("/fileread/regular", test_read_regular);
  g_test_add_func("/fileread/empty", test_read_empty);
  g_test_add_func("/fileread/regular-over-limit", test_regular_over_limit);
  g_test_add_func("/fileread/endless-device", test_endless_device);
  g_test_add_func("/fileread/small-device", test_small_device);
  g_test_add_func("/fileread/directory", test_directory);
  g_test_add_func("/fileread/missing", test_missing);
  g_test_add_func("/fileread/map-regular", test_map_regular);
  rc = g_test_run();
  g_rmdir(tmpdir);
  g_free(tmpdir);
  return rc;
}
