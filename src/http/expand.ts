/**
 * Snapshots leave the contents of collapsed containers out (they are links on the page), but
 * Prometheus scrapes and the sparkline history want every stat: this fills them in.
 */
import type { SnapshotNode } from '../registry/snapshot.js';
import type { SnapshotSource } from './history.js';

/** The node with every collapsed container below it snapshotted in full (recursively). */
export async function expandCollapsed(source: SnapshotSource, node: SnapshotNode): Promise<SnapshotNode> {
  if (!hasCollapsed(node)) return node;
  const children: SnapshotNode[] = [];
  for (const c of node.children) {
    let child = c;
    if (c.collapsed && c.stats.length === 0 && c.children.length === 0) child = (await source.snapshotAsync(c.path)) ?? c;
    children.push(await expandCollapsed(source, child));
  }
  return { ...node, children };
}

function hasCollapsed(node: SnapshotNode): boolean {
  for (const c of node.children) if (c.collapsed || hasCollapsed(c)) return true;
  return false;
}
