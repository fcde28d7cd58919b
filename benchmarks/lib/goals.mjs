/**
 * The goals of issue 6, checked against one run's throughput summary: ratio to the untraced
 * baseline >= 0.99 with no trace and >= 0.95 with all 16 hooks, for node:http and undici/fetch, and
 * a smaller overhead than http-timer and the OpenTelemetry instrumentation.
 */
const goalRows = [
  ['tracing-agent-no-trace', '>=', 0.99],
  ['tracing-agent-16-hooks', '>=', 0.95],
  ['undici-dispatcher-no-trace', '>=', 0.99],
  ['undici-dispatcher-16-hooks', '>=', 0.95],
  ['fetch-dispatcher-no-trace', '>=', 0.99],
  ['fetch-dispatcher-16-hooks', '>=', 0.95],
];

export function checkGoals(rows) {
  const by = new Map(rows.map((r) => [r.name, r]));
  const out = [];
  for (const [name, , goal] of goalRows) {
    const row = by.get(name);
    if (row) out.push({ goal: `${name}: ratio >= ${goal}`, value: row.ratio, met: row.ratio >= goal });
  }
  for (const ours of ['tracing-agent-16-hooks', 'tracing-agent-collector']) {
    for (const other of ['http-timer', 'otel-http']) {
      const a = by.get(ours);
      const b = by.get(other);
      if (a && b) out.push({ goal: `${ours} overhead < ${other}`, value: `${a.ratio.toFixed(3)} vs ${b.ratio.toFixed(3)}`, met: a.ratio > b.ratio });
    }
  }
  return out;
}
