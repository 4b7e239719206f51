// Time ranges as the URL keeps them: `from`/`to` are "now", "now-<n><unit>" (s, m, h, d) or
// Unix seconds. resolveRange turns them into Unix seconds at the moment of the call.

const UNIT = { s: 1, m: 60, h: 3600, d: 86400 };

export const PRESETS = [
  ['now-15m', 'Last 15 minutes'], ['now-1h', 'Last 1 hour'], ['now-3h', 'Last 3 hours'],
  ['now-6h', 'Last 6 hours'], ['now-12h', 'Last 12 hours'], ['now-24h', 'Last 24 hours'],
  ['now-7d', 'Last 7 days'],
];

export function parseTime(text, now = Date.now() / 1000) {
  const t = String(text || '').trim();
  if (t === '' || t === 'now') return now;
  const rel = /^now-(\d+(?:\.\d+)?)([smhd])$/.exec(t);
  if (rel) return now - Number(rel[1]) * UNIT[rel[2]];
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const ms = Date.parse(t);
  if (!Number.isNaN(ms)) return ms / 1000;
  throw new Error(`cannot read the time "${t}": want now, now-1h, Unix seconds or RFC 3339`);
}

export function resolveRange(from, to) {
  const now = Date.now() / 1000;
  const start = parseTime(from || 'now-1h', now);
  const end = parseTime(to || 'now', now);
  if (!(start < end)) throw new Error('the time range is empty: "from" must be before "to"');
  return { start, end };
}

// The step of the dashboard's queries: a whole number of minutes, so each point is the
// increase over whole minutes (what the SQL API's date_trunc('minute', ...) buckets hold), and
// at most ~360 points per series.
export function minuteStep(start, end) {
  return 60 * Math.max(1, Math.ceil((end - start) / 360 / 60));
}

export function fmtTime(sec, withDate = false) {
  const d = new Date(sec * 1000);
  const p = (n) => String(n).padStart(2, '0');
  const hms = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  return withDate ? `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${hms}` : hms;
}

export function fmtDurationNs(ns) {
  const n = Number(ns);
  if (n >= 1e9) return `${(n / 1e9).toFixed(n >= 1e10 ? 1 : 2)} s`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)} ms`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} µs`;
  return `${n} ns`;
}

export function fmtNumber(v, unit = '') {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  const a = Math.abs(v);
  let s;
  if (unit === 's') {
    if (a >= 1) s = `${v.toFixed(a >= 100 ? 0 : 2)} s`;
    else if (a >= 1e-3) s = `${(v * 1e3).toFixed(a >= 0.1 ? 0 : 1)} ms`;
    else s = `${(v * 1e6).toFixed(0)} µs`;
    return s;
  }
  if (unit === '%') return `${(v * 100).toFixed(1)}%`;
  if (unit === '$') return `$${v >= 1 ? v.toFixed(2) : v.toPrecision(3)}`;
  if (a >= 1e9) s = `${(v / 1e9).toFixed(2)}G`;
  else if (a >= 1e6) s = `${(v / 1e6).toFixed(2)}M`;
  else if (a >= 1e4) s = `${(v / 1e3).toFixed(1)}k`;
  else if (a >= 100 || Number.isInteger(v)) s = v.toFixed(0);
  else s = v.toPrecision(3);
  return unit ? `${s} ${unit}` : s;
}
