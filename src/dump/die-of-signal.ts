import { constants as osConstants } from 'node:os';

/**
 * Ends the process by `signal` as if `listeners` (the signal's exit hooks of dumpOnCrash and
 * pushAtExit, once nobody else listens) had never been installed: removes them and sends the
 * signal again, whose default action ends the process. When it cannot be re-sent, exits as a
 * shell reports a death by this signal (128 + its number).
 */
export function dieOfSignal(signal: NodeJS.Signals, listeners: readonly NodeJS.SignalsListener[]): void {
  for (const l of listeners) process.removeListener(signal, l);
  try {
    process.kill(process.pid, signal);
  } catch {
    process.exit(128 + (osConstants.signals[signal] ?? 0));
  }
}
