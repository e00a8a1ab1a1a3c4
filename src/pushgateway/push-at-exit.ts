/**
 * Pushes once more when the process ends, the way a batch job ends: when its event loop runs
 * dry (`'beforeExit'`) or on SIGTERM/SIGINT. A push is asynchronous, so the hook keeps the
 * process alive until the push is answered or times out, then lets it end as it would have.
 */
import { dieOfSignal } from '../dump/die-of-signal.js';
import type { PushgatewayPusher } from './pusher.js';

/** The signals {@link pushAtExit} handles by default. */
export const DEFAULT_PUSH_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Options of {@link pushAtExit}. */
export interface PushAtExitOptions {
  /** Push on these signals, then end the process by the signal (default SIGTERM and SIGINT). `[]` for none. */
  signals?: readonly NodeJS.Signals[];
  /** Push when the event loop runs dry (`'beforeExit'`, once; default true). */
  beforeExit?: boolean;
}

/** The handle of {@link pushAtExit}. */
export interface PushAtExit {
  /** Removes the listeners; the process behaves as if pushAtExit never ran. */
  uninstall(): void;
}

// Listeners of pushAtExit carry this mark; those of dumpOnCrash carry theirs (they dump
// synchronously, so they are done by the time a push ends). A signal is re-raised only when no
// listener of anyone else remains, and only once every pending exit push has ended.
const MARK = Symbol.for('scales-metrics.pushAtExit.listener');
const DUMP_MARK = Symbol.for('scales-metrics.dumpOnCrash.listener');
const PENDING = Symbol.for('scales-metrics.pushAtExit.pending');

type Marked = ((...args: unknown[]) => void) & { [MARK]?: true; [DUMP_MARK]?: true };

const ours = (fn: unknown): boolean => typeof fn === 'function' && ((fn as Marked)[MARK] === true || (fn as Marked)[DUMP_MARK] === true);

/** Exit pushes in flight, shared by every copy of this library in the process. */
function pending(): { n: number } {
  const p = process as unknown as Record<symbol, { n: number } | undefined>;
  let box = p[PENDING];
  if (box === undefined) {
    box = { n: 0 };
    p[PENDING] = box;
  }
  return box;
}

/** Ends the process by `signal` as if no listener had been installed (only when nobody else listens). */
function reraise(signal: NodeJS.Signals): void {
  const listeners = process.listeners(signal);
  if (listeners.length === 0 || !listeners.every(ours)) return; // the app's own listener decides
  dieOfSignal(signal, listeners);
}

/**
 * Installs the exit pushes of `pusher` (see {@link PushgatewayPusher.pushAtExit}). Throws a
 * RangeError, installing nothing, for a signal that cannot be listened to (SIGKILL, SIGSTOP).
 */
export function pushAtExit(pusher: PushgatewayPusher, options: PushAtExitOptions = {}): PushAtExit {
  const signals = options.signals ?? DEFAULT_PUSH_SIGNALS;
  let pushedBeforeExit = false;
  const onBeforeExit = () => {
    // Once: the push itself refills the event loop, and 'beforeExit' comes again after it.
    if (pushedBeforeExit) return;
    pushedBeforeExit = true;
    pusher.push().catch(() => {}); // push() never rejects; nothing is left unhandled if it did
  };

  const listeners = new Map<NodeJS.Signals, () => void>();
  for (const signal of signals) {
    let inFlight = false;
    const listener = (() => {
      try {
        // A second signal while the push runs: stop waiting for it.
        if (inFlight) return reraise(signal);
        inFlight = true;
        const box = pending();
        box.n++;
        const ended = () => {
          inFlight = false;
          box.n--;
          if (box.n === 0) reraise(signal);
        };
        // push() never rejects; were it to, the pending count still drops and nothing is unhandled.
        let p: Promise<unknown>;
        try {
          p = pusher.push();
        } catch {
          p = Promise.resolve();
        }
        p.then(ended, ended);
      } catch {
        // never throw from a signal listener
      }
    }) as Marked;
    listener[MARK] = true;
    listeners.set(signal, listener);
  }

  const uninstall = () => {
    process.removeListener('beforeExit', onBeforeExit);
    for (const [signal, l] of listeners) process.removeListener(signal, l);
    listeners.clear();
  };
  try {
    for (const [signal, l] of listeners) process.on(signal, l);
  } catch (err) {
    uninstall();
    throw new RangeError(`pushAtExit: cannot listen to the signals ${signals.join(', ')}: ${(err as Error).message}`);
  }
  if (options.beforeExit !== false) process.on('beforeExit', onBeforeExit);
  return { uninstall };
}
