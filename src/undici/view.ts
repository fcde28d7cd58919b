/** A view of a dispatcher with its own `dispatch`, for `withDispatcherContext` and the global slots. */
import type { DispatchHandler } from './handler-api.js';
import type { Dispatcher, DispatchOptions } from './options.js';

/**
 * An object that is `dispatcher` (its prototype) but dispatches with `dispatch`. `close` and
 * `destroy` are forwarded plainly: undici's methods that read `#private` fields must run on the
 * dispatcher itself.
 */
export function dispatcherView(dispatcher: Dispatcher, dispatch: (opts: DispatchOptions, handler: DispatchHandler) => boolean): Dispatcher {
  return Object.create(dispatcher, {
    dispatch: { value: dispatch },
    close: { value: () => dispatcher.close() },
    destroy: { value: (err?: Error | null) => dispatcher.destroy(err) },
  }) as Dispatcher;
}
