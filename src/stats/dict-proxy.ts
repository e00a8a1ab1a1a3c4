/** What a dict stat exposes to its index-syntax proxy. (not part of the public API) */
export interface DictAccess<V> {
  get(key: string): V;
  /** Absent for read-only dicts (aggregations): assignments then go to `reject`. */
  set?(key: string, value: unknown): void;
  /** Called for a write to a read-only dict: it is dropped and counted, never thrown. */
  reject?(key: string, value: unknown): void;
  /** Called for an assignment under a key that is no string (a symbol): dropped and counted. */
  badKey?(key: symbol): void;
  has(key: string): boolean;
  delete?(key: string): boolean;
  keys(): Iterable<string>;
}

/**
 * An object whose string keys read and write a dict stat: `d[key] += 1`, `key in d`,
 * `delete d[key]`, `Object.keys(d)`. Every string is a key (including `__proto__`,
 * `constructor`, `toString`); nothing is ever written to any prototype.
 */
export function dictProxy<V>(access: DictAccess<V>): Record<string, V> {
  // The target is never read or written through (every trap answers from the dict); it is a
  // plain object only so that the proxy's prototype, as seen by deep-equality checks, is
  // Object.prototype like any other JSON-ish object.
  const target = {} as Record<string, V>;
  return new Proxy(target, {
    get: (_t, key) => (typeof key === 'string' ? access.get(key) : undefined),
    set: (_t, key, value) => {
      if (typeof key !== 'string') {
        access.badKey?.(key);
        return true;
      }
      if (access.set !== undefined) access.set(key, value);
      else access.reject?.(key, value);
      return true;
    },
    has: (_t, key) => typeof key === 'string' && access.has(key),
    deleteProperty: (_t, key) => {
      if (typeof key === 'string') {
        if (access.delete !== undefined) access.delete(key);
        else access.reject?.(key, undefined);
      }
      return true;
    },
    ownKeys: () => [...access.keys()],
    getOwnPropertyDescriptor: (_t, key) =>
      typeof key === 'string' && access.has(key)
        ? { value: access.get(key), writable: true, enumerable: true, configurable: true }
        : undefined,
    defineProperty: () => false,
    setPrototypeOf: () => false,
  });
}
