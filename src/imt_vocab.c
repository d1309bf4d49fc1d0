/* imt_vocab.c - data directory -> store -> snapshot. */
#include "config.h"
#include "imt.h"
#include "imt_vocab.h"

#include <malloc.h>
#include <stdio.h>

static void progress_line(const char *line)
{
  imt_log("info", "%s", line);
}

imt_snapshot *imt_vocab_load(const char *dir, imt_store **store_out, int progress, imt_error *err)
{
  imt_store *st = imt_store_new(err);
  imt_snapshot *s;
  if (!st)
    return NULL;
  if (imt_store_load_dir(st, dir, progress ? progress_line : NULL, err)) {
    imt_store_free(st);
    return NULL;
  }
  s = imt_snapshot_build(st, err);
  if (!s) {
    imt_store_free(st);
    return NULL;
  }
  if (store_out)
    *store_out = st;
  else
    imt_store_free(st);
  /* Loading frees many temporaries; hand the free lists back now rather than stalling the first
   * large allocation of a request (measured 1.2-1.5 s at 200k concepts). */
  malloc_trim(0);
  return s;
}
