/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof`) and returns the functions with the most self
 * time: name, file:line, self ms and share of the samples.
 */
import { readFileSync } from 'node:fs';

export function topSelfTime(file, count = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hits = new Map();
  const deltas = profile.timeDeltas;
  profile.samples.forEach((id, i) => hits.set(id, (hits.get(id) ?? 0) + (deltas[i] ?? 0)));
  const totals = new Map();
  let all = 0;
  for (const [id, us] of hits) {
    const { callFrame: f } = byId.get(id);
    const file = f.url ? f.url.replace(/^file:\/\/.*?\/(dist|benchmarks|node_modules)\//, '$1/') : '';
    const name = (f.functionName || '(anonymous)').slice(0, 60);
    const key = `${name} ${file}${file ? `:${f.lineNumber + 1}` : ''}`;
    totals.set(key, (totals.get(key) ?? 0) + us);
    all += us;
  }
  return [...totals]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([fn, us]) => ({ fn, selfMs: us / 1000, share: us / all }));
}

/** Self time grouped by where the code lives: httptrace (dist/), Node's own JS, other. */
export function selfTimeByOrigin(file) {
  const rows = topSelfTime(file, Infinity);
  const groups = {};
  for (const { fn, selfMs } of rows) {
    const where = / dist\//.test(fn) ? 'httptrace (dist/)' : / node:/.test(fn) ? "Node's JS (node:*)" : / (node_modules|benchmarks)\//.test(fn) ? 'benchmark + its deps' : 'native, GC, idle, program';
    groups[where] = (groups[where] ?? 0) + selfMs;
  }
  return groups;
}
