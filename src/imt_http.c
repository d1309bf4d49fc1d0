/* imt_http.c - libmicrohttpd glue: request state tied to the request's lifetime, routing from
 * the route tables, the request limits (connections, slow clients, URL, body, JSON, batches; all
 * answered in JSON), content negotiation, one error renderer, the access log and graceful stop. */
#include "config.h"
#include "imt.h"
#include "imt_buf.h"
#include "imt_config.h"
#include "imt_http.h"
#include "imt_json.h"
#include "imt_static.h"

#include <microhttpd.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PARAMS 4
#define MAX_HEADERS 12

typedef struct kv {
  char *key, *val;   /* decoded, owned by the request */
} kv;

/* Per-connection state (MHD's socket context), created when a connection is accepted and freed
 * when it closes. Every live connection is on the server's list, which the watchdog scans. */
enum conn_state { CONN_IDLE = 0, CONN_RECEIVING, CONN_HANDLING, CONN_KILLED };
typedef struct conn_ctx {
  struct conn_ctx *prev, *next;   /* srv->conns, under srv->conn_lock */
  int fd;
  int over;                       /* 1: over max_connections, 2: over max_per_ip; answer 503 */
  struct ip_count *ip;            /* per-client count this connection holds, or NULL */
  _Atomic int state;              /* enum conn_state */
  _Atomic long long since_ms;     /* when the current state began (ms, imt_now() clock) */
} conn_ctx;

/* Active connections per client address (only when max_per_ip is set). */
typedef struct ip_count {
  struct ip_count *next;
  unsigned n;
  char addr[48];
} ip_count;
#define IP_BUCKETS 256

struct imt_req {
  imt_server *srv;
  struct MHD_Connection *conn;
  conn_ctx *cc;
  char *raw_uri;            /* as received, owned */
  char *path;               /* raw path part of raw_uri, owned */
  char method[16];
  const imt_route *route;
  const char *pnames[MAX_PARAMS];
  size_t pname_len[MAX_PARAMS];
  char *pvals[MAX_PARAMS];
  int nparams;
  kv *query;
  size_t nquery, cap_query;
  int query_bad;
  imt_buf body;
  size_t body_limit;
  int body_too_large;
  int started;              /* first access-handler call done */
  int dispatched;
  int suspended;
  atomic_int in_dispatch;   /* the handler is running in dispatch_thread */
  pthread_t dispatch_thread;
  int replied_in_handler;   /* replied synchronously, in the handler's own thread */
  atomic_int resumed;       /* imt_req_resume was called */
  imt_snapshot_ref snap;
  int have_snap;
  /* response */
  int status;
  char *resp;
  size_t resp_len;
  char ctype[96];
  char *hname[MAX_HEADERS], *hval[MAX_HEADERS];
  int nheaders;
  int replied;
  /* cleanup */
  void **owned;
  size_t nowned, cap_owned;
  double t0;
  char client[64];
};

struct imt_server {
  struct MHD_Daemon *daemon;
  const imt_config *cfg;
  FILE *access_log;
  unsigned port;
  char *web_root;
  /* connections */
  pthread_mutex_t conn_lock;      /* conns, ips */
  conn_ctx *conns;
  ip_count *ips[IP_BUCKETS];
  atomic_uint n_conns;            /* accepted and open */
  atomic_uint n_inflight;         /* requests between request line and completion */
  atomic_ulong n_refused;         /* answered 503 over a connection limit */
  atomic_ulong n_timed_out;       /* answered 408 by the watchdog */
  atomic_int draining;            /* stopping: answer with Connection: close */
  /* watchdog */
  pthread_t watchdog;
  int watchdog_started;
  pthread_mutex_t wd_lock;
  pthread_cond_t wd_cond;
  int wd_stop;
};

/* ---- small helpers -------------------------------------------------------------------------- */

void *imt_req_own(imt_req *rq, void *p)
{
  if (!p)
    return NULL;
  if (rq->nowned == rq->cap_owned) {
    size_t cap = rq->cap_owned ? rq->cap_owned * 2 : 16;
    void **n = imt_realloc(rq->owned, cap * sizeof *n);
    if (!n) { free(p); return NULL; }
    rq->owned = n;
    rq->cap_owned = cap;
  }
  rq->owned[rq->nowned++] = p;
  return p;
}

void *imt_req_alloc(imt_req *rq, size_t n) { return imt_req_own(rq, imt_calloc(1, n)); }
char *imt_req_strdup(imt_req *rq, const char *s) { return imt_req_own(rq, imt_strdup(s)); }

/* imt_query_fn: append one decoded pair to the request (takes key and val). */
static int add_query(char *k, char *v, void *arg)
{
  imt_req *rq = arg;
  if (rq->nquery == rq->cap_query) {
    size_t cap = rq->cap_query ? rq->cap_query * 2 : 8;
    kv *n = imt_realloc(rq->query, cap * sizeof *n);
    if (!n) { free(k); free(v); return IMT_ERR_NOMEM; }
    rq->query = n;
    rq->cap_query = cap;
  }
  rq->query[rq->nquery].key = k;
  rq->query[rq->nquery].val = v;
  rq->nquery++;
  return 0;
}

/* Add the pairs of a query string (or form body); 0 or IMT_ERR_NOMEM. Bad pairs set query_bad. */
static int parse_query(imt_req *rq, const char *q, size_t len)
{
  size_t bad = 0;
  int rc = imt_query_parse(q, len, add_query, rq, &bad);
  if (bad)
    rq->query_bad = 1;
  return rc;
}

/* ---- accessors ------------------------------------------------------------------------------ */

const char *imt_req_method(const imt_req *rq) { return rq->method; }
const char *imt_req_path(const imt_req *rq) { return rq->path; }
const char *imt_req_client(const imt_req *rq) { return rq->client; }
const imt_snapshot *imt_req_snapshot(const imt_req *rq) { return rq->snap.snap; }
imt_server *imt_req_server(const imt_req *rq) { return rq->srv; }
int imt_req_query_invalid(imt_req *rq) { return rq->query_bad; }
int imt_req_replied(const imt_req *rq) { return rq->replied; }

const char *imt_req_param(imt_req *rq, const char *name)
{
  size_t n = strlen(name);
  for (int i = 0; i < rq->nparams; i++)
    if (rq->pname_len[i] == n && memcmp(rq->pnames[i], name, n) == 0)
      return rq->pvals[i];
  return NULL;
}

const char *imt_req_query(imt_req *rq, const char *name)
{
  for (size_t i = 0; i < rq->nquery; i++)
    if (strcmp(rq->query[i].key, name) == 0)
      return rq->query[i].val;
  return NULL;
}

size_t imt_req_query_all(imt_req *rq, const char *name, const char ***out)
{
  size_t n = 0;
  const char **v = imt_req_alloc(rq, (rq->nquery + 1) * sizeof *v);
  if (!v) { *out = NULL; return 0; }
  for (size_t i = 0; i < rq->nquery; i++)
    if (strcmp(rq->query[i].key, name) == 0)
      v[n++] = rq->query[i].val;
  *out = v;
  return n;
}

const char *imt_req_header(const imt_req *rq, const char *name)
{
  return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *imt_req_body(const imt_req *rq, size_t *len)
{
  if (len) *len = rq->body.len;
  return rq->body.data ? rq->body.data : "";
}

int imt_req_uint(imt_req *rq, const char *name, long dflt, long min, long max, long *out)
{
  const char *v = imt_req_query(rq, name);
  char *end;
  long x;
  if (!v) { *out = dflt; return 0; }
  if (!*v || !isdigit((unsigned char)*v)) return -1;
  errno = 0;
  x = strtol(v, &end, 10);
  if (errno || *end || x < min || x > max) return -1;
  *out = x;
  return 0;
}

/* ---- content negotiation -------------------------------------------------------------------- */

/* q of the best-matching range in accept for type; -1 when no range matches. */
static double accept_q(const char *accept, const char *type)
{
  double best = -1;
  int best_spec = -1;
  const char *p = accept;
  const char *slash = strchr(type, '/');
  size_t tmain = slash ? (size_t)(slash - type) : strlen(type);
  while (*p) {
    const char *end = strchr(p, ','), *semi;
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char range[128];
    double q = 1.0;
    int spec;
    size_t rl;
    while (len && isspace((unsigned char)*p)) { p++; len--; }
    semi = memchr(p, ';', len);
    rl = semi ? (size_t)(semi - p) : len;
    while (rl && isspace((unsigned char)p[rl - 1])) rl--;
    if (rl < sizeof range) {
      memcpy(range, p, rl);
      range[rl] = '\0';
      for (const char *a = semi; a && a < p + len; a = memchr(a + 1, ';', (size_t)(p + len - a - 1))) {
        const char *x = a + 1;
        while (isspace((unsigned char)*x)) x++;
        if ((x[0] == 'q' || x[0] == 'Q') && x[1] == '=')
          q = strtod(x + 2, NULL);
      }
      if (strcmp(range, "*/*") == 0) spec = 0;
      else if (rl >= 2 && strcmp(range + rl - 2, "/*") == 0 && rl - 2 == tmain && strncasecmp(range, type, tmain) == 0) spec = 1;
      else if (strcasecmp(range, type) == 0) spec = 2;
      else spec = -1;
      if (spec > best_spec) { best_spec = spec; best = q; }
    }
    if (!end) break;
    p = end + 1;
  }
  return best;
}

const char *imt_req_negotiate(const imt_req *rq, const char *const *offers)
{
  const char *accept = imt_req_header(rq, "Accept");
  const char *best = NULL;
  double bq = 0;
  if (!accept || !*accept)
    return offers[0];
  for (int i = 0; offers[i]; i++) {
    double q = accept_q(accept, offers[i]);
    if (q > bq) { bq = q; best = offers[i]; }
  }
  return best;
}

/* ---- replies -------------------------------------------------------------------------------- */

void imt_reply_header(imt_req *rq, const char *name, const char *value)
{
  if (rq->nheaders >= MAX_HEADERS)
    return;
  rq->hname[rq->nheaders] = imt_strdup(name);
  rq->hval[rq->nheaders] = imt_strdup(value);
  rq->nheaders++;
}

/* Note whether a reply comes from the handler itself (same thread, during dispatch): a handler
 * that suspended and then answered at once is resumed by on_request. */
static void note_reply_thread(imt_req *rq)
{
  if (atomic_load(&rq->in_dispatch) && pthread_equal(pthread_self(), rq->dispatch_thread))
    rq->replied_in_handler = 1;
}

void imt_reply_take(imt_req *rq, int status, const char *ctype, char *body, size_t len)
{
  if (rq->replied) {
    imt_log("error", "%s %s: second reply ignored", rq->method, rq->path);
    free(body);
    return;
  }
  note_reply_thread(rq);
  rq->replied = 1;
  rq->status = status;
  rq->resp = body;
  rq->resp_len = len;
  snprintf(rq->ctype, sizeof rq->ctype, "%s", ctype ? ctype : "application/octet-stream");
}

void imt_reply(imt_req *rq, int status, const char *ctype, const char *body, size_t len)
{
  char *copy = imt_malloc(len + 1);
  if (!copy) {
    imt_reply_oom(rq);
    return;
  }
  memcpy(copy, body, len);
  copy[len] = '\0';
  imt_reply_take(rq, status, ctype, copy, len);
}

void imt_reply_json_as(imt_req *rq, int status, const char *ctype, cJSON *json)
{
  char *s = json ? cJSON_PrintUnformatted(json) : NULL;
  cJSON_Delete(json);
  if (!s) {
    imt_reply_oom(rq);
    return;
  }
  imt_reply_take(rq, status, ctype, s, strlen(s));
}

void imt_reply_json(imt_req *rq, int status, cJSON *json)
{
  imt_reply_json_as(rq, status, "application/json; charset=utf-8", json);
}

void imt_reply_error(imt_req *rq, int status, const char *code, const char *fmt, ...)
{
  char msg[1024];
  va_list ap;
  cJSON *j = cJSON_CreateObject();
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (!imt_utf8_valid(msg, strlen(msg)))
    snprintf(msg, sizeof msg, "%s", "the request could not be processed");
  if (!j || !cJSON_AddStringToObject(j, "error", code) || !cJSON_AddStringToObject(j, "message", msg)) {
    cJSON_Delete(j);
    imt_reply_oom(rq);
    return;
  }
  imt_reply_json(rq, status, j);
}

void imt_reply_oom(imt_req *rq)
{
  static const char body[] = "{\"error\":\"out_of_memory\",\"message\":\"the server is out of memory; retry later\"}";
  char *copy = imt_strdup(body);
  if (rq->replied) {
    free(copy);
    return;
  }
  note_reply_thread(rq);
  rq->replied = 1;
  rq->status = 503;
  rq->resp = copy;
  rq->resp_len = copy ? strlen(copy) : 0;
  snprintf(rq->ctype, sizeof rq->ctype, "application/json; charset=utf-8");
}

/* Suspend at once (we are inside MHD's access handler), so that another thread may reply and
 * resume even before the handler returns; MHD then calls on_request again, which sends the reply. */
void imt_req_suspend(imt_req *rq)
{
  if (rq->suspended)
    return;
  rq->suspended = 1;
  MHD_suspend_connection(rq->conn);
}

void imt_req_resume(imt_req *rq)
{
  if (atomic_exchange(&rq->resumed, 1))
    return;  /* once per suspension */
  MHD_resume_connection(rq->conn);
}

/* ---- routing -------------------------------------------------------------------------------- */

/* Match rq->path against pattern, filling rq's params: 1 match, 0 none, -1 bad escape. */
static int match_route(imt_req *rq, const char *pattern, const char *path)
{
  imt_route_param p[MAX_PARAMS];
  int n = 0, m = imt_route_match(pattern, path, p, MAX_PARAMS, &n);
  if (m != 1)
    return m;
  for (int i = 0; i < n; i++) {
    rq->pnames[i] = p[i].name;
    rq->pname_len[i] = p[i].name_len;
    rq->pvals[i] = p[i].value;
  }
  rq->nparams = n;
  return 1;
}

/* Find the route: 1 found (rq->route set), 0 none, -1 bad escape, -2 path exists for another
 * method (allow filled). */
static int find_route(imt_req *rq, char *allow, size_t allow_len)
{
  int path_match = 0;
  allow[0] = '\0';
  for (int t = 0; imt_route_tables[t]; t++)
    for (const imt_route *r = imt_route_tables[t]; r->method; r++) {
      int m = match_route(rq, r->pattern, rq->path);
      if (m < 0) return -1;
      if (!m) continue;
      if (strcmp(r->method, rq->method) == 0 || (strcmp(rq->method, "HEAD") == 0 && strcmp(r->method, "GET") == 0)) {
        rq->route = r;
        return 1;
      }
      for (int i = 0; i < rq->nparams; i++) IMT_FREE(rq->pvals[i]);
      rq->nparams = 0;
      if (!strstr(allow, r->method)) {
        size_t l = strlen(allow);
        snprintf(allow + l, allow_len - l, "%s%s", l ? ", " : "", r->method);
      }
      path_match = 1;
    }
  return path_match ? -2 : 0;
}

/* ---- request JSON and batches -------------------------------------------------------------- */

int imt_json_parse(imt_req *rq, cJSON **out)
{
  imt_error err = {0};
  size_t len;
  const char *body = imt_req_body(rq, &len);
  const imt_config *cfg = rq->srv->cfg;
  size_t limit = rq->route && rq->route->max_body ? rq->route->max_body : cfg->max_body;
  *out = NULL;
  if (len > limit) {  /* normally refused while uploading already */
    imt_reply_error(rq, 413, "body_too_large", "the request body exceeds the limit of %zu bytes", limit);
    return 1;
  }
  *out = imt_json_parse_text(body, len, (int)cfg->max_json_depth, &err);
  if (*out)
    return 0;
  switch (err.code) {
  case IMT_ERR_NOMEM: imt_reply_oom(rq); break;
  case IMT_ERR_LIMIT: imt_reply_error(rq, 400, "json_too_deep", "%s (max_json_depth)", err.message); break;
  case IMT_ERR_INVALID: imt_reply_error(rq, 400, "bad_encoding", "%s", err.message); break;
  default: imt_reply_error(rq, 400, "bad_json", "%s", err.message); break;
  }
  return 1;
}

int imt_req_check_batch(imt_req *rq, size_t n)
{
  unsigned max = rq->srv->cfg->max_batch;
  if (n <= max)
    return 0;
  imt_reply_error(rq, 413, "batch_too_large", "the batch has %zu items; the limit is %u (max_batch)", n, max);
  return 1;
}

void imt_req_drop_snapshot(imt_req *rq)
{
  if (rq->have_snap)
    imt_snapshot_release(rq->snap);
  rq->have_snap = 0;
  rq->snap.snap = NULL;
}

/* ---- connections: limits and the slow-request watchdog --------------------------------------- */

static long long now_ms(void) { return (long long)(imt_now() * 1000.0); }

static void addr_string(const struct sockaddr *sa, char *buf, size_t len)
{
  buf[0] = '\0';
  if (!sa)
    return;
  if (sa->sa_family == AF_INET)
    inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
  else if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)len);
}

/* Count one more connection from addr; returns its counter (NULL on OOM). Under conn_lock. */
static ip_count *ip_acquire(imt_server *srv, const char *addr)
{
  unsigned b = (unsigned)(imt_hash(addr, strlen(addr)) % IP_BUCKETS);
  ip_count *c;
  for (c = srv->ips[b]; c; c = c->next)
    if (strcmp(c->addr, addr) == 0)
      break;
  if (!c) {
    c = IMT_CALLOC(ip_count, 1);
    if (!c)
      return NULL;
    snprintf(c->addr, sizeof c->addr, "%s", addr);
    c->next = srv->ips[b];
    srv->ips[b] = c;
  }
  c->n++;
  return c;
}

/* Drop one connection from c's count, freeing it at zero. Under conn_lock. */
static void ip_release(imt_server *srv, ip_count *c)
{
  unsigned b;
  if (--c->n)
    return;
  b = (unsigned)(imt_hash(c->addr, strlen(c->addr)) % IP_BUCKETS);
  for (ip_count **pp = &srv->ips[b]; *pp; pp = &(*pp)->next)
    if (*pp == c) {
      *pp = c->next;
      break;
    }
  free(c);
}

/* MHD_OPTION_NOTIFY_CONNECTION: count connections, mark those over a soft limit (their requests
 * get 503 JSON and the connection is closed), keep the list the watchdog scans. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
  imt_server *srv = cls;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    conn_ctx *cc = IMT_CALLOC(conn_ctx, 1);
    const union MHD_ConnectionInfo *ci;
    unsigned n = atomic_fetch_add(&srv->n_conns, 1) + 1;
    *socket_context = cc;
    if (!cc)
      return;
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    cc->fd = ci ? ci->connect_fd : -1;
    atomic_store(&cc->since_ms, now_ms());
    if (n > srv->cfg->max_connections)
      cc->over = 1;
    pthread_mutex_lock(&srv->conn_lock);
    if (srv->cfg->max_per_ip) {
      char addr[48];
      ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
      addr_string(ci ? ci->client_addr : NULL, addr, sizeof addr);
      cc->ip = ip_acquire(srv, addr);
      if (cc->ip && cc->ip->n > srv->cfg->max_per_ip && !cc->over)
        cc->over = 2;
    }
    cc->next = srv->conns;
    if (srv->conns)
      srv->conns->prev = cc;
    srv->conns = cc;
    pthread_mutex_unlock(&srv->conn_lock);
  } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
    conn_ctx *cc = *socket_context;
    atomic_fetch_sub(&srv->n_conns, 1);
    if (!cc)
      return;
    pthread_mutex_lock(&srv->conn_lock);
    if (cc->prev) cc->prev->next = cc->next;
    else srv->conns = cc->next;
    if (cc->next) cc->next->prev = cc->prev;
    if (cc->ip)
      ip_release(srv, cc->ip);
    pthread_mutex_unlock(&srv->conn_lock);
    free(cc);
    *socket_context = NULL;
  }
}

/* The watchdog: a request whose headers and body take longer than request_timeout gets a 408
 * JSON answer and its socket shut down; a connection idle (or dripping the request line) for
 * longer than conn_timeout is shut down. shutdown() (not close()) lets MHD see the end of the
 * connection and clean up in its own thread; the fd stays valid because connections leave the
 * list (under conn_lock) before MHD closes them. */
static void *watchdog_main(void *arg)
{
  static const char resp_body[] = "{\"error\":\"request_timeout\",\"message\":\"the request was not received in time (request_timeout)\"}";
  imt_server *srv = arg;
  char resp[512];
  int rlen = snprintf(resp, sizeof resp,
                      "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json; charset=utf-8\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", sizeof resp_body - 1, resp_body);
  pthread_mutex_lock(&srv->wd_lock);
  while (!srv->wd_stop) {
    struct timespec ts;
    long long now = now_ms();
    long long req_limit = (long long)srv->cfg->request_timeout * 1000;
    long long idle_limit = (long long)srv->cfg->conn_timeout * 1000 + 1000;  /* MHD's own first */
    pthread_mutex_lock(&srv->conn_lock);
    for (conn_ctx *cc = srv->conns; cc; cc = cc->next) {
      int st = atomic_load(&cc->state);
      long long age = now - atomic_load(&cc->since_ms);
      if (cc->fd < 0)
        continue;
      if (st == CONN_RECEIVING && age > req_limit) {
        int exp = CONN_RECEIVING;
        if (atomic_compare_exchange_strong(&cc->state, &exp, CONN_KILLED)) {
          ssize_t w = send(cc->fd, resp, (size_t)rlen, MSG_NOSIGNAL | MSG_DONTWAIT);
          (void)w;
          shutdown(cc->fd, SHUT_RDWR);
          atomic_fetch_add(&srv->n_timed_out, 1);
        }
      } else if (st == CONN_IDLE && age > idle_limit) {
        int exp = CONN_IDLE;
        if (atomic_compare_exchange_strong(&cc->state, &exp, CONN_KILLED))
          shutdown(cc->fd, SHUT_RDWR);
      }
    }
    pthread_mutex_unlock(&srv->conn_lock);
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 250 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) { ts.tv_sec++; ts.tv_nsec -= 1000000000L; }
    pthread_cond_timedwait(&srv->wd_cond, &srv->wd_lock, &ts);
  }
  pthread_mutex_unlock(&srv->wd_lock);
  return NULL;
}

/* Connection context of conn (NULL when its allocation failed). */
static conn_ctx *conn_of(struct MHD_Connection *conn)
{
  const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return ci ? ci->socket_context : NULL;
}

/* ---- MHD callbacks -------------------------------------------------------------------------- */

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
  imt_req *rq = IMT_CALLOC(imt_req, 1);
  conn_ctx *cc = conn_of(conn);
  if (cc) {
    int exp = CONN_IDLE;
    atomic_store(&cc->since_ms, now_ms());
    atomic_compare_exchange_strong(&cc->state, &exp, CONN_RECEIVING);
  }
  if (!rq)
    return NULL;
  rq->srv = cls;
  rq->cc = cc;
  rq->t0 = imt_now();
  rq->raw_uri = imt_strdup(uri ? uri : "");
  atomic_fetch_add(&rq->srv->n_inflight, 1);
  return rq;
}

static enum MHD_Result send_reply(imt_req *rq)
{
  struct MHD_Response *r;
  enum MHD_Result ret;
  if (!rq->replied)
    imt_reply_error(rq, 500, "internal_error", "the handler did not answer");
  r = MHD_create_response_from_buffer(rq->resp_len, rq->resp ? rq->resp : (void *)"", rq->resp ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  if (!r)
    return MHD_NO;
  rq->resp = NULL;  /* owned by the response now */
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rq->ctype);
  for (int i = 0; i < rq->nheaders; i++)
    if (rq->hname[i] && rq->hval[i])
      MHD_add_response_header(r, rq->hname[i], rq->hval[i]);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  if (atomic_load(&rq->srv->draining) || (rq->cc && rq->cc->over))
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
  if (rq->status == 503 && !imt_req_header(rq, "Retry-After")) {
    int has = 0;
    for (int i = 0; i < rq->nheaders; i++) if (rq->hname[i] && !strcasecmp(rq->hname[i], "Retry-After")) has = 1;
    if (!has) MHD_add_response_header(r, "Retry-After", "1");
  }
  ret = MHD_queue_response(rq->conn, (unsigned)rq->status, r);
  MHD_destroy_response(r);
  return ret;
}

static void dispatch(imt_req *rq)
{
  const char *ct;
  if (rq->body_too_large) {
    imt_reply_error(rq, 413, "body_too_large", "the request body exceeds the limit of %zu bytes", rq->body_limit);
    return;
  }
  ct = imt_req_header(rq, MHD_HTTP_HEADER_CONTENT_TYPE);
  if (rq->route && (rq->route->flags & IMT_ROUTE_BODY) && ct &&
      strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 && rq->body.len) {
    if (parse_query(rq, rq->body.data, rq->body.len)) {
      imt_reply_oom(rq);
      return;
    }
  }
  if (rq->query_bad) {
    imt_reply_error(rq, 400, "bad_query_string", "a query parameter is not valid percent-encoded UTF-8");
    return;
  }
  rq->snap = imt_snapshot_acquire();
  rq->have_snap = 1;
  if (!rq->snap.snap) {
    imt_reply_error(rq, 503, "not_ready", "the vocabulary is still loading");
    return;
  }
  if (rq->route)
    rq->route->handler(rq);
  else
    imt_static_serve(rq, rq->srv->web_root);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
  imt_server *srv = cls;
  imt_req *rq = *req_cls;
  (void)url;
  (void)version;

  if (!rq)
    return MHD_NO;  /* out of memory in on_uri: drop the connection */
  if (!rq->started) {
    const char *q;
    char allow[64];
    int rc;
    rq->started = 1;
    rq->conn = conn;
    snprintf(rq->method, sizeof rq->method, "%s", method);
    {
      const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
      addr_string(ci ? ci->client_addr : NULL, rq->client, sizeof rq->client);
    }
    if (!rq->raw_uri) {
      imt_reply_oom(rq);
      return MHD_YES;
    }
    if (rq->cc && rq->cc->over) {
      atomic_fetch_add(&srv->n_refused, 1);
      if (rq->cc->over == 1)
        imt_reply_error(rq, 503, "too_many_connections",
                        "the server has more than %u open connections (max_connections); retry later",
                        srv->cfg->max_connections);
      else
        imt_reply_error(rq, 503, "too_many_connections_from_client",
                        "this client has more than %u open connections (max_per_ip); reuse or close some",
                        srv->cfg->max_per_ip);
      return MHD_YES;
    }
    q = strchr(rq->raw_uri, '?');
    rq->path = imt_strndup(rq->raw_uri, q ? (size_t)(q - rq->raw_uri) : strlen(rq->raw_uri));
    if (!rq->path) {
      imt_reply_oom(rq);
      return MHD_YES;
    }
    if (strlen(rq->raw_uri) > srv->cfg->max_url) {
      imt_reply_error(rq, 414, "uri_too_long", "the request URI is longer than %zu bytes", srv->cfg->max_url);
      return MHD_YES;
    }
    if (q && parse_query(rq, q + 1, strlen(q + 1))) {
      imt_reply_oom(rq);
      return MHD_YES;
    }
    rc = find_route(rq, allow, sizeof allow);
    if (rc == -1) {
      imt_reply_error(rq, 400, "bad_path", "the path has a bad percent-escape or is not valid UTF-8");
      return MHD_YES;
    }
    if (rc == -2) {
      imt_reply_header(rq, "Allow", allow);
      imt_reply_error(rq, 405, "method_not_allowed", "%s is not allowed on %s; use %s", rq->method, rq->path, allow);
      return MHD_YES;
    }
    if (rc == 0 && strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "HEAD") != 0) {
      if (strncmp(rq->path, "/api/", 5) == 0 || strcmp(rq->path, "/health") == 0)
        imt_reply_error(rq, 404, "not_found", "no endpoint %s %s", rq->method, rq->path);
      else {
        imt_reply_header(rq, "Allow", "GET, HEAD");
        imt_reply_error(rq, 405, "method_not_allowed", "%s is not allowed on %s", rq->method, rq->path);
      }
      return MHD_YES;
    }
    rq->body_limit = rq->route && rq->route->max_body ? rq->route->max_body : srv->cfg->max_body;
    if (!(rq->route && (rq->route->flags & IMT_ROUTE_BODY)))
      rq->body_limit = 0;
    {
      const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
      if (cl && strtoull(cl, NULL, 10) > rq->body_limit && strtoull(cl, NULL, 10) > 0) {
        if (rq->body_limit)
          imt_reply_error(rq, 413, "body_too_large", "the request body exceeds the limit of %zu bytes", rq->body_limit);
        else
          imt_reply_error(rq, 413, "body_not_allowed", "%s %s takes no request body", rq->method, rq->path);
        return MHD_YES;  /* replied: answered at the next call, body discarded */
      }
    }
    return MHD_YES;  /* answer on a later call keeps the connection alive (MHD 0.9.75) */
  }

  if (rq->cc) {
    /* claim the request from the watchdog; if it already answered 408, drop the connection */
    int exp = CONN_RECEIVING;
    if (*upload_size == 0)
      atomic_compare_exchange_strong(&rq->cc->state, &exp, CONN_HANDLING);
    if (atomic_load(&rq->cc->state) == CONN_KILLED)
      return MHD_NO;
  }
  if (*upload_size) {
    if (!rq->replied) {
      if (rq->body.len + *upload_size > rq->body_limit)
        rq->body_too_large = 1;
      else if (imt_buf_append(&rq->body, upload, *upload_size))
        imt_reply_oom(rq);
    }
    *upload_size = 0;
    return MHD_YES;
  }

  if (!rq->replied && !rq->dispatched) {
    rq->dispatched = 1;
    rq->dispatch_thread = pthread_self();
    atomic_store(&rq->in_dispatch, 1);
    dispatch(rq);
    atomic_store(&rq->in_dispatch, 0);
    if (rq->suspended) {
      /* a handler that suspended and then answered itself without resuming: resume for it */
      if (rq->replied_in_handler)
        imt_req_resume(rq);
      return MHD_YES;  /* the reply goes out when MHD calls us again after the resume */
    }
  }
  if (!rq->replied) {
    /* resumed without a reply: should not happen */
    imt_reply_error(rq, 500, "internal_error", "the request was resumed without an answer");
  }
  return send_reply(rq);
}

static void on_complete(void *cls, struct MHD_Connection *conn, void **req_cls,
                        enum MHD_RequestTerminationCode toe)
{
  imt_server *srv = cls;
  imt_req *rq = *req_cls;
  (void)conn;
  if (!rq)
    return;
  if (rq->cc) {
    int st = atomic_load(&rq->cc->state);
    if (st != CONN_KILLED && atomic_compare_exchange_strong(&rq->cc->state, &st, CONN_IDLE))
      atomic_store(&rq->cc->since_ms, now_ms());
  }
  atomic_fetch_sub(&srv->n_inflight, 1);
  if (srv->access_log && rq->started) {
    char ts[40];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%d/%b/%Y:%H:%M:%S +0000", &tm);
    fprintf(srv->access_log, "%s - - [%s] \"%s %s\" %d %zu %.3f%s\n", rq->client[0] ? rq->client : "-", ts,
            rq->method, rq->raw_uri ? rq->raw_uri : "-", rq->replied ? rq->status : 0, rq->resp_len,
            (imt_now() - rq->t0) * 1000.0, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    fflush(srv->access_log);
  }
  if (rq->have_snap)
    imt_snapshot_release(rq->snap);
  for (size_t i = 0; i < rq->nquery; i++) {
    free(rq->query[i].key);
    free(rq->query[i].val);
  }
  free(rq->query);
  for (int i = 0; i < rq->nparams; i++)
    free(rq->pvals[i]);
  for (int i = 0; i < rq->nheaders; i++) {
    free(rq->hname[i]);
    free(rq->hval[i]);
  }
  for (size_t i = 0; i < rq->nowned; i++)
    free(rq->owned[i]);
  free(rq->owned);
  imt_buf_free(&rq->body);
  free(rq->resp);
  free(rq->path);
  free(rq->raw_uri);
  free(rq);
  *req_cls = NULL;
}

/* Leave escapes alone: imterm decodes each component itself, after splitting. */
static size_t no_unescape(void *cls, struct MHD_Connection *c, char *s)
{
  (void)cls;
  (void)c;
  return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
  char msg[512];
  (void)cls;
  vsnprintf(msg, sizeof msg, fmt, ap);
  msg[strcspn(msg, "\n")] = '\0';
  imt_log("warn", "http: %s", msg);
}

imt_server *imt_server_start(const imt_config *cfg, imt_error *err)
{
  imt_server *srv = IMT_CALLOC(imt_server, 1);
  struct addrinfo hints, *ai = NULL;
  char portstr[16];
  unsigned threads = cfg->threads ? cfg->threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
                   MHD_USE_ITC;
  /* MHD closes connections over its limits without a word; it gets a hard cap above the soft
   * limits so that the connections in between can be answered 503 JSON (see on_connection). */
  unsigned hard_total = cfg->max_connections + cfg->max_connections / 4 + 16;
  unsigned hard_ip = cfg->max_per_ip ? cfg->max_per_ip + cfg->max_per_ip / 4 + 16 : 0;
  int gai;

  if (!srv) {
    imt_error_set(err, IMT_ERR_NOMEM, "out of memory");
    return NULL;
  }
  if (threads < 1) threads = 1;
  /* MHD splits the connection limit between the pool's threads; keep every share useful */
  if (hard_total < threads * 4) hard_total = threads * 4;
  srv->cfg = cfg;
  pthread_mutex_init(&srv->conn_lock, NULL);
  pthread_mutex_init(&srv->wd_lock, NULL);
  pthread_cond_init(&srv->wd_cond, NULL);
  srv->web_root = realpath(cfg->web_dir, NULL);
  if (!srv->web_root)
    imt_log("warn", "web directory %s: %s; static files disabled", cfg->web_dir, strerror(errno));
  if (!cfg->access_log || !strcmp(cfg->access_log, "-"))
    srv->access_log = stderr;
  else if (strcmp(cfg->access_log, "off") != 0) {
    srv->access_log = fopen(cfg->access_log, "a");
    if (!srv->access_log) {
      imt_error_set(err, IMT_ERR_IO, "access log %s: %s", cfg->access_log, strerror(errno));
      free(srv->web_root);
      free(srv);
      return NULL;
    }
  }
  memset(&hints, 0, sizeof hints);
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  snprintf(portstr, sizeof portstr, "%u", cfg->port);
  gai = getaddrinfo(cfg->host, portstr, &hints, &ai);
  if (gai) {
    imt_error_set(err, IMT_ERR_INVALID, "cannot resolve host '%s': %s", cfg->host, gai_strerror(gai));
    goto fail;
  }
  if (ai->ai_family == AF_INET6)
    flags |= MHD_USE_IPv6;
  srv->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, srv,
      MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
      MHD_OPTION_SOCK_ADDR, ai->ai_addr,
      MHD_OPTION_THREAD_POOL_SIZE, threads,
      MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
      MHD_OPTION_NOTIFY_COMPLETED, on_complete, srv,
      MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, NULL,
      MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
      MHD_OPTION_CONNECTION_LIMIT, hard_total,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, hard_ip,
      MHD_OPTION_CONNECTION_TIMEOUT, cfg->conn_timeout,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(cfg->max_url + 64 * 1024),
      MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
      MHD_OPTION_END);
  freeaddrinfo(ai);
  if (!srv->daemon) {
    imt_error_set(err, IMT_ERR_IO, "cannot listen on %s:%u (in use, or not permitted)", cfg->host, cfg->port);
    goto fail;
  }
  {
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? di->port : cfg->port;
  }
  if (pthread_create(&srv->watchdog, NULL, watchdog_main, srv) == 0)
    srv->watchdog_started = 1;
  else
    imt_log("warn", "cannot start the request watchdog: request_timeout is not enforced");
  return srv;
fail:
  if (srv->access_log && srv->access_log != stderr)
    fclose(srv->access_log);
  free(srv->web_root);
  free(srv);
  return NULL;
}

unsigned imt_server_port(const imt_server *srv) { return srv->port; }
const imt_config *imt_server_config(const imt_server *srv) { return srv->cfg; }

/* Graceful stop: close the listening socket (new connections are refused), answer every request
 * still in flight (with Connection: close), wait up to shutdown_timeout for them, then stop MHD
 * (which closes idle keep-alive connections) and the watchdog. */
void imt_server_stop(imt_server *srv)
{
  if (!srv)
    return;
  if (srv->daemon) {
    MHD_socket lfd;
    double deadline = imt_now() + srv->cfg->shutdown_timeout;
    struct timespec pause = {0, 10 * 1000000L};
    atomic_store(&srv->draining, 1);
    lfd = MHD_quiesce_daemon(srv->daemon);
    if (lfd != MHD_INVALID_SOCKET)
      close(lfd);  /* ours after quiesce: closing it refuses new connections at once */
    while (atomic_load(&srv->n_inflight) > 0 && imt_now() < deadline)
      nanosleep(&pause, NULL);
    if (atomic_load(&srv->n_inflight) > 0)
      imt_log("warn", "stopping with %u requests still in flight after %u s (shutdown_timeout)",
              atomic_load(&srv->n_inflight), srv->cfg->shutdown_timeout);
    MHD_stop_daemon(srv->daemon);
  }
  if (srv->watchdog_started) {
    pthread_mutex_lock(&srv->wd_lock);
    srv->wd_stop = 1;
    pthread_cond_signal(&srv->wd_cond);
    pthread_mutex_unlock(&srv->wd_lock);
    pthread_join(srv->watchdog, NULL);
  }
  for (int b = 0; b < IP_BUCKETS; b++)
    while (srv->ips[b]) {
      ip_count *n = srv->ips[b]->next;
      free(srv->ips[b]);
      srv->ips[b] = n;
    }
  pthread_mutex_destroy(&srv->conn_lock);
  pthread_mutex_destroy(&srv->wd_lock);
  pthread_cond_destroy(&srv->wd_cond);
  if (srv->access_log && srv->access_log != stderr)
    fclose(srv->access_log);
  free(srv->web_root);
  free(srv);
}

/* Counters for /health: open connections, requests in flight, 503s over a connection limit,
 * 408s from the watchdog. */
void imt_server_stats(const imt_server *srv, imt_server_counters *out)
{
  out->connections = atomic_load(&((imt_server *)srv)->n_conns);
  out->in_flight = atomic_load(&((imt_server *)srv)->n_inflight);
  out->refused = atomic_load(&((imt_server *)srv)->n_refused);
  out->timed_out = atomic_load(&((imt_server *)srv)->n_timed_out);
}

const char *imt_static_root(imt_req *rq) { return rq->srv->web_root; }
