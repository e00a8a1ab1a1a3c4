/**
 * `createStatusHandler`: the status handler with the defaults filled in.
 */
import { StatusHandler, type StatusHandlerOptions } from './handler.js';
import type { SnapshotSource } from './history.js';

let defaultSource: (() => SnapshotSource) | undefined;

/** Sets where handlers without a `registry` option read from (the core's default registry). */
export function setDefaultSnapshotSource(get: () => SnapshotSource): void {
  defaultSource = get;
}

/**
 * Creates the status handler (see {@link StatusHandler}); every adapter is built on it.
 *
 * @example
 * const status = createStatusHandler({ serverName: 'web-1' });
 * const res = await status.fetch(new Request('http://x/status/web?format=json'));
 * status.close();
 */
export function createStatusHandler(options: StatusHandlerOptions = {}): StatusHandler {
  const registry = options.registry ?? defaultSource?.();
  if (!registry) throw new TypeError('createStatusHandler: no registry given and no default registry available');
  return new StatusHandler({ ...options, registry });
}
