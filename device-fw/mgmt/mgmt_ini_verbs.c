/* Upload and ini verbs: see mgmt_ini_verbs.h. */
#include "mgmt/mgmt_ini_verbs.h"

#include <string.h>

#include "mgmt/mgmt_proto.h"
#include "mgmt/mgmt_reply.h"
#include "param_ini.h"
#include "vgw_base64.h"

#define DEFAULT_FILE_NAME "upload.ini"

struct VgwIniVerbs {
  VgwConfigState *cs;
  gboolean uploading; /* upload-begin seen in this session */
  GByteArray *data;   /* decoded bytes so far */
};

VgwIniVerbs *vgw_ini_verbs_new(VgwConfigState *cs) {
  VgwIniVerbs *v = g_new0(VgwIniVerbs, 1);
  v->cs = cs;
  v->data = g_byte_array_new();
  return v;
}

void vgw_ini_verbs_free(VgwIniVerbs *v) {
  if (v == NULL) {
    return;
  }
  g_byte_array_unref(v->data);
  g_free(v);
}

/* drop_upload forgets the upload: at a session's end, on a new
 * upload-begin, and when it grows too large. */
static void drop_upload(gpointer data) {
  VgwIniVerbs *v = data;
  v->uploading = FALSE;
  g_byte_array_set_size(v->data, 0);
}

static void verb_upload_begin(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwIniVerbs *v = c->data;
  if (c->argc != 0) {
    vgw_reply_usage(c, out);
    return;
  }
  drop_upload(v);
  v->uploading = TRUE;
  vgw_reply_done(c, out, "Upload started.\n");
}

static void verb_upload_chunk(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwIniVerbs *v = c->data;
  if (c->argc != 1) {
    vgw_reply_usage(c, out);
    return;
  }
  const char *chunk = c->argv[1];
  gsize len = strlen(chunk);
  if (!v->uploading) {
    vgw_reply_fail(out, "no upload in progress (upload-begin first)");
    return;
  }
  if (len > VGW_UPLOAD_CHUNK_MAX) {
    vgw_reply_fail(out, "chunk of %" G_GSIZE_FORMAT " characters: at most %d "
                   "characters of base64 per chunk",
                   len, VGW_UPLOAD_CHUNK_MAX);
    return;
  }
  gsize n;
  guchar *bytes = vgw_base64_decode(chunk, len, &n);
  if (bytes == NULL) {
    vgw_reply_fail(out, "chunk is not valid base64");
    return;
  }
  if (v->data->len + n > VGW_UPLOAD_MAX) {
    /* Drop the whole upload: a truncated file must not be loaded. */
    drop_upload(v);
    g_free(bytes);
    vgw_reply_fail(out, "upload larger than %d bytes; discarded",
                   VGW_UPLOAD_MAX);
    return;
  }
  g_byte_array_append(v->data, bytes, (guint)n);
  g_free(bytes);
  GString *b = g_string_new(NULL);
  g_string_printf(b, c->human ? "%u bytes uploaded.\n" : "{\"bytes\":%u}",
                  v->data->len);
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
static VgwParamConfig *load_upload(VgwIniVerbs *v, const char *file_name,
                                   VgwIniLoadMode mode, GPtrArray *warnings,
                                   VgwMgmtReply *out) {
  if (!v->uploading) {
    vgw_reply_fail(out, "nothing uploaded (upload-begin, upload-chunk first)");
    return NULL;
  }
  VgwParamConfig *next = vgw_param_config_copy(vgw_config_state_staged(v->cs));
  GError *error = NULL;
  if (!vgw_ini_load(next, (const char *)v->data->data, v->data->len,
                    file_name, mode, warnings, &error)) {
    gboolean empty =
        g_error_matches(error, VGW_PARAM_ERROR, VGW_PARAM_ERROR_EMPTY);
    vgw_reply_fail(out, "%s%s", error->message,
                   empty ? " (ini-load full " VGW_INI_ALLOW_EMPTY
                           " does that)"
                         : "");
    g_error_free(error);
    vgw_param_config_free(next);
    return NULL;
  }
  return next;
}

/* parse_load_args reads ini-load's arguments:
 *   full [allow-empty] [FILENAME] | incremental [FILENAME] */
static gboolean parse_load_args(const VgwMgmtCall *c, VgwIniLoadMode *mode,
                                const char **file_name) {
  char **a = c->argv + 1;
  if (*a != NULL && strcmp(*a, "full") == 0) {
    *mode = VGW_INI_FULL;
    a++;
    if (*a != NULL && strcmp(*a, VGW_INI_ALLOW_EMPTY) == 0) {
      *mode = VGW_INI_FULL_ALLOW_EMPTY;
      a++;
    }
  } else if (*a != NULL && strcmp(*a, "incremental") == 0) {
    *mode = VGW_INI_INCREMENTAL;
    a++;
  } else {
    return FALSE;
  }
  *file_name = *a != NULL ? *a++ : DEFAULT_FILE_NAME;
  return *a == NULL;
}

static void verb_ini_load(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwIniVerbs *v = c->data;
  VgwIniLoadMode mode;
  const char *file_name;
  if (!parse_load_args(c, &mode, &file_name)) {
    vgw_reply_usage(c, out);
    return;
  }
  const char *how = mode == VGW_INI_INCREMENTAL ? "incremental" : "full";
  GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
  VgwParamConfig *next = load_upload(v, file_name, mode, warnings, out);
  GError *error = NULL;
  gboolean waits =
      next != NULL &&
      vgw_param_config_waits_for_reset(vgw_config_state_staged(v->cs), next);
  if (next != NULL &&
      !vgw_config_state_stage(v->cs, next, file_name, &error)) {
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
  GPtrArray *pending = vgw_config_state_pending(v->cs);
  const char *applied = waits ? "after-reset" : "live";
  g_message("config: %s loaded (%s, %s)", file_name, how, applied);
  GString *b = g_string_new(NULL);
  if (c->human) {
    g_string_printf(b, "Loaded %s (%s): %s; %u value(s) wait for a reset.\n",
                    file_name, how,
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

static void verb_ini_check(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwIniVerbs *v = c->data;
  if (c->argc > 1) {
    vgw_reply_usage(c, out);
    return;
  }
  const char *file_name = c->argc == 1 ? c->argv[1] : DEFAULT_FILE_NAME;
  GPtrArray *warnings = g_ptr_array_new_with_free_func(g_free);
  /* A full load, as `vgw ini check` does on the host: the file is judged
   * on its own, not against what happens to be staged. */
  VgwParamConfig *next =
      load_upload(v, file_name, VGW_INI_FULL, warnings, out);
  if (next != NULL) {
    GString *b = g_string_new(c->human ? NULL : "{");
    if (c->human) {
      g_string_printf(b, "%s is valid.\n", file_name);
    }
    append_warnings(b, warnings, c->human);
    if (!c->human) {
      g_string_append_c(b, '}');
    }
    vgw_reply_ok(out, b);
    vgw_param_config_free(next);
  }
  g_ptr_array_unref(warnings);
}

static void verb_ini_export(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwIniVerbs *v = c->data;
  if (c->argc != 0) {
    vgw_reply_usage(c, out);
    return;
  }
  char *ini = vgw_ini_export(vgw_config_state_staged(v->cs));
  GString *b = g_string_new(NULL);
  if (c->human) {
    g_string_append(b, ini);
  } else {
    g_string_append(b, "{");
    vgw_json_str(b, "ini", ini);
    g_string_append_c(b, '}');
  }
  g_free(ini);
  vgw_reply_ok(out, b);
}

static const VgwMgmtVerb ini_verbs[] = {
    {"upload-begin", "", "start uploading a file", 0, verb_upload_begin},
    {"upload-chunk", "BASE64", "add to the upload", 0, verb_upload_chunk},
    {"ini-load", "full [" VGW_INI_ALLOW_EMPTY "]|incremental [FILENAME]",
     "load the uploaded ini file", 0, verb_ini_load},
    {"ini-check", "[FILENAME]", "check the uploaded ini file", 0,
     verb_ini_check},
    {"ini-export", "", "the configuration as an ini file", 0,
     verb_ini_export},
};

const VgwMgmtVerbSet vgw_ini_verb_set = {ini_verbs, G_N_ELEMENTS(ini_verbs),
                                         drop_upload};
