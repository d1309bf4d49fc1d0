/* imt_static.c - static file serving with no way out of the web root: decoded paths are
 * checked for '..' and hidden segments, and the resolved real path (symlinks followed) must stay
 * under the root. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_http.h"
#include "imt_static.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct { const char *ext, *type; } mime[] = {
  {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
  {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
  {".json", "application/json; charset=utf-8"}, {".svg", "image/svg+xml"},
  {".png", "image/png"}, {".ico", "image/x-icon"}, {".txt", "text/plain; charset=utf-8"},
  {".woff2", "font/woff2"}, {".webmanifest", "application/manifest+json"},
  {".ttl", "text/turtle; charset=utf-8"}, {".map", "application/json; charset=utf-8"},
};

/* Paths of the single-page app that render index.html. */
static const char *const app_prefixes[] = {"/concept/", "/query", "/normalize", "/curation", "/browse", NULL};

static const char *mime_of(const char *path)
{
  const char *dot = strrchr(path, '.');
  if (dot)
    for (size_t i = 0; i < sizeof mime / sizeof mime[0]; i++)
      if (strcasecmp(dot, mime[i].ext) == 0)
        return mime[i].type;
  return "application/octet-stream";
}

static int is_app_route(const char *p)
{
  if (strcmp(p, "/") == 0)
    return 1;
  for (int i = 0; app_prefixes[i]; i++)
    if (strncmp(p, app_prefixes[i], strlen(app_prefixes[i])) == 0)
      return 1;
  return 0;
}

static void send_file(imt_req *rq, const char *root, const char *rel)
{
  imt_buf full = IMT_BUF_INIT;
  char *real = NULL, *data = NULL;
  struct stat st;
  int fd = -1;
  size_t rl = strlen(root);
  char etag[64];
  const char *inm;

  imt_buf_printf(&full, "%s/%s", root, rel);
  if (!full.data) { imt_reply_oom(rq); return; }
  real = realpath(full.data, NULL);
  imt_buf_free(&full);
  if (!real || strncmp(real, root, rl) != 0 || real[rl] != '/') {
    imt_reply_error(rq, 404, "not_found", "no such file or endpoint: %s", imt_req_path(rq));
    goto done;
  }
  fd = open(real, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
    imt_reply_error(rq, 404, "not_found", "no such file or endpoint: %s", imt_req_path(rq));
    goto done;
  }
  snprintf(etag, sizeof etag, "\"%lx-%lx-%lx\"", (unsigned long)st.st_size, (unsigned long)st.st_mtim.tv_sec,
           (unsigned long)st.st_mtim.tv_nsec);
  imt_reply_header(rq, "ETag", etag);
  imt_reply_header(rq, "Cache-Control", "no-cache");
  inm = imt_req_header(rq, "If-None-Match");
  if (inm && (strstr(inm, etag) || strcmp(inm, "*") == 0)) {
    imt_reply(rq, 304, mime_of(real), "", 0);
    goto done;
  }
  data = imt_malloc((size_t)st.st_size + 1);
  if (!data) { imt_reply_oom(rq); goto done; }
  {
    size_t got = 0;
    while (got < (size_t)st.st_size) {
      ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
      if (n <= 0) break;
      got += (size_t)n;
    }
    if (got != (size_t)st.st_size) {
      free(data);
      imt_reply_error(rq, 500, "read_error", "cannot read %s", imt_req_path(rq));
      goto done;
    }
  }
  imt_reply_take(rq, 200, mime_of(real), data, (size_t)st.st_size);
done:
  if (fd >= 0) close(fd);
  free(real);
}

void imt_static_serve_index(imt_req *rq, const char *root)
{
  if (!root) {
    imt_reply_error(rq, 404, "not_found", "the web app is not installed (no web directory)");
    return;
  }
  send_file(rq, root, "index.html");
}

void imt_static_serve(imt_req *rq, const char *root)
{
  const char *path = imt_req_path(rq);
  char *dec;

  if (!root) {
    imt_reply_error(rq, 404, "not_found", "no endpoint %s", path);
    return;
  }
  if (is_app_route(path)) {
    send_file(rq, root, "index.html");
    return;
  }
  dec = imt_percent_decode(path, strlen(path), 0, 1);
  if (!dec) {
    imt_reply_error(rq, 400, "bad_path", "the path has a bad percent-escape or is not valid UTF-8");
    return;
  }
  /* refuse traversal outright, before touching the file system */
  if (dec[0] != '/' || strstr(dec, "/.") || strchr(dec, '\\') || strstr(dec, "//")) {
    imt_reply_error(rq, 404, "not_found", "no such file: %s", path);
    free(dec);
    return;
  }
  send_file(rq, root, dec + 1);
  free(dec);
}
