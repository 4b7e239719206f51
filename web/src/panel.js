// A dashboard panel: title, help tooltip, a "query" toggle that shows the queries behind the
// panel, the visualization, and its loading / empty / error states.
//
//   const p = createPanel(container, {id, title, help, viz, unit, height, onPointClick, actions})
//     id: registry id and data-panel; viz/unit/height/onPointClick: see chart.js renderViz;
//     actions: optional [HTMLElement] put in the header (e.g. edit buttons).
//   p.loading({queries, language, step, start, end})
//     queries: [{label, language ("promql" | "sql" | "text"), text}] as the user should read
//     them (placeholders substituted). SQL entries get an "Open in SQL console" link.
//   p.show(data)     data as renderViz takes it; a viz with nothing to draw shows the empty state
//   p.empty(message) p.error(err) p.destroy()
//
// DOM: <section class="panel" data-panel="<id>" data-state="loading|ok|empty|error"> holding
// .panel-title, .panel-help, button.panel-query-toggle, .panel-query (hidden until toggled),
// .panel-body (the chart, or .state text). Registry (registry.js): {title, query, language,
// state, error, series, value, step, start, end}; tables add {columns, rows}.

import { h } from './dom.js';
import { registry } from './registry.js';
import { renderViz } from './chart.js';
import { hashFor } from './main.js';

const el = (tag, className, text) => h(tag, { class: className, text });

// The query box content: one block per query, with a link to the SQL console for SQL.
function queryBlocks(queries) {
  return queries.map((q) => {
    const block = el('div', 'panel-query-item');
    const head = el('div', 'panel-query-head');
    head.append(el('span', 'panel-query-label', q.label || ''), el('span', `lang lang-${q.language}`, q.language === 'text' ? '' : q.language.toUpperCase()));
    if (q.language === 'sql') {
      const a = el('a', 'open-sql', 'Open in SQL console');
      a.href = hashFor('sql', { q: q.text });
      head.append(a);
    }
    block.append(head, el('pre', 'panel-query-text', q.text));
    return block;
  });
}

// True when data gives renderViz nothing to draw.
function isEmpty(viz, data) {
  if (viz === 'table') return !data.rows || data.rows.length === 0;
  if (viz === 'gauge' || viz === 'stat') return data.value == null || Number.isNaN(data.value);
  return !data.series || !data.series.some((s) => s.points.some((p) => p[1] != null));
}

export function createPanel(container, def) {
  const root = el('section', `panel viz-${def.viz}`);
  root.dataset.panel = def.id;
  const header = el('header', 'panel-header');
  const title = el('h3', 'panel-title', def.title);
  header.append(title);
  if (def.help) {
    const help = el('span', 'panel-help', '?');
    help.tabIndex = 0;
    help.dataset.tip = def.help;
    help.setAttribute('aria-label', def.help);
    header.append(help);
  }
  header.append(el('span', 'panel-spacer'));
  const toggle = el('button', 'panel-query-toggle', 'query');
  toggle.type = 'button';
  toggle.title = 'Show the queries behind this panel';
  toggle.setAttribute('aria-expanded', 'false');
  header.append(toggle, ...(def.actions || []));
  const queryBox = el('div', 'panel-query');
  queryBox.hidden = true;
  toggle.onclick = () => {
    queryBox.hidden = !queryBox.hidden;
    toggle.setAttribute('aria-expanded', String(!queryBox.hidden));
    toggle.classList.toggle('on', !queryBox.hidden);
  };
  const body = el('div', 'panel-body');
  root.append(header, queryBox, body);
  container.append(root);

  let chart = null;
  const clear = () => { if (chart) { chart.destroy(); chart = null; } body.replaceChildren(); };
  const setState = (state, info) => {
    root.dataset.state = state;
    registry.set(def.id, { title: def.title, state, ...info });
  };
  const message = (cls, text) => {
    clear();
    body.append(el('p', `state ${cls}`, text));
  };

  const panel = {
    el: root,
    loading(meta = {}) {
      const queries = meta.queries || [];
      queryBox.replaceChildren(...queryBlocks(queries));
      if (!chart) message('loading', 'Loading…');
      root.classList.add('busy');
      setState('loading', {
        query: queries.map((q) => q.text).join('\n\n'),
        language: meta.language || (queries[0] && queries[0].language) || '',
        error: undefined, step: meta.step, start: meta.start, end: meta.end,
      });
    },
    show(data) {
      root.classList.remove('busy');
      if (isEmpty(def.viz, data)) { panel.empty(); return; }
      clear();
      chart = renderViz(body, def.viz, data, { unit: def.unit || '', height: def.height, onPointClick: def.onPointClick });
      const info = { error: undefined, series: data.series || [], value: data.value ?? null };
      if (def.viz === 'table') Object.assign(info, { columns: data.columns, rows: data.rows });
      setState('ok', info);
    },
    empty(text = 'No data in this time range.') {
      root.classList.remove('busy');
      message('empty', text);
      setState('empty', { error: undefined, series: [], value: null });
    },
    error(err) {
      root.classList.remove('busy');
      const msg = err && err.message ? err.message : String(err);
      message('error', msg);
      setState('error', { error: msg, series: [], value: null });
    },
    destroy() { clear(); root.remove(); },
  };
  return panel;
}
