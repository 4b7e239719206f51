// The queries of a dashboard definition (vllm.json): placeholder substitution and the time
// buckets they are evaluated over. No DOM: the page, the browser test and the benchmark
// (bench/ui_dashboard.sh) all build their queries here, so they send the same ones.
//
// Time: step = minuteStep(range); buckets are [b, b+step) with b a multiple of step, and only
// complete buckets inside the range count: first = ceil(start/step)*step,
// last = floor(end/step)*step - step. A range query evaluates at T = b + step - 0.001, so the
// `offset $step` / `[$step]` windows cover exactly one bucket; its points belong to the bucket
// start b. An instant query evaluates at last + step - 0.001.

import { minuteStep } from '../time.js';

const sqlQuote = (s) => `'${String(s).replace(/'/g, "''")}'`;
const promQuote = (s) => `"${String(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;

// The placeholder values for the chosen filters ({label: value}), step (s) and GPU rates
// ({default, models: {model: rate}}).
export function placeholders(filters, step, rates) {
  const set = Object.entries(filters).filter(([, v]) => v !== '' && v != null);
  const inst = set.filter(([k]) => k === 'instance');
  const models = Object.entries(rates.models || {});
  return {
    step_s: String(step),
    step: `${step}s`,
    sqlfi: inst.map(([k, v]) => ` AND ${k} = ${sqlQuote(v)}`).join(''),
    sqlf: set.map(([k, v]) => ` AND ${k} = ${sqlQuote(v)}`).join(''),
    fi: inst.map(([k, v]) => `${k}=${promQuote(v)}`).join(','),
    f: set.map(([k, v]) => `${k}=${promQuote(v)}`).join(','),
    rate: models.length
      ? `CASE model_name ${models.map(([m, r]) => `WHEN ${sqlQuote(m)} THEN ${Number(r)}`).join(' ')} ELSE ${Number(rates.default)} END`
      : String(Number(rates.default)),
  };
}

// Substitutes $step_s, $step, $sqlfi, $sqlf, $fi, $f, $rate in one pass (longest name first,
// so a substituted value is never substituted again).
export function substitute(text, vars) {
  return text.replace(/\$(step_s|step|sqlfi|sqlf|fi|f|rate)/g, (_, name) => vars[name]);
}

// A PromQL target with its placeholders substituted; empty matcher lists left by absent
// filters are closed up.
export function promql(text, vars) {
  return substitute(text, vars).replace(/\{,/g, '{').replace(/,\}/g, '}');
}

// Complete buckets of the range: {step, first, last} (last < first when there are none).
export function buckets(range) {
  const step = minuteStep(range.start, range.end);
  return { step, first: Math.ceil(range.start / step) * step, last: Math.floor(range.end / step) * step - step };
}

// The Prometheus API requests the dashboard sends for a range: one per target and cost input,
// [{panel, name, query, instant: bool, time} | {..., start, end, step}].
export function requests(def, range, filters, rates) {
  const b = buckets(range);
  const vars = placeholders(filters, b.step, rates);
  const at = { start: b.first + b.step - 0.001, end: b.last + b.step - 0.001, step: b.step };
  const out = [];
  for (const p of def.panels) {
    for (const t of p.targets) {
      if (!t.promql) continue;
      const query = promql(t.promql, vars);
      out.push(p.instant ? { panel: p.id, name: t.name, query, instant: true, time: at.end } : { panel: p.id, name: t.name, query, ...at });
    }
  }
  if (def.panels.some((p) => p.cost)) {
    for (const [name, text] of Object.entries(def.cost_inputs)) out.push({ panel: 'cost', name, query: promql(text, vars), ...at });
  }
  return out;
}
