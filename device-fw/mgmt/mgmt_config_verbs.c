/* Configuration verbs: see mgmt_config_verbs.h. This file dispatches and
 * holds the parameter, pending, save and reset verbs; tables and ini
 * files have their own files. */
#include "mgmt/mgmt_config_verbs.h"

#include <string.h>

#include "mgmt/mgmt_config_reply.h"
#include "mgmt/mgmt_proto.h"
#include "param_ini.h"
#include "param_value.h"

/* VGW_GRACEFUL_MAX bounds reset's graceful wait, in seconds. */
#define VGW_GRACEFUL_MAX 3600

struct VgwConfigVerbs {
  VgwConfigState *cs;
  VgwUpload upload;
};

void vgw_reply_fail(VgwMgmtReply *out, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  out->ok = FALSE;
  out->body = g_strdup_vprintf(fmt, ap);
  va_end(ap);
}

void vgw_reply_ok(VgwMgmtReply *out, GString *body) {
  out->ok = TRUE;
  out->body = g_string_free(body, FALSE);
}

void vgw_json_key(GString *j, const char *key) {
  char last = j->len ? j->str[j->len - 1] : '{';
  if (last != '{' && last != '[') {
    g_string_append_c(j, ',');
  }
  vgw_mgmt_json_append_string(j, key);
  g_string_append_c(j, ':');
}

void vgw_json_str(GString *j, const char *key, const char *value) {
  vgw_json_key(j, key);
  vgw_mgmt_json_append_string(j, value);
}

gboolean vgw_reset_changes(const VgwParamConfig *a, const VgwParamConfig *b) {
  for (gsize i = 0; i < vgw_param_global_count(); i++) {
    if (vgw_param_global(i)->reset_needed &&
        !vgw_param_value_equal(vgw_param_config_global(a, i),
                               vgw_param_config_global(b, i))) {
      return TRUE;
    }
  }
  return FALSE;
}

VgwConfigVerbs *vgw_config_verbs_new(VgwConfigState *cs) {
  VgwConfigVerbs *v = g_new0(VgwConfigVerbs, 1);
  v->cs = cs;
  v->upload.data = g_byte_array_new();
  return v;
}

void vgw_config_verbs_free(VgwConfigVerbs *v) {
  if (v == NULL) {
    return;
  }
  g_byte_array_unref(v->upload.data);
  g_free(v);
}

/* find_global looks |name| up, failing |out| with the reason if unknown. */
static gssize find_global(const char *name, VgwMgmtReply *out) {
  gssize i = vgw_param_find_global(name, strlen(name));
  if (i < 0) {
    vgw_reply_fail(out, "%s: unknown parameter", name);
  }
  return i;
}

/* describe_param renders parameter |i| as param-get and param-set reply:
 * the running value, and the staged one when it differs (pending). */
static GString *describe_param(VgwConfigState *cs, gsize i, gboolean human,
                               const char *applied) {
  const VgwParamDesc *desc = vgw_param_global(i);
  char *cur = vgw_param_config_get_text(vgw_config_state_running(cs), i);
  char *stg = vgw_param_config_get_text(vgw_config_state_staged(cs), i);
  const char *pending = strcmp(cur, stg) != 0 ? stg : NULL;
  GString *b = g_string_new(human ? NULL : "{");
  if (human) {
    g_string_append_printf(b, "%s = %s\n", desc->name, cur);
    if (pending != NULL) {
      g_string_append_printf(b, "  pending: %s (after the next reset)\n",
                             pending);
    } else if (desc->reset_needed) {
      g_string_append(b, "  (a change takes effect after a reset)\n");
    }
  } else {
    vgw_json_str(b, "name", desc->name);
    vgw_json_str(b, "value", cur);
    vgw_json_str(b, "pending", pending);
    if (applied != NULL) {
      vgw_json_str(b, "applied", applied);
    } else {
      vgw_json_key(b, "reset_required");
      g_string_append(b, desc->reset_needed ? "true" : "false");
    }
    g_string_append_c(b, '}');
  }
  g_free(cur);
  g_free(stg);
  return b;
}

static void verb_param_get(VgwConfigState *cs, char **argv, gboolean human,
                           VgwMgmtReply *out) {
  if (g_strv_length(argv) != 2) {
    vgw_reply_fail(out, "usage: param-get NAME");
    return;
  }
  gssize i = find_global(argv[1], out);
  if (i >= 0) {
    vgw_reply_ok(out, describe_param(cs, (gsize)i, human, NULL));
  }
}

static void verb_param_set(VgwConfigState *cs, char **argv, gboolean human,
                           VgwMgmtReply *out) {
  if (g_strv_length(argv) != 3) {
    vgw_reply_fail(out, "usage: param-set NAME VALUE");
    return;
  }
  gssize i = find_global(argv[1], out);
  if (i < 0) {
    return;
  }
  const VgwParamDesc *desc = vgw_param_global((gsize)i);
  /* Work on a copy, so a bad value changes nothing. */
  VgwParamConfig *next = vgw_param_config_copy(vgw_config_state_staged(cs));
  char *reason = NULL;
  GError *error = NULL;
  if (!vgw_param_config_set_text(next, (gsize)i, argv[2], strlen(argv[2]),
                                 &reason)) {
    vgw_reply_fail(out, "%s: %s", desc->name, reason);
    g_free(reason);
    vgw_param_config_free(next);
    return;
  }
  if (!vgw_config_state_stage(cs, next, "param-set", &error)) {
    vgw_reply_fail(out, "%s", error->message);
    g_error_free(error);
    return;
  }
  gboolean waits = vgw_reset_changes(vgw_config_state_running(cs),
                                     vgw_config_state_staged(cs)) &&
                   desc->reset_needed;
  const char *applied = waits ? "after-reset" : "live";
  /* The value itself is not logged: it may be the password. */
  g_message("config: %s set (%s)", desc->name, applied);
  GString *b = describe_param(cs, (gsize)i, human, applied);
  if (human) {
    g_string_append(b, waits ? "Staged: takes effect after a reset.\n"
                             : "Applied.\n");
  }
  vgw_reply_ok(out, b);
}

static void verb_pending(VgwConfigState *cs, char **argv, gboolean human,
                         VgwMgmtReply *out) {
  if (g_strv_length(argv) != 1) {
    vgw_reply_fail(out, "usage: pending");
    return;
  }
  GPtrArray *list = vgw_config_state_pending(cs);
  GString *b = g_string_new(human ? NULL : "{\"pending\":[");
  if (human && list->len == 0) {
    g_string_append(b, "Nothing waits for a reset.\n");
  }
  for (guint n = 0; n < list->len; n++) {
    const VgwParamPending *p = list->pdata[n];
    if (human) {
      g_string_append_printf(b, "%s: %s -> %s (after the next reset)\n",
                             p->name, p->running_value, p->pending_value);
      continue;
    }
    g_string_append(b, n ? ",{" : "{");
    vgw_json_str(b, "name", p->name);
    vgw_json_str(b, "current", p->running_value);
    vgw_json_str(b, "pending", p->pending_value);
    g_string_append_c(b, '}');
  }
  if (!human) {
    g_string_append(b, "]}");
  }
  g_ptr_array_unref(list);
  vgw_reply_ok(out, b);
}

/* save_to_flash saves the staged configuration, failing |out| if it
 * cannot. The write is synchronous: a generation of a few KiB plus one
 * header block and two flushes, far below the watchdog's 10 s. */
static gboolean save_to_flash(VgwConfigState *cs, guint64 *gen,
                              VgwMgmtReply *out) {
  GError *error = NULL;
  if (!vgw_config_state_save(cs, gen, &error)) {
    g_warning("config: save failed: %s", error->message);
    vgw_reply_fail(out, "save failed: %s", error->message);
    g_error_free(error);
    return FALSE;
  }
  return TRUE;
}

static void verb_save(VgwConfigState *cs, char **argv, gboolean human,
                      VgwMgmtReply *out) {
  guint64 gen;
  if (g_strv_length(argv) != 1) {
    vgw_reply_fail(out, "usage: save");
    return;
  }
  if (!save_to_flash(cs, &gen, out)) {
    return;
  }
  GString *b = g_string_new(NULL);
  if (human) {
    g_string_printf(b, "Saved as flash generation %" G_GUINT64_FORMAT ".\n",
                    gen);
  } else {
    g_string_printf(b, "{\"generation\":%" G_GUINT64_FORMAT "}", gen);
  }
  vgw_reply_ok(out, b);
}

static void verb_factory_reset(VgwConfigState *cs, char **argv,
                               gboolean human, VgwMgmtReply *out) {
  GError *error = NULL;
  if (g_strv_length(argv) != 1) {
    vgw_reply_fail(out, "usage: factory-reset");
  } else if (!vgw_config_state_factory_reset(cs, &error)) {
    vgw_reply_fail(out, "factory-reset failed: %s", error->message);
    g_error_free(error);
  } else {
    vgw_reply_ok(out, g_string_new(human ? "Saved configuration erased; the "
                                           "next boot runs factory "
                                           "defaults.\n"
                                         : "{}"));
  }
}

/* verb_reset parses [save] [graceful S] in any order, saves if asked
 * (a failed save cancels the reset) and asks for the reset, which the port
 * performs after the reply has left. There are no calls before the SIP
 * stack exists, so a graceful reset has nothing to wait for. */
static void verb_reset(VgwConfigState *cs, char **argv, gboolean human,
                       VgwMgmtReply *out) {
  gboolean save = FALSE;
  guint64 graceful = 0;
  gboolean has_graceful = FALSE;
  for (char **a = argv + 1; *a != NULL; a++) {
    if (strcmp(*a, "save") == 0 && !save) {
      save = TRUE;
    } else if (strcmp(*a, "graceful") == 0 && !has_graceful && a[1] &&
               g_ascii_string_to_unsigned(a[1], 10, 0, VGW_GRACEFUL_MAX,
                                          &graceful, NULL)) {
      has_graceful = TRUE;
      a++;
    } else {
      vgw_reply_fail(out, "usage: reset [save] [graceful SECONDS] (0..%d)",
                     VGW_GRACEFUL_MAX);
      return;
    }
  }
  guint64 gen = 0;
  if (save && !save_to_flash(cs, &gen, out)) {
    return;
  }
  if (has_graceful) {
    g_message("maintenance: graceful reset (up to %" G_GUINT64_FORMAT
              " s): no calls to wait for",
              graceful);
  }
  g_message("maintenance: reset requested%s", save ? " (saved first)" : "");
  GString *b = g_string_new(NULL);
  if (human) {
    if (save) {
      g_string_printf(b, "Saved as flash generation %" G_GUINT64_FORMAT ".\n",
                      gen);
    }
    g_string_append(b, "Resetting.\n");
  } else {
    g_string_append(b, "{}");
  }
  vgw_reply_ok(out, b);
  out->action = VGW_MGMT_ACTION_RESET;
}

gboolean vgw_config_verbs_handle(char **argv, gboolean human,
                                 VgwMgmtReply *out, gpointer user_data) {
  VgwConfigVerbs *v = user_data;
  VgwConfigState *cs = v->cs;
  const char *verb = argv[0];
  memset(out, 0, sizeof(*out));
  if (strcmp(verb, "param-get") == 0) {
    verb_param_get(cs, argv, human, out);
  } else if (strcmp(verb, "param-set") == 0) {
    verb_param_set(cs, argv, human, out);
  } else if (strcmp(verb, "table-show") == 0) {
    vgw_verb_table_show(cs, argv, human, out);
  } else if (strcmp(verb, "table-set") == 0) {
    vgw_verb_table_set(cs, argv, human, out);
  } else if (strcmp(verb, "table-delete") == 0) {
    vgw_verb_table_delete(cs, argv, human, out);
  } else if (strcmp(verb, "upload-begin") == 0) {
    vgw_verb_upload_begin(&v->upload, argv, human, out);
  } else if (strcmp(verb, "upload-chunk") == 0) {
    vgw_verb_upload_chunk(&v->upload, argv, human, out);
  } else if (strcmp(verb, "ini-load") == 0) {
    vgw_verb_ini_load(cs, &v->upload, argv, human, out);
  } else if (strcmp(verb, "ini-check") == 0) {
    vgw_verb_ini_check(cs, &v->upload, argv, human, out);
  } else if (strcmp(verb, "ini-export") == 0) {
    vgw_verb_ini_export(cs, argv, human, out);
  } else if (strcmp(verb, "pending") == 0) {
    verb_pending(cs, argv, human, out);
  } else if (strcmp(verb, "save") == 0) {
    verb_save(cs, argv, human, out);
  } else if (strcmp(verb, "factory-reset") == 0) {
    verb_factory_reset(cs, argv, human, out);
  } else if (strcmp(verb, "reset") == 0) {
    verb_reset(cs, argv, human, out);
  } else {
    return FALSE;
  }
  return TRUE;
}
