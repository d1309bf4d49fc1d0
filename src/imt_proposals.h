/* imt_proposals.h - durable term proposals (new concept, synonym, mapping) and their review,
 * stored in the curation SQLite database (table `proposals`), and their export as Turtle and
 * SSSOM patches for ontologies/ and mappings/.
 *
 * Durability: imt_proposals_add() and imt_proposals_review() return only after COMMIT on a
 * connection in WAL mode with synchronous=FULL, so a proposal the server acknowledged survives
 * kill -9 and power loss. Writes in this process are serialized by one lock; other processes
 * (the CLI, a second server) are waited for up to IMT_DB_BUSY_MS.
 *
 * Validation against the vocabulary (refs resolve, known system) is the caller's job (the HTTP
 * handler reads the snapshot); this module stores what it is given, verbatim, through bound
 * parameters only.
 */
#ifndef IMT_PROPOSALS_H
#define IMT_PROPOSALS_H

#include <stddef.h>
#include <stdio.h>
#include "imt.h"

struct imt_config;
struct imt_store;

/* Reserved range for concepts created from proposals: IMT09 + the proposal id in 5 digits. */
#define IMT_PROPOSAL_ID_PREFIX "IMT09"
#define IMT_PROPOSAL_ID_MAX 99999LL

typedef struct imt_proposal {
  long long id;             /* assigned by imt_proposals_add */
  char *kind;               /* "concept" | "synonym" | "mapping" */
  char *concept;            /* local id of the concept (synonym, mapping); "" otherwise */
  char *concept_label;      /* its English prefLabel when proposed (SSSOM subject_label) */
  char *parent;             /* local id of the parent (concept); "" otherwise */
  char *parent_class;       /* the parent's imto: class local name ("Finding", ...), "" if unknown */
  char *label;              /* proposed label (concept, synonym), target label (mapping) or "" */
  char *lang;               /* "zh" | "en" | "zh-Hant" | "" */
  char *target_system;      /* canonical system name (mapping) or "" */
  char *target_code;
  char *predicate;          /* mapping predicate CURIE, "skos:exactMatch" by default */
  char *evidence;
  char *proposer;
  char *status;             /* "proposed" | "accepted" | "rejected" */
  char *reviewer;
  char *note;               /* reviewer note */
  long long created, reviewed;  /* Unix seconds; reviewed 0 until reviewed */
  char *idem_key;           /* client's Idempotency-Key or "" */
  char *fingerprint;        /* hash of the proposal's content (to compare retries) */
} imt_proposal;

/* Free the strings of p (not p itself) and zero it. */
void imt_proposal_clear(imt_proposal *p);
/* Fill p->fingerprint from its content fields (kind, concept, parent, label, lang, target,
 * predicate, evidence, proposer). Returns 0 or IMT_ERR_NOMEM. */
int imt_proposal_fingerprint(imt_proposal *p);

/* ---- lifecycle ------------------------------------------------------------------------------- */
/* Service entry: open cfg->db_path for proposals (kept open across reloads with the same path). */
int imt_proposals_start(const struct imt_config *cfg, struct imt_store *st, imt_error *err);
void imt_proposals_stop(void);
/* Open / close explicitly (tests, CLI). */
int imt_proposals_open(const char *db_path, imt_error *err);
void imt_proposals_close(void);

/* ---- writing (durable when they return 0) ---------------------------------------------------- */
enum imt_proposal_add_result {
  IMT_PROPOSAL_CREATED = 0,   /* new row, committed */
  IMT_PROPOSAL_EXISTED = 1,   /* same idempotency key and same content: *id is the earlier one */
  IMT_PROPOSAL_KEY_REUSED = 2 /* same idempotency key, different content: nothing stored */
};
/* Store p (status "proposed", created now). p is borrowed; p->id, created, status are set on
 * success. *result tells which case happened. Returns 0 or non-zero with err set (IMT_ERR_LIMIT
 * when the id range of IMT_PROPOSAL_ID_MAX is exhausted). */
int imt_proposals_add(imt_proposal *p, int *result, imt_error *err);
/* Set status ("accepted" | "rejected"), reviewer and note of proposal id; fills *out (caller
 * clears it) with the updated row. Returns 0, IMT_ERR_NOTFOUND, or another error with err set. */
int imt_proposals_review(long long id, const char *status, const char *reviewer, const char *note,
                         imt_proposal *out, imt_error *err);

/* ---- reading --------------------------------------------------------------------------------- */
typedef struct imt_proposal_query {
  const char *status;   /* NULL/"" = any */
  const char *kind;     /* NULL/"" = any */
  const char *concept;  /* NULL/"" = any; matches concept or parent */
  long long since;      /* created at or after (Unix seconds); 0 = any */
  long limit;           /* <= 0: 100 */
  long offset;
} imt_proposal_query;

/* Proposals matching q, newest first. db_path NULL = the open database. *out (caller frees with
 * imt_proposals_free), *n, and *total (all matches, ignoring limit/offset). Returns 0 or non-zero
 * with err set. */
int imt_proposals_list(const char *db_path, const imt_proposal_query *q, imt_proposal **out, size_t *n,
                       long long *total, imt_error *err);
/* One proposal by id into *out (caller clears). Returns 0, IMT_ERR_NOTFOUND or an error. */
int imt_proposals_get(const char *db_path, long long id, imt_proposal *out, imt_error *err);
void imt_proposals_free(imt_proposal *v, size_t n);

/* ---- export ---------------------------------------------------------------------------------- */
/* Write the accepted proposals to f as a Turtle patch ("ttl": new concepts with ids
 * IMT09nnnnn, skos:altLabel for synonyms) or an SSSOM TSV with metadata ("sssom": mappings).
 * Returns 0 or non-zero with err set; *count receives the number of proposals written. */
int imt_proposals_export(const char *db_path, const char *format, FILE *f, size_t *count, imt_error *err);
/* The concept id a proposal of kind "concept" gets on export: IMT09 + 5 digits. buf >= 16. */
void imt_proposal_concept_id(long long id, char *buf, size_t len);

#endif
