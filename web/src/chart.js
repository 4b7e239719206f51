// Charts: one entry point for every visualization a panel can take.
//
//   renderViz(el, kind, data, opts) → {destroy()}
//     kind: "timeseries" | "stacked" (stacked bars over time) | "gauge" | "table" | "stat"
//     data for timeseries/stacked: {series: [{name, points: [[unix_s, value], ...]}]}
//       (value may be null: a gap)
//     data for gauge/stat: {value, max (gauge, default 1)}
//     data for table: {columns: [name...], rows: [[v...], ...]}
//     opts: {unit: "s" | "%" | "$" | "" | "tok/s" ..., height, onPointClick(unix_s, seriesIndex)}
//
// Charts follow the element's width (ResizeObserver). The gauge is an SVG arc from 0 to max,
// green below 70% of max, amber below 90%, red above; its <svg> carries data-value and
// data-level ("ok" | "warn" | "crit"). Tables sort on a click of a column header.

import uPlot from 'uplot';
import { fmtNumber, fmtTime } from './time.js';

const COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b'];

export function color(i) { return COLORS[i % COLORS.length]; }

// Aligns series on the union of their timestamps (uPlot wants one x array).
export function align(series) {
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = series.map((s) => {
    const y = new Array(xs.length).fill(null);
    for (const [t, v] of s.points) y[index.get(t)] = v;
    return y;
  });
  return [xs, ...ys];
}

// Tick labels for the value axis: fmtNumber's, with more digits when it would repeat a label.
function valueTicks(unit) {
  return (_u, ticks) => {
    const labels = ticks.map((t) => fmtNumber(t, unit).replace(/^(-?\$?\d+\.\d*?)0+(?!\d)/, '$1').replace(/\.(?!\d)/, ''));
    if (new Set(labels).size === labels.length || ticks.length < 2) return labels;
    const inc = Math.abs(ticks[1] - ticks[0]) * (unit === '%' ? 100 : 1);
    const digits = Math.min(10, Math.max(0, Math.ceil(-Math.log10(inc)) + 1));
    return ticks.map((t) => (unit === '%' ? `${(t * 100).toFixed(digits)}%` : `${t.toFixed(digits)}${unit ? ' ' + unit : ''}`));
  };
}

// Tick labels for the time axis: HH:MM (HH:MM:SS under a minute apart, MM-DD HH:MM from a day).
function timeTicks(_u, ticks, _axis, _space, incr) {
  if (incr >= 86400) return ticks.map((t) => fmtTime(t, true).slice(5, 10));
  if (incr >= 3600 * 6) return ticks.map((t) => fmtTime(t, true).slice(5, 16));
  return ticks.map((t) => (incr < 60 ? fmtTime(t) : fmtTime(t).slice(0, 5)));
}

// Width of the value axis: room for its longest label.
function axisSize(u, values) {
  const longest = Math.max(3, ...(values || []).map((v) => String(v).length));
  return Math.ceil(longest * 7.5) + 22;
}

// The legend value of a series: the hovered point, or its latest value when not hovering.
function legendValue(ys, unit) {
  return (_u, _v, _si, idx) => {
    if (idx != null) return fmtNumber(ys[idx], unit);
    for (let i = ys.length - 1; i >= 0; i--) if (ys[i] != null) return fmtNumber(ys[i], unit);
    return '–';
  };
}

// The smallest gap between consecutive x values (the bar width of a stacked chart).
function minGap(xs) {
  let gap = Infinity;
  for (let i = 1; i < xs.length; i++) gap = Math.min(gap, xs[i] - xs[i - 1]);
  return Number.isFinite(gap) ? gap : 60;
}

// Shared uPlot options for charts over time. `series` are uPlot series configs (without x).
function timeOptions(el, opts, series, extra = {}) {
  return {
    width: Math.max(200, el.clientWidth || 400),
    height: opts.height || 200,
    legend: { show: series.length > 0, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, ...(extra.xRange ? { range: extra.xRange } : {}) } },
    axes: [
      { values: timeTicks, stroke: '#6b7280', grid: { stroke: '#f1f5f9' }, ticks: { stroke: '#e5e7eb' } },
      { size: axisSize, values: valueTicks(opts.unit), stroke: '#6b7280', grid: { stroke: '#f1f5f9' }, ticks: { stroke: '#e5e7eb' } },
    ],
    series: [{ value: (_, t) => (t == null ? '' : fmtTime(t, true)) }, ...series],
  };
}

// Mounts a uPlot chart that follows el's width and reports clicks as (x, seriesIndex):
// seriesIndex is the series (index into the caller's series) whose value is nearest the cursor.
function mount(el, options, aligned, opts, seriesOf = (i) => i) {
  const u = new uPlot(options, aligned, el);
  if (opts.onPointClick) {
    u.over.style.cursor = 'pointer';
    u.over.addEventListener('click', () => {
      const i = u.cursor.idx;
      if (i == null) return;
      const y = u.posToVal(u.cursor.top, 'y');
      let best = null;
      for (let s = 1; s < aligned.length; s++) {
        const v = aligned[s][i];
        if (v != null && (best == null || Math.abs(v - y) < Math.abs(aligned[best][i] - y))) best = s;
      }
      opts.onPointClick(aligned[0][i], best == null ? null : seriesOf(best - 1));
    });
  }
  const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: opts.height || 200 }));
  ro.observe(el);
  return { destroy() { ro.disconnect(); u.destroy(); } };
}

function timeseries(el, data, opts) {
  const series = data.series;
  const aligned = align(series);
  const cfg = series.map((s, i) => ({
    label: s.name,
    stroke: color(i),
    width: 1.5,
    spanGaps: false,
    points: { size: 4 },
    value: legendValue(aligned[i + 1], opts.unit),
  }));
  return mount(el, timeOptions(el, opts, cfg), aligned, opts);
}

// Stacked bars: series k is drawn as a bar from 0 to the sum of series 0..k, the tallest first
// so the shorter ones paint over it. uPlot series are therefore in reverse order (the legend
// lists the top of the stack first); each legend entry shows the series' own value.
function stacked(el, data, opts) {
  const series = data.series;
  const [xs, ...own] = align(series);
  const cum = [];
  own.forEach((ys, k) => {
    cum.push(ys.map((v, i) => {
      const below = k > 0 ? cum[k - 1][i] : null;
      if (v == null) return below;
      return (below ?? 0) + v;
    }));
  });
  const order = series.map((_, k) => series.length - 1 - k);
  const gap = minGap(xs);
  const bars = uPlot.paths.bars({ size: [0.8, Infinity], align: 1 });
  const cfg = order.map((k) => ({
    label: series[k].name,
    stroke: color(k),
    fill: color(k) + 'cc',
    width: 0,
    paths: bars,
    points: { show: false },
    value: legendValue(own[k], opts.unit),
  }));
  const xRange = (_u, min, max) => [min, max + gap];
  const options = timeOptions(el, opts, cfg, { xRange });
  options.scales.y = { range: (_u, _min, max) => [0, max > 0 ? max * 1.05 : 1] };
  return mount(el, options, [xs, ...order.map((k) => cum[k])], opts, (i) => order[i]);
}

const SVG = 'http://www.w3.org/2000/svg';

function svgEl(name, attrs) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

// Gauge level of a fraction of max: green < 0.7 ≤ amber < 0.9 ≤ red.
function gaugeLevel(frac) {
  if (frac >= 0.9) return ['crit', '#dc2626'];
  if (frac >= 0.7) return ['warn', '#f59e0b'];
  return ['ok', '#16a34a'];
}

function gauge(el, data, opts) {
  const max = data.max > 0 ? data.max : 1;
  const value = data.value;
  const frac = value == null || Number.isNaN(value) ? 0 : Math.min(1, Math.max(0, value / max));
  const [level, fill] = gaugeLevel(frac);
  const arc = 'M 20 100 A 80 80 0 0 1 180 100';
  const svg = svgEl('svg', { viewBox: '0 0 200 118', class: 'gauge', role: 'img', 'data-value': String(value), 'data-level': level });
  svg.append(
    svgEl('path', { d: arc, fill: 'none', stroke: '#e5e7eb', 'stroke-width': 16, 'stroke-linecap': 'butt' }),
    svgEl('path', { d: arc, fill: 'none', stroke: fill, 'stroke-width': 16, pathLength: 100, 'stroke-dasharray': `${(frac * 100).toFixed(2)} 100` }),
  );
  const text = svgEl('text', { x: 100, y: 94, 'text-anchor': 'middle', class: 'gauge-value' });
  text.textContent = fmtNumber(value, opts.unit);
  const lo = svgEl('text', { x: 20, y: 116, 'text-anchor': 'middle', class: 'gauge-bound' });
  lo.textContent = fmtNumber(0, opts.unit);
  const hi = svgEl('text', { x: 180, y: 116, 'text-anchor': 'middle', class: 'gauge-bound' });
  hi.textContent = fmtNumber(max, opts.unit);
  svg.append(text, lo, hi);
  svg.setAttribute('aria-label', `${text.textContent} of ${hi.textContent}`);
  el.append(svg);
  return { destroy() { svg.remove(); } };
}

function stat(el, data, opts) {
  const div = document.createElement('div');
  div.className = 'stat';
  div.dataset.value = String(data.value);
  div.textContent = fmtNumber(data.value, opts.unit);
  el.append(div);
  return { destroy() { div.remove(); } };
}

const isNum = (v) => typeof v === 'number' && Number.isFinite(v);

// A cell as text: numbers in full (up to 6 significant digits), objects as JSON.
function cellText(v) {
  if (v == null) return '';
  if (isNum(v)) return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

// Orders two cells: nulls last, numbers numerically, everything else as text.
function compareCells(a, b) {
  if (a == null || b == null) return (a == null) - (b == null);
  if (isNum(a) && isNum(b)) return a - b;
  return cellText(a).localeCompare(cellText(b), undefined, { numeric: true });
}

function table(el, data) {
  const { columns, rows } = data;
  const numeric = columns.map((_, c) => rows.some((r) => isNum(r[c])) && rows.every((r) => r[c] == null || isNum(r[c])));
  const wrap = document.createElement('div');
  wrap.className = 'viz-table';
  const t = document.createElement('table');
  const thead = t.createTHead().insertRow();
  const tbody = t.createTBody();
  let sort = { col: -1, dir: 1 };
  const fill = () => {
    const sorted = sort.col < 0 ? rows : [...rows].sort((a, b) => sort.dir * compareCells(a[sort.col], b[sort.col]));
    tbody.replaceChildren(...sorted.map((r) => {
      const tr = document.createElement('tr');
      columns.forEach((_, c) => {
        const td = tr.insertCell();
        td.textContent = cellText(r[c]);
        if (numeric[c]) td.className = 'num';
      });
      return tr;
    }));
    [...thead.cells].forEach((th, c) => {
      th.dataset.sort = c === sort.col ? (sort.dir > 0 ? 'asc' : 'desc') : '';
      th.setAttribute('aria-sort', c === sort.col ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none');
    });
  };
  columns.forEach((name, c) => {
    const th = document.createElement('th');
    th.textContent = name;
    th.title = 'Sort';
    if (numeric[c]) th.className = 'num';
    th.onclick = () => { sort = { col: c, dir: sort.col === c ? -sort.dir : 1 }; fill(); };
    thead.append(th);
  });
  fill();
  wrap.append(t);
  el.append(wrap);
  return { destroy() { wrap.remove(); } };
}

export function renderViz(el, kind, data, opts = {}) {
  el.replaceChildren();
  switch (kind) {
    case 'stacked': return stacked(el, data, opts);
    case 'gauge': return gauge(el, data, opts);
    case 'stat': return stat(el, data, opts);
    case 'table': return table(el, data, opts);
    case 'timeseries':
    default:
      return timeseries(el, data, opts);
  }
}
