/* The verb registry: see mgmt_verb.h. */
#include "mgmt/mgmt_verb.h"

#include <string.h>

gboolean vgw_mgmt_verb_matches(const VgwMgmtVerb *verb, char **argv) {
  const char *space = strchr(verb->name, ' ');
  if (space == NULL) {
    return strcmp(argv[0], verb->name) == 0;
  }
  gsize first = (gsize)(space - verb->name);
  return strlen(argv[0]) == first &&
         strncmp(argv[0], verb->name, first) == 0 && argv[1] != NULL &&
         strcmp(argv[1], space + 1) == 0;
}

const VgwMgmtVerb *vgw_mgmt_verb_set_find(const VgwMgmtVerbSet *set,
                                          char **argv) {
  for (gsize i = 0; i < set->n_verbs; i++) {
    if (vgw_mgmt_verb_matches(&set->verbs[i], argv)) {
      return &set->verbs[i];
    }
  }
  return NULL;
}

void vgw_mgmt_verb_call(const VgwMgmtVerb *verb, gpointer data, char **argv,
                        gboolean human, VgwMgmtReply *out) {
  VgwMgmtCall call = {
      .verb = verb,
      .argv = argv,
      .argc = g_strv_length(argv) - 1,
      .human = human,
      .data = data,
  };
  memset(out, 0, sizeof(*out));
  verb->handler(&call, out);
  if (verb->flags & VGW_MGMT_VERB_SECRET_ARGS) {
    for (char **a = argv + 1; *a != NULL; a++) {
      explicit_bzero(*a, strlen(*a));
    }
  }
}

gboolean vgw_mgmt_verb_set_call(const VgwMgmtVerbSet *set, gpointer data,
                                char **argv, gboolean human,
                                VgwMgmtReply *out) {
  const VgwMgmtVerb *verb = vgw_mgmt_verb_set_find(set, argv);
  if (verb == NULL) {
    return FALSE;
  }
  vgw_mgmt_verb_call(verb, data, argv, human, out);
  return TRUE;
}
