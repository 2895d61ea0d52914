/*
 * The maintenance port's verb registry (docs/maintenance-protocol.md):
 * every verb is one row of a module's VgwMgmtVerbSet, which the session
 * dispatches from and builds `help` from.
 *
 * How to add a verb: write a VgwMgmtVerbHandler and add one row for it to
 * its module's table (a new module also adds its set to the session with
 * vgw_mgmt_session_add_verbs). Nothing else names the verb.
 */
#ifndef VGW_MGMT_VERB_H
#define VGW_MGMT_VERB_H

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  VGW_MGMT_ACTION_NONE,
  VGW_MGMT_ACTION_RESET,           /* reset the board via the sysctl */
  VGW_MGMT_ACTION_WATCHDOG_STALL,  /* hang the main loop for real */
  VGW_MGMT_ACTION_CRASH,           /* abort() */
} VgwMgmtAction;

/* VgwMgmtReply is what a verb handler answers. */
typedef struct {
  gboolean ok;
  char *body;            /* machine mode: the JSON object (ok) or the one-line
                          * error message; human mode: "\n"-terminated text
                          * (ok) or the error message */
  VgwMgmtAction action;  /* perform after the reply has been sent */
  guint delay_ms;        /* send the reply only after this long (a failed
                          * login), reading no further request meanwhile */
} VgwMgmtReply;

typedef enum {
  /* Answered without a login (login, help). */
  VGW_MGMT_VERB_OPEN = 1 << 0,
  /* The arguments are secret (a password, a private key): the request's
   * copy is wiped once the handler has answered. Handlers never quote
   * them in a reply or a log line. */
  VGW_MGMT_VERB_SECRET_ARGS = 1 << 1,
} VgwMgmtVerbFlags;

typedef struct VgwMgmtVerb VgwMgmtVerb;

/* VgwMgmtCall is one request as a handler sees it. */
typedef struct {
  const VgwMgmtVerb *verb; /* the table row that matched */
  char **argv;             /* NULL-terminated; argv[0] is the verb */
  guint argc;              /* number of words after argv[0] */
  gboolean human;          /* answer text for a person, not JSON */
  gpointer data;           /* what the set was added with */
} VgwMgmtCall;

/* VgwMgmtVerbHandler answers |call| in |out| (zeroed on entry). A refused
 * request changes nothing. */
typedef void (*VgwMgmtVerbHandler)(const VgwMgmtCall *call, VgwMgmtReply *out);

struct VgwMgmtVerb {
  /* The verb, or a verb and its first argument ("debug crash"): a request
   * matches when its first word (and second, if given) are these. */
  const char *name;
  const char *usage;    /* the arguments, e.g. "NAME VALUE"; "" for none */
  const char *summary;  /* what it does, a few words, for help */
  guint flags;          /* VgwMgmtVerbFlags */
  VgwMgmtVerbHandler handler;
};

/* VgwMgmtVerbSet is one module's verbs. */
typedef struct {
  const VgwMgmtVerb *verbs;
  gsize n_verbs;
  /* Called with the set's data when a session ends (logout, a new login,
   * the host side hanging up, idle timeout) so that state kept for the
   * session, such as an unfinished upload, is dropped. May be NULL. */
  void (*end_session)(gpointer data);
} VgwMgmtVerbSet;

/* vgw_mgmt_verb_matches reports whether |argv| (NULL-terminated, argv[0]
 * the verb) is a request for |verb|. */
gboolean vgw_mgmt_verb_matches(const VgwMgmtVerb *verb, char **argv);

/* vgw_mgmt_verb_set_find returns the row of |set| that |argv| requests,
 * or NULL. */
const VgwMgmtVerb *vgw_mgmt_verb_set_find(const VgwMgmtVerbSet *set,
                                          char **argv);

/* vgw_mgmt_verb_call runs |verb|'s handler on |argv| with |data| and
 * fills |out| (zeroed first); a verb with VGW_MGMT_VERB_SECRET_ARGS has
 * the arguments in |argv| wiped afterwards. */
void vgw_mgmt_verb_call(const VgwMgmtVerb *verb, gpointer data, char **argv,
                        gboolean human, VgwMgmtReply *out);

/* vgw_mgmt_verb_set_call answers |argv| from |set| without a session (the
 * host tool's offline keystore), as vgw_mgmt_verb_call. Returns FALSE,
 * leaving |out| alone, when |set| has no such verb. */
gboolean vgw_mgmt_verb_set_call(const VgwMgmtVerbSet *set, gpointer data,
                                char **argv, gboolean human,
                                VgwMgmtReply *out);

G_END_DECLS

#endif /* VGW_MGMT_VERB_H */
