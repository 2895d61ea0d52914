/* Markdown rendering of the registry (docs/parameters.md). */
#include "param_doc.h"

#include "param_registry.h"
#include "param_secret.h"

/* Table cells must not break the Markdown table. */
static void append_cell(GString *out, const char *text) {
  for (const char *p = text; *p; p++) {
    if (*p == '|')
      g_string_append(out, "\\|");
    else
      g_string_append_c(out, *p);
  }
}

static char *range_text(const VgwParamDesc *d) {
  switch (d->type) {
    case VGW_PARAM_INTEGER:
      return g_strdup_printf("%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT,
                             d->min, d->max);
    case VGW_PARAM_ENUM: {
      GString *s = g_string_new(NULL);
      for (gsize i = 0; i < d->n_enum_values; i++)
        g_string_append_printf(s, "%s%" G_GINT64_FORMAT " = %s",
                               i ? "; " : "", d->enum_values[i].value,
                               d->enum_values[i].label);
      return g_string_free(s, FALSE);
    }
    case VGW_PARAM_STRING:
    case VGW_PARAM_FILE_NAME:
      return g_strdup_printf("up to %" G_GINT64_FORMAT " characters", d->max);
    case VGW_PARAM_IPV4:
      return g_strdup("a.b.c.d");
  }
  return g_strdup("");
}

static void append_row(GString *out, const VgwParamDesc *d) {
  char *range = range_text(d);
  GString *desc = g_string_new(d->description);
  if (d->ref_table)
    g_string_append_printf(desc, ". References %s%s", d->ref_table,
                           d->ref_required ? " (required)" : "");
  if (d->note) g_string_append_printf(desc, ". *Note:* %s", d->note);
  g_string_append_printf(out, "| `%s` | %s%s%s | ", d->name,
                         vgw_param_type_name(d->type),
                         d->ref_table ? " (reference)" : "",
                         d->secret != VGW_SECRET_NONE ? " (secret)" : "");
  append_cell(out, range);
  if (d->secret == VGW_SECRET_LOGIN) {
    /* The default is a hash; the description names the clear value. */
    g_string_append(out, " | *(hashed)*");
  } else if (d->default_text[0]) {
    g_string_append(out, " | `");
    append_cell(out, d->default_text);
    g_string_append(out, "`");
  } else {
    g_string_append(out, " | *(empty)*");
  }
  g_string_append_printf(out, " | %s | ", d->reset_needed ? "yes" : "no");
  append_cell(out, desc->str);
  g_string_append(out, " |\n");
  g_string_free(desc, TRUE);
  g_free(range);
}

static const char HEAD[] =
    "| Name | Type | Range | Default | Reset | Description |\n"
    "|---|---|---|---|---|---|\n";

char *vgw_param_doc_markdown(void) {
  GString *out = g_string_new(
      "# vgw parameter reference\n\n"
      "Generated from the registry in `device-fw/param/registry.c` by "
      "`gen-parameters-md`; do not edit.\n"
      "Regenerate with `build/host/device-fw/param/gen-parameters-md > "
      "docs/parameters.md`.\n\n"
      "Names are case-insensitive in ini files. *Reset* = the value takes "
      "effect only after a device reset and is reported as pending until "
      "then. Values and defaults are the 6.4 ones where the manuals give "
      "them; notes say where later firmware differs and which meaning vgw "
      "applies.\n\n"
      "## Secret parameters\n\n"
      "A parameter or column marked *(secret)* is write-only. The gateway "
      "never holds it in clear: a value given in clear (`param-set`, "
      "`table-set`, an ini file) is replaced by its stored form, which is "
      "what `ini-export` writes and what the flash stores; a load takes a "
      "value in that form as it is, so an exported file loads back with the "
      "same password. `param-get`, `pending` and `table-show` show `"
      VGW_SECRET_MASK "` instead of the value, and no message quotes it. "
      "There are two stored forms.\n\n"
      "**Login passwords** (`MaintenancePassword`): a salted "
      "PBKDF2-HMAC-SHA256 hash, written `"
      VGW_SECRET_PREFIX "<iterations>$<salt>$<hash>` (salt and hash in "
      "standard base64; new hashes use a 16-byte random salt and "
      G_STRINGIFY(VGW_SECRET_ITERATIONS) " iterations). A value starting "
      "with `" VGW_SECRET_PREFIX "` must be such a hash (iterations "
      G_STRINGIFY(VGW_SECRET_ITERATIONS_MIN) ".."
      G_STRINGIFY(VGW_SECRET_ITERATIONS_MAX) ", salt 8 to 64 bytes, "
      "hash 32 bytes); anything else is a password in clear, whose length "
      "the Range column bounds. The login compares a password by hashing "
      "it with the stored salt and comparing the hashes in constant "
      "time.\n\n"
      "**Digest passwords** (`SBCUserInfoTable` `Password`): a salted hash "
      "cannot serve HTTP Digest, whose answer is computed from "
      "HA1 = H(user:realm:password) (RFC 7616, RFC 8760). So the gateway "
      "keeps the HA1 under MD5 and SHA-256, as Kamailio's subscriber table "
      "(`ha1`) and Asterisk (`md5secret`) do, written `"
      VGW_SECRET_DIGEST_PREFIX "<realm>$<user>$<MD5 HA1>$<SHA-256 HA1>` "
      "(realm and user name with every character other than letters, "
      "digits and `-._~+@:` escaped as `%XX`; the HA1s in hex). An HA1 is "
      "equivalent to the password, but for that realm and user name only: "
      "it does not reveal the password, nor let anyone authenticate "
      "elsewhere. It is made for `RegistrarAuthRealm` and the row's Digest "
      "user name (`Username`, or `LocalUser` when empty) as they are once "
      "the whole change (a `table-set`, an ini file) is applied, so it is "
      "bound to them: after a change of the realm or of the user name that "
      "user cannot authenticate until the password is set again. The "
      "registrar then logs `password stored for realm R, realm is now S: "
      "set it again` (or user name), and `ini load`, `ini check` and the "
      "boot warn the same way. A value starting with `"
      VGW_SECRET_DIGEST_PREFIX "` must be such a form (a 32- and a "
      "64-hex-digit HA1, no control characters); anything else is a "
      "password in clear. An empty `Password` is no password: that user "
      "cannot authenticate.\n\n"
      "## Global parameters\n");
  const char *group = NULL;
  for (gsize i = 0; i < vgw_param_global_count(); i++) {
    const VgwParamDesc *d = vgw_param_global(i);
    if (g_strcmp0(group, d->group) != 0) {
      group = d->group;
      g_string_append_printf(out, "\n### %s\n\n%s", group, HEAD);
    }
    append_row(out, d);
  }
  g_string_append(out,
      "\n## Tables\n\n"
      "Rows are keyed by `Index` (0 .. max rows - 1). A reference column "
      "names a row of another table by its name column (empty = none) or "
      "gives its index; a reference to a missing row rejects the load.\n");
  for (gsize t = 0; t < VGW_TABLE_COUNT; t++) {
    const VgwTableDesc *table = vgw_param_table(t);
    g_string_append_printf(out, "\n### %s\n\n%s. Up to %u rows",
                           table->name, table->description, table->max_rows);
    if (table->name_column >= 0)
      g_string_append_printf(out, "; other tables refer to a row by `%s`",
                             table->columns[table->name_column].name);
    g_string_append_printf(out, ".\n\n%s", HEAD);
    for (gsize c = 0; c < table->n_columns; c++)
      append_row(out, &table->columns[c]);
  }
  return g_string_free(out, FALSE);
}
