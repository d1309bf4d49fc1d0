/* imt_map.c - open-addressing (linear probing) string -> uint32 hash map. */
#include "config.h"
#include "imt.h"
#include "imt_map.h"

#include <stdlib.h>
#include <string.h>

uint64_t imt_hash(const void *data, size_t n)
{
  const unsigned char *p = data;
  uint64_t h = 1469598103934665603ULL;
  while (n--) {
    h ^= *p++;
    h *= 1099511628211ULL;
  }
  return h ^ (h >> 29);
}

int imt_map_init(imt_map *m, size_t expected)
{
  size_t cap = 16;
  while (cap < expected * 2 + 1)
    cap <<= 1;
  memset(m, 0, sizeof *m);
  m->keys = IMT_CALLOC(const char *, cap);
  m->klens = IMT_CALLOC(size_t, cap);
  m->vals = IMT_CALLOC(uint32_t, cap);
  if (!m->keys || !m->klens || !m->vals) {
    imt_map_free(m);
    return IMT_ERR_NOMEM;
  }
  m->cap = cap;
  return 0;
}

static int rehash(imt_map *m)
{
  imt_map bigger;
  size_t i;
  if (imt_map_init(&bigger, m->cap))
    return IMT_ERR_NOMEM;
  for (i = 0; i < m->cap; i++)
    if (m->keys[i])
      imt_map_put(&bigger, m->keys[i], m->klens[i], m->vals[i]);
  imt_map_free(m);
  *m = bigger;
  return 0;
}

int imt_map_put(imt_map *m, const char *key, size_t klen, uint32_t val)
{
  size_t i;
  if ((m->n + 1) * 2 > m->cap && rehash(m))
    return IMT_ERR_NOMEM;
  i = (size_t)imt_hash(key, klen) & (m->cap - 1);
  while (m->keys[i]) {
    if (m->klens[i] == klen && memcmp(m->keys[i], key, klen) == 0) {
      m->vals[i] = val;
      return 0;
    }
    i = (i + 1) & (m->cap - 1);
  }
  m->keys[i] = key;
  m->klens[i] = klen;
  m->vals[i] = val;
  m->n++;
  return 0;
}

int imt_map_get(const imt_map *m, const char *key, size_t klen, uint32_t *val)
{
  size_t i;
  if (!m->cap)
    return 0;
  i = (size_t)imt_hash(key, klen) & (m->cap - 1);
  while (m->keys[i]) {
    if (m->klens[i] == klen && memcmp(m->keys[i], key, klen) == 0) {
      if (val)
        *val = m->vals[i];
      return 1;
    }
    i = (i + 1) & (m->cap - 1);
  }
  return 0;
}

void imt_map_free(imt_map *m)
{
  free(m->keys);
  free(m->klens);
  free(m->vals);
  memset(m, 0, sizeof *m);
}
