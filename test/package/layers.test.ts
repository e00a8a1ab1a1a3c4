// The layers of src/ hold one way: every relative import of every src file (static, dynamic,
// type-only and re-exports alike) goes to its own layer or a lower one, as layers.json (the one
// place they are written down) orders them; and no folders import each other in a circle.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

// build/test/package -> the repository root
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Layer {
  name: string;
  paths: string[];
}

/** The relative module specifiers a TypeScript file imports, re-exports or dynamically imports. */
export function importsOf(text: string): string[] {
  // Doc comments hold example imports that are not imports: drop /** ... */ and // lines first.
  const code = text.replace(/^\s*\/\*[\s\S]*?\*\//gm, '').replace(/^\s*\/\/.*$/gm, '');
  const found: string[] = [];
  const patterns = [
    /^\s*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) if (m[1].startsWith('.')) found.push(m[1]);
  return found;
}

/** The layer of a src path (posix, relative to the repository root), by the longest matching path. */
function layerOf(layers: Layer[], file: string): number {
  let best = -1;
  let bestLength = -1;
  layers.forEach((layer, i) => {
    for (const p of layer.paths) {
      const hit = p.endsWith('/') ? file.startsWith(p) : file === p;
      if (hit && p.length > bestLength) {
        best = i;
        bestLength = p.length;
      }
    }
  });
  return best;
}

/** The module a specifier names, as a src path: `./x.js` from src/a/b.ts is src/a/x.ts. */
function target(from: string, specifier: string): string {
  return posix.normalize(posix.join(posix.dirname(from), specifier)).replace(/\.js$/, '.ts');
}

/**
 * Checks a set of files (path -> text) against the layers: every file in a layer; every import
 * to the same or a lower layer; no circle between folders. Returns one line per violation.
 */
export function checkLayers(layers: Layer[], files: Map<string, string>): string[] {
  const problems: string[] = [];
  const folderArrows = new Map<string, Set<string>>();
  for (const [file, text] of files) {
    const from = layerOf(layers, file);
    if (from < 0) {
      problems.push(`${file} is in no layer of layers.json`);
      continue;
    }
    for (const spec of importsOf(text)) {
      const to = target(file, spec);
      const toLayer = layerOf(layers, to);
      if (toLayer < 0) problems.push(`${file} imports ${to}, which is in no layer`);
      else if (toLayer > from) problems.push(`${file} (${layers[from].name}) imports ${to} (${layers[toLayer].name}): a higher layer`);
      const a = posix.dirname(file);
      const b = posix.dirname(to);
      if (a !== b) {
        if (!folderArrows.has(a)) folderArrows.set(a, new Set());
        folderArrows.get(a)!.add(b);
      }
    }
  }
  // Folder circles: depth-first search for a back edge.
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (folder: string): void => {
    state.set(folder, 'open');
    path.push(folder);
    for (const next of folderArrows.get(folder) ?? []) {
      if (state.get(next) === 'open')
        problems.push(`folders import each other in a circle: ${[...path.slice(path.indexOf(next)), next].join(' -> ')}`);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(folder, 'done');
  };
  for (const folder of [...folderArrows.keys()].sort()) if (!state.has(folder)) visit(folder);
  return problems;
}

async function srcFiles(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(join(root, 'src'), { recursive: true })) {
    const rel = posix.join('src', entry.split('\\').join('/'));
    if (rel.endsWith('.ts')) files.set(rel, await readFile(join(root, rel), 'utf8'));
  }
  return files;
}

describe('layers', async () => {
  const { layers } = JSON.parse(await readFile(join(root, 'layers.json'), 'utf8')) as { layers: Layer[] };

  test('layers.json names each src folder once, lowest layer first', () => {
    assert.deepEqual(
      layers.map((l) => l.name),
      ['sampling', 'core', 'kinds', 'registry', 'runtime', 'root', 'formats', 'outputs', 'cluster', 'cli'],
    );
    const paths = layers.flatMap((l) => l.paths);
    assert.equal(new Set(paths).size, paths.length, 'no path in two layers');
  });

  test('no src file imports from a higher layer, and no folders form a circle', async () => {
    const files = await srcFiles();
    assert.ok(files.size > 80, `${files.size} src files read`);
    assert.deepEqual(checkLayers(layers, files), []);
  });

  test('the check catches a backward import, a dynamic one, a type-only one, a file in no layer, and a circle', () => {
    const problems = checkLayers(
      layers,
      new Map([
        ['src/core/a.ts', "import { x } from '../stats/b.js';\n"],
        ['src/stats/b.ts', "export const x = 1;\nconst later = () => import('../registry/c.js');\n"],
        ['src/sampling/d.ts', "import type { Node } from '../core/a.js';\n/** @example import { y } from '../cli/e.js'; */\n"],
        ['src/http/f.ts', "export { g } from '../graphite/g.js';\n"],
        ['src/graphite/g.ts', "import { f } from '../http/f.js';\nexport const g = f;\n"],
        ['src/new-folder/h.ts', 'export const h = 1;\n'],
      ]),
    );
    assert.deepEqual(problems.filter((p) => p.includes('higher layer')).length, 3, problems.join('\n'));
    assert.ok(
      problems.some((p) => p.startsWith('src/core/a.ts (core) imports src/stats/b.ts (kinds)')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('src/stats/b.ts (kinds) imports src/registry/c.ts (registry)')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('src/sampling/d.ts (sampling) imports src/core/a.ts (core)')),
      problems.join('\n'),
    );
    assert.ok(!problems.some((p) => p.includes('src/cli/e.ts')), 'an import in a doc comment is not an import');
    assert.ok(problems.includes('src/new-folder/h.ts is in no layer of layers.json'), problems.join('\n'));
    assert.ok(
      problems.some((p) => /circle: src\/(http|graphite) -> src\/(graphite|http) -> src\/\1/.test(p)),
      problems.join('\n'),
    );
  });
});
