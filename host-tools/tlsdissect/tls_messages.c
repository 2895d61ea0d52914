#include "tls_messages.h"

#include <string.h>

#define EXT_SERVER_NAME 0
#define EXT_SUPPORTED_GROUPS 10
#define EXT_SIGNATURE_ALGORITHMS 13
#define EXT_ALPN 16
#define EXT_PRE_SHARED_KEY 41
#define EXT_SUPPORTED_VERSIONS 43
#define EXT_KEY_SHARE 51

/* SHA-256("HelloRetryRequest"), the random of a HelloRetryRequest. */
static const guint8 hrr_random[TLSD_RANDOM_LEN] = {
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
  0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* Reads a list of u16 values filling all of |list| into |out| (the first
 * TLSD_MAX_LIST_ITEMS of them).  The array is sized once: appending value
 * by value cost more than the rest of the ClientHello. */
static gboolean
get_u16_list(CBS list, GArray *out)
{
  gsize keep = MIN(CBS_len(&list) / 2, TLSD_MAX_LIST_ITEMS);

  if (CBS_len(&list) % 2 != 0) {
    g_array_set_size(out, 0);
    return FALSE;
  }
  g_array_set_size(out, keep);
  for (gsize i = 0; i < keep; i++) {
    uint16_t v;
    /* Cannot fail: the list holds at least 2 * keep bytes. */
    if (!CBS_get_u16(&list, &v)) {
      g_array_set_size(out, i);
      return FALSE;
    }
    g_array_index(out, guint16, i) = v;
  }
  return TRUE;
}

static char *
printable(CBS s)
{
  GString *out = g_string_sized_new(CBS_len(&s));

  for (size_t i = 0; i < CBS_len(&s); i++) {
    guint8 c = CBS_data(&s)[i];
    if (c >= 0x20 && c < 0x7f)
      g_string_append_c(out, (char) c);
    else
      g_string_append_printf(out, "\\x%02x", c);
  }
  return g_string_free(out, FALSE);
}

static gboolean
parse_sni(TlsdHandshake *hs, CBS ext)
{
  CBS list;

  if (!CBS_get_u16_length_prefixed(&ext, &list) || CBS_len(&ext) != 0)
    return FALSE;
  while (CBS_len(&list) > 0) {
    uint8_t type;
    CBS name;
    if (!CBS_get_u8(&list, &type) || !CBS_get_u16_length_prefixed(&list, &name))
      return FALSE;
    if (type == 0 && hs->sni == NULL)
      hs->sni = printable(name);
  }
  return TRUE;
}

static gboolean
parse_alpn_list(CBS ext, GPtrArray *out)
{
  CBS list;

  if (!CBS_get_u16_length_prefixed(&ext, &list) || CBS_len(&ext) != 0)
    return FALSE;
  g_ptr_array_set_size(out, 0);
  while (CBS_len(&list) > 0) {
    CBS proto;
    if (!CBS_get_u8_length_prefixed(&list, &proto) || CBS_len(&proto) == 0)
      return FALSE;
    if (out->len < TLSD_MAX_LIST_ITEMS)
      g_ptr_array_add(out, printable(proto));
  }
  return TRUE;
}

static gboolean
parse_client_key_share(TlsdHandshake *hs, CBS ext)
{
  CBS list;

  if (!CBS_get_u16_length_prefixed(&ext, &list) || CBS_len(&ext) != 0)
    return FALSE;
  g_array_set_size(hs->key_share_groups, 0);
  while (CBS_len(&list) > 0) {
    uint16_t group;
    CBS key;
    if (!CBS_get_u16(&list, &group) || !CBS_get_u16_length_prefixed(&list, &key))
      return FALSE;
    if (hs->key_share_groups->len < TLSD_MAX_LIST_ITEMS)
      g_array_append_val(hs->key_share_groups, group);
  }
  return TRUE;
}

gboolean
tlsd_parse_client_hello(TlsdHandshake *hs, CBS body, const char **why)
{
  uint16_t legacy_version;
  CBS random, session_id, ciphers, compression, extensions;
  gboolean have_versions = FALSE;

  hs->client_hello_count++;
  if (!CBS_get_u16(&body, &legacy_version) ||
      !CBS_get_bytes(&body, &random, TLSD_RANDOM_LEN) ||
      !CBS_get_u8_length_prefixed(&body, &session_id) || CBS_len(&session_id) > 32 ||
      !CBS_get_u16_length_prefixed(&body, &ciphers) ||
      !CBS_get_u8_length_prefixed(&body, &compression)) {
    *why = "malformed ClientHello";
    return FALSE;
  }
  hs->have_client_hello = TRUE;
  hs->client_legacy_version = legacy_version;
  memcpy(hs->client_random, CBS_data(&random), TLSD_RANDOM_LEN);
  memcpy(hs->client_session_id, CBS_data(&session_id), CBS_len(&session_id));
  hs->client_session_id_len = CBS_len(&session_id);
  if (!get_u16_list(ciphers, hs->offered_ciphers)) {
    *why = "malformed ClientHello cipher suite list";
    return FALSE;
  }
  g_array_set_size(hs->offered_versions, 0);
  if (CBS_len(&body) > 0) {
    if (!CBS_get_u16_length_prefixed(&body, &extensions) || CBS_len(&body) != 0) {
      *why = "malformed ClientHello extensions";
      return FALSE;
    }
    while (CBS_len(&extensions) > 0) {
      uint16_t type;
      CBS ext, list;
      gboolean ok = TRUE;
      if (!CBS_get_u16(&extensions, &type) || !CBS_get_u16_length_prefixed(&extensions, &ext)) {
        *why = "malformed ClientHello extension";
        return FALSE;
      }
      switch (type) {
      case EXT_SERVER_NAME:
        ok = parse_sni(hs, ext);
        break;
      case EXT_SUPPORTED_GROUPS:
        ok = CBS_get_u16_length_prefixed(&ext, &list) && CBS_len(&ext) == 0 &&
             get_u16_list(list, hs->offered_groups);
        break;
      case EXT_SIGNATURE_ALGORITHMS:
        ok = CBS_get_u16_length_prefixed(&ext, &list) && CBS_len(&ext) == 0 &&
             get_u16_list(list, hs->offered_sigalgs);
        break;
      case EXT_ALPN:
        ok = parse_alpn_list(ext, hs->offered_alpn);
        break;
      case EXT_SUPPORTED_VERSIONS:
        ok = CBS_get_u8_length_prefixed(&ext, &list) && CBS_len(&ext) == 0 &&
             get_u16_list(list, hs->offered_versions);
        have_versions = ok;
        break;
      case EXT_KEY_SHARE:
        ok = parse_client_key_share(hs, ext);
        break;
      default:
        break;
      }
      if (!ok) {
        *why = "malformed ClientHello extension";
        return FALSE;
      }
    }
  }
  if (!have_versions)
    g_array_append_val(hs->offered_versions, legacy_version);
  return TRUE;
}

gboolean
tlsd_parse_server_hello(TlsdHandshake *hs, CBS body, gboolean *is_hrr, const char **why)
{
  uint16_t legacy_version, cipher;
  uint8_t compression;
  CBS random, session_id, extensions;
  uint16_t selected_version = 0, group = 0;
  gboolean psk = FALSE;

  *is_hrr = FALSE;
  if (!CBS_get_u16(&body, &legacy_version) ||
      !CBS_get_bytes(&body, &random, TLSD_RANDOM_LEN) ||
      !CBS_get_u8_length_prefixed(&body, &session_id) || CBS_len(&session_id) > 32 ||
      !CBS_get_u16(&body, &cipher) || !CBS_get_u8(&body, &compression)) {
    *why = "malformed ServerHello";
    return FALSE;
  }
  *is_hrr = memcmp(CBS_data(&random), hrr_random, TLSD_RANDOM_LEN) == 0;
  if (CBS_len(&body) > 0) {
    if (!CBS_get_u16_length_prefixed(&body, &extensions) || CBS_len(&body) != 0) {
      *why = "malformed ServerHello extensions";
      return FALSE;
    }
    while (CBS_len(&extensions) > 0) {
      uint16_t type;
      CBS ext;
      gboolean ok = TRUE;
      if (!CBS_get_u16(&extensions, &type) || !CBS_get_u16_length_prefixed(&extensions, &ext)) {
        *why = "malformed ServerHello extension";
        return FALSE;
      }
      switch (type) {
      case EXT_SUPPORTED_VERSIONS:
        ok = CBS_get_u16(&ext, &selected_version) && CBS_len(&ext) == 0;
        break;
      case EXT_KEY_SHARE:
        /* ServerHello: group and key; HelloRetryRequest: group only. */
        ok = CBS_get_u16(&ext, &group);
        break;
      case EXT_PRE_SHARED_KEY:
        psk = TRUE;
        break;
      case EXT_ALPN: {
        g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func(g_free);
        ok = parse_alpn_list(ext, one) && one->len == 1;
        if (ok) {
          g_free(hs->alpn);
          hs->alpn = g_strdup(g_ptr_array_index(one, 0));
        }
        break;
      }
      default:
        break;
      }
      if (!ok) {
        *why = "malformed ServerHello extension";
        return FALSE;
      }
    }
  }
  if (*is_hrr) {
    hs->hello_retry_request = TRUE;
    hs->cipher = cipher;
    hs->version = selected_version != 0 ? selected_version : legacy_version;
    hs->group = group;
    return TRUE;
  }
  hs->have_server_hello = TRUE;
  memcpy(hs->server_random, CBS_data(&random), TLSD_RANDOM_LEN);
  hs->version = selected_version != 0 ? selected_version : legacy_version;
  hs->cipher = cipher;
  if (group != 0)
    hs->group = group;
  if (hs->version == 0x0304)
    hs->resumed = psk;
  else
    hs->resumed = CBS_len(&session_id) > 0 &&
                  CBS_len(&session_id) == hs->client_session_id_len &&
                  memcmp(CBS_data(&session_id), hs->client_session_id,
                         hs->client_session_id_len) == 0;
  return TRUE;
}

gboolean
tlsd_parse_encrypted_extensions(TlsdHandshake *hs, CBS body, const char **why)
{
  CBS extensions;

  if (!CBS_get_u16_length_prefixed(&body, &extensions) || CBS_len(&body) != 0) {
    *why = "malformed EncryptedExtensions";
    return FALSE;
  }
  while (CBS_len(&extensions) > 0) {
    uint16_t type;
    CBS ext;
    if (!CBS_get_u16(&extensions, &type) || !CBS_get_u16_length_prefixed(&extensions, &ext)) {
      *why = "malformed EncryptedExtensions";
      return FALSE;
    }
    if (type == EXT_ALPN) {
      g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func(g_free);
      if (!parse_alpn_list(ext, one) || one->len != 1) {
        *why = "malformed ALPN in EncryptedExtensions";
        return FALSE;
      }
      g_free(hs->alpn);
      hs->alpn = g_strdup(g_ptr_array_index(one, 0));
    }
  }
  return TRUE;
}

gboolean
tlsd_parse_certificate(TlsdHandshake *hs, TlsdRole from, gboolean tls13, CBS body,
                       const char **why)
{
  GPtrArray *certs = from == TLSD_CLIENT ? hs->client_certs : hs->server_certs;
  CBS context, list;

  if (tls13 && !CBS_get_u8_length_prefixed(&body, &context)) {
    *why = "malformed Certificate";
    return FALSE;
  }
  if (!CBS_get_u24_length_prefixed(&body, &list) || CBS_len(&body) != 0) {
    *why = "malformed Certificate";
    return FALSE;
  }
  g_ptr_array_set_size(certs, 0);
  while (CBS_len(&list) > 0) {
    CBS der, extensions;
    if (!CBS_get_u24_length_prefixed(&list, &der) ||
        (tls13 && !CBS_get_u16_length_prefixed(&list, &extensions))) {
      *why = "malformed Certificate list";
      return FALSE;
    }
    if (certs->len < TLSD_MAX_CERTS)
      g_ptr_array_add(certs, tlsd_cert_from_der(CBS_data(&der), CBS_len(&der)));
  }
  if (from == TLSD_CLIENT)
    hs->client_sent_cert = certs->len > 0 ? TLSD_YES : TLSD_NO;
  return TRUE;
}

gboolean
tlsd_parse_server_key_exchange(TlsdHandshake *hs, CBS body, const char **why)
{
  uint8_t curve_type;
  uint16_t group;

  /* ECDHE: ECParameters { named_curve(3), NamedGroup }; DHE has explicit
   * parameters and no group code point. */
  if (!CBS_get_u8(&body, &curve_type)) {
    *why = "malformed ServerKeyExchange";
    return FALSE;
  }
  if (curve_type == 3 && CBS_get_u16(&body, &group))
    hs->group = group;
  return TRUE;
}
