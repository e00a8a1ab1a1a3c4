/**
 * Own-key helpers for JSON trees, written once: stat names and dict keys are arbitrary strings
 * (`__proto__`, `constructor`...), so a tree is read and written through own properties only.
 */
import type { JsonObject, JsonValue } from './snapshot.js';

/** Whether `v` is a JSON object (not null, not an array). */
export function isObject(v: JsonValue | undefined): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Sets `obj[key] = value` as an own, enumerable data property, even when `key` is `__proto__`. */
export function setOwn(obj: Record<string, JsonValue>, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** `obj[key]` when it is an own property, else undefined (never a value inherited from Object.prototype). */
export function getOwn(obj: JsonObject, key: string): JsonValue | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** Whether `v` is a number (a shape check of a value received from elsewhere). */
export function isNumber(v: JsonValue): boolean {
  return typeof v === 'number';
}

/** A shape check of a dict value: an object whose leaves, at any depth (labelled dicts nest), pass `leaf`. */
export function nestedShape(leaf: (v: JsonValue) => boolean): (v: JsonValue) => boolean {
  const check = (v: JsonValue): boolean => isObject(v) && Object.values(v).every((x) => leaf(x) || check(x));
  return check;
}
