// Runs the package's `scales` bin as a child process, the way a user's shell does.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const PACKAGE_JSON = require.resolve('scales-metrics/package.json');

/** The path of the package's `scales` bin, as package.json names it. */
export async function bin(): Promise<string> {
  const pkg = JSON.parse(await readFile(PACKAGE_JSON, 'utf8')) as { bin: { scales: string } };
  return join(dirname(PACKAGE_JSON), pkg.bin.scales);
}

/** Runs the `scales` bin in a child process (environment: PATH and `env` only); never rejects. */
export function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return bin().then(
    (path) =>
      new Promise((resolve) => {
        execFile(process.execPath, [path, ...args], { timeout: 20_000, env: { PATH: process.env.PATH ?? '', ...env } }, (err, stdout, stderr) => {
          resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
        });
      }),
  );
}
