import type { AnyDef, Stats } from './catalogue.js';
import { Registry } from './registry.js';
import type { JsonObject, SnapshotOptions } from '../core/snapshot.js';
import type { SnapshotNode } from './snapshot.js';
import { checkSourceOption, type StatsSource } from './source.js';

/** The registry behind the module-level functions (`scales.collection`, `scales.getStats`, ...). */
export const defaultRegistry: Registry = new Registry();

/**
 * The `source` option of an output (`what` names the output in errors), defaulting to the
 * default registry; the old option name `registry` is refused with a TypeError saying so.
 */
export function sourceOf(options: { source?: StatsSource } | undefined, what: string): StatsSource {
  return checkSourceOption(options, what) ?? defaultRegistry;
}

/** {@link Registry.collection} on the default registry. */
export function collection<const D extends readonly AnyDef[]>(path: string, ...defs: D): Stats<D> {
  return defaultRegistry.collection(path, ...defs);
}

/** {@link Registry.init} on the default registry. */
export function init<const D extends readonly AnyDef[]>(owner: object, path: string, ...defs: D): Stats<D> {
  return defaultRegistry.init(owner, path, ...defs);
}

/** {@link Registry.initChild} on the default registry. */
export function initChild<const D extends readonly AnyDef[]>(owner: object, parent: object, name: string, ...defs: D): Stats<D> {
  return defaultRegistry.initChild(owner, parent, name, ...defs);
}

/** {@link Registry.initChildOfType} on the default registry. */
export function initChildOfType<const D extends readonly AnyDef[]>(owner: object, parent: object, typeName: string, ...defs: D): Stats<D> {
  return defaultRegistry.initChildOfType(owner, parent, typeName, ...defs);
}

/** {@link Registry.addStats} on the default registry. */
export function addStats<const D extends readonly AnyDef[]>(owner: object, ...defs: D): Stats<D> {
  return defaultRegistry.addStats(owner, ...defs);
}

/** {@link Registry.setCollapsed} on the default registry. */
export function setCollapsed(target: string | object, collapsed = true): void {
  defaultRegistry.setCollapsed(target, collapsed);
}

/** {@link Registry.remove} on the default registry. */
export function remove(target: string | object): boolean {
  return defaultRegistry.remove(target);
}

/** {@link Registry.clear} on the default registry. */
export function clear(path?: string): boolean {
  return defaultRegistry.clear(path);
}

/** {@link Registry.reset} on the default registry. */
export function reset(): void {
  defaultRegistry.reset();
}

/** {@link Registry.getStats} on the default registry. */
export function getStats(path?: string, options?: SnapshotOptions): JsonObject | undefined {
  return defaultRegistry.getStats(path, options);
}

/** {@link Registry.snapshot} on the default registry. */
export function snapshot(path?: string, options?: SnapshotOptions): SnapshotNode | undefined {
  return defaultRegistry.snapshot(path, options);
}

/** {@link Registry.snapshotAsync} on the default registry. */
export function snapshotAsync(path?: string, options?: SnapshotOptions): Promise<SnapshotNode | undefined> {
  return defaultRegistry.snapshotAsync(path, options);
}
