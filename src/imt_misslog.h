/* imt_misslog.h - the miss log: every lookup that finds nothing (validate, normalize, search) is
 * recorded, off the request path, in a SQLite table curators read to see what the vocabulary lacks.
 *
 * Request threads call imt_misslog_record(): it copies the strings into a slot of a bounded,
 * lock-free ring and returns. It never blocks, never allocates, never fails the request: when the
 * ring is full the miss is dropped and counted (imt_misslog_stats). One writer thread drains the
 * ring every IMT_MISSLOG_FLUSH_MS, folds each term with imt_text_key (the matching
 * normalization), aggregates the batch and writes it in one transaction to the database
 * (WAL, synchronous=NORMAL). Crash window: misses still in the ring when the process dies are lost,
 * i.e. at most the last flush interval plus one batch write (well under one second); the
 * committed WAL survives a process crash (kill -9). See docs/curation.md.
 *
 * Table `misses` (one row per folded term, language and endpoint):
 *   term, lang, endpoint, count, first_seen, last_seen (Unix seconds, UTC), context (one example
 *   of at most 200 characters: the first context a caller sent, else the term as sent) and
 *   ctx_given (1 when context came from a caller).
 */
#ifndef IMT_MISSLOG_H
#define IMT_MISSLOG_H

#include <stddef.h>
#include <stdint.h>
#include "imt.h"

struct imt_config;
struct imt_store;

#define IMT_MISSLOG_FLUSH_MS 200      /* writer wakes this often */
#define IMT_MISSLOG_SLOTS 16384       /* ring capacity (power of two) */
#define IMT_MISSLOG_TERM_MAX 256      /* bytes kept of a term (cut at a UTF-8 boundary) */
#define IMT_MISSLOG_CONTEXT_CHARS 200 /* characters kept of the example context */
#define IMT_MISSLOG_CONTEXT_BYTES 600 /* and at most this many bytes of it */

/* Record one miss. endpoint: a short name ("search", "validate", "normalize"; at most 15 bytes
 * kept); lang: the language asked for or detected ("zh", "en", "" when unknown); term: the text
 * that did not match (as sent or already normalized: it is folded again by the writer); context:
 * the surrounding text or NULL (cut to 200 characters or 600 bytes). All strings are copied; NULL or empty
 * term is ignored. A no-op when the log is not started (e.g. in `imterm lookup`, or with
 * IMTERM_MISSLOG=off). Thread-safe, lock-free, never blocks or allocates. */
void imt_misslog_record(const char *endpoint, const char *lang, const char *term, const char *context);

/* 1 when imt_misslog_record() currently keeps misses (the log was started and not disabled). */
int imt_misslog_enabled(void);

/* ---- lifecycle ------------------------------------------------------------------------------- */
/* Service entry (services[] in imt_service.c): open cfg->db_path and start the writer. Disabled
 * (returns 0, records nothing) when the environment has IMTERM_MISSLOG=off|0|no. A reload calls
 * stop() then start(): the ring lives across the two, so misses recorded meanwhile are kept and
 * written once the writer is back; the database stays open when the path did not change. */
int imt_misslog_start(const struct imt_config *cfg, struct imt_store *st, imt_error *err);
void imt_misslog_stop(void);

/* Same for a given path (tests, tools): opens/creates the database and starts the writer.
 * Returns 0 or non-zero with err set. */
int imt_misslog_open(const char *db_path, imt_error *err);
/* Write everything recorded so far, stop the writer, close the database, and stop recording. */
void imt_misslog_close(void);
/* Wait until every miss recorded before this call has been written (or dropped), at most
 * timeout seconds. Returns 0 when done, non-zero on timeout or when the log is not running. */
int imt_misslog_flush(double timeout);

typedef struct imt_misslog_stats {
  uint64_t recorded;   /* accepted into the ring */
  uint64_t dropped;    /* ring full: not recorded */
  uint64_t written;    /* misses written to the database (before aggregation) */
  uint64_t batches;    /* committed transactions */
  uint64_t errors;     /* batches that failed to write (logged; their misses are lost) */
  double writer_cpu;   /* CPU seconds the writer thread spent draining (folding + SQLite) */
} imt_misslog_stats;
void imt_misslog_get_stats(imt_misslog_stats *out);

/* ---- reading --------------------------------------------------------------------------------- */
typedef struct imt_miss {
  char *term;          /* folded term */
  char *lang;
  char *endpoints;     /* endpoints that missed it, comma-separated, sorted */
  long long count;     /* total over those endpoints */
  long long first_seen, last_seen;  /* Unix seconds */
  char *context;       /* example context */
} imt_miss;

typedef struct imt_miss_query {
  long long since;     /* only terms last seen at or after this Unix time; 0 = all */
  const char *lang;    /* NULL or "" = every language */
  const char *endpoint;/* NULL or "" = every endpoint */
  long limit;          /* rows; <= 0 means 50 */
} imt_miss_query;

/* Top unmatched terms by count (ties: most recently seen first). db_path NULL = the database of
 * the running log. On success returns 0 with *out (caller frees with imt_misses_free) and *n;
 * otherwise non-zero with err set. A database that does not exist yet has no misses (0 rows). */
int imt_misslog_top(const char *db_path, const imt_miss_query *q, imt_miss **out, size_t *n,
                    imt_error *err);
void imt_misses_free(imt_miss *m, size_t n);

/* Parse a time as the curation endpoints and commands accept it: Unix seconds, YYYY-MM-DD, or
 * YYYY-MM-DDTHH:MM[:SS][Z] (UTC). Returns 0 and *out (Unix seconds), or -1. */
int imt_time_parse(const char *s, long long *out);

#endif
