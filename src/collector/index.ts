/**
 * httptrace/collector: a {@link ClientTrace} that records every hook with its time, the phases and
 * curl/HAR figures derived from them, and a HAR 1.2 log builder. Built on the public hooks only:
 * it works with any adapter.
 * @module
 */
export type { ClientTrace, HookName } from '../client-trace.js';
export { TraceCollector, type TraceCollectorOptions } from './trace-collector.js';
export { hookArgs, type HookEvent, type MarkEvent, type MarkName, type TraceEvent } from './events.js';
export { hopTimings, requestTimings, splitHops, type Phases, type TimingPoints, type Timings } from './phases.js';
export { harTimings, harTotal, type HarTimings } from './har-timings.js';
export { buildHarLog, type HarEntry, type HarEntryInput, type HarLog, type HarLogOptions, type HeaderPair } from './har-log.js';
export { isSecretHeader, redactHeaderValue, redactUrl, redacted, secretHeaders } from './redact.js';
export { nearestRank } from './percentile.js';
