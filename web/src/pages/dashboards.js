// Custom dashboards, saved on the server as documents of kind "dashboards":
//   {title, panels: [{id, title, language: "sql" | "promql", query, viz, unit}], version: 1}
//
// #/dashboards          the list: #new-dashboard, #import-dashboard (opens the import box:
//                       textarea#import-json, input#import-file, #import-submit), one row per
//                       dashboard (tr[data-id], a.open-dashboard, button.delete-dashboard).
// #/dashboards/<id>     one dashboard (#dashboard[data-state]); ?new=1 starts an unsaved empty one
//                       in edit mode. #edit-dashboard toggles edit mode, in which
//                       input#dashboard-title, #add-panel and per panel .edit-panel / .remove-panel
//                       show; the panel editor (form.editor) has [name=title] [name=language]
//                       [name=query] [name=viz] [name=unit], #save-panel and #cancel-panel.
//                       #save-dashboard, #export-dashboard, #delete-dashboard. Messages: .msg.
//
// Panels run over the page's time range. SQL: sql(query, ISO start, ISO end); rows map to a
// table (all columns), a time series (first column the time, other numeric columns the series,
// or one series per distinct value of the text columns) or a gauge (first numeric value of the
// first row). PromQL: a range query at step max(15, (end-start)/300), or an instant query at the
// end of the range for gauge and table. Gauges run 0..1 with unit "%", else 0..100.
// Registry ids: "<dashboardId>:<panelId>".

import '../dashboards.css';
import { listDocs, getDoc, putDoc, deleteDoc, sql, promRange, promInstant, newId } from '../api.js';
import { resolveRange, fmtTime } from '../time.js';
import { createPanel } from '../panel.js';
import { h as el } from '../dom.js';
import { hashFor } from '../main.js';

const VIZ = ['timeseries', 'stacked', 'gauge', 'table'];
const LANGUAGES = ['sql', 'promql'];

function showMsg(box, kind, text) {
  box.className = `msg ${kind}`;
  box.textContent = text;
  box.hidden = !text;
}

// ---- validation ---------------------------------------------------------------------------

// Checks a dashboard document (parsed JSON) and returns it normalized; throws an Error that
// says what is wrong and where.
export function validateDashboard(doc) {
  const fail = (msg) => { throw new Error(`Not a dashboard: ${msg}`); };
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) fail('the JSON must be an object {title, panels, version}');
  if (typeof doc.title !== 'string' || !doc.title.trim()) fail('"title" must be a non-empty string');
  if (doc.version !== undefined && doc.version !== 1) fail(`"version" must be 1 (got ${JSON.stringify(doc.version)})`);
  if (!Array.isArray(doc.panels)) fail('"panels" must be an array');
  const ids = new Set();
  const panels = doc.panels.map((p, i) => {
    const at = `panels[${i}]`;
    if (!p || typeof p !== 'object' || Array.isArray(p)) fail(`${at} must be an object`);
    const id = p.id === undefined ? newId().slice(0, 8) : p.id;
    if (typeof id !== 'string' || !id) fail(`${at}.id must be a non-empty string`);
    if (ids.has(id)) fail(`${at}.id "${id}" is used twice`);
    ids.add(id);
    if (typeof p.title !== 'string') fail(`${at}.title must be a string`);
    if (!LANGUAGES.includes(p.language)) fail(`${at}.language must be "sql" or "promql" (got ${JSON.stringify(p.language)})`);
    if (typeof p.query !== 'string' || !p.query.trim()) fail(`${at}.query must be a non-empty string`);
    if (!VIZ.includes(p.viz)) fail(`${at}.viz must be one of ${VIZ.join(', ')} (got ${JSON.stringify(p.viz)})`);
    if (p.unit !== undefined && typeof p.unit !== 'string') fail(`${at}.unit must be a string`);
    return { id, title: p.title, language: p.language, query: p.query, viz: p.viz, unit: p.unit || '' };
  });
  return { title: doc.title.trim(), panels, version: 1 };
}

// ---- query results → viz data --------------------------------------------------------------

// Unix seconds of a SQL time value: ISO text (without a zone = UTC) or epoch s/ms.
export function sqlTime(v) {
  if (typeof v === 'number') return v > 1e11 ? v / 1000 : v;
  if (typeof v !== 'string') return NaN;
  let t = v.trim();
  if (/^\d{4}-\d\d-\d\d([ T]\d\d:\d\d(:\d\d(\.\d+)?)?)?$/.test(t)) t = (t.length === 10 ? t + 'T00:00:00' : t.replace(' ', 'T')) + 'Z';
  return Date.parse(t) / 1000;
}

function columnsOf(rows) {
  const cols = [];
  const seen = new Set();
  for (const r of rows) for (const k of Object.keys(r)) if (!seen.has(k)) { seen.add(k); cols.push(k); }
  return cols;
}

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

export function rowsToTable(rows) {
  const columns = columnsOf(rows);
  return { columns, rows: rows.map((r) => columns.map((c) => (r[c] === undefined ? null : r[c]))) };
}

export function rowsToSeries(rows) {
  const [timeCol, ...rest] = columnsOf(rows);
  if (!timeCol) return { series: [] };
  const numCols = rest.filter((c) => rows.some((r) => isNum(r[c])) && rows.every((r) => r[c] == null || isNum(r[c])));
  const textCols = rest.filter((c) => !numCols.includes(c));
  const byName = new Map();
  for (const r of rows) {
    const t = sqlTime(r[timeCol]);
    if (!Number.isFinite(t)) throw new Error(`the first column ("${timeCol}") must be a time, got ${JSON.stringify(r[timeCol])}`);
    const key = textCols.map((c) => String(r[c] ?? '')).join(' / ');
    for (const c of numCols) {
      const name = key ? (numCols.length > 1 ? `${key} ${c}` : key) : c;
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name).push([t, isNum(r[c]) ? r[c] : null]);
    }
  }
  const series = [...byName].map(([name, points]) => ({ name, points: points.sort((a, b) => a[0] - b[0]) }));
  return { series };
}

function firstNumber(rows) {
  const r = rows[0] || {};
  const v = Object.values(r).find(isNum);
  return v === undefined ? null : v;
}

function metricName(metric, fallback) {
  const { __name__: name = '', ...labels } = metric || {};
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  if (!name && parts.length === 1) return Object.values(labels)[0];
  return `${name}${parts.length ? `{${parts.join(', ')}}` : ''}` || fallback;
}

function promTable(res) {
  if (res.resultType === 'scalar' || res.resultType === 'string') return { columns: ['value'], rows: [[Number(res.result[1])]] };
  const labels = columnsOf(res.result.map((r) => r.metric || {}));
  const rows = res.result.map((r) => {
    const v = r.value ? r.value[1] : (r.values[r.values.length - 1] || [])[1];
    return [...labels.map((l) => (r.metric || {})[l] ?? null), Number(v)];
  });
  return { columns: [...labels, 'value'], rows };
}

function promValue(res) {
  if (res.resultType === 'scalar') return Number(res.result[1]);
  const first = res.result[0];
  return first && first.value ? Number(first.value[1]) : null;
}

const gaugeMax = (unit) => (unit === '%' ? 1 : 100);

// The data and the registry meta of one panel over range.
async function runPanel(p, range) {
  if (p.language === 'sql') {
    const rows = await sql(p.query, new Date(range.start * 1000).toISOString(), new Date(range.end * 1000).toISOString());
    const list = Array.isArray(rows) ? rows : [];
    if (p.viz === 'table') return rowsToTable(list);
    if (p.viz === 'gauge') return { value: firstNumber(list), max: gaugeMax(p.unit) };
    return rowsToSeries(list);
  }
  if (p.viz === 'gauge' || p.viz === 'table') {
    const res = await promInstant(p.query, range.end);
    if (p.viz === 'table') return promTable(res);
    const value = promValue(res);
    return { value: Number.isFinite(value) ? value : null, max: gaugeMax(p.unit) };
  }
  const step = promStep(range);
  const res = await promRange(p.query, range.start, range.end, step);
  return {
    series: res.map((r) => ({
      name: metricName(r.metric, p.query),
      points: r.values.map(([t, v]) => [Number(t), Number(v)]).filter(([, v]) => Number.isFinite(v)),
    })),
  };
}

const promStep = (range) => Math.max(15, Math.round((range.end - range.start) / 300));

// ---- the list -----------------------------------------------------------------------------

function importBox(onDone) {
  const msg = el('p', { class: 'msg', hidden: true });
  const text = el('textarea', { id: 'import-json', name: 'import', placeholder: 'Paste a dashboard JSON: {"title": ..., "panels": [...], "version": 1}', spellcheck: 'false', class: 'code' });
  const file = el('input', { id: 'import-file', type: 'file', accept: '.json,application/json' });
  file.onchange = async () => { if (file.files[0]) text.value = await file.files[0].text(); };
  const box = el('form', { class: 'import-box', hidden: true },
    el('label', { class: 'wide' }, 'Dashboard JSON', text),
    el('div', { class: 'row' }, file, el('span', { class: 'spacer' }),
      el('button', { type: 'button', class: 'btn', text: 'Cancel', onclick: () => { box.hidden = true; } }),
      el('button', { id: 'import-submit', type: 'submit', class: 'btn primary', text: 'Import' })),
    el('div', { class: 'row' }, msg));
  box.onsubmit = async (ev) => {
    ev.preventDefault();
    let doc;
    try { doc = validateDashboard(JSON.parse(text.value)); } catch (e) {
      showMsg(msg, 'error', e instanceof SyntaxError ? `Not valid JSON: ${e.message}` : e.message);
      return;
    }
    try { await onDone(doc); } catch (e) { showMsg(msg, 'error', `Import failed: ${e.message}`); }
  };
  return box;
}

async function renderList(root, ctx) {
  const wrap = el('div', { id: 'dashboards', class: 'dashboard', 'data-state': 'loading' });
  const box = importBox(async (doc) => {
    const id = newId();
    await putDoc('dashboards', id, doc);
    ctx.navigate(`#/dashboards/${id}`);
  });
  const toolbar = el('div', { class: 'toolbar' },
    el('h2', { text: 'Dashboards' }), el('span', { class: 'spacer' }),
    el('button', { id: 'import-dashboard', class: 'btn', text: 'Import', onclick: () => { box.hidden = !box.hidden; } }),
    el('button', { id: 'new-dashboard', class: 'btn primary', text: 'New dashboard', onclick: () => ctx.navigate(hashFor(`dashboards/${newId()}`, { new: 1 })) }));
  const body = el('div', {}, el('p', { class: 'state loading', text: 'Loading…' }));
  wrap.append(toolbar, box, body);
  root.append(wrap);
  const load = async () => {
    let docs;
    try { docs = await listDocs('dashboards'); } catch (e) {
      ctx.onError(e);
      body.replaceChildren(el('p', { class: 'state error', text: `Cannot list the dashboards: ${e.message}` }));
      wrap.dataset.state = 'error';
      return;
    }
    if (!docs || docs.length === 0) {
      body.replaceChildren(el('p', { class: 'state empty', text: 'No dashboards yet. Create one with "New dashboard", or import a JSON export.' }));
      wrap.dataset.state = 'empty';
      return;
    }
    body.replaceChildren(listTable(docs, ctx, load));
    wrap.dataset.state = 'ok';
  };
  await load();
}

// A document's "updated" (Unix s or ms, or RFC 3339 text) as local time; '' when unreadable.
function updatedText(v) {
  let t = typeof v === 'number' || /^\d+(\.\d+)?$/.test(String(v)) ? Number(v) : Date.parse(v) / 1000;
  if (t > 1e11) t /= 1000;
  return Number.isFinite(t) && t > 0 ? fmtTime(t, true) : '';
}

function listTable(docs, ctx, reload) {
  const sorted = [...docs].sort((a, b) => String((a.value || {}).title || a.id).localeCompare(String((b.value || {}).title || b.id)));
  const rows = sorted.map((d) => {
    const v = d.value || {};
    const del = el('button', { class: 'btn danger delete-dashboard', text: 'Delete' });
    del.onclick = async () => {
      if (!window.confirm(`Delete the dashboard "${v.title || d.id}"?`)) return;
      try { await deleteDoc('dashboards', d.id); await reload(); } catch (e) { ctx.onError(e); window.alert(`Delete failed: ${e.message}`); }
    };
    return el('tr', { 'data-id': d.id },
      el('td', {}, el('a', { class: 'open-dashboard', href: `#/dashboards/${encodeURIComponent(d.id)}`, text: v.title || d.id })),
      el('td', { text: String((v.panels || []).length) }),
      el('td', { text: updatedText(d.updated) }),
      el('td', { class: 'actions' }, del));
  });
  return el('table', { class: 'doc-list' },
    el('thead', {}, el('tr', {}, el('th', { text: 'Title' }), el('th', { text: 'Panels' }), el('th', { text: 'Updated' }), el('th', {}))),
    el('tbody', {}, ...rows));
}

// ---- one dashboard ------------------------------------------------------------------------

// The panel editor form; onSave(panel) gets {id, title, language, query, viz, unit}.
function panelEditor(panel, onSave, onCancel) {
  const p = panel || { id: newId().slice(0, 8), title: '', language: 'sql', query: '', viz: 'timeseries', unit: '' };
  const select = (name, values, cur) => el('select', { name }, ...values.map((v) => new Option(v, v, false, v === cur)));
  const msg = el('p', { class: 'msg', hidden: true });
  const form = el('form', { class: 'editor' },
    el('label', {}, 'Title', el('input', { name: 'title', value: p.title, placeholder: 'Panel title' })),
    el('label', {}, 'Language', select('language', LANGUAGES, p.language)),
    el('label', {}, 'Visualization', select('viz', VIZ, p.viz)),
    el('label', {}, 'Unit', el('input', { name: 'unit', value: p.unit || '', placeholder: 's, %, $, req/s …', list: 'unit-list' })),
    el('datalist', { id: 'unit-list' }, ...['s', '%', '$', 'req/s', 'tokens', 'tok/s', '/s'].map((u) => new Option(u))),
    el('label', { class: 'wide' }, 'Query', el('textarea', { name: 'query', class: 'code', spellcheck: 'false', placeholder: 'SELECT date_trunc(\'minute\', p_timestamp) AS t, avg(value) AS v FROM metrics WHERE name = \'…\' GROUP BY 1 ORDER BY 1' })),
    el('p', { class: 'hint wide', text: 'SQL time series: first column the time, then numeric columns (a text column splits them into one series per value). Gauges run 0–1 with unit %, else 0–100.' }),
    el('div', { class: 'row' }, msg, el('span', { class: 'spacer' }),
      el('button', { id: 'cancel-panel', type: 'button', class: 'btn', text: 'Cancel', onclick: onCancel }),
      el('button', { id: 'save-panel', type: 'submit', class: 'btn primary', text: panel ? 'Apply' : 'Add panel' })));
  form.elements.query.value = p.query;
  form.onsubmit = (ev) => {
    ev.preventDefault();
    const f = form.elements;
    const out = { id: p.id, title: f.title.value.trim() || 'Untitled panel', language: f.language.value, query: f.query.value.trim(), viz: f.viz.value, unit: f.unit.value.trim() };
    if (!out.query) { showMsg(msg, 'error', 'Write a query first.'); return; }
    onSave(out);
  };
  return form;
}

function download(name, obj) {
  const a = el('a', { href: URL.createObjectURL(new Blob([JSON.stringify(obj, null, 2) + '\n'], { type: 'application/json' })), download: name });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'dashboard';

async function renderDashboard(root, ctx, id) {
  const isNew = ctx.params.get('new') === '1';
  const wrap = el('div', { id: 'dashboard', class: 'dashboard', 'data-state': 'loading', 'data-id': id });
  wrap.append(el('p', { class: 'state loading', text: 'Loading…' }));
  root.append(wrap);
  let doc;
  if (isNew) {
    doc = { title: 'New dashboard', panels: [], version: 1 };
  } else {
    try { doc = validateDashboard(await getDoc('dashboards', id)); } catch (e) {
      ctx.onError(e);
      wrap.replaceChildren(el('p', { class: 'state error' }, `Cannot open the dashboard "${id}": ${e.message}. `, el('a', { href: '#/dashboards', text: 'All dashboards' })));
      wrap.dataset.state = 'error';
      return undefined;
    }
  }
  const view = dashboardView(wrap, ctx, id, doc, isNew);
  ctx.onRefresh((range) => view.run(range || resolveRange(ctx.from, ctx.to)));
  return view.destroy;
}

// The dashboard page once its document is loaded: toolbar, editor and the panel grid.
function dashboardView(wrap, ctx, id, doc, isNew) {
  const s = { doc, editing: isNew, dirty: isNew, views: [], range: ctx.range, run: 0 };
  const msg = el('p', { class: 'msg', hidden: true });
  const toolbar = el('div', { class: 'toolbar' });
  const editorSlot = el('div');
  const grid = el('div', { class: 'grid' });
  wrap.replaceChildren(toolbar, msg, editorSlot, grid);

  const touch = () => { s.dirty = true; drawToolbar(); };
  const openEditor = (panel) => {
    editorSlot.replaceChildren(panelEditor(panel, (p) => {
      const i = s.doc.panels.findIndex((x) => x.id === p.id);
      if (i >= 0) s.doc.panels[i] = p; else s.doc.panels.push(p);
      editorSlot.replaceChildren();
      touch();
      drawGrid();
    }, () => editorSlot.replaceChildren()));
    editorSlot.querySelector('[name=title]').focus();
  };
  const save = async () => {
    try {
      await putDoc('dashboards', id, { title: s.doc.title, panels: s.doc.panels, version: 1 });
    } catch (e) {
      ctx.onError(e);
      showMsg(msg, 'error', `Save failed: ${e.message}`);
      return;
    }
    s.dirty = false;
    showMsg(msg, 'ok', 'Saved.');
    if (isNew) { isNew = false; ctx.setParams({ new: '' }); return; }
    drawToolbar();
  };
  const remove = async () => {
    if (!window.confirm(`Delete the dashboard "${s.doc.title}"?`)) return;
    try { await deleteDoc('dashboards', id); ctx.navigate('#/dashboards'); } catch (e) { ctx.onError(e); showMsg(msg, 'error', `Delete failed: ${e.message}`); }
  };

  function drawToolbar() {
    const title = s.editing
      ? el('input', { id: 'dashboard-title', value: s.doc.title, 'aria-label': 'Dashboard title' })
      : el('h2', { text: s.doc.title });
    if (s.editing) title.oninput = () => { s.doc.title = title.value; if (!s.dirty) touch(); };
    toolbar.replaceChildren(
      el('a', { href: '#/dashboards', class: 'btn', text: '← Dashboards' }), title,
      el('span', { class: 'dirty', text: s.dirty ? 'unsaved changes' : '' }), el('span', { class: 'spacer' }),
      ...(s.editing ? [el('button', { id: 'add-panel', class: 'btn', text: '+ Add panel', onclick: () => openEditor(null) })] : []),
      el('button', { id: 'edit-dashboard', class: 'btn', text: s.editing ? 'Done' : 'Edit', onclick: () => { s.editing = !s.editing; drawToolbar(); drawGrid(); } }),
      el('button', { id: 'save-dashboard', class: 'btn primary', text: 'Save', disabled: !s.dirty, onclick: save }),
      el('button', { id: 'export-dashboard', class: 'btn', text: 'Export', onclick: () => download(`${slug(s.doc.title)}.json`, { title: s.doc.title, panels: s.doc.panels, version: 1 }) }),
      ...(isNew ? [] : [el('button', { id: 'delete-dashboard', class: 'btn danger', text: 'Delete', onclick: remove })]));
  }

  function panelActions(p) {
    if (!s.editing) return [];
    return [
      el('button', { type: 'button', class: 'edit-panel', text: 'edit', onclick: () => openEditor(p) }),
      el('button', { type: 'button', class: 'remove-panel', text: 'remove', onclick: () => {
        s.doc.panels = s.doc.panels.filter((x) => x.id !== p.id);
        touch();
        drawGrid();
      } }),
    ];
  }

  function drawGrid() {
    s.views.forEach((v) => v.view.destroy());
    grid.replaceChildren();
    if (s.doc.panels.length === 0) {
      grid.append(el('p', { class: 'state empty', text: s.editing ? 'No panels yet: "+ Add panel" to write the first query.' : 'No panels yet: click "Edit", then "+ Add panel".' }));
    }
    s.views = s.doc.panels.map((p) => ({
      p,
      view: createPanel(grid, { id: `${id}:${p.id}`, title: p.title, viz: p.viz, unit: p.unit, height: 190, actions: panelActions(p) }),
    }));
    run(s.range);
  }

  function run(range) {
    s.range = range;
    const runId = ++s.run;
    wrap.dataset.state = 'loading';
    const step = promStep(range);
    return Promise.all(s.views.map(({ p, view }) => {
      view.loading({ queries: [{ label: p.title, language: p.language, text: p.query }], language: p.language, start: range.start, end: range.end, step: p.language === 'promql' ? step : undefined });
      return runPanel(p, range)
        .then((data) => runId === s.run && view.show(data))
        .catch((e) => { if (runId === s.run) { ctx.onError(e); view.error(e); } });
    })).then(() => { if (runId === s.run) wrap.dataset.state = 'ok'; });
  }

  drawToolbar();
  drawGrid();
  return { run, destroy: () => { s.run++; s.views.forEach((v) => v.view.destroy()); } };
}

export async function render(root, ctx) {
  if (ctx.rest[0]) return renderDashboard(root, ctx, ctx.rest[0]);
  return renderList(root, ctx);
}
