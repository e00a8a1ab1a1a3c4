import { InvalidNameError, joinPath, MAX_PATH_DEPTH, validateName } from './path.js';
import type { StatCell } from './stat-cell.js';

/** A node of the stat tree: a named container of stats and child containers. */
export class Container {
  /** Stats in declaration order, by name. */
  readonly stats = new Map<string, StatCell>();
  /** Child containers in creation order, by name. */
  readonly children = new Map<string, Container>();
  /** Collapsed containers are left out of JSON and shown as links in HTML. */
  collapsed = false;
  /** Counter for auto-numbered children (initChildOfType), per type name. */
  readonly typeCounters = new Map<string, number>();
  /**
   * Set when the container is removed from its tree; a container created below a detached one
   * (a late `initChild` on a removed owner) is born detached.
   */
  detached: boolean;
  readonly path: string;
  readonly segments: readonly string[];

  constructor(
    readonly name: string,
    readonly parent: Container | null,
  ) {
    this.segments = parent ? [...parent.segments, name] : [];
    this.detached = parent?.detached ?? false;
    this.path = joinPath(this.segments);
  }

  /** The child container called `name`, created if missing. */
  child(name: string): Container {
    let c = this.children.get(name);
    if (c === undefined) {
      validateName(name, 'container', this.path);
      if (this.segments.length >= MAX_PATH_DEPTH) {
        const where = this.path.length > 200 ? `${this.path.slice(0, 200)}…` : this.path;
        throw new InvalidNameError(`cannot create container "${name}" in ${where}: containers nest at most ${MAX_PATH_DEPTH} levels deep`);
      }
      if (this.stats.has(name)) {
        throw new InvalidNameError(`cannot create container "${name}" in ${this.path}: a stat of that name exists there`);
      }
      c = new Container(name, this);
      this.children.set(name, c);
    }
    return c;
  }

  /** The container at `segments` below this one, created if missing. */
  descend(segments: readonly string[]): Container {
    let c: Container = this;
    for (const s of segments) c = c.child(s);
    return c;
  }

  /** The container at `segments` below this one, or undefined. */
  find(segments: readonly string[]): Container | undefined {
    let c: Container | undefined = this;
    for (const s of segments) {
      c = c.children.get(s);
      if (c === undefined) return undefined;
    }
    return c;
  }

  /** True when `this` is `other` or one of its ancestors. */
  isAncestorOf(other: Container): boolean {
    for (let c: Container | null = other; c !== null; c = c.parent) if (c === this) return true;
    return false;
  }

  /** Visits this container and every descendant, depth first. */
  *walk(): Generator<Container> {
    yield this;
    for (const c of this.children.values()) yield* c.walk();
  }
}
