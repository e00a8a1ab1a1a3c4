// Running a private service binary (Prometheus, Pushgateway) for integration tests: started
// with its output in a log file, killed if the test process dies first, waited for on its
// `/-/ready`, and stopped by its own pid.
import { type ChildProcess, spawn } from 'node:child_process';
import { open, readFile, rm } from 'node:fs/promises';

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

/** One attempt of {@link startWithRetries}: the service started (not yet ready), its port and log. */
export interface Launched<S> {
  server: S;
  child: ChildProcess;
  port: number;
  logFile: string;
}

/**
 * Starts a service up to 3 times, each `launch()` on a new port and directory: the port is asked
 * from the OS and released before the service binds it, so another test may take it meanwhile.
 * Resolves with the first attempt whose `/-/ready` answers within 30 s (a loaded machine slows a
 * start down); else throws with each attempt's failure and its log's tail.
 */
export async function startWithRetries<S extends { readonly url: string; stop(): Promise<void> }>(
  what: string,
  launch: () => Promise<Launched<S>>,
): Promise<S> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    const { server, child, port, logFile } = await launch();
    if (await waitReady(server.url, child, 30_000)) return server;
    const log = await readFile(logFile, 'utf8').catch(() => '');
    const why = child.exitCode === null ? 'not ready within 30 s' : `exited with ${child.exitCode}`;
    failures.push(`attempt ${attempt} on 127.0.0.1:${port}: ${why}; log:\n${log.split('\n').slice(-10).join('\n')}`);
    await server.stop();
  }
  throw new Error(`${what} did not become ready:\n${failures.join('\n')}`);
}
