// The built-in vLLM dashboard, defined by dashboards/vllm.json; its queries and time buckets
// come from dashboards/queries.js, and points are plotted and registered at their bucket's start.
//
// DOM: #vllm[data-state="loading|ok|empty|error"]; filters are select[name=model_name],
// select[name=instance], select[name=engine] ("" = All), kept in the URL; panels as panel.js
// (registry id = the panel id of vllm.json).

import '../dashboards.css';
import def from '../dashboards/vllm.json';
import { promRange, promInstant, labelValues, uiConfig } from '../api.js';
import { resolveRange } from '../time.js';
import { placeholders, substitute, promql, buckets } from '../dashboards/queries.js';
import { createPanel } from '../panel.js';
import { hashFor } from '../main.js';

const DEFAULT_RATE = { default: 2.21, models: {} };

// A range result as [{metric, points}] with points at bucket starts, NaN/±Inf dropped.
function toBuckets(result, step) {
  return result.map((r) => ({
    metric: r.metric || {},
    points: r.values
      .map(([t, v]) => [Math.round(Number(t) + 0.001) - step, Number(v)])
      .filter(([, v]) => Number.isFinite(v)),
  }));
}

const fillName = (tpl, metric) => tpl.replace(/\{\{(\w+)\}\}/g, (_, k) => metric[k] ?? '');

function labelText(metric) {
  const parts = Object.entries(metric).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `{${parts.join(', ')}}` : '';
}

// One target's series over the buckets.
async function targetSeries(target, vars, b) {
  const q = promql(target.promql, vars);
  const res = toBuckets(await promRange(q, b.first + b.step - 0.001, b.last + b.step - 0.001, b.step), b.step);
  if (target.by) return res.map((r) => ({ name: fillName(target.name, r.metric), points: r.points }));
  const series = res.map((r) => ({ name: res.length > 1 ? `${target.name} ${labelText(r.metric)}` : target.name, points: r.points }));
  return series;
}

// cost_inputs evaluated per model: {engines, requests, tokens}: Map(model → Map(b → v)).
async function costInputs(vars, b) {
  const out = {};
  await Promise.all(Object.entries(def.cost_inputs).map(async ([key, text]) => {
    const res = toBuckets(await promRange(promql(text, vars), b.first + b.step - 0.001, b.last + b.step - 0.001, b.step), b.step);
    out[key] = new Map(res.map((r) => [r.metric.model_name ?? '', new Map(r.points)]));
  }));
  return out;
}

// Cost per request (kind "request") or per 1M tokens ("tokens"), per model and bucket:
// rate(model) × engines × step / 3600 / divisor, skipping buckets without a divisor.
function costSeries(kind, inputs, rates, step, nameTpl) {
  const divisors = kind === 'request' ? inputs.requests : inputs.tokens;
  const scale = kind === 'request' ? 1 : 1e6;
  const series = [];
  for (const [model, engines] of inputs.engines) {
    const rate = Number((rates.models || {})[model] ?? rates.default);
    const div = divisors.get(model) || new Map();
    const points = [];
    for (const [t, e] of engines) {
      const d = div.get(t);
      if (d) points.push([t, (rate * e * step / 3600 / d) * scale]);
    }
    points.sort((x, y) => x[0] - y[0]);
    series.push({ name: fillName(nameTpl, { model_name: model }), points });
  }
  return series;
}

function costFormula(kind, rates) {
  const per = Object.entries(rates.models || {}).map(([m, r]) => `${m}: $${r}/h`).join(', ');
  const rateText = `rate(model) = ${per ? per + ', ' : ''}others: $${rates.default}/h`;
  return kind === 'request'
    ? `cost per request = rate(model) × engines × step / 3600 / requests\n${rateText}`
    : `cost per 1M tokens = rate(model) × engines × step / 3600 / tokens × 1e6\n${rateText}`;
}

// The queries a panel shows in its "query" toggle.
function panelQueries(p, vars, rates) {
  const out = [];
  if (p.cost) {
    for (const [key, text] of Object.entries(def.cost_inputs)) out.push({ label: key, language: 'promql', text: promql(text, vars) });
    out.push({ label: 'formula', language: 'text', text: costFormula(p.cost, rates) });
  }
  for (const t of p.targets) {
    if (t.promql) out.push({ label: t.name, language: 'promql', text: promql(t.promql, vars) });
    if (t.sql) out.push({ label: `${t.name} (SQL)`, language: 'sql', text: substitute(t.sql, vars) });
  }
  return out;
}

function filterBar(ctx, values) {
  const bar = document.createElement('div');
  bar.className = 'filters';
  def.filters.forEach((f, i) => {
    const label = document.createElement('label');
    label.textContent = f.title;
    const sel = document.createElement('select');
    sel.name = f.label;
    sel.id = `filter-${f.label}`;
    const cur = ctx.params.get(f.label) || '';
    sel.add(new Option('All', '', false, cur === ''));
    const opts = [...values[i]];
    if (cur && !opts.includes(cur)) opts.push(cur);
    for (const v of opts) sel.add(new Option(v, v, false, v === cur));
    sel.onchange = () => ctx.setParams({ [f.label]: sel.value });
    label.append(sel);
    bar.append(label);
  });
  return bar;
}

function emptyState() {
  const div = document.createElement('div');
  div.className = 'state empty onboarding';
  div.innerHTML = `<h3>No vLLM metrics yet</h3>
    <p>This store holds no <code>vllm:*</code> series. Scrape vLLM's <code>/metrics</code> with a
    <code>prometheus</code> receiver in the serve config (<code>infermetry serve --config FILE</code>), for example:</p>
    <pre>receivers:
  prometheus:
    config:
      scrape_configs:
        - job_name: vllm
          scrape_interval: 5s
          static_configs:
            - targets: ['vllm-host:8000']
exporters:
  store:
service:
  pipelines:
    metrics:
      receivers: [prometheus]
      exporters: [store]</pre>
    <p>or run <code>infermetry demo</code> to see this dashboard with emulated vLLM traffic.</p>`;
  return div;
}

async function loadRates(note) {
  try {
    const cfg = await uiConfig();
    if (cfg && cfg.gpu_hourly_cost && cfg.gpu_hourly_cost.default != null) return cfg.gpu_hourly_cost;
    throw new Error('no gpu_hourly_cost in /api/v1/ui/config');
  } catch (e) {
    note.hidden = false;
    note.textContent = `Using the default GPU rate $${DEFAULT_RATE.default}/h (the server's UI config is not available: ${e.message}).`;
    return DEFAULT_RATE;
  }
}

export async function render(root, ctx) {
  const page = document.createElement('div');
  page.id = 'vllm';
  page.className = 'dashboard';
  page.dataset.state = 'loading';
  const head = document.createElement('div');
  head.className = 'dash-head';
  const title = document.createElement('h2');
  title.textContent = `${def.title} dashboard`;
  title.title = def.description;
  const note = document.createElement('p');
  note.className = 'note rate-note';
  note.hidden = true;
  const headMain = document.createElement('div');
  headMain.className = 'dash-head-main';
  headMain.append(title, note);
  head.append(headMain);
  page.append(head);
  const loading = document.createElement('p');
  loading.className = 'state loading';
  loading.textContent = 'Loading…';
  page.append(loading);
  root.append(page);

  let values;
  let rates;
  try {
    [values, rates] = await Promise.all([
      Promise.all(def.filters.map((f) => labelValues(f.label, def.filter_match))),
      loadRates(note),
    ]);
  } catch (e) {
    ctx.onError(e);
    loading.className = 'state error';
    loading.textContent = `Cannot read the vLLM series: ${e.message}`;
    page.dataset.state = 'error';
    return undefined;
  }
  loading.remove();
  if (values.every((v) => !v || v.length === 0)) {
    page.append(emptyState());
    page.dataset.state = 'empty';
    return undefined;
  }
  title.after(filterBar(ctx, values));
  const top = document.createElement('div');
  top.className = 'dash-top';
  head.append(top);
  const grid = document.createElement('div');
  grid.className = 'grid';
  page.append(grid);

  let b = buckets(ctx.range);
  const openTraces = (t) => ctx.navigate(hashFor('traces', { name: 'llm_request', order: 'duration', from: t, to: t + b.step }));
  const panels = def.panels.map((p) => ({
    def: p,
    view: createPanel(p.viz === 'gauge' ? top : grid, {
      id: p.id, title: p.title, help: p.help, viz: p.viz, unit: p.unit,
      height: p.viz === 'gauge' ? undefined : 190,
      onPointClick: p.traces ? openTraces : undefined,
    }),
  }));
  const filters = Object.fromEntries(def.filters.map((f) => [f.label, ctx.params.get(f.label) || '']));

  let run = 0;
  const refresh = async (range) => {
    const id = ++run;
    b = buckets(range);
    const vars = placeholders(filters, b.step, rates);
    const meta = { step: b.step, start: b.first, end: b.last + b.step };
    const current = () => id === run;
    let costs = null;
    const getCosts = () => (costs = costs || costInputs(vars, b));
    await Promise.all(panels.map(({ def: p, view }) => {
      view.loading({ ...meta, language: 'promql', queries: panelQueries(p, vars, rates) });
      if (b.last < b.first) { view.empty('The time range is shorter than one step; pick a longer range.'); return null; }
      return runPanel(p, vars, b, rates, getCosts)
        .then((data) => current() && view.show(data))
        .catch((e) => { if (current()) { ctx.onError(e); view.error(e); } });
    }));
    if (current()) page.dataset.state = 'ok';
  };
  ctx.onRefresh((range) => refresh(range || resolveRange(ctx.from, ctx.to)));
  refresh(ctx.range);
  return () => { run++; panels.forEach(({ view }) => view.destroy()); };
}

// The data one panel shows (renderViz's shape).
async function runPanel(p, vars, b, rates, getCosts) {
  if (p.cost) return { series: costSeries(p.cost, await getCosts(), rates, b.step, p.targets[0].name) };
  if (p.instant) {
    const t = p.targets[0];
    const res = await promInstant(promql(t.promql, vars), b.last + b.step - 0.001);
    const v = res.result && res.result[0] ? Number(res.result[0].value[1]) : null;
    const value = Number.isFinite(v) ? v : null;
    return { value, max: p.unit === '%' ? 1 : undefined, series: value == null ? [] : [{ name: t.name, points: [[b.last, value]] }] };
  }
  const all = await Promise.all(p.targets.map((t) => targetSeries(t, vars, b)));
  return { series: all.flat() };
}
