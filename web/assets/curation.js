// curation.js - the /curation page: the most frequent unmatched terms (GET /api/misses) and the
// term proposals (GET /api/proposals) with accept/reject for a curator who has the token
// (PATCH /api/proposals/{id}, "Authorization: Bearer TOKEN"). Same-origin requests only.
// The token is kept in sessionStorage (this tab only), never in the URL or localStorage.
import { el, clear } from './util.js';
import { request, ApiError } from './api.js';

const TEXT = {
  zh: {
    misses: '未匹配的术语', proposals: '术语提案', token: '审核令牌', save: '保存', forget: '清除',
    tokenHint: '接受或拒绝提案需要服务器的审核令牌（IMTERM_CURATOR_TOKEN）。令牌只保存在当前标签页。',
    tokenSet: '已设置令牌', lang: '语言', any: '全部', limit: '条数', refresh: '刷新', term: '术语',
    count: '次数', endpoints: '来源', lastSeen: '最近出现', context: '示例上下文', none: '暂无记录',
    status: '状态', proposed: '待审核', accepted: '已接受', rejected: '已拒绝', all: '全部',
    id: '编号', kind: '类型', concept: '概念', label: '标签', target: '映射目标', proposer: '提议人',
    evidence: '依据', created: '提交时间', actions: '操作', accept: '接受', reject: '拒绝',
    note: '审核备注', reviewer: '审核人', needToken: '请先填写审核令牌。', done: '已更新提案 ',
    exportTtl: '导出 Turtle 补丁', exportSssom: '导出 SSSOM 映射', failed: '请求失败：',
    logOff: '未匹配日志未开启。', dropped: '因队列已满丢弃：', kindNames: { concept: '新概念', synonym: '同义词', mapping: '映射' },
  },
  en: {
    misses: 'Unmatched terms', proposals: 'Term proposals', token: 'Curator token', save: 'Save', forget: 'Forget',
    tokenHint: 'Accepting or rejecting proposals needs the server\'s curator token (IMTERM_CURATOR_TOKEN). It is kept in this tab only.',
    tokenSet: 'Token set', lang: 'Language', any: 'Any', limit: 'Rows', refresh: 'Refresh', term: 'Term',
    count: 'Count', endpoints: 'From', lastSeen: 'Last seen', context: 'Example context', none: 'Nothing recorded yet',
    status: 'Status', proposed: 'Proposed', accepted: 'Accepted', rejected: 'Rejected', all: 'All',
    id: 'Id', kind: 'Kind', concept: 'Concept', label: 'Label', target: 'Target', proposer: 'Proposer',
    evidence: 'Evidence', created: 'Created', actions: 'Actions', accept: 'Accept', reject: 'Reject',
    note: 'Reviewer note', reviewer: 'Reviewer', needToken: 'Enter the curator token first.', done: 'Updated proposal ',
    exportTtl: 'Export Turtle patch', exportSssom: 'Export SSSOM mappings', failed: 'Request failed: ',
    logOff: 'The miss log is off.', dropped: 'Dropped (queue full): ', kindNames: { concept: 'New concept', synonym: 'Synonym', mapping: 'Mapping' },
  },
};

const TOKEN_KEY = 'imterm.curatorToken';

function getToken() {
  try { return sessionStorage.getItem(TOKEN_KEY) || ''; } catch (e) { return ''; }
}
function setToken(v) {
  try { if (v) sessionStorage.setItem(TOKEN_KEY, v); else sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* private mode */ }
}

// Error text for the curator: the server's message when there is one.
function errText(T, e) {
  if (e instanceof ApiError) return T.failed + (e.message || e.code) + (e.status ? ' (HTTP ' + e.status + ')' : '');
  return T.failed + String(e && e.message ? e.message : e);
}

async function json(path, opts) {
  const res = await request(path, opts);
  return res.json();
}

function localTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toLocaleString();
}

function select(options, value, onchange, label) {
  const s = el('select', { 'aria-label': label, onchange: (ev) => onchange(ev.target.value) },
    options.map(([v, text]) => el('option', { value: v }, text)));
  s.value = value;
  return s;
}

// render(container, {lang}): draw the page into container. Returns a cleanup function.
export function render(container, opts = {}) {
  const T = TEXT[opts.lang === 'en' ? 'en' : 'zh'];
  const ctrl = new AbortController();
  const state = { missLang: '', missLimit: '50', status: 'proposed' };

  const status = el('div', { class: 'notice notice-info', role: 'status', hidden: true });
  function say(text, isError) {
    status.hidden = !text;
    status.className = 'notice ' + (isError ? 'notice-error' : 'notice-info');
    status.textContent = text || '';
  }

  // ---- token ----
  const tokenInput = el('input', { type: 'password', autocomplete: 'off', 'aria-label': T.token, placeholder: T.token, size: 28 });
  const tokenState = el('span', { class: 'muted' }, getToken() ? T.tokenSet : '');
  const tokenBox = el('section', { class: 'curation-token' },
    el('label', null, T.token + ' ', tokenInput),
    el('button', { type: 'button', class: 'btn', onclick: () => { setToken(tokenInput.value.trim()); tokenInput.value = ''; tokenState.textContent = getToken() ? T.tokenSet : ''; loadProposals(); } }, T.save),
    el('button', { type: 'button', class: 'btn btn-ghost', onclick: () => { setToken(''); tokenState.textContent = ''; loadProposals(); } }, T.forget),
    ' ', tokenState,
    el('p', { class: 'muted' }, T.tokenHint));

  // ---- misses ----
  const missBody = el('div');
  const missInfo = el('p', { class: 'muted' });
  const missSection = el('section', { class: 'curation-misses' },
    el('h2', null, T.misses),
    el('div', { class: 'toolbar' },
      el('label', null, T.lang + ' ', select([['', T.any], ['zh', '中文'], ['en', 'English']], state.missLang, (v) => { state.missLang = v; loadMisses(); }, T.lang)),
      ' ',
      el('label', null, T.limit + ' ', select([['20', '20'], ['50', '50'], ['200', '200']], state.missLimit, (v) => { state.missLimit = v; loadMisses(); }, T.limit)),
      ' ',
      el('button', { type: 'button', class: 'btn', onclick: () => loadMisses() }, T.refresh)),
    missInfo, missBody);

  async function loadMisses() {
    let doc;
    try {
      doc = await json('/api/misses?limit=' + encodeURIComponent(state.missLimit) + (state.missLang ? '&lang=' + state.missLang : ''), { signal: ctrl.signal });
    } catch (e) {
      if (ctrl.signal.aborted) return;
      clear(missBody).append(el('p', { class: 'notice notice-error' }, e instanceof ApiError && e.code === 'misslog_off' ? T.logOff : errText(T, e)));
      return;
    }
    clear(missBody);
    missInfo.textContent = doc.log && doc.log.dropped ? T.dropped + doc.log.dropped : '';
    if (!doc.misses.length) {
      missBody.append(el('p', { class: 'muted' }, T.none));
      return;
    }
    missBody.append(el('table', { class: 'data-table' },
      el('thead', null, el('tr', null, [T.term, T.lang, T.count, T.endpoints, T.lastSeen, T.context].map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', null, doc.misses.map((m) => el('tr', null,
        el('td', { lang: m.lang === 'zh' ? 'zh-CN' : m.lang || null }, m.term),
        el('td', null, m.lang || '—'),
        el('td', { class: 'num' }, String(m.count)),
        el('td', null, (m.endpoints || []).join(', ')),
        el('td', null, el('time', { datetime: m.lastSeen }, localTime(m.lastSeen))),
        el('td', { class: 'muted' }, m.context === m.term ? '' : m.context))))));
  }

  // ---- proposals ----
  const propBody = el('div');
  const propSection = el('section', { class: 'curation-proposals' },
    el('h2', null, T.proposals),
    el('div', { class: 'toolbar' },
      el('label', null, T.status + ' ', select([['proposed', T.proposed], ['accepted', T.accepted], ['rejected', T.rejected], ['', T.all]],
        state.status, (v) => { state.status = v; loadProposals(); }, T.status)),
      ' ',
      el('button', { type: 'button', class: 'btn', onclick: () => loadProposals() }, T.refresh),
      ' ',
      el('a', { href: '/api/proposals/export?format=ttl', download: 'proposals.ttl' }, T.exportTtl),
      ' · ',
      el('a', { href: '/api/proposals/export?format=sssom', download: 'proposals.sssom.tsv' }, T.exportSssom)),
    propBody);

  async function review(p, newStatus, noteInput, row) {
    const token = getToken();
    if (!token) { say(T.needToken, true); tokenInput.focus(); return; }
    try {
      const res = await request('/api/proposals/' + encodeURIComponent(p.id), {
        method: 'PATCH',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
        body: JSON.stringify({ status: newStatus, note: noteInput.value }),
        signal: ctrl.signal,
      });
      const doc = await res.json();
      say(T.done + doc.id + ': ' + T[doc.status], false);
      if (state.status && state.status !== doc.status) row.remove();
      else loadProposals();
    } catch (e) {
      if (!ctrl.signal.aborted) say(errText(T, e), true);
    }
  }

  function proposalRow(p) {
    const note = el('input', { type: 'text', 'aria-label': T.note, placeholder: T.note, value: p.note || '', maxlength: 2000 });
    const row = el('tr');
    const target = p.kind === 'mapping' && p.target ? p.target.system + ':' + p.target.code + (p.predicate ? ' (' + p.predicate + ')' : '') : '';
    const conceptCell = p.kind === 'concept'
      ? el('span', null, '↳ ', el('a', { href: '/concept/' + encodeURIComponent(p.parent), 'data-route': '' }, p.parent), ' → ', p.exportId)
      : el('a', { href: '/concept/' + encodeURIComponent(p.concept), 'data-route': '' }, p.concept + (p.conceptLabel ? ' ' + p.conceptLabel : ''));
    row.append(
      el('td', { class: 'num' }, String(p.id)),
      el('td', null, T.kindNames[p.kind] || p.kind),
      el('td', null, conceptCell),
      el('td', { lang: p.lang === 'zh' ? 'zh-CN' : p.lang || null }, p.label, p.lang ? el('span', { class: 'muted' }, ' @' + p.lang) : null),
      el('td', null, target),
      el('td', null, p.proposer, p.evidence ? el('div', { class: 'muted' }, p.evidence) : null),
      el('td', null, el('time', { datetime: p.created }, localTime(p.created))),
      el('td', null, T[p.status] || p.status, p.reviewer ? el('div', { class: 'muted' }, p.reviewer) : null),
      el('td', null, note,
        el('button', { type: 'button', class: 'btn', disabled: p.status === 'accepted', onclick: () => review(p, 'accepted', note, row) }, T.accept),
        el('button', { type: 'button', class: 'btn btn-ghost', disabled: p.status === 'rejected', onclick: () => review(p, 'rejected', note, row) }, T.reject)));
    return row;
  }

  async function loadProposals() {
    let doc;
    try {
      doc = await json('/api/proposals?limit=200' + (state.status ? '&status=' + state.status : ''), { signal: ctrl.signal });
    } catch (e) {
      if (!ctrl.signal.aborted) clear(propBody).append(el('p', { class: 'notice notice-error' }, errText(T, e)));
      return;
    }
    clear(propBody);
    if (!doc.proposals.length) {
      propBody.append(el('p', { class: 'muted' }, T.none));
      return;
    }
    propBody.append(el('table', { class: 'data-table' },
      el('thead', null, el('tr', null, [T.id, T.kind, T.concept, T.label, T.target, T.proposer, T.created, T.status, T.actions]
        .map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', null, doc.proposals.map(proposalRow))));
  }

  container.append(status, tokenBox, missSection, propSection);
  loadMisses();
  loadProposals();
  return () => ctrl.abort();
}
