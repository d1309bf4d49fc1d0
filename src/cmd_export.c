/* cmd_export.c - `imterm export`: write the vocabulary in another tool's format (RDF, SSSOM,
 * FHIR, CSV, 3D Slicer terminology) to stdout or a file. */
#include "config.h"
#include "imt.h"
#include "imt_cli.h"
#include "imt_export.h"
#include "imt_fhir.h"
#include "imt_rdfout.h"
#include "imt_snapshot.h"
#include "imt_systems.h"
#include "imt_vocab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
  fprintf(f, "usage: imterm export --format FORMAT [--data DIR] [--output FILE] [--system NAME]\n\n"
             "FORMAT is one of:\n"
             "  ttl              the vocabulary as Turtle (SKOS; also nt, rdfxml)\n"
             "  jsonld           the vocabulary as JSON-LD\n"
             "  sssom            every mapping as one SSSOM TSV\n"
             "  fhir-codesystem  the HL7 FHIR R4 CodeSystem (JSON)\n"
             "  fhir-conceptmap  FHIR R4 ConceptMaps: a Bundle of all, or one with --system RADLEX|SCT|NCIT|DCM\n"
             "  csv              one row per concept (labels, definitions, parents, mappings)\n"
             "  slicer           3D Slicer / dcmqi segmentation terminology JSON (DICOM code triplets)\n"
             "Writes to stdout unless --output FILE is given. Exit 0 on success, 1 on a load or write\n"
             "error, 2 on bad usage. See docs/fair.md.\n");
}

/* Render the export named fmt; returns a new string (caller frees) or NULL with *why set. */
static char *render(const imt_snapshot *s, const char *fmt, const char *system, size_t *len, const char **why)
{
  const imt_rdf_format_info *fi = NULL;
  cJSON *doc = NULL;
  char *out;
  *why = "out of memory";
  if (!strcmp(fmt, "ttl") || !strcmp(fmt, "jsonld") || !strcmp(fmt, "nt") || !strcmp(fmt, "rdfxml"))
    fi = imt_rdf_format_by_name(fmt);
  if (fi) {
    imt_rdf_graph *g = imt_rdf_graph_new();
    out = g && !imt_rdf_add_vocabulary(g, s) ? imt_rdf_serialize(g, fi->format, len) : NULL;
    imt_rdf_graph_free(g);
    return out;
  }
  if (!strcmp(fmt, "sssom"))
    return imt_export_sssom(s, len);
  if (!strcmp(fmt, "csv"))
    return imt_export_csv(s, len);
  if (!strcmp(fmt, "slicer"))
    return imt_export_slicer(s, len);
  if (!strcmp(fmt, "fhir-codesystem"))
    doc = imt_fhir_codesystem(s, 1);
  else if (!strcmp(fmt, "fhir-conceptmap")) {
    if (system && !imt_system_by_name(system)) {
      *why = "unknown --system (use RADLEX, SCT, NCIT or DCM)";
      return NULL;
    }
    doc = system ? imt_fhir_conceptmap(s, system) : imt_fhir_conceptmap_bundle(s, "https://w3id.org/imterm/fhir");
  } else {
    *why = "unknown format";
    return NULL;
  }
  out = doc ? cJSON_Print(doc) : NULL;
  cJSON_Delete(doc);
  if (out && len)
    *len = strlen(out);
  return out;
}

int imt_cmd_export(int argc, char **argv)
{
  const char *data = imt_cli_default_data(), *fmt = NULL, *output = NULL, *system = NULL, *why;
  imt_error err = {0};
  imt_snapshot *s;
  char *out;
  size_t len = 0;
  FILE *f;
  int rc = 0;

  for (int i = 1; i < argc; i++) {
    int m;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      usage(stdout);
      return 0;
    }
    if ((m = imt_cli_opt(argc, argv, &i, "--data", &data)) || (m = imt_cli_opt(argc, argv, &i, "--format", &fmt)) ||
        (m = imt_cli_opt(argc, argv, &i, "--output", &output)) || (m = imt_cli_opt(argc, argv, &i, "--system", &system))) {
      if (m < 0)
        return 2;
      continue;
    }
    fprintf(stderr, "imterm export: unknown argument '%s' (try --help)\n", argv[i]);
    return 2;
  }
  if (!fmt) {
    fprintf(stderr, "imterm export: --format is required (try --help)\n");
    return 2;
  }
  {
    char key[64];
    snprintf(key, sizeof key, "|%s|", fmt);
    if (strlen(fmt) > 40 || !strstr("|ttl|jsonld|nt|rdfxml|sssom|fhir-codesystem|fhir-conceptmap|csv|slicer|", key))
      fmt = NULL;
  }
  if (!fmt) {
    fprintf(stderr, "imterm export: unknown format (try --help)\n");
    return 2;
  }
  imt_log_set_quiet(1);
  s = imt_vocab_load(data, NULL, 0, &err);
  if (!s) {
    fprintf(stderr, "imterm export: %s\n", err.message);
    return 1;
  }
  out = render(s, fmt, system, &len, &why);
  if (!out) {
    fprintf(stderr, "imterm export: %s\n", why);
    imt_snapshot_free(s);
    return strcmp(why, "out of memory") ? 2 : 1;
  }
  f = output ? fopen(output, "wb") : stdout;
  if (!f) {
    fprintf(stderr, "imterm export: %s: %s\n", output, strerror(errno));
    rc = 1;
  } else {
    if (fwrite(out, 1, len, f) != len || (len && out[len - 1] != '\n' && fputc('\n', f) == EOF) || fflush(f)) {
      fprintf(stderr, "imterm export: write error: %s\n", strerror(errno));
      rc = 1;
    }
    if (output && fclose(f)) {
      fprintf(stderr, "imterm export: %s: %s\n", output, strerror(errno));
      rc = 1;
    }
  }
  free(out);
  imt_snapshot_free(s);
  return rc;
}
