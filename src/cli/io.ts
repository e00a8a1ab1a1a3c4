/** Where a command writes, and the environment it reads (for colours); tests pass their own. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env?: Record<string, string | undefined>;
  /** The current time in epoch milliseconds (default `Date.now`), for the age of a dump. */
  now?: () => number;
}

/** Exit code of a successful command. */
export const EXIT_OK = 0;
/** Exit code of a failure that is not the user's input (a server answering 500, a bug). */
export const EXIT_FAILURE = 1;
/** Exit code of bad arguments, or of files or URLs that cannot be read. */
export const EXIT_USAGE = 2;

/** An error that the command reports with its message and exit code 2 (bad arguments, unreadable input). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Writes `text` to a stream, resolving once it was handed over (so the process can exit after). */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
}
