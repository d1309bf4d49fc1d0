/* imt_arena.c - a bump allocator: one owner frees everything at once (used by snapshots). */
#include "config.h"
#include "imt.h"
#include "imt_snapshot.h"

#include <stdlib.h>
#include <string.h>

typedef struct chunk {
  struct chunk *next;
  size_t used, size;
  max_align_t data[];
} chunk;

struct imt_arena {
  chunk *head;
  size_t total;
};

struct imt_arena *imt_arena_new(void) { return IMT_CALLOC(struct imt_arena, 1); }

void *imt_arena_alloc(struct imt_arena *a, size_t n)
{
  chunk *c = a->head;
  size_t al = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
  void *p;
  if (!al)
    al = sizeof(max_align_t);
  if (!c || c->used + al > c->size) {
    size_t size = al > 1 << 20 ? al : 1 << 20;
    c = imt_malloc(sizeof(chunk) + size);
    if (!c)
      return NULL;
    c->next = a->head;
    c->used = 0;
    c->size = size;
    a->head = c;
    a->total += size;
  }
  p = (char *)c->data + c->used;
  c->used += al;
  memset(p, 0, n);
  return p;
}

const char *imt_arena_strndup(struct imt_arena *a, const char *s, size_t n)
{
  char *p = imt_arena_alloc(a, n + 1);
  if (!p)
    return NULL;
  memcpy(p, s, n);
  p[n] = '\0';
  return p;
}

const char *imt_arena_strdup(struct imt_arena *a, const char *s)
{
  return imt_arena_strndup(a, s ? s : "", s ? strlen(s) : 0);
}

void imt_arena_free(struct imt_arena *a)
{
  chunk *c, *n;
  if (!a)
    return;
  for (c = a->head; c; c = n) {
    n = c->next;
    free(c);
  }
  free(a);
}
