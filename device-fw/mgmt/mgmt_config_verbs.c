/* Parameter and configuration-state verbs: see mgmt_config_verbs.h. */
#include "mgmt/mgmt_config_verbs.h"

#include <string.h>

#include "mgmt/mgmt_reply.h"
#include "param_value.h"
#include "config/config_state.h"

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
  const VgwParamValue *running =
      vgw_param_config_global(vgw_config_state_running(cs), i);
  const VgwParamValue *staged =
      vgw_param_config_global(vgw_config_state_staged(cs), i);
  char *cur = vgw_param_value_display(desc, running);
  char *stg = vgw_param_value_display(desc, staged);
  const char *pending = !vgw_param_value_equal(running, staged) ? stg : NULL;
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
      vgw_json_bool(b, "reset_required", desc->reset_needed);
    }
    g_string_append_c(b, '}');
  }
  g_free(cur);
  g_free(stg);
  return b;
}

static void verb_param_get(const VgwMgmtCall *c, VgwMgmtReply *out) {
  if (c->argc != 1) {
    vgw_reply_usage(c, out);
    return;
  }
  gssize i = find_global(c->argv[1], out);
  if (i >= 0) {
    vgw_reply_ok(out, describe_param(c->data, (gsize)i, c->human, NULL));
  }
}

static void verb_param_set(const VgwMgmtCall *c, VgwMgmtReply *out) {
  VgwConfigState *cs = c->data;
  char **argv = c->argv;
  gboolean human = c->human;
  if (c->argc != 2) {
    vgw_reply_usage(c, out);
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
  gboolean waits =
      vgw_param_config_waits_for_reset(vgw_config_state_running(cs),
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

static void verb_pending(const VgwMgmtCall *c, VgwMgmtReply *out) {
  gboolean human = c->human;
  if (c->argc != 0) {
    vgw_reply_usage(c, out);
    return;
  }
  GPtrArray *list = vgw_config_state_pending(c->data);
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

static void verb_save(const VgwMgmtCall *c, VgwMgmtReply *out) {
  guint64 gen;
  if (c->argc != 0) {
    vgw_reply_usage(c, out);
    return;
  }
  if (!save_to_flash(c->data, &gen, out)) {
    return;
  }
  GString *b = g_string_new(NULL);
  if (c->human) {
    g_string_printf(b, "Saved as flash generation %" G_GUINT64_FORMAT ".\n",
                    gen);
  } else {
    g_string_printf(b, "{\"generation\":%" G_GUINT64_FORMAT "}", gen);
  }
  vgw_reply_ok(out, b);
}

static void verb_factory_reset(const VgwMgmtCall *c, VgwMgmtReply *out) {
  GError *error = NULL;
  if (c->argc != 0) {
    vgw_reply_usage(c, out);
  } else if (!vgw_config_state_factory_reset(c->data, &error)) {
    vgw_reply_fail(out, "factory-reset failed: %s", error->message);
    g_error_free(error);
  } else {
    vgw_reply_done(c, out,
                   "Saved configuration erased; the next boot runs factory "
                   "defaults.\n");
  }
}

/* verb_reset parses [save], saves if asked (a failed save cancels the
 * reset) and asks for the reset, which the port performs after the reply
 * has left.  A graceful reset (wait for calls to end) comes with the SIP
 * stack, when there are calls to wait for: until then it is not offered
 * rather than accepted and ignored. */
static void verb_reset(const VgwMgmtCall *c, VgwMgmtReply *out) {
  char **argv = c->argv;
  gboolean save = FALSE;
  for (char **a = argv + 1; *a != NULL; a++) {
    if (strcmp(*a, "save") == 0 && !save) {
      save = TRUE;
    } else {
      vgw_reply_usage(c, out);
      return;
    }
  }
  guint64 gen = 0;
  if (save && !save_to_flash(c->data, &gen, out)) {
    return;
  }
  g_message("maintenance: reset requested%s", save ? " (saved first)" : "");
  GString *b = g_string_new(NULL);
  if (c->human) {
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

static const VgwMgmtVerb config_verbs[] = {
    {"param-get", "NAME", "show a parameter", 0, verb_param_get},
    {"param-set", "NAME VALUE", "set a parameter", 0, verb_param_set},
    {"pending", "", "values waiting for a reset", 0, verb_pending},
    {"save", "", "write the configuration to flash", 0, verb_save},
    {"factory-reset", "", "erase the saved configuration", 0,
     verb_factory_reset},
    {"reset", "[save]", "reset the gateway", 0,
     verb_reset},
};

const VgwMgmtVerbSet vgw_config_verb_set = {
    config_verbs, G_N_ELEMENTS(config_verbs), NULL};
