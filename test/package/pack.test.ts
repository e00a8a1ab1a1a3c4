// The packed package, as a user gets it: `npm pack`, installed into an empty project, imported by
// name with `import` and with `require` (every entry), the root lean (few names, no network,
// crypto or file-system module loaded), its types resolving for ESM and CommonJS TypeScript
// consumers and for every module resolution (@arethetypeswrong/cli), a CommonJS TypeScript
// project built and run with the settings the README gives, its `scales` bin runnable, and
// publint's checks of package.json clean.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';

const exec = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
let dir = '';
let tarball = '';

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'scales-pack-'));
  const { stdout } = await exec('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: root });
  tarball = join(dir, stdout.trim().split('\n').at(-1)!);
  const app = join(dir, 'app');
  await exec('mkdir', ['-p', app]);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
  await exec('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent', tarball], { cwd: app });
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

test('the tarball holds dist, README, the docs it links to and package.json, and no sources or tests', async () => {
  const files = await readdir(join(dir, 'app', 'node_modules', 'scales-metrics'), { recursive: true });
  assert.ok(files.includes('README.md'));
  assert.ok(files.includes(join('dist', 'index.js')));
  assert.ok(files.includes(join('dist', 'index.d.ts')));
  assert.ok(files.includes(join('docs', 'stats.md')), 'the README links into docs/');
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
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        typeRoots: [join(root, 'node_modules', '@types')],
        types: ['node'],
      },
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
  const { stdout } = await exec(
    process.execPath,
    [join(root, 'node_modules', 'publint', 'src', 'cli.js'), join(dir, 'app', 'node_modules', 'scales-metrics'), '--level', 'error'],
    {
      cwd: root,
    },
  ).catch((e: { stdout: string; stderr: string }) => assert.fail(`publint: ${e.stdout}${e.stderr}`));
  assert.doesNotMatch(stdout, /Errors:/);
});

/** The package's entry points, as package.json's `exports` lists them (`.`, `./http`, ...). */
async function entries(): Promise<string[]> {
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  return Object.keys(pkg.exports)
    .filter((k) => k !== './package.json')
    .map((k) => (k === '.' ? 'scales-metrics' : `scales-metrics/${k.slice(2)}`));
}

test('every entry loads with import and with require(), with no warning, and exports something', async () => {
  const app = join(dir, 'app');
  const names = await entries();
  assert.ok(names.length >= 12, names.join(' '));
  for (const want of [
    'scales-metrics/http',
    'scales-metrics/graphite',
    'scales-metrics/dump',
    'scales-metrics/aggregate',
    'scales-metrics/formats',
    'scales-metrics/cluster',
  ]) {
    assert.ok(names.includes(want), `${want} is an entry`);
  }
  await writeFile(join(app, 'entries.cjs'), `for (const name of ${JSON.stringify(names)}) console.log(name, Object.keys(require(name)).length);`);
  await writeFile(
    join(app, 'entries.mjs'),
    `for (const name of ${JSON.stringify(names)}) console.log(name, Object.keys(await import(name)).length);`,
  );
  for (const file of ['entries.cjs', 'entries.mjs']) {
    const { stdout, stderr } = await exec(process.execPath, [file], { cwd: app });
    assert.equal(stderr, '', file);
    const counts = new Map(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.split(' ') as [string, string]),
    );
    assert.deepEqual([...counts.keys()], names, file);
    for (const [name, n] of counts) assert.ok(Number(n) > 0, `${file}: ${name} exports ${n} names`);
  }
});

test('the root holds at most 40 runtime names, and no internals', async () => {
  const app = join(dir, 'app');
  await writeFile(join(app, 'root-names.mjs'), `console.log(JSON.stringify(Object.keys(await import('scales-metrics'))));`);
  const names = JSON.parse((await exec(process.execPath, ['root-names.mjs'], { cwd: app })).stdout) as string[];
  assert.ok(names.length <= 40, `${names.length} runtime names at the root: ${names.join(' ')}`);
  for (const want of [
    'collection',
    'init',
    'initChild',
    'getStats',
    'reset',
    'remove',
    'clear',
    'intStat',
    'pmfStat',
    'Registry',
    'InvalidNameError',
    'ManualClock',
  ]) {
    assert.ok(names.includes(want), `${want} at the root`);
  }
  for (const internal of [
    'escapeHtml',
    'fnmatch',
    'SNAPSHOT_SLICE_MS',
    'LogSketch',
    'serveInBackground',
    'GraphitePusher',
    'dumpStatsTo',
    'renderPrometheus',
  ]) {
    assert.ok(!names.includes(internal), `${internal} is not at the root`);
  }
});

test('importing the root loads no net, http, dgram, crypto or fs module', async () => {
  const app = join(dir, 'app');
  // A resolve hook sees every specifier any ES module imports, built-ins included; importing
  // 'probe:seen' returns the list. moduleLoadList (Node's own list of loaded built-ins) is
  // compared with the list before the import, so that what Node loads at start-up is not counted.
  await writeFile(
    join(app, 'hooks.mjs'),
    `const seen = [];
     export async function resolve(specifier, context, next) {
       if (specifier === 'probe:seen') return { url: 'data:text/javascript,export default ' + encodeURIComponent(JSON.stringify(seen)), shortCircuit: true };
       seen.push(specifier);
       return next(specifier, context);
     }`,
  );
  await writeFile(
    join(app, 'load-root.mjs'),
    `import { register } from 'node:module';
     register('./hooks.mjs', import.meta.url);
     const before = new Set(process.moduleLoadList);
     const S = await import(process.argv[2] ?? 'scales-metrics');
     if (process.argv[2] === undefined) S.collection('/a', S.intStat('n')).n += 1;
     const loaded = process.moduleLoadList.filter((m) => !before.has(m));
     const specifiers = (await import('probe:seen')).default;
     console.log(JSON.stringify({ specifiers, loaded }));`,
  );
  const banned = /^(node:)?(net|http|https|http2|dgram|crypto|fs|fs\/promises|tls|child_process|worker_threads)$/;
  const bannedLoaded =
    /^NativeModule (net|http|https|_http_\w+|http2|dgram|crypto|internal\/crypto\/\w+|tls|_tls_\w+|fs\/promises|internal\/fs\/promises)$/;
  const { stdout, stderr } = await exec(process.execPath, ['load-root.mjs'], { cwd: app });
  assert.equal(stderr, '');
  const { specifiers, loaded } = JSON.parse(stdout) as { specifiers: string[]; loaded: string[] };
  assert.ok(specifiers.includes('scales-metrics'), `the hook saw the import: ${specifiers.join(' ')}`);
  assert.ok(specifiers.length > 10, `the hook saw the root's own modules: ${specifiers.length}`);
  assert.deepEqual(
    specifiers.filter((s) => banned.test(s)),
    [],
    'built-ins the root imports',
  );
  assert.deepEqual(
    loaded.filter((m) => bannedLoaded.test(m)),
    [],
    'built-ins loaded by importing the root',
  );
  // The same probe sees them when an output is imported: it would catch the root doing so.
  const http = JSON.parse((await exec(process.execPath, ['load-root.mjs', 'scales-metrics/http'], { cwd: app })).stdout) as {
    specifiers: string[];
    loaded: string[];
  };
  assert.ok(
    http.specifiers.some((s) => banned.test(s)),
    http.specifiers.join(' '),
  );
  assert.ok(
    http.loaded.some((m) => bannedLoaded.test(m)),
    http.loaded.join(' '),
  );
});

test('@arethetypeswrong/cli: every entry resolves, with types, under node10, node16 (CJS and ESM) and bundler', async () => {
  const attw = join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js');
  // "ESM (dynamic import only)" for CommonJS TypeScript under module node16 is the one rule
  // ignored: the package is ES modules only, on purpose (one default registry), and a CommonJS
  // project compiles with module nodenext (the next test) and require()s it at run time.
  const out = join(dir, 'attw.json');
  // attw's JSON is big: written straight to a file, not through a pipe that may be cut when it exits.
  const fd = openSync(out, 'w');
  const code = await new Promise<number | null>((resolve) => {
    const child = spawn(process.execPath, [attw, tarball, '--format', 'json', '--ignore-rules', 'cjs-resolves-to-esm'], {
      cwd: root,
      stdio: ['ignore', fd, 'inherit'],
    });
    child.on('close', resolve);
  });
  closeSync(fd);
  const report = JSON.parse(await readFile(out, 'utf8')) as {
    analysis: {
      entrypoints: Record<string, { resolutions: Record<string, { resolution?: { fileName: string; isTypeScript: boolean } }> }>;
      problems: { kind: string }[];
    };
  };
  const { entrypoints, problems } = report.analysis;
  const names = (await entries()).map((n) => (n === 'scales-metrics' ? '.' : `./${n.slice('scales-metrics/'.length)}`));
  assert.deepEqual(
    Object.keys(entrypoints).filter((e) => e !== './package.json'),
    names,
  );
  for (const [entry, { resolutions }] of Object.entries(entrypoints)) {
    if (entry === './package.json') continue;
    for (const kind of ['node10', 'node16-cjs', 'node16-esm', 'bundler']) {
      const r = resolutions[kind]?.resolution;
      assert.ok(r?.fileName.endsWith('.d.ts'), `${entry} under ${kind} resolves to ${r?.fileName ?? 'nothing'}`);
    }
  }
  assert.deepEqual(
    problems.filter((p) => p.kind !== 'CJSResolvesToESM'),
    [],
    'attw problems besides the deliberate ESM-only one',
  );
  assert.equal(code, 0, 'attw exits 0');
});

test('a CommonJS TypeScript project compiles with module nodenext and runs, require() included', async () => {
  // The settings the README gives: a CommonJS package ("type" not "module") compiled with
  // `"module": "nodenext"` (TypeScript 5.8 or later types require() of an ES module), run on
  // Node 20.19 or later.
  const cjs = join(dir, 'cjs-app');
  await exec('mkdir', ['-p', cjs]);
  await writeFile(join(cjs, 'package.json'), JSON.stringify({ name: 'cjs-app', version: '1.0.0', private: true }));
  await exec('npm', ['install', '--offline', '--no-audit', '--no-fund', '--silent', tarball], { cwd: cjs });
  await writeFile(
    join(cjs, 'main.ts'),
    `import * as scales from 'scales-metrics';
     import { renderPrometheus } from 'scales-metrics/formats';
     import { createStatusHandler } from 'scales-metrics/http';
     const S = scales.collection('/web', scales.intStat('hits'));
     S.hits += 2;
     const n: number = S.hits;
     const handler = createStatusHandler({ live: false });
     handler.close();
     console.log(n, renderPrometheus(scales.snapshot()!).includes('web_hits_total 2'));`,
  );
  await writeFile(
    join(cjs, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        outDir: 'out',
        typeRoots: [join(root, 'node_modules', '@types')],
        types: ['node'],
      },
      files: ['main.ts'],
    }),
  );
  await exec(process.execPath, [tsc, '-p', '.'], { cwd: cjs }).catch((e: { stdout: string }) => assert.fail(`tsc failed:\n${e.stdout}`));
  const js = await readFile(join(cjs, 'out', 'main.js'), 'utf8');
  assert.match(js, /require\("scales-metrics"\)/, 'compiled to CommonJS');
  const { stdout, stderr } = await exec(process.execPath, [join('out', 'main.js')], { cwd: cjs });
  assert.equal(stdout.trim(), '2 true');
  assert.equal(stderr, '');
});
