import { OVERFLOW_KEY, type StatCell } from '../core/stat-cell.js';

/**
 * The key a write to `key` lands on in a dict bounded to `limit` keys: `key` itself when it is
 * present or there is room, else {@link OVERFLOW_KEY}, the fold reported to the registry
 * (counted under /scales/overflow). The one place every bounded dict stat folds new keys.
 */
export function boundedKey(map: ReadonlyMap<string, unknown>, key: string, limit: number, cell: StatCell): string {
  if (map.size < limit || key === OVERFLOW_KEY || map.has(key)) return key;
  cell.ctx.overflow(cell);
  return OVERFLOW_KEY;
}
