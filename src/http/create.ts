/**
 * `createStatusHandler`: the status handler with the defaults filled in.
 */
import { sourceOf } from '../registry/default-registry.js';
import { StatusHandler, type StatusHandlerOptions } from './handler.js';
import { registerOwnHandler } from './own-requests.js';

/**
 * Creates the status handler (see {@link StatusHandler}); every adapter is built on it.
 *
 * @example
 * const status = createStatusHandler({ serverName: 'web-1' });
 * const res = await status.fetch(new Request('http://x/status/web?format=json'));
 * status.close();
 */
export function createStatusHandler(options: StatusHandlerOptions = {}): StatusHandler {
  const handler = new StatusHandler({ ...options, source: sourceOf(options, 'createStatusHandler') });
  registerOwnHandler(handler); // request stats leave its requests out
  return handler;
}
