/* imt_sparql_pool.c - the SPARQL worker pool (see imt_sparql_pool.h for the process design):
 * zygote and worker processes, their sandbox (rlimits, seccomp, parent-death signal), the framed
 * protocol over socketpairs, and the dispatcher thread that enforces the wall-clock timeout, the
 * queue wait and the respawn of dead workers. */
#include "config.h"
#include "imt.h"
#include "imt_config.h"
#include "imt_query.h"
#include "imt_sparql_pool.h"
#include "imt_store.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORKERS 64
#define FRAME_MAGIC 0x494d5451u   /* "IMTQ" */
#define KIND_READY 1
#define KIND_ANSWER 2
#define MAX_BODY ((uint64_t)1 << 31)

typedef struct req_frame {
  uint32_t magic, qlen, row_cap, no_reorder;
  char fmt_b[16], fmt_g[16];
} req_frame;

typedef struct resp_frame {
  uint32_t magic;
  int32_t status;
  uint32_t truncated, kind;
  uint64_t len, rows;
  double seconds;
  char code[48];
  char ctype[96];
} resp_frame;

typedef struct job {
  struct job *next;
  char *query;
  size_t qlen;
  req_frame hdr;
  double enqueued;
  imt_sparql_done done;
  void *ctx;
} job;

enum { W_SPAWNING = 0, W_STARTING, W_IDLE, W_BUSY };

typedef struct worker {
  pid_t pid;
  int fd;
  int state;
  unsigned gen;         /* the zygote generation it came from (see imt_sparql_pool_swap) */
  job *job;
  double deadline, started;
} worker;

static struct pool {
  pthread_mutex_t mu;
  int running;          /* dispatcher should keep going */
  int started;          /* start() succeeded, stop() has work to do */
  pthread_t thread;
  int wake[2];
  job *head, *tail;
  size_t queued;
  worker w[MAX_WORKERS];
  unsigned n;
  int zfd;
  pid_t zpid;
  /* reload without failing queries: a new zygote (on the new store) waits in pending_* until the
   * dispatcher adopts it; the previous one stays in old_* until its busy workers have answered */
  int pending_zfd, old_zfd;
  pid_t pending_zpid, old_zpid;
  unsigned gen;
  double timeout, queue_wait;
  unsigned row_cap;
  size_t mem_mb;
  unsigned long served, timeouts, crashes, rejected_busy, respawns;
} P = {.mu = PTHREAD_MUTEX_INITIALIZER, .wake = {-1, -1}, .zfd = -1, .pending_zfd = -1, .old_zfd = -1};

/* ---- I/O helpers ---------------------------------------------------------------------------- */

static int write_all(int fd, const void *p, size_t n)
{
  const char *c = p;
  while (n) {
    ssize_t w = write(fd, c, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return -1;
    c += w;
    n -= (size_t)w;
  }
  return 0;
}

static int read_all(int fd, void *p, size_t n)
{
  char *c = p;
  while (n) {
    ssize_t r = read(fd, c, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    c += r;
    n -= (size_t)r;
  }
  return 0;
}

/* ---- the worker process --------------------------------------------------------------------- */

/* Deny socket() and connect() with EACCES (x86-64 and aarch64); everything else is allowed. */
int imt_sparql_seccomp_install(void)
{
#if defined(__x86_64__)
#define IMT_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define IMT_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif
#ifdef IMT_AUDIT_ARCH
  struct sock_filter f[] = {
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IMT_AUDIT_ARCH, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 3, 0),   /* x32 ABI: deny */
#else
    BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0xffffffff, 3, 0),
#endif
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 2, 0),
    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, 1, 0),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EACCES & SECCOMP_RET_DATA)),
  };
  struct sock_fprog prog = {(unsigned short)(sizeof f / sizeof f[0]), f};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
    return -1;
  return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
#else
  return -1;
#endif
}

/* Current virtual memory size in bytes (from /proc/self/statm), 0 if unknown. */
static size_t vm_size(void)
{
  FILE *f = fopen("/proc/self/statm", "r");
  unsigned long pages = 0;
  if (f) {
    if (fscanf(f, "%lu", &pages) != 1) pages = 0;
    fclose(f);
  }
  return pages * (size_t)sysconf(_SC_PAGESIZE);
}

static double cpu_seconds(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void send_answer(int fd, int status, const char *code, const char *ctype, const char *body, size_t len,
                        int truncated, unsigned long rows, double seconds)
{
  resp_frame h;
  memset(&h, 0, sizeof h);
  h.magic = FRAME_MAGIC;
  h.kind = KIND_ANSWER;
  h.status = status;
  h.truncated = (uint32_t)truncated;
  h.len = len;
  h.rows = rows;
  h.seconds = seconds;
  snprintf(h.code, sizeof h.code, "%s", code ? code : "");
  snprintf(h.ctype, sizeof h.ctype, "%s", ctype ? ctype : "");
  if (write_all(fd, &h, sizeof h) || (len && write_all(fd, body, len)))
    _exit(0);
}

static void worker_main(imt_query_engine *eng, int fd, size_t mem_mb, double timeout)
{
  struct rlimit rl;
  size_t limit = mem_mb * 1024 * 1024, vm = vm_size();
  resp_frame ready;
  imt_buf out = IMT_BUF_INIT;

  prctl(PR_SET_PDEATHSIG, SIGKILL);
  prctl(PR_SET_NAME, "imterm-sparql", 0, 0, 0);
  /* the store is already mapped: the limit is on top of what the worker inherits, at least */
#if !defined(__SANITIZE_ADDRESS__)
  if (limit < vm + 256u * 1024 * 1024) {
    imt_log("warn", "sparql worker: sparql_mem_mb (%zu) is below the inherited %zu MiB; limit raised to %zu MiB",
            mem_mb, vm >> 20, (vm >> 20) + 256);
    limit = vm + 256u * 1024 * 1024;
  }
#endif
  rl.rlim_cur = rl.rlim_max = limit;
#if defined(__SANITIZE_ADDRESS__)
  (void)rl;   /* AddressSanitizer reserves terabytes of shadow address space: no RLIMIT_AS */
#else
  if (setrlimit(RLIMIT_AS, &rl))
    imt_log("warn", "sparql worker: cannot set RLIMIT_AS: %s", strerror(errno));
#endif
  if (imt_sparql_seccomp_install())
    imt_log("warn", "sparql worker: cannot install the seccomp filter: %s", strerror(errno));
  memset(&ready, 0, sizeof ready);
  ready.magic = FRAME_MAGIC;
  ready.kind = KIND_READY;
  ready.status = 200;
  if (write_all(fd, &ready, sizeof ready))
    _exit(0);
  for (;;) {
    req_frame h;
    char *q;
    imt_query_opts o;
    imt_query_result res;
    double t0;
    if (read_all(fd, &h, sizeof h) || h.magic != FRAME_MAGIC || h.qlen > (1u << 30))
      _exit(0);
    q = imt_malloc((size_t)h.qlen + 1);
    if (!q || read_all(fd, q, h.qlen))
      _exit(0);
    q[h.qlen] = '\0';
    h.fmt_b[sizeof h.fmt_b - 1] = h.fmt_g[sizeof h.fmt_g - 1] = '\0';
    o.fmt_bindings = h.fmt_b[0] ? h.fmt_b : NULL;
    o.fmt_graph = h.fmt_g[0] ? h.fmt_g : NULL;
    o.row_cap = h.row_cap;
    o.no_reorder = (int)h.no_reorder;
    /* CPU time: a second wall behind the server's wall-clock kill (SIGXCPU ends the worker) */
    rl.rlim_cur = (rlim_t)(cpu_seconds() + timeout + 2);
    rl.rlim_max = RLIM_INFINITY;
    setrlimit(RLIMIT_CPU, &rl);
    t0 = imt_now();
    imt_buf_reset(&out);
    if (imt_query_engine_run(eng, q, &o, &out, &res))
      send_answer(fd, res.status, res.code, NULL, res.message, strlen(res.message), 0, 0, imt_now() - t0);
    else
      send_answer(fd, 200, NULL, res.ctype, out.data ? out.data : "", out.len, res.truncated, res.rows, imt_now() - t0);
    free(q);
    if (out.cap > (64u << 20))
      imt_buf_free(&out);   /* do not keep a huge buffer between queries */
  }
}

/* ---- the zygote process --------------------------------------------------------------------- */

static int send_fd(int sock, int fd, pid_t pid)
{
  struct msghdr m;
  struct iovec iov;
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct cmsghdr *c;
  int32_t p = (int32_t)pid;
  memset(&m, 0, sizeof m);
  memset(cbuf, 0, sizeof cbuf);
  iov.iov_base = &p;
  iov.iov_len = sizeof p;
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = cbuf;
  m.msg_controllen = sizeof cbuf;
  c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof fd);
  return sendmsg(sock, &m, 0) == (ssize_t)sizeof p ? 0 : -1;
}

static int recv_fd(int sock, pid_t *pid)
{
  struct msghdr m;
  struct iovec iov;
  char cbuf[CMSG_SPACE(sizeof(int))];
  struct cmsghdr *c;
  int32_t p = 0;
  int fd = -1;
  memset(&m, 0, sizeof m);
  iov.iov_base = &p;
  iov.iov_len = sizeof p;
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = cbuf;
  m.msg_controllen = sizeof cbuf;
  if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != (ssize_t)sizeof p)
    return -1;
  c = CMSG_FIRSTHDR(&m);
  if (!c || c->cmsg_type != SCM_RIGHTS)
    return -1;
  memcpy(&fd, CMSG_DATA(c), sizeof fd);
  *pid = (pid_t)p;
  return fd;
}

/* Tell the server that no worker could be made (a pid of -1 and no descriptor). */
static void send_fail(int sock)
{
  int32_t p = -1;
  if (write_all(sock, &p, sizeof p))
    _exit(0);
}

static void zygote_main(imt_store *st, int zfd, pid_t server, size_t mem_mb, double timeout)
{
  imt_error err = {0};
  imt_query_engine *eng;
  sigset_t all;
  pid_t kids[4 * MAX_WORKERS];
  int nkids = 0;
  /* Only the calling thread exists here; keep to single-threaded code from now on.
   * No PR_SET_PDEATHSIG: it fires when the forking *thread* ends, and a reload forks from a
   * short-lived thread. The zygote notices the server's death as EOF on zfd instead. */
  (void)server;
  prctl(PR_SET_NAME, "imterm-zygote", 0, 0, 0);
  sigemptyset(&all);
  pthread_sigmask(SIG_SETMASK, &all, NULL);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  signal(SIGCHLD, SIG_IGN);   /* workers are reaped automatically */
  /* drop every descriptor the server had (listening socket, connections, logs) but ours */
  if (zfd != 3) {
    if (dup2(zfd, 3) < 0) _exit(1);
    zfd = 3;
  }
  for (int fd = 4; fd < 65536; fd++)
    if (fcntl(fd, F_GETFD) >= 0) close(fd);
  eng = imt_query_engine_new(st, &err);
  if (!eng) {
    imt_log("error", "sparql zygote: %s", err.message);
    _exit(1);
  }
  for (;;) {
    char c;
    int sv[2];
    pid_t pid;
    if (read_all(zfd, &c, 1)) {
      /* the server closed the channel: end the workers and reap them before leaving, so that no
       * zombie is left to a container's init */
      for (int i = 0; i < nkids; i++) kill(kids[i], SIGKILL);
      while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) ;
      _exit(0);
    }
    for (int i = 0; i < nkids; i++)
      if (kill(kids[i], 0) && errno == ESRCH) kids[i--] = kids[--nkids];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
      send_fail(zfd);
      continue;
    }
    pid = fork();
    if (pid == 0) {
      close(zfd);
      close(sv[0]);
      worker_main(eng, sv[1], mem_mb, timeout);
      _exit(0);
    }
    if (pid < 0) {
      imt_log("error", "sparql zygote: cannot start a worker: %s", strerror(errno));
      send_fail(zfd);
    } else {
      if (nkids < (int)(sizeof kids / sizeof kids[0])) kids[nkids++] = pid;
      if (send_fd(zfd, sv[0], pid)) _exit(0);
    }
    close(sv[0]);
    close(sv[1]);
  }
}

/* ---- the dispatcher (server side) ----------------------------------------------------------- */

/* Ask the zygote for a new worker in slot i. 0 or -1. */
static int spawn(worker *w)
{
  char c = 'S';
  pid_t pid = 0;
  int fd;
  w->state = W_SPAWNING;
  w->fd = -1;
  w->pid = 0;
  if (P.zfd < 0 || write_all(P.zfd, &c, 1))
    return -1;
  fd = recv_fd(P.zfd, &pid);
  if (fd < 0 || pid <= 0) {
    if (fd >= 0) close(fd);
    return -1;
  }
  w->fd = fd;
  w->pid = pid;
  w->gen = P.gen;
  w->state = W_STARTING;
  w->started = imt_now();
  return 0;
}

static void answer(job *j, int status, const char *code, const char *msg, const char *ctype, char *body,
                   size_t len, int truncated, unsigned long rows, int pid, int retry, double secs)
{
  imt_sparql_answer a;
  memset(&a, 0, sizeof a);
  a.status = status;
  a.code = code;
  a.message = msg;
  a.ctype = ctype;
  a.body = body;
  a.len = len;
  a.truncated = truncated;
  a.rows = rows;
  a.worker_pid = pid;
  a.retry_after = retry;
  a.seconds = secs;
  j->done(j->ctx, &a);
  free(a.body);
  free(j->query);
  free(j);
}

/* End the worker in w (SIGKILL; the zygote reaps it) and clear its slot. */
static void end_worker(worker *w)
{
  if (w->pid > 0) kill(w->pid, SIGKILL);
  if (w->fd >= 0) close(w->fd);
  w->fd = -1;
  w->pid = 0;
  w->job = NULL;
}

/* End the worker in w and start a new one from the current zygote; 0, or non-zero when the
 * zygote could not fork one. */
static int restart(worker *w)
{
  end_worker(w);
  return spawn(w);
}

/* The worker in w died or was killed: replace it. */
static void replace(worker *w)
{
  P.respawns++;
  if (restart(w))
    imt_log("error", "sparql: cannot start a replacement worker (zygote gone?)");
}

/* Read one frame from w (the worker is known to have written or died). */
static void on_readable(worker *w)
{
  resp_frame h;
  char *body = NULL;
  job *j = w->job;
  if (read_all(w->fd, &h, sizeof h) || h.magic != FRAME_MAGIC || h.len > MAX_BODY ||
      !(body = imt_malloc((size_t)h.len + 1)) || (h.len && read_all(w->fd, body, (size_t)h.len))) {
    int pid = w->pid;
    free(body);
    if (j) {
      P.crashes++;
      imt_log("warn", "sparql: worker %d died while running a query; starting a new one", pid);
      answer(j, 500, "worker_crashed",
             "the query crashed its worker process (the engine, Rasqal 0.9.33, failed on it); the worker was "
             "replaced and the server keeps serving. Simplify the query or see docs/sparql.md for known failures",
             NULL, NULL, 0, 0, 0, pid, 0, 0);
    } else
      imt_log("warn", "sparql: worker %d exited while idle; starting a new one", pid);
    w->job = NULL;
    replace(w);
    return;
  }
  body[h.len] = '\0';
  h.code[sizeof h.code - 1] = h.ctype[sizeof h.ctype - 1] = '\0';
  if (h.kind == KIND_READY) {
    free(body);
    w->state = W_IDLE;
    return;
  }
  w->job = NULL;
  w->state = W_IDLE;
  if (!j) {
    free(body);
    return;
  }
  P.served++;
  if (h.status == 200)
    answer(j, 200, NULL, NULL, h.ctype, body, (size_t)h.len, (int)h.truncated, (unsigned long)h.rows, w->pid, 0, h.seconds);
  else {
    answer(j, h.status, h.code, body, NULL, NULL, 0, 0, 0, w->pid, 0, h.seconds);
    free(body);
  }
}

/* Close a zygote channel and reap the zygote (it ends its workers on EOF). */
static void end_zygote(int zfd, pid_t zpid)
{
  if (zfd >= 0)
    close(zfd);
  if (zpid <= 0)
    return;
  for (int i = 0; i < 200; i++) {
    if (waitpid(zpid, NULL, WNOHANG) == zpid)
      return;
    usleep(10000);
  }
  kill(zpid, SIGKILL);
  waitpid(zpid, NULL, 0);
}

/* Dispatcher thread only: adopt a zygote handed over by imt_sparql_pool_swap, and retire the
 * previous one once none of its workers holds a query. Idle workers of an older generation are
 * replaced from the new zygote; busy ones finish their query first. */
static void rotate_generations(void)
{
  int pending_zfd, busy_old = 0;
  pid_t pending_zpid;
  pthread_mutex_lock(&P.mu);
  pending_zfd = P.pending_zfd;
  pending_zpid = P.pending_zpid;
  P.pending_zfd = -1;
  P.pending_zpid = 0;
  pthread_mutex_unlock(&P.mu);
  if (pending_zfd >= 0) {
    if (P.old_zfd >= 0) {
      /* a second reload before the first one drained: queries still in the oldest workers end */
      end_zygote(P.old_zfd, P.old_zpid);
    }
    P.old_zfd = P.zfd;
    P.old_zpid = P.zpid;
    P.zfd = pending_zfd;
    P.zpid = pending_zpid;
    P.gen++;
  }
  for (unsigned i = 0; i < P.n; i++) {
    worker *w = &P.w[i];
    if (w->gen == P.gen)
      continue;
    if (w->state == W_BUSY) {
      busy_old = 1;
      continue;
    }
    if (restart(w))
      imt_log("error", "sparql: cannot start a worker on the reloaded data (zygote gone?)");
  }
  if (P.old_zfd >= 0 && !busy_old) {
    end_zygote(P.old_zfd, P.old_zpid);
    P.old_zfd = -1;
    P.old_zpid = 0;
  }
}

static void *dispatcher(void *arg)
{
  (void)arg;
  for (;;) {
    struct pollfd pfd[MAX_WORKERS + 1];
    int idx[MAX_WORKERS + 1], np = 0, tmo = 1000;
    job *expired = NULL, *assigned[MAX_WORKERS] = {0};
    double now;
    int running;

    rotate_generations();
    now = imt_now();
    pthread_mutex_lock(&P.mu);
    running = P.running;
    for (unsigned i = 0; i < P.n && running; i++)
      if (P.w[i].state == W_IDLE && P.head) {
        job *j = P.head;
        P.head = j->next;
        if (!P.head) P.tail = NULL;
        P.queued--;
        P.w[i].job = j;
        P.w[i].state = W_BUSY;
        P.w[i].deadline = now + P.timeout;
        assigned[i] = j;
      }
    /* the queue is FIFO: expire from the head */
    while (P.head && (!running || now - P.head->enqueued >= P.queue_wait)) {
      job *j = P.head;
      P.head = j->next;
      if (!P.head) P.tail = NULL;
      P.queued--;
      j->next = expired;
      expired = j;
      if (running) P.rejected_busy++;
    }
    if (P.head) {
      double left = P.head->enqueued + P.queue_wait - now;
      int ms = (int)(left * 1000) + 1;
      if (ms < tmo) tmo = ms;
    }
    pthread_mutex_unlock(&P.mu);

    while (expired) {
      job *j = expired;
      expired = j->next;
      if (running)
        answer(j, 503, "sparql_busy", "every SPARQL worker is busy; retry in a moment", NULL, NULL, 0, 0, 0, 0, 1, 0);
      else
        answer(j, 503, "sparql_restarting", "the SPARQL service is stopping or reloading its data; retry in a moment",
               NULL, NULL, 0, 0, 0, 0, 1, 0);
    }
    if (!running)
      break;
    for (unsigned i = 0; i < P.n; i++) {
      worker *w = &P.w[i];
      if (assigned[i]) {
        job *j = assigned[i];
        if (write_all(w->fd, &j->hdr, sizeof j->hdr) || write_all(w->fd, j->query, j->qlen)) {
          /* the worker died while idle: give the query to the next free one */
          pthread_mutex_lock(&P.mu);
          j->next = P.head;
          P.head = j;
          if (!P.tail) P.tail = j;
          P.queued++;
          pthread_mutex_unlock(&P.mu);
          w->job = NULL;
          replace(w);
          continue;
        }
      }
      if (w->state == W_SPAWNING && spawn(w))
        continue;
      if (w->fd >= 0) {
        pfd[np].fd = w->fd;
        pfd[np].events = POLLIN;
        idx[np++] = (int)i;
      }
      if (w->state == W_BUSY) {
        int ms = (int)((w->deadline - now) * 1000) + 1;
        if (ms < tmo) tmo = ms < 0 ? 0 : ms;
      }
    }
    pfd[np].fd = P.wake[0];
    pfd[np].events = POLLIN;
    idx[np++] = -1;
    if (poll(pfd, (nfds_t)np, tmo) < 0 && errno != EINTR)
      imt_log("warn", "sparql: poll: %s", strerror(errno));
    now = imt_now();
    for (int k = 0; k < np; k++) {
      if (!pfd[k].revents) continue;
      if (idx[k] < 0) {
        char buf[64];
        while (read(P.wake[0], buf, sizeof buf) > 0) ;
        continue;
      }
      on_readable(&P.w[idx[k]]);
    }
    for (unsigned i = 0; i < P.n; i++) {
      worker *w = &P.w[i];
      if (w->state == W_BUSY && w->job && now >= w->deadline) {
        job *j = w->job;
        char msg[300];
        int pid = w->pid;
        P.timeouts++;
        snprintf(msg, sizeof msg,
                 "the query ran longer than the limit of %.3g s and was stopped (its worker was replaced); add a LIMIT, "
                 "a more selective pattern, or avoid cross products and full-text REGEX", P.timeout);
        imt_log("info", "sparql: query timed out after %.3g s; killing worker %d", P.timeout, pid);
        w->job = NULL;
        replace(w);
        answer(j, 503, "query_timeout", msg, NULL, NULL, 0, 0, 0, pid, 0, P.timeout);
      }
    }
  }
  /* stopping: answer the queries still in the workers */
  for (unsigned i = 0; i < P.n; i++)
    if (P.w[i].job) {
      job *j = P.w[i].job;
      P.w[i].job = NULL;
      answer(j, 503, "sparql_restarting", "the SPARQL service is stopping or reloading its data; retry in a moment",
             NULL, NULL, 0, 0, 0, 0, 1, 0);
    }
  return NULL;
}

static void wake(void)
{
  char c = 1;
  if (P.wake[1] >= 0 && write(P.wake[1], &c, 1) < 0) {
    /* pipe full: the dispatcher is awake anyway */
  }
}

int imt_sparql_submit(const char *query, const imt_query_opts *o, imt_sparql_done done, void *ctx)
{
  job *j = IMT_CALLOC(job, 1);
  size_t qlen = strlen(query);
  if (!j || !(j->query = imt_strndup(query, qlen))) {
    free(j);
    return IMT_ERR_NOMEM;
  }
  j->qlen = qlen;
  j->hdr.magic = FRAME_MAGIC;
  j->hdr.qlen = (uint32_t)qlen;
  j->hdr.row_cap = o->row_cap;
  j->hdr.no_reorder = (uint32_t)o->no_reorder;
  snprintf(j->hdr.fmt_b, sizeof j->hdr.fmt_b, "%s", o->fmt_bindings ? o->fmt_bindings : "");
  snprintf(j->hdr.fmt_g, sizeof j->hdr.fmt_g, "%s", o->fmt_graph ? o->fmt_graph : "");
  j->done = done;
  j->ctx = ctx;
  j->enqueued = imt_now();
  pthread_mutex_lock(&P.mu);
  if (!P.running) {
    pthread_mutex_unlock(&P.mu);
    free(j->query);
    free(j);
    return IMT_ERR_INTERNAL;
  }
  if (P.tail) P.tail->next = j;
  else P.head = j;
  P.tail = j;
  P.queued++;
  pthread_mutex_unlock(&P.mu);
  wake();
  return 0;
}

/* Fork a zygote holding st (copy-on-write); 0 and the channel and pid, or non-zero with err set. */
static int fork_zygote(imt_store *st, int *zfd, pid_t *zpid, imt_error *err)
{
  int sv[2];
  pid_t server = getpid(), pid;
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
    return imt_error_set(err, IMT_ERR_IO, "sparql: socketpair: %s", strerror(errno));
  fflush(NULL);
  pid = fork();
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    return imt_error_set(err, IMT_ERR_IO, "sparql: cannot fork the worker zygote: %s", strerror(errno));
  }
  if (pid == 0) {
    close(sv[0]);
    zygote_main(st, sv[1], server, P.mem_mb, P.timeout);
    _exit(0);
  }
  close(sv[1]);
  *zfd = sv[0];
  *zpid = pid;
  return 0;
}

/* The per-query settings (timeout, queue wait, row cap), applied at start and at every reload. */
static void apply_query_settings(const imt_config *cfg)
{
  P.timeout = cfg->sparql_timeout > 0 ? cfg->sparql_timeout : 10;
  P.queue_wait = cfg->sparql_queue_wait;
  P.row_cap = cfg->sparql_row_cap;
}

int imt_sparql_pool_start(const imt_config *cfg, imt_store *st, imt_error *err)
{
  if (P.started)
    imt_sparql_pool_stop();
  P.n = cfg->sparql_workers ? cfg->sparql_workers : 1;
  if (P.n > MAX_WORKERS) P.n = MAX_WORKERS;
  apply_query_settings(cfg);
  P.mem_mb = cfg->sparql_mem_mb;
  P.gen = 0;
  if (fork_zygote(st, &P.zfd, &P.zpid, err))
    return err ? err->code : IMT_ERR_IO;
  if (pipe2(P.wake, O_CLOEXEC | O_NONBLOCK)) {
    imt_error_set(err, IMT_ERR_IO, "sparql: pipe: %s", strerror(errno));
    goto fail;
  }
  for (unsigned i = 0; i < P.n; i++) {
    memset(&P.w[i], 0, sizeof P.w[i]);
    P.w[i].fd = -1;
    P.w[i].state = W_SPAWNING;
  }
  P.running = 1;
  if (pthread_create(&P.thread, NULL, dispatcher, NULL)) {
    P.running = 0;
    imt_error_set(err, IMT_ERR_INTERNAL, "sparql: cannot start the dispatcher thread");
    goto fail;
  }
  P.started = 1;
  imt_log("info", "sparql: %u worker(s), timeout %.3g s, row cap %u, queue wait %.3g s", P.n, P.timeout,
          P.row_cap, P.queue_wait);
  return 0;
fail:
  end_zygote(P.zfd, P.zpid);
  P.zfd = -1;
  P.zpid = 0;
  for (int k = 0; k < 2; k++)
    if (P.wake[k] >= 0) { close(P.wake[k]); P.wake[k] = -1; }
  return err ? err->code : IMT_ERR_INTERNAL;
}

/* Reload: fork a zygote on the new store and hand it to the dispatcher, which moves idle workers
 * to it at once and busy ones after their query; no query fails because of the reload. Settings
 * that size the pool (worker count) keep their values until a restart. */
int imt_sparql_pool_swap(const imt_config *cfg, imt_store *st, imt_error *err)
{
  int zfd = -1, old = -1;
  pid_t zpid = 0, oldpid = 0;
  if (!P.started)
    return imt_sparql_pool_start(cfg, st, err);
  if (fork_zygote(st, &zfd, &zpid, err))
    return err ? err->code : IMT_ERR_IO;
  pthread_mutex_lock(&P.mu);
  old = P.pending_zfd;      /* two swaps before the dispatcher ran: the newer one wins */
  oldpid = P.pending_zpid;
  P.pending_zfd = zfd;
  P.pending_zpid = zpid;
  apply_query_settings(cfg);
  pthread_mutex_unlock(&P.mu);
  if (old >= 0)
    end_zygote(old, oldpid);
  wake();
  return 0;
}

void imt_sparql_pool_stop(void)
{
  if (!P.started)
    return;
  pthread_mutex_lock(&P.mu);
  P.running = 0;
  pthread_mutex_unlock(&P.mu);
  wake();
  pthread_join(P.thread, NULL);
  for (unsigned i = 0; i < P.n; i++)
    end_worker(&P.w[i]);
  end_zygote(P.zfd, P.zpid);   /* a zygote ends its workers and exits on EOF */
  end_zygote(P.old_zfd, P.old_zpid);
  end_zygote(P.pending_zfd, P.pending_zpid);
  P.zfd = P.old_zfd = P.pending_zfd = -1;
  P.zpid = P.old_zpid = P.pending_zpid = 0;
  for (int k = 0; k < 2; k++) {
    close(P.wake[k]);
    P.wake[k] = -1;
  }
  P.started = 0;
}

void imt_sparql_pool_status(imt_sparql_status *s)
{
  memset(s, 0, sizeof *s);
  pthread_mutex_lock(&P.mu);
  s->running = P.running;
  s->n_workers = P.n;
  for (unsigned i = 0; i < P.n && i < 64; i++) {
    s->pids[i] = P.w[i].pid;
    s->states[i] = P.w[i].state;
  }
  s->served = P.served;
  s->timeouts = P.timeouts;
  s->crashes = P.crashes;
  s->rejected_busy = P.rejected_busy;
  s->respawns = P.respawns;
  s->queued = P.queued;
  s->zygote_pid = P.zpid;
  pthread_mutex_unlock(&P.mu);
}
