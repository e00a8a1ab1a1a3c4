/**
 * Docs that run: every ```js block of docs/percentiles.md's `percentiles` section is run as a module
 * that imports the package by name, and each `console.log(...); // -> expected` line must print
 * exactly `expected`, in order.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
// build/test/sampling -> the repository root
const root = join(here, '..', '..', '..');

async function snippets(): Promise<string[]> {
  const readme = await readFile(join(root, 'docs', 'percentiles.md'), 'utf8');
  const start = readme.indexOf('<!-- section:percentiles -->');
  const end = readme.indexOf('<!-- /section:percentiles -->');
  assert.ok(start >= 0 && end > start, 'docs/percentiles.md has the percentiles section');
  const section = readme.slice(start, end);
  return [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe('docs/percentiles.md, percentiles section', async () => {
  const blocks = await snippets();

  test('has runnable examples', () => {
    assert.ok(blocks.length >= 3, `${blocks.length} js blocks`);
  });

  for (const [i, code] of blocks.entries()) {
    test(`example ${i + 1} runs and prints what it says`, async () => {
      const expected = [...code.matchAll(/console\.log\(.*\); \/\/ -> (.*)$/gm)].map((m) => m[1].trim());
      assert.ok(expected.length > 0, 'the example states its output');
      // Inside the package directory, so that `import 'scales-metrics'` resolves to dist/.
      const dir = await mkdtemp(join(root, 'build', 'readme-'));
      try {
        const file = join(dir, `example-${i + 1}.mjs`);
        await writeFile(file, code);
        const { stdout } = await run(process.execPath, [file], { timeout: 30_000 });
        assert.deepEqual(stdout.trim().split('\n'), expected);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
