/* imt_fhir.c - FHIR R4 resources of imterm (CodeSystem, ValueSet, ConceptMap, capability
 * statements, Bundles, OperationOutcome) and the Parameters reader. Operations: imt_fhir_ops.c. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_fhir.h"
#include "imt_fhir_int.h"
#include "imt_systems.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- parameters ----------------------------------------------------------------------------- */

static void coding_free(imt_fhir_coding *c)
{
  free(c->system);
  free(c->version);
  free(c->code);
  free(c->display);
}

void imt_fhir_params_free(imt_fhir_params *ps)
{
  for (size_t i = 0; i < ps->n; i++) {
    free(ps->p[i].name);
    free(ps->p[i].value);
    for (size_t j = 0; j < ps->p[i].n_codings; j++)
      coding_free(&ps->p[i].codings[j]);
    free(ps->p[i].codings);
  }
  free(ps->p);
  ps->p = NULL;
  ps->n = ps->cap = 0;
}

/* Append an empty parameter named name; returns it or NULL on OOM. */
static imt_fhir_param *param_new(imt_fhir_params *ps, const char *name)
{
  imt_fhir_param *p;
  if (ps->n == ps->cap) {
    size_t cap = ps->cap ? ps->cap * 2 : 8;
    imt_fhir_param *n = imt_realloc(ps->p, cap * sizeof *n);
    if (!n)
      return NULL;
    ps->p = n;
    ps->cap = cap;
  }
  p = &ps->p[ps->n];
  memset(p, 0, sizeof *p);
  if (!(p->name = imt_strdup(name)))
    return NULL;
  ps->n++;
  return p;
}

int imt_fhir_params_add(imt_fhir_params *ps, const char *name, const char *value)
{
  imt_fhir_param *p = param_new(ps, name);
  if (!p || !(p->value = imt_strdup(value)))
    return IMT_ERR_NOMEM;
  return 0;
}

int imt_fhir_params_add_coding_text(imt_fhir_params *ps, const char *name, const char *text)
{
  imt_fhir_param *p = param_new(ps, name);
  const char *bar = strchr(text, '|');
  if (!p || !(p->codings = IMT_CALLOC(imt_fhir_coding, 1)))
    return IMT_ERR_NOMEM;
  p->n_codings = 1;
  p->kind = IMT_FHIR_P_CODING;
  if (bar) {
    if (bar > text && !(p->codings[0].system = imt_strndup(text, (size_t)(bar - text))))
      return IMT_ERR_NOMEM;
    text = bar + 1;
  }
  if (*text && !(p->codings[0].code = imt_strdup(text)))
    return IMT_ERR_NOMEM;
  return 0;
}

/* Copy the string member name of o into *out; -1 when present but not a string. */
static int take_str(const cJSON *o, const char *name, char **out, int *oom)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
  if (!v)
    return 0;
  if (!cJSON_IsString(v))
    return -1;
  if (!(*out = imt_strdup(v->valuestring)))
    *oom = 1;
  return 0;
}

/* Read a Coding object into c; returns NULL or an error message. Unknown members are errors. */
static const char *read_coding(const cJSON *o, imt_fhir_coding *c, int *oom)
{
  static const char *const allowed[] = {"system", "version", "code", "display", "userSelected", "id", "extension", NULL};
  if (!cJSON_IsObject(o))
    return "a Coding must be a JSON object";
  for (const cJSON *m = o->child; m; m = m->next) {
    int ok = 0;
    for (int i = 0; allowed[i]; i++)
      if (!strcmp(m->string, allowed[i]))
        ok = 1;
    if (!ok)
      return "a Coding has an unknown member (allowed: system, version, code, display, userSelected)";
  }
  if (take_str(o, "system", &c->system, oom) || take_str(o, "version", &c->version, oom) ||
      take_str(o, "code", &c->code, oom) || take_str(o, "display", &c->display, oom))
    return "Coding.system, version, code and display must be strings";
  return NULL;
}

int imt_fhir_params_parse(imt_fhir_params *ps, const char *json, size_t len, char *msg, size_t msglen)
{
  cJSON *doc = cJSON_ParseWithLength(json, len), *arr, *rt;
  int rc = IMT_ERR_INVALID, oom = 0;
  size_t idx = 0;
  if (!doc) {
    snprintf(msg, msglen, "the request body is not valid JSON");
    return IMT_ERR_SYNTAX;
  }
  rt = cJSON_GetObjectItemCaseSensitive(doc, "resourceType");
  if (!cJSON_IsObject(doc) || !cJSON_IsString(rt) || strcmp(rt->valuestring, "Parameters") != 0) {
    snprintf(msg, msglen, "the request body must be a FHIR Parameters resource (resourceType \"Parameters\")");
    goto done;
  }
  for (const cJSON *m = doc->child; m; m = m->next)
    if (strcmp(m->string, "resourceType") && strcmp(m->string, "parameter") && strcmp(m->string, "id") &&
        strcmp(m->string, "meta")) {
      snprintf(msg, msglen, "Parameters has an unknown member '%.60s'", m->string);
      goto done;
    }
  arr = cJSON_GetObjectItemCaseSensitive(doc, "parameter");
  if (arr && !cJSON_IsArray(arr)) {
    snprintf(msg, msglen, "Parameters.parameter must be an array");
    goto done;
  }
  for (const cJSON *it = arr ? arr->child : NULL; it; it = it->next, idx++) {
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(it, "name"), *val = NULL;
    const char *vkey = NULL;
    imt_fhir_param *p;
    if (!cJSON_IsObject(it) || !cJSON_IsString(name) || !*name->valuestring) {
      snprintf(msg, msglen, "parameter[%zu] must be an object with a non-empty string 'name'", idx);
      goto done;
    }
    for (const cJSON *m = it->child; m; m = m->next) {
      if (!strcmp(m->string, "name"))
        continue;
      if (!strncmp(m->string, "value", 5) || !strcmp(m->string, "resource") || !strcmp(m->string, "part")) {
        if (vkey) {
          snprintf(msg, msglen, "parameter[%zu] ('%.40s') has more than one value", idx, name->valuestring);
          goto done;
        }
        vkey = m->string;
        val = m;
      } else {
        snprintf(msg, msglen, "parameter[%zu] ('%.40s') has an unknown member '%.40s'", idx, name->valuestring, m->string);
        goto done;
      }
    }
    if (!vkey) {
      snprintf(msg, msglen, "parameter[%zu] ('%.40s') has no value", idx, name->valuestring);
      goto done;
    }
    if (!(p = param_new(ps, name->valuestring))) {
      oom = 1;
      goto done;
    }
    if (!strcmp(vkey, "resource") || !strcmp(vkey, "part")) {
      p->kind = IMT_FHIR_P_RESOURCE;
      if (!cJSON_IsObject(val) && !cJSON_IsArray(val)) {
        snprintf(msg, msglen, "parameter '%.40s': %s must be an object", name->valuestring, vkey);
        goto done;
      }
    } else if (!strcmp(vkey, "valueCoding")) {
      const char *e;
      p->kind = IMT_FHIR_P_CODING;
      if (!(p->codings = IMT_CALLOC(imt_fhir_coding, 1))) { oom = 1; goto done; }
      p->n_codings = 1;
      if ((e = read_coding(val, p->codings, &oom))) {
        snprintf(msg, msglen, "parameter '%.40s': %s", name->valuestring, e);
        goto done;
      }
    } else if (!strcmp(vkey, "valueCodeableConcept")) {
      const cJSON *codings = cJSON_GetObjectItemCaseSensitive(val, "coding");
      size_t n = 0;
      p->kind = IMT_FHIR_P_CONCEPT;
      if (!cJSON_IsObject(val) || (codings && !cJSON_IsArray(codings))) {
        snprintf(msg, msglen, "parameter '%.40s': valueCodeableConcept must be an object whose coding is an array", name->valuestring);
        goto done;
      }
      n = codings ? (size_t)cJSON_GetArraySize(codings) : 0;
      if (n && !(p->codings = IMT_CALLOC(imt_fhir_coding, n))) { oom = 1; goto done; }
      p->n_codings = n;
      n = 0;
      for (const cJSON *c = codings ? codings->child : NULL; c; c = c->next, n++) {
        const char *e = read_coding(c, &p->codings[n], &oom);
        if (e) {
          snprintf(msg, msglen, "parameter '%.40s': coding[%zu]: %s", name->valuestring, n, e);
          goto done;
        }
      }
    } else {
      static const char *const strtypes[] = {"valueString", "valueCode", "valueUri", "valueUrl", "valueCanonical",
                                             "valueId", "valueDateTime", "valueDate", "valueMarkdown", "valueOid", NULL};
      int known = 0;
      char num[64];
      for (int i = 0; strtypes[i]; i++)
        if (!strcmp(vkey, strtypes[i])) {
          known = 1;
          if (!cJSON_IsString(val)) {
            snprintf(msg, msglen, "parameter '%.40s': %s must be a JSON string", name->valuestring, vkey);
            goto done;
          }
          if (!(p->value = imt_strdup(val->valuestring))) { oom = 1; goto done; }
        }
      if (!known && !strcmp(vkey, "valueBoolean")) {
        known = 1;
        if (!cJSON_IsBool(val)) {
          snprintf(msg, msglen, "parameter '%.40s': valueBoolean must be true or false", name->valuestring);
          goto done;
        }
        if (!(p->value = imt_strdup(cJSON_IsTrue(val) ? "true" : "false"))) { oom = 1; goto done; }
      }
      if (!known && (!strcmp(vkey, "valueInteger") || !strcmp(vkey, "valueUnsignedInt") || !strcmp(vkey, "valuePositiveInt"))) {
        known = 1;
        /* range first: casting an out-of-range double to an integer is undefined behaviour */
        if (!cJSON_IsNumber(val) || !(val->valuedouble >= -2147483648.0 && val->valuedouble <= 2147483647.0) ||
            val->valuedouble != (double)(long long)val->valuedouble) {
          snprintf(msg, msglen, "parameter '%.40s': %s must be an integer", name->valuestring, vkey);
          goto done;
        }
        snprintf(num, sizeof num, "%lld", (long long)val->valuedouble);
        if (!(p->value = imt_strdup(num))) { oom = 1; goto done; }
      }
      if (!known) {
        snprintf(msg, msglen, "parameter '%.40s': unsupported value type %.40s", name->valuestring, vkey);
        goto done;
      }
    }
  }
  rc = 0;
done:
  cJSON_Delete(doc);
  if (oom) {
    snprintf(msg, msglen, "out of memory");
    return IMT_ERR_NOMEM;
  }
  return rc;
}

/* ---- small builders ------------------------------------------------------------------------- */

cJSON *imt_fhir_outcome(const char *severity, const char *code, const char *fmt, ...)
{
  char text[768];
  va_list ap;
  cJSON *o = cJSON_CreateObject(), *issues, *is, *details;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  if (!o)
    return NULL;
  cJSON_AddStringToObject(o, "resourceType", "OperationOutcome");
  issues = cJSON_AddArrayToObject(o, "issue");
  is = cJSON_CreateObject();
  if (!issues || !is || !cJSON_AddItemToArray(issues, is)) {
    cJSON_Delete(is);
    cJSON_Delete(o);
    return NULL;
  }
  cJSON_AddStringToObject(is, "severity", severity);
  cJSON_AddStringToObject(is, "code", code);
  details = cJSON_AddObjectToObject(is, "details");
  if (details)
    cJSON_AddStringToObject(details, "text", text);
  cJSON_AddStringToObject(is, "diagnostics", text);
  return o;
}

imt_fhir_result imt_fhir_fail(int status, const char *code, const char *fmt, ...)
{
  char text[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  return (imt_fhir_result){status, imt_fhir_outcome("error", code, "%s", text)};
}

cJSON *imt_fhir_coding_json(const char *system, const char *version, const char *code, const char *display)
{
  cJSON *c = cJSON_CreateObject();
  if (!c)
    return NULL;
  if (system) cJSON_AddStringToObject(c, "system", system);
  if (version && *version) cJSON_AddStringToObject(c, "version", version);
  if (code) cJSON_AddStringToObject(c, "code", code);
  if (display && *display) cJSON_AddStringToObject(c, "display", display);
  return c;
}

const char *imt_fhir_cs_url(const imt_snapshot *s) { return s->scheme_iri; }

/* Display of concept c in language lang (IMT_LANG_ZH/EN), falling back to the other. */
const char *imt_fhir_display(const imt_concept *c, int lang)
{
  const char *d = c->pref[lang];
  return d && *d ? d : c->pref[lang == IMT_LANG_EN ? IMT_LANG_ZH : IMT_LANG_EN];
}

/* Designation "use" coding of a label kind. */
cJSON *imt_fhir_designation_use(int kind)
{
  switch (kind) {
  case IMT_LABEL_PREF:
    return imt_fhir_coding_json("http://terminology.hl7.org/CodeSystem/designation-usage", NULL, "display", "Display");
  case IMT_LABEL_ALT:
    return imt_fhir_coding_json("http://snomed.info/sct", NULL, "900000000000013009", "Synonym");
  case IMT_LABEL_HIDDEN:
    return imt_fhir_coding_json(IMT_FHIR_DESIGNATION_USE, NULL, "hidden", "Hidden label (matching only)");
  default:
    return imt_fhir_coding_json("http://snomed.info/sct", NULL, "900000000000550004", "Definition");
  }
}

/* CodeSystem.concept.designation entries of c (labels, then definitions as "Definition"). */
cJSON *imt_fhir_designations(const imt_concept *c)
{
  cJSON *arr = cJSON_CreateArray();
  if (!arr)
    return NULL;
  for (uint32_t i = 0; i < c->n_labels; i++) {
    cJSON *d = cJSON_CreateObject();
    if (!d || !cJSON_AddItemToArray(arr, d)) { cJSON_Delete(d); goto oom; }
    cJSON_AddStringToObject(d, "language", c->labels[i].lang_tag);
    cJSON_AddItemToObject(d, "use", imt_fhir_designation_use(c->labels[i].kind));
    cJSON_AddStringToObject(d, "value", c->labels[i].text);
  }
  for (int l = 0; l < 2; l++)
    if (c->def[l] && *c->def[l]) {
      cJSON *d = cJSON_CreateObject();
      if (!d || !cJSON_AddItemToArray(arr, d)) { cJSON_Delete(d); goto oom; }
      cJSON_AddStringToObject(d, "language", l == IMT_LANG_ZH ? "zh" : "en");
      cJSON_AddItemToObject(d, "use", imt_fhir_designation_use(-1));
      cJSON_AddStringToObject(d, "value", c->def[l]);
    }
  return arr;
oom:
  cJSON_Delete(arr);
  return NULL;
}

const char *imt_fhir_kind_code(uint8_t k)
{
  static const char *const names[] = {"", "grouping", "finding", "sign", "descriptor", "category"};
  return k < sizeof names / sizeof names[0] ? names[k] : "";
}

/* Property definitions of the CodeSystem, shared by the resource and TerminologyCapabilities. */
const imt_fhir_prop imt_fhir_props[] = {
  {"parent", "http://hl7.org/fhir/concept-properties#parent", "code", "A direct parent (skos:broader)."},
  {"child", "http://hl7.org/fhir/concept-properties#child", "code", "A direct child (skos:narrower)."},
  {"inactive", "http://hl7.org/fhir/concept-properties#inactive", "boolean", "True when the concept is deprecated (owl:deprecated)."},
  {"kind", "https://w3id.org/imterm/ontology#kind", "code",
   "Concept kind: grouping, finding, sign, descriptor or category (imto: classes)."},
  {"replacedBy", "http://purl.org/dc/terms/isReplacedBy", "code", "The concept that replaces this deprecated one."},
  {NULL, NULL, NULL, NULL}
};

static void add_prop(cJSON *arr, const char *code, const char *vtype, const char *sval, int bval)
{
  cJSON *p = cJSON_CreateObject();
  if (!p || !cJSON_AddItemToArray(arr, p)) {
    cJSON_Delete(p);
    return;
  }
  cJSON_AddStringToObject(p, "code", code);
  if (!strcmp(vtype, "valueBoolean"))
    cJSON_AddBoolToObject(p, vtype, bval);
  else
    cJSON_AddStringToObject(p, vtype, sval);
}

/* One CodeSystem.concept entry. */
static cJSON *cs_concept(const imt_snapshot *s, const imt_concept *c)
{
  cJSON *o = cJSON_CreateObject(), *props;
  if (!o)
    return NULL;
  cJSON_AddStringToObject(o, "code", c->id);
  cJSON_AddStringToObject(o, "display", imt_fhir_display(c, IMT_LANG_EN));
  if (c->def[IMT_LANG_EN] && *c->def[IMT_LANG_EN])
    cJSON_AddStringToObject(o, "definition", c->def[IMT_LANG_EN]);
  cJSON_AddItemToObject(o, "designation", imt_fhir_designations(c));
  props = cJSON_AddArrayToObject(o, "property");
  if (!props) {
    cJSON_Delete(o);
    return NULL;
  }
  for (uint32_t i = 0; i < c->n_parents; i++)
    add_prop(props, "parent", "valueCode", s->concepts[c->parents[i]].id, 0);
  for (uint32_t i = 0; i < c->n_children; i++)
    add_prop(props, "child", "valueCode", s->concepts[c->children[i]].id, 0);
  if (*imt_fhir_kind_code(c->kind))
    add_prop(props, "kind", "valueCode", imt_fhir_kind_code(c->kind), 0);
  if (c->deprecated)
    add_prop(props, "inactive", "valueBoolean", NULL, 1);
  if (c->replaced_by >= 0)
    add_prop(props, "replacedBy", "valueCode", s->concepts[c->replaced_by].id, 0);
  return o;
}

/* Metadata shared by the canonical resources. */
static void add_canonical_meta(cJSON *o, const imt_snapshot *s)
{
  cJSON_AddStringToObject(o, "status", "active");
  cJSON_AddBoolToObject(o, "experimental", 0);
  if (*s->modified)
    cJSON_AddStringToObject(o, "date", s->modified);
  cJSON_AddStringToObject(o, "publisher", "imterm project");
}

cJSON *imt_fhir_codesystem(const imt_snapshot *s, int with_concepts)
{
  cJSON *o = cJSON_CreateObject(), *arr, *ext;
  char vs[512];
  if (!o)
    return NULL;
  snprintf(vs, sizeof vs, "%s?fhir_vs", imt_fhir_cs_url(s));
  cJSON_AddStringToObject(o, "resourceType", "CodeSystem");
  cJSON_AddStringToObject(o, "id", IMT_FHIR_CS_ID);
  cJSON_AddStringToObject(o, "url", imt_fhir_cs_url(s));
  if ((arr = cJSON_AddArrayToObject(o, "identifier"))) {
    cJSON *id = cJSON_CreateObject();
    if (id && cJSON_AddItemToArray(arr, id)) {
      cJSON_AddStringToObject(id, "system", "urn:ietf:rfc:3986");
      cJSON_AddStringToObject(id, "value", imt_fhir_cs_url(s));
    } else
      cJSON_Delete(id);
  }
  cJSON_AddStringToObject(o, "version", s->version);
  cJSON_AddStringToObject(o, "name", "Imterm");
  cJSON_AddStringToObject(o, "title", s->title[IMT_LANG_EN]);
  /* the Chinese title as a translation extension on title */
  if (s->title[IMT_LANG_ZH] && *s->title[IMT_LANG_ZH] && (ext = cJSON_AddObjectToObject(o, "_title"))) {
    cJSON *exts = cJSON_AddArrayToObject(ext, "extension"), *tr = cJSON_CreateObject(), *parts;
    if (exts && tr && cJSON_AddItemToArray(exts, tr)) {
      cJSON_AddStringToObject(tr, "url", "http://hl7.org/fhir/StructureDefinition/translation");
      parts = cJSON_AddArrayToObject(tr, "extension");
      if (parts) {
        cJSON *l = cJSON_CreateObject(), *c = cJSON_CreateObject();
        if (l && cJSON_AddItemToArray(parts, l)) {
          cJSON_AddStringToObject(l, "url", "lang");
          cJSON_AddStringToObject(l, "valueCode", "zh");
        } else cJSON_Delete(l);
        if (c && cJSON_AddItemToArray(parts, c)) {
          cJSON_AddStringToObject(c, "url", "content");
          cJSON_AddStringToObject(c, "valueString", s->title[IMT_LANG_ZH]);
        } else cJSON_Delete(c);
      }
    } else
      cJSON_Delete(tr);
  }
  add_canonical_meta(o, s);
  cJSON_AddStringToObject(o, "description", s->description[IMT_LANG_EN]);
  if (*s->license)
    cJSON_AddStringToObject(o, "copyright", s->license);
  cJSON_AddStringToObject(o, "language", "en");
  cJSON_AddBoolToObject(o, "caseSensitive", 1);
  cJSON_AddStringToObject(o, "valueSet", vs);
  cJSON_AddStringToObject(o, "hierarchyMeaning", "is-a");
  cJSON_AddBoolToObject(o, "compositional", 0);
  cJSON_AddBoolToObject(o, "versionNeeded", 0);
  cJSON_AddStringToObject(o, "content", with_concepts ? "complete" : "not-present");
  cJSON_AddNumberToObject(o, "count", s->n_concepts);
  if ((arr = cJSON_AddArrayToObject(o, "property")))
    for (const imt_fhir_prop *p = imt_fhir_props; p->code; p++) {
      cJSON *d = cJSON_CreateObject();
      if (!d || !cJSON_AddItemToArray(arr, d)) { cJSON_Delete(d); break; }
      cJSON_AddStringToObject(d, "code", p->code);
      cJSON_AddStringToObject(d, "uri", p->uri);
      cJSON_AddStringToObject(d, "description", p->description);
      cJSON_AddStringToObject(d, "type", p->type);
    }
  if (with_concepts && (arr = cJSON_AddArrayToObject(o, "concept")))
    for (uint32_t i = 0; i < s->n_concepts; i++) {
      cJSON *c = cs_concept(s, &s->concepts[i]);
      if (!c || !cJSON_AddItemToArray(arr, c)) {
        cJSON_Delete(c);
        cJSON_Delete(o);
        return NULL;
      }
    }
  return o;
}

/* The implicit "all codes" ValueSet as a resource (id "imterm"). */
static cJSON *valueset_all(const imt_snapshot *s)
{
  cJSON *o = cJSON_CreateObject(), *compose, *inc, *one;
  char url[512];
  if (!o)
    return NULL;
  snprintf(url, sizeof url, "%s?fhir_vs", imt_fhir_cs_url(s));
  cJSON_AddStringToObject(o, "resourceType", "ValueSet");
  cJSON_AddStringToObject(o, "id", IMT_FHIR_CS_ID);
  cJSON_AddStringToObject(o, "url", url);
  cJSON_AddStringToObject(o, "version", s->version);
  cJSON_AddStringToObject(o, "name", "ImtermAll");
  cJSON_AddStringToObject(o, "title", "All codes of the imterm code system");
  add_canonical_meta(o, s);
  compose = cJSON_AddObjectToObject(o, "compose");
  inc = compose ? cJSON_AddArrayToObject(compose, "include") : NULL;
  one = cJSON_CreateObject();
  if (!inc || !one || !cJSON_AddItemToArray(inc, one)) {
    cJSON_Delete(one);
    cJSON_Delete(o);
    return NULL;
  }
  cJSON_AddStringToObject(one, "system", imt_fhir_cs_url(s));
  cJSON_AddStringToObject(one, "version", s->version);
  return o;
}

/* Lowercase ConceptMap id for system sys ("imterm-to-radlex"). */
void imt_fhir_cm_id(const imt_system *sys, char *buf, size_t n)
{
  size_t l;
  snprintf(buf, n, "imterm-to-%s", sys->name);
  for (l = 0; buf[l]; l++)
    buf[l] = (char)tolower((unsigned char)buf[l]);
}

/* ConceptMap target.equivalence (R4) of a SKOS mapping predicate read imterm concept -> target:
 * see docs/fhir.md for the table. */
const char *imt_fhir_equivalence(const char *predicate)
{
  if (!strcmp(predicate, "skos:exactMatch")) return "equivalent";
  if (!strcmp(predicate, "skos:closeMatch")) return "inexact";
  if (!strcmp(predicate, "skos:broadMatch")) return "wider";
  if (!strcmp(predicate, "skos:narrowMatch")) return "narrower";
  return "relatedto";
}

cJSON *imt_fhir_conceptmap(const imt_snapshot *s, const char *system_name)
{
  const imt_system *sys = imt_system_by_name(system_name);
  cJSON *o, *groups, *g, *elems;
  char id[64], url[256], title[160], src[512], tgt[300];
  if (!sys)
    return NULL;
  if (!(o = cJSON_CreateObject()))
    return NULL;
  imt_fhir_cm_id(sys, id, sizeof id);
  snprintf(url, sizeof url, "%s%s", IMT_FHIR_CM_BASE, id);
  snprintf(title, sizeof title, "imterm to %s", sys->title);
  snprintf(src, sizeof src, "%s?fhir_vs", imt_fhir_cs_url(s));
  snprintf(tgt, sizeof tgt, "%s?fhir_vs", sys->fhir_uri);
  cJSON_AddStringToObject(o, "resourceType", "ConceptMap");
  cJSON_AddStringToObject(o, "id", id);
  cJSON_AddStringToObject(o, "url", url);
  cJSON_AddStringToObject(o, "version", s->version);
  {
    char name[64];
    snprintf(name, sizeof name, "ImtermTo%s", sys->name);
    cJSON_AddStringToObject(o, "name", name);
  }
  cJSON_AddStringToObject(o, "title", title);
  add_canonical_meta(o, s);
  cJSON_AddStringToObject(o, "description",
                          "Generated from the imterm SSSOM mapping set. Equivalence from the SSSOM predicate: "
                          "exactMatch=equivalent, closeMatch=inexact, broadMatch=wider, narrowMatch=narrower.");
  if (*s->license)
    cJSON_AddStringToObject(o, "copyright", s->license);
  cJSON_AddStringToObject(o, "sourceUri", src);
  cJSON_AddStringToObject(o, "targetUri", tgt);
  groups = cJSON_AddArrayToObject(o, "group");
  g = cJSON_CreateObject();
  if (!groups || !g || !cJSON_AddItemToArray(groups, g))
    goto oom;
  cJSON_AddStringToObject(g, "source", imt_fhir_cs_url(s));
  cJSON_AddStringToObject(g, "sourceVersion", s->version);
  cJSON_AddStringToObject(g, "target", sys->fhir_uri);
  if (!(elems = cJSON_AddArrayToObject(g, "element")))
    goto oom;
  for (uint32_t i = 0; i < s->n_concepts; i++) {
    const imt_concept *c = &s->concepts[i];
    cJSON *el = NULL, *targets = NULL;
    for (uint32_t j = 0; j < c->n_mappings; j++) {
      const imt_mapping *m = &c->mappings[j];
      cJSON *t;
      char comment[160];
      if (strcmp(m->system, sys->name) != 0)
        continue;
      if (!el) {
        el = cJSON_CreateObject();
        if (!el || !cJSON_AddItemToArray(elems, el))
          goto oom_el;
        cJSON_AddStringToObject(el, "code", c->id);
        cJSON_AddStringToObject(el, "display", imt_fhir_display(c, IMT_LANG_EN));
        if (!(targets = cJSON_AddArrayToObject(el, "target")))
          goto oom;
      }
      t = cJSON_CreateObject();
      if (!t || !cJSON_AddItemToArray(targets, t))
        goto oom_t;
      cJSON_AddStringToObject(t, "code", m->code);
      if (*m->display)
        cJSON_AddStringToObject(t, "display", m->display);
      cJSON_AddStringToObject(t, "equivalence", imt_fhir_equivalence(m->predicate));
      snprintf(comment, sizeof comment, "SSSOM %s (%s)", m->predicate,
               *m->justification ? m->justification : "semapv:ManualMappingCuration");
      cJSON_AddStringToObject(t, "comment", comment);
      continue;
    oom_t:
      cJSON_Delete(t);
      goto oom;
    }
    continue;
  oom_el:
    cJSON_Delete(el);
    goto oom;
  }
  return o;
oom:
  cJSON_Delete(o);
  return NULL;
}

static cJSON *bundle_new(const char *type, size_t total, cJSON **entries)
{
  cJSON *b = cJSON_CreateObject();
  if (!b)
    return NULL;
  cJSON_AddStringToObject(b, "resourceType", "Bundle");
  cJSON_AddStringToObject(b, "type", type);
  if (!strcmp(type, "searchset"))
    cJSON_AddNumberToObject(b, "total", (double)total);
  if (!(*entries = cJSON_AddArrayToObject(b, "entry"))) {
    cJSON_Delete(b);
    return NULL;
  }
  return b;
}

static int bundle_add(cJSON *entries, cJSON *res, const char *base_url, int search)
{
  cJSON *e = cJSON_CreateObject(), *id = cJSON_GetObjectItemCaseSensitive(res, "id"),
        *rt = cJSON_GetObjectItemCaseSensitive(res, "resourceType");
  char full[512];
  if (!e || !cJSON_AddItemToArray(entries, e)) {
    cJSON_Delete(e);
    cJSON_Delete(res);
    return IMT_ERR_NOMEM;
  }
  snprintf(full, sizeof full, "%s/%s/%s", base_url, rt ? rt->valuestring : "", id ? id->valuestring : "");
  cJSON_AddStringToObject(e, "fullUrl", full);
  cJSON_AddItemToObject(e, "resource", res);
  if (search) {
    cJSON *sm = cJSON_AddObjectToObject(e, "search");
    if (sm)
      cJSON_AddStringToObject(sm, "mode", "match");
  }
  return 0;
}

cJSON *imt_fhir_conceptmap_bundle(const imt_snapshot *s, const char *base_url)
{
  cJSON *entries, *b = bundle_new("collection", 0, &entries);
  if (!b)
    return NULL;
  for (unsigned i = 0; i < imt_n_systems; i++) {
    cJSON *cm = imt_fhir_conceptmap(s, imt_systems[i].name);
    if (!cm || bundle_add(entries, cm, base_url, 0)) {
      cJSON_Delete(b);
      return NULL;
    }
  }
  return b;
}

/* ---- read and search -------------------------------------------------------------------------- */

static void mark_subsetted(cJSON *res)
{
  cJSON *meta = cJSON_AddObjectToObject(res, "meta"), *tags, *t;
  if (!meta || !(tags = cJSON_AddArrayToObject(meta, "tag")))
    return;
  t = imt_fhir_coding_json("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", NULL, "SUBSETTED", "subsetted");
  if (t)
    cJSON_AddItemToArray(tags, t);
}

imt_fhir_result imt_fhir_read(const imt_snapshot *s, const char *resource, const char *id, int summary)
{
  cJSON *res = NULL;
  if (!strcmp(resource, "CodeSystem")) {
    if (strcmp(id, IMT_FHIR_CS_ID) != 0)
      return imt_fhir_fail(404, "not-found", "CodeSystem/%s is not known; this server has CodeSystem/%s", id, IMT_FHIR_CS_ID);
    res = imt_fhir_codesystem(s, !summary);
    if (res && summary)
      mark_subsetted(res);
  } else if (!strcmp(resource, "ValueSet")) {
    if (strcmp(id, IMT_FHIR_CS_ID) != 0)
      return imt_fhir_fail(404, "not-found", "ValueSet/%s is not known; this server has ValueSet/%s (all codes) "
                           "and the implicit value sets {code system url}?fhir_vs=isa/{code}", id, IMT_FHIR_CS_ID);
    res = valueset_all(s);
  } else if (!strcmp(resource, "ConceptMap")) {
    for (unsigned i = 0; i < imt_n_systems; i++) {
      char cid[64];
      imt_fhir_cm_id(&imt_systems[i], cid, sizeof cid);
      if (!strcmp(cid, id))
        res = imt_fhir_conceptmap(s, imt_systems[i].name);
    }
    if (!res)
      return imt_fhir_fail(404, "not-found", "ConceptMap/%s is not known; this server has imterm-to-radlex, "
                           "imterm-to-sct, imterm-to-ncit and imterm-to-dcm", id);
  } else
    return imt_fhir_fail(404, "not-supported", "resource type %s is not supported by this terminology server", resource);
  return (imt_fhir_result){res ? 200 : 503, res};
}

/* First value of a primitive criterion, or NULL. */
static const char *crit(const imt_fhir_params *ps, const char *name)
{
  for (size_t i = 0; ps && i < ps->n; i++)
    if (!strcmp(ps->p[i].name, name) && ps->p[i].value)
      return ps->p[i].value;
  return NULL;
}

/* 1 when the resource's string member equals want (or want is NULL). FHIR string search is a
 * case-insensitive prefix match; uri and token searches are exact. */
static int member_matches(const cJSON *res, const char *member, const char *want, int prefix)
{
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(res, member);
  if (!want)
    return 1;
  if (!cJSON_IsString(v))
    return 0;
  return prefix ? !strncasecmp(v->valuestring, want, strlen(want)) : !strcmp(v->valuestring, want);
}

imt_fhir_result imt_fhir_search(const imt_snapshot *s, const char *resource, const imt_fhir_params *criteria,
                                const char *base_url, int summary)
{
  cJSON *entries, *b, *cands[8];
  size_t nc = 0, total = 0;
  if (!strcmp(resource, "CodeSystem"))
    cands[nc++] = imt_fhir_codesystem(s, !summary);
  else if (!strcmp(resource, "ValueSet"))
    cands[nc++] = valueset_all(s);
  else if (!strcmp(resource, "ConceptMap"))
    for (unsigned i = 0; i < imt_n_systems && nc < 8; i++)
      cands[nc++] = imt_fhir_conceptmap(s, imt_systems[i].name);
  else
    return imt_fhir_fail(404, "not-supported", "resource type %s is not supported by this terminology server", resource);
  for (size_t i = 0; i < nc; i++)
    if (!cands[i]) {
      for (size_t j = 0; j < nc; j++)
        cJSON_Delete(cands[j]);
      return (imt_fhir_result){503, NULL};
    }
  for (size_t i = 0; i < nc; i++) {
    cJSON *r = cands[i], *g = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "group"), 0);
    const char *tsys = crit(criteria, "target-system"), *ssys = crit(criteria, "source-system");
    int ok = member_matches(r, "url", crit(criteria, "url"), 0) && member_matches(r, "version", crit(criteria, "version"), 0) &&
             member_matches(r, "name", crit(criteria, "name"), 1) && member_matches(r, "id", crit(criteria, "_id"), 0) &&
             member_matches(r, "title", crit(criteria, "title"), 1) && member_matches(r, "status", crit(criteria, "status"), 0);
    if (ok && !strcmp(resource, "CodeSystem"))
      ok = member_matches(r, "url", crit(criteria, "system"), 0);
    if (ok && (tsys || ssys))
      ok = g && member_matches(g, "target", tsys, 0) && member_matches(g, "source", ssys, 0);
    if (!ok) {
      cJSON_Delete(r);
      cands[i] = NULL;
    } else
      total++;
  }
  b = bundle_new("searchset", total, &entries);
  for (size_t i = 0; i < nc; i++) {
    if (!cands[i])
      continue;
    if (summary)
      mark_subsetted(cands[i]);
    if (!b || bundle_add(entries, cands[i], base_url, 1)) {
      if (!b)
        cJSON_Delete(cands[i]);
      for (size_t j = i + 1; j < nc; j++)
        cJSON_Delete(cands[j]);
      cJSON_Delete(b);
      return (imt_fhir_result){503, NULL};
    }
  }
  return (imt_fhir_result){200, b};
}

/* ---- capability statements ----------------------------------------------------------------- */

static void add_software(cJSON *o, const char *base_url)
{
  cJSON *sw = cJSON_AddObjectToObject(o, "software"), *impl = cJSON_AddObjectToObject(o, "implementation");
  if (sw) {
    cJSON_AddStringToObject(sw, "name", "imterm");
    cJSON_AddStringToObject(sw, "version", IMT_VERSION_STRING);
  }
  if (impl) {
    cJSON_AddStringToObject(impl, "description", "imterm bilingual (Chinese-English) medical imaging terminology server");
    cJSON_AddStringToObject(impl, "url", base_url);
  }
}

static void add_strings(cJSON *o, const char *key, const char *const *vals)
{
  cJSON *a = cJSON_AddArrayToObject(o, key);
  for (int i = 0; a && vals[i]; i++)
    cJSON_AddItemToArray(a, cJSON_CreateString(vals[i]));
}

static void cap_resource(cJSON *arr, const char *type, const char *const *interactions, const char *const *ops,
                         const char *const *search)
{
  cJSON *r = cJSON_CreateObject(), *a;
  if (!r || !cJSON_AddItemToArray(arr, r)) {
    cJSON_Delete(r);
    return;
  }
  cJSON_AddStringToObject(r, "type", type);
  {
    char prof[128];
    snprintf(prof, sizeof prof, "http://hl7.org/fhir/StructureDefinition/%s", type);
    cJSON_AddStringToObject(r, "profile", prof);
  }
  if ((a = cJSON_AddArrayToObject(r, "interaction")))
    for (int i = 0; interactions[i]; i++) {
      cJSON *x = cJSON_CreateObject();
      if (x && cJSON_AddItemToArray(a, x))
        cJSON_AddStringToObject(x, "code", interactions[i]);
      else
        cJSON_Delete(x);
    }
  if ((a = cJSON_AddArrayToObject(r, "searchParam")))
    for (int i = 0; search[i]; i += 2) {
      cJSON *x = cJSON_CreateObject();
      if (x && cJSON_AddItemToArray(a, x)) {
        cJSON_AddStringToObject(x, "name", search[i]);
        cJSON_AddStringToObject(x, "type", search[i + 1]);
      } else
        cJSON_Delete(x);
    }
  if ((a = cJSON_AddArrayToObject(r, "operation")))
    for (int i = 0; ops[i]; i++) {
      cJSON *x = cJSON_CreateObject();
      char def[160];
      if (!x || !cJSON_AddItemToArray(a, x)) {
        cJSON_Delete(x);
        continue;
      }
      snprintf(def, sizeof def, "http://hl7.org/fhir/OperationDefinition/%s-%s", type, ops[i]);
      cJSON_AddStringToObject(x, "name", ops[i]);
      cJSON_AddStringToObject(x, "definition", def);
    }
}

static cJSON *capability_statement(const imt_snapshot *s, const char *base_url)
{
  static const char *const formats[] = {"json", "application/fhir+json", NULL};
  static const char *const rw[] = {"read", "search-type", NULL};
  static const char *const cs_ops[] = {"lookup", "validate-code", "subsumes", NULL};
  static const char *const vs_ops[] = {"expand", "validate-code", NULL};
  static const char *const cm_ops[] = {"translate", NULL};
  static const char *const cs_search[] = {"url", "uri", "version", "token", "name", "string", "_id", "token", "system", "uri", NULL};
  static const char *const vs_search[] = {"url", "uri", "version", "token", "name", "string", "_id", "token", NULL};
  static const char *const cm_search[] = {"url", "uri", "version", "token", "name", "string", "_id", "token",
                                          "source-system", "uri", "target-system", "uri", NULL};
  static const char *const instantiates[] = {"http://hl7.org/fhir/CapabilityStatement/terminology-server", NULL};
  cJSON *o = cJSON_CreateObject(), *rest, *r, *res;
  if (!o)
    return NULL;
  cJSON_AddStringToObject(o, "resourceType", "CapabilityStatement");
  cJSON_AddStringToObject(o, "id", "imterm");
  cJSON_AddStringToObject(o, "name", "ImtermTerminologyServer");
  cJSON_AddStringToObject(o, "title", "imterm FHIR R4 terminology server");
  add_canonical_meta(o, s);
  cJSON_AddStringToObject(o, "kind", "instance");
  add_strings(o, "instantiates", instantiates);
  add_software(o, base_url);
  cJSON_AddStringToObject(o, "fhirVersion", IMT_FHIR_VERSION);
  add_strings(o, "format", formats);
  rest = cJSON_AddArrayToObject(o, "rest");
  r = cJSON_CreateObject();
  if (!rest || !r || !cJSON_AddItemToArray(rest, r)) {
    cJSON_Delete(r);
    cJSON_Delete(o);
    return NULL;
  }
  cJSON_AddStringToObject(r, "mode", "server");
  cJSON_AddStringToObject(r, "documentation", "Read-only terminology services over the imterm vocabulary; see docs/fhir.md.");
  if ((res = cJSON_AddArrayToObject(r, "resource"))) {
    cap_resource(res, "CodeSystem", rw, cs_ops, cs_search);
    cap_resource(res, "ValueSet", rw, vs_ops, vs_search);
    cap_resource(res, "ConceptMap", rw, cm_ops, cm_search);
  }
  return o;
}

static cJSON *terminology_capabilities(const imt_snapshot *s, const char *base_url)
{
  cJSON *o = cJSON_CreateObject(), *arr, *cs, *vers, *v, *exp, *a;
  static const char *const langs[] = {"zh", "en", NULL};
  if (!o)
    return NULL;
  cJSON_AddStringToObject(o, "resourceType", "TerminologyCapabilities");
  cJSON_AddStringToObject(o, "id", "imterm");
  cJSON_AddStringToObject(o, "name", "ImtermTerminologyCapabilities");
  cJSON_AddStringToObject(o, "title", "imterm terminology capabilities");
  add_canonical_meta(o, s);
  cJSON_AddStringToObject(o, "kind", "instance");
  add_software(o, base_url);
  cJSON_AddBoolToObject(o, "lockedDate", 0);
  arr = cJSON_AddArrayToObject(o, "codeSystem");
  cs = cJSON_CreateObject();
  if (!arr || !cs || !cJSON_AddItemToArray(arr, cs)) {
    cJSON_Delete(cs);
    cJSON_Delete(o);
    return NULL;
  }
  cJSON_AddStringToObject(cs, "uri", imt_fhir_cs_url(s));
  vers = cJSON_AddArrayToObject(cs, "version");
  v = cJSON_CreateObject();
  if (vers && v && cJSON_AddItemToArray(vers, v)) {
    cJSON_AddStringToObject(v, "code", s->version);
    cJSON_AddBoolToObject(v, "isDefault", 1);
    cJSON_AddBoolToObject(v, "compositional", 0);
    add_strings(v, "language", langs);
    if ((a = cJSON_AddArrayToObject(v, "property")))
      for (const imt_fhir_prop *p = imt_fhir_props; p->code; p++)
        cJSON_AddItemToArray(a, cJSON_CreateString(p->code));
  } else
    cJSON_Delete(v);
  cJSON_AddBoolToObject(cs, "subsumption", 1);
  if ((exp = cJSON_AddObjectToObject(o, "expansion"))) {
    static const char *const params[] = {"filter", "count", "offset", "displayLanguage", "includeDesignations", "activeOnly", NULL};
    cJSON_AddBoolToObject(exp, "hierarchical", 0);
    cJSON_AddBoolToObject(exp, "paging", 1);
    cJSON_AddBoolToObject(exp, "incomplete", 0);
    if ((a = cJSON_AddArrayToObject(exp, "parameter")))
      for (int i = 0; params[i]; i++) {
        cJSON *x = cJSON_CreateObject();
        if (x && cJSON_AddItemToArray(a, x))
          cJSON_AddStringToObject(x, "name", params[i]);
        else
          cJSON_Delete(x);
      }
    cJSON_AddStringToObject(exp, "textFilter",
                            "filter matches Chinese and English labels, synonyms and abbreviations after the imterm "
                            "normalization (case, width, traditional/simplified Chinese), ranked like the autocomplete");
  }
  cJSON_AddStringToObject(o, "codeSearch", "all");
  if ((a = cJSON_AddObjectToObject(o, "validateCode")))
    cJSON_AddBoolToObject(a, "translations", 0);
  if ((a = cJSON_AddObjectToObject(o, "translation")))
    cJSON_AddBoolToObject(a, "needsMap", 0);
  if ((a = cJSON_AddObjectToObject(o, "closure")))
    cJSON_AddBoolToObject(a, "translation", 0);
  return o;
}

imt_fhir_result imt_fhir_metadata(const imt_snapshot *s, const char *mode, const char *base_url)
{
  cJSON *o;
  if (!mode || !strcmp(mode, "full") || !strcmp(mode, "normative"))
    o = capability_statement(s, base_url);
  else if (!strcmp(mode, "terminology"))
    o = terminology_capabilities(s, base_url);
  else
    return imt_fhir_fail(400, "invalid", "mode must be full, normative or terminology, not '%.60s'", mode);
  return (imt_fhir_result){o ? 200 : 503, o};
}
