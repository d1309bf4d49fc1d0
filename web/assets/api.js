// api.js - calls to the imterm HTTP API (same origin). Every failure becomes an ApiError carrying
// the HTTP status and the server's JSON {"error","message"} when there is one.

export class ApiError extends Error {
  constructor(status, code, message, extra) {
    super(message || code || ('HTTP ' + status));
    this.status = status;   // 0 for network failures and client timeouts
    this.code = code || '';
    this.extra = extra || null;
  }
}

// request(path, opts): fetch with a timeout (opts.timeout ms, default 20 s) and an optional
// outside AbortSignal (opts.signal). Resolves with the Response when 2xx/3xx (300 included),
// rejects with ApiError otherwise.
export async function request(path, opts = {}) {
  const ctrl = new AbortController();
  const timeout = opts.timeout ?? 20000;
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; ctrl.abort(); }, timeout);
  const outer = opts.signal;
  const onOuter = () => ctrl.abort();
  if (outer) {
    if (outer.aborted) ctrl.abort();
    else outer.addEventListener('abort', onOuter, { once: true });
  }
  let res;
  try {
    res = await fetch(path, {
      method: opts.method || 'GET',
      headers: opts.headers || { Accept: 'application/json' },
      body: opts.body,
      signal: ctrl.signal,
    });
  } catch (e) {
    if (timedOut) throw new ApiError(0, 'client_timeout', 'timeout', { seconds: Math.round(timeout / 1000) });
    if (outer && outer.aborted) throw new ApiError(0, 'aborted', 'aborted');
    throw new ApiError(0, 'network', e.message || 'network error');
  } finally {
    clearTimeout(timer);
    if (outer) outer.removeEventListener('abort', onOuter);
  }
  if (res.status >= 400) {
    let code = '', message = '', body = null;
    const text = await res.text().catch(() => '');
    try {
      body = JSON.parse(text);
      code = body.error || '';
      message = body.message || '';
    } catch (e) {
      message = text.slice(0, 500);
    }
    const err = new ApiError(res.status, code, message, body);
    err.retryAfter = res.headers.get('Retry-After');
    throw err;
  }
  return res;
}

// getJSON(path, opts): GET path and parse JSON.
export async function getJSON(path, opts = {}) {
  const res = await request(path, opts);
  return res.json();
}

// search(q, opts): GET /api/search.
export function search(q, { limit = 10, lang = 'any', signal } = {}) {
  const u = '/api/search?q=' + encodeURIComponent(q) + '&lang=' + encodeURIComponent(lang) + '&limit=' + limit;
  return getJSON(u, { signal, timeout: 10000 });
}

// concept(id): GET /api/concepts/{id}.
export function concept(id, opts) {
  return getJSON('/api/concepts/' + encodeURIComponent(id), opts);
}

// children(id, limit, offset): GET /api/concepts/{id}/children.
export function children(id, limit = 200, offset = 0) {
  return getJSON('/api/concepts/' + encodeURIComponent(id) + '/children?limit=' + limit + '&offset=' + offset);
}

// paths(id): GET /api/concepts/{id}/paths.
export function paths(id) {
  return getJSON('/api/concepts/' + encodeURIComponent(id) + '/paths');
}

// roots(): GET /api/roots.
export function roots() {
  return getJSON('/api/roots');
}

// sparql(query, accept, opts): POST /sparql as a form; resolves with the Response.
export function sparql(query, accept, opts = {}) {
  return request('/sparql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: accept },
    body: 'query=' + encodeURIComponent(query),
    signal: opts.signal,
    timeout: opts.timeout ?? 60000,
  });
}

// normalize(text): POST /api/normalize with JSON {"text"}.
export function normalize(text, opts = {}) {
  return request('/api/normalize', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ text }),
    signal: opts.signal,
    timeout: 30000,
  }).then((r) => r.json());
}

// describeError(e, t): a human sentence for an ApiError in the UI language.
export function describeError(e, t) {
  if (!(e instanceof ApiError)) return String(e && e.message || e);
  if (e.status === 0 && e.code === 'client_timeout') return t('sparql.clientTimeout', { s: e.extra.seconds });
  if (e.status === 0) return t('error.network');
  const head = t('error.api', { status: e.status });
  return e.message ? head + ': ' + e.message + (e.code ? ' (' + e.code + ')' : '') : head;
}
