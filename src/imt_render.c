/* imt_render.c - concept and mapping JSON, one definition for every endpoint and command. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_json.h"
#include "imt_render.h"
#include "imt_systems.h"

static cJSON *lang_pair(const char *zh, const char *en)
{
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "zh", zh ? zh : "");
  cJSON_AddStringToObject(o, "en", en ? en : "");
  return o;
}

cJSON *imt_render_concept_brief(const imt_snapshot *s, const imt_concept *c)
{
  cJSON *o = cJSON_CreateObject();
  (void)s;
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "id", c->id);
  cJSON_AddStringToObject(o, "iri", c->iri);
  cJSON_AddItemToObject(o, "prefLabel", lang_pair(c->pref[IMT_LANG_ZH], c->pref[IMT_LANG_EN]));
  if (c->deprecated)
    cJSON_AddBoolToObject(o, "deprecated", 1);
  return o;
}

int imt_render_concept_brief_buf(imt_buf *b, const imt_snapshot *s, const imt_concept *c)
{
  (void)s;
  imt_buf_putc(b, '{');
  imt_json_put_key(b, "id");
  imt_json_put_string(b, c->id);
  imt_buf_putc(b, ',');
  imt_json_put_key(b, "iri");
  imt_json_put_string(b, c->iri);
  imt_buf_puts(b, ",\"prefLabel\":{\"zh\":");
  imt_json_put_string(b, c->pref[IMT_LANG_ZH] ? c->pref[IMT_LANG_ZH] : "");
  imt_buf_puts(b, ",\"en\":");
  imt_json_put_string(b, c->pref[IMT_LANG_EN] ? c->pref[IMT_LANG_EN] : "");
  imt_buf_putc(b, '}');
  if (c->deprecated)
    imt_buf_puts(b, ",\"deprecated\":true");
  return imt_buf_putc(b, '}');
}

cJSON *imt_render_mapping(const imt_mapping *m)
{
  cJSON *o = cJSON_CreateObject(), *d;
  const imt_system *sys = imt_system_by_name(m->system);
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "system", m->system);
  cJSON_AddStringToObject(o, "code", m->code);
  cJSON_AddStringToObject(o, "display", m->display);
  cJSON_AddStringToObject(o, "predicate", m->predicate);
  cJSON_AddStringToObject(o, "iri", m->iri);
  if (sys) {
    cJSON_AddStringToObject(o, "systemUri", sys->fhir_uri);
    d = cJSON_AddObjectToObject(o, "dicom");
    if (d) {
      cJSON_AddStringToObject(d, "CodeValue", m->code);
      cJSON_AddStringToObject(d, "CodingSchemeDesignator", sys->dicom_scheme);
      cJSON_AddStringToObject(d, "CodeMeaning", m->display);
    }
  }
  return o;
}

static const char *kind_name(uint8_t k)
{
  static const char *const names[] = {"", "grouping", "finding", "sign", "descriptor", "category"};
  return k < sizeof names / sizeof names[0] ? names[k] : "";
}

cJSON *imt_render_concept(const imt_snapshot *s, const imt_concept *c)
{
  cJSON *o = imt_render_concept_brief(s, c), *alt, *zh, *en, *hidden, *arr;
  if (!o) return NULL;
  alt = cJSON_AddObjectToObject(o, "altLabel");
  zh = alt ? cJSON_AddArrayToObject(alt, "zh") : NULL;
  en = alt ? cJSON_AddArrayToObject(alt, "en") : NULL;
  hidden = cJSON_AddArrayToObject(o, "hiddenLabel");
  for (uint32_t i = 0; i < c->n_labels; i++) {
    const imt_label *l = &c->labels[i];
    if (l->kind == IMT_LABEL_ALT && l->lang == IMT_LANG_ZH && zh)
      cJSON_AddItemToArray(zh, cJSON_CreateString(l->text));
    else if (l->kind == IMT_LABEL_ALT && l->lang == IMT_LANG_EN && en)
      cJSON_AddItemToArray(en, cJSON_CreateString(l->text));
    else if (l->kind == IMT_LABEL_HIDDEN && hidden) {
      cJSON *h = cJSON_CreateObject();
      cJSON_AddStringToObject(h, "label", l->text);
      cJSON_AddStringToObject(h, "lang", l->lang_tag);
      cJSON_AddItemToArray(hidden, h);
    }
  }
  cJSON_AddItemToObject(o, "definition", lang_pair(c->def[IMT_LANG_ZH], c->def[IMT_LANG_EN]));
  cJSON_AddStringToObject(o, "kind", kind_name(c->kind));
  arr = cJSON_AddArrayToObject(o, "parents");
  for (uint32_t i = 0; arr && i < c->n_parents; i++)
    cJSON_AddItemToArray(arr, imt_render_concept_brief(s, &s->concepts[c->parents[i]]));
  cJSON_AddNumberToObject(o, "childCount", c->n_children);
  cJSON_AddNumberToObject(o, "descendantCount", c->n_descendants);
  cJSON_AddNumberToObject(o, "depth", c->depth);
  arr = cJSON_AddArrayToObject(o, "mappings");
  for (uint32_t i = 0; arr && i < c->n_mappings; i++)
    cJSON_AddItemToArray(arr, imt_render_mapping(&c->mappings[i]));
  cJSON_AddBoolToObject(o, "deprecated", c->deprecated);
  if (c->replaced_by >= 0)
    cJSON_AddItemToObject(o, "replacedBy", imt_render_concept_brief(s, &s->concepts[c->replaced_by]));
  else
    cJSON_AddNullToObject(o, "replacedBy");
  if (*c->source)
    cJSON_AddStringToObject(o, "source", c->source);
  return o;
}
