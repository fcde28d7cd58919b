/**
 * The process's global dispatcher, written the way undici 8 writes it so that Node's built-in fetch
 * (Node 20–24 read `Symbol.for('undici.globalDispatcher.1')` with legacy handlers, Node 26 `.2`
 * with new-API ones) and npm undici 6, 7 and 8's `getGlobalDispatcher()` all find it.
 */
import { baseOf, rememberBase } from './base-agent.js';
import { checkDispatcher, type Dispatcher } from './options.js';
import { currentSlot, legacySlot } from './versions.js';
import { dispatcherView } from './view.js';

type Slots = Record<symbol, unknown>;

function writeSlot(slot: symbol, value: unknown): void {
  // As undici defines it: writable, not enumerable, not configurable (so defined once, then assigned).
  if (Object.getOwnPropertyDescriptor(globalThis, slot) === undefined) {
    Object.defineProperty(globalThis, slot, { value, writable: true, enumerable: false, configurable: false });
  } else {
    (globalThis as Slots)[slot] = value;
  }
}

/**
 * What goes in the `.1` slot for `dispatcher` (in `.2`): the dispatcher itself when its base takes
 * legacy handlers (undici 6 and 7, as undici 7.27+ writes both slots); for an undici 8 base, a view
 * that holds every request to HTTP/1.1, as undici 8's `Dispatcher1Wrapper` does for the legacy
 * readers of `.1`. A dispatcher that is not a tracing dispatcher goes in both slots as it is.
 */
function legacySlotValue(dispatcher: Dispatcher): Dispatcher {
  const base = baseOf(dispatcher);
  if (base?.traits === undefined || base.traits.legacy) return dispatcher;
  const view = dispatcherView(dispatcher, (opts, handler) => dispatcher.dispatch(opts['allowH2'] === false ? opts : { ...opts, allowH2: false }, handler));
  rememberBase(view, base);
  return view;
}

/**
 * Makes `dispatcher` the process's global dispatcher (as undici's `setGlobalDispatcher` does, for
 * Node's built-in `fetch` and npm undici 6, 7 and 8 alike), so that a plain `fetch(url)` made inside
 * a traced context is traced. Returns a function that puts the previous dispatchers of both slots
 * back. A value that is not a dispatcher throws a `TypeError` (`ERR_HTTPTRACE_INVALID_OPTION`).
 */
export function installGlobalDispatcher(dispatcher: Dispatcher): () => void {
  checkDispatcher(dispatcher, 'installGlobalDispatcher');
  const g = globalThis as Slots;
  const previous = [g[legacySlot], g[currentSlot]] as const;
  writeSlot(currentSlot, dispatcher);
  writeSlot(legacySlot, legacySlotValue(dispatcher));
  return () => {
    writeSlot(legacySlot, previous[0]);
    writeSlot(currentSlot, previous[1]);
  };
}
