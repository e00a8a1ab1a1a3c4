// The packed package, as a user gets it: `npm pack`, installed into an empty project, imported by
// name with `import` and with `require`, its types resolving for ESM and CommonJS TypeScript
// consumers, its `scales` bin runnable, and publint's checks of package.json clean.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let dir = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scales-pack-'));
  const { stdout } = await exec('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: root });
  const tarball = join(dir, stdout.trim().split('\n').at(-1)!);
  const app = join(dir, 'app');
  await exec('mkdir', ['-p', app]);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  await exec('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent', tarball], { cwd: app });
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the tarball holds dist, README and package.json, and no sources or tests', async () => {
  const files = await readdir(join(dir, 'app', 'node_modules', 'scales-metrics'), { recursive: true });
  assert.ok(files.includes('README.md'));
  assert.ok(files.includes(join('dist', 'index.js')));
  assert.ok(files.includes(join('dist', 'index.d.ts')));
  assert.ok(!files.some((f) => f.startsWith('src') || f.startsWith('test') || f.startsWith('bench')), files.join(' '));
});

test('import by name (ESM)', async () => {
  const app = join(dir, 'app');
  await writeFile(
    join(app, 'esm.mjs'),
    `import * as scales from 'scales-metrics';
     const S = scales.collection('/a', scales.intStat('n'));
     S.n += 2;
     console.log(JSON.stringify(scales.getStats()));`,
  );
  const { stdout, stderr } = await exec(process.execPath, ['esm.mjs'], { cwd: app });
  assert.equal(stdout.trim(), '{"a":{"n":2}}');
  assert.equal(stderr, '');
});

test('require by name (CommonJS), with no warning', async () => {
  const app = join(dir, 'app');
  await writeFile(
    join(app, 'cjs.cjs'),
    `const scales = require('scales-metrics');
     const S = scales.collection('/a', scales.intStat('n'));
     S.n += 3;
     console.log(JSON.stringify(scales.getStats()));
     console.log(typeof require('scales-metrics/express').statusMiddleware === 'function' || Object.keys(require('scales-metrics/express')).length > 0);`,
  );
  const { stdout, stderr } = await exec(process.execPath, ['cjs.cjs'], { cwd: app });
  assert.deepEqual(stdout.trim().split('\n'), ['{"a":{"n":3}}', 'true']);
  assert.equal(stderr, '');
});

test('types resolve for ESM and CommonJS TypeScript consumers', async () => {
  const app = join(dir, 'app');
  const body = `
    const S = scales.collection('/a', scales.intStat('n'), scales.pmfStat('lat'));
    S.n += 1;
    S.lat.record(0.5);
    const n: number = S.n;
    // @ts-expect-error a typo in a stat name is a compile error for users too
    S.m += 1;
    export { n };`;
  await writeFile(join(app, 'esm.mts'), `import * as scales from 'scales-metrics';\n${body}`);
  await writeFile(join(app, 'cjs.cts'), `import scales = require('scales-metrics');\n${body}`);
  await writeFile(
    join(app, 'tsconfig.json'),
    // A Node server project has @types/node; use this repository's copy.
    JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true, noEmit: true, skipLibCheck: false, typeRoots: [join(root, 'node_modules', '@types')], types: ['node'] },
      files: ['esm.mts', 'cjs.cts'],
    }),
  );
  await exec(process.execPath, [tsc, '-p', '.'], { cwd: app }).catch((e: { stdout: string }) => {
    assert.fail(`tsc failed on the packed types:\n${e.stdout}`);
  });
});

test('the scales bin runs from the installed package', async () => {
  const app = join(dir, 'app');
  const { stdout } = await exec(join(app, 'node_modules', '.bin', 'scales'), ['--help'], { cwd: app });
  assert.match(stdout, /view/);
  assert.match(stdout, /aggregate/);
  assert.match(stdout, /push-once/);
});

test('publint finds no errors in package.json', async () => {
  const { stdout } = await exec(process.execPath, [join(root, 'node_modules', 'publint', 'src', 'cli.js'), join(dir, 'app', 'node_modules', 'scales-metrics'), '--level', 'error'], {
    cwd: root,
  }).catch((e: { stdout: string; stderr: string }) => assert.fail(`publint: ${e.stdout}${e.stderr}`));
  assert.doesNotMatch(stdout, /Errors:/);
});
