/* imt_static.h - static files of the web app, served safely from one directory. */
#ifndef IMT_STATIC_H
#define IMT_STATIC_H

struct imt_req;
/* Serve the file the request path names under root (a realpath), with MIME type, ETag and
 * If-None-Match; the single-page app's routes get index.html. Replies 404/400 JSON otherwise. */
void imt_static_serve(struct imt_req *rq, const char *root);
/* Serve root/index.html (for app routes such as /concept/{id}). */
void imt_static_serve_index(struct imt_req *rq, const char *root);
/* Root of the web app of the server handling rq (NULL when disabled). Borrowed. */
const char *imt_static_root(struct imt_req *rq);

#endif
