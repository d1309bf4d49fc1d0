// app.test.mjs - browser tests of the imterm web app: Debian's chromium, headless, driven by
// playwright-core against a real `imterm serve`. Usage: node app.test.mjs BASE_URL
// Env: CHROMIUM (browser binary), ARTIFACTS (screenshot directory), TOP_SRCDIR (for the SSSOM
// ground truth). Prints TAP.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BASE = process.argv[2];
const LIMITS = process.argv[3] || null; // a server with a 1 s SPARQL limit and a 100-row cap
if (!BASE) { console.error('usage: node app.test.mjs BASE_URL [LIMITS_BASE_URL]'); process.exit(2); }
const TOP = process.env.TOP_SRCDIR || path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const ARTIFACTS = process.env.ARTIFACTS || path.join(TOP, 'tests', 'artifacts');
const EXE = process.env.CHROMIUM || '/usr/bin/chromium';
fs.mkdirSync(ARTIFACTS, { recursive: true });

let n = 0, failed = 0;
function ok(cond, name, diag) {
  n++;
  if (cond) console.log(`ok ${n} - ${name}`);
  else {
    failed++;
    console.log(`not ok ${n} - ${name}`);
    if (diag) for (const l of String(diag).split('\n')) console.log('# ' + l);
  }
}

// step(name, fn): run fn; any exception is one failed test named name.
async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    ok(false, name + ' (threw)', e && e.stack ? e.stack.split('\n').slice(0, 6).join('\n') : String(e));
  }
}

// Ground truth from the repository's SSSOM file, not from the API under test.
function topConceptCount() {
  let k = 0;
  for (const f of fs.readdirSync(path.join(TOP, 'ontologies')).filter((x) => x.endsWith('.ttl'))) {
    k += (fs.readFileSync(path.join(TOP, 'ontologies', f), 'utf8').match(/skos:topConceptOf\s+imtv:scheme/g) || []).length;
  }
  return k;
}

function sssomCode(file, subject) {
  const text = fs.readFileSync(path.join(TOP, 'mappings', file), 'utf8');
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f[0] === 'imt:' + subject && f[2] === 'skos:exactMatch') return f[3].replace(/^[A-Z]+:/, '');
  }
  return null;
}

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'imterm-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: EXE,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 800 },
  locale: 'zh-CN',
  acceptDownloads: true,
});
await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: BASE });

const consoleErrors = [];
const outside = [];
const page = context.pages()[0] || await context.newPage();
page.setDefaultTimeout(15000);
// While a step provokes an HTTP error on purpose, the browser's own "Failed to load resource"
// line for it is expected; every other console error counts.
let expectHttpError = false;
page.on('console', (m) => {
  if (m.type() !== 'error') return;
  if (expectHttpError && /Failed to load resource/.test(m.text())) return;
  consoleErrors.push(page.url() + ': ' + m.text());
});
page.on('pageerror', (e) => consoleErrors.push(page.url() + ': uncaught ' + e.message));
context.on('request', (r) => {
  const u = r.url();
  if (!u.startsWith(BASE + '/') && !(LIMITS && u.startsWith(LIMITS + '/')) && !u.startsWith('data:') && !u.startsWith('blob:')) outside.push(u);
});

// axeCheck(name): run axe-core (WCAG 2 A and AA rules) on the page; serious and critical
// violations fail.
const AXE = path.join(TOP, 'tests', 'node_modules', 'axe-core', 'axe.min.js');
async function axeCheck(name) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(async () => {
    const tags = { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] };
    // label-content-name-mismatch (experimental in axe) counts the text of an expanded tree
    // item's nested group as its visible label; run it everywhere except inside the tree.
    const all = await window.axe.run(document, { runOnly: tags, rules: { 'label-content-name-mismatch': { enabled: false } } });
    const lcnm = await window.axe.run({ exclude: [['[role=tree]']] }, { runOnly: { type: 'rule', values: ['label-content-name-mismatch'] } });
    return all.violations.concat(lcnm.violations).map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((x) => x.target.join(' ')) }));
  });
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  ok(bad.length === 0, `${name}: no serious accessibility violations (axe-core, WCAG 2.1 AA)`,
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} -- ${v.nodes.join(', ')}`).join('\n'));
}

async function shot(name) {
  await page.screenshot({ path: path.join(ARTIFACTS, name + '.png'), fullPage: true });
}

try {
  // ---- start page ----
  await step('start page', async () => {
    await page.goto(BASE + '/');
    await page.waitForSelector('[role=tree] [role=treeitem]');
    ok((await page.getAttribute('html', 'lang')) === 'zh-CN', 'UI language defaults to Chinese');
    const roots = await (await page.request.get(BASE + '/api/roots')).json();
    const items = await page.locator('[role=tree] > [role=treeitem]').count();
    ok(items === roots.total && items > 0, `the tree shows every root (${items} of ${roots.total})`);
    ok(await page.locator('.search-input[role=combobox]').isVisible(), 'the search box is a visible combobox');
    await shot('home-1280');
    await axeCheck('start page');
  });

  // ---- search → concept page ----
  const GGO = 'IMT0001100';
  const radlex = sssomCode('radlex.sssom.tsv', GGO);
  await step('search and concept page', async () => {
    const input = page.locator('.search-input');
    await input.click();
    await page.keyboard.type('磨玻璃', { delay: 40 });
    const option = page.locator(`[role=option][data-id=${GGO}]`);
    await option.waitFor();
    ok(await input.getAttribute('aria-expanded') === 'true', 'typing 磨玻璃 opens the suggestion list');
    const marked = await option.locator('mark').allTextContents();
    ok(marked.join('') .includes('磨玻璃'), 'the matched part of the suggestion is highlighted', JSON.stringify(marked));
    // keyboard: move down to the suggestion, then Enter
    const ids = await page.locator('[role=option]').evaluateAll((els) => els.map((e) => e.dataset.id));
    const idx = ids.indexOf(GGO);
    for (let i = 0; i <= idx; i++) await page.keyboard.press('ArrowDown');
    const activeId = await input.getAttribute('aria-activedescendant');
    ok(activeId && (await page.locator('#' + activeId).getAttribute('data-id')) === GGO, 'arrow keys make the suggestion active (aria-activedescendant)');
    await page.keyboard.press('Enter');
    await page.waitForURL('**/concept/' + GGO);
    await page.waitForSelector('table.mappings');
    ok((await page.locator('h1.concept-title').textContent()).trim() === '磨玻璃影', 'the concept page shows the Chinese preferred label');
    const codes = await page.locator('table.mappings tr[data-system=RADLEX] a').allTextContents();
    ok(radlex && codes.includes(radlex), `the concept page shows its RadLex code ${radlex}`, JSON.stringify(codes));
    const href = await page.locator('table.mappings tr[data-system=RADLEX] a').first().getAttribute('href');
    ok(href === 'https://radlex.org/RID/' + radlex, 'the RadLex code links to the RadLex browser', href);
    const dcm = sssomCode('dicom.sssom.tsv', GGO);
    const triplet = (await page.locator('.triplet-best .triplet-text').textContent()).trim();
    ok(dcm && triplet.startsWith('(' + dcm + ', DCM, '), 'the best DICOM triplet is the DCM code', triplet);
    await page.locator('.triplet-best .btn-copy').click();
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    ok(clip === triplet, 'the copy button puts the DICOM triplet on the clipboard', clip);
    ok(await page.locator('.syn-list li', { hasText: 'GGO' }).count() === 1, 'synonyms are listed (GGO)');
    const dl = await page.locator('.concept-downloads a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    ok(['ttl', 'jsonld', 'json'].every((f) => dl.includes(`/concept/${GGO}?format=${f}`)), 'Turtle, JSON-LD and JSON downloads are offered', JSON.stringify(dl));
    const ttl = await page.request.get(BASE + `/concept/${GGO}?format=ttl`);
    ok(ttl.ok() && /turtle/.test(ttl.headers()['content-type'] || ''), 'the Turtle download is Turtle', ttl.status() + ' ' + ttl.headers()['content-type']);
    // the tree reveals the path to the concept
    const sel = page.locator(`[role=treeitem][aria-selected=true] > .tree-row a[href="/concept/${GGO}"]`);
    await sel.waitFor();
    ok(await sel.isVisible(), 'the tree reveals and selects the concept');
    await shot('concept-1280');
    await axeCheck('concept page');
  });

  // ---- outside codes as concept references ----
  await step('concept by outside code', async () => {
    const dcm = sssomCode('dicom.sssom.tsv', GGO);
    await page.goto(BASE + '/concept/DCM:' + dcm);
    await page.waitForURL('**/concept/' + GGO);
    ok((await page.locator('h1.concept-title').textContent()).trim() === '磨玻璃影', 'a DICOM code opens its concept and the URL becomes the concept id');
    await page.goto(BASE + '/concept/' + GGO);
    await page.waitForSelector('h1.concept-title');
  });

  // ---- language toggle, remembered ----
  await step('language toggle', async () => {
    await page.locator('#lang-toggle').click();
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.waitForSelector('h1.concept-title');
    ok((await page.locator('h1.concept-title').textContent()).trim() === 'ground-glass opacity', 'English UI shows the English label first');
    await page.reload();
    await page.waitForSelector('h1.concept-title');
    ok((await page.getAttribute('html', 'lang')) === 'en' && (await page.locator('.mainnav a[data-nav=query]').textContent()) === 'SPARQL query', 'the language choice survives a reload (localStorage)');
    await shot('concept-en-1280');
    await page.locator('#lang-toggle').click();
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  });

  // ---- tree: three levels, keyboard ----
  await step('tree', async () => {
    await page.goto(BASE + '/browse');
    const first = page.locator('[role=tree] > [role=treeitem]').first();
    await first.waitFor();
    await first.focus();
    await page.keyboard.press('ArrowRight');                          // level 1 expands
    await page.waitForSelector('[role=treeitem][aria-level="2"]');
    ok(await first.getAttribute('aria-expanded') === 'true', 'ArrowRight expands a top concept');
    const l2 = page.locator('[role=treeitem][aria-level="2"][aria-expanded]').first();
    await l2.locator(':scope > .tree-row > .twisty').click();         // level 2 by mouse
    await page.waitForSelector('[role=treeitem][aria-level="3"]');
    const l3 = page.locator('[role=treeitem][aria-level="3"][aria-expanded]').first();
    await l3.focus();
    await page.keyboard.press('ArrowRight');                          // level 3 by keyboard
    await page.waitForSelector('[role=treeitem][aria-level="4"]');
    const l3id = await l3.locator(':scope > .tree-row a').getAttribute('href');
    const api = await (await page.request.get(BASE + '/api/concepts/' + l3id.split('/').pop() + '/children?limit=500')).json();
    const shown = await l3.locator(':scope > [role=group] > [role=treeitem]').count();
    ok(shown === api.total && shown > 0, `three levels expanded; the third shows all its ${api.total} children`, 'shown ' + shown);
    const count = (await l3.locator(':scope > .tree-row .tree-count').textContent()).trim();
    ok(count === String(api.total), 'child count shown beside the concept', count);
    await page.keyboard.press('ArrowRight');                          // into the first child
    const focusedLevel = await page.evaluate(() => document.activeElement.getAttribute('aria-level'));
    ok(focusedLevel === '4', 'ArrowRight on an open node moves to its first child');
    await page.keyboard.press('ArrowLeft');                           // back to parent
    await page.keyboard.press('ArrowLeft');                           // collapse it
    ok(await l3.getAttribute('aria-expanded') === 'false', 'ArrowLeft goes to the parent, then collapses it');
    await page.keyboard.press('Enter');
    await page.waitForURL('**' + l3id);
    ok(true, 'Enter on a tree item opens its concept page');
    await shot('tree-1280');
    await axeCheck('tree');
  });

  // ---- SPARQL console ----
  await step('sparql', async () => {
    await page.locator('.mainnav a[data-nav=query]').click();
    await page.waitForURL('**/query');
    await page.locator('.example[data-example=top]').click();
    await page.waitForSelector('table.results tbody tr');
    const tops = topConceptCount();
    const rows = await page.locator('table.results tbody tr').count();
    ok(rows === tops && tops > 0, `the example query fills the table (${rows} rows, ${tops} top concepts in the Turtle)`);
    ok(await page.locator('table.results a[href="/concept/IMT0000010"]').count() === 1, 'concept IRIs in results link to concept pages');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /CSV/ }).click()]);
    const csv = fs.readFileSync(await download.path(), 'utf8');
    ok(/^concept,zh,en\r?\n/.test(csv) && csv.trim().split('\n').length === tops + 1, 'CSV download has the header and every row', csv.slice(0, 120));
    await page.locator('.example[data-example=children]').click();
    await page.waitForFunction(() => document.querySelector('.example.current')?.dataset.example === 'children' && document.querySelector('table.results a[href="/concept/IMT0001100"]'));
    ok(true, 'the children example lists ground-glass opacity');
    await shot('query-1280');
    await axeCheck('SPARQL console');
    // every worked example must run in this Rasqal and answer something
    const examples = await page.locator('.example').evaluateAll((bs) => bs.map((b) => b.dataset.example));
    const bad = [];
    for (const ex of examples) {
      await page.locator(`.example[data-example="${ex}"]`).click();
      await page.waitForFunction(() => document.querySelector('.sparql-out')?.getAttribute('aria-busy') === 'false'
        && document.querySelector('.sparql-out .result-summary, .sparql-out .sparql-error'), null, { timeout: 30000 });
      const err = await page.locator('.sparql-error').count();
      const rows = await page.locator('table.results tbody tr').count();
      const askTrue = await page.locator('.ask-true').count();
      if (err || (rows === 0 && askTrue === 0)) bad.push(`${ex}: ${err ? await page.locator('.sparql-error').textContent() : 'no rows'}`);
    }
    ok(examples.length >= 10 && bad.length === 0, `all ${examples.length} example queries answer with rows`, bad.join('\n'));
    await page.locator('#sparql-editor').fill('SELECT ?x WHERE { ?x ?y }');
    expectHttpError = true;
    await page.locator('#sparql-run').click();
    await page.waitForSelector('.sparql-error');
    expectHttpError = false;
    const err = await page.locator('.sparql-error').textContent();
    ok(/400/.test(err) && err.length > 20, 'a syntax error is shown with the server message', err);
  });

  // ---- SPARQL limits: timeout and truncation are told apart from other errors ----
  if (LIMITS) {
    await step('sparql limits', async () => {
      await page.goto(LIMITS + '/query');
      await page.locator('#sparql-editor').fill('SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }');
      expectHttpError = true;
      await page.locator('#sparql-run').click();
      await page.waitForSelector('.sparql-error', { timeout: 30000 });
      expectHttpError = false;
      const err = await page.locator('.sparql-error').textContent();
      ok(/超时/.test(err) && /query_timeout|10 s|1 s|limit/i.test(err), 'a query over the time limit says it timed out', err);
      await page.locator('#sparql-editor').fill('SELECT ?s ?p ?o WHERE { ?s ?p ?o }');
      await page.locator('#sparql-run').click();
      await page.waitForSelector('table.results tbody tr');
      const rows = await page.locator('table.results tbody tr').count();
      const warn = await page.locator('.sparql-out .notice-warn').count();
      ok(rows === 100 && warn === 1, 'a result over the row cap is shown as truncated', `rows ${rows}, warnings ${warn}`);
      await shot('query-limits-1280');
    });
  } else {
    ok(true, 'SPARQL limits # SKIP no second server given');
  }

  // ---- normalize playground ----
  await step('normalize', async () => {
    await page.goto(BASE + '/normalize');
    const text = '😀𠀀右肺上叶见磨玻璃结节，未见胸腔积液。';
    await page.locator('#normalize-input').fill(text);
    await page.locator('#normalize-run').click();
    await page.waitForFunction(() => document.querySelectorAll('#normalize-annotated mark.mention').length >= 2);
    const marks = await page.locator('#normalize-annotated mark.mention').evaluateAll((ms) => ms.map((m) => ({
      text: m.firstChild.textContent, status: m.dataset.status, bg: getComputedStyle(m).backgroundColor })));
    const present = marks.find((m) => m.text === '磨玻璃结节');
    const absent = marks.find((m) => m.text === '胸腔积液');
    ok(present && present.status === 'present', 'a stated finding is marked present', JSON.stringify(marks));
    ok(absent && absent.status === 'absent', 'the negated finding (未见) is marked absent', JSON.stringify(marks));
    ok(present && absent && present.bg !== absent.bg, 'present and absent marks have different colours', JSON.stringify(marks));
    const whole = await page.locator('#normalize-annotated').evaluate((e) => {
      const c = e.cloneNode(true); c.querySelectorAll('.offscreen').forEach((x) => x.remove()); return c.textContent;
    });
    ok(whole === text, 'highlighting keeps the text intact around characters beyond U+FFFF', whole);
    ok(await page.locator('table.mentions tbody tr[data-status=absent]').count() >= 1, 'the concept list shows the absent mention');
    await page.locator('.normalize-form button', { hasText: '中文胸部 CT' }).click();
    await page.waitForFunction(() => document.querySelector('#normalize-annotated mark.st-uncertain'));
    ok(true, 'the Chinese sample shows an uncertain mention (考虑…可能)');
    await shot('normalize-1280');
    await axeCheck('normalize playground');
  });

  // ---- 390 px ----
  await step('narrow screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [name, url, sel] of [['home', '/', '[role=treeitem]'], ['concept', '/concept/' + GGO, 'table.mappings'],
      ['query', '/query', '#sparql-editor'], ['normalize', '/normalize', '#normalize-input']]) {
      await page.goto(BASE + url);
      await page.waitForSelector(sel, { state: 'attached' });
      if (name === 'query') { await page.locator('.example[data-example=top]').click(); await page.waitForSelector('table.results tbody tr'); }
      if (name === 'normalize') await page.waitForSelector('#normalize-annotated mark');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      ok(overflow <= 0, `${name} page fits 390 px without sideways scrolling`, 'overflow ' + overflow + ' px');
      await shot(name + '-390');
    }
    await page.goto(BASE + '/concept/' + GGO);
    await page.waitForSelector('table.mappings');
    const toggle = page.locator('#tree-toggle');
    ok(await toggle.isVisible(), 'on a phone the tree is behind a toggle');
    await toggle.click();
    await page.waitForSelector(`[role=treeitem][aria-selected=true] a[href="/concept/${GGO}"]`, { state: 'visible' });
    ok(true, 'the toggle opens the tree at the current concept');
    const parentHref = await page.locator(`[role=treeitem][aria-selected=true]`).first()
      .evaluate((li) => li.parentElement.closest('[role=treeitem]').querySelector(':scope > .tree-row a').getAttribute('href'));
    await page.locator(`[role=tree] .tree-row a[href="${parentHref}"]`).first().click();
    await page.waitForURL('**' + parentHref);
    await page.waitForSelector('h1.concept-title');
    ok(await toggle.getAttribute('aria-expanded') === 'false' && !(await page.locator('[role=tree]').isVisible()),
      'choosing a concept in the tree on a phone folds the tree away and shows the concept');
    await page.goto(BASE + '/concept/' + GGO);
    await page.waitForSelector('table.mappings');
    await page.locator('.search-input').fill('GGO');
    await page.waitForSelector(`[role=option][data-id=${GGO}]`);
    await shot('search-390');
    const box = await page.locator('.search-list').boundingBox();
    ok(box && box.x >= 0 && box.x + box.width <= 390, 'suggestions fit the phone screen', JSON.stringify(box));
  });

  ok(consoleErrors.length === 0, 'no console errors on any page', consoleErrors.join('\n'));
  ok(outside.length === 0, 'no request leaves 127.0.0.1', outside.join('\n'));

  // ---- curation route: the module or a clear message ----
  await step('curation', async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(BASE + '/curation');
    const hasModule = fs.existsSync(path.join(TOP, 'web', 'assets', 'curation.js'));
    await page.waitForFunction(() => document.querySelector('.curation-slot')?.childElementCount > 0);
    const msg = await page.locator('.curation-slot .notice').count();
    ok(hasModule ? msg === 0 || !(await page.locator('.curation-slot').textContent()).includes('curation.js') : msg === 1,
      hasModule ? 'the curation module renders' : 'without the curation module the page says so', await page.locator('.curation-slot').textContent());
    await shot('curation-1280');
  });
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
