/* imt_export.c - SSSOM, CSV and 3D Slicer terminology exports, read from the snapshot only. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_export.h"
#include "imt_systems.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* TSV cell: tabs and line breaks become spaces (SSSOM TSV has no quoting). */
static void tsv_cell(imt_buf *b, const char *s)
{
  for (const char *p = s ? s : ""; *p; p++)
    imt_buf_putc(b, (*p == '\t' || *p == '\n' || *p == '\r') ? ' ' : *p);
}

char *imt_export_sssom(const imt_snapshot *s, size_t *len)
{
  imt_buf b = IMT_BUF_INIT;
  imt_buf_puts(&b, "# curie_map:\n");
  imt_buf_printf(&b, "#   imt: %s\n", s->base_iri);
  imt_buf_puts(&b, "#   skos: http://www.w3.org/2004/02/skos/core#\n#   semapv: https://w3id.org/semapv/vocab/\n");
  for (unsigned i = 0; i < imt_n_systems; i++)
    imt_buf_printf(&b, "#   %s: %s\n", imt_systems[i].name, imt_systems[i].iri_prefix);
  imt_buf_puts(&b, "# mapping_set_id: https://w3id.org/imterm/mappings\n");
  imt_buf_printf(&b, "# mapping_set_version: %s\n", s->version);
  imt_buf_puts(&b, "# mapping_set_title: imterm mappings to RadLex, SNOMED CT, NCIt and DICOM\n");
  if (*s->license)
    imt_buf_printf(&b, "# license: %s\n", s->license);
  if (*s->modified)
    imt_buf_printf(&b, "# mapping_date: %s\n", s->modified);
  imt_buf_puts(&b, "# subject_source: https://w3id.org/imterm/scheme\n");
  imt_buf_puts(&b, "subject_id\tsubject_label\tpredicate_id\tobject_id\tobject_label\tmapping_justification\n");
  for (uint32_t i = 0; i < s->n_concepts; i++) {
    const imt_concept *c = &s->concepts[i];
    for (uint32_t j = 0; j < c->n_mappings; j++) {
      const imt_mapping *m = &c->mappings[j];
      if (!*m->system)
        continue;
      imt_buf_printf(&b, "imt:%s\t", c->id);
      tsv_cell(&b, c->pref[IMT_LANG_EN]);
      imt_buf_printf(&b, "\t%s\t%s:%s\t", m->predicate, m->system, m->code);
      tsv_cell(&b, m->display);
      imt_buf_printf(&b, "\t%s\n", *m->justification ? m->justification : "semapv:ManualMappingCuration");
    }
  }
  if (b.oom) {
    imt_buf_free(&b);
    return NULL;
  }
  return imt_buf_steal(&b, len);
}

/* One RFC 4180 field: quoted when it holds a comma, quote or line break. */
static void csv_field(imt_buf *b, const char *s, int last)
{
  if (strpbrk(s, ",\"\r\n")) {
    imt_buf_putc(b, '"');
    for (const char *p = s; *p; p++) {
      if (*p == '"')
        imt_buf_putc(b, '"');
      imt_buf_putc(b, *p);
    }
    imt_buf_putc(b, '"');
  } else
    imt_buf_puts(b, s);
  imt_buf_puts(b, last ? "\r\n" : ",");
}

static void join_labels(imt_buf *out, const imt_concept *c, int kind, int lang)
{
  imt_buf_reset(out);
  for (uint32_t i = 0; i < c->n_labels; i++)
    if (c->labels[i].kind == kind && (lang < 0 || c->labels[i].lang == lang)) {
      if (out->len)
        imt_buf_puts(out, " | ");
      imt_buf_puts(out, c->labels[i].text);
      if (lang < 0)
        imt_buf_printf(out, "@%s", c->labels[i].lang_tag);
    }
  if (!out->data)
    imt_buf_puts(out, "");
}

char *imt_export_csv(const imt_snapshot *s, size_t *len)
{
  static const char *const kinds[] = {"", "grouping", "finding", "sign", "descriptor", "category"};
  imt_buf b = IMT_BUF_INIT, cell = IMT_BUF_INIT;
  imt_buf_puts(&b, "id,iri,kind,pref_zh,pref_en,alt_zh,alt_en,hidden,definition_zh,definition_en,parents,deprecated,replaced_by,mappings\r\n");
  for (uint32_t i = 0; i < s->n_concepts && !b.oom && !cell.oom; i++) {
    const imt_concept *c = &s->concepts[i];
    csv_field(&b, c->id, 0);
    csv_field(&b, c->iri, 0);
    csv_field(&b, c->kind < 6 ? kinds[c->kind] : "", 0);
    csv_field(&b, c->pref[IMT_LANG_ZH], 0);
    csv_field(&b, c->pref[IMT_LANG_EN], 0);
    join_labels(&cell, c, IMT_LABEL_ALT, IMT_LANG_ZH);
    csv_field(&b, cell.data, 0);
    join_labels(&cell, c, IMT_LABEL_ALT, IMT_LANG_EN);
    csv_field(&b, cell.data, 0);
    join_labels(&cell, c, IMT_LABEL_HIDDEN, -1);
    csv_field(&b, cell.data, 0);
    csv_field(&b, c->def[IMT_LANG_ZH], 0);
    csv_field(&b, c->def[IMT_LANG_EN], 0);
    imt_buf_reset(&cell);
    for (uint32_t j = 0; j < c->n_parents; j++)
      imt_buf_printf(&cell, "%s%s", j ? " | " : "", s->concepts[c->parents[j]].id);
    csv_field(&b, cell.data ? cell.data : "", 0);
    csv_field(&b, c->deprecated ? "true" : "false", 0);
    csv_field(&b, c->replaced_by >= 0 ? s->concepts[c->replaced_by].id : "", 0);
    imt_buf_reset(&cell);
    for (uint32_t j = 0, n = 0; j < c->n_mappings; j++)
      if (*c->mappings[j].system)
        imt_buf_printf(&cell, "%s%s:%s %s", n++ ? " | " : "", c->mappings[j].system, c->mappings[j].code,
                       c->mappings[j].predicate);
    csv_field(&b, cell.data ? cell.data : "", 1);
  }
  if (b.oom || cell.oom) {
    imt_buf_free(&b);
    imt_buf_free(&cell);
    return NULL;
  }
  imt_buf_free(&cell);
  return imt_buf_steal(&b, len);
}

const imt_mapping *imt_export_dicom_code(const imt_concept *c)
{
  static const char *const order[] = {"SCT", "DCM", "RADLEX"};
  for (size_t k = 0; k < sizeof order / sizeof order[0]; k++)
    for (uint32_t j = 0; j < c->n_mappings; j++)
      if (!strcmp(c->mappings[j].system, order[k]) && !strcmp(c->mappings[j].predicate, "skos:exactMatch"))
        return &c->mappings[j];
  return NULL;
}

/* Add CodeValue/CodingSchemeDesignator/CodeMeaning (LO: at most 64 characters) to o. */
static int add_triplet(cJSON *o, const imt_mapping *m, const char *fallback)
{
  const imt_system *sys = imt_system_by_name(m->system);
  const char *meaning = *m->display ? m->display : fallback;
  char buf[256];
  size_t n = strlen(meaning), cps = 0, i;
  /* cut at 64 code points, never inside a UTF-8 sequence */
  for (i = 0; i < n && i < sizeof buf - 1; i++) {
    if (((unsigned char)meaning[i] & 0xC0) != 0x80 && ++cps > 64)
      break;
    buf[i] = meaning[i];
  }
  buf[i] = '\0';
  return cJSON_AddStringToObject(o, "CodeMeaning", buf) &&
         cJSON_AddStringToObject(o, "CodingSchemeDesignator", sys ? sys->dicom_scheme : m->system) &&
         cJSON_AddStringToObject(o, "CodeValue", m->code) ? 0 : IMT_ERR_NOMEM;
}

/* A stable display colour per code (HSV-ish spread from the hash), as [r, g, b]. */
static cJSON *colour(const char *code)
{
  uint64_t h = imt_hash(code, strlen(code));
  int rgb[3] = {64 + (int)(h & 0xBF), 64 + (int)((h >> 8) & 0xBF), 64 + (int)((h >> 16) & 0xBF)};
  return cJSON_CreateIntArray(rgb, 3);
}

char *imt_export_slicer(const imt_snapshot *s, size_t *len)
{
  cJSON *doc = cJSON_CreateObject(), *codes, *cats, *cat, *types;
  char name[160], *out = NULL;
  static const imt_mapping category = {"SCT", "49755003", "http://snomed.info/id/49755003",
                                       "Morphologically Abnormal Structure", "skos:exactMatch", ""};
  if (!doc)
    return NULL;
  snprintf(name, sizeof name, "imterm imaging findings and signs %s", s->version);
  cJSON_AddStringToObject(doc, "SegmentationCategoryTypeContextName", name);
  cJSON_AddStringToObject(doc, "@schema",
                          "https://raw.githubusercontent.com/qiicr/dcmqi/master/doc/schemas/segment-context-schema.json#");
  codes = cJSON_AddObjectToObject(doc, "SegmentationCodes");
  cats = codes ? cJSON_AddArrayToObject(codes, "Category") : NULL;
  cat = cJSON_CreateObject();
  if (!cats || !cat || !cJSON_AddItemToArray(cats, cat) || add_triplet(cat, &category, ""))
    goto done;
  cJSON_AddBoolToObject(cat, "showAnatomy", 1);
  if (!(types = cJSON_AddArrayToObject(cat, "Type")))
    goto done;
  for (uint32_t i = 0; i < s->n_concepts; i++) {
    const imt_concept *c = &s->concepts[i];
    const imt_mapping *m;
    cJSON *t, *mods = NULL;
    if ((c->kind != IMT_KIND_FINDING && c->kind != IMT_KIND_SIGN) || c->deprecated || !(m = imt_export_dicom_code(c)))
      continue;
    t = cJSON_CreateObject();
    if (!t || !cJSON_AddItemToArray(types, t) || add_triplet(t, m, c->pref[IMT_LANG_EN]))
      goto done;
    cJSON_AddItemToObject(t, "recommendedDisplayRGBValue", colour(m->code));
    cJSON_AddStringToObject(t, "3dSlicerLabel", c->pref[IMT_LANG_EN]);
    if (!strcmp(m->system, "SCT"))
      cJSON_AddStringToObject(t, "SNOMEDCTConceptID", m->code);
    for (uint32_t k = 0; k < c->n_children; k++) {
      const imt_concept *ch = &s->concepts[c->children[k]];
      const imt_mapping *cm = ch->deprecated ? NULL : imt_export_dicom_code(ch);
      cJSON *mo;
      if (!cm || (!strcmp(cm->system, m->system) && !strcmp(cm->code, m->code)))
        continue;
      if (!mods && !(mods = cJSON_AddArrayToObject(t, "Modifier")))
        goto done;
      mo = cJSON_CreateObject();
      if (!mo || !cJSON_AddItemToArray(mods, mo) || add_triplet(mo, cm, ch->pref[IMT_LANG_EN]))
        goto done;
      cJSON_AddItemToObject(mo, "recommendedDisplayRGBValue", colour(cm->code));
      if (!strcmp(cm->system, "SCT"))
        cJSON_AddStringToObject(mo, "SNOMEDCTConceptID", cm->code);
    }
  }
  out = cJSON_Print(doc);
  if (out && len)
    *len = strlen(out);
done:
  cJSON_Delete(doc);
  return out;
}
