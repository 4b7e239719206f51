// Times the vLLM dashboard's queries against a running infermetry: the Prometheus API requests
// the page sends for a range (web/src/dashboards/queries.js), RUNS times. Server time is read from
// infermetry's own self-metrics (infermetry_http_request_duration_seconds_sum of the query
// routes), so it excludes the client and the network.
//
//   node bench/ui_dashboard.mjs BASE_URL START END RUNS
import fs from 'node:fs';
import { requests } from '../web/src/dashboards/queries.js';

const [base, start, end, runs = '5'] = process.argv.slice(2);
const def = JSON.parse(fs.readFileSync(new URL('../web/src/dashboards/vllm.json', import.meta.url)));
const rates = (await (await fetch(`${base}/api/v1/ui/config`)).json()).data.gpu_hourly_cost;
const reqs = requests(def, { start: Number(start), end: Number(end) }, {}, rates);

async function serverSeconds() {
  const text = await (await fetch(`${base}/metrics`)).text();
  let sum = 0;
  for (const m of text.matchAll(/^infermetry_http_request_duration_seconds_sum\{([^}]*)\} (\S+)$/gm)) {
    if (/route="(query|query_range)"/.test(m[1])) sum += Number(m[2]);
  }
  return sum;
}

async function send(r) {
  const body = new URLSearchParams(r.instant ? { query: r.query, time: r.time } : { query: r.query, start: r.start, end: r.end, step: r.step });
  const t0 = performance.now();
  const resp = await fetch(`${base}/api/v1/${r.instant ? 'query' : 'query_range'}`, { method: 'POST', body });
  const json = await resp.json();
  if (json.status !== 'success') throw new Error(`${r.panel}/${r.name}: ${json.error}`);
  const points = r.instant ? json.data.result.length : json.data.result.reduce((n, s) => n + s.values.length, 0);
  return { ms: performance.now() - t0, points };
}

const perQuery = reqs.map(() => []);
const totals = [];
const concurrent = [];
let points = 0;
for (let run = 0; run < Number(runs); run++) {
  const before = await serverSeconds();
  points = 0;
  for (let i = 0; i < reqs.length; i++) {
    const r = await send(reqs[i]);
    perQuery[i].push(r.ms);
    points += r.points;
  }
  totals.push((await serverSeconds() - before) * 1000);
  // As the page sends them: all at once.
  const t0 = performance.now();
  await Promise.all(reqs.map(send));
  concurrent.push(performance.now() - t0);
}
const min = (xs) => Math.min(...xs);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`${reqs.length} requests over ${((end - start) / 3600).toFixed(1)} h at step ${reqs[0].step}s, ${points} points`);
reqs.forEach((r, i) => console.log(`  ${median(perQuery[i]).toFixed(2).padStart(8)} ms  ${r.panel}/${r.name}`));
console.log(`server time, all requests one after another: median ${median(totals).toFixed(1)} ms, best ${min(totals).toFixed(1)} ms`);
console.log(`wall time, all requests at once (as the page sends them): median ${median(concurrent).toFixed(1)} ms, best ${min(concurrent).toFixed(1)} ms`);
