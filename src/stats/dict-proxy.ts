/** What a dict stat exposes to its index-syntax proxy. (not part of the public API) */
export interface DictAccess<V> {
  get(key: string): V;
  /** Absent for read-only dicts (aggregations): assignments then go to `reject`. */
  set?(key: string, value: unknown): void;
  /** Called for a write to a read-only dict: it is dropped and counted, never thrown. */
  reject?(key: string, value: unknown): void;
  /** Called for an assignment under a key that is no string (a symbol): dropped and counted. */
  badKey?(key: symbol): void;
  /**
   * What a read under a symbol gives (dicts of handles: a detached, rejection-counting handle,
   * so `d[sym].mark()` does not throw into the caller). Not called for well-known or registered
   * symbols (`Symbol.iterator`, `Symbol.for('nodejs.util.inspect.custom')`): the runtime and
   * libraries probe those, and they answer `undefined` as on a plain object.
   */
  badGet?(key: symbol): V;
  has(key: string): boolean;
  delete?(key: string): boolean;
  keys(): Iterable<string>;
}

/** `Symbol.iterator`, `Symbol.toPrimitive`, ...: probed by the language itself. */
const WELL_KNOWN: ReadonlySet<symbol> = new Set(
  Object.getOwnPropertyNames(Symbol)
    .map((n) => (Symbol as unknown as Record<string, unknown>)[n])
    .filter((v): v is symbol => typeof v === 'symbol'),
);

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
    get: (_t, key) => {
      if (typeof key === 'string') return access.get(key);
      if (access.badGet === undefined || WELL_KNOWN.has(key) || Symbol.keyFor(key) !== undefined) return undefined;
      return access.badGet(key);
    },
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
      typeof key === 'string' && access.has(key) ? { value: access.get(key), writable: true, enumerable: true, configurable: true } : undefined,
    defineProperty: () => false,
    setPrototypeOf: () => false,
  });
}
