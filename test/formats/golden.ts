// Golden-file comparison: UPDATE_GOLDEN=1 rewrites the files in test/fixtures/formats/.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// build/test/formats/ -> repo root
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Asserts that `actual` equals test/fixtures/formats/<name> byte for byte. */
export function assertGolden(name: string, actual: string): void {
  const file = ROOT + 'test/fixtures/formats/' + name;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  const expected = readFileSync(file, 'utf8');
  assert.equal(actual, expected, `${name} differs from the golden file (UPDATE_GOLDEN=1 to accept)`);
}
