/**
 * The allow / forbid / prune rules of a Graphite pusher, with the semantics of Python scales:
 * one chain of allow and forbid rules where the newest matching rule wins and a path that no
 * rule matches is not sent, plus a list of prune rules that stop the walk from descending into
 * a branch. Paths are given without their leading '/' (`web/latency/median`).
 */

import type { JsonValue } from '../core/snapshot.js';
import { fnmatchToRegExp } from './fnmatch.js';

/**
 * An allow or forbid rule: a glob (fnmatch: `*`, `?`, `[...]`, `[!...]`; `*` also crosses '/')
 * matched against the stat's path without its leading '/', or a predicate called with that
 * path and the value about to be sent.
 */
export type GraphiteRule = string | ((path: string, value: JsonValue) => boolean);

/** A prune rule: a glob, or a predicate on the path (without its leading '/'). */
export type GraphitePruneRule = string | ((path: string) => boolean);

type Matcher = (path: string, value?: JsonValue) => unknown;

function describeRule(rule: unknown): string {
  if (rule === null) return 'null';
  if (typeof rule === 'string') return JSON.stringify(rule);
  if (typeof rule === 'object') return Array.isArray(rule) ? 'an array' : `an object (${Object.prototype.toString.call(rule)})`;
  return `${typeof rule} ${String(rule)}`;
}

function compile(rule: unknown, what: string): Matcher {
  if (typeof rule === 'string') {
    const re = fnmatchToRegExp(rule);
    return (path: string) => re.test(path);
  }
  if (typeof rule === 'function') return rule as Matcher;
  throw new TypeError(`invalid graphite ${what} rule ${describeRule(rule)}: a rule must be a glob string or a function`);
}

function stripSlash(path: string): string {
  return path.charCodeAt(0) === 47 ? path.slice(1) : path;
}

/**
 * An ordered chain of allow / forbid rules plus prune rules.
 *
 * @example
 * const rules = new GraphiteRules();
 * rules.allow('*');
 * rules.forbid('web/secret*');
 * rules.isAllowed('web/errors', 3);   // true
 * rules.isAllowed('web/secretKey', 1); // false (newest matching rule wins)
 */
export class GraphiteRules {
  readonly #chain: { allow: boolean; test: Matcher }[] = [];
  readonly #prune: Matcher[] = [];
  #onError: ((error: unknown, path: string) => void) | undefined;

  /**
   * @param onError called when a predicate throws (the rule then counts as not matching);
   *   the walk never lets a predicate's exception escape.
   */
  constructor(onError?: (error: unknown, path: string) => void) {
    this.#onError = onError;
  }

  /** Appends a rule that allows the paths it matches. Throws a TypeError for anything but a string or a function. */
  allow(rule: GraphiteRule): this {
    this.#chain.push({ allow: true, test: compile(rule, 'allow') });
    return this;
  }

  /** Appends a rule that forbids the paths it matches. Throws a TypeError for anything but a string or a function. */
  forbid(rule: GraphiteRule): this {
    this.#chain.push({ allow: false, test: compile(rule, 'forbid') });
    return this;
  }

  /** Adds a rule that stops the walk at the branches it matches (nothing below is sent). */
  prune(rule: GraphitePruneRule): this {
    this.#prune.push(compile(rule, 'prune'));
    return this;
  }

  /** True when at least one allow rule exists (with none, nothing can be sent). */
  get hasAllowRules(): boolean {
    return this.#chain.some((r) => r.allow);
  }

  /** Whether a leaf at `path` (leading '/' optional) with `value` is sent: the newest matching rule decides; no match means no. */
  isAllowed(path: string, value: JsonValue): boolean {
    const p = stripSlash(path);
    for (let i = this.#chain.length - 1; i >= 0; i--) {
      const rule = this.#chain[i];
      let hit = false;
      try {
        hit = Boolean(rule.test(p, value));
      } catch (error) {
        this.#onError?.(error, p);
      }
      if (hit) return rule.allow;
    }
    return false;
  }

  /** Whether the walk stops at `path` (leading '/' optional): true if any prune rule matches. */
  isPruned(path: string): boolean {
    if (this.#prune.length === 0) return false;
    const p = stripSlash(path);
    for (let i = this.#prune.length - 1; i >= 0; i--) {
      let hit = false;
      try {
        hit = Boolean(this.#prune[i](p));
      } catch (error) {
        this.#onError?.(error, p);
      }
      if (hit) return true;
    }
    return false;
  }
}
