/**
 * Docs that run: every fenced code block of README.md and docs/*.md is executed by some test.
 * - ```sh, ```text and ```json blocks are free (commands, command-line usage, output shapes).
 * - A ```ts block follows a marker line `<!-- example: examples/NAME.ts -->`; each of its
 *   non-empty lines appears, in order, in that program (lines compared with their ends trimmed
 *   and runs of whitespace taken as one space), and the program is run by a test under test/
 *   (its name appears in some test file).
 * - A ```js block either carries such a marker too, or sits inside a `<!-- section:NAME -->`
 *   ... `<!-- /section:NAME -->` section that a test runs block by block as modules (a test file
 *   naming both the section marker and the doc file).
 * The README stays at most 200 lines and links every file of docs/.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

// build/test/docs -> the repository root
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SELF = 'test/docs/code-blocks.test.ts';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

const testSources = walk(join(root, 'test'))
  .filter((f) => f.endsWith('.ts') && relative(root, f) !== SELF)
  .map((f) => ({ file: relative(root, f), text: readFileSync(f, 'utf8') }));

const docFiles = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

type Block = { doc: string; line: number; lang: string; lines: string[]; example?: string; section?: string };

/** The fenced blocks of one Markdown file, with the example marker just above and the section around each. */
function blocks(doc: string): Block[] {
  const lines = readFileSync(join(root, doc), 'utf8').split('\n');
  const found: Block[] = [];
  const sections: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = /^<!-- section:([\w-]+) -->$/.exec(line.trim());
    if (open) sections.push(open[1]!);
    const close = /^<!-- \/section:([\w-]+) -->$/.exec(line.trim());
    if (close) assert.equal(sections.pop(), close[1], `${doc}:${i + 1}: section ${close[1]} closed but not open`);
    const fence = /^```(.*)$/.exec(line);
    if (!fence) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    assert.ok(i < lines.length, `${doc}:${start + 1}: the code block is never closed`);
    let above = start - 1;
    while (above >= 0 && lines[above]!.trim() === '') above--;
    const marker = above >= 0 ? /^<!-- example: (examples\/[\w.-]+\.ts) -->$/.exec(lines[above]!.trim()) : null;
    found.push({ doc, line: start + 1, lang: fence[1]!.trim(), lines: body, example: marker?.[1], section: sections.at(-1) });
  }
  assert.deepEqual(sections, [], `${doc}: sections left open`);
  return found;
}

const norm = (s: string) => s.trim().replace(/\s+/g, ' ');

function checkExample(b: Block): void {
  const where = `${b.doc}:${b.line}`;
  assert.ok(b.example, `${where}: a \`\`\`${b.lang} block needs a marker line <!-- example: examples/NAME.ts --> above it`);
  const file = join(root, b.example);
  assert.ok(existsSync(file), `${where}: ${b.example} does not exist`);
  const program = readFileSync(file, 'utf8').split('\n').map(norm);
  let at = 0;
  for (const line of b.lines.map(norm).filter((l) => l !== '')) {
    while (at < program.length && program[at] !== line) at++;
    assert.ok(at < program.length, `${where}: this line is not in ${b.example} (in order after the lines before it): ${line}`);
    at++;
  }
  const name = basename(b.example, '.ts');
  assert.ok(
    testSources.some((t) => t.text.includes(`${name}.js`) || t.text.includes(`'${name}'`)),
    `${where}: no test under test/ runs ${b.example}`,
  );
}

describe('every code block of the docs is executed by a test', () => {
  for (const doc of docFiles) {
    test(doc, () => {
      const all = blocks(doc);
      for (const b of all) {
        const where = `${b.doc}:${b.line}`;
        if (b.lang === 'sh' || b.lang === 'text' || b.lang === 'json') continue;
        if (b.lang === 'ts') checkExample(b);
        else if (b.lang === 'js') {
          if (b.example) checkExample(b);
          else {
            assert.ok(b.section, `${where}: a \`\`\`js block needs an example marker or a section that a test runs`);
            const runner = testSources.find((t) => t.text.includes(`<!-- section:${b.section} -->`) && t.text.includes(basename(doc)));
            assert.ok(runner, `${where}: no test runs the blocks of section ${b.section} of ${doc}`);
          }
        } else assert.fail(`${where}: a code block in \`\`\`${b.lang || '(no language)'}: use sh, text, json, ts or js`);
      }
    });
  }
});

test('README.md is at most 200 lines and links every topic of docs/', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const lines = readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0);
  assert.ok(lines <= 200, `README.md has ${lines} lines`);
  for (const doc of docFiles.filter((d) => d !== 'README.md')) assert.ok(readme.includes(`](${doc})`), `README.md links ${doc}`);
});

test('the checker itself: a block that strays from its example fails', () => {
  const b: Block = { doc: 'x.md', line: 1, lang: 'ts', lines: ['STATS.requests += 1;', 'this line is in no example'], example: 'examples/tour.ts' };
  assert.throws(() => checkExample(b), /this line is not in examples\/tour\.ts/);
  assert.doesNotThrow(() => checkExample({ ...b, lines: ['STATS.requests  +=  1;', '', '  graphite.start();'] }));
  assert.throws(() => checkExample({ ...b, lines: ['graphite.start();', 'STATS.requests += 1;'] }), /in order/);
});
