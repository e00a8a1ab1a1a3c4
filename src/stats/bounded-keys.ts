import { OVERFLOW_KEY, type StatCell } from '../core/stat-cell.js';

/**
 * The key a write to `key` lands on in a dict bounded to `limit` keys: `key` itself when it is
 * present or there is room, else {@link OVERFLOW_KEY}. The one place every bounded dict stat
 * decides the fold; the caller reports it ({@link boundedKey} does both).
 */
export function foldedKey(map: ReadonlyMap<string, unknown>, key: string, limit: number, overflow = OVERFLOW_KEY): string {
  return map.size < limit || key === overflow || map.has(key) ? key : overflow;
}

/**
 * {@link foldedKey}, the fold reported to the registry at once (counted under /scales/overflow):
 * for writes that cannot fail once their key is known.
 */
export function boundedKey(map: ReadonlyMap<string, unknown>, key: string, limit: number, cell: StatCell, overflow = OVERFLOW_KEY): string {
  const to = foldedKey(map, key, limit, overflow);
  if (to !== key) cell.ctx.overflow(cell);
  return to;
}
