// A snapshot source over a fixed tree, for handler tests of the pure request logic.
import type { SnapshotNode } from '../../src/registry/snapshot.js';
import type { StatsSource } from '../../src/registry/source.js';

/** Looks paths up in a fixed snapshot tree; counts calls; can be told to fail. */
export class TreeSource implements StatsSource {
  calls = 0;
  fail: Error | undefined;
  constructor(
    public tree: SnapshotNode,
    /** Paths shown collapsed (the fixture's /db by default). */
    readonly collapsedPaths: ReadonlySet<string> = new Set(['/db']),
  ) {}
  isCollapsed(path: string): boolean {
    return this.collapsedPaths.has(path);
  }
  async snapshotAsync(path = '/'): Promise<SnapshotNode | undefined> {
    return this.snapshot(path);
  }
  snapshot(path = '/'): SnapshotNode | undefined {
    this.calls++;
    if (this.fail) throw this.fail;
    let node: SnapshotNode | undefined = this.tree;
    for (const seg of path.split('/').filter(Boolean)) {
      node = node.children.find((c) => c.name === seg);
      if (!node) return undefined;
    }
    return node;
  }
}
