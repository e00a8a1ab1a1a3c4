import type { SnapshotOptions } from '../core/snapshot.js';
import type { SnapshotNode } from './snapshot.js';

/**
 * Where every output (status handler, Graphite pusher, dumps, history) reads the stats: a
 * `Registry` (the default registry unless an output is given `source`), or anything else that
 * can take snapshots of a stat tree.
 */
export interface StatsSource {
  /** The subtree at `path` ('/' when omitted), or undefined when no container is there. */
  snapshot(path?: string, options?: SnapshotOptions): SnapshotNode | undefined;
  /** Like {@link StatsSource.snapshot}, yielding to the event loop while it works on a big tree. */
  snapshotAsync(path?: string, options?: SnapshotOptions): Promise<SnapshotNode | undefined>;
  /**
   * Whether the container at `path` is collapsed (a Registry's `setCollapsed`): JSON, dumps
   * and the page leave it out or link it; absent: nothing is collapsed.
   */
  isCollapsed?(path: string): boolean;
}

/**
 * Checks the `source` option of an output (`what` names it in the message): refuses the option's
 * old name `registry`, which would otherwise be ignored silently, and a source that cannot take
 * snapshots. Returns the source, or undefined when none was given.
 */
export function checkSourceOption(options: { source?: StatsSource } | undefined, what: string): StatsSource | undefined {
  if (options !== undefined && options !== null && Object.hasOwn(options, 'registry')) {
    throw new TypeError(`${what}: the option "registry" is now "source" (a Registry, or any StatsSource)`);
  }
  const source = options?.source;
  if (source === undefined) return undefined;
  if (source === null || typeof source.snapshot !== 'function' || typeof source.snapshotAsync !== 'function') {
    throw new TypeError(`${what}: "source" must have snapshot() and snapshotAsync(), as a Registry has`);
  }
  return source;
}
