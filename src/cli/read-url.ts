/**
 * Reading a status page (or any JSON URL) for `scales view` and `scales push-once`: one timeout
 * for the whole answer (headers and body), a cap on the body's size, and one kind of error for
 * every network failure (refused, unknown host, timeout before or after the headers, a
 * connection that breaks mid-body), each naming the URL.
 */
import { readBodyStart } from '../http/read-body.js';
import { printable } from './render-tree.js';

/** How long reading a URL may take, headers and body together, by default. */
export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;

/** The largest body read from a URL by default (64 MiB); a larger one is refused. */
export const DEFAULT_MAX_URL_BODY_BYTES = 64 * 1024 * 1024;

/** How much of an error answer's body is read to show in the message. */
const ERROR_BODY_BYTES = 4096;

/** Options of {@link readUrl}. */
export interface ReadUrlOptions {
  /** Headers of the request (e.g. the credentials). */
  headers?: Record<string, string>;
  /** Default {@link DEFAULT_FETCH_TIMEOUT_MS}. */
  timeoutMs?: number;
  /** Default {@link DEFAULT_MAX_URL_BODY_BYTES}. */
  maxBodyBytes?: number;
  /** How the body limit is set on the command line, for the message (e.g. `--max-body`). */
  maxBodyOption?: string;
}

/** A URL that could not be read: a network failure, a timeout, or a body over the limit. */
export class UrlReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UrlReadError';
  }
}

/** What a URL answered: the status and the body (for an error status, only its first 4 KiB). */
export interface UrlAnswer {
  ok: boolean;
  status: number;
  statusText: string;
  text: string;
}

/** A byte count as people read it: `64 MiB`, `1.5 KiB`, `300 bytes`. */
export function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : Number(v.toFixed(1))} ${units[i]}`;
}

/**
 * Parses a size like `64M`, `512k`, `1.5GiB`, `10MB` or a plain number of bytes (k, M, G count
 * in 1024s). Throws an error naming the text when it is not one.
 */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:([kmg])(?:i?b)?|b)?\s*$/i.exec(text);
  if (m === null) throw new Error(`invalid size "${printable(text)}": expected e.g. 64M, 512k, 1G or a number of bytes`);
  const scale = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2] ?? '').toLowerCase()] ?? 1;
  const bytes = Math.floor(Number(m[1]) * scale);
  if (!(bytes > 0)) throw new Error(`invalid size "${printable(text)}": must be at least 1 byte`);
  return bytes;
}

function describeFailure(err: unknown, timeoutMs: number, phase: 'connect' | 'body'): string {
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string; name?: string } };
  if (e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError') {
    return phase === 'connect'
      ? `no answer within ${timeoutMs / 1000} s (timeout)`
      : `the body did not arrive within ${timeoutMs / 1000} s (timeout after the headers)`;
  }
  const code = e?.cause?.code ?? e?.code;
  const detail = code ?? e?.cause?.message ?? e?.message ?? String(err);
  return phase === 'connect' ? detail : `the connection broke while reading the body (${detail})`;
}

/**
 * GETs `url` and reads its body, within `timeoutMs` for the whole answer and at most
 * `maxBodyBytes` of body. Resolves for any HTTP status (an error status with the first 4 KiB of
 * its body); rejects with a {@link UrlReadError} naming the URL for every network failure, a
 * timeout before or after the headers, and a body over the limit (reading stops there).
 */
export async function readUrl(url: URL, options: ReadUrlOptions = {}): Promise<UrlAnswer> {
  // A whole number of milliseconds that a timer can hold (AbortSignal.timeout takes no more).
  const timeoutMs = Math.min(Math.max(1, Math.ceil(options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS)), 2 ** 31 - 1);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_URL_BODY_BYTES;
  const where = printable(url.href);
  const tooLarge = () =>
    new UrlReadError(
      `cannot read ${where}: the answer is larger than ${formatBytes(maxBodyBytes)}` +
        ` (${options.maxBodyOption ?? 'the body limit'}); stopped reading`,
    );
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: options.headers ?? {} });
  } catch (err) {
    throw new UrlReadError(`cannot read ${where}: ${printable(describeFailure(err, timeoutMs, 'connect'))}`);
  }
  const statusText = printable(response.statusText);
  let body: { text: string; over: boolean };
  try {
    if (!response.ok) {
      body = await readBodyStart(response, ERROR_BODY_BYTES);
      return { ok: false, status: response.status, statusText, text: body.text };
    }
    const declared = Number(response.headers.get('content-length'));
    if (declared > maxBodyBytes) {
      await response.body?.cancel().catch(() => {});
      throw tooLarge();
    }
    body = await readBodyStart(response, maxBodyBytes);
  } catch (err) {
    if (err instanceof UrlReadError) throw err;
    throw new UrlReadError(`cannot read ${where}: ${printable(describeFailure(err, timeoutMs, 'body'))}`);
  }
  if (body.over) throw tooLarge();
  return { ok: true, status: response.status, statusText, text: body.text };
}
