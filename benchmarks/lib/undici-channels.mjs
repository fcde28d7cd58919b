/**
 * A bare `diagnostics_channel` subscriber to undici's channels: a no-op function on each, the
 * floor cost of the mechanism the tracing dispatcher uses (it subscribes to three of them).
 */
import diagnostics from 'node:diagnostics_channel';

export const undiciChannels = [
  'undici:request:create',
  'undici:request:bodySent',
  'undici:request:headers',
  'undici:request:trailers',
  'undici:request:error',
  'undici:request:bodyChunkSent',
  'undici:request:bodyChunkReceived',
  'undici:client:sendHeaders',
  'undici:client:beforeConnect',
  'undici:client:connected',
  'undici:client:connectError',
];

/** Subscribes a no-op to every undici channel; returns the function that unsubscribes. */
export function subscribeBare() {
  const noop = () => {};
  for (const name of undiciChannels) diagnostics.subscribe(name, noop);
  return () => {
    for (const name of undiciChannels) diagnostics.unsubscribe(name, noop);
  };
}
