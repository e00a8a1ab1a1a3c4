/**
 * `scales push-once`: sends the numeric stats of a dump file (or of a live status page's JSON)
 * to Graphite once, e.g. to backfill what a crashed server could not push. Dispatched from the
 * `scales` command (src/cli/main.ts).
 */

import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { DEFAULT_MAX_URL_BODY_BYTES, parseByteSize, readUrl } from '../cli/read-url.js';
import { printable, printableLines } from '../cli/render-tree.js';
import { splitUrlCredentials } from '../cli/url-credentials.js';
import type { JsonValue } from '../core/snapshot.js';
import { JsonTooDeepError, parseJsonText } from '../dump/json-text.js';
import { type DumpContents, DumpReadError, readDump as readDumpContents } from '../dump/read-dump.js';
import { runWalk, walkSnapshot } from './collect.js';
import { DEFAULT_GRAPHITE_PORT, DEFAULT_PICKLE_PORT } from './pusher.js';
import { GraphiteRules } from './rules.js';
import { normalizePrefix } from './sanitize.js';
import { createGraphiteSender, type GraphiteProtocol } from './sender.js';

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

const EXIT_OK = 0;
const EXIT_SEND_FAILED = 1;
const EXIT_USAGE = 2;
const DEFAULT_TIMEOUT_MS = 10000;

class UsageError extends Error {}

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

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    stream.write(text, () => resolve());
  });
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

function parseArgs(argv: string[]): Args | 'help' {
  const out: Partial<Args> & { rules: Args['rules'] } = { rules: [], protocol: 'plaintext', timeoutMs: DEFAULT_TIMEOUT_MS, maxBodyBytes: DEFAULT_MAX_URL_BODY_BYTES, dryRun: false };
  let graphite: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    switch (name) {
      case '-h':
      case '--help':
        return 'help';
      case '--graphite':
        graphite = value();
        break;
      case '--from':
        out.from = value();
        break;
      case '--prefix':
        out.prefix = value();
        break;
      case '--protocol': {
        const p = value();
        if (p !== 'plaintext' && p !== 'pickle' && p !== 'udp') throw new UsageError(`--protocol "${p}": expected plaintext, pickle or udp`);
        out.protocol = p;
        break;
      }
      case '--timestamp': {
        const t = value();
        const n = Number(t);
        if (t.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UsageError(`--timestamp "${t}": expected seconds since the epoch`);
        if (n > 1e11) throw new UsageError(`--timestamp "${t}": looks like milliseconds; carbon wants seconds`);
        out.timestamp = Math.floor(n);
        break;
      }
      case '--allow':
        out.rules.push({ allow: true, glob: value() });
        break;
      case '--forbid':
        out.rules.push({ allow: false, glob: value() });
        break;
      case '--timeout': {
        const t = value();
        const n = Number(t);
        if (!/^\d+$/.test(t) || n <= 0) throw new UsageError(`--timeout "${t}": expected a positive number of milliseconds`);
        out.timeoutMs = n;
        break;
      }
      case '--max-body': {
        const t = value();
        try {
          out.maxBodyBytes = parseByteSize(t);
        } catch (error) {
          throw new UsageError(`--max-body: ${(error as Error).message}`);
        }
        break;
      }
      case '--dry-run':
        out.dryRun = true;
        break;
      default:
        throw new UsageError(`unknown argument "${arg}"`);
    }
  }
  if (out.from === undefined) throw new UsageError('--from FILE|URL is required');
  if (graphite === undefined && !out.dryRun) throw new UsageError('--graphite HOST[:PORT] is required');
  const { host, port } = graphite === undefined ? { host: '', port: undefined } : parseHostPort(graphite);
  return { ...(out as Args), host, port };
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
    throw new UsageError(`${printable(from)} ${error instanceof JsonTooDeepError ? 'is refused' : 'is not JSON'}: ${printable((error as Error).message)}`);
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
export async function runPushOnce(args: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  try {
    const parsed = parseArgs(args);
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
    const { names, values, skipped } = runWalk(walkSnapshot(dump.node, rules, prefix));
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
      return EXIT_SEND_FAILED;
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
    return EXIT_SEND_FAILED;
  }
}
