/* h_fair.c - Linked Data and FAIR endpoints: dereferenceable concept IRIs with content
 * negotiation (/concept/{id}), the DCAT/VoID dataset description (/dataset, /.well-known/void)
 * and the dataset's downloads (/dataset/imterm.*). Reads the snapshot only. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_export.h"
#include "imt_http.h"
#include "imt_rdfout.h"
#include "imt_static.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Offers of /concept/{id}, in order of preference for any type (Turtle first: a Linked Data
 * client that says nothing gets RDF; browsers ask for text/html explicitly). */
static const char *const concept_offers[] = {
  "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples", "text/html",
  "application/json", NULL};
static const char *const dataset_offers[] = {
  "text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples",
  "application/json", NULL};

/* "http://host[:port]" of this request, from a well-formed Host header, else the loopback
 * address; request-lifetime string. */
static const char *base_url(imt_req *rq)
{
  const char *host = imt_req_header(rq, "Host");
  char buf[300];
  if (!host || !*host || strlen(host) > 255 || strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") != strlen(host))
    host = "127.0.0.1";
  snprintf(buf, sizeof buf, "http://%s", host);
  return imt_req_strdup(rq, buf);
}

/* The RDF format asked for by ?format= (or NULL with *html set for "html", *bad set when the
 * value names no format). */
static const imt_rdf_format_info *format_param(imt_req *rq, int *html, int *json, int *bad)
{
  const char *f = imt_req_query(rq, "format");
  *html = *json = *bad = 0;
  if (!f)
    return NULL;
  if (!strcasecmp(f, "html") || !strcasecmp(f, "text/html")) {
    *html = 1;
    return NULL;
  }
  if (!strcasecmp(f, "json") || !strcasecmp(f, "application/json")) {
    *json = 1;
    return NULL;
  }
  if (!imt_rdf_format_by_name(f))
    *bad = 1;
  return imt_rdf_format_by_name(f);
}

static void reply_rdf(imt_req *rq, imt_rdf_graph *g, const imt_rdf_format_info *fi)
{
  size_t len = 0;
  char *body = imt_rdf_serialize(g, fi->format, &len);
  char ctype[96];
  imt_rdf_graph_free(g);
  if (!body) {
    imt_reply_oom(rq);
    return;
  }
  snprintf(ctype, sizeof ctype, "%s; charset=utf-8", fi->media_type);
  imt_reply_take(rq, 200, fi->format == IMT_RDF_JSONLD ? "application/ld+json" : ctype, body, len);
}

/* ETag check: sets the ETag header and returns 1 (after replying 304) when If-None-Match hits. */
static int etag_hit(imt_req *rq, const char *tag)
{
  char et[96];
  const char *inm = imt_req_header(rq, "If-None-Match");
  snprintf(et, sizeof et, "\"%s-%s\"", imt_req_snapshot(rq)->generation, tag);
  imt_reply_header(rq, "ETag", et);
  if (inm && strstr(inm, et)) {
    imt_reply(rq, 304, "text/plain", "", 0);
    return 1;
  }
  return 0;
}

/* GET /concept/{id}: the concept in the negotiated format; Link (canonical + alternates) and
 * Vary headers; 404 unknown id, 406 no acceptable format, 400 unknown ?format=. */
static void h_concept(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  const char *id = imt_req_param(rq, "id");
  const imt_concept *c = imt_snapshot_by_id(s, id);
  const imt_rdf_format_info *fi;
  const char *chosen = NULL;
  int html, json, bad;
  imt_buf link = IMT_BUF_INIT;
  imt_rdf_graph *g;

  if (!c) {
    const uint32_t *idx;
    if (imt_snapshot_resolve(s, id, &idx) == 1 && strcmp(s->concepts[idx[0]].id, id) != 0) {
      /* an IRI or CURIE of an imterm concept: send the client to the concept's own address */
      char loc[256];
      snprintf(loc, sizeof loc, "/concept/%s", s->concepts[idx[0]].id);
      imt_reply_header(rq, "Location", loc);
      imt_reply_error(rq, 303, "see_other", "the concept is at %s", loc);
      return;
    }
    imt_reply_error(rq, 404, "concept_not_found", "no concept with id '%s'", id);
    return;
  }
  fi = format_param(rq, &html, &json, &bad);
  if (bad) {
    imt_reply_error(rq, 400, "bad_format", "format must be one of html, ttl, jsonld, rdf, nt, json");
    return;
  }
  if (!fi && !html && !json) {
    chosen = imt_req_negotiate(rq, concept_offers);
    if (!chosen) {
      imt_reply_header(rq, "Vary", "Accept");
      imt_reply_error(rq, 406, "not_acceptable",
                      "concept %s is available as text/html, text/turtle, application/ld+json, application/rdf+xml "
                      "and application/n-triples", c->id);
      return;
    }
    if (!strcmp(chosen, "text/html"))
      html = 1;
    else if (!strcmp(chosen, "application/json"))
      json = 1;
    else
      fi = imt_rdf_format_by_media_type(chosen);
  }
  imt_buf_printf(&link, "<%s>; rel=\"canonical\"", c->iri);
  imt_buf_printf(&link, ", </concept/%s?format=html>; rel=\"alternate\"; type=\"text/html\"", c->id);
  for (int i = 0; i < IMT_RDF_NFORMATS; i++)
    imt_buf_printf(&link, ", </concept/%s?format=%s>; rel=\"alternate\"; type=\"%s\"", c->id, imt_rdf_formats[i].name,
                   imt_rdf_formats[i].media_type);
  imt_buf_printf(&link, ", </api/concepts/%s>; rel=\"describedby\"; type=\"application/json\"", c->id);
  if (link.oom) {
    imt_buf_free(&link);
    imt_reply_oom(rq);
    return;
  }
  imt_reply_header(rq, "Link", link.data);
  imt_buf_free(&link);
  imt_reply_header(rq, "Vary", "Accept");
  if (html) {
    const char *root = imt_static_root(rq);
    if (!root) {
      imt_reply_error(rq, 406, "not_acceptable", "the web app is disabled on this server; ask for text/turtle or application/ld+json");
      return;
    }
    imt_static_serve_index(rq, root);
    return;
  }
  if (json)
    fi = imt_rdf_format_by_name("jsonld");
  if (etag_hit(rq, fi->name))
    return;
  g = imt_rdf_graph_new();
  if (!g || imt_rdf_add_concept(g, s, c)) {
    imt_rdf_graph_free(g);
    imt_reply_oom(rq);
    return;
  }
  reply_rdf(rq, g, fi);
}

/* GET /dataset and /.well-known/void: DCAT + VoID description, negotiated like concepts. */
static void h_dataset(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  const imt_rdf_format_info *fi;
  int html, json, bad;
  imt_rdf_graph *g;

  fi = format_param(rq, &html, &json, &bad);
  if (bad || html) {
    imt_reply_error(rq, 400, "bad_format", "format must be one of ttl, jsonld, rdf, nt, json");
    return;
  }
  imt_reply_header(rq, "Vary", "Accept");
  if (!fi && !json) {
    const char *chosen = imt_req_negotiate(rq, dataset_offers);
    if (!chosen) {
      imt_reply_error(rq, 406, "not_acceptable",
                      "the dataset description is available as text/turtle, application/ld+json, application/rdf+xml "
                      "and application/n-triples");
      return;
    }
    fi = strcmp(chosen, "application/json") ? imt_rdf_format_by_media_type(chosen) : NULL;
  }
  if (!fi)
    fi = imt_rdf_format_by_name("jsonld");
  imt_reply_header(rq, "Link", "<" IMT_DATASET_IRI ">; rel=\"canonical\"");
  g = imt_rdf_graph_new();
  if (!g || imt_rdf_add_dataset(g, s, base_url(rq))) {
    imt_rdf_graph_free(g);
    imt_reply_oom(rq);
    return;
  }
  reply_rdf(rq, g, fi);
}

/* GET /dataset/{file}: the downloads named by the DCAT distributions. */
static void h_download(imt_req *rq)
{
  const imt_snapshot *s = imt_req_snapshot(rq);
  const char *file = imt_req_param(rq, "file");
  const imt_rdf_format_info *fi = NULL;
  char *body = NULL, disp[128];
  size_t len = 0;
  const char *ctype = NULL;

  if (!strncmp(file, "imterm.", 7)) {
    for (int i = 0; i < IMT_RDF_NFORMATS; i++)
      if (!strcmp(file + 6, imt_rdf_formats[i].ext))
        fi = &imt_rdf_formats[i];
  }
  if (!fi && strcmp(file, "imterm.sssom.tsv") && strcmp(file, "imterm.csv") && strcmp(file, "imterm-slicer.json")) {
    imt_reply_error(rq, 404, "not_found",
                    "no download '%s'; see /dataset for imterm.ttl, imterm.jsonld, imterm.nt, imterm.rdf, "
                    "imterm.sssom.tsv, imterm.csv, imterm-slicer.json", file);
    return;
  }
  if (etag_hit(rq, file))
    return;
  snprintf(disp, sizeof disp, "inline; filename=\"%s\"", file);
  imt_reply_header(rq, "Content-Disposition", disp);
  if (fi) {
    imt_rdf_graph *g = imt_rdf_graph_new();
    if (!g || imt_rdf_add_vocabulary(g, s)) {
      imt_rdf_graph_free(g);
      imt_reply_oom(rq);
      return;
    }
    reply_rdf(rq, g, fi);
    return;
  }
  if (!strcmp(file, "imterm.sssom.tsv")) {
    body = imt_export_sssom(s, &len);
    ctype = "text/tab-separated-values; charset=utf-8";
  } else if (!strcmp(file, "imterm.csv")) {
    body = imt_export_csv(s, &len);
    ctype = "text/csv; charset=utf-8";
  } else {
    body = imt_export_slicer(s, &len);
    ctype = "application/json";
  }
  if (!body) {
    imt_reply_oom(rq);
    return;
  }
  imt_reply_take(rq, 200, ctype, body, len);
}

const imt_route imt_routes_fair[] = {
  {"GET", "/concept/{id}", h_concept, 0, 0},
  {"GET", "/dataset", h_dataset, 0, 0},
  {"GET", "/.well-known/void", h_dataset, 0, 0},
  {"GET", "/dataset/{file}", h_download, 0, 0},
  {NULL, NULL, NULL, 0, 0}
};
