// The shell: navigation, the time range picker with auto-refresh, and a router from the URL
// hash (#/<page>?<params>) to page modules. A page module exports
//   render(root, ctx) → optional cleanup function
// with ctx = {params: URLSearchParams, range: {start, end} (Unix s), from, to,
//             navigate(hash), setParams(obj), onRefresh(fn)}.
// Pages register what they show in window.__infermetry (see registry.js) so that tests can
// read the numbers a user sees.

import './style.css';
import 'uplot/dist/uPlot.min.css';
import { PRESETS, resolveRange, fmtTime } from './time.js';
import { registry } from './registry.js';
import { setCredentials, ApiError } from './api.js';
import * as vllm from './pages/vllm.js';
import * as traces from './pages/traces.js';
import * as traceView from './pages/trace.js';
import * as sqlConsole from './pages/sql.js';
import * as dashboards from './pages/dashboards.js';
import * as alertsPage from './pages/alerts.js';

const PAGES = [
  { path: 'vllm', title: 'vLLM', module: vllm, nav: true },
  { path: 'traces', title: 'Traces', module: traces, nav: true },
  { path: 'trace', title: 'Trace', module: traceView },
  { path: 'sql', title: 'SQL', module: sqlConsole, nav: true },
  { path: 'dashboards', title: 'Dashboards', module: dashboards, nav: true },
  { path: 'alerts', title: 'Alerts', module: alertsPage, nav: true },
];

const REFRESH = [['', 'Off'], ['10s', '10s'], ['30s', '30s'], ['1m', '1m'], ['5m', '5m']];

function parseHash() {
  const h = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = h.split('?');
  const parts = path.split('/').filter(Boolean);
  return { page: parts[0] || 'vllm', rest: parts.slice(1).map(decodeURIComponent), params: new URLSearchParams(query) };
}

export function hashFor(page, params) {
  const q = new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== '')).toString();
  return `#/${page}${q ? '?' + q : ''}`;
}

let cleanup = null;
let timer = null;
let refreshers = [];

function renderNav(current) {
  const nav = document.getElementById('nav');
  nav.replaceChildren(...PAGES.filter((p) => p.nav).map((p) => {
    const a = document.createElement('a');
    a.href = `#/${p.path}`;
    a.textContent = p.title;
    if (p.path === current) a.className = 'active';
    return a;
  }));
}

function renderTimebar(params) {
  const bar = document.getElementById('timebar');
  const from = params.get('from') || 'now-1h';
  const to = params.get('to') || 'now';
  const sel = document.createElement('select');
  sel.id = 'range';
  sel.title = 'Time range';
  const custom = !PRESETS.some(([v]) => v === from) || to !== 'now';
  for (const [v, label] of PRESETS) sel.add(new Option(label, v, false, !custom && v === from));
  const label = (t) => (/^\d+(\.\d+)?$/.test(t) ? fmtTime(Number(t), true) : t);
  if (custom) sel.add(new Option(`${label(from)} → ${label(to)}`, 'custom', false, true));
  sel.onchange = () => sel.value !== 'custom' && setParams({ from: sel.value, to: '' });
  const ref = document.createElement('select');
  ref.id = 'refresh';
  ref.title = 'Auto-refresh';
  for (const [v, label] of REFRESH) ref.add(new Option(label === 'Off' ? '⟳ off' : `⟳ ${label}`, v, false, (params.get('refresh') || '') === v));
  ref.onchange = () => setParams({ refresh: ref.value });
  const btn = document.createElement('button');
  btn.textContent = 'Refresh';
  btn.onclick = () => refreshers.forEach((f) => f());
  bar.replaceChildren(sel, ref, btn);
}

export function setParams(obj) {
  const { page, rest, params } = parseHash();
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || v === null || v === '') params.delete(k); else params.set(k, v);
  }
  const q = params.toString();
  location.hash = `#/${[page, ...rest.map(encodeURIComponent)].join('/')}${q ? '?' + q : ''}`;
}

function loginDialog() {
  if (document.getElementById('login')) return;
  const d = document.createElement('dialog');
  d.id = 'login';
  d.innerHTML = `<form method="dialog"><h3>Sign in</h3>
    <p>The SQL API needs a user from the server's <code>auth:</code> section.</p>
    <label>User <input name="u" value="admin" autocomplete="username"></label>
    <label>Password <input name="p" type="password" autocomplete="current-password"></label>
    <button>Sign in</button></form>`;
  d.querySelector('form').onsubmit = () => {
    setCredentials(d.querySelector('[name=u]').value, d.querySelector('[name=p]').value);
    d.remove();
    route();
  };
  document.body.append(d);
  d.showModal();
}

async function route() {
  if (cleanup) { try { cleanup(); } catch { /* page already gone */ } cleanup = null; }
  clearInterval(timer);
  refreshers = [];
  registry.reset();
  const { page, rest, params } = parseHash();
  const def = PAGES.find((p) => p.path === page);
  renderNav(def ? def.path : '');
  renderTimebar(params);
  const root = document.getElementById('page');
  root.replaceChildren();
  if (!def) {
    root.innerHTML = `<p class="state error">No page "${page}". <a href="#/vllm">Open the vLLM dashboard</a>.</p>`;
    return;
  }
  document.title = `${def.title} · infermetry`;
  let range;
  try {
    range = resolveRange(params.get('from'), params.get('to'));
  } catch (e) {
    root.innerHTML = `<p class="state error"></p>`;
    root.firstChild.textContent = e.message;
    return;
  }
  const ctx = {
    params, rest, range, from: params.get('from') || 'now-1h', to: params.get('to') || 'now',
    navigate: (h) => { location.hash = h; },
    setParams,
    onRefresh: (f) => refreshers.push(f),
    onError: (e) => { if (e instanceof ApiError && e.status === 401) loginDialog(); },
  };
  try {
    cleanup = (await def.module.render(root, ctx)) || null;
  } catch (e) {
    ctx.onError(e);
    const p = document.createElement('p');
    p.className = 'state error';
    p.textContent = `This page failed: ${e.message}`;
    root.replaceChildren(p);
  }
  const every = { '10s': 10, '30s': 30, '1m': 60, '5m': 300 }[params.get('refresh') || ''];
  if (every) {
    timer = setInterval(() => {
      try { ctx.range = resolveRange(params.get('from'), params.get('to')); } catch { return; }
      refreshers.forEach((f) => f(ctx.range));
    }, every * 1000);
  }
}

window.addEventListener('hashchange', route);
route();
