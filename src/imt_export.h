/* imt_export.h - flat exports of the snapshot for other tools: SSSOM TSV, CSV and the 3D Slicer /
 * dcmqi segmentation terminology JSON. RDF and FHIR exports live in imt_rdfout.h / imt_fhir.h.
 * Each function returns a new NUL-terminated string (caller frees) and its length, or NULL on OOM. */
#ifndef IMT_EXPORT_H
#define IMT_EXPORT_H

#include <stddef.h>
#include "imt_snapshot.h"

/* SSSOM 1.0 TSV of every mapping of the snapshot, with the metadata block (curie_map, licence,
 * mapping_set_id), one row per concept and mapping, concepts in id order. */
char *imt_export_sssom(const imt_snapshot *s, size_t *len);

/* RFC 4180 CSV, one row per concept: id, iri, kind, pref_zh, pref_en, alt_zh, alt_en, hidden,
 * definition_zh, definition_en, parents, deprecated, replaced_by, mappings. Multi-valued cells
 * are joined with " | ". */
char *imt_export_csv(const imt_snapshot *s, size_t *len);

/* 3D Slicer / dcmqi segmentation category-type-modifier terminology (segment-context-schema):
 * one Category "Morphologically Abnormal Structure" (SCT 49755003); a Type for every finding and
 * sign with an exact DICOM-triplet code (SNOMED CT preferred, then DCM, then RadLex); each Type's
 * Modifier list holds its direct children that have exact codes of their own. See docs/fair.md. */
char *imt_export_slicer(const imt_snapshot *s, size_t *len);

/* The DICOM code triplet (scheme designator, value, meaning) that stands for concept c: its
 * exactMatch mapping in SCT, else DCM, else RADLEX. Returns the mapping (borrowed) or NULL. */
const imt_mapping *imt_export_dicom_code(const imt_concept *c);

#endif
