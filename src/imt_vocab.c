/* imt_vocab.c - data directory -> store -> snapshot. */
#include "config.h"
#include "imt.h"
#include "imt_vocab.h"

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
  return s;
}
