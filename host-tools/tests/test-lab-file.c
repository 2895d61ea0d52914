/* Lab files (lab_file.h): what a good one gives, and the error each
 * mistake gets, with its line. */
#include <glib/gstdio.h>
#include <string.h>

#include "lab_file.h"
#include "vgw-error.h"

/* A directory holding a.ini, b.ini and proxy.cfg, the files labs name. */
static char *
make_dir(void)
{
  char *dir = g_dir_make_tmp("vgw-lab-XXXXXX", NULL);
  const char *files[] = { "a.ini", "b.ini", "proxy.cfg" };

  g_assert_nonnull(dir);
  for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autofree char *path = g_build_filename(dir, files[i], NULL);
    g_assert_true(g_file_set_contents(path, "\n", -1, NULL));
  }
  return dir;
}

static void
remove_dir(char *dir)
{
  const char *files[] = { "a.ini", "b.ini", "proxy.cfg" };

  for (guint i = 0; i < G_N_ELEMENTS(files); i++) {
    g_autofree char *path = g_build_filename(dir, files[i], NULL);
    g_unlink(path);
  }
  g_rmdir(dir);
  g_free(dir);
}

static VgwLab *
parse(const char *dir, const char *text, GError **error)
{
  g_autofree char *path = g_build_filename(dir, "pair.ini", NULL);

  return vgw_lab_parse(text, strlen(text), path, error);
}

static void
test_good(void)
{
  char *dir = make_dir();
  g_autoptr(GError) error = NULL;
  g_autoptr(VgwLab) lab = parse(dir,
                                "# two gateways\n"
                                "[gateway a]\n"
                                "config = a.ini\n"
                                "seed = 7\n"
                                "[gateway b]\n"
                                "[gateway c]\n"
                                "[link wan]\n"
                                "a = a.wan\n"
                                "b = b.wan\n"
                                "[peer proxy]\n"
                                "kind = kamailio\n"
                                "config = proxy.cfg\n"
                                "port = 5070\n",
                                &error);
  g_autofree char *a_ini = g_build_filename(dir, "a.ini", NULL);

  g_assert_no_error(error);
  g_assert_cmpstr(lab->name, ==, "pair");
  g_assert_cmpuint(lab->gateways->len, ==, 3);
  g_assert_cmpstr(vgw_lab_gateway(lab, 0)->instance, ==, "pair-a");
  g_assert_cmpstr(vgw_lab_gateway(lab, 0)->config, ==, a_ini);
  g_assert_true(vgw_lab_gateway(lab, 0)->seed_text != NULL);
  g_assert_cmpuint(vgw_lab_gateway(lab, 0)->seed.value, ==, 7);
  g_assert_null(vgw_lab_gateway(lab, 1)->config);
  const VgwLabLink *link = vgw_lab_link_find(lab, "wan");
  g_assert_nonnull(link);
  g_assert_cmpuint(link->a, ==, 0);
  g_assert_cmpuint(link->b, ==, 1);
  g_assert_cmpuint(link->port, ==, 0);
  g_assert_true(vgw_lab_gateway_link(lab, 1) == link);
  g_assert_null(vgw_lab_gateway_link(lab, 2));
  g_assert_null(vgw_lab_link_find(lab, "lan"));
  g_assert_cmpuint(lab->peers->len, ==, 1);
  const VgwLabPeer *peer = g_ptr_array_index(lab->peers, 0);
  g_assert_cmpuint(peer->port, ==, 5070);
  g_assert_true(g_str_has_suffix(peer->config, "/proxy.cfg"));

  g_autoptr(VgwLab) named = parse(dir, "[lab]\nname = other\n[gateway x]\n", &error);
  g_assert_no_error(error);
  g_assert_cmpstr(vgw_lab_gateway(named, 0)->instance, ==, "other-x");
  remove_dir(dir);
}

/* Each bad lab file, and the start of the error it must give (after the
 * directory). */
static const struct {
  const char *text;
  const char *error;
} bad[] = {
  { "[gateway a]\nconfg = a.ini\n",
    "/pair.ini:2: [gateway a]: unknown key 'confg' (known: config, seed)" },
  { "[gateway a]\n[bridge x]\n", "/pair.ini:2: unknown section [bridge x]" },
  { "[gateway a]\n[gateway b]\n[link l]\na = a.wan\nb = c.wan\n",
    "/pair.ini:5: [link l]: b = c.wan names no gateway of the lab" },
  { "[gateway a]\n[gateway b]\n[link l]\na = a.lan\nb = b.wan\n",
    "/pair.ini:4: [link l]: a = a.lan: an end is GATEWAY.wan" },
  { "[gateway a]\n[gateway b]\n[gateway c]\n[link l]\na = a.wan\nb = b.wan\n"
    "[link m]\na = c.wan\nb = b.wan\n",
    "/pair.ini:9: [link m]: b.wan is already an end of link 'l' (line 4)" },
  { "[gateway a]\n[gateway b]\n[link l]\na = a.wan\nb = a.wan\n",
    "/pair.ini:5: [link l]: both ends are a.wan" },
  { "[gateway a]\n[gateway b]\n[link l]\na = a.wan\nb = b.wan\nport = 5999\n"
    "[peer p]\nkind = kamailio\nconfig = proxy.cfg\nport = 5999\n",
    "/pair.ini:10: [peer p]: port 5999 is already [link l]'s (line 6)" },
  { "[gateway a]\n[gateway b]\n[link l]\na = a.wan\n",
    "/pair.ini:3: [link l]: b is missing" },
  { "[gateway a]\nconfig = missing.ini\n", "/pair.ini:2: [gateway a]: config: no file " },
  { "[gateway a]\nseed = x\n", "/pair.ini:2: [gateway a]: seed: invalid value 'x'" },
  { "[gateway a]\nseed = 1\nseed = 2\n", "/pair.ini:3: [gateway a]: seed given twice" },
  { "[gateway a]\n[gateway a]\n", "/pair.ini:2: section [gateway a] given twice" },
  { "[gateway a]\n[peer p]\nkind = asterisk\nconfig = proxy.cfg\n",
    "/pair.ini:3: [peer p]: kind 'asterisk' is not known" },
  { "[lab]\nname = a-very-long-lab-name-indeed\n[gateway gateway-b]\n",
    "/pair.ini:3: [gateway gateway-b]: the gateway's instance name" },
  { "[lab]\nname = pair\n", "/pair.ini: no [gateway NAME] section" },
  { "gateway a\n", "/pair.ini: " },
};

static void
test_bad(void)
{
  char *dir = make_dir();

  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *want = g_strconcat(dir, bad[i].error, NULL);
    g_autoptr(VgwLab) lab = parse(dir, bad[i].text, &error);

    g_test_message("lab file %u", i);
    g_assert_null(lab);
    g_assert_error(error, VGW_ERROR, VGW_ERROR_USAGE);
    if (!g_str_has_prefix(error->message, want))
      g_error("lab file %u: got '%s', want '%s...'", i, error->message, want);
  }
  remove_dir(dir);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/lab-file/good", test_good);
  g_test_add_func("/lab-file/bad", test_bad);
  return g_test_run();
}
