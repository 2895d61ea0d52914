/*
 * For TLS unit tests: a handshake between two SSLs in memory (a BIO pair,
 * no socket), driven in turns until both finish or one fails.
 */
#ifndef VGW_TESTS_TLS_MEMORY_PAIR_H
#define VGW_TESTS_TLS_MEMORY_PAIR_H

#include <glib.h>
#include <openssl/bio.h>
#include <openssl/ssl.h>

/* tls_memory_handshake connects |client| and |server| (neither given a
 * BIO yet) through a BIO pair and runs their handshake; TRUE when both
 * completed it, FALSE when one failed (its error left in the queue) or
 * it did not finish within a handful of turns. */
static inline gboolean tls_memory_handshake(SSL *client, SSL *server) {
  BIO *a, *b;
  gboolean client_done = FALSE, server_done = FALSE, failed = FALSE;

  g_assert_true(BIO_new_bio_pair(&a, 0, &b, 0));
  SSL_set_bio(client, a, a);
  SSL_set_bio(server, b, b);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  for (int turn = 0; turn < 20 && !(client_done && server_done) && !failed;
       turn++) {
    int rc = client_done ? 1 : SSL_do_handshake(client);
    int rs = server_done ? 1 : SSL_do_handshake(server);
    client_done = rc == 1;
    server_done = rs == 1;
    failed = (rc != 1 && SSL_get_error(client, rc) == SSL_ERROR_SSL) ||
             (rs != 1 && SSL_get_error(server, rs) == SSL_ERROR_SSL);
  }
  return client_done && server_done;
}

#endif /* VGW_TESTS_TLS_MEMORY_PAIR_H */
