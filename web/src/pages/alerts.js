// #/alerts: active alerts and the rule groups the server evaluates.
// DOM contract: section[data-panel="alerts"][data-state] lists active alerts as
// tr.alert-row[data-state="pending|firing"]; #rule-groups[data-state] holds one
// .rule-group[data-group] per group with tr.rule-row[data-rule][data-state][data-health].
// Registry: panel "alerts" {state, value: firing alerts, pending, rules}.

import '../explore.css';
import * as api from '../api.js';
import { registry } from '../registry.js';
import { fmtNumber, fmtTime } from '../time.js';
import { h, stateMessage } from '../dom.js';

// Seconds → "90s" / "2m" / "1h30m".
function fmtSeconds(sec) {
  const s = Number(sec) || 0;
  if (s === 0) return '0s';
  if (s < 60 || s % 60) return `${s}s`;
  const m = s / 60;
  if (m < 60 || m % 60 === 0) return m < 60 ? `${m}m` : `${m / 60}h`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}

function ago(iso) {
  const t = Date.parse(iso);
  if (Number.isNaN(t) || t <= 0) return '';
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  const rel = s < 90 ? `${s}s` : s < 5400 ? `${Math.round(s / 60)}m` : `${(s / 3600).toFixed(1)}h`;
  return `${fmtTime(t / 1000, true)} (${rel} ago)`;
}

function chips(obj, skip = []) {
  return h('span', { class: 'chips' }, Object.entries(obj || {}).filter(([k]) => !skip.includes(k))
    .map(([k, v]) => h('span', { class: 'chip' }, `${k}=${v}`)));
}

function annotationList(obj) {
  const entries = Object.entries(obj || {});
  if (!entries.length) return '';
  return h('dl', { class: 'annotations' }, entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// The alert's value as Prometheus sends it (a string such as "1.23e+01") → "12.3".
function fmtValue(v) {
  const n = Number(v);
  return v === undefined || v === null || v === '' || Number.isNaN(n) ? String(v ?? '') : fmtNumber(n);
}

const badge = (state) => h('span', { class: `badge ${state}` }, state);

function alertsTable(list) {
  const order = { firing: 0, pending: 1 };
  const sorted = [...list].sort((a, b) => (order[a.state] ?? 2) - (order[b.state] ?? 2) || String(a.activeAt).localeCompare(String(b.activeAt)));
  return h('table', { class: 'results alerts' },
    h('thead', {}, h('tr', {}, ['State', 'Alert', 'Labels', 'Active since', 'Value', 'Annotations'].map((t) => h('th', {}, t)))),
    h('tbody', {}, sorted.map((a) => h('tr', { class: 'alert-row', 'data-state': a.state },
      h('td', {}, badge(a.state)), h('td', {}, h('b', {}, (a.labels || {}).alertname || '')),
      h('td', {}, chips(a.labels, ['alertname'])), h('td', { class: 'nowrap' }, ago(a.activeAt)),
      h('td', { class: 'num', title: String(a.value ?? '') }, fmtValue(a.value)), h('td', {}, annotationList(a.annotations))))));
}

function ruleRow(r) {
  const alerting = r.type !== 'recording';
  const state = alerting ? (r.state || 'inactive') : 'recording';
  return h('tr', { class: 'rule-row', 'data-rule': r.name, 'data-state': state, 'data-health': r.health || 'unknown' },
    h('td', {}, h('b', {}, r.name), h('div', { class: 'muted small' }, alerting ? `alert · for ${fmtSeconds(r.duration)}` : 'recording rule'),
      alerting && r.alerts && r.alerts.length ? h('div', { class: 'muted small' }, `${r.alerts.length} active`) : ''),
    h('td', {}, badge(state), ' ', h('span', { class: `badge health-${r.health || 'unknown'}` }, r.health || 'unknown')),
    h('td', {}, h('pre', { class: 'rule-query' }, r.query),
      r.lastError ? h('pre', { class: 'sql-error' }, r.lastError) : ''),
    h('td', {}, chips(r.labels), annotationList(r.annotations)),
    h('td', { class: 'nowrap small' }, r.lastEvaluation ? ago(r.lastEvaluation) : 'not yet',
      r.evaluationTime !== undefined ? h('div', { class: 'muted' }, `took ${(Number(r.evaluationTime) * 1000).toFixed(1)} ms`) : ''));
}

function ruleGroup(g) {
  return h('div', { class: 'rule-group', 'data-group': g.name },
    h('h3', {}, g.name, ' ', h('span', { class: 'muted small' }, [g.file, g.interval ? `every ${fmtSeconds(g.interval)}` : ''].filter(Boolean).join(' · '))),
    h('table', { class: 'results rules' },
      h('thead', {}, h('tr', {}, ['Rule', 'State', 'Query', 'Labels & annotations', 'Last evaluation'].map((t) => h('th', {}, t)))),
      h('tbody', {}, (g.rules || []).map(ruleRow))));
}

export async function render(root, ctx) {
  const summary = h('div', { class: 'alert-summary' });
  const active = h('section', { class: 'panel', 'data-panel': 'alerts', 'data-state': 'loading' }, stateMessage('loading', 'Loading alerts…'));
  const groups = h('div', { id: 'rule-groups', 'data-state': 'loading' }, stateMessage('loading', 'Loading rules…'));
  root.replaceChildren(h('div', { class: 'explore alerts-page' }, summary,
    h('h2', {}, 'Active alerts'), active, h('h2', {}, 'Rules'), groups));
  let seq = 0;

  async function load() {
    const my = ++seq;
    registry.set('alerts', { title: 'Alerts', state: 'loading' });
    const [a, r] = await Promise.allSettled([api.alerts(), api.rules()]);
    if (my !== seq) return;
    summary.replaceChildren();
    for (const res of [a, r]) if (res.status === 'rejected') ctx.onError(res.reason);

    if (a.status === 'rejected') {
      active.dataset.state = 'error';
      active.replaceChildren(stateMessage('error', `Could not load alerts: ${a.reason.message}`));
      registry.set('alerts', { state: 'error', error: a.reason.message, value: 0 });
    } else {
      const list = (a.value && a.value.alerts) || [];
      const firing = list.filter((x) => x.state === 'firing').length;
      const pending = list.filter((x) => x.state === 'pending').length;
      active.dataset.state = list.length ? 'ok' : 'empty';
      active.replaceChildren(list.length ? h('div', { class: 'table-wrap' }, alertsTable(list))
        : stateMessage('empty', 'No alert is pending or firing.'));
      registry.set('alerts', { state: list.length ? 'ok' : 'empty', error: '', value: firing, pending });
      summary.append(h('span', { class: `badge ${firing ? 'firing' : 'ok'}` }, `${firing} firing`),
        h('span', { class: `badge ${pending ? 'pending' : 'ok'}` }, `${pending} pending`));
    }

    if (r.status === 'rejected') {
      groups.dataset.state = 'error';
      groups.replaceChildren(stateMessage('error', `Could not load rules: ${r.reason.message}`));
      return;
    }
    const gs = (r.value && r.value.groups) || [];
    const rules = gs.flatMap((g) => g.rules || []);
    const broken = rules.filter((x) => x.health === 'err').length;
    registry.set('alerts', { rules: rules.length });
    summary.append(h('span', { class: 'muted' }, `${rules.length} rule${rules.length === 1 ? '' : 's'} in ${gs.length} group${gs.length === 1 ? '' : 's'}`),
      broken ? h('span', { class: 'badge error' }, `${broken} failing`) : '');
    groups.dataset.state = gs.length ? 'ok' : 'empty';
    groups.replaceChildren(...(gs.length ? gs.map(ruleGroup)
      : [stateMessage('empty', 'No rule groups: add rule files under the alerting section of the config (see docs/alerting.md); the built-in vLLM pack is on by default.')]));
  }

  ctx.onRefresh(load);
  load();
  return () => { seq++; };
}
