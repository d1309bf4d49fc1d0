/* imt_vocab.h - load a data directory into a store and build its snapshot: the one path used by
 * `serve`, `check`, the CLI commands and reload. */
#ifndef IMT_VOCAB_H
#define IMT_VOCAB_H

#include "imt.h"
#include "imt_snapshot.h"
#include "imt_store.h"

/* Load dir (ontologies/, mappings/) into a new store, materialize, build the snapshot.
 * On success returns the snapshot (caller owns) and, if store_out is given, the store (caller
 * owns; else it is freed). progress: print status lines to stderr for loads over a second.
 * NULL with err naming file and line on failure. */
imt_snapshot *imt_vocab_load(const char *dir, imt_store **store_out, int progress, imt_error *err);

#endif
