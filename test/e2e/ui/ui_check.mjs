// Drives Debian's Chromium (playwright-core) through infermetry's web UI on `infermetry demo`
// data and checks what a user sees. Every failed check is printed; the exit code is 1 if any.
//
//   node ui_check.mjs REPO_ROOT BASE_URL EMPTY_BASE_URL ARTIFACT_DIR FROM TO
// EMPTY_BASE_URL: an infermetry serving an empty store.
// FROM/TO (Unix seconds): a range inside the demo's simulated history, where the vLLM
// dashboard's numbers are compared with the SQL API's for the same buckets (the dashboard's
// definition and query builder are read from REPO_ROOT/web).
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const [root, base, emptyBase, artifacts, fromArg, toArg] = process.argv.slice(2);
const from = Number(fromArg);
const to = Number(toArg);
const { buckets, placeholders, substitute } = await import(pathToFileURL(`${root}/web/src/dashboards/queries.js`));
const def = JSON.parse(fs.readFileSync(`${root}/web/src/dashboards/vllm.json`));
const AUTH = 'Basic ' + Buffer.from('admin:admin').toString('base64');
fs.mkdirSync(artifacts, { recursive: true });

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures++;
  return ok;
}

async function sqlApi(query, startTime, endTime) {
  const resp = await fetch(`${base}/api/v1/query`, {
    method: 'POST',
    headers: { Authorization: AUTH, 'Content-Type': 'application/json' },
    body: JSON.stringify({ query, startTime, endTime }),
  });
  const text = await resp.text();
  if (!resp.ok) throw new Error(`SQL API ${resp.status}: ${text}\n${query}`);
  return JSON.parse(text);
}

const iso = (sec) => new Date(sec * 1000).toISOString();
const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12;
const panels = (page) => page.evaluate(() => window.__infermetry.panels);

// Waits until no panel element is loading (and at least one exists).
async function settled(page, root) {
  await page.waitForFunction((sel) => {
    const r = document.querySelector(sel);
    if (!r || r.dataset.state === 'loading') return false;
    const ps = [...document.querySelectorAll('[data-panel]')];
    return ps.length > 0 && ps.every((p) => p.dataset.state !== 'loading');
  }, root, { timeout: 30000 });
}

async function shot(page, name) {
  await page.screenshot({ path: `${artifacts}/${name}.png`, fullPage: true });
}

// 1. The vLLM dashboard: every panel has data, and its numbers are the SQL API's.
async function vllmDashboard(page) {
  await page.goto(`${base}/ui/#/vllm?from=${from}&to=${to}`);
  await settled(page, '#vllm');
  await shot(page, 'vllm-dashboard');
  const shown = await panels(page);
  for (const p of def.panels) {
    const got = shown[p.id];
    const points = got ? (got.series || []).reduce((n, s) => n + s.points.length, 0) : 0;
    check(got && got.state === 'ok' && (points > 0 || Number.isFinite(got.value)),
      `vLLM panel "${p.title}" shows data (${got ? got.state : 'missing'}, ${points} points)`);
  }
  const rates = (await (await fetch(`${base}/api/v1/ui/config`)).json()).data.gpu_hourly_cost;
  const b = buckets({ start: from, end: to });
  const vars = placeholders({}, b.step, rates);
  let compared = 0;
  let mismatches = 0;
  for (const p of def.panels) {
    const got = shown[p.id];
    if (!got) continue;
    for (const t of p.targets) {
      const [lo, hi] = p.instant ? [b.last, b.last + b.step] : [b.first, b.last + b.step];
      const rows = await sqlApi(substitute(t.sql, vars), iso(lo), iso(hi - 0.001));
      if (p.instant) {
        compared++;
        if (!check(rows.length === 1 && close(rows[0].v, got.value), `${p.id}: gauge ${got.value} = SQL ${rows[0] && rows[0].v}`)) mismatches++;
        continue;
      }
      // SQL rows → series name → bucket start → value (NULL rows are buckets without a value).
      const want = new Map();
      for (const r of rows) {
        if (r.v === null) continue;
        const name = t.by ? t.name.replace(/\{\{(\w+)\}\}/g, (_, k) => r[k] ?? '') : t.name;
        if (!want.has(name)) want.set(name, new Map());
        want.get(name).set(Date.parse(r.t + 'Z') / 1000, r.v);
      }
      // A target without any data on either side (e.g. no HTTP metrics in a simulated history).
      const names = t.by || (want.size === 0 && !(got.series || []).some((s) => s.name === t.name)) ? [...want.keys()] : [t.name];
      for (const name of names) {
        const series = (got.series || []).find((s) => s.name === name);
        if (!check(series, `${p.id}: the panel has the series "${name}"`)) { mismatches++; continue; }
        const sqlPoints = want.get(name) || new Map();
        const shownPoints = new Map(series.points);
        for (let bt = b.first; bt <= b.last; bt += b.step) {
          const s = shownPoints.get(bt);
          // fill_zero targets show 0 for buckets without failures, where SQL has no row.
          const w = sqlPoints.has(bt) ? sqlPoints.get(bt) : (t.fill_zero && s !== undefined ? 0 : undefined);
          if (w === undefined && (s === undefined || s === null)) continue;
          compared++;
          if (w === undefined || s === undefined || s === null || !close(w, s)) {
            mismatches++;
            if (mismatches <= 20) console.log(`     ${p.id}/${name} at ${iso(bt)}: panel ${s}, SQL ${w}`);
          }
        }
      }
    }
  }
  check(compared > 200 && mismatches === 0, `vLLM dashboard numbers equal the SQL API's: ${compared} values compared, ${mismatches} differ`);
}

// 2. From the latency panel, one click to the slowest traces of that bucket.
async function latencyToTraces(page) {
  await page.goto(`${base}/ui/#/vllm?from=${from}&to=${to}`);
  await settled(page, '#vllm');
  const over = page.locator('[data-panel="e2e_latency"] .u-over');
  const box = await over.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => location.hash.startsWith('#/traces'), null, { timeout: 10000 });
  const hash = await page.evaluate(() => location.hash);
  const params = new URLSearchParams(hash.split('?')[1]);
  check(params.get('order') === 'duration' && params.get('name') === 'llm_request',
    `a click on the latency panel opens the slowest llm_request traces (${hash})`);
  const lo = Number(params.get('from'));
  const hi = Number(params.get('to'));
  check(hi - lo === buckets({ start: from, end: to }).step && lo >= from && hi <= to + 60, `... of one bucket [${lo}, ${hi})`);
  await settled(page, '[data-panel="trace-results"]');
  await shot(page, 'traces-slowest');
  const r = (await panels(page))['trace-results'];
  const d = r && r.series[0] ? r.series[0].points : [];
  check(r && r.state === 'ok' && r.count > 0, `slowest traces listed (${r && r.count})`);
  check(d.every(([t]) => t >= lo && t <= hi), 'every listed span starts in that bucket');
  const durations = await page.$$eval('table.results tbody tr', (rows) => rows.length);
  check(durations === r.count, `the results table has a row per span (${durations})`);
  const api = await (await fetch(`${base}/api/v1/spans?name=llm_request&order=duration&limit=1&start=${lo}&end=${hi}`)).json();
  const slowest = Number(api.data[0].durationNano) / 1e9;
  check(d.length > 0 && close(Math.max(...d.map(([, v]) => v)), slowest), `the slowest span shown is the API's slowest (${slowest} s)`);
}

// 3. A RAG request's trace as a waterfall, with vLLM's phase split.
async function waterfall(page) {
  await page.goto(`${base}/ui/#/traces?service=rag-app&name=rag.query&from=now-15m`);
  await settled(page, '[data-panel="trace-results"]');
  const link = page.locator('table.results a[href^="#/trace/"]').first();
  check(await link.count() > 0, 'RAG traces are listed');
  await link.click();
  await settled(page, '[data-panel="trace"]');
  const names = await page.$$eval('.waterfall .span-row', (rows) => rows.map((r) => r.textContent));
  for (const n of ['rag.query', 'rag.retrieve', 'rag.generate', 'llm_request']) {
    check(names.some((t) => t.includes(n)), `the waterfall shows ${n}`);
  }
  const phases = await page.$$eval('.span-row .phase-bar [data-seconds]', (els) => els.map((e) => [e.className, Number(e.dataset.seconds)]));
  for (const k of ['phase-queue', 'phase-prefill', 'phase-decode']) {
    check(phases.some(([c, s]) => c.includes(k) && Number.isFinite(s) && s >= 0), `llm_request's bar has ${k}`);
  }
  await page.locator('.span-row', { hasText: 'llm_request' }).first().click();
  await page.waitForSelector('#span-detail:not([hidden])');
  const detail = await page.textContent('#span-detail');
  check(detail.includes('gen_ai.usage.completion_tokens') || detail.includes('gen_ai.usage.output_tokens'),
    'the span detail lists its gen_ai attributes');
  await shot(page, 'trace-waterfall');
}

// 4. The SQL console: run a query, see the API's rows, save it.
async function sqlConsole(page) {
  const query = "SELECT name, count(*) AS samples FROM metrics WHERE name LIKE 'vllm%' GROUP BY name ORDER BY name";
  await page.goto(`${base}/ui/#/sql?from=${from}&to=${to}`);
  await page.waitForSelector('#sql-editor');
  await page.fill('#sql-editor', query);
  await page.click('#run-sql');
  await page.waitForFunction(() => {
    const p = window.__infermetry.panels['sql-result'];
    return p && p.state !== 'loading';
  }, null, { timeout: 30000 });
  const r = (await panels(page))['sql-result'];
  const api = await sqlApi(query, iso(from), iso(to));
  check(r.state === 'ok' && r.value === api.length && api.length > 10, `the SQL console shows the API's ${api.length} rows (${r.value})`);
  check(JSON.stringify(r.rows.map((row) => row[0])) === JSON.stringify(api.map((row) => row.name)), 'the console rows are the API rows');
  page.once('dialog', (d) => d.accept('vLLM samples per metric'));
  await page.click('#save-query');
  await page.waitForFunction(() => [...document.querySelectorAll('#saved-queries li')].some((li) => li.textContent.includes('vLLM samples per metric')), null, { timeout: 10000 });
  const saved = await (await fetch(`${base}/api/v1/filters`, { headers: { Authorization: AUTH } })).json();
  check(saved.some((d) => d.value.query === query), 'the saved query is in the store');
  await shot(page, 'sql-console');
}

// 5. A custom dashboard: create, add a SQL panel, save, reload from the store, export.
async function customDashboard(page) {
  await page.goto(`${base}/ui/#/dashboards`);
  await page.click('#new-dashboard');
  await page.waitForSelector('#dashboard-title');
  await page.fill('#dashboard-title', 'Tokens by model');
  await page.click('#add-panel');
  await page.fill('[name=title]', 'Generation tokens per minute');
  await page.selectOption('[name=language]', 'sql');
  await page.fill('[name=query]', "SELECT date_trunc('minute', p_timestamp) AS t, model_name, sum(value) AS tokens FROM metrics WHERE name = 'vllm:generation_tokens_total' GROUP BY 1, 2 ORDER BY 1");
  await page.selectOption('[name=viz]', 'timeseries');
  await page.click('#save-panel');
  await page.click('#save-dashboard');
  await page.waitForFunction(() => /#\/dashboards\/[^?]+$/.test(location.hash) || document.querySelector('.msg.ok'), null, { timeout: 10000 });
  const id = await page.evaluate(() => document.querySelector('#dashboard').dataset.id);
  const stored = await (await fetch(`${base}/api/v1/dashboards/${id}`, { headers: { Authorization: AUTH } })).json();
  check(stored.title === 'Tokens by model' && stored.panels.length === 1, `the dashboard is saved in the store (${id})`);
  await page.goto(`${base}/ui/#/dashboards/${id}?from=${from}&to=${to}`);
  await page.reload();
  await settled(page, '#dashboard');
  const p = Object.values(await panels(page)).find((x) => x.title === 'Generation tokens per minute');
  check(p && p.state === 'ok' && p.series.length >= 2, `the reloaded dashboard's panel shows a series per model (${p && p.series.length})`);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-dashboard')]);
  const exported = JSON.parse(fs.readFileSync(await download.path(), 'utf8'));
  check(exported.title === 'Tokens by model' && exported.panels[0].language === 'sql', 'the export is the dashboard as JSON');
  await shot(page, 'custom-dashboard');
}

// 6. Alerts: the built-in vLLM rules are listed.
async function alerts(page) {
  await page.goto(`${base}/ui/#/alerts`);
  await page.waitForFunction(() => {
    const g = document.querySelector('#rule-groups');
    return g && g.dataset.state !== 'loading';
  }, null, { timeout: 15000 });
  const rules = await page.$$eval('tr.rule-row', (rows) => rows.map((r) => r.dataset.rule));
  check(rules.includes('VllmKvCacheSaturated') && rules.length >= 8, `the alerts page lists the vLLM rules (${rules.length})`);
  await shot(page, 'alerts');
}

// 7. Empty states: a range without data, and a store without vLLM metrics, say what to do.
async function emptyStates(page) {
  await page.goto(`${base}/ui/#/vllm?from=978307200&to=978310800`);
  await settled(page, '#vllm');
  const states = await page.$$eval('#vllm [data-panel]', (els) => els.map((e) => e.dataset.state));
  check(states.length === def.panels.length && states.every((s) => s === 'empty'), `a range without data: every panel is empty (${[...new Set(states)]})`);
  await shot(page, 'vllm-empty-range');
  await page.goto(`${emptyBase}/ui/#/vllm`);
  await page.waitForFunction(() => ['empty', 'ok', 'error'].includes(document.querySelector('#vllm')?.dataset.state), null, { timeout: 15000 });
  const state = await page.evaluate(() => document.querySelector('#vllm').dataset.state);
  const text = await page.textContent('#vllm');
  check(state === 'empty' && /vLLM/.test(text) && /scrape/.test(text) && /demo/.test(text), `a store without vLLM metrics explains how to add them (${state})`);
  await shot(page, 'vllm-no-target');
}

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-dev-shm-usage'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  for (const step of [vllmDashboard, latencyToTraces, waterfall, sqlConsole, customDashboard, alerts, emptyStates]) {
    try {
      await step(page);
    } catch (e) {
      check(false, `${step.name}: ${e.message.split('\n')[0]}`);
      await shot(page, `failed-${step.name}`).catch(() => {});
    }
  }
  check(errors.length === 0, `no script errors in the pages${errors.length ? ': ' + errors.join('; ') : ''}`);
} finally {
  await browser.close();
}
console.log(failures ? `${failures} check(s) failed` : 'all checks passed');
process.exit(failures ? 1 : 0);
