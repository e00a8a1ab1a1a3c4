import type { Container } from './container.js';
import type { StatDescription } from './description.js';
import { validateName } from './path.js';
import type { StatCell, StatContext } from './stat-cell.js';

/**
 * The declaration of a stat: its name and kind, and how to create it in a container. Made by
 * the stat functions (`intStat('errors')`, ...) and given to `collection`, `init`, `initChild`.
 * The type parameters carry the name `N`, the type `A` of its property on the stats object,
 * the type `H` of its handle under `$`, and whether the property is assignable (`W`).
 */
export interface StatDef<N extends string = string, A = unknown, H = unknown, W extends boolean = boolean> {
  readonly name: N;
  /** The kind's name in the catalogue ('int', 'pmf', ...). */
  readonly kind: string;
  /** What the declaration says besides name and kind (help, unit, labels, prometheusName); absent: nothing. */
  readonly description?: StatDescription;
  /** @internal Creates the live stat. */
  readonly create: (container: Container, ctx: StatContext) => StatCell;
  /** Type-only markers; never set at run time. */
  readonly _access?: A;
  readonly _handle?: H;
  readonly _writable?: W;
}

// biome-ignore lint/suspicious/noExplicitAny: any is what lets every StatDef be one AnyDef
export type AnyDef = StatDef<string, any, any, boolean>;

/** Widens literal types (`'idle'` to `string`) so a stat's initial value does not fix its type. */
export type Widen<T> = T extends string ? string : T extends number ? number : T extends boolean ? boolean : T;

/** A frozen stat declaration, its name checked (used by each kind's declaration function). */
export function defineStat<N extends string, A, H, W extends boolean>(
  name: N,
  kind: string,
  create: (container: Container, ctx: StatContext) => StatCell,
  description?: StatDescription,
): StatDef<N, A, H, W> {
  validateName(name, 'stat');
  return Object.freeze(description === undefined ? { name, kind, create } : { name, kind, create, description });
}
