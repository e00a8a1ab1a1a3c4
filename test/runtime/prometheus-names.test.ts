// The Prometheus names the runtime stats should get (RUNTIME_PROMETHEUS_NAMES) against
// prom-client's own default metrics, and every runtime stat path having one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { collectDefaultMetrics, Registry as PromRegistry } from 'prom-client';
import { Registry } from '../../src/registry/registry.js';
import type { SnapshotNode } from '../../src/registry/snapshot.js';
import { collectRuntimeStats, parseMaxFds, parseProcStatus, RUNTIME_PROMETHEUS_NAMES } from '../../src/runtime/collect-runtime-stats.js';

/** 'a_{x,y}_b' -> ['a_x_b', 'a_y_b']. */
function expand(name: string): string[] {
  const m = /\{([^}]*)\}/.exec(name);
  if (m === null) return [name];
  return m[1]!.split(',').flatMap((part) => expand(name.slice(0, m.index) + part + name.slice(m.index + m[0].length)));
}

/** Every stat of a snapshot subtree, by its path under `root`. */
function statsUnder(node: SnapshotNode, root: string): Map<string, SnapshotNode['stats'][number]> {
  const out = new Map<string, SnapshotNode['stats'][number]>();
  const walk = (n: SnapshotNode) => {
    for (const st of n.stats) out.set(`${n.path}/${st.name}`.slice(root.length + 1), st);
    for (const c of n.children) walk(c);
  };
  walk(node);
  return out;
}

describe('RUNTIME_PROMETHEUS_NAMES', () => {
  it("names marked promClient are prom-client's default-metric names, and the others are not", () => {
    const prom = new PromRegistry();
    collectDefaultMetrics({ register: prom });
    const theirs = new Set(prom.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name));
    prom.clear();
    for (const [path, n] of Object.entries(RUNTIME_PROMETHEUS_NAMES)) {
      for (const name of expand(n.name)) {
        assert.equal(theirs.has(name), n.promClient, `${path}: ${name} ${n.promClient ? 'is not' : 'is'} a prom-client default metric`);
        assert.match(name, /^[a-z_][a-z0-9_]*$/);
      }
    }
    // The ones that matter to the public dashboards are all covered.
    const ours = new Set(Object.values(RUNTIME_PROMETHEUS_NAMES).flatMap((n) => expand(n.name)));
    for (const name of theirs) {
      assert.ok(ours.has(name), `prom-client's ${name} has no runtime stat`);
    }
  });

  it('every runtime stat has an entry, and every entry a stat', () => {
    const registry = new Registry();
    const h = collectRuntimeStats({ registry, path: '/p' });
    try {
      const paths = [...statsUnder(registry.snapshot('/p')!, '/p').keys()];
      const entries = Object.keys(RUNTIME_PROMETHEUS_NAMES);
      assert.deepEqual(
        paths.sort(),
        entries.filter((e) => process.platform === 'linux' || !(RUNTIME_PROMETHEUS_NAMES[e]!.note ?? '').startsWith('Linux only')).sort(),
      );
    } finally {
      h.stop();
    }
  });
});

describe('runtime stat declarations', () => {
  it("every stat has help, its entry's Prometheus name and labels, each name once, and its unit", () => {
    const registry = new Registry();
    const h = collectRuntimeStats({ registry, path: '/p' });
    try {
      const seen = new Map<string, string>();
      for (const [key, st] of statsUnder(registry.snapshot('/p')!, '/p')) {
        assert.ok(st.description?.help, `${key} has no help`);
        const entry = RUNTIME_PROMETHEUS_NAMES[key]!;
        assert.equal(st.description?.prometheusName, entry.name.includes('{') || entry.declared === false ? undefined : entry.name, key);
        assert.deepEqual(st.description?.labels, entry.labels, key);
        assert.ok(!seen.has(entry.name), `${entry.name} for both ${seen.get(entry.name)} and ${key}`);
        seen.set(entry.name, key);
        if (/Bytes$/.test(st.name)) assert.equal(st.description?.unit, 'bytes', key);
        if (/Seconds$/.test(st.name)) assert.equal(st.description?.unit, 's', key);
      }
      for (const name of [
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_heap_size_used_bytes',
        'nodejs_eventloop_lag_p99_seconds',
        'nodejs_gc_duration_seconds',
        'nodejs_version_info',
        'nodejs_heap_space_size_used_bytes',
      ]) {
        assert.ok(seen.has(name), `no stat declares ${name}`);
      }
    } finally {
      h.stop();
    }
  });
});

describe('parseMaxFds', () => {
  it('reads the soft limit of open files; unlimited or missing is null', () => {
    const limits =
      'Limit                     Soft Limit           Hard Limit           Units     \nMax processes             63704                63704                processes \nMax open files            1024                 524288               files     \n';
    assert.equal(parseMaxFds(limits), 1024);
    assert.equal(parseMaxFds(limits.replace('1024 ', 'unlimited ')), null);
    assert.equal(parseMaxFds('nothing here'), null);
  });
});

describe('parseProcStatus', () => {
  it('reads the Vm fields in bytes', () => {
    const status = 'Name:\tnode\nVmPeak:\t  1000 kB\nVmSize:\t  900 kB\nVmData:\t   12 kB\nThreads:\t7\n';
    assert.deepEqual(parseProcStatus(status), { VmPeak: 1000 * 1024, VmSize: 900 * 1024, VmData: 12 * 1024 });
  });
});
