import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { JsonObject, JsonValue } from '../core/snapshot.js';
import { type SnapshotNode, snapshotJson, statJsonValue } from '../registry/snapshot.js';
import { type DumpContents, DumpReadError, readDump } from '../dump/read-dump.js';
import { emptyLike, filterSnapshot, parseQuery } from '../formats/query.js';
import { ANSI_PALETTE, type Palette, PLAIN_PALETTE, useColor } from './colors.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, write } from './io.js';
import { printable, renderSnapshotTree, renderTree } from './render-tree.js';
import { splitUrlCredentials } from './url-credentials.js';

/** Help of `scales view`. */
export const VIEW_HELP = `Usage: scales view FILE|URL [PATH] [--query Q] [--json]

Shows a stats dump (a file written by dumpStatsTo / dumpOnCrash / dumpStatsPeriodically, or any
JSON stat tree) or a live server's status page as a readable tree.

  FILE|URL      a JSON file, or an http(s) URL of a status page (?format=json is added;
                basic auth as http://user:password@host/status/)
  PATH          only this subtree, e.g. /web/latency
  --query, -q   keep only matching branches: "key" or "key OP value", OP one of >= > < <= = == !=
  --json        print the (filtered) tree as JSON instead
  --help, -h    this help

Colours when the output is a terminal or FORCE_COLOR is set; never with NO_COLOR.
Exit codes: 0 ok, 1 the server answered with an error, 2 bad arguments or unreadable input.
`;

/** How long `scales view URL` waits for the server. */
export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;

function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

class ServerError extends Error {}

async function load(source: string): Promise<{ data: JsonValue; origin: string }> {
  if (/^https?:\/\//i.test(source)) {
    let url: URL;
    try {
      url = new URL(source);
    } catch {
      throw new UsageError(`invalid URL "${source}"`);
    }
    if (!url.searchParams.has('format')) url.searchParams.set('format', 'json');
    const split = splitUrlCredentials(url);
    url = split.url;
    let response: Response;
    try {
      response = await fetch(url, {
        signal: AbortSignal.timeout(DEFAULT_FETCH_TIMEOUT_MS),
        headers: { accept: 'application/json', ...split.headers },
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new UsageError(`cannot read ${url.href}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw new ServerError(`${url.href} answered ${response.status} ${response.statusText}: ${text.slice(0, 200).trim()}`);
    }
    try {
      return { data: JSON.parse(text) as JsonValue, origin: url.href };
    } catch (err) {
      throw new UsageError(`${url.href} did not answer JSON: ${(err as Error).message}`);
    }
  }
  let text: string;
  try {
    text = await readFile(source, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${source}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return { data: JSON.parse(text) as JsonValue, origin: source };
  } catch (err) {
    throw new UsageError(`${source} is not valid JSON (partial or not a dump?): ${(err as Error).message}`);
  }
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
    node = Object.hasOwn(node, segment) ? node[segment] : undefined;
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
    await write(io.stderr, `scales view: ${(err as Error).message}\n\n${VIEW_HELP}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    await write(io.stdout, VIEW_HELP);
    return EXIT_OK;
  }
  const [source, path, ...extra] = parsed.positionals;
  if (source === undefined || extra.length > 0) {
    const why = source === undefined ? 'missing FILE or URL' : `unexpected argument "${extra[0]}"`;
    await write(io.stderr, `scales view: ${why}\n\n${VIEW_HELP}`);
    return EXIT_USAGE;
  }
  try {
    const { data, origin } = await load(source);
    const p = useColor(io.stdout, env) ? ANSI_PALETTE : PLAIN_PALETTE;
    // A dump or a stat tree, read (kinds included) by the one dump reader; other JSON as it is.
    const dump = isObject(data) ? readDumpOrUsage(data, origin) : undefined;
    // The typed model while PATH names a container; the JSON of a stat's value below that.
    let node: SnapshotNode | undefined = dump?.node;
    let tree: JsonValue | undefined = dump === undefined ? data : undefined;
    if (path !== undefined) {
      const found = dump === undefined ? { tree: subtree(data, path) } : find(dump.node, path);
      if (found === undefined || (found.node === undefined && found.tree === undefined)) throw new UsageError(`no ${path} in ${origin}`);
      node = found.node;
      tree = found.tree;
    }
    if (parsed.values.query !== undefined) {
      try {
        if (node !== undefined) node = filterSnapshot(node, parseQuery(parsed.values.query)) ?? emptyLike(node);
        else tree = filterTree(tree ?? null, parsed.values.query) ?? {};
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    if (parsed.values.json) {
      // Unfiltered, the tree as the file holds it; filtered, the JSON of what is left.
      let json: JsonValue | undefined = tree;
      if (node !== undefined) json = parsed.values.query === undefined && dump !== undefined ? subtree(dump.stats, path ?? '/') : snapshotJson(node);
      await write(io.stdout, JSON.stringify(json ?? null, null, 2) + '\n');
      return EXIT_OK;
    }
    const head = dump?.isDump ? headerLines(dump.header, p, (io.now ?? Date.now)()) : [p.label(printable(origin))];
    const body = node !== undefined ? renderSnapshotTree(node, p) : renderTree(tree ?? null, p);
    await write(io.stdout, head.concat(body).join('\n') + '\n');
    return EXIT_OK;
  } catch (err) {
    await write(io.stderr, `scales view: ${(err as Error).message}\n`);
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
      help: { type: 'boolean', short: 'h' },
    },
  });
}
