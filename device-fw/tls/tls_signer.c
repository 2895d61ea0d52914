/* Engine-backed TLS private key: see tls_signer.h. */
#include "tls/tls_signer.h"

#include <openssl/digest.h>
#include <string.h>

#include "tls/tls_error.h"
#include "vgw_crypto.h"

typedef enum {
  JOB_QUEUED,
  JOB_RUNNING,
  JOB_DONE,
} JobState;

/* A signature one connection waits for. */
typedef struct Job {
  struct ConnKey *ck; /* NULL once the connection went away */
  JobState state;
  guint slot;
  guint epoch; /* of the slot's key when the connection was attached */
  uint32_t scheme;
  uint8_t digest[EVP_MAX_MD_SIZE];
  size_t digest_len;
  GBytes *sig;   /* JOB_DONE and it worked */
  GError *error; /* JOB_DONE and it failed */
} Job;

/* What a connection's SSL carries (SSL ex_data). */
typedef struct ConnKey {
  VgwTlsSigner *signer;
  guint slot;
  uint32_t key_type;
  VgwTlsSignDone done;
  gpointer data;
  Job *job; /* the request in progress, NULL between requests */
  uint16_t last_sigalg;
  guint epoch; /* of the slot's key at attach */
} ConnKey;

/* Slots whose key changes are tracked (the driver allows up to 256). */
#define MAX_SLOTS 256

struct VgwTlsSigner {
  VgwCryptoEngine *engine;
  GQueue queue; /* Job*, JOB_QUEUED */
  Job *running; /* in the engine */
  guint poll_source;
  guint64 signatures;
  guint epochs[MAX_SLOTS]; /* bumped when a slot's key is replaced */
};

static int conn_key_index(void) {
  static int index = -1;
  if (index < 0) {
    index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    g_assert(index >= 0);
  }
  return index;
}

static ConnKey *conn_key(const SSL *ssl) {
  return SSL_get_ex_data(ssl, conn_key_index());
}

static const uint16_t ec_sigalgs[] = {SSL_SIGN_ECDSA_SECP256R1_SHA256};
static const uint16_t rsa_sigalgs[] = {
    SSL_SIGN_RSA_PSS_RSAE_SHA256, SSL_SIGN_RSA_PSS_RSAE_SHA384,
    SSL_SIGN_RSA_PSS_RSAE_SHA512, SSL_SIGN_RSA_PKCS1_SHA256,
    SSL_SIGN_RSA_PKCS1_SHA384,    SSL_SIGN_RSA_PKCS1_SHA512,
};

const uint16_t *vgw_tls_sigalgs(uint32_t key_type, size_t *n) {
  if (key_type == VGW_KEY_TYPE_EC_P256) {
    *n = G_N_ELEMENTS(ec_sigalgs);
    return ec_sigalgs;
  }
  *n = G_N_ELEMENTS(rsa_sigalgs);
  return rsa_sigalgs;
}

uint32_t vgw_tls_scheme_for_sigalg(uint16_t sigalg, uint32_t key_type) {
  if (key_type == VGW_KEY_TYPE_EC_P256) {
    /* TLS 1.3 binds the curve to the hash; BoringSSL only offers what
     * vgw_tls_sigalgs lists, so P-256 with SHA-256. TLS 1.0 and 1.1 sign
     * SHA-1 digests, whatever the list says. */
    return sigalg == SSL_SIGN_ECDSA_SECP256R1_SHA256 ||
                   sigalg == SSL_SIGN_ECDSA_SHA1
               ? VGW_SIG_ECDSA
               : 0;
  }
  if (key_type != VGW_KEY_TYPE_RSA_2048 && key_type != VGW_KEY_TYPE_RSA_3072) {
    return 0;
  }
  switch (sigalg) {
    case SSL_SIGN_RSA_PKCS1_SHA256:
      return VGW_SIG_RSA_PKCS1_SHA256;
    case SSL_SIGN_RSA_PKCS1_SHA384:
      return VGW_SIG_RSA_PKCS1_SHA384;
    case SSL_SIGN_RSA_PKCS1_SHA512:
      return VGW_SIG_RSA_PKCS1_SHA512;
    case SSL_SIGN_RSA_PSS_RSAE_SHA256:
      return VGW_SIG_RSA_PSS_SHA256;
    case SSL_SIGN_RSA_PSS_RSAE_SHA384:
      return VGW_SIG_RSA_PSS_SHA384;
    case SSL_SIGN_RSA_PSS_RSAE_SHA512:
      return VGW_SIG_RSA_PSS_SHA512;
    default:
      return 0;
  }
}

VgwTlsSigner *vgw_tls_signer_new(VgwCryptoEngine *engine) {
  VgwTlsSigner *s = g_new0(VgwTlsSigner, 1);
  s->engine = engine;
  g_queue_init(&s->queue);
  return s;
}

static void job_free(Job *job) {
  if (job->sig != NULL) {
    g_bytes_unref(job->sig);
  }
  g_clear_error(&job->error);
  g_free(job);
}

void vgw_tls_signer_free(VgwTlsSigner *s) {
  if (s == NULL) {
    return;
  }
  g_assert(g_queue_is_empty(&s->queue));
  if (s->poll_source != 0) {
    g_source_remove(s->poll_source);
  }
  if (s->running != NULL) {
    GBytes *sig = vgw_crypto_sign_finish(s->engine, NULL);
    if (sig != NULL) {
      g_bytes_unref(sig);
    }
    job_free(s->running);
  }
  g_free(s);
}

VgwCryptoEngine *vgw_tls_signer_engine(const VgwTlsSigner *s) {
  return s->engine;
}

guint vgw_tls_signer_pending(const VgwTlsSigner *s) {
  return g_queue_get_length((GQueue *)&s->queue) + (s->running != NULL);
}

guint64 vgw_tls_signer_signatures(const VgwTlsSigner *s) {
  return s->signatures;
}

/* finish_job marks |job| done and tells its connection, if it still has
 * one. Runs from the loop, never inside a BoringSSL call. */
static void finish_job(VgwTlsSigner *s, Job *job) {
  job->state = JOB_DONE;
  if (job->error != NULL) {
    g_warning("tls: engine signature (slot %u) failed: %s", job->slot,
              job->error->message);
  }
  if (job->ck == NULL) {
    job_free(job); /* the connection closed meanwhile */
    return;
  }
  job->ck->done(job->ck->data);
}

/* start_next gives the engine the next queued request when it is free. A
 * request the engine refuses at once is finished with its error. */
static void start_next(VgwTlsSigner *s) {
  while (s->running == NULL && !g_queue_is_empty(&s->queue)) {
    Job *job = g_queue_pop_head(&s->queue);
    if (job->slot < MAX_SLOTS && job->epoch != s->epochs[job->slot]) {
      g_set_error(&job->error, VGW_TLS_ERROR, VGW_TLS_ERROR_KEY,
                  "the key in slot %u was replaced during the handshake",
                  job->slot);
      finish_job(s, job);
    } else if (vgw_crypto_sign_start(s->engine, job->slot, job->scheme,
                                     job->digest, job->digest_len,
                                     &job->error)) {
      job->state = JOB_RUNNING;
      s->running = job;
    } else {
      finish_job(s, job);
    }
  }
}

/* on_poll checks the engine while a signature is in flight, hands the
 * result to its connection and starts the next request. */
static gboolean on_poll(gpointer data) {
  VgwTlsSigner *s = data;
  if (s->running != NULL && vgw_crypto_sign_done(s->engine)) {
    Job *job = s->running;
    s->running = NULL;
    job->sig = vgw_crypto_sign_finish(s->engine, &job->error);
    if (job->sig != NULL) {
      s->signatures++;
    }
    finish_job(s, job);
  }
  start_next(s);
  if (s->running == NULL && g_queue_is_empty(&s->queue)) {
    s->poll_source = 0;
    return G_SOURCE_REMOVE;
  }
  return G_SOURCE_CONTINUE;
}

/* schedule makes sure the poll runs: it starts queued requests and reports
 * every outcome from the loop. */
static void schedule(VgwTlsSigner *s) {
  if (s->poll_source == 0) {
    s->poll_source = g_timeout_add(VGW_TLS_SIGN_POLL_MS, on_poll, s);
  }
}

void vgw_tls_signer_key_changed(VgwTlsSigner *s, guint slot) {
  if (slot < MAX_SLOTS) {
    s->epochs[slot]++;
  }
}

void vgw_tls_signer_attach(VgwTlsSigner *s, SSL *ssl, guint slot,
                           uint32_t key_type, VgwTlsSignDone done,
                           gpointer data) {
  ConnKey *ck = g_new0(ConnKey, 1);
  ck->epoch = slot < MAX_SLOTS ? s->epochs[slot] : 0;
  ck->signer = s;
  ck->slot = slot;
  ck->key_type = key_type;
  ck->done = done;
  ck->data = data;
  SSL_set_ex_data(ssl, conn_key_index(), ck);
}

void vgw_tls_signer_detach(SSL *ssl) {
  ConnKey *ck = conn_key(ssl);
  if (ck == NULL) {
    return;
  }
  Job *job = ck->job;
  if (job != NULL) {
    if (job->state == JOB_QUEUED) {
      g_queue_remove(&ck->signer->queue, job);
      job_free(job);
    } else if (job->state == JOB_RUNNING) {
      job->ck = NULL; /* freed when the engine is done */
    } else {
      job_free(job);
    }
  }
  SSL_set_ex_data(ssl, conn_key_index(), NULL);
  g_free(ck);
}

uint16_t vgw_tls_signer_last_sigalg(SSL *ssl) {
  ConnKey *ck = conn_key(ssl);
  return ck != NULL ? ck->last_sigalg : 0;
}

static enum ssl_private_key_result_t key_sign(SSL *ssl, uint8_t *out,
                                              size_t *out_len, size_t max_out,
                                              uint16_t sigalg,
                                              const uint8_t *in,
                                              size_t in_len) {
  ConnKey *ck = conn_key(ssl);
  if (ck == NULL || ck->job != NULL) {
    g_warning("tls: signature requested on a connection without engine key");
    return ssl_private_key_failure;
  }
  uint32_t scheme = vgw_tls_scheme_for_sigalg(sigalg, ck->key_type);
  const EVP_MD *md = SSL_get_signature_algorithm_digest(sigalg);
  if (scheme == 0 || md == NULL) {
    g_warning("tls: signature scheme 0x%04x not supported by the engine key",
              sigalg);
    return ssl_private_key_failure;
  }
  /* The engine signs digests: hash the handshake's input here. */
  Job *job = g_new0(Job, 1);
  unsigned len = 0;
  if (!EVP_Digest(in, in_len, job->digest, &len, md, NULL)) {
    g_free(job);
    return ssl_private_key_failure;
  }
  job->digest_len = len;
  job->ck = ck;
  job->slot = ck->slot;
  job->epoch = ck->epoch;
  job->scheme = scheme;
  job->state = JOB_QUEUED;
  ck->job = job;
  ck->last_sigalg = sigalg;
  g_queue_push_tail(&ck->signer->queue, job);
  schedule(ck->signer);
  return ssl_private_key_retry;
}

static enum ssl_private_key_result_t key_decrypt(SSL *ssl, uint8_t *out,
                                                 size_t *out_len,
                                                 size_t max_out,
                                                 const uint8_t *in,
                                                 size_t in_len) {
  /* The engine only signs; the cipher suites offered are all ECDHE, so
   * RSA key exchange never asks for this. */
  return ssl_private_key_failure;
}

static enum ssl_private_key_result_t key_complete(SSL *ssl, uint8_t *out,
                                                  size_t *out_len,
                                                  size_t max_out) {
  ConnKey *ck = conn_key(ssl);
  if (ck == NULL || ck->job == NULL) {
    return ssl_private_key_failure;
  }
  Job *job = ck->job;
  if (job->state != JOB_DONE) {
    return ssl_private_key_retry;
  }
  ck->job = NULL;
  enum ssl_private_key_result_t r = ssl_private_key_failure;
  if (job->sig != NULL && g_bytes_get_size(job->sig) <= max_out) {
    memcpy(out, g_bytes_get_data(job->sig, NULL), g_bytes_get_size(job->sig));
    *out_len = g_bytes_get_size(job->sig);
    r = ssl_private_key_success;
  } else if (job->sig != NULL) {
    g_warning("tls: engine signature of %zu bytes exceeds %zu",
              g_bytes_get_size(job->sig), max_out);
  }
  job_free(job);
  return r;
}

const SSL_PRIVATE_KEY_METHOD vgw_tls_engine_key_method = {
    .sign = key_sign,
    .decrypt = key_decrypt,
    .complete = key_complete,
};
