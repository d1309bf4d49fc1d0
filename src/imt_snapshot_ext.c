/* imt_snapshot_ext.c - the indexes built over each snapshot, declared as data: each entry builds
 * one ext[] slot at load time and frees it with the snapshot. */
#include "config.h"
#include "imt.h"
#include "imt_snapshot.h"
#include "imt_matcher.h"
#include "imt_search.h"

#include <stddef.h>

typedef struct imt_snapshot_ext {
  const char *name;
  int slot;
  int (*build)(imt_snapshot *s, imt_error *err);  /* fills s->ext[slot]; 0 or error */
  void (*free)(void *p);
} imt_snapshot_ext;

static const imt_snapshot_ext exts[] = {
  {"search", IMT_EXT_SEARCH, imt_search_build, imt_search_free},
  {"matcher", IMT_EXT_MATCHER, imt_matcher_ext_build, imt_matcher_ext_free},
  {NULL, 0, NULL, NULL}  /* terminator */
};

int imt_snapshot_build_exts(imt_snapshot *s, imt_error *err)
{
  for (const imt_snapshot_ext *e = exts; e->name; e++)
    if (e->build(s, err))
      return err ? err->code : IMT_ERR_INTERNAL;
  return 0;
}

void imt_snapshot_free_exts(imt_snapshot *s)
{
  for (const imt_snapshot_ext *e = exts; e->name; e++)
    if (s->ext[e->slot]) {
      e->free(s->ext[e->slot]);
      s->ext[e->slot] = NULL;
    }
}
