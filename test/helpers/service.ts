// Running a private service binary (Prometheus, Pushgateway) for integration tests: started
// with its output in a log file, killed if the test process dies first, waited for on its
// `/-/ready`, and stopped by its own pid.
import { type ChildProcess, spawn } from 'node:child_process';
import { open, rm } from 'node:fs/promises';

/** Starts `bin` with stdout and stderr appended to `logFile`; SIGKILLed if the test process exits first. */
export async function spawnService(bin: string, args: readonly string[], logFile: string): Promise<ChildProcess> {
  const log = await open(logFile, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', log.fd, log.fd] });
  await log.close();
  // If the test process dies before stop(), do not leave the service running.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  return child;
}

/** Whether `url` + `/-/ready` answered ok within `ms` (false at once when `child` exits). */
export async function waitReady(url: string, child: ChildProcess, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) return false;
    try {
      if ((await fetch(url + '/-/ready', { signal: AbortSignal.timeout(2000) })).ok) return true;
    } catch {
      // not listening yet
    }
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops `child` (SIGTERM, SIGKILL after 10 s) and removes `dir`. */
export async function stopService(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }
  await rm(dir, { recursive: true, force: true });
}
