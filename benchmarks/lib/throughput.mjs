/**
 * The throughput benchmark: every configuration in its own process, several rounds interleaved
 * (A B C … A B C …, each round starting one configuration later), then per configuration the
 * median req/s, the median client CPU per request, and the median of the per-round ratios to the
 * family's untraced baseline (the family's first row) of the same round.
 */
import { configs } from '../clients/configs.mjs';
import { runClient } from './processes.mjs';
import { median } from './stats.mjs';

export async function throughput({ url, rounds, requests, warmup, only, log = () => {} }) {
  const chosen = configs.filter((c) => !only || only.test(c.name));
  const runs = new Map(chosen.map((c) => [c.name, []]));
  for (let round = 0; round < rounds; round++) {
    const order = chosen.map((_, i) => chosen[(i + round) % chosen.length]);
    for (const config of order) {
      const result = await runClient(config.name, url, requests, warmup);
      runs.get(config.name)[round] = result;
      log(`round ${round + 1}/${rounds} ${config.name}: ${Math.round(result.reqPerSec)} req/s, ${result.cpuUsPerReq.toFixed(1)} µs CPU/req`);
    }
  }
  return chosen.map((config) => summarize(config, runs, chosen, rounds));
}

function summarize(config, runs, chosen, rounds) {
  const own = runs.get(config.name);
  const baseline = runs.get(chosen.find((c) => c.family === config.family)?.name) ?? own;
  const ratios = [];
  const cpuExtra = [];
  for (let r = 0; r < rounds; r++) {
    ratios.push(own[r].reqPerSec / baseline[r].reqPerSec);
    cpuExtra.push(own[r].cpuUsPerReq - baseline[r].cpuUsPerReq);
  }
  return {
    ...config,
    reqPerSec: median(own.map((x) => x.reqPerSec)),
    reqPerSecAll: own.map((x) => Math.round(x.reqPerSec)),
    cpuUsPerReq: median(own.map((x) => x.cpuUsPerReq)),
    ratio: median(ratios),
    ratioMin: Math.min(...ratios),
    ratioMax: Math.max(...ratios),
    cpuExtraUs: median(cpuExtra),
  };
}
