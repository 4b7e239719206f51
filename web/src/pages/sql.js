// #/sql?q=<query>: the SQL console (the Parseable API). A q parameter fills the editor and runs.
// DOM contract: textarea#sql-editor, button#run-sql, button#save-query, select#sql-examples,
// #sql-status (row count and elapsed ms), section[data-panel="sql-result"][data-state] holding
// table.results or .sql-chart or pre.sql-error; #saved-queries (li[data-id]) and #schema
// (details[data-stream], li.field[data-field]) in the left column.
// Registry: panel "sql-result" {state, query, language: 'sql', value: row count, columns,
// rows (first 1000, arrays in column order), elapsedMs, error}.

import '../explore.css';
import * as api from '../api.js';
import { registry } from '../registry.js';
import { resolveRange } from '../time.js';
import { renderViz } from '../chart.js';
import { createTable } from '../table.js';
import { h, stateMessage } from '../dom.js';

const DRAFT_KEY = 'infermetry.sqlDraft';
const MAX_ROWS = 1000;
const MAX_SERIES = 30;

const EXAMPLES = [
  ['p95 end-to-end latency per minute', `SELECT date_trunc('minute', p_timestamp) AS minute, model_name,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY value) AS p95_seconds
FROM metrics
WHERE name = 'vllm:e2e_request_latency_seconds'
GROUP BY 1, 2
ORDER BY 1`],
  ['Generated tokens per second', `SELECT date_trunc('minute', p_timestamp) AS minute, model_name,
  sum(value) / 60 AS tokens_per_second
FROM metrics
WHERE name = 'vllm:generation_tokens_total'
GROUP BY 1, 2
ORDER BY 1`],
  ['KV cache usage', `SELECT date_trunc('minute', p_timestamp) AS minute, instance,
  avg(value) * 100 AS kv_cache_percent
FROM metrics
WHERE name = 'vllm:kv_cache_usage_perc'
GROUP BY 1, 2
ORDER BY 1`],
  ['Slowest llm_request spans', `SELECT p_timestamp, trace_id, duration_ms,
  "gen_ai.latency.time_in_queue" AS queue_s,
  "gen_ai.latency.time_to_first_token" AS ttft_s,
  "gen_ai.usage.completion_tokens" AS output_tokens
FROM traces
WHERE name = 'llm_request'
ORDER BY duration_ms DESC
LIMIT 20`],
];

const TIME_RE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;

// An ISO-like timestamp → Unix seconds; the API writes UTC without a zone suffix.
function parseTs(v) {
  if (typeof v !== 'string' || !TIME_RE.test(v)) return null;
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(v) ? v : v + 'Z';
  const ms = Date.parse(zoned.replace(' ', 'T'));
  return Number.isNaN(ms) ? null : ms / 1000;
}

// Column names in first-seen order over all rows.
function columnsOf(rows) {
  const seen = new Set();
  for (const r of rows) for (const k of Object.keys(r)) seen.add(k);
  return [...seen];
}

// Chart series for a result whose first column is time-like: each numeric column a series,
// split per value of the first text column when there is one. null when not chartable.
export function chartSeries(columns, rows) {
  if (columns.length < 2 || !rows.length) return null;
  const times = rows.map((r) => parseTs(r[columns[0]]));
  if (times.some((t) => t === null)) return null;
  const rest = columns.slice(1);
  const numeric = rest.filter((c) => rows.some((r) => typeof r[c] === 'number') && rows.every((r) => r[c] === null || r[c] === undefined || typeof r[c] === 'number'));
  if (!numeric.length) return null;
  const text = rest.find((c) => !numeric.includes(c) && rows.some((r) => typeof r[c] === 'string'));
  const byName = new Map();
  rows.forEach((r, i) => {
    for (const c of numeric) {
      const group = text ? String(r[text] ?? 'NULL') : '';
      const name = !text ? c : numeric.length > 1 ? `${group} · ${c}` : group;
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push([times[i], r[c] ?? null]);
    }
  });
  return [...byName].sort((a, b) => a[0].localeCompare(b[0], undefined, { numeric: true })).slice(0, MAX_SERIES).map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]) }));
}

function cellText(v) {
  if (v === null || v === undefined) return h('span', { class: 'null' }, 'NULL');
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function resultTable(columns, rows) {
  return createTable({
    rows,
    maxRows: MAX_ROWS,
    columns: columns.map((c) => ({
      label: c,
      numeric: rows.some((r) => typeof r[c] === 'number'),
      value: (r) => (r[c] === undefined ? null : r[c]),
      render: (r) => cellText(r[c]),
    })),
  });
}

// Quotes an identifier unless it is a plain lower-case SQL name.
const ident = (n) => (/^[a-z_][a-z0-9_]*$/.test(n) ? n : `"${n.replace(/"/g, '""')}"`);

function insertAtCursor(ta, text) {
  const { selectionStart: a, selectionEnd: b, value } = ta;
  ta.value = value.slice(0, a) + text + value.slice(b);
  ta.selectionStart = ta.selectionEnd = a + text.length;
  ta.focus();
}

function editor(onRun) {
  const ta = h('textarea', { id: 'sql-editor', class: 'code', spellcheck: 'false', rows: 9, 'aria-label': 'SQL query' });
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); onRun(); }
    if (e.key === 'Tab' && !e.shiftKey && !e.altKey && !e.ctrlKey && !e.metaKey) { e.preventDefault(); insertAtCursor(ta, '  '); }
  });
  ta.addEventListener('input', () => localStorage.setItem(DRAFT_KEY, ta.value));
  return ta;
}

// The schema browser: streams, each expandable to its fields; a click on a field inserts it.
function schemaBrowser(ctx, ta) {
  const box = h('div', { id: 'schema', 'data-state': 'loading' }, stateMessage('loading', 'Loading streams…'));
  api.streams().then((list) => {
    box.dataset.state = list.length ? 'ok' : 'empty';
    if (!list.length) { box.replaceChildren(stateMessage('empty', 'No streams yet: ingest metrics, traces or logs.')); return; }
    box.replaceChildren(...list.map(({ name }) => {
      const fields = h('ul', { class: 'fields' });
      const d = h('details', { 'data-stream': name }, h('summary', {}, name), fields);
      d.addEventListener('toggle', () => {
        if (!d.open || fields.dataset.loaded) return;
        fields.dataset.loaded = '1';
        fields.replaceChildren(h('li', { class: 'muted' }, 'loading…'));
        api.streamSchema(name).then((schema) => {
          fields.replaceChildren(...(schema.fields || []).map((f) => h('li', {
            class: 'field', 'data-field': f.name, title: `Insert ${f.name} (${f.data_type})`, onclick: () => insertAtCursor(ta, ident(f.name)),
          }, h('span', { class: 'fname' }, f.name), h('span', { class: 'ftype' }, f.data_type === 'double precision' ? 'double' : f.data_type))));
        }, (e) => {
          ctx.onError(e);
          delete fields.dataset.loaded;
          fields.replaceChildren(h('li', { class: 'error' }, e.message));
        });
      });
      return d;
    }));
  }, (e) => {
    ctx.onError(e);
    box.dataset.state = 'error';
    box.replaceChildren(stateMessage('error', `Streams unavailable: ${e.message}`));
  });
  return box;
}

export async function render(root, ctx) {
  let lastQuery = '';
  let chart = null;
  let view = 'table';
  let loaded = null; // the saved query in the editor: {id, name}
  let seq = 0;
  let current = [[], []]; // the last result: [columns, rows]

  const ta = editor(() => run());
  const status = h('span', { id: 'sql-status', class: 'muted' });
  const result = h('section', { class: 'panel sql-result', 'data-panel': 'sql-result', 'data-state': 'empty' });
  const tabs = h('div', { class: 'tabs' });
  const savedList = h('ul', { id: 'saved-queries', 'data-state': 'loading' });
  const examples = h('select', { id: 'sql-examples', title: 'Example queries' }, new Option('Examples…', ''),
    ...EXAMPLES.map(([label], i) => new Option(label, String(i))));
  examples.onchange = () => {
    if (examples.value === '') return;
    ta.value = EXAMPLES[Number(examples.value)][1];
    examples.value = '';
    loaded = null;
    run();
  };
  const chartKind = h('select', { title: 'Chart style' }, new Option('Lines', 'timeseries'), new Option('Stacked', 'stacked'));

  const toolbar = h('div', { class: 'sql-toolbar' },
    h('button', { id: 'run-sql', class: 'primary', title: 'Run (Ctrl+Enter)', onclick: () => run() }, '▶ Run'),
    h('button', { id: 'save-query', title: 'Save this query', onclick: () => save() }, 'Save'),
    examples, h('span', { class: 'spacer' }), status);
  const side = h('aside', { class: 'sql-side' },
    h('h4', {}, 'Saved queries'), savedList,
    h('h4', {}, 'Streams'), schemaBrowser(ctx, ta));
  root.replaceChildren(h('div', { class: 'explore sql-page' }, side,
    h('div', { class: 'sql-main' }, toolbar, ta, tabs, result)));

  function showResult(state, ...nodes) {
    if (chart) { chart.destroy(); chart = null; }
    result.dataset.state = state;
    result.replaceChildren(...nodes);
  }

  function renderTabs(columns, rows) {
    const series = chartSeries(columns, rows);
    if (!series && view === 'chart') view = 'table';
    const tab = (key, label, enabled, why) => h('button', {
      class: `tab${view === key ? ' active' : ''}`, 'data-tab': key, disabled: !enabled, title: enabled ? '' : why,
      onclick: () => { view = key; renderTabs(columns, rows); },
    }, label);
    tabs.replaceChildren(tab('table', 'Table', true), tab('chart', 'Chart', !!series, 'A chart needs a time-like first column and a numeric column'),
      view === 'chart' ? chartKind : '');
    if (!rows.length) return showResult('empty', stateMessage('empty', 'The query returned no rows in this time range.'));
    if (view === 'table') return showResult('ok', h('div', { class: 'table-wrap' }, resultTable(columns, rows)));
    const el = h('div', { class: 'sql-chart' });
    showResult('ok', el);
    chart = renderViz(el, chartKind.value, { series }, { height: 320 });
  }
  chartKind.onchange = () => renderTabs(...current);

  async function run(range) {
    const query = ta.value.trim();
    if (!query) { ta.focus(); return; }
    let r = range;
    if (!r) { try { r = resolveRange(ctx.from, ctx.to); } catch { r = ctx.range; } }
    const my = ++seq;
    lastQuery = query;
    const params = new URLSearchParams(ctx.params);
    params.set('q', query);
    history.replaceState(null, '', `#/sql?${params}`);
    status.textContent = 'Running…';
    result.dataset.state = 'loading';
    registry.set('sql-result', { title: 'SQL result', state: 'loading', query, language: 'sql', start: r.start, end: r.end });
    const t0 = performance.now();
    let rows;
    try {
      rows = await api.sql(query, new Date(r.start * 1000).toISOString(), new Date(r.end * 1000).toISOString());
    } catch (e) {
      if (my !== seq) return;
      ctx.onError(e);
      const ms = Math.round(performance.now() - t0);
      status.textContent = `error · ${ms} ms`;
      tabs.replaceChildren();
      registry.set('sql-result', { state: 'error', error: e.message, value: 0, columns: [], rows: [], elapsedMs: ms });
      showResult('error', h('pre', { class: 'sql-error' }, e.message));
      return;
    }
    if (my !== seq) return;
    const ms = Math.round(performance.now() - t0);
    rows = Array.isArray(rows) ? rows : [];
    const columns = columnsOf(rows);
    status.textContent = `${rows.length} row${rows.length === 1 ? '' : 's'} · ${ms} ms`;
    registry.set('sql-result', {
      state: rows.length ? 'ok' : 'empty', error: '', value: rows.length, columns, elapsedMs: ms,
      rows: rows.slice(0, MAX_ROWS).map((row) => columns.map((c) => (row[c] === undefined ? null : row[c]))),
    });
    current = [columns, rows];
    renderTabs(columns, rows);
  }

  async function loadSaved() {
    savedList.dataset.state = 'loading';
    let docs;
    try {
      docs = await api.listDocs('filters');
    } catch (e) {
      ctx.onError(e);
      savedList.dataset.state = 'error';
      savedList.replaceChildren(h('li', { class: 'error' }, `Saved queries unavailable: ${e.message}`));
      return;
    }
    const list = (docs || []).filter((d) => d.value && typeof d.value.query === 'string')
      .sort((a, b) => String(a.value.name).localeCompare(String(b.value.name)));
    savedList.dataset.state = list.length ? 'ok' : 'empty';
    if (!list.length) { savedList.replaceChildren(h('li', { class: 'muted' }, 'None yet: write a query and press Save.')); return; }
    savedList.replaceChildren(...list.map((d) => h('li', { 'data-id': d.id },
      h('button', { class: 'link', title: d.value.query, onclick: () => { ta.value = d.value.query; loaded = { id: d.id, name: d.value.name }; run(); } }, d.value.name || d.id),
      h('button', {
        class: 'icon', title: `Delete "${d.value.name}"`,
        onclick: async () => {
          if (!confirm(`Delete the saved query "${d.value.name}"?`)) return;
          try { await api.deleteDoc('filters', d.id); } catch (e) { ctx.onError(e); alert(`Delete failed: ${e.message}`); }
          loadSaved();
        },
      }, '×'))));
  }

  async function save() {
    const query = ta.value.trim();
    if (!query) { ta.focus(); return; }
    const name = (prompt('Name of the saved query', loaded ? loaded.name : '') || '').trim();
    if (!name) return;
    const id = loaded && loaded.name === name ? loaded.id : api.newId();
    try {
      await api.putDoc('filters', id, { name, query, version: 1 });
      loaded = { id, name };
      status.textContent = `Saved "${name}"`;
    } catch (e) {
      ctx.onError(e);
      status.textContent = `Save failed: ${e.message}`;
    }
    loadSaved();
  }

  ctx.onRefresh((range) => { if (lastQuery) run(range); });
  loadSaved();
  const q = ctx.params.get('q');
  ta.value = q || localStorage.getItem(DRAFT_KEY) || EXAMPLES[0][1];
  if (q) run(ctx.range);
  else showResult('empty', stateMessage('empty', 'Write a query (or pick an example) and press Run or Ctrl+Enter. Tables: metrics, traces, logs and your streams.'));
  return () => { seq++; if (chart) chart.destroy(); };
}
