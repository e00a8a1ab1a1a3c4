/**
 * The status handlers of this process, so that request stats can leave out the requests they
 * answer (the status pages and `/metrics`): a scrape every 15 s is not the application's traffic.
 * Held weakly: a handler nobody uses any more is forgotten.
 */
import type { StatusHandler } from './handler.js';

const handlers = new Set<WeakRef<StatusHandler>>();

/** Remembers `handler` as one whose requests are the library's own. (internal) */
export function registerOwnHandler(handler: StatusHandler): void {
  handlers.add(new WeakRef(handler));
}

/** Whether a status handler of this process serves `url` (a request target: path and query). */
export function isOwnRequest(url: string | undefined): boolean {
  if (handlers.size === 0 || url === undefined) return false;
  const q = url.indexOf('?');
  const pathname = q < 0 ? url : url.slice(0, q);
  for (const ref of handlers) {
    const h = ref.deref();
    if (h === undefined) handlers.delete(ref);
    else if (h.matches(pathname)) return true;
  }
  return false;
}
