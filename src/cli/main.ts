#!/usr/bin/env node
/**
 * The `scales` command: `scales view`, `scales aggregate`, `scales push-once`.
 * Each subcommand is a function `(args, io) => Promise<exitCode>`, so tests run them in-process.
 * @module
 */
import { pathToFileURL } from 'node:url';
import { realpathSync } from 'node:fs';
import { runAggregate } from './aggregate-command.js';
import { type CliIo, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, write } from './io.js';
import { printable, printableLines } from './render-tree.js';
import { runView } from './view-command.js';

/** Help of `scales`. */
export const MAIN_HELP = `Usage: scales <command> [options]

Commands:
  view FILE|URL [PATH]       show a stats dump or a live status page as a readable tree
  aggregate DIR --spec FILE  aggregate the dumps of many servers
  push-once ...              push the stats of a dump or a status page to Graphite once

Run "scales <command> --help" for the options of a command.
`;

/** A subcommand: arguments after its name, the streams; resolves to the exit code. */
export type Command = (args: string[], io: CliIo) => Promise<number>;

// Loaded only when used, so that `scales view` and `scales aggregate` never load Graphite code.
async function pushOnce(args: string[], io: CliIo): Promise<number> {
  const { runPushOnce } = await import('./push-once-command.js');
  return runPushOnce(args, io);
}

/** The subcommands by name. */
export const COMMANDS: Readonly<Record<string, Command>> = { view: runView, aggregate: runAggregate, 'push-once': pushOnce };

/** Runs `scales <args>`; resolves to the exit code and never throws. */
export async function main(args: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await write(name === undefined ? io.stderr : io.stdout, MAIN_HELP);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    await write(io.stderr, `scales: unknown command "${printable(name)}"\n\n${MAIN_HELP}`);
    return EXIT_USAGE;
  }
  try {
    return await command(rest, io);
  } catch (err) {
    await write(io.stderr, `scales ${name}: ${printableLines((err as Error)?.stack ?? String(err))}\n`);
    return 1;
  }
}

function isMain(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isMain()) {
  // `scales view big.json | head`: the reader going away is not a crash (no EPIPE stack trace).
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') process.exitCode = EXIT_FAILURE;
    });
  }
  main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = 1;
    },
  );
}
