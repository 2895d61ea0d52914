/* Upload and ini verbs (upload-begin, upload-chunk, ini-load, ini-check,
 * ini-export): see mgmt_config_verbs.h. The uploaded text is loaded into
 * a copy of the configuration, so a rejected load changes nothing. */
#include <string.h>

#include "mgmt/mgmt_config_reply.h"
#include "mgmt/mgmt_config_verbs.h"
#include "mgmt/mgmt_proto.h"
#include "param_ini.h"

#define DEFAULT_FILE_NAME "upload.ini"

void vgw_verb_upload_begin(VgwUpload *up, char **argv, gboolean human,
                           VgwMgmtReply *out) {
  if (g_strv_length(argv) != 1) {
    vgw_reply_fail(out, "usage: upload-begin");
    return;
  }
  up->active = TRUE;
  g_byte_array_set_size(up->data, 0);
  vgw_reply_ok(out, g_string_new(human ? "Upload started.\n" : "{}"));
}

/* is_base64 checks |s| is whole base64 quads ('=' only as padding at the
 * end): g_base64_decode would silently skip anything else. */
static gboolean is_base64(const char *s, gsize len) {
  if (len == 0 || len % 4 != 0) {
    return FALSE;
  }
  for (gsize i = 0; i < len; i++) {
    char c = s[i];
    gboolean pad_ok = c == '=' && i >= len - 2 &&
                      (i == len - 1 || s[len - 1] == '=');
    if (!g_ascii_isalnum(c) && c != '+' && c != '/' && !pad_ok) {
      return FALSE;
    }
  }
  return TRUE;
}

void vgw_verb_upload_chunk(VgwUpload *up, char **argv, gboolean human,
                           VgwMgmtReply *out) {
  if (g_strv_length(argv) != 2) {
    vgw_reply_fail(out, "usage: upload-chunk BASE64");
    return;
  }
  gsize len = strlen(argv[1]);
  if (!up->active) {
    vgw_reply_fail(out, "no upload in progress (upload-begin first)");
    return;
  }
  if (len > VGW_UPLOAD_CHUNK_MAX) {
    vgw_reply_fail(out, "chunk of %" G_GSIZE_FORMAT " characters: at most %d "
                   "characters of base64 per chunk",
                   len, VGW_UPLOAD_CHUNK_MAX);
    return;
  }
  if (!is_base64(argv[1], len)) {
    vgw_reply_fail(out, "chunk is not valid base64");
    return;
  }
  gsize n;
  guchar *bytes = g_base64_decode(argv[1], &n);
  if (up->data->len + n > VGW_UPLOAD_MAX) {
    /* Drop the whole upload: a truncated file must not be loaded. */
    up->active = FALSE;
    g_byte_array_set_size(up->data, 0);
    g_free(bytes);
    vgw_reply_fail(out, "upload larger than %d bytes; discarded",
                   VGW_UPLOAD_MAX);
    return;
  }
  g_byte_array_append(up->data, bytes, (guint)n);
  g_free(bytes);
  GString *b = g_string_new(NULL);
  g_string_printf(b, human ? "%u bytes uploaded.\n" : "{\"bytes\":%u}",
                  up->data->len);
  vgw_reply_ok(out, b);
}

/* append_warnings adds "warnings":[...] (machine) or one line each. */
static void append_warnings(GString *b, GPtrArray *warnings, gboolean human) {
  if (!human) {
    vgw_json_key(b, "warnings");
    g_string_append_c(b, '[');
  }
  for (guint i = 0; i < warnings->len; i++) {
    const char *w = warnings->pdata[i];
    if (human) {
      g_string_append_printf(b, "Warning: %s\n", w);
    } else {
      if (i) {
        g_string_append_c(b, ',');
      }
      vgw_mgmt_json_append_string(b, w);
    }
  }
  if (!human) {
    g_string_append_c(b, ']');
  }
}

/* load_upload loads the upload into a copy of the staged configuration,
 * returning it, or NULL with |out| failed. Warnings go to |warnings|. */
static VgwParamConfig *load_upload(VgwConfigState *cs, VgwUpload *up,
                                   const char *file_name, VgwIniLoadMode mode,
                                   GPtrArray *warnings, VgwMgmtReply *out) {
  if (!up->active) {
    vgw_reply_fail(out, "nothing uploaded (upload-begin, upload-chunk first)");
    return NULL;
  }
  VgwParamConfig *next = vgw_param_config_copy(vgw_config_state_staged(cs));
  GError *error = NULL;
  if (!vgw_ini_load(next, (const char *)up->data->data, up->data->len,
                    file_name, mode, warnings, &error)) {
    vgw_reply_fail(out, "%s", error->message);
    g_error_free(error);
    vgw_param_config_free(next);
    return NULL;
  }
  return next;
}

void vgw_verb_ini_load(VgwConfigState *cs, VgwUpload *up, char **argv,
                       gboolean human, VgwMgmtReply *out) {
  guint argc = g_strv_length(argv);
  VgwIniLoadMode mode;
  if (argc >= 2 && strcmp(argv[1], "full") == 0) {
    mode = VGW_INI_FULL;
  } else if (argc >= 2 && strcmp(argv[1], "incremental") == 0) {
    mode = VGW_INI_INCREMENTAL;
  } else {
    argc = 0;
  }
  if (argc < 2 || argc > 3) {
    vgw_reply_fail(out, "usage: ini-load full|incremental [FILENAME]");
    return;
  }
  const char *file_name = argc == 3 ? argv[2] : DEFAULT_FILE_NAME;
  GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
  VgwParamConfig *next = load_upload(cs, up, file_name, mode, warnings, out);
  GError *error = NULL;
  gboolean waits = next != NULL &&
                   vgw_reset_changes(vgw_config_state_staged(cs), next);
  if (next != NULL &&
      !vgw_config_state_stage(cs, next, file_name, &error)) {
    vgw_reply_fail(out, "%s", error->message);
    g_error_free(error);
    next = NULL;
  }
  if (next == NULL) {
    g_message("config: ini load rejected: %s", out->body);
    g_ptr_array_unref(warnings);
    return;
  }
  for (guint i = 0; i < warnings->len; i++) {
    g_message("config: %s", (const char *)warnings->pdata[i]);
  }
  GPtrArray *pending = vgw_config_state_pending(cs);
  const char *applied = waits ? "after-reset" : "live";
  g_message("config: %s loaded (%s, %s)", file_name,
            mode == VGW_INI_FULL ? "full" : "incremental", applied);
  GString *b = g_string_new(NULL);
  if (human) {
    g_string_printf(b, "Loaded %s (%s): %s; %u value(s) wait for a reset.\n",
                    file_name, mode == VGW_INI_FULL ? "full" : "incremental",
                    waits ? "some values take effect after a reset"
                          : "applied",
                    pending->len);
    append_warnings(b, warnings, TRUE);
  } else {
    g_string_append(b, "{");
    vgw_json_str(b, "applied", applied);
    append_warnings(b, warnings, FALSE);
    g_string_append_printf(b, ",\"pending\":%u}", pending->len);
  }
  g_ptr_array_unref(pending);
  g_ptr_array_unref(warnings);
  vgw_reply_ok(out, b);
}

void vgw_verb_ini_check(VgwConfigState *cs, VgwUpload *up, char **argv,
                        gboolean human, VgwMgmtReply *out) {
  guint argc = g_strv_length(argv);
  if (argc > 2) {
    vgw_reply_fail(out, "usage: ini-check [FILENAME]");
    return;
  }
  const char *file_name = argc == 2 ? argv[1] : DEFAULT_FILE_NAME;
  GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
  /* A full load, as `vgw ini check` does on the host: the file is judged
   * on its own, not against what happens to be staged. */
  VgwParamConfig *next =
      load_upload(cs, up, file_name, VGW_INI_FULL, warnings, out);
  if (next != NULL) {
    GString *b = g_string_new(human ? NULL : "{");
    if (human) {
      g_string_printf(b, "%s is valid.\n", file_name);
    }
    append_warnings(b, warnings, human);
    if (!human) {
      g_string_append_c(b, '}');
    }
    vgw_reply_ok(out, b);
    vgw_param_config_free(next);
  }
  g_ptr_array_unref(warnings);
}

void vgw_verb_ini_export(VgwConfigState *cs, char **argv, gboolean human,
                         VgwMgmtReply *out) {
  if (g_strv_length(argv) != 1) {
    vgw_reply_fail(out, "usage: ini-export");
    return;
  }
  char *ini = vgw_ini_export(vgw_config_state_staged(cs));
  GString *b = g_string_new(NULL);
  if (human) {
    g_string_append(b, ini);
  } else {
    g_string_append(b, "{");
    vgw_json_str(b, "ini", ini);
    g_string_append_c(b, '}');
  }
  g_free(ini);
  vgw_reply_ok(out, b);
}
