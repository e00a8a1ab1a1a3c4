import { Writable } from 'node:stream';

/** A writable stream that keeps what is written, for running CLI commands in-process. */
export class Capture extends Writable {
  text = '';
  isTTY = false;
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

/** In-process io for a command: captured streams, no colour unless `env` says so, a fixed clock. */
export function captureIo(env: Record<string, string | undefined> = {}, nowMs = 1764000060_500) {
  const stdout = new Capture();
  const stderr = new Capture();
  return { stdout, stderr, env, now: () => nowMs };
}
