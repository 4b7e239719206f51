// #/trace/<32 hex>?span=<spanId>: one trace as a waterfall.
// DOM contract: section[data-panel="trace"][data-state] holds .waterfall with one
// .span-row[data-span-id] per span (children under parents, by start time; .selected on the open
// one) and #span-detail (every field of the open span). vLLM llm_request spans carry a
// .phase-bar with .phase-queue / .phase-prefill / .phase-decode (data-seconds) in the row and in
// the detail pane. Registry: panel "trace" {state, value: span count, series: [], traceId}.

import '../explore.css';
import * as api from '../api.js';
import { registry } from '../registry.js';
import { fmtDurationNs, fmtNumber, fmtTime } from '../time.js';
import { h, stateMessage } from '../dom.js';

const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'];
const PHASES = [['queue', 'Queue'], ['prefill', 'Prefill'], ['decode', 'Decode']];
const SERVICE_COLORS = ['#3b82f6', '#64748b', '#0ea5e9', '#ec4899', '#6366f1', '#84cc16', '#14b8a6', '#a16207']; // none like a phase color

const ns = (v) => Number(v);
const isError = (s) => s.status && Number(s.status.code) === 2;

// The queue / prefill / decode split of a vLLM request span (seconds), or null when the span
// has none of vLLM's latency attributes. Prefill falls back to TTFT − queue, decode to
// e2e − TTFT when vLLM did not set them.
export function llmPhases(span) {
  const a = span.attributes || {};
  const num = (k) => (a[k] === undefined || a[k] === null || a[k] === '' ? null : Number(a[k]));
  const queue = num('gen_ai.latency.time_in_queue');
  const ttft = num('gen_ai.latency.time_to_first_token');
  const e2e = num('gen_ai.latency.e2e');
  let prefill = num('gen_ai.latency.time_in_model_prefill');
  if (prefill === null && ttft !== null) prefill = Math.max(0, ttft - (queue || 0));
  let decode = num('gen_ai.latency.time_in_model_decode');
  if (decode === null && ttft !== null && e2e !== null) decode = Math.max(0, e2e - ttft);
  if (queue === null && prefill === null && decode === null) return null;
  return { queue: queue || 0, prefill: prefill || 0, decode: decode || 0, e2e };
}

function phaseBar(phases) {
  const total = Math.max(phases.queue + phases.prefill + phases.decode, phases.e2e || 0) || 1;
  return h('div', { class: 'phase-bar' }, PHASES.map(([k, label]) => h('div', {
    class: `phase-${k}`, 'data-seconds': String(phases[k]),
    style: `width:${(100 * phases[k]) / total}%`, title: `${label} ${fmtNumber(phases[k], 's')}`,
  })));
}

// Spans in display order: depth-first from the roots (spans whose parent is not in the trace),
// siblings by start time. → [{span, depth, hasChildren}]
export function flattenTree(spans) {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map();
  const roots = [];
  for (const s of spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId) && s.parentSpanId !== s.spanId) {
      if (!children.has(s.parentSpanId)) children.set(s.parentSpanId, []);
      children.get(s.parentSpanId).push(s);
    } else {
      roots.push(s);
    }
  }
  const byStart = (a, b) => ns(a.startTimeUnixNano) - ns(b.startTimeUnixNano);
  const out = [];
  const visit = (s, depth) => {
    const kids = (children.get(s.spanId) || []).sort(byStart);
    out.push({ span: s, depth, hasChildren: kids.length > 0 });
    kids.forEach((k) => visit(k, depth + 1));
  };
  roots.sort(byStart).forEach((r) => visit(r, 0));
  return out;
}

function ruler(t0, total) {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => h('span', { class: 'tick', style: `left:${f * 100}%` }, fmtDurationNs(total * f)));
  return h('div', { class: 'wf-ruler' }, h('div', { class: 'wf-label' }, 'Service · span'), h('div', { class: 'wf-track' }, ticks));
}

function spanRow(item, t0, total, serviceColor, onSelect) {
  const s = item.span;
  const start = ns(s.startTimeUnixNano) - t0;
  const dur = ns(s.durationNano);
  const phases = llmPhases(s);
  const bar = h('div', {
    class: `wf-bar${isError(s) ? ' error' : ''}`,
    style: `left:${(100 * start) / total}%;width:${Math.max((100 * dur) / total, 0.2)}%;background:${serviceColor(s.serviceName)}`,
  }, phases ? phaseBar(phases) : '');
  const left = (100 * start) / total;
  const right = (100 * (start + dur)) / total;
  // the duration goes after the bar, else before it, else inside its right end
  const place = right < 75 ? `left:${right}%` : left > 25 ? `right:${100 - left}%` : `right:${100 - right}%`;
  const durText = h('span', { class: `wf-dur${right >= 75 && left <= 25 ? ' inside' : ''}`, style: place }, fmtDurationNs(dur));
  const phaseText = phases ? h('span', { class: 'wf-phases', style: left < 50 ? `left:${left}%` : `right:${100 - right}%` },
    PHASES.map(([k, label]) => h('span', {}, h('span', { class: `swatch phase-${k}` }), `${label.toLowerCase()} ${fmtNumber(phases[k], 's')}`))) : '';
  const row = h('div', { class: `span-row${isError(s) ? ' error' : ''}${phases ? ' has-phases' : ''}`, 'data-span-id': s.spanId, tabIndex: 0 },
    h('div', { class: 'wf-label', style: `padding-left:${8 + item.depth * 14}px`, title: `${s.serviceName} · ${s.name}` },
      h('span', { class: 'svc-dot', style: `background:${serviceColor(s.serviceName)}` }),
      h('span', { class: 'svc' }, s.serviceName), ' ', h('span', { class: 'name' }, s.name),
      isError(s) ? h('span', { class: 'badge error' }, 'error') : ''),
    h('div', { class: 'wf-track' }, bar, durText, phaseText));
  row.onclick = () => onSelect(s.spanId);
  row.onkeydown = (e) => { if (e.key === 'Enter') onSelect(s.spanId); };
  return row;
}

// A key/value table; keys sorted unless `ordered` (the object's own order).
function kvTable(obj, ordered = false) {
  const keys = ordered ? Object.keys(obj || {}) : Object.keys(obj || {}).sort();
  if (!keys.length) return h('p', { class: 'muted small' }, 'none');
  return h('table', { class: 'kv' }, h('tbody', {}, keys.map((k) => h('tr', {},
    h('th', {}, k), h('td', {}, typeof obj[k] === 'object' ? JSON.stringify(obj[k]) : String(obj[k]))))));
}

function section(title, ...content) {
  return h('section', { class: 'detail-section' }, h('h4', {}, title), ...content);
}

function phaseLegend(phases) {
  const total = phases.queue + phases.prefill + phases.decode || 1;
  return h('div', { class: 'phase-legend' }, PHASES.map(([k, label]) => h('span', { class: 'item' },
    h('span', { class: `swatch phase-${k}` }), `${label} `, h('b', {}, fmtNumber(phases[k], 's')),
    h('span', { class: 'muted' }, ` ${((100 * phases[k]) / total).toFixed(0)}%`))));
}

function detailPane(s, t0, onClose) {
  const phases = llmPhases(s);
  const status = s.status || {};
  const facts = {
    'span id': s.spanId, 'parent span id': s.parentSpanId || '(root)', 'trace id': s.traceId,
    kind: KINDS[Number(s.kind)] || String(s.kind), service: s.serviceName,
    start: `${fmtTime(ns(s.startTimeUnixNano) / 1e9, true)} (+${fmtDurationNs(ns(s.startTimeUnixNano) - t0)})`,
    duration: fmtDurationNs(ns(s.durationNano)),
    status: `${STATUS[Number(status.code)] || status.code}${status.message ? ': ' + status.message : ''}`,
  };
  const events = (s.events || []).map((e) => h('div', { class: 'event' },
    h('div', {}, h('b', {}, e.name), h('span', { class: 'muted' }, ` +${fmtDurationNs(ns(e.timeUnixNano) - ns(s.startTimeUnixNano))}`)),
    kvTable(e.attributes)));
  const links = (s.links || []).map((l) => h('div', { class: 'event' },
    h('a', { class: 'mono', href: `#/trace/${l.traceId}?span=${l.spanId}` }, `${l.traceId} / ${l.spanId}`), kvTable(l.attributes)));
  return [
    h('div', { class: 'detail-head' }, h('div', {}, h('div', { class: 'muted small' }, s.serviceName), h('h3', {}, s.name)),
      h('button', { class: 'close', title: 'Close', onclick: onClose }, '×')),
    phases ? section('vLLM request phases', phaseBar(phases), phaseLegend(phases)) : '',
    section('Span', kvTable(facts, true)),
    section('Attributes', kvTable(s.attributes)),
    section('Resource', kvTable(s.resource)),
    section('Scope', kvTable({ name: (s.scope && s.scope.name) || '', version: (s.scope && s.scope.version) || '' })),
    section(`Events (${events.length})`, events.length ? events : h('p', { class: 'muted small' }, 'none')),
    section(`Links (${links.length})`, links.length ? links : h('p', { class: 'muted small' }, 'none')),
  ];
}

function traceHeader(id, spans, t0, total, serviceColor) {
  const root = spans.find((s) => !s.parentSpanId) || spans[0];
  const services = [...new Set(spans.map((s) => s.serviceName))];
  const errors = spans.filter(isError).length;
  const anyPhases = spans.some((s) => llmPhases(s));
  return h('div', { class: 'trace-head' },
    h('div', {}, h('h2', {}, root.name, ' ', h('span', { class: 'muted mono small' }, id)),
      h('div', { class: 'facts' },
        h('span', {}, fmtTime(t0 / 1e9, true)), h('span', {}, `duration ${fmtDurationNs(total)}`),
        h('span', {}, `${spans.length} spans`), errors ? h('span', { class: 'badge error' }, `${errors} error${errors === 1 ? '' : 's'}`) : '',
        services.map((n) => h('span', { class: 'svc-chip' }, h('span', { class: 'svc-dot', style: `background:${serviceColor(n)}` }), n)),
        anyPhases ? h('span', { class: 'phase-key' }, PHASES.map(([k, l]) => h('span', {}, h('span', { class: `swatch phase-${k}` }), l))) : '')),
    h('a', { href: `#/traces?service=${encodeURIComponent(root.serviceName)}` }, '← span search'));
}

export async function render(root, ctx) {
  const id = (ctx.rest[0] || '').toLowerCase();
  const panel = h('section', { class: 'explore trace-page', 'data-panel': 'trace', 'data-state': 'loading' },
    stateMessage('loading', `Loading trace ${id}…`));
  root.replaceChildren(panel);
  registry.set('trace', { title: 'Trace', state: 'loading', traceId: id, value: 0, series: [] });
  const fail = (state, text, error = '') => {
    panel.dataset.state = state;
    registry.set('trace', { state, error, value: 0, series: [] });
    panel.replaceChildren(stateMessage(state, text));
  };
  if (!id) return fail('error', 'No trace id: open a trace from the span search (#/traces).', 'no trace id');

  let data;
  try {
    data = await api.trace(id);
  } catch (e) {
    ctx.onError(e);
    if (e.status === 404) return fail('empty', `Trace ${id} was not found: it may be older than the retention, or its spans have not arrived yet.`, e.message);
    return fail('error', `Could not load trace ${id}: ${e.message}`, e.message);
  }
  const spans = (data && data.spans) || [];
  if (!spans.length) return fail('empty', `Trace ${id} has no spans.`);

  const t0 = Math.min(...spans.map((s) => ns(s.startTimeUnixNano)));
  const t1 = Math.max(...spans.map((s) => ns(s.endTimeUnixNano)));
  const total = Math.max(t1 - t0, 1);
  const services = [...new Set(spans.map((s) => s.serviceName))].sort();
  const serviceColor = (n) => SERVICE_COLORS[services.indexOf(n) % SERVICE_COLORS.length];

  const detail = h('aside', { id: 'span-detail', hidden: true });
  const rows = flattenTree(spans).map((item) => spanRow(item, t0, total, serviceColor, select));
  const waterfall = h('div', { class: 'waterfall' }, ruler(t0, total), rows);

  function select(spanId) {
    const span = spans.find((s) => s.spanId === spanId);
    rows.forEach((r) => r.classList.toggle('selected', r.dataset.spanId === spanId));
    detail.hidden = !span;
    detail.dataset.spanId = span ? spanId : '';
    if (span) detail.replaceChildren(...detailPane(span, t0, () => select('')));
    const params = new URLSearchParams(ctx.params);
    if (spanId) params.set('span', spanId); else params.delete('span');
    const q = params.toString();
    history.replaceState(null, '', `#/trace/${id}${q ? '?' + q : ''}`);
  }

  panel.replaceChildren(traceHeader(id, spans, t0, total, serviceColor), h('div', { class: 'trace-layout' }, waterfall, detail));
  panel.dataset.state = 'ok';
  registry.set('trace', { state: 'ok', value: spans.length, series: [], services, durationSec: total / 1e9 });
  const wanted = ctx.params.get('span');
  if (wanted && spans.some((s) => s.spanId === wanted)) {
    select(wanted);
    rows.find((r) => r.dataset.spanId === wanted).scrollIntoView({ block: 'nearest' });
  }
  return null;
}
