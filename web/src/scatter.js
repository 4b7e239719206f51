// The span duration scatter plot of the trace search.
//
//   renderScatter(el, points, opts) → {destroy()}
//     points: [{t: start (Unix s), d: duration (s), error: bool, label: text for the tooltip, ...}]
//     opts: {height, xRange: [startSec, endSec] (default: the points' extent),
//            onClick(point), onSelect(startSec, endSec)}
//   x is time, y is the duration on a log scale; error spans are red. Hovering shows the
//   nearest point's label; clicking it calls onClick; dragging across x calls onSelect.

import uPlot from 'uplot';
import { fmtNumber, fmtTime } from './time.js';
import { h } from './dom.js';

const OK_COLOR = '#3b82f6';
const ERR_COLOR = '#dc2626';
const MIN_Y = 1e-6; // a log scale has no 0: shorter spans sit on the floor
const HIT_PX = 12;

function pointSeries(label, color) {
  return { label, stroke: color, paths: () => null, points: { show: true, size: 7, width: 1, stroke: color, fill: color + '99' } };
}

// uPlot wants one sorted x array; ok and error spans become two y series with gaps.
function columns(points) {
  const xs = points.map((p) => p.t);
  const ok = points.map((p) => (p.error ? null : Math.max(p.d, MIN_Y)));
  const err = points.map((p) => (p.error ? Math.max(p.d, MIN_Y) : null));
  return [xs, ok, err];
}

// Whole decades around the points, with room above and below so no point sits on the frame.
function logRange(_, min, max) {
  const lo = Math.log10(min ?? 1e-3);
  const hi = Math.log10(max ?? 1);
  return [10 ** Math.floor(lo - 0.15), 10 ** Math.ceil(hi + 0.15)];
}

// Axis labels of the log scale: powers of ten only ("100 ms", "1 s"); the rest, and the ticks
// uPlot filtered out (null), stay blank.
function shortSeconds(v) {
  if (v == null || !(v > 0)) return '';
  if (Math.abs(Math.log10(v) - Math.round(Math.log10(v))) > 1e-9) return '';
  if (v >= 1) return `${v} s`;
  if (v >= 1e-3) return `${Math.round(v * 1e3)} ms`;
  return `${Math.round(v * 1e6)} µs`;
}

function nearest(u, points, x, y) {
  let best = null;
  let bestDist = HIT_PX * HIT_PX;
  for (const p of points) {
    const dx = u.valToPos(p.t, 'x') - x;
    const dy = u.valToPos(Math.max(p.d, MIN_Y), 'y') - y;
    const dist = dx * dx + dy * dy;
    if (dist < bestDist) { bestDist = dist; best = p; }
  }
  return best;
}

export function renderScatter(el, input, opts = {}) {
  const points = [...input].sort((a, b) => a.t - b.t);
  const height = opts.height || 220;
  const plotEl = h('div', { class: 'scatter-plot' });
  const tip = h('div', { class: 'scatter-tip', hidden: true });
  const legend = h('div', { class: 'scatter-legend' },
    h('span', { class: 'dot', style: `background:${OK_COLOR}` }), 'ok / unset ',
    h('span', { class: 'dot', style: `background:${ERR_COLOR}` }), 'error ',
    h('span', { class: 'muted' }, '· click a dot to open its trace, drag to zoom'));
  el.replaceChildren(plotEl, legend);

  let dragged = false; // a drag ends with a click: it must not open a trace
  const u = new uPlot({
    width: Math.max(200, el.clientWidth || 600),
    height,
    legend: { show: false },
    cursor: { x: false, y: false, points: { show: false }, drag: { x: true, y: false, setScale: false } },
    scales: {
      x: { time: true, range: opts.xRange ? () => opts.xRange : undefined },
      y: { distr: 3, log: 10, range: logRange },
    },
    axes: [
      { values: (_, ticks, _i, _space, incr) => ticks.map((t) => (incr < 60 ? fmtTime(t) : fmtTime(t).slice(0, 5))) },
      { size: 64, values: (_, ticks) => ticks.map(shortSeconds) },
    ],
    series: [{}, pointSeries('ok', OK_COLOR), pointSeries('error', ERR_COLOR)],
    hooks: {
      setSelect: [(plot) => {
        const { left, width } = plot.select;
        dragged = width > 4;
        if (dragged && opts.onSelect) opts.onSelect(plot.posToVal(left, 'x'), plot.posToVal(left + width, 'x'));
        plot.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
      }],
    },
  }, columns(points), plotEl);

  u.over.append(tip);
  u.over.addEventListener('mousemove', (e) => {
    const p = nearest(u, points, e.offsetX, e.offsetY);
    u.over.style.cursor = p ? 'pointer' : 'crosshair';
    tip.hidden = !p;
    if (!p) return;
    tip.textContent = `${p.label} · ${fmtNumber(p.d, 's')} · ${fmtTime(p.t)}`;
    const flip = e.offsetX + 12 + tip.offsetWidth > u.over.clientWidth; // keep the tip inside the plot
    tip.style.left = `${flip ? e.offsetX - 12 - tip.offsetWidth : e.offsetX + 12}px`;
    tip.style.top = `${Math.max(0, e.offsetY - 28)}px`;
  });
  u.over.addEventListener('mouseleave', () => { tip.hidden = true; });
  u.over.addEventListener('click', (e) => {
    if (dragged) { dragged = false; return; }
    const p = nearest(u, points, e.offsetX, e.offsetY);
    if (p && opts.onClick) opts.onClick(p);
  });

  const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
  ro.observe(el);
  return { destroy() { ro.disconnect(); u.destroy(); } };
}
