import type { DumpOptions } from './dump-file.js';
import { dumpStatsToSync } from './dump-file.js';
import type { DumpFile } from './dump-format.js';
import { sourceOf } from '../registry/default-registry.js';
import { dieOfSignal } from './die-of-signal.js';

/** The signals {@link dumpOnCrash} handles by default. */
export const DEFAULT_CRASH_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** Options of {@link dumpOnCrash}. */
export interface DumpOnCrashOptions extends DumpOptions {
  /** Signals after which to dump (default SIGTERM and SIGINT). `[]` for none. */
  signals?: readonly NodeJS.Signals[];
  /** Dump at every process exit too (default true). */
  onExit?: boolean;
  /** Called when a dump cannot be written (default: a line on stderr). Must not throw. */
  onError?: (error: Error) => void;
}

/** The handle of {@link dumpOnCrash}. */
export interface CrashDump {
  /** Removes every listener this call installed; the process behaves as if it never ran. */
  uninstall(): void;
  /** Why the last dump was written ('exit', 'SIGTERM', 'uncaughtException', ...), if any. */
  readonly lastReason: string | undefined;
}

/** Signals that do not end a Node process by default (SIGPIPE is ignored by Node itself). */
const NOT_FATAL_BY_DEFAULT: ReadonlySet<string> = new Set(['SIGPIPE', 'SIGCHLD', 'SIGWINCH', 'SIGURG', 'SIGCONT']);

// Listeners of every dumpOnCrash (of every copy of this library in the process) carry this
// mark, so that a signal is re-raised only when no one else listens.
const MARK = Symbol.for('scales-metrics.dumpOnCrash.listener');

type Marked = ((...args: unknown[]) => void) & { [MARK]?: true };

function mark<F extends (...args: never[]) => void>(fn: F): F {
  (fn as unknown as Marked)[MARK] = true;
  return fn;
}

function isMarked(fn: unknown): boolean {
  return typeof fn === 'function' && (fn as Marked)[MARK] === true;
}

function describeThrown(err: unknown): { message: string; stack?: string } {
  if (err instanceof Error) {
    const message = String(err.message);
    const stack = err.stack;
    return typeof stack === 'string' ? { message, stack: stack.slice(0, 4000) } : { message };
  }
  let message: string;
  try {
    message = typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err));
  } catch {
    message = String(err);
  }
  return { message: message.slice(0, 4000) };
}

/**
 * The message and stack of whatever was thrown. Never throws, even for a value whose getters,
 * `toJSON` or `toString` throw, or a Proxy: an exception escaping from a crash listener would make
 * Node exit with code 7 instead of the crash's own code.
 */
function errorInfo(err: unknown): { message: string; stack?: string } {
  try {
    return describeThrown(err);
  } catch {
    return { message: '(a thrown value that cannot be described)' };
  }
}

/**
 * Writes the stats to `filename` (synchronously and atomically) when the process goes, so that
 * the last values survive the crash they are meant to explain. Exactly what it does:
 *
 * - **Uncaught exception**, and **unhandled rejection when it crashes the process** (Node's
 *   default `--unhandled-rejections=throw` with no 'unhandledRejection' listener, or `strict`):
 *   listens to `'uncaughtExceptionMonitor'`, which Node emits just before it handles the error;
 *   dumps with `reason` 'uncaughtException' or 'unhandledRejection' and `error`. A monitor does
 *   not handle the error: the process still prints it and exits with code 1. When your own
 *   'uncaughtException' listener handles it, the process does not go: nothing is written then
 *   (only `error` is kept for the exit dump), and your listener decides what happens. A rejection
 *   that does not crash (a listener, or `--unhandled-rejections=warn`) is not dumped either.
 * - **SIGTERM, SIGINT** (option `signals`): adds a listener that dumps with `reason` set to the
 *   signal's name. Adding a listener replaces Node's default action (to die of the signal), so
 *   when no listener other than dumpOnCrash's is installed, it removes its own listeners and
 *   re-sends the signal to the process: the process then dies of the signal as it would have
 *   without dumpOnCrash (a parent sees the same signal). When the app has its own listener, the
 *   app's listener decides, as before. A signal that does not end the process by default
 *   (SIGPIPE, which Node ignores, SIGCHLD, SIGWINCH, SIGURG, SIGCONT) is dumped, not re-sent.
 * - **Exit** (option `onExit`, default true): an `'exit'` listener dumps again with the freshest
 *   values and `exitCode`, whether the process ends by `process.exit()`, an empty event loop or
 *   a crash. `reason` is 'exit', or 'uncaughtException'/'unhandledRejection' when that crash is
 *   why the process exits; `error` is the last uncaught error seen, if any. It changes no code.
 *   (Node runs 'exit' listeners after an unhandled error too, so the last file of a crashed
 *   process is this one, written after the error was printed.)
 *
 * Other listeners are never touched. Dump failures go to `onError` (default: one line on stderr)
 * and never throw; nothing thrown from these listeners can change the exit code. A signal that
 * cannot be listened to (SIGKILL, SIGSTOP) throws a RangeError here, with nothing installed.
 * Returns a handle whose `uninstall()` removes the listeners.
 * @example
 * dumpOnCrash('/var/run/myapp/stats.json', { sketches: true });
 */
export function dumpOnCrash(filename: string, options: DumpOnCrashOptions = {}): CrashDump {
  // Bad options are said now, at install time, not when the process is dying.
  sourceOf(options, 'dumpOnCrash');
  const signals = options.signals ?? DEFAULT_CRASH_SIGNALS;
  let lastReason: string | undefined;
  let lastError: { message: string; stack?: string } | undefined;

  const write = (extra: Partial<DumpFile>): void => {
    lastReason = extra.reason;
    try {
      dumpStatsToSync(filename, options, extra);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      try {
        if (options.onError) options.onError(error);
        else process.stderr.write(`scales-metrics: could not write the crash dump ${filename}: ${error.message}\n`);
      } catch {
        // nothing left to report to
      }
    }
  };

  let fatalReason: string | undefined;

  const onUncaught = mark((err: unknown, origin: string) => {
    // Nothing may escape from here: an exception thrown by a monitor makes Node exit with 7.
    try {
      lastError = errorInfo(err);
      // Handled by an app listener (or a capture callback): the process does not go, so only
      // `error` is kept for the exit dump; writing here would block the loop at every such error.
      if (process.listenerCount('uncaughtException') > 0 || process.hasUncaughtExceptionCaptureCallback()) return;
      // Nobody handles it: Node will print it and exit with code 1 (after 'exit' listeners).
      fatalReason = origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException';
      write({ reason: fatalReason, error: lastError });
    } catch {
      // write() reports its own failures; this only guards the bookkeeping around it
    }
  });

  const onExit = mark((code: number) => {
    const reason = fatalReason ?? 'exit';
    write(lastError === undefined ? { reason, exitCode: code } : { reason, exitCode: code, error: lastError });
  });

  const signalListeners = new Map<NodeJS.Signals, () => void>();
  for (const signal of signals) {
    const listener = mark(() => {
      write({ reason: signal });
      // Signals whose default is to do nothing (Node ignores SIGPIPE): nothing to re-raise.
      if (NOT_FATAL_BY_DEFAULT.has(signal)) return;
      const listeners = process.listeners(signal);
      // Re-raise only from the last of our listeners, once every listener ran, and only if
      // nobody else listens: then the default action (death by the signal) takes place.
      if (listeners.length > 0 && listeners.every(isMarked) && listeners[listeners.length - 1] === listener) dieOfSignal(signal, listeners);
    });
    signalListeners.set(signal, listener);
  }

  const uninstall = (): void => {
    process.removeListener('uncaughtExceptionMonitor', onUncaught);
    process.removeListener('exit', onExit);
    for (const [signal, listener] of signalListeners) process.removeListener(signal, listener);
    signalListeners.clear();
  };
  try {
    for (const [signal, listener] of signalListeners) process.on(signal, listener);
  } catch (err) {
    // e.g. SIGKILL or SIGSTOP, which no process can catch: install nothing rather than half.
    uninstall();
    throw new RangeError(`dumpOnCrash: cannot listen to the signals ${signals.join(', ')}: ${(err as Error).message}`);
  }
  process.on('uncaughtExceptionMonitor', onUncaught);
  if (options.onExit !== false) process.on('exit', onExit);

  return {
    uninstall,
    get lastReason() {
      return lastReason;
    },
  };
}
