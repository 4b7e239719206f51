// #/traces: span search. Every field lives in the URL (service, name, min_duration,
// max_duration, status = ok|error, attrs = "k=v k2=v2", order = duration, limit; the time range
// from/to of the shell), so a link such as
//   #/traces?name=llm_request&order=duration&from=<s>&to=<s>
// opens the same search. Results: a duration scatter plot and a table, registered as panel
// "trace-results" {state, series: [{name: 'duration', points: [[startSec, durationSec]]}], count}.

import '../explore.css';
import * as api from '../api.js';
import { registry } from '../registry.js';
import { resolveRange, fmtTime, fmtNumber } from '../time.js';
import { renderScatter } from '../scatter.js';
import { createTable } from '../table.js';
import { h, stateMessage } from '../dom.js';

const NAMES_KEY = 'infermetry.spanNames';
const DEFAULT_LIMIT = '200';
const EMPTY_TEXT = 'No spans in this range: send OTLP traces to :4317/:4318 (vLLM: --otlp-traces-endpoint) or widen the range';

// "k=v k2=v2" or "k=v, k2=v2" → [[k, v], ...]; a pair without "=" is an error the user sees.
export function parseAttrs(text) {
  return String(text || '').split(/[\s,]+/).filter(Boolean).map((pair) => {
    const i = pair.indexOf('=');
    if (i <= 0) throw new Error(`attribute filter "${pair}": want key=value`);
    return [pair.slice(0, i), pair.slice(i + 1)];
  });
}

function rememberNames(names) {
  const seen = new Set(JSON.parse(localStorage.getItem(NAMES_KEY) || '[]'));
  names.forEach((n) => seen.add(n));
  const list = [...seen].sort().slice(0, 200);
  localStorage.setItem(NAMES_KEY, JSON.stringify(list));
  return list;
}

function toPoint(span) {
  return {
    span,
    t: Number(span.startTimeUnixNano) / 1e9,
    d: Number(span.durationNano) / 1e9,
    error: span.status && Number(span.status.code) === 2,
    label: `${span.serviceName} · ${span.name}`,
  };
}

// Runs the search. status "ok" means "not an error": the API's ok (1) and unset (0) merged.
async function searchSpans(p, range) {
  const limit = Number(p.get('limit') || DEFAULT_LIMIT);
  const q = {
    service: p.get('service') || '', name: p.get('name') || '',
    min_duration: p.get('min_duration') || '', max_duration: p.get('max_duration') || '',
    start: Math.floor(range.start), end: Math.ceil(range.end), limit, order: p.get('order') || '',
  };
  for (const [k, v] of parseAttrs(p.get('attrs'))) q[`attr.${k}`] = v;
  const status = p.get('status') || '';
  const lists = status === 'ok'
    ? await Promise.all([api.spans({ ...q, status: 'ok' }), api.spans({ ...q, status: 'unset' })])
    : [await api.spans(status ? { ...q, status } : q)];
  const points = lists.flat().map(toPoint);
  points.sort(q.order === 'duration' ? (a, b) => b.d - a.d : (a, b) => b.t - a.t);
  return { points: points.slice(0, limit), limit };
}

function field(label, input) {
  return h('label', { class: 'field' }, h('span', {}, label), input);
}

function searchForm(ctx) {
  const p = ctx.params;
  const service = h('select', { name: 'service' }, new Option('any service', ''));
  const names = h('datalist', { id: 'span-names' });
  const input = (name, placeholder, size) => h('input', { name, placeholder, size, value: p.get(name) || '' });
  const status = h('select', { name: 'status' }, ...[['', 'any'], ['ok', 'ok (not error)'], ['error', 'error']]
    .map(([v, l]) => new Option(l, v, false, (p.get('status') || '') === v)));
  const order = h('select', { name: 'order' }, ...[['', 'newest first'], ['duration', 'slowest first']]
    .map(([v, l]) => new Option(l, v, false, (p.get('order') || '') === v)));
  const limit = h('select', { name: 'limit' }, ...['50', '200', '500', '1000', '5000']
    .map((v) => new Option(v, v, false, (p.get('limit') || DEFAULT_LIMIT) === v)));
  const nameInput = h('input', { name: 'name', placeholder: 'e.g. llm_request', size: 18, value: p.get('name') || '' });
  nameInput.setAttribute('list', 'span-names');
  const form = h('form', { class: 'search-form', id: 'trace-search' },
    field('Service', service), field('Span name', nameInput), names,
    field('Min duration', input('min_duration', '250ms', 7)), field('Max duration', input('max_duration', '10s', 7)),
    field('Status', status), field('Attributes', input('attrs', 'key=value key2=value2', 24)),
    field('Order', order), field('Limit', limit),
    h('button', { type: 'submit', class: 'primary' }, 'Search'));
  form.onsubmit = (e) => {
    e.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    if (values.limit === DEFAULT_LIMIT) values.limit = '';
    ctx.setParams(values);
  };
  api.services().then((list) => {
    for (const s of list) service.add(new Option(s, s, false, s === p.get('service')));
    if (p.get('service') && !list.includes(p.get('service'))) service.add(new Option(p.get('service'), p.get('service'), false, true));
  }, (e) => { ctx.onError(e); service.title = `Services unavailable: ${e.message}`; });
  const fillNames = (list) => names.replaceChildren(...list.map((n) => h('option', { value: n })));
  fillNames(JSON.parse(localStorage.getItem(NAMES_KEY) || '[]'));
  return { form, fillNames };
}

function resultsTable(points, range, ctx) {
  const withDate = range.end - range.start > 86400;
  const traceHash = (s) => `#/trace/${s.traceId}?span=${s.spanId}`;
  return createTable({
    rows: points,
    initialSort: ctx.params.get('order') === 'duration' ? { index: 3, desc: true } : { index: 0, desc: true },
    columns: [
      { label: 'Start', value: (p) => p.t, render: (p) => fmtTime(p.t, withDate) },
      { label: 'Service', value: (p) => p.span.serviceName },
      { label: 'Span name', value: (p) => p.span.name, render: (p) => h('a', { href: traceHash(p.span) }, p.span.name) },
      { label: 'Duration', numeric: true, value: (p) => p.d, render: (p) => fmtNumber(p.d, 's') },
      {
        label: 'Status', value: (p) => (p.error ? 'error' : 'ok'),
        render: (p) => h('span', { class: `badge ${p.error ? 'error' : 'ok'}`, title: (p.span.status && p.span.status.message) || '' }, p.error ? 'error' : 'ok'),
      },
      { label: 'Trace ID', value: (p) => p.span.traceId, render: (p) => h('a', { class: 'mono', href: traceHash(p.span) }, p.span.traceId) },
    ],
  });
}

export async function render(root, ctx) {
  const { form, fillNames } = searchForm(ctx);
  const head = h('div', { class: 'panel-head' });
  const body = h('div', { class: 'panel-body' });
  const panel = h('section', { class: 'panel', 'data-panel': 'trace-results', 'data-state': 'loading' }, head, body);
  root.replaceChildren(h('div', { class: 'explore' }, form, panel));
  let chart = null;
  let seq = 0;

  const show = (state, ...nodes) => {
    panel.dataset.state = state;
    if (chart) { chart.destroy(); chart = null; }
    body.replaceChildren(...nodes);
  };

  async function load(range) {
    const my = ++seq;
    head.textContent = 'Spans';
    registry.set('trace-results', { title: 'Spans', state: 'loading', start: range.start, end: range.end });
    if (!body.childElementCount) show('loading', stateMessage('loading', 'Searching spans…'));
    else panel.dataset.state = 'loading';
    let res;
    try {
      res = await searchSpans(ctx.params, range);
    } catch (e) {
      if (my !== seq) return;
      ctx.onError(e);
      registry.set('trace-results', { state: 'error', error: e.message, series: [], count: 0 });
      show('error', stateMessage('error', `Span search failed: ${e.message}`));
      return;
    }
    if (my !== seq) return;
    const { points, limit } = res;
    registry.set('trace-results', {
      state: points.length ? 'ok' : 'empty', error: '', count: points.length,
      series: [{ name: 'duration', points: points.map((p) => [p.t, p.d]) }],
    });
    fillNames(rememberNames(points.map((p) => p.span.name)));
    if (!points.length) { show('empty', stateMessage('empty', EMPTY_TEXT)); return; }
    const errors = points.filter((p) => p.error).length;
    head.replaceChildren(h('b', {}, `${points.length} spans`), errors ? h('span', { class: 'badge error' }, `${errors} error${errors === 1 ? '' : 's'}`) : '',
      points.length >= limit ? h('span', { class: 'muted' }, `showing the first ${limit}: narrow the search or raise the limit`) : '');
    const plot = h('div', { class: 'scatter' });
    const wrap = h('div', { class: 'table-wrap' }, resultsTable(points, range, ctx));
    show('ok', plot, wrap);
    // x spans the searched range, except when only the newest `limit` spans came back: then
    // it starts at the oldest of them so they do not huddle at the right edge
    const truncated = points.length >= limit && ctx.params.get('order') !== 'duration';
    const oldest = Math.min(...points.map((p) => p.t));
    chart = renderScatter(plot, points, {
      xRange: [truncated ? Math.min(oldest, range.end - 1) : range.start, range.end],
      onClick: (p) => ctx.navigate(`#/trace/${p.span.traceId}?span=${p.span.spanId}`),
      onSelect: (s, e) => ctx.setParams({ from: Math.floor(s), to: Math.ceil(e) }),
    });
  }

  ctx.onRefresh(() => {
    try { load(resolveRange(ctx.from, ctx.to)); } catch { /* the shell shows a bad range */ }
  });
  load(ctx.range);
  return () => { seq++; if (chart) chart.destroy(); };
}
