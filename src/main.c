/* main.c - the imterm binary: dispatch to a subcommand from the command table. */
#include "config.h"
#include "imt.h"
#include "imt_cli.h"
#include "imt_config.h"
#include "imt_misslog.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const imt_command commands[] = {
  {"serve", imt_cmd_serve, "run the HTTP server (API, SPARQL, FHIR, web app)"},
  {"check", imt_cmd_check, "validate the ontologies and mappings and print a QA summary"},
  {"lookup", imt_cmd_lookup, "look a term, id or code up; JSON out"},
  {"sparql", imt_cmd_sparql, "run a SPARQL query on the local data"},
  {"normalize", imt_cmd_normalize, "free text (stdin) to concepts with present/absent/uncertain; JSON out"},
  {"misses", imt_cmd_misses, "list the terms lookups did not match (the miss log)"},
  {"proposals", imt_cmd_proposals, "list term proposals or export the accepted ones as patches"},
  {"export", imt_cmd_export, "write the vocabulary as ttl, jsonld, sssom, fhir-codesystem, fhir-conceptmap, csv or slicer"},
  {NULL, NULL, NULL}
};

int imt_cli_opt(int argc, char **argv, int *i, const char *name, const char **value)
{
  size_t n = strlen(name);
  const char *a = argv[*i];
  if (strncmp(a, name, n) != 0)
    return 0;
  if (a[n] == '=') {
    *value = a + n + 1;
    return 1;
  }
  if (a[n] != '\0')
    return 0;
  if (*i + 1 >= argc) {
    fprintf(stderr, "imterm: option %s needs a value\n", name);
    return -1;
  }
  *value = argv[++*i];
  return 1;
}

int imt_cli_opt_time(int argc, char **argv, int *i, const char *name, long long *t)
{
  const char *v;
  int k = imt_cli_opt(argc, argv, i, name, &v);
  if (k <= 0)
    return k;
  if (imt_time_parse(v, t)) {
    fprintf(stderr, "imterm: %s wants YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ or Unix seconds\n", name);
    return -1;
  }
  return 1;
}

int imt_cli_opt_long(int argc, char **argv, int *i, const char *name, long lo, long hi, long *out)
{
  const char *v;
  char *end;
  long x;
  int k = imt_cli_opt(argc, argv, i, name, &v);
  if (k <= 0)
    return k;
  errno = 0;
  x = strtol(v, &end, 10);
  if (!*v || *end || errno || x < lo || x > hi) {
    fprintf(stderr, "imterm: %s wants a number from %ld to %ld\n", name, lo, hi);
    return -1;
  }
  *out = x;
  return 1;
}

const char *imt_cli_default_data(void)
{
  const char *d = getenv("IMTERM_DATA");
  return d && *d ? d : imt_config_bundled_dir();
}

static void usage(FILE *f)
{
  fprintf(f, "usage: imterm COMMAND [OPTIONS]\n\n"
             "imterm %s - bilingual (Chinese-English) medical imaging terminology service\n\ncommands:\n",
          IMT_VERSION_STRING);
  for (const imt_command *c = commands; c->name; c++)
    fprintf(f, "  %-8s %s\n", c->name, c->summary);
  fprintf(f, "\n'imterm COMMAND --help' describes a command's options. See man imterm(1).\n");
}

int main(int argc, char **argv)
{
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("imterm %s\n", IMT_VERSION_STRING);
    return 0;
  }
  for (const imt_command *c = commands; c->name; c++)
    if (!strcmp(argv[1], c->name))
      return c->run(argc - 1, argv + 1);
  fprintf(stderr, "imterm: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
