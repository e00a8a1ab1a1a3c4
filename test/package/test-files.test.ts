// Rules about the test files themselves, checked on their sources: public behaviour is tested
// through the package by name and internals through src, never both in one file (two default
// registries in one process); the tests that need a service are exactly the ones
// scripts/service-tests.txt lists, so `npm run test:unit` leaves out all of them and no other.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TEST = join(ROOT, 'test');
const SELF = join('package', 'test-files.test.ts'); // its patterns would match itself

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const files = sources(TEST).map((path) => ({ name: relative(TEST, path), text: readFileSync(path, 'utf8') }));
const importsOf = (text: string) => [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'([^']+)'/gm)].map((m) => m[1]!);

describe('test files', () => {
  it('import the package by name or src, never both', () => {
    const both = files.filter(({ text }) => {
      const specifiers = importsOf(text);
      return specifiers.some((s) => s === 'scales-metrics' || s.startsWith('scales-metrics/')) && specifiers.some((s) => /^(\.\.\/)+src\//.test(s));
    });
    assert.ok(files.length > 50, `found the test sources (${files.length})`);
    assert.deepEqual(
      both.map((f) => f.name),
      [],
    );
  });

  it('that start carbon, Prometheus, the Pushgateway, Chromium, promtool, npm pack or openssl are exactly those scripts/service-tests.txt lists', () => {
    const listed = readFileSync(join(ROOT, 'scripts', 'service-tests.txt'), 'utf8')
      .split('\n')
      .map((line) => line.replace(/#.*/, '').trim().split(/\s+/)[0]!)
      .filter(Boolean)
      .sort();
    const needs = files
      .filter(({ name }) => name.endsWith('.test.ts') && name !== SELF)
      .filter(
        ({ text }) =>
          importsOf(text).some((s) => /helpers\/(carbon|prometheus|pushgateway|chromium)\.js$/.test(s)) ||
          /'npm', \['pack'/.test(text) ||
          /'\/usr\/bin\/promtool'/.test(text) ||
          // the https app of test/http/request-apps.ts makes its certificate with openssl
          importsOf(text).some((s) => /request-apps\.js$/.test(s)),
      )
      .map((f) => f.name)
      .sort();
    assert.ok(needs.length >= 4, `found the service tests (${needs.join(', ')})`);
    assert.deepEqual(listed, needs);
  });
});
