/**
 * httptrace/report: reads a run's NDJSON (`httptrace/register` `json:FILE`, `httptrace run
 * --trace-json`) and turns it into requests, a per-origin summary, a HAR 1.2 log and a
 * self-contained HTML report. Depends only on the public API and the NDJSON format.
 *
 * @example
 * ```ts
 * import { parseRunLines, runRequests, summarizeRun, formatSummary, runHar, renderHtmlReport } from 'httptrace/report';
 * const requests = runRequests(parseRunLines(await readFile('run.ndjson', 'utf8')));
 * process.stderr.write(formatSummary(summarizeRun(requests)));
 * await writeFile('run.har', JSON.stringify(runHar(requests)));
 * await writeFile('run.html', renderHtmlReport(requests));
 * ```
 * @module
 */
export { parseRunLines, type ParseRunOptions, type RunEvent, type RunHookEvent, type RunMarkEvent, type RunProcessEvent } from './run-events.js';
export {
  headerPairs,
  phaseNames,
  runRequests,
  type PhaseName,
  type PhaseSegment,
  type RunConnection,
  type RunError,
  type RunHop,
  type RunPhases,
  type RunRequest,
} from './run-requests.js';
export { formatMs, formatSummary, statNames, stats, summarizeRun, type OriginSummary, type RunSummary, type StatName, type Stats } from './summary.js';
export { runHar, type RunHarOptions } from './run-har.js';
export { renderHtmlReport, type HtmlReportOptions } from './html-report.js';
