/* imt_snapshot.h - the immutable vocabulary snapshot every lookup-style endpoint reads.
 *
 * Built once per load from the RDF store (imt_snapshot_build), never changed afterwards, and
 * shared by all threads without locks. Publishing a new snapshot (reload) is an atomic swap; the
 * old one is freed once every reader that could hold it has finished (two-counter grace period,
 * see imt_snapshot.c). All strings and arrays belong to the snapshot: pointers taken from it are
 * valid until the matching imt_snapshot_release().
 */
#ifndef IMT_SNAPSHOT_H
#define IMT_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "imt.h"
#include "imt_map.h"

struct imt_store;

enum imt_lang { IMT_LANG_ZH = 0, IMT_LANG_EN = 1, IMT_LANG_ZH_HANT = 2, IMT_LANG_OTHER = 3 };
enum imt_label_kind { IMT_LABEL_PREF = 0, IMT_LABEL_ALT = 1, IMT_LABEL_HIDDEN = 2 };
enum imt_concept_kind {
  IMT_KIND_NONE = 0, IMT_KIND_GROUPING, IMT_KIND_FINDING, IMT_KIND_SIGN, IMT_KIND_DESCRIPTOR,
  IMT_KIND_CATEGORY
};

typedef struct imt_label {
  const char *text;      /* UTF-8 as written in the data */
  const char *lang_tag;  /* the RDF language tag as written ("zh", "en", "zh-Hant") */
  uint8_t lang;          /* enum imt_lang */
  uint8_t kind;          /* enum imt_label_kind */
} imt_label;

typedef struct imt_mapping {
  const char *system;     /* imt_system name: "RADLEX", "SCT", "NCIT", "DCM", or "" if unknown */
  const char *code;       /* code within the system, e.g. "RID5741" */
  const char *iri;        /* full IRI of the target */
  const char *display;    /* the target's own name (SSSOM object_label), may be "" */
  const char *predicate;  /* CURIE: "skos:exactMatch", "skos:closeMatch", ... */
  const char *justification; /* CURIE, e.g. "semapv:ManualMappingCuration" */
} imt_mapping;

typedef struct imt_concept {
  uint32_t idx;           /* index in snapshot->concepts */
  const char *id;         /* local id, e.g. "IMT0001010" */
  const char *iri;
  const char *pref[2];    /* prefLabel by IMT_LANG_ZH / IMT_LANG_EN; "" when missing */
  const char *def[2];     /* definition by language; "" when missing */
  uint8_t kind;           /* enum imt_concept_kind */
  uint8_t deprecated;
  uint8_t top;            /* skos:topConceptOf the scheme */
  uint16_t depth;         /* shortest distance from a top concept (0 for tops) */
  int32_t replaced_by;    /* concept index or -1 */
  const char *source;     /* dct:source IRI or "" */
  imt_label *labels;      /* every label, pref first */
  uint32_t n_labels;
  uint32_t *parents, n_parents;       /* direct skos:broader, concept indexes */
  uint32_t *children, n_children;     /* direct skos:narrower (materialized) */
  uint32_t *ancestors, n_ancestors;   /* transitive closure of broader, nearest first */
  uint32_t n_descendants;             /* size of the transitive closure of narrower */
  imt_mapping *mappings;
  uint32_t n_mappings;
} imt_concept;

/* Indexes that other modules build over a snapshot once per load (search index, text matcher).
 * Each slot is filled by its builder in imt_snapshot_ext.c and freed with the snapshot. */
enum imt_snapshot_ext_slot { IMT_EXT_SEARCH = 0, IMT_EXT_MATCHER = 1, IMT_EXT_MAX = 4 };

typedef struct imt_snapshot {
  imt_concept *concepts;
  uint32_t n_concepts;
  uint32_t *roots, n_roots;     /* top concepts, sorted by id */
  size_t n_triples;             /* in the store this snapshot was built from */
  size_t n_mappings;
  time_t loaded_at;             /* wall clock */
  double build_seconds;         /* load + build time */
  char generation[32];          /* changes with every load: used in ETags */
  /* scheme metadata */
  const char *scheme_iri, *base_iri, *version, *license, *issued, *modified;
  const char *title[2], *description[2];
  imt_map by_id;      /* local id -> concept index */
  imt_map by_iri;     /* IRI -> concept index */
  imt_map by_code;    /* "SYSTEM:code" -> index into code_lists */
  uint32_t **code_lists;        /* per distinct code: concept indexes, first element = count */
  uint32_t n_code_lists;
  void *ext[IMT_EXT_MAX];
  struct imt_arena *arena;      /* owns every string and array above */
} imt_snapshot;

/* Build a snapshot from a loaded store. Returns a new snapshot (caller owns; publish it or free
 * it with imt_snapshot_free) or NULL with err set. Also builds every extension index. */
imt_snapshot *imt_snapshot_build(struct imt_store *store, imt_error *err);
void imt_snapshot_free(imt_snapshot *s);

/* Lookups; all return borrowed pointers or NULL. */
const imt_concept *imt_snapshot_by_id(const imt_snapshot *s, const char *id);
const imt_concept *imt_snapshot_by_iri(const imt_snapshot *s, const char *iri);
/* Concepts mapped to an external code: returns the count and sets *idx to a borrowed array. */
uint32_t imt_snapshot_by_code(const imt_snapshot *s, const char *system, const char *code,
                              const uint32_t **idx);
/* Resolve a user reference: local id, CURIE of imterm or of a mapped system (RADLEX:RID5741,
 * SCT:..., NCIT:C..., DCM:...), or full IRI (imterm or mapped system). Returns the number of
 * concepts found (0, 1 or more) and sets *idx (borrowed) to them. */
uint32_t imt_snapshot_resolve(const imt_snapshot *s, const char *ref, const uint32_t **idx);
/* 1 if concept a is a descendant-or-self of concept b. */
int imt_snapshot_is_a(const imt_snapshot *s, uint32_t a, uint32_t b);

/* ---- publication ---------------------------------------------------------------------------- */
typedef struct imt_snapshot_ref {
  imt_snapshot *snap;
  unsigned epoch;
} imt_snapshot_ref;

/* Take a reference to the current snapshot without a lock. snap is NULL before the first publish. */
imt_snapshot_ref imt_snapshot_acquire(void);
void imt_snapshot_release(imt_snapshot_ref ref);
/* Make s current (takes ownership); waits until no reader can still hold the previous snapshot,
 * then frees it. Call from one thread at a time (the loader). */
void imt_snapshot_publish(imt_snapshot *s);

/* ---- arena ---------------------------------------------------------------------------------- */
struct imt_arena;
struct imt_arena *imt_arena_new(void);
void *imt_arena_alloc(struct imt_arena *a, size_t n);             /* zeroed; NULL on OOM */
const char *imt_arena_strdup(struct imt_arena *a, const char *s);  /* NULL on OOM */
const char *imt_arena_strndup(struct imt_arena *a, const char *s, size_t n);
void imt_arena_free(struct imt_arena *a);

#endif
