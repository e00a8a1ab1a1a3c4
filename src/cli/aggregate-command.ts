import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { JsonValue } from '../core/snapshot.js';
import { Aggregation } from '../aggregate/aggregation.js';
import { FileInclusionTest } from '../aggregate/json-directory.js';
import { specFromJson } from '../aggregate/spec-json.js';
import { parseJsonText } from '../dump/json-text.js';
import { ANSI_PALETTE, PLAIN_PALETTE, useColor } from './colors.js';
import { parseDurationSeconds } from './duration.js';
import { type CliIo, EXIT_OK, EXIT_USAGE, UsageError, write } from './io.js';
import { printable, printableJson, printableLines, renderTree } from './render-tree.js';

/** Help of `scales aggregate`. */
export const AGGREGATE_HELP = `Usage: scales aggregate DIR --spec SPEC.json [--max-age 10m] [--ignore REGEX] [--format table|json]

Aggregates the *.json dumps of many servers in DIR (one source per file, named after it)
following a spec, and prints the result.

  --spec, -s     the spec file (JSON), a tree like the stat tree whose leaves are aggregator lists:
                   { "web": { "errors": ["sum"], "latency": ["average", "percentiles"],
                              "re:error:[45]\\\\d\\\\d": [{ "type": "sum", "format": "direct" }] } }
                 keys: exact names, "*" (every key not named exactly), "re:NAME:PATTERN" (keys matching the whole
                 PATTERN, merged under NAME), "=KEY" (the literal KEY); aggregators: sum, average,
                 inverse, sorted, max, min, percentiles, or {type, name, format, reverse, limit,
                 quantiles}; formats: default, direct, timer, timer_mean, counter, meter, gauge,
                 field:KEY
  --max-age      leave out files not modified for longer than this (30s, 10m, 2h, 1d)
  --ignore       leave out files whose name matches this regular expression
  --format, -f   table (a readable tree, the default) or json
  --help, -h     this help

Unreadable and partial files are skipped with a warning on stderr naming them.
Exit codes: 0 ok (even with warnings), 2 bad arguments, unreadable DIR or spec.
`;

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      spec: { type: 'string', short: 's' },
      'max-age': { type: 'string' },
      ignore: { type: 'string' },
      format: { type: 'string', short: 'f' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function readSpec(path: string): Promise<JsonValue> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the spec ${printable(path)}: ${printable((err as NodeJS.ErrnoException).code ?? (err as Error).message)}`);
  }
  try {
    return parseJsonText(text) as JsonValue;
  } catch (err) {
    throw new UsageError(`the spec ${printable(path)} is not valid JSON: ${printable((err as Error).message)}`);
  }
}

/**
 * `scales aggregate DIR --spec SPEC.json [--max-age 10m] [--ignore REGEX] [--format table|json]`.
 * Resolves to the exit code; never throws.
 */
export async function runAggregate(args: string[], io: CliIo): Promise<number> {
  const env = io.env ?? process.env;
  try {
    let parsed: ReturnType<typeof parse>;
    try {
      parsed = parse(args);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help) {
      await write(io.stdout, AGGREGATE_HELP);
      return EXIT_OK;
    }
    if (positionals.length !== 1) {
      throw new UsageError(positionals.length === 0 ? 'missing DIR' : `unexpected argument "${printable(positionals[1]!)}"`);
    }
    if (values.spec === undefined) throw new UsageError('missing --spec SPEC.json');
    const format = values.format ?? 'table';
    if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, got "${printable(format)}"`);
    let maxAgeSeconds: number | undefined;
    let ignore: RegExp | undefined;
    try {
      if (values['max-age'] !== undefined) maxAgeSeconds = parseDurationSeconds(values['max-age']);
      if (values.ignore !== undefined) ignore = new RegExp(values.ignore);
    } catch (err) {
      throw new UsageError(`${values['max-age'] !== undefined && maxAgeSeconds === undefined ? '--max-age' : '--ignore'}: ${(err as Error).message}`);
    }
    const dir = positionals[0]!;
    const dirName = printable(dir);
    const dirStat = await stat(dir).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    if (dirStat instanceof Error) throw new UsageError(`cannot read the directory ${dirName}: ${printable(dirStat.message)}`);
    if (!dirStat.isDirectory())
      throw new UsageError(`cannot read the directory ${dirName}: not a directory (give the directory that holds the dumps)`);
    let spec: ReturnType<typeof specFromJson>;
    try {
      spec = specFromJson(await readSpec(values.spec));
    } catch (err) {
      throw err instanceof UsageError ? err : new UsageError(`${printable(values.spec)}: ${printable((err as Error).message)}`);
    }
    const aggregation = new Aggregation(spec);
    const test = new FileInclusionTest({
      ...(maxAgeSeconds !== undefined && { maxAgeSeconds }),
      ...(ignore !== undefined && { ignoreByName: ignore }),
    });
    let added: number;
    try {
      added = await aggregation.addJsonDirectory(dir, test);
    } catch (err) {
      throw new UsageError(`cannot read the directory ${dirName}: ${printable((err as Error).message)}`);
    }
    const warnings = [...aggregation.warnings];
    if (aggregation.warningsDropped > 0) warnings.push(`${aggregation.warningsDropped} more warnings not shown`);
    if (added === 0) warnings.push(`no dump files (*.json) to aggregate in ${dirName}`);
    // Warnings quote file names, data keys and parser messages: one line each, escaped.
    if (warnings.length > 0) await write(io.stderr, warnings.map((w) => `warning: ${printable(w)}\n`).join(''));
    const result = aggregation.result();
    if (format === 'json') {
      await write(io.stdout, printableJson(result) + '\n');
    } else {
      const p = useColor(io.stdout, env) ? ANSI_PALETTE : PLAIN_PALETTE;
      const title = p.label(`${added} source${added === 1 ? '' : 's'}: ${aggregation.sources.map(printable).join(', ')}`);
      await write(io.stdout, [title].concat(renderTree(result, p)).join('\n') + '\n');
    }
    return EXIT_OK;
  } catch (err) {
    if (err instanceof UsageError) {
      await write(io.stderr, `scales aggregate: ${printableLines(err.message)}\n(see scales aggregate --help)\n`);
      return EXIT_USAGE;
    }
    await write(io.stderr, `scales aggregate: ${printableLines((err as Error)?.stack ?? String(err))}\n`);
    return 1;
  }
}
