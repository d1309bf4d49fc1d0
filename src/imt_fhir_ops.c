/* imt_fhir_ops.c - FHIR R4 terminology operations over the snapshot: CodeSystem $lookup,
 * $validate-code and $subsumes; ValueSet $expand and $validate-code (implicit value sets);
 * ConceptMap $translate, chaining through imterm concepts between two external systems. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_fhir.h"
#include "imt_fhir_int.h"
#include "imt_search.h"
#include "imt_systems.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define MAX_EXPAND 10000

/* ---- parameter tables ----------------------------------------------------------------------- */

static const char *const p_lookup[] = {"code", "system", "version", "coding", "date", "displayLanguage", "property",
                                       "useSupplement", NULL};
static const char *const p_cs_validate[] = {"url", "codeSystem", "code", "version", "display", "coding", "codeableConcept",
                                            "date", "abstract", "displayLanguage", "system", "systemVersion", NULL};
static const char *const p_subsumes[] = {"codeA", "codeB", "system", "version", "codingA", "codingB", NULL};
static const char *const p_expand[] = {"url", "valueSet", "valueSetVersion", "context", "contextDirection", "filter", "date",
                                       "offset", "count", "includeDesignations", "designation", "includeDefinition",
                                       "activeOnly", "excludeNested", "excludeNotForUI", "excludePostCoordinated",
                                       "displayLanguage", "limitedExpansion", NULL};
static const char *const p_vs_validate[] = {"url", "context", "valueSet", "valueSetVersion", "code", "system", "systemVersion",
                                            "version", "display", "coding", "codeableConcept", "date", "abstract",
                                            "displayLanguage", NULL};
static const char *const p_translate[] = {"url", "conceptMap", "conceptMapVersion", "code", "system", "version", "source",
                                          "coding", "codeableConcept", "target", "targetsystem", "dependency", "reverse", NULL};
static const char *const c_coding[] = {"coding", NULL};
static const char *const c_subsumes[] = {"codingA", "codingB", NULL};
static const char *const c_none[] = {NULL};

typedef imt_fhir_result (*op_fn)(const imt_snapshot *s, const char *instance, const imt_fhir_params *ps, const char *base);

static imt_fhir_result op_lookup(const imt_snapshot *, const char *, const imt_fhir_params *, const char *);
static imt_fhir_result op_cs_validate(const imt_snapshot *, const char *, const imt_fhir_params *, const char *);
static imt_fhir_result op_subsumes(const imt_snapshot *, const char *, const imt_fhir_params *, const char *);
static imt_fhir_result op_expand(const imt_snapshot *, const char *, const imt_fhir_params *, const char *);
static imt_fhir_result op_vs_validate(const imt_snapshot *, const char *, const imt_fhir_params *, const char *);
static imt_fhir_result op_translate(const imt_snapshot *, const char *, const imt_fhir_params *, const char *);

static const struct {
  const char *resource, *op;
  const char *const *params, *const *codings;
  op_fn fn;
} ops[] = {
  {"CodeSystem", "lookup", p_lookup, c_coding, op_lookup},
  {"CodeSystem", "validate-code", p_cs_validate, c_coding, op_cs_validate},
  {"CodeSystem", "subsumes", p_subsumes, c_subsumes, op_subsumes},
  {"ValueSet", "expand", p_expand, c_none, op_expand},
  {"ValueSet", "validate-code", p_vs_validate, c_coding, op_vs_validate},
  {"ConceptMap", "translate", p_translate, c_coding, op_translate},
};
#define NOPS (sizeof ops / sizeof ops[0])

const char *const *imt_fhir_op_params(const char *resource, const char *op, const char *const **coding_names)
{
  for (size_t i = 0; i < NOPS; i++)
    if (!strcmp(ops[i].resource, resource) && !strcmp(ops[i].op, op)) {
      if (coding_names)
        *coding_names = ops[i].codings;
      return ops[i].params;
    }
  return NULL;
}

/* ---- parameter access ----------------------------------------------------------------------- */

static const imt_fhir_param *param(const imt_fhir_params *ps, const char *name)
{
  for (size_t i = 0; i < ps->n; i++)
    if (!strcmp(ps->p[i].name, name))
      return &ps->p[i];
  return NULL;
}

/* Primitive parameter value into *out (NULL when absent); 400 result when present with another
 * type. Returns 0 or fills *bad. */
static int prim(const imt_fhir_params *ps, const char *name, const char **out, imt_fhir_result *bad)
{
  const imt_fhir_param *p = param(ps, name);
  *out = NULL;
  if (!p)
    return 0;
  if (p->kind != IMT_FHIR_P_PRIMITIVE || !p->value) {
    *bad = imt_fhir_fail(400, "invalid", "parameter '%s' must have a primitive value (valueString, valueCode, valueUri, ...)", name);
    return -1;
  }
  *out = p->value;
  return 0;
}

static int boolean(const imt_fhir_params *ps, const char *name, int dflt, int *out, imt_fhir_result *bad)
{
  const char *v;
  if (prim(ps, name, &v, bad))
    return -1;
  if (!v) {
    *out = dflt;
    return 0;
  }
  if (!strcmp(v, "true") || !strcmp(v, "false")) {
    *out = !strcmp(v, "true");
    return 0;
  }
  *bad = imt_fhir_fail(400, "invalid", "parameter '%s' must be true or false, not '%.40s'", name, v);
  return -1;
}

static int integer(const imt_fhir_params *ps, const char *name, long dflt, long max, long *out, imt_fhir_result *bad)
{
  const char *v;
  char *end;
  long x;
  if (prim(ps, name, &v, bad))
    return -1;
  if (!v) {
    *out = dflt;
    return 0;
  }
  x = strtol(v, &end, 10);
  if (!*v || *end || x < 0 || x > max || (v[0] == '0' && v[1])) {
    *bad = imt_fhir_fail(400, "invalid", "parameter '%s' must be an integer from 0 to %ld, not '%.40s'", name, max, v);
    return -1;
  }
  *out = x;
  return 0;
}

/* displayLanguage (BCP 47): zh* -> Chinese, en* (or absent) -> English; others are refused. */
static int language(const imt_fhir_params *ps, int *lang, imt_fhir_result *bad)
{
  const char *v;
  if (prim(ps, "displayLanguage", &v, bad))
    return -1;
  *lang = IMT_LANG_EN;
  if (!v || !strncasecmp(v, "en", 2) || !*v)
    return 0;
  if (!strncasecmp(v, "zh", 2)) {
    *lang = IMT_LANG_ZH;
    return 0;
  }
  *bad = imt_fhir_fail(400, "not-supported", "displayLanguage '%.40s' is not supported: imterm has zh and en", v);
  return -1;
}

/* A parameter this server takes but does not implement: 400 not-supported when present. */
static int unsupported(const imt_fhir_params *ps, const char *name, const char *why, imt_fhir_result *bad)
{
  if (!param(ps, name))
    return 0;
  *bad = imt_fhir_fail(400, "not-supported", "parameter '%s' is not supported: %s", name, why);
  return -1;
}

/* The code to work on: from a Coding parameter (coding_name) or from code/system/version/display
 * (system_name lets $validate-code read "url"). */
typedef struct in_code {
  const char *system, *version, *code, *display;
} in_code;

static int input_code(const imt_fhir_params *ps, const char *coding_name, const char *code_name, const char *system_name,
                      in_code *ic, imt_fhir_result *bad)
{
  const imt_fhir_param *cp = coding_name ? param(ps, coding_name) : NULL;
  memset(ic, 0, sizeof *ic);
  if (cp) {
    if (cp->kind != IMT_FHIR_P_CODING || cp->n_codings != 1) {
      *bad = imt_fhir_fail(400, "invalid", "parameter '%s' must be a Coding", coding_name);
      return -1;
    }
    ic->system = cp->codings[0].system;
    ic->version = cp->codings[0].version;
    ic->code = cp->codings[0].code;
    ic->display = cp->codings[0].display;
    if (!ic->code) {
      *bad = imt_fhir_fail(400, "required", "parameter '%s' has no code", coding_name);
      return -1;
    }
    return 0;
  }
  if (prim(ps, code_name, &ic->code, bad) || (system_name && prim(ps, system_name, &ic->system, bad)) ||
      prim(ps, "version", &ic->version, bad) || prim(ps, "display", &ic->display, bad))
    return -1;
  return 0;
}

typedef enum { SYS_UNKNOWN = 0, SYS_IMTERM, SYS_EXTERNAL } sys_kind;

static sys_kind classify(const imt_snapshot *s, const char *uri, const imt_system **ext)
{
  *ext = NULL;
  if (!uri)
    return SYS_UNKNOWN;
  if (!strcmp(uri, imt_fhir_cs_url(s)))
    return SYS_IMTERM;
  if ((*ext = imt_system_by_fhir_uri(uri)))
    return SYS_EXTERNAL;
  return SYS_UNKNOWN;
}

/* Check system/version name the imterm code system; 0 or a 404/400 result in *bad. */
static int check_imterm(const imt_snapshot *s, const char *system, const char *version, imt_fhir_result *bad)
{
  const imt_system *ext;
  sys_kind k = classify(s, system, &ext);
  if (k == SYS_EXTERNAL) {
    *bad = imt_fhir_fail(404, "not-supported", "this server holds the content of %s only; %s (%s) is reachable through "
                         "ConceptMap/$translate", imt_fhir_cs_url(s), ext->title, system);
    return -1;
  }
  if (k == SYS_UNKNOWN) {
    *bad = imt_fhir_fail(404, "not-found", "unknown code system '%.200s'; this server has %s", system, imt_fhir_cs_url(s));
    return -1;
  }
  if (version && strcmp(version, s->version) != 0) {
    *bad = imt_fhir_fail(404, "not-found", "version '%.60s' of %s is not available; this server has version %s", version,
                         imt_fhir_cs_url(s), s->version);
    return -1;
  }
  return 0;
}

/* ---- output helpers ------------------------------------------------------------------------- */

static cJSON *params_new(void)
{
  cJSON *o = cJSON_CreateObject();
  if (!o)
    return NULL;
  cJSON_AddStringToObject(o, "resourceType", "Parameters");
  if (!cJSON_AddArrayToObject(o, "parameter")) {
    cJSON_Delete(o);
    return NULL;
  }
  return o;
}

/* Append {"name": name, vkey: value} where value is taken over (cJSON) or is a string. */
static cJSON *out_item(cJSON *params_or_parts, const char *name, const char *vkey, cJSON *value)
{
  cJSON *arr = cJSON_IsArray(params_or_parts) ? params_or_parts : cJSON_GetObjectItemCaseSensitive(params_or_parts, "parameter");
  cJSON *p = cJSON_CreateObject();
  if (!p || !value || !arr || !cJSON_AddItemToArray(arr, p)) {
    cJSON_Delete(p);
    cJSON_Delete(value);
    return NULL;
  }
  cJSON_AddStringToObject(p, "name", name);
  if (vkey)
    cJSON_AddItemToObject(p, vkey, value);
  else
    cJSON_Delete(value);
  return p;
}

static void out_str(cJSON *o, const char *name, const char *vkey, const char *v)
{
  out_item(o, name, vkey, cJSON_CreateString(v));
}

static void out_bool(cJSON *o, const char *name, int v) { out_item(o, name, "valueBoolean", cJSON_CreateBool(v)); }

/* A parameter with parts; returns the parts array (owned by o). */
static cJSON *out_parts(cJSON *o, const char *name)
{
  cJSON *p = out_item(o, name, NULL, cJSON_CreateNull());
  return p ? cJSON_AddArrayToObject(p, "part") : NULL;
}

static imt_fhir_result done(cJSON *o) { return (imt_fhir_result){o ? 200 : 503, o}; }

/* ---- $lookup -------------------------------------------------------------------------------- */

static int wants(const imt_fhir_params *ps, const char *prop)
{
  int any = 0;
  for (size_t i = 0; i < ps->n; i++)
    if (!strcmp(ps->p[i].name, "property") && ps->p[i].value) {
      any = 1;
      if (!strcmp(ps->p[i].value, prop) || !strcmp(ps->p[i].value, "*"))
        return 1;
    }
  return !any;
}

static void lookup_prop(cJSON *o, const char *code, const char *vkey, cJSON *value)
{
  cJSON *parts = out_parts(o, "property");
  cJSON *c = cJSON_CreateString(code);
  if (!parts) {
    cJSON_Delete(value);
    cJSON_Delete(c);
    return;
  }
  out_item(parts, "code", "valueCode", c);
  out_item(parts, "value", vkey, value);
}

static imt_fhir_result op_lookup(const imt_snapshot *s, const char *instance, const imt_fhir_params *ps, const char *base)
{
  imt_fhir_result bad;
  in_code ic;
  int lang;
  const imt_concept *c;
  cJSON *o;
  (void)base;
  if (input_code(ps, "coding", "code", "system", &ic, &bad) || language(ps, &lang, &bad))
    return bad;
  if (!ic.code)
    return imt_fhir_fail(400, "required", "$lookup needs a code and a system (or a coding)");
  if (!ic.system && instance)
    ic.system = imt_fhir_cs_url(s);
  if (!ic.system)
    return imt_fhir_fail(400, "required", "$lookup needs a system: %s", imt_fhir_cs_url(s));
  if (check_imterm(s, ic.system, ic.version, &bad))
    return bad;
  if (!(c = imt_snapshot_by_id(s, ic.code)))
    return imt_fhir_fail(404, "not-found", "unknown code '%.80s' in code system %s (version %s)", ic.code, imt_fhir_cs_url(s), s->version);
  if (!(o = params_new()))
    return done(NULL);
  out_str(o, "name", "valueString", "Imterm");
  out_str(o, "version", "valueString", s->version);
  out_str(o, "display", "valueString", imt_fhir_display(c, lang));
  if (wants(ps, "designation")) {
    for (uint32_t i = 0; i < c->n_labels; i++) {
      cJSON *parts = out_parts(o, "designation");
      if (!parts)
        break;
      out_item(parts, "language", "valueCode", cJSON_CreateString(c->labels[i].lang_tag));
      out_item(parts, "use", "valueCoding", imt_fhir_designation_use(c->labels[i].kind));
      out_item(parts, "value", "valueString", cJSON_CreateString(c->labels[i].text));
    }
  }
  if (wants(ps, "definition") && *c->def[lang])
    lookup_prop(o, "definition", "valueString", cJSON_CreateString(c->def[lang]));
  if (wants(ps, "parent"))
    for (uint32_t i = 0; i < c->n_parents; i++)
      lookup_prop(o, "parent", "valueCode", cJSON_CreateString(s->concepts[c->parents[i]].id));
  if (wants(ps, "child"))
    for (uint32_t i = 0; i < c->n_children; i++)
      lookup_prop(o, "child", "valueCode", cJSON_CreateString(s->concepts[c->children[i]].id));
  if (wants(ps, "inactive"))
    lookup_prop(o, "inactive", "valueBoolean", cJSON_CreateBool(c->deprecated));
  if (wants(ps, "kind") && *imt_fhir_kind_code(c->kind))
    lookup_prop(o, "kind", "valueCode", cJSON_CreateString(imt_fhir_kind_code(c->kind)));
  if (wants(ps, "replacedBy") && c->replaced_by >= 0)
    lookup_prop(o, "replacedBy", "valueCode", cJSON_CreateString(s->concepts[c->replaced_by].id));
  return done(o);
}

/* ---- $validate-code --------------------------------------------------------------------------- */

/* 1 when display matches a preferred or alternative label of c (case-insensitive for ASCII). */
static int display_ok(const imt_concept *c, const char *display)
{
  for (uint32_t i = 0; i < c->n_labels; i++)
    if (c->labels[i].kind != IMT_LABEL_HIDDEN && !strcasecmp(c->labels[i].text, display))
      return 1;
  return 0;
}

/* Add the issues parameter (an OperationOutcome) with one issue. */
static void out_issue(cJSON *o, const char *severity, const char *code, const char *text)
{
  cJSON *oc = imt_fhir_outcome(severity, code, "%s", text);
  cJSON *p = out_item(o, "issues", NULL, cJSON_CreateNull());
  if (!p || !oc) {
    cJSON_Delete(oc);
    return;
  }
  cJSON_AddItemToObject(p, "resource", oc);
}

/* Validate one coding against the code system and (if root >= 0) the subtree of root.
 * Returns the Parameters result. */
static cJSON *validate_one(const imt_snapshot *s, const in_code *ic, int lang, int64_t root, const char *vs_url)
{
  cJSON *o = params_new();
  const imt_system *ext;
  const imt_concept *c;
  char msg[600];
  if (!o)
    return NULL;
  if (!ic->system || classify(s, ic->system, &ext) != SYS_IMTERM) {
    snprintf(msg, sizeof msg, "%s '%.200s'%s", ic->system ? "unknown code system" : "no code system given", ic->system ? ic->system : "",
             ic->system && ext ? ": this server holds only the imterm code system" : "");
    out_bool(o, "result", 0);
    out_str(o, "message", "valueString", msg);
    out_issue(o, "error", "not-found", msg);
    return o;
  }
  if (ic->version && strcmp(ic->version, s->version) != 0) {
    snprintf(msg, sizeof msg, "version '%.60s' of %s is not available; this server has version %s", ic->version, imt_fhir_cs_url(s), s->version);
    out_bool(o, "result", 0);
    out_str(o, "message", "valueString", msg);
    out_issue(o, "error", "not-found", msg);
    return o;
  }
  if (!(c = imt_snapshot_by_id(s, ic->code))) {
    snprintf(msg, sizeof msg, "unknown code '%.80s' in code system %s", ic->code, imt_fhir_cs_url(s));
    out_bool(o, "result", 0);
    out_str(o, "message", "valueString", msg);
    out_issue(o, "error", "code-invalid", msg);
    return o;
  }
  if (root >= 0 && !imt_snapshot_is_a(s, c->idx, (uint32_t)root)) {
    snprintf(msg, sizeof msg, "code '%s' (%s) is in %s but not in the value set %s", c->id, c->pref[IMT_LANG_EN],
             imt_fhir_cs_url(s), vs_url);
    out_bool(o, "result", 0);
    out_str(o, "message", "valueString", msg);
    out_str(o, "display", "valueString", imt_fhir_display(c, lang));
    out_issue(o, "error", "code-invalid", msg);
    return o;
  }
  out_bool(o, "result", 1);
  out_str(o, "display", "valueString", imt_fhir_display(c, lang));
  out_str(o, "code", "valueCode", c->id);
  out_str(o, "system", "valueUri", imt_fhir_cs_url(s));
  out_str(o, "version", "valueString", s->version);
  if (ic->display && !display_ok(c, ic->display)) {
    snprintf(msg, sizeof msg, "the display '%.120s' is not a display of code %s; valid: '%s' (en), '%s' (zh) or a synonym",
             ic->display, c->id, c->pref[IMT_LANG_EN], c->pref[IMT_LANG_ZH]);
    out_str(o, "message", "valueString", msg);
    out_issue(o, "warning", "invalid", msg);
  } else if (c->deprecated) {
    snprintf(msg, sizeof msg, "code %s is inactive (deprecated)%s%s", c->id, c->replaced_by >= 0 ? "; replaced by " : "",
             c->replaced_by >= 0 ? s->concepts[c->replaced_by].id : "");
    out_str(o, "message", "valueString", msg);
    out_issue(o, "warning", "business-rule", msg);
  }
  if (c->deprecated)
    out_bool(o, "inactive", 1);
  return o;
}

/* Shared body of both $validate-code operations: code/coding/codeableConcept. */
static imt_fhir_result validate(const imt_snapshot *s, const imt_fhir_params *ps, const char *system_dflt, int64_t root,
                                const char *vs_url, const char *system_name)
{
  imt_fhir_result bad;
  const imt_fhir_param *cc = param(ps, "codeableConcept");
  in_code ic;
  int lang;
  if (language(ps, &lang, &bad))
    return bad;
  if (cc) {
    cJSON *last = NULL;
    if (cc->kind != IMT_FHIR_P_CONCEPT)
      return imt_fhir_fail(400, "invalid", "parameter 'codeableConcept' must be a CodeableConcept");
    if (!cc->n_codings)
      return imt_fhir_fail(400, "required", "the codeableConcept has no coding");
    for (size_t i = 0; i < cc->n_codings; i++) {
      in_code one = {cc->codings[i].system, cc->codings[i].version, cc->codings[i].code, cc->codings[i].display};
      cJSON *r;
      if (!one.code)
        return imt_fhir_fail(400, "required", "codeableConcept.coding[%zu] has no code", i);
      r = validate_one(s, &one, lang, root, vs_url);
      if (!r) {
        cJSON_Delete(last);
        return done(NULL);
      }
      cJSON_Delete(last);
      last = r;
      if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(r, "parameter"), 0), "valueBoolean")))
        break;   /* one valid coding makes the concept valid */
    }
    return done(last);
  }
  if (input_code(ps, "coding", "code", system_name, &ic, &bad))
    return bad;
  if (!ic.code)
    return imt_fhir_fail(400, "required", "$validate-code needs a code (with system), a coding or a codeableConcept");
  if (!ic.system)
    ic.system = system_dflt;
  return done(validate_one(s, &ic, lang, root, vs_url));
}

static imt_fhir_result op_cs_validate(const imt_snapshot *s, const char *instance, const imt_fhir_params *ps, const char *base)
{
  imt_fhir_result bad;
  const char *url, *system;
  (void)base;
  if (unsupported(ps, "codeSystem", "validate against the code systems this server holds", &bad))
    return bad;
  if (prim(ps, "url", &url, &bad) || prim(ps, "system", &system, &bad))
    return bad;
  if (instance && strcmp(instance, IMT_FHIR_CS_ID) != 0)
    return imt_fhir_fail(404, "not-found", "CodeSystem/%.60s is not known", instance);
  /* R4 names the code system "url"; "system" is accepted as well */
  return validate(s, ps, instance ? imt_fhir_cs_url(s) : NULL, -1, NULL, url ? "url" : "system");
}

/* ---- $subsumes ------------------------------------------------------------------------------ */

static imt_fhir_result op_subsumes(const imt_snapshot *s, const char *instance, const imt_fhir_params *ps, const char *base)
{
  imt_fhir_result bad;
  in_code a, b;
  const char *system, *version;
  const imt_concept *ca, *cb;
  const char *outcome;
  cJSON *o;
  (void)base;
  if (input_code(ps, "codingA", "codeA", NULL, &a, &bad) || input_code(ps, "codingB", "codeB", NULL, &b, &bad) ||
      prim(ps, "system", &system, &bad) || prim(ps, "version", &version, &bad))
    return bad;
  if (!a.code || !b.code)
    return imt_fhir_fail(400, "required", "$subsumes needs codeA and codeB (or codingA and codingB)");
  if (!system && instance)
    system = imt_fhir_cs_url(s);
  if (!a.system) a.system = system;
  if (!b.system) b.system = system;
  if (!a.system || !b.system)
    return imt_fhir_fail(400, "required", "$subsumes needs a system: %s", imt_fhir_cs_url(s));
  if (strcmp(a.system, b.system) != 0)
    return imt_fhir_fail(400, "invalid", "codingA and codingB are in different code systems");
  if (check_imterm(s, a.system, version ? version : a.version, &bad))
    return bad;
  if (!(ca = imt_snapshot_by_id(s, a.code)))
    return imt_fhir_fail(404, "not-found", "unknown code '%.80s' (codeA) in %s", a.code, imt_fhir_cs_url(s));
  if (!(cb = imt_snapshot_by_id(s, b.code)))
    return imt_fhir_fail(404, "not-found", "unknown code '%.80s' (codeB) in %s", b.code, imt_fhir_cs_url(s));
  if (ca == cb)
    outcome = "equivalent";
  else if (imt_snapshot_is_a(s, cb->idx, ca->idx))
    outcome = "subsumes";
  else if (imt_snapshot_is_a(s, ca->idx, cb->idx))
    outcome = "subsumed-by";
  else
    outcome = "not-subsumed";
  if (!(o = params_new()))
    return done(NULL);
  out_str(o, "outcome", "valueCode", outcome);
  return done(o);
}

/* ---- value sets ----------------------------------------------------------------------------- */

/* Parse an implicit value set url: "{cs}?fhir_vs" (root -1) or "{cs}?fhir_vs=isa/{code}".
 * Returns 0 with *root set, or a 404 result. */
static int parse_vs(const imt_snapshot *s, const char *url, int64_t *root, imt_fhir_result *bad)
{
  const char *cs = imt_fhir_cs_url(s);
  size_t n = strlen(cs);
  const imt_concept *c;
  if (strncmp(url, cs, n) != 0 || strncmp(url + n, "?fhir_vs", 8) != 0) {
    *bad = imt_fhir_fail(404, "not-found", "unknown value set '%.200s'; this server expands %s?fhir_vs and %s?fhir_vs=isa/{code}",
                         url, cs, cs);
    return -1;
  }
  url += n + 8;
  if (!*url) {
    *root = -1;
    return 0;
  }
  if (strncmp(url, "=isa/", 5) != 0) {
    *bad = imt_fhir_fail(404, "not-supported", "implicit value set '%.80s' is not supported; use ?fhir_vs or ?fhir_vs=isa/{code}", url);
    return -1;
  }
  if (!(c = imt_snapshot_by_id(s, url + 5))) {
    *bad = imt_fhir_fail(404, "not-found", "unknown code '%.80s' in the is-a value set url", url + 5);
    return -1;
  }
  *root = c->idx;
  return 0;
}

/* The value set url of a call: "url" parameter, or the instance ValueSet/imterm. */
static int vs_of_call(const imt_snapshot *s, const char *instance, const imt_fhir_params *ps, const char **url, char *buf,
                      size_t n, int64_t *root, imt_fhir_result *bad)
{
  const char *version;
  if (unsupported(ps, "valueSet", "only the implicit value sets of imterm can be used (url)", bad) ||
      unsupported(ps, "context", "expansion contexts are not supported", bad) ||
      prim(ps, "url", url, bad) || prim(ps, "valueSetVersion", &version, bad))
    return -1;
  if (instance) {
    if (strcmp(instance, IMT_FHIR_CS_ID) != 0) {
      *bad = imt_fhir_fail(404, "not-found", "ValueSet/%.60s is not known", instance);
      return -1;
    }
    if (!*url) {
      snprintf(buf, n, "%s?fhir_vs", imt_fhir_cs_url(s));
      *url = buf;
    }
  }
  if (!*url) {
    *bad = imt_fhir_fail(400, "required", "a value set url is needed, e.g. url=%s?fhir_vs or url=%s?fhir_vs=isa/{code}",
                         imt_fhir_cs_url(s), imt_fhir_cs_url(s));
    return -1;
  }
  if (parse_vs(s, *url, root, bad))
    return -1;
  if (version && strcmp(version, s->version) != 0) {
    *bad = imt_fhir_fail(404, "not-found", "valueSetVersion '%.60s' is not available; this server has %s", version, s->version);
    return -1;
  }
  return 0;
}

static imt_fhir_result op_vs_validate(const imt_snapshot *s, const char *instance, const imt_fhir_params *ps, const char *base)
{
  imt_fhir_result bad;
  const char *url;
  char buf[512];
  int64_t root;
  (void)base;
  if (vs_of_call(s, instance, ps, &url, buf, sizeof buf, &root, &bad))
    return bad;
  return validate(s, ps, imt_fhir_cs_url(s), root, url, "system");
}

/* Members of the value set (root -1 = all) matching filter, ranked by the lookup search
 * (exact > synonym > prefix > word prefix > pinyin > substring > fuzzy). *out is a new array
 * (caller frees). Returns 0, IMT_ERR_NOMEM, or IMT_ERR_INVALID (no search index). */
static int expand_filter(const imt_snapshot *s, const char *filter, int64_t root, int active_only, uint32_t **out,
                         uint32_t *n)
{
  imt_search_query q = {filter, IMT_SEARCH_ANY, IMT_SEARCH_AUTO, IMT_SEARCH_MAX_LIMIT, 0, root, !active_only};
  uint32_t cap = 0, *arr = NULL, got;
  *n = 0;
  for (;;) {
    imt_search_result r;
    int rc = imt_search_run(s, &q, &r);
    if (rc) {
      free(arr);
      return rc;
    }
    if (*n + r.n > cap) {
      uint32_t ncap = cap ? cap * 2 : 128;
      uint32_t *na;
      while (ncap < *n + r.n) ncap *= 2;
      if (!(na = imt_realloc(arr, ncap * sizeof *na))) {
        imt_search_result_free(&r);
        free(arr);
        return IMT_ERR_NOMEM;
      }
      arr = na;
      cap = ncap;
    }
    for (uint32_t i = 0; i < r.n; i++)
      arr[(*n)++] = r.hits[i].concept;
    got = r.n;
    imt_search_result_free(&r);
    if (got < q.limit || q.offset + q.limit > IMT_SEARCH_MAX_OFFSET)
      break;
    q.offset += q.limit;
  }
  *out = arr ? arr : imt_malloc(sizeof *arr);
  return *out ? 0 : IMT_ERR_NOMEM;
}

static void expand_param(cJSON *arr, const char *name, const char *vkey, cJSON *value)
{
  cJSON *p = cJSON_CreateObject();
  if (!p || !value || !cJSON_AddItemToArray(arr, p)) {
    cJSON_Delete(p);
    cJSON_Delete(value);
    return;
  }
  cJSON_AddStringToObject(p, "name", name);
  cJSON_AddItemToObject(p, vkey, value);
}

static imt_fhir_result op_expand(const imt_snapshot *s, const char *instance, const imt_fhir_params *ps, const char *base)
{
  imt_fhir_result bad;
  const char *url, *filter;
  char buf[512], ts[40], ident[96];
  int64_t root;
  long count, offset;
  int lang, designations, active_only;
  uint32_t *members = NULL, n = 0;
  cJSON *vs, *exp, *pa, *contains;
  time_t now = time(NULL);
  struct tm tm;
  (void)base;

  if (vs_of_call(s, instance, ps, &url, buf, sizeof buf, &root, &bad) || prim(ps, "filter", &filter, &bad) ||
      integer(ps, "count", MAX_EXPAND, MAX_EXPAND, &count, &bad) || integer(ps, "offset", 0, 1000000, &offset, &bad) ||
      language(ps, &lang, &bad) || boolean(ps, "includeDesignations", 0, &designations, &bad) ||
      boolean(ps, "activeOnly", 0, &active_only, &bad))
    return bad;
  if (filter && !*filter)
    filter = NULL;
  if (filter && strlen(filter) > IMT_SEARCH_MAX_QUERY)
    return imt_fhir_fail(400, "too-long", "filter is longer than %d bytes", IMT_SEARCH_MAX_QUERY);
  if (filter) {
    int rc = expand_filter(s, filter, root, active_only, &members, &n);
    if (rc == IMT_ERR_NOMEM)
      return done(NULL);
    if (rc)
      return imt_fhir_fail(500, "exception", "the search index is not available");
  } else {
    members = imt_malloc((s->n_concepts ? s->n_concepts : 1) * sizeof *members);
    if (!members)
      return done(NULL);
    for (uint32_t i = 0; i < s->n_concepts; i++)
      if ((root < 0 || imt_snapshot_is_a(s, i, (uint32_t)root)) && !(active_only && s->concepts[i].deprecated))
        members[n++] = i;
  }
  vs = cJSON_CreateObject();
  if (!vs) {
    free(members);
    return done(NULL);
  }
  cJSON_AddStringToObject(vs, "resourceType", "ValueSet");
  cJSON_AddStringToObject(vs, "url", url);
  cJSON_AddStringToObject(vs, "version", s->version);
  cJSON_AddStringToObject(vs, "status", "active");
  if (root >= 0) {
    char title[300];
    snprintf(title, sizeof title, "imterm concepts that are a %s", s->concepts[root].pref[IMT_LANG_EN]);
    cJSON_AddStringToObject(vs, "title", title);
  } else
    cJSON_AddStringToObject(vs, "title", "All codes of the imterm code system");
  exp = cJSON_AddObjectToObject(vs, "expansion");
  if (!exp) {
    free(members);
    cJSON_Delete(vs);
    return done(NULL);
  }
  gmtime_r(&now, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  {
    uint64_t h = imt_hash(url, strlen(url)) ^ ((uint64_t)now << 17) ^ (uint64_t)(uintptr_t)members;
    uint64_t h2 = imt_hash(&h, sizeof h);
    snprintf(ident, sizeof ident, "urn:uuid:%08x-%04x-4%03x-%04x-%012llx", (unsigned)(h >> 32), (unsigned)(h >> 16) & 0xffff,
             (unsigned)h & 0xfff, 0x8000 | ((unsigned)(h2 >> 48) & 0x3fff), (unsigned long long)(h2 & 0xffffffffffffULL));
  }
  cJSON_AddStringToObject(exp, "identifier", ident);
  cJSON_AddStringToObject(exp, "timestamp", ts);
  cJSON_AddNumberToObject(exp, "total", n);
  cJSON_AddNumberToObject(exp, "offset", (double)offset);
  if ((pa = cJSON_AddArrayToObject(exp, "parameter"))) {
    char vv[600];
    snprintf(vv, sizeof vv, "%s|%s", imt_fhir_cs_url(s), s->version);
    expand_param(pa, "version", "valueUri", cJSON_CreateString(vv));
    if (filter)
      expand_param(pa, "filter", "valueString", cJSON_CreateString(filter));
    expand_param(pa, "count", "valueInteger", cJSON_CreateNumber((double)count));
    expand_param(pa, "offset", "valueInteger", cJSON_CreateNumber((double)offset));
    expand_param(pa, "displayLanguage", "valueCode", cJSON_CreateString(lang == IMT_LANG_ZH ? "zh" : "en"));
    if (designations)
      expand_param(pa, "includeDesignations", "valueBoolean", cJSON_CreateBool(1));
    if (active_only)
      expand_param(pa, "activeOnly", "valueBoolean", cJSON_CreateBool(1));
  }
  contains = cJSON_AddArrayToObject(exp, "contains");
  for (uint32_t i = (uint32_t)(offset < (long)n ? offset : (long)n); contains && i < n && (long)i < offset + count; i++) {
    const imt_concept *c = &s->concepts[members[i]];
    cJSON *e = cJSON_CreateObject();
    if (!e || !cJSON_AddItemToArray(contains, e)) {
      cJSON_Delete(e);
      free(members);
      cJSON_Delete(vs);
      return done(NULL);
    }
    cJSON_AddStringToObject(e, "system", imt_fhir_cs_url(s));
    cJSON_AddStringToObject(e, "version", s->version);
    if (c->deprecated)
      cJSON_AddBoolToObject(e, "inactive", 1);
    cJSON_AddStringToObject(e, "code", c->id);
    cJSON_AddStringToObject(e, "display", imt_fhir_display(c, lang));
    if (designations)
      cJSON_AddItemToObject(e, "designation", imt_fhir_designations(c));
  }
  free(members);
  return done(vs);
}

/* ---- $translate ----------------------------------------------------------------------------- */

/* Relation of a found concept to the given code, in R4 ConceptMapEquivalence terms (read from
 * the target to the source: WIDER = the found concept is wider). */
typedef enum { R_NONE = 0, R_EQ, R_WIDER, R_NARROWER, R_INEXACT, R_RELATED } rel;

static rel rel_of_predicate(const char *pred)
{
  if (!strcmp(pred, "skos:exactMatch")) return R_EQ;
  if (!strcmp(pred, "skos:closeMatch")) return R_INEXACT;
  if (!strcmp(pred, "skos:broadMatch")) return R_WIDER;
  if (!strcmp(pred, "skos:narrowMatch")) return R_NARROWER;
  return R_RELATED;
}

static rel rel_inverse(rel r) { return r == R_WIDER ? R_NARROWER : r == R_NARROWER ? R_WIDER : r; }

static const char *rel_code(rel r)
{
  static const char *const codes[] = {"", "equivalent", "wider", "narrower", "inexact", "relatedto"};
  return codes[r];
}

/* Chain: a = imterm concept k relative to the source code A, b = target code B relative to k.
 * Returns B relative to A, or R_NONE when set reasoning gives no guaranteed overlap. */
static rel rel_compose(rel a, rel b)
{
  if (a == R_EQ) return b;
  if (b == R_EQ) return a;
  if (a == R_WIDER && b == R_WIDER) return R_WIDER;          /* B > k > A */
  if (a == R_NARROWER && b == R_NARROWER) return R_NARROWER; /* B < k < A */
  if (a == R_NARROWER && (b == R_WIDER || b == R_INEXACT)) return R_INEXACT; /* k < A and k overlaps B */
  if (a == R_INEXACT && b == R_WIDER) return R_INEXACT;      /* A overlaps k < B */
  return R_NONE;
}

/* Order of preference when one target is reached along several paths. */
static int rel_rank(rel r)
{
  static const int rank[] = {99, 0, 1, 1, 2, 3};
  return rank[r];
}

typedef struct match {
  const char *system;   /* FHIR uri */
  const char *code, *display;
  rel r;
  const char *via;      /* imterm concept id the chain passed through, or NULL */
  const imt_system *map_sys;   /* ConceptMap the match comes from */
} match;

typedef struct matches {
  match *m;
  size_t n, cap;
  int oom;
} matches;

static void add_match(matches *ms, match m)
{
  for (size_t i = 0; i < ms->n; i++)
    if (!strcmp(ms->m[i].system, m.system) && !strcmp(ms->m[i].code, m.code)) {
      if (rel_rank(m.r) < rel_rank(ms->m[i].r))
        ms->m[i] = m;
      return;
    }
  if (ms->n == ms->cap) {
    size_t cap = ms->cap ? ms->cap * 2 : 16;
    match *nm = imt_realloc(ms->m, cap * sizeof *nm);
    if (!nm) {
      ms->oom = 1;
      return;
    }
    ms->m = nm;
    ms->cap = cap;
  }
  ms->m[ms->n++] = m;
}

static int match_cmp(const void *a, const void *b)
{
  const match *x = a, *y = b;
  int r = rel_rank(x->r) - rel_rank(y->r);
  if (r)
    return r;
  r = strcmp(x->system, y->system);
  return r ? r : strcmp(x->code, y->code);
}

/* Translate (system, code): from imterm to tgt (NULL = every mapped system); from an external
 * system src to imterm (to_imterm) or, chaining through the imterm concepts mapped to the code,
 * to the external system tgt. Adds to ms. */
static void translate(const imt_snapshot *s, sys_kind sk, const imt_system *src, const char *code, int to_imterm,
                      const imt_system *tgt, matches *ms)
{
  if (sk == SYS_IMTERM) {
    const imt_concept *c = imt_snapshot_by_id(s, code);
    for (uint32_t j = 0; c && j < c->n_mappings; j++) {
      const imt_mapping *m = &c->mappings[j];
      const imt_system *ms_sys = imt_system_by_name(m->system);
      if (!ms_sys || (tgt && ms_sys != tgt))
        continue;
      add_match(ms, (match){ms_sys->fhir_uri, m->code, m->display, rel_of_predicate(m->predicate), NULL, ms_sys});
    }
    return;
  }
  {
    const uint32_t *idx;
    uint32_t n = imt_snapshot_by_code(s, src->name, code, &idx);
    for (uint32_t i = 0; i < n; i++) {
      const imt_concept *k = &s->concepts[idx[i]];
      rel a = R_NONE;
      for (uint32_t j = 0; j < k->n_mappings; j++)
        if (imt_system_by_name(k->mappings[j].system) == src && !strcasecmp(k->mappings[j].code, code)) {
          rel r = rel_inverse(rel_of_predicate(k->mappings[j].predicate));
          if (a == R_NONE || rel_rank(r) < rel_rank(a))
            a = r;
        }
      if (a == R_NONE)
        continue;
      if (to_imterm) {
        add_match(ms, (match){imt_fhir_cs_url(s), k->id, imt_fhir_display(k, IMT_LANG_EN), a, NULL, src});
        continue;
      }
      for (uint32_t j = 0; j < k->n_mappings; j++) {
        const imt_mapping *m = &k->mappings[j];
        const imt_system *b_sys = imt_system_by_name(m->system);
        rel r;
        if (b_sys != tgt || b_sys == src)
          continue;
        r = rel_compose(a, rel_of_predicate(m->predicate));
        if (r != R_NONE)
          add_match(ms, (match){b_sys->fhir_uri, m->code, m->display, r, k->id, b_sys});
      }
    }
  }
}

/* System named by a value set uri "X?fhir_vs" or a plain system uri. */
static const char *system_of_vs(const char *uri, char *buf, size_t n)
{
  const char *q = strstr(uri, "?fhir_vs");
  if (!q)
    return uri;
  snprintf(buf, n, "%.*s", (int)(q - uri), uri);
  return buf;
}

static imt_fhir_result op_translate(const imt_snapshot *s, const char *instance, const imt_fhir_params *ps, const char *base)
{
  imt_fhir_result bad;
  in_code ic;
  const char *url, *cm_version, *source, *target, *targetsystem;
  int reverse;
  const imt_system *map_sys = NULL, *src_ext = NULL, *tgt_ext = NULL;
  sys_kind sk, tk = SYS_UNKNOWN;
  char b1[512], b2[512], msg[600];
  matches ms = {NULL, 0, 0, 0};
  const imt_fhir_param *cc = param(ps, "codeableConcept");
  cJSON *o;
  (void)base;

  if (unsupported(ps, "conceptMap", "use the url of one of this server's ConceptMaps", &bad) ||
      unsupported(ps, "dependency", "imterm mappings have no dependencies", &bad) ||
      prim(ps, "url", &url, &bad) || prim(ps, "conceptMapVersion", &cm_version, &bad) || prim(ps, "source", &source, &bad) ||
      prim(ps, "target", &target, &bad) || prim(ps, "targetsystem", &targetsystem, &bad) ||
      boolean(ps, "reverse", 0, &reverse, &bad))
    return bad;
  if (cc) {
    if (cc->kind != IMT_FHIR_P_CONCEPT || cc->n_codings < 1 || !cc->codings[0].code)
      return imt_fhir_fail(400, "invalid", "parameter 'codeableConcept' needs a coding with a code");
    ic = (in_code){cc->codings[0].system, cc->codings[0].version, cc->codings[0].code, cc->codings[0].display};
  } else if (input_code(ps, "coding", "code", "system", &ic, &bad))
    return bad;
  if (!ic.code)
    return imt_fhir_fail(400, "required", "$translate needs a code and a system (or a coding)");
  /* the ConceptMap named by instance id or url fixes the pair of systems */
  if (instance || url) {
    for (unsigned i = 0; i < imt_n_systems; i++) {
      char cid[64], curl[256];
      imt_fhir_cm_id(&imt_systems[i], cid, sizeof cid);
      snprintf(curl, sizeof curl, "%s%s", IMT_FHIR_CM_BASE, cid);
      if ((instance && !strcmp(instance, cid)) || (!instance && !strcmp(url, curl)))
        map_sys = &imt_systems[i];
    }
    if (!map_sys)
      return imt_fhir_fail(404, "not-found", "unknown ConceptMap '%.200s'", instance ? instance : url);
    if (cm_version && strcmp(cm_version, s->version) != 0)
      return imt_fhir_fail(404, "not-found", "conceptMapVersion '%.60s' is not available; this server has %s", cm_version, s->version);
  }
  if (!ic.system && source)
    ic.system = system_of_vs(source, b1, sizeof b1);
  if (!ic.system && map_sys)
    ic.system = reverse ? map_sys->fhir_uri : imt_fhir_cs_url(s);
  if (!ic.system)
    return imt_fhir_fail(400, "required", "$translate needs the system of the code");
  sk = classify(s, ic.system, &src_ext);
  if (sk == SYS_UNKNOWN)
    return imt_fhir_fail(404, "not-found", "unknown code system '%.200s'", ic.system);
  if (sk == SYS_IMTERM && !imt_snapshot_by_id(s, ic.code))
    return imt_fhir_fail(404, "not-found", "unknown code '%.80s' in %s", ic.code, imt_fhir_cs_url(s));
  if (!targetsystem && target)
    targetsystem = system_of_vs(target, b2, sizeof b2);
  if (!targetsystem && map_sys)
    targetsystem = reverse ? imt_fhir_cs_url(s) : map_sys->fhir_uri;
  if (targetsystem) {
    tk = classify(s, targetsystem, &tgt_ext);
    if (tk == SYS_UNKNOWN)
      return imt_fhir_fail(404, "not-found", "unknown target system '%.200s'", targetsystem);
    if (tk == sk && tgt_ext == src_ext)
      return imt_fhir_fail(400, "invalid", "source and target system are the same (%.200s)", targetsystem);
  }
  if (map_sys && !((sk == SYS_IMTERM && tgt_ext == map_sys) || (src_ext == map_sys && tk == SYS_IMTERM) ||
                   (sk == SYS_IMTERM && !targetsystem)))
    return imt_fhir_fail(400, "invalid", "ConceptMap %s maps %s to %s; the code's system and the target do not fit it",
                         url ? url : instance, imt_fhir_cs_url(s), map_sys->fhir_uri);

  if (sk == SYS_IMTERM)
    translate(s, sk, NULL, ic.code, 0, tgt_ext, &ms);
  else if (tk == SYS_IMTERM)
    translate(s, sk, src_ext, ic.code, 1, NULL, &ms);
  else if (tgt_ext)
    translate(s, sk, src_ext, ic.code, 0, tgt_ext, &ms);
  else {
    /* no target: imterm and every other mapped system */
    translate(s, sk, src_ext, ic.code, 1, NULL, &ms);
    for (unsigned i = 0; i < imt_n_systems; i++)
      if (&imt_systems[i] != src_ext)
        translate(s, sk, src_ext, ic.code, 0, &imt_systems[i], &ms);
  }
  if (ms.oom) {
    free(ms.m);
    return done(NULL);
  }
  if (ms.n > 1)
    qsort(ms.m, ms.n, sizeof *ms.m, match_cmp);
  if (!(o = params_new())) {
    free(ms.m);
    return done(NULL);
  }
  out_bool(o, "result", ms.n > 0);
  if (!ms.n)
    snprintf(msg, sizeof msg, "no mapping found for %s|%s%s%s", ic.system, ic.code, targetsystem ? " to " : "",
             targetsystem ? targetsystem : "");
  else {
    size_t chained = 0;
    for (size_t i = 0; i < ms.n; i++)
      chained += ms.m[i].via != NULL;
    snprintf(msg, sizeof msg, "%zu match%s for %s|%s%s", ms.n, ms.n == 1 ? "" : "es", ic.system, ic.code,
             chained ? " (some through imterm concepts: see each match's source)" : "");
  }
  out_str(o, "message", "valueString", msg);
  for (size_t i = 0; i < ms.n; i++) {
    const match *m = &ms.m[i];
    cJSON *parts = out_parts(o, "match");
    char cid[64], curl[256];
    if (!parts)
      break;
    out_item(parts, "equivalence", "valueCode", cJSON_CreateString(rel_code(reverse ? rel_inverse(m->r) : m->r)));
    out_item(parts, "concept", "valueCoding",
             imt_fhir_coding_json(m->system, !strcmp(m->system, imt_fhir_cs_url(s)) ? s->version : NULL, m->code, m->display));
    imt_fhir_cm_id(m->map_sys, cid, sizeof cid);
    snprintf(curl, sizeof curl, "%s%s", IMT_FHIR_CM_BASE, cid);
    if (m->via) {
      /* chained: the second ConceptMap is the source; the imterm concept joining the two maps
       * is given as a product element */
      out_item(parts, "source", "valueUri", cJSON_CreateString(curl));
      out_item(parts, "product", NULL, cJSON_CreateNull());
      {
        /* the intermediate imterm concept, as a product element (R4: "another element that is the
         * product of this mapping") */
        cJSON *prod = cJSON_GetArrayItem(parts, cJSON_GetArraySize(parts) - 1);
        cJSON *pp = prod ? cJSON_AddArrayToObject(prod, "part") : NULL;
        const imt_concept *vc = imt_snapshot_by_id(s, m->via);
        if (pp) {
          out_item(pp, "element", "valueUri", cJSON_CreateString(imt_fhir_cs_url(s)));
          out_item(pp, "concept", "valueCoding",
                   imt_fhir_coding_json(imt_fhir_cs_url(s), s->version, m->via, vc ? imt_fhir_display(vc, IMT_LANG_EN) : NULL));
        }
      }
    } else
      out_item(parts, "source", "valueUri", cJSON_CreateString(curl));
  }
  free(ms.m);
  return done(o);
}

/* ---- dispatch ------------------------------------------------------------------------------- */

imt_fhir_result imt_fhir_operation(const imt_snapshot *s, const char *resource, const char *instance_id, const char *op,
                                   const imt_fhir_params *ps, const char *base_url)
{
  for (size_t i = 0; i < NOPS; i++)
    if (!strcmp(ops[i].resource, resource) && !strcmp(ops[i].op, op)) {
      /* every parameter must be one the operation defines */
      for (size_t j = 0; j < ps->n; j++) {
        int known = 0;
        for (int k = 0; ops[i].params[k]; k++)
          if (!strcmp(ops[i].params[k], ps->p[j].name))
            known = 1;
        if (!known)
          return imt_fhir_fail(400, "not-supported", "parameter '%.60s' is not a parameter of %s/$%s", ps->p[j].name, resource, op);
      }
      return ops[i].fn(s, instance_id, ps, base_url);
    }
  return imt_fhir_fail(404, "not-supported", "operation $%.60s is not supported on %.40s", op, resource);
}
