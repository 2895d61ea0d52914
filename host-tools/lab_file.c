/* Lab files: GKeyFile reads the values; a scan of the lines beside it
 * knows where each section and key is, for errors that point at a line
 * and for the rules GKeyFile does not enforce (a section or key given
 * twice, which it would merge or let the last one win). */
#include <string.h>

#include "fileread.h"
#include "lab_file.h"
#include "vgw-error.h"

/* Far more than any lab needs; bounds what is read. */
#define LAB_FILE_MAX (256 * 1024)

/* Where a section header (key NULL) or a key is in the file. */
typedef struct {
  char *group;
  char *key;
  guint line;
} Place;

static void
place_free(gpointer data)
{
  Place *p = data;

  g_free(p->group);
  g_free(p->key);
  g_free(p);
}

static guint
place_line(GPtrArray *places, const char *group, const char *key)
{
  for (guint i = 0; i < places->len; i++) {
    const Place *p = g_ptr_array_index(places, i);
    if (g_strcmp0(p->group, group) == 0 && g_strcmp0(p->key, key) == 0)
      return p->line;
  }
  return 0;
}

G_GNUC_PRINTF(4, 5) static void
set_error(GError **error, const char *path, guint line, const char *format, ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  va_start(ap, format);
  what = g_strdup_vprintf(format, ap);
  va_end(ap);
  if (line > 0)
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s:%u: %s", path, line, what);
  else
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "%s: %s", path, what);
}

/* Indexes the section headers and keys of |data| by line; a section or a
 * key within one given twice is an error.  Other malformed lines are
 * left to GKeyFile. */
static gboolean
index_lines(const char *data, gsize len, const char *path, GPtrArray *places,
            GError **error)
{
  g_autofree char *group = NULL;
  gsize pos = 0;
  guint line = 0;

  while (pos < len) {
    const char *start = data + pos;
    const char *nl = memchr(start, '\n', len - pos);
    gsize n = nl != NULL ? (gsize) (nl - start) : len - pos;
    g_autofree char *text = g_strstrip(g_strndup(start, n));
    gsize tn = strlen(text);
    Place *p;
    guint seen;

    pos += n + (nl != NULL ? 1 : 0);
    line++;
    if (tn == 0 || text[0] == '#')
      continue;
    if (text[0] == '[' && text[tn - 1] == ']') {
      g_free(group);
      group = g_strndup(text + 1, tn - 2);
      if ((seen = place_line(places, group, NULL)) != 0) {
        set_error(error, path, line, "section [%s] given twice (first at line %u)", group,
                  seen);
        return FALSE;
      }
      p = g_new0(Place, 1);
      p->group = g_strdup(group);
      p->line = line;
      g_ptr_array_add(places, p);
      continue;
    }
    const char *eq = strchr(text, '=');
    if (eq == NULL || group == NULL)
      continue;
    g_autofree char *key = g_strstrip(g_strndup(text, (gsize) (eq - text)));
    if ((seen = place_line(places, group, key)) != 0) {
      set_error(error, path, line, "[%s]: %s given twice (first at line %u)", group, key, seen);
      return FALSE;
    }
    p = g_new0(Place, 1);
    p->group = g_strdup(group);
    p->key = g_steal_pointer(&key);
    p->line = line;
    g_ptr_array_add(places, p);
  }
  return TRUE;
}

/* The lab file being read: what the checks below share. */
typedef struct {
  const char *path;
  char *dir;           /* relative paths are relative to it */
  GKeyFile *kf;
  GPtrArray *places;
  VgwLab *lab;
} Reader;

static gboolean
check_keys(Reader *r, const char *group, const char *const *allowed, GError **error)
{
  for (guint i = 0; i < r->places->len; i++) {
    const Place *p = g_ptr_array_index(r->places, i);
    if (p->key == NULL || strcmp(p->group, group) != 0 ||
        g_strv_contains(allowed, p->key))
      continue;
    g_autofree char *list = g_strjoinv(", ", (char **) allowed);
    set_error(error, r->path, p->line, "[%s]: unknown key '%s' (known: %s)", group, p->key,
              list);
    return FALSE;
  }
  return TRUE;
}

/* The value of |key| in |group|, or NULL when absent (or, with
 * |required|, an error). */
static char *
get_value(Reader *r, const char *group, const char *key, gboolean required, GError **error)
{
  char *value;

  if (!g_key_file_has_key(r->kf, group, key, NULL)) {
    if (required)
      set_error(error, r->path, place_line(r->places, group, NULL), "[%s]: %s is missing",
                group, key);
    return NULL;
  }
  value = g_key_file_get_string(r->kf, group, key, NULL);
  if (value == NULL || *value == '\0') {
    set_error(error, r->path, place_line(r->places, group, key), "[%s]: %s is empty", group,
              key);
    g_free(value);
    return NULL;
  }
  return value;
}

/* An existing regular file named by |key|, made absolute. */
static char *
get_file(Reader *r, const char *group, const char *key, gboolean required, GError **error)
{
  g_autofree char *value = get_value(r, group, key, required, error);
  char *abs;

  if (value == NULL)
    return NULL;
  abs = g_canonicalize_filename(value, r->dir);
  if (!g_file_test(abs, G_FILE_TEST_IS_REGULAR)) {
    set_error(error, r->path, place_line(r->places, group, key), "[%s]: %s: no file %s",
              group, key, abs);
    g_free(abs);
    return NULL;
  }
  return abs;
}

/* An optional TCP port (0: pick one); 0 also when absent. */
static gboolean
get_port(Reader *r, const char *group, guint16 *port, GError **error)
{
  g_autofree char *value = get_value(r, group, "port", FALSE, error);
  guint64 n = 0;

  *port = 0;
  if (value == NULL)
    return error == NULL || *error == NULL;
  if (!g_ascii_string_to_unsigned(value, 10, 0, 65535, &n, NULL)) {
    set_error(error, r->path, place_line(r->places, group, "port"),
              "[%s]: port '%s' is not 0..65535", group, value);
    return FALSE;
  }
  *port = (guint16) n;
  return TRUE;
}

static void
gateway_free(gpointer data)
{
  VgwLabGateway *gw = data;

  g_free(gw->name);
  g_free(gw->instance);
  g_free(gw->config);
  g_free(gw->seed_text);
  g_free(gw);
}

static void
link_free(gpointer data)
{
  VgwLabLink *link = data;

  g_free(link->name);
  g_free(link);
}

static void
peer_free(gpointer data)
{
  VgwLabPeer *peer = data;

  g_free(peer->name);
  g_free(peer->config);
  g_free(peer);
}

static gboolean
read_lab_name(Reader *r, GError **error)
{
  static const char *const keys[] = { "name", NULL };
  g_autoptr(GError) why = NULL;
  g_autofree char *name = NULL;

  if (g_key_file_has_group(r->kf, "lab")) {
    if (!check_keys(r, "lab", keys, error))
      return FALSE;
    name = get_value(r, "lab", "name", FALSE, error);
    if (name == NULL && error != NULL && *error != NULL)
      return FALSE;
  }
  if (name == NULL) {
    g_autofree char *base = g_path_get_basename(r->path);
    name = g_strdup(base);
    if (g_str_has_suffix(name, ".ini"))
      name[strlen(name) - 4] = '\0';
  }
  if (!vgw_instance_name_check(name, &why)) {
    set_error(error, r->path, place_line(r->places, "lab", "name"), "lab name: %s",
              why->message);
    return FALSE;
  }
  r->lab->name = g_steal_pointer(&name);
  return TRUE;
}

static gboolean
read_gateway(Reader *r, const char *group, const char *name, guint line, GError **error)
{
  static const char *const keys[] = { "config", "seed", NULL };
  VgwLabGateway *gw = g_new0(VgwLabGateway, 1);
  g_autoptr(GError) why = NULL;

  g_ptr_array_add(r->lab->gateways, gw);
  gw->name = g_strdup(name);
  gw->line = line;
  gw->instance = g_strdup_printf("%s-%s", r->lab->name, name);
  if (!vgw_instance_name_check(gw->instance, &why)) {
    set_error(error, r->path, line, "[%s]: the gateway's instance name '%s' is not valid: %s",
              group, gw->instance, why->message);
    return FALSE;
  }
  for (guint i = 0; i + 1 < r->lab->gateways->len; i++) {
    if (strcmp(vgw_lab_gateway(r->lab, i)->name, name) == 0) {
      set_error(error, r->path, line, "gateway '%s' given twice (first at line %u)", name,
                vgw_lab_gateway(r->lab, i)->line);
      return FALSE;
    }
  }
  if (!check_keys(r, group, keys, error))
    return FALSE;
  gw->config = get_file(r, group, "config", FALSE, error);
  if (gw->config == NULL && error != NULL && *error != NULL)
    return FALSE;
  gw->seed_text = get_value(r, group, "seed", FALSE, error);
  if (gw->seed_text == NULL)
    return error == NULL || *error == NULL;
  if (!vgw_seed_parse(gw->seed_text, &gw->seed, &why)) {
    set_error(error, r->path, place_line(r->places, group, "seed"), "[%s]: seed: %s", group,
              why->message);
    return FALSE;
  }
  return TRUE;
}

/* One end of a link, "GW.wan": the index of its gateway. */
static gboolean
read_end(Reader *r, const char *group, const char *key, guint *index, GError **error)
{
  g_autofree char *value = get_value(r, group, key, TRUE, error);
  guint line = place_line(r->places, group, key);
  const char *dot;

  if (value == NULL)
    return FALSE;
  dot = strrchr(value, '.');
  if (dot == NULL || strcmp(dot + 1, "wan") != 0) {
    set_error(error, r->path, line, "[%s]: %s = %s: an end is GATEWAY.wan (a gateway's WAN "
              "port, the only one a link takes)", group, key, value);
    return FALSE;
  }
  for (guint i = 0; i < r->lab->gateways->len; i++) {
    const VgwLabGateway *gw = vgw_lab_gateway(r->lab, i);
    if (strlen(gw->name) == (gsize) (dot - value) &&
        strncmp(gw->name, value, (gsize) (dot - value)) == 0) {
      *index = i;
      return TRUE;
    }
  }
  set_error(error, r->path, line, "[%s]: %s = %s names no gateway of the lab", group, key,
            value);
  return FALSE;
}

static gboolean
read_link(Reader *r, const char *group, const char *name, guint line, GError **error)
{
  static const char *const keys[] = { "a", "b", "port", NULL };
  VgwLabLink *link = g_new0(VgwLabLink, 1);

  g_ptr_array_add(r->lab->links, link);
  link->name = g_strdup(name);
  link->line = line;
  if (!check_keys(r, group, keys, error) || !read_end(r, group, "a", &link->a, error) ||
      !read_end(r, group, "b", &link->b, error) || !get_port(r, group, &link->port, error))
    return FALSE;
  if (link->a == link->b) {
    set_error(error, r->path, place_line(r->places, group, "b"),
              "[%s]: both ends are %s.wan", group, vgw_lab_gateway(r->lab, link->a)->name);
    return FALSE;
  }
  for (guint i = 0; i + 1 < r->lab->links->len; i++) {
    const VgwLabLink *other = g_ptr_array_index(r->lab->links, i);
    guint ends[2] = { link->a, link->b };
    if (strcmp(other->name, name) == 0) {
      set_error(error, r->path, line, "link '%s' given twice (first at line %u)", name,
                other->line);
      return FALSE;
    }
    for (guint e = 0; e < 2; e++) {
      if (ends[e] == other->a || ends[e] == other->b) {
        set_error(error, r->path, place_line(r->places, group, e == 0 ? "a" : "b"),
                  "[%s]: %s.wan is already an end of link '%s' (line %u): a port takes "
                  "one link", group, vgw_lab_gateway(r->lab, ends[e])->name, other->name,
                  other->line);
        return FALSE;
      }
    }
  }
  return TRUE;
}

static gboolean
read_peer(Reader *r, const char *group, const char *name, guint line, GError **error)
{
  static const char *const keys[] = { "kind", "config", "port", NULL };
  VgwLabPeer *peer = g_new0(VgwLabPeer, 1);
  g_autofree char *kind = NULL;

  g_ptr_array_add(r->lab->peers, peer);
  peer->name = g_strdup(name);
  peer->line = line;
  if (!check_keys(r, group, keys, error) ||
      (kind = get_value(r, group, "kind", TRUE, error)) == NULL)
    return FALSE;
  if (strcmp(kind, "kamailio") != 0) {
    set_error(error, r->path, place_line(r->places, group, "kind"),
              "[%s]: kind '%s' is not known (known: kamailio)", group, kind);
    return FALSE;
  }
  peer->kind = VGW_LAB_PEER_KAMAILIO;
  if ((peer->config = get_file(r, group, "config", TRUE, error)) == NULL ||
      !get_port(r, group, &peer->port, error))
    return FALSE;
  if (!vgw_instance_name_check(name, NULL)) {
    set_error(error, r->path, line, "[%s]: a peer's name is 1 to 32 of [A-Za-z0-9_.-]", group);
    return FALSE;
  }
  for (guint i = 0; i + 1 < r->lab->peers->len; i++) {
    const VgwLabPeer *other = g_ptr_array_index(r->lab->peers, i);
    if (strcmp(other->name, name) == 0) {
      set_error(error, r->path, line, "peer '%s' given twice (first at line %u)", name,
                other->line);
      return FALSE;
    }
  }
  return TRUE;
}

/* A fixed TCP port on 127.0.0.1 (a link's, a peer's) given twice. */
static gboolean
check_fixed_ports(Reader *r, GError **error)
{
  g_autoptr(GArray) ports = g_array_new(FALSE, FALSE, sizeof(guint16));
  g_autoptr(GArray) lines = g_array_new(FALSE, FALSE, sizeof(guint));
  g_autoptr(GPtrArray) groups = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < r->lab->links->len; i++) {
    const VgwLabLink *l = g_ptr_array_index(r->lab->links, i);
    g_array_append_val(ports, l->port);
    g_ptr_array_add(groups, g_strdup_printf("link %s", l->name));
  }
  for (guint i = 0; i < r->lab->peers->len; i++) {
    const VgwLabPeer *p = g_ptr_array_index(r->lab->peers, i);
    g_array_append_val(ports, p->port);
    g_ptr_array_add(groups, g_strdup_printf("peer %s", p->name));
  }
  for (guint i = 0; i < ports->len; i++) {
    guint16 port = g_array_index(ports, guint16, i);
    if (port == 0)
      continue;
    for (guint j = 0; j < i; j++) {
      if (g_array_index(ports, guint16, j) != port)
        continue;
      set_error(error, r->path,
                place_line(r->places, g_ptr_array_index(groups, i), "port"),
                "[%s]: port %u is already [%s]'s (line %u)",
                (char *) g_ptr_array_index(groups, i), port,
                (char *) g_ptr_array_index(groups, j),
                place_line(r->places, g_ptr_array_index(groups, j), "port"));
      return FALSE;
    }
  }
  return TRUE;
}

/* Reads the sections of one kind (|prefix| "gateway ", ...) in file
 * order. */
static gboolean
read_sections(Reader *r, const char *prefix,
              gboolean (*read)(Reader *, const char *, const char *, guint, GError **),
              GError **error)
{
  for (guint i = 0; i < r->places->len; i++) {
    const Place *p = g_ptr_array_index(r->places, i);
    if (p->key == NULL && g_str_has_prefix(p->group, prefix) &&
        !read(r, p->group, p->group + strlen(prefix), p->line, error))
      return FALSE;
  }
  return TRUE;
}

static gboolean
check_sections(Reader *r, GError **error)
{
  static const char *const kinds[] = { "gateway ", "link ", "peer ", NULL };

  for (guint i = 0; i < r->places->len; i++) {
    const Place *p = g_ptr_array_index(r->places, i);
    gboolean known = p->key != NULL || strcmp(p->group, "lab") == 0;
    for (guint k = 0; !known && kinds[k] != NULL; k++) {
      const char *name = p->group + strlen(kinds[k]);
      known = g_str_has_prefix(p->group, kinds[k]) && *name != '\0' &&
              strchr(name, ' ') == NULL;
    }
    if (!known) {
      set_error(error, r->path, p->line, "unknown section [%s] (known: [lab], [gateway NAME], "
                "[link NAME], [peer NAME])", p->group);
      return FALSE;
    }
  }
  return TRUE;
}

VgwLab *
vgw_lab_parse(const char *data, gsize len, const char *path, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GPtrArray) places = g_ptr_array_new_with_free_func(place_free);
  g_autoptr(GError) local = NULL;
  g_autoptr(VgwLab) lab = g_new0(VgwLab, 1);
  g_autofree char *abs = g_canonicalize_filename(path, NULL);
  g_autofree char *dir = g_path_get_dirname(abs);
  Reader r = { .path = path, .dir = dir, .kf = kf, .places = places, .lab = lab };

  lab->path = g_strdup(path);
  lab->gateways = g_ptr_array_new_with_free_func(gateway_free);
  lab->links = g_ptr_array_new_with_free_func(link_free);
  lab->peers = g_ptr_array_new_with_free_func(peer_free);
  if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &local)) {
    set_error(error, path, 0, "%s", local->message);
    return NULL;
  }
  if (!index_lines(data, len, path, places, error) || !check_sections(&r, error) ||
      !read_lab_name(&r, error) || !read_sections(&r, "gateway ", read_gateway, error) ||
      !read_sections(&r, "link ", read_link, error) ||
      !read_sections(&r, "peer ", read_peer, error) || !check_fixed_ports(&r, error))
    return NULL;
  if (lab->gateways->len == 0) {
    set_error(error, path, 0, "no [gateway NAME] section: a lab has at least one gateway");
    return NULL;
  }
  return g_steal_pointer(&lab);
}

VgwLab *
vgw_lab_load(const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local = NULL;
  gsize len = 0;

  if (!vgw_file_read(path, LAB_FILE_MAX, &data, &len, &local)) {
    g_set_error(error, VGW_ERROR, VGW_ERROR_USAGE, "lab file %s: %s", path, local->message);
    return NULL;
  }
  return vgw_lab_parse(data, len, path, error);
}

void
vgw_lab_free(VgwLab *lab)
{
  if (lab == NULL)
    return;
  g_free(lab->path);
  g_free(lab->name);
  g_clear_pointer(&lab->gateways, g_ptr_array_unref);
  g_clear_pointer(&lab->links, g_ptr_array_unref);
  g_clear_pointer(&lab->peers, g_ptr_array_unref);
  g_free(lab);
}

const VgwLabLink *
vgw_lab_link_find(const VgwLab *lab, const char *name)
{
  for (guint i = 0; i < lab->links->len; i++) {
    const VgwLabLink *link = g_ptr_array_index(lab->links, i);
    if (strcmp(link->name, name) == 0)
      return link;
  }
  return NULL;
}

const VgwLabLink *
vgw_lab_gateway_link(const VgwLab *lab, guint index)
{
  for (guint i = 0; i < lab->links->len; i++) {
    const VgwLabLink *link = g_ptr_array_index(lab->links, i);
    if (link->a == index || link->b == index)
      return link;
  }
  return NULL;
}
