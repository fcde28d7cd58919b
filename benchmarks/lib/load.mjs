/**
 * The load loop shared by every client configuration: `n` requests from `concurrency` workers,
 * each awaiting one request before starting the next (keep-alive connections are reused).
 */
export async function runLoad(request, n, concurrency) {
  let remaining = n;
  const worker = async () => {
    while (remaining > 0) {
      remaining--;
      await request();
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
}

/** Runs the load and measures it: wall time, requests per second, client CPU per request. */
export async function measureLoad(request, n, concurrency) {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await runLoad(request, n, concurrency);
  const ns = Number(process.hrtime.bigint() - t0);
  const cpu = process.cpuUsage(cpu0);
  return { n, seconds: ns / 1e9, reqPerSec: n / (ns / 1e9), cpuUsPerReq: (cpu.user + cpu.system) / n };
}
