/* imt_map.h - an open-addressing hash map from strings to uint32 values, for read-mostly indexes.
 * Keys are borrowed: the caller keeps them alive as long as the map (the snapshot's arena does). */
#ifndef IMT_MAP_H
#define IMT_MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct imt_map {
  const char **keys;
  size_t *klens;
  uint32_t *vals;
  size_t cap;   /* power of two */
  size_t n;
} imt_map;

int imt_map_init(imt_map *m, size_t expected);  /* 0 or IMT_ERR_NOMEM */
/* Insert or replace; 0 or IMT_ERR_NOMEM. Key is borrowed. */
int imt_map_put(imt_map *m, const char *key, size_t klen, uint32_t val);
/* 1 and *val when found, 0 otherwise. */
int imt_map_get(const imt_map *m, const char *key, size_t klen, uint32_t *val);
void imt_map_free(imt_map *m);
uint64_t imt_hash(const void *data, size_t n);  /* FNV-1a 64 */

#endif
