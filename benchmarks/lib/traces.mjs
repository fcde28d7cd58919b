/**
 * The traces the benchmarks attach: all 16 hooks as empty functions, and the context carrying them.
 */
import { emptyContext, hookNames, withClientTrace } from '../../dist/index.js';

if (hookNames.length !== 16) throw new Error(`expected 16 hooks, got ${hookNames.length}`);

/** A trace with every hook, each an empty function. */
export function emptyHooksTrace() {
  return Object.fromEntries(hookNames.map((name) => [name, () => {}]));
}

/** A context whose trace has all 16 hooks, empty. */
export const emptyHooksContext = withClientTrace(emptyContext, emptyHooksTrace());
