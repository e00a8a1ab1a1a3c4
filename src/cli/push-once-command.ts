/**
 * `scales push-once`: sends the numeric stats of a dump file (or of a live status page's JSON)
 * to Graphite once, e.g. to backfill what a crashed server could not push. Dispatched from the
 * `scales` command (./main.ts).
 */

import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { runToEnd } from '../core/slices.js';
import type { JsonValue } from '../core/snapshot.js';
import { JsonTooDeepError, parseJsonText } from '../dump/json-text.js';
import { type DumpContents, DumpReadError, readDump as readDumpContents } from '../dump/read-dump.js';
import { walkSnapshot } from '../graphite/collect.js';
import { DEFAULT_GRAPHITE_PORT, DEFAULT_PICKLE_PORT } from '../graphite/pusher.js';
import { GraphiteRules } from '../graphite/rules.js';
import { normalizePrefix } from '../graphite/sanitize.js';
import { createGraphiteSender, type GraphiteProtocol } from '../graphite/sender.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, write } from './io.js';
import { DEFAULT_MAX_URL_BODY_BYTES, parseByteSize, readUrl } from './read-url.js';
import { printable, printableLines } from './render-tree.js';
import { splitUrlCredentials } from './url-credentials.js';

/** Help of `scales push-once`. */
export const PUSH_ONCE_HELP = `Usage: scales push-once --graphite HOST[:PORT] --from FILE|URL [options]

Sends every numeric stat of a stats dump (or of a live status page's JSON) to Graphite once,
for instance to backfill the last stats of a server that crashed.

Options:
  --graphite HOST[:PORT]  carbon's address (port default 2003; 2004 with --protocol pickle;
                          IPv6 as [::1]:2003)
  --from FILE|URL         a dump file (with its header, or a bare stat tree as getStats()
                          returns it) or a status page URL (?format=json is added if missing;
                          basic auth as http://user:password@host/status/)
  --prefix P              start of every name (default: the dump's host, lower-cased, else
                          this machine's host name); a trailing '.' is added
  --protocol P            plaintext (default), pickle or udp
  --timestamp EPOCH       seconds since the epoch for every datapoint (default: the dump's
                          last-updated, else now)
  --allow GLOB            send only the stat paths this glob matches (repeatable; default all)
  --forbid GLOB           do not send the paths this glob matches (repeatable; newest rule wins)
  --timeout MS            how long to wait for carbon, and for the --from URL's whole
                          answer (default 10000)
  --max-body SIZE         the largest answer read from the --from URL (default 64M; k, M, G
                          count in 1024s); a larger one is refused
  --dry-run               print the plaintext lines instead of sending them
  -h, --help              this help

Exit codes: 0 sent, 1 carbon did not take everything, 2 bad arguments or unreadable input
(a missing or partial file, an unreachable URL: refused, unknown host, timeout, broken
connection, an error status, an answer over --max-body).
`;

const DEFAULT_TIMEOUT_MS = 10000;

interface Args {
  host: string;
  port: number | undefined;
  from: string;
  prefix: string | undefined;
  protocol: GraphiteProtocol;
  timestamp: number | undefined;
  rules: { allow: boolean; glob: string }[];
  timeoutMs: number;
  maxBodyBytes: number;
  dryRun: boolean;
}

/** Parses `host`, `host:port`, `[v6]` or `[v6]:port`. */
export function parseHostPort(text: string): { host: string; port: number | undefined } {
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (v6) {
    host = v6[1];
    portText = v6[2];
  } else {
    const i = text.lastIndexOf(':');
    if (i >= 0 && text.indexOf(':') !== i) throw new UsageError(`--graphite "${text}": write an IPv6 address in brackets, e.g. [::1]:2003`);
    host = i >= 0 ? text.slice(0, i) : text;
    portText = i >= 0 ? text.slice(i + 1) : undefined;
  }
  if (host.length === 0) throw new UsageError(`--graphite "${text}": the host is missing`);
  if (portText === undefined) return { host, port: undefined };
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new UsageError(`--graphite "${text}": port "${portText}" is not in 1..65535`);
  return { host, port };
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      tokens: true,
      options: {
        graphite: { type: 'string' },
        from: { type: 'string' },
        prefix: { type: 'string' },
        protocol: { type: 'string' },
        timestamp: { type: 'string' },
        allow: { type: 'string', multiple: true },
        forbid: { type: 'string', multiple: true },
        timeout: { type: 'string' },
        'max-body': { type: 'string' },
        'dry-run': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function readArgs(argv: string[]): Args | 'help' {
  const { values, tokens } = parse(argv);
  if (values.help) return 'help';
  // --allow and --forbid in the order given: the newest rule wins.
  const rules: Args['rules'] = [];
  for (const t of tokens) {
    if (t.kind === 'option' && (t.name === 'allow' || t.name === 'forbid') && t.value !== undefined)
      rules.push({ allow: t.name === 'allow', glob: t.value });
  }
  let protocol: GraphiteProtocol = 'plaintext';
  if (values.protocol !== undefined) {
    const p = values.protocol;
    if (p !== 'plaintext' && p !== 'pickle' && p !== 'udp') throw new UsageError(`--protocol "${p}": expected plaintext, pickle or udp`);
    protocol = p;
  }
  let timestamp: number | undefined;
  if (values.timestamp !== undefined) {
    const t = values.timestamp;
    const n = Number(t);
    if (t.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--timestamp "${t}": expected seconds since the epoch`);
    if (n > 1e11) throw new UsageError(`--timestamp "${t}": looks like milliseconds; carbon wants seconds`);
    timestamp = Math.floor(n);
  }
  let timeoutMs = DEFAULT_TIMEOUT_MS;
  if (values.timeout !== undefined) {
    const t = values.timeout;
    const n = Number(t);
    if (!/^\d+$/.test(t) || n <= 0) throw new UsageError(`--timeout "${t}": expected a positive number of milliseconds`);
    timeoutMs = n;
  }
  let maxBodyBytes = DEFAULT_MAX_URL_BODY_BYTES;
  if (values['max-body'] !== undefined) {
    try {
      maxBodyBytes = parseByteSize(values['max-body']);
    } catch (error) {
      throw new UsageError(`--max-body: ${(error as Error).message}`);
    }
  }
  const dryRun = values['dry-run'] === true;
  if (values.from === undefined) throw new UsageError('--from FILE|URL is required');
  if (values.graphite === undefined && !dryRun) throw new UsageError('--graphite HOST[:PORT] is required');
  const { host, port } = values.graphite === undefined ? { host: '', port: undefined } : parseHostPort(values.graphite);
  return { host, port, from: values.from, prefix: values.prefix, protocol, timestamp, rules, timeoutMs, maxBodyBytes, dryRun };
}

async function readSource(from: string, args: Pick<Args, 'timeoutMs' | 'maxBodyBytes'>): Promise<JsonValue> {
  let text: string;
  if (/^https?:\/\//i.test(from)) {
    let url: URL;
    try {
      url = new URL(from);
    } catch {
      throw new UsageError(`--from "${printable(from)}": not a valid URL`);
    }
    if (!url.searchParams.has('format')) url.searchParams.set('format', 'json');
    const split = splitUrlCredentials(url);
    url = split.url;
    let res: Awaited<ReturnType<typeof readUrl>>;
    try {
      res = await readUrl(url, { headers: split.headers, timeoutMs: args.timeoutMs, maxBodyBytes: args.maxBodyBytes, maxBodyOption: '--max-body' });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    if (!res.ok) throw new UsageError(`cannot read ${url.href}: HTTP ${res.status}`);
    text = res.text;
  } else {
    try {
      text = await readFile(from, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${printable(from)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  try {
    return parseJsonText(text) as JsonValue;
  } catch (error) {
    throw new UsageError(
      `${printable(from)} ${error instanceof JsonTooDeepError ? 'is refused' : 'is not JSON'}: ${printable((error as Error).message)}`,
    );
  }
}

/** Reads a dump or a bare tree (Python's dumps mix `last-updated` into it) through the one dump reader. */
export function readDump(data: JsonValue, from: string): DumpContents {
  try {
    return readDumpContents(data, from);
  } catch (error) {
    if (error instanceof DumpReadError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Runs `scales push-once <args>`; resolves to the exit code (0 sent, 1 carbon did not take
 * everything, 2 bad arguments or unreadable input) and never throws.
 *
 * @example
 * await runPushOnce(['--graphite', '127.0.0.1:2003', '--from', 'stats.json'], process);
 */
export async function runPushOnce(args: string[], io: CliIo): Promise<number> {
  try {
    const parsed = readArgs(args);
    if (parsed === 'help') {
      await write(io.stdout, PUSH_ONCE_HELP);
      return EXIT_OK;
    }
    const dump = readDump(await readSource(parsed.from, parsed), printable(parsed.from));
    const prefix = normalizePrefix(parsed.prefix ?? (dump.host ?? os.hostname()).toLowerCase());
    const timestamp = parsed.timestamp ?? Math.floor(dump.lastUpdated ?? Date.now() / 1000);
    const rules = new GraphiteRules();
    if (!parsed.rules.some((r) => r.allow)) rules.allow('*');
    for (const r of parsed.rules) {
      if (r.allow) rules.allow(r.glob);
      else rules.forbid(r.glob);
    }
    const { names, values, skipped } = runToEnd(walkSnapshot(dump.node, rules, prefix));
    if (parsed.dryRun) {
      let text = '';
      for (let i = 0; i < names.length; i++) text += `${names[i]} ${values[i]} ${timestamp}\n`;
      await write(io.stdout, text);
      return EXIT_OK;
    }
    const port = parsed.port ?? (parsed.protocol === 'pickle' ? DEFAULT_PICKLE_PORT : DEFAULT_GRAPHITE_PORT);
    const sender = createGraphiteSender({ host: parsed.host, port, protocol: parsed.protocol, bufferBytes: Number.MAX_SAFE_INTEGER });
    sender.send({ names, values, timestamp });
    const flushed = await sender.flush({ timeoutMs: parsed.timeoutMs, keepAlive: true });
    await sender.close(Math.min(parsed.timeoutMs, 2000));
    const stats = sender.stats();
    const where = `${parsed.protocol} ${sender.destination}`;
    if (!flushed.drained || stats.sent < names.length) {
      const why = stats.lastError || 'carbon did not take them in time';
      await write(io.stderr, `scales push-once: sent ${stats.sent} of ${names.length} datapoints to ${printable(where)}: ${printable(why)}\n`);
      return EXIT_FAILURE;
    }
    const note = skipped > 0 ? ` (${skipped} skipped: names too long for carbon)` : '';
    await write(io.stdout, `sent ${names.length} datapoints to ${printable(where)}, prefix "${printable(prefix)}", timestamp ${timestamp}${note}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      // Messages quote file names, URLs, server answers and JSON parser messages: escaped.
      await write(io.stderr, `scales push-once: ${printableLines(error.message)}\nRun "scales push-once --help" for usage.\n`);
      return EXIT_USAGE;
    }
    if (error instanceof TypeError && /graphite/.test(error.message)) {
      await write(io.stderr, `scales push-once: ${printableLines(error.message)}\n`);
      return EXIT_USAGE;
    }
    await write(io.stderr, `scales push-once: ${printableLines((error as Error)?.stack ?? String(error))}\n`);
    return EXIT_FAILURE;
  }
}
