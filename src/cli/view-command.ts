import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { JsonObject, JsonValue } from '../core/snapshot.js';
import { type DumpContents, DumpReadError, readDump } from '../dump/read-dump.js';
import { JsonTooDeepError, parseJsonText } from '../dump/json-text.js';
import { emptyLike, filterSnapshot, parseQuery } from '../formats/query.js';
import { type SnapshotNode, snapshotJson, statJsonValue } from '../registry/snapshot.js';
import { ANSI_PALETTE, type Palette, PLAIN_PALETTE, useColor } from './colors.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, write } from './io.js';
import { parseDurationSeconds } from './duration.js';
import { DEFAULT_FETCH_TIMEOUT_MS, DEFAULT_MAX_URL_BODY_BYTES, parseByteSize, readUrl, UrlReadError } from './read-url.js';
import { printable, printableJson, printableLines, renderSnapshotTree, renderTree } from './render-tree.js';
import { splitUrlCredentials } from './url-credentials.js';
import { getOwn, isObject } from '../core/json.js';

/** Help of `scales view`. */
export const VIEW_HELP = `Usage: scales view FILE|URL [PATH] [--query Q] [--json] [--timeout 10s] [--max-body 64M]

Shows a stats dump (a file written by dumpStatsTo / dumpOnCrash / dumpStatsPeriodically, or any
JSON stat tree) or a live server's status page as a readable tree.

  FILE|URL      a JSON file, or an http(s) URL of a status page (?format=json is added;
                basic auth as http://user:password@host/status/)
  PATH          only this subtree, e.g. /web/latency
  --query, -q   keep only matching branches: "key" or "key OP value", OP one of >= > < <= = == !=
  --json        print the (filtered) tree as JSON instead
  --timeout     how long to wait for a URL's whole answer (default 10s)
  --max-body    the largest answer read from a URL (default 64M; k, M, G count in 1024s);
                a larger one is refused and reading stops there
  --help, -h    this help

Colours when the output is a terminal or FORCE_COLOR is set; never with NO_COLOR.
Exit codes: 0 ok, 1 the server answered with an error, 2 bad arguments or unreadable input
(a missing or partial file, an unreachable URL: refused, unknown host, timeout, broken connection,
an answer over --max-body).
`;

export { DEFAULT_FETCH_TIMEOUT_MS };

class ServerError extends Error {}

interface LoadOptions {
  timeoutMs: number;
  maxBodyBytes: number;
}

function parseInput(text: string, origin: string, what: string): JsonValue {
  try {
    return parseJsonText(text) as JsonValue;
  } catch (err) {
    const why = printable((err as Error).message);
    throw new UsageError(err instanceof JsonTooDeepError ? `${origin}: ${why}` : `${origin} ${what}: ${why}`);
  }
}

async function load(source: string, options: LoadOptions): Promise<{ data: JsonValue; origin: string }> {
  if (/^https?:\/\//i.test(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw new UsageError(`invalid URL "${printable(source)}"`);
    }
    if (!url.searchParams.has('format')) url.searchParams.set('format', 'json');
    const split = splitUrlCredentials(url);
    url = split.url;
    const origin = printable(url.href);
    let answer: Awaited<ReturnType<typeof readUrl>>;
    try {
      answer = await readUrl(url, {
        headers: { accept: 'application/json', ...split.headers },
        timeoutMs: options.timeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        maxBodyOption: '--max-body',
      });
    } catch (err) {
      throw err instanceof UrlReadError ? new UsageError(err.message) : err;
    }
    if (!answer.ok) {
      throw new ServerError(`${origin} answered ${answer.status} ${answer.statusText}: ${printable(answer.text.slice(0, 200).trim())}`);
    }
    return { data: parseInput(answer.text, origin, 'did not answer JSON'), origin };
  }
  const origin = printable(source);
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${origin}: ${printable((err as NodeJS.ErrnoException).code ?? (err as Error).message)}`);
  }
  return { data: parseInput(text, origin, 'is not valid JSON (partial or not a dump?)'), origin };
}

function headerLines(dump: JsonObject, p: Palette, nowMs: number): string[] {
  const parts: string[] = [];
  if (typeof dump.serverName === 'string') parts.push(p.label(printable(dump.serverName)));
  if (typeof dump.host === 'string') parts.push(`${p.dim('host')} ${printable(dump.host)}`);
  if (typeof dump.pid === 'number') parts.push(`${p.dim('pid')} ${dump.pid}`);
  const updated = dump['last-updated'];
  if (typeof updated === 'number') {
    const age = Math.max(0, nowMs / 1000 - updated);
    parts.push(`${p.dim('written')} ${new Date(updated * 1000).toISOString()} (${formatAge(age)} ago)`);
  }
  const lines = [parts.join('  ')];
  if (typeof dump.reason === 'string') {
    const code = typeof dump.exitCode === 'number' ? ` (exit code ${dump.exitCode})` : '';
    lines.push(`${p.dim('reason')} ${p.label(printable(dump.reason))}${code}`);
  }
  if (isObject(dump.error) && typeof dump.error.message === 'string') lines.push(p.error(`error: ${printable(dump.error.message)}`));
  if (typeof dump.statsError === 'string') lines.push(p.error(printable(dump.statsError)));
  return lines;
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

function readDumpOrUsage(data: JsonValue, origin: string): DumpContents {
  try {
    return readDump(data, origin);
  } catch (err) {
    if (err instanceof DumpReadError) throw new UsageError(err.message);
    throw err;
  }
}

/** Follows `path` down a typed tree: a container, or (into a stat) the JSON below it. */
function find(root: SnapshotNode, path: string): { node?: SnapshotNode; tree?: JsonValue } | undefined {
  const segments = path.split('/').filter((s) => s !== '');
  let node = root;
  for (let i = 0; i < segments.length; i++) {
    const child = node.children.find((c) => c.name === segments[i]);
    if (child !== undefined) {
      node = child;
      continue;
    }
    const stat = node.stats.find((s) => s.name === segments[i]);
    if (stat === undefined) return undefined;
    return { tree: subtree(statJsonValue(stat), segments.slice(i + 1).join('/')) };
  }
  return { node };
}

/** Follows `path` ('/a/b') down a JSON tree; undefined when it is not there. */
export function subtree(tree: JsonValue, path: string): JsonValue | undefined {
  let node: JsonValue | undefined = tree;
  for (const segment of path.split('/').filter((s) => s !== '')) {
    if (!isObject(node)) return undefined;
    node = getOwn(node, segment);
  }
  return node;
}

/** Applies a status-page query (same rules as `?query=`) to a JSON tree; undefined when nothing matches. */
export function filterTree(tree: JsonValue, queryText: string): JsonValue | undefined {
  const query = parseQuery(queryText);
  // The page's filter works on snapshots: wrap the JSON tree as one value stat whose name no
  // query can name, so that the filter searches inside it with exactly the page's rules.
  const node: SnapshotNode = { name: '', path: '/', children: [], stats: [{ name: '\u0000', kind: 'value', value: tree }] };
  return filterSnapshot(node, query)?.stats[0]?.value;
}

/**
 * `scales view FILE|URL [PATH] [--query Q] [--json]`: prints a dump or a live status page as a
 * readable tree. Resolves to the exit code; never throws.
 */
export async function runView(args: string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    await write(io.stderr, `scales view: ${printableLines((err as Error).message)}\n\n${VIEW_HELP}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    await write(io.stdout, VIEW_HELP);
    return EXIT_OK;
  }
  const [source, path, ...extra] = parsed.positionals;
  if (source === undefined || extra.length > 0) {
    const why = source === undefined ? 'missing FILE or URL' : `unexpected argument "${printable(extra[0]!)}"`;
    await write(io.stderr, `scales view: ${why}\n\n${VIEW_HELP}`);
    return EXIT_USAGE;
  }
  try {
    let timeoutMs = DEFAULT_FETCH_TIMEOUT_MS;
    let maxBodyBytes = DEFAULT_MAX_URL_BODY_BYTES;
    try {
      if (parsed.values.timeout !== undefined) timeoutMs = parseDurationSeconds(parsed.values.timeout) * 1000;
    } catch (err) {
      throw new UsageError(`--timeout: ${(err as Error).message}`);
    }
    try {
      if (parsed.values['max-body'] !== undefined) maxBodyBytes = parseByteSize(parsed.values['max-body']);
    } catch (err) {
      throw new UsageError(`--max-body: ${(err as Error).message}`);
    }
    const { data, origin } = await load(source, { timeoutMs, maxBodyBytes });
    const p = useColor(io.stdout, env) ? ANSI_PALETTE : PLAIN_PALETTE;
    // A dump or a stat tree, read (kinds included) by the one dump reader; other JSON as it is.
    const dump = isObject(data) ? readDumpOrUsage(data, origin) : undefined;
    // The typed model while PATH names a container; the JSON of a stat's value below that.
    let node: SnapshotNode | undefined = dump?.node;
    let tree: JsonValue | undefined = dump === undefined ? data : undefined;
    if (path !== undefined) {
      const found = dump === undefined ? { tree: subtree(data, path) } : find(dump.node, path);
      if (found === undefined || (found.node === undefined && found.tree === undefined)) throw new UsageError(`no ${printable(path)} in ${origin}`);
      node = found.node;
      tree = found.tree;
    }
    if (parsed.values.query !== undefined) {
      try {
        if (node !== undefined) node = filterSnapshot(node, parseQuery(parsed.values.query)) ?? emptyLike(node);
        else tree = filterTree(tree ?? null, parsed.values.query) ?? {};
      } catch (err) {
        throw new UsageError(printable((err as Error).message));
      }
    }
    if (parsed.values.json) {
      // Unfiltered, the tree as the file holds it; filtered, the JSON of what is left.
      let json: JsonValue | undefined = tree;
      if (node !== undefined) json = parsed.values.query === undefined && dump !== undefined ? subtree(dump.stats, path ?? '/') : snapshotJson(node);
      await write(io.stdout, printableJson(json ?? null) + '\n');
      return EXIT_OK;
    }
    const head = dump?.isDump ? headerLines(dump.header, p, (io.now ?? Date.now)()) : [p.label(origin)];
    const body = node !== undefined ? renderSnapshotTree(node, p) : renderTree(tree ?? null, p);
    await write(io.stdout, head.concat(body).join('\n') + '\n');
    return EXIT_OK;
  } catch (err) {
    await write(io.stderr, `scales view: ${printableLines((err as Error)?.message ?? String(err))}\n`);
    return err instanceof ServerError ? EXIT_FAILURE : err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      query: { type: 'string', short: 'q' },
      json: { type: 'boolean' },
      timeout: { type: 'string' },
      'max-body': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
