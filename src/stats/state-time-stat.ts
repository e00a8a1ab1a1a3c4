import { type DeclarationOptions, describeStat } from '../core/description.js';
import { isNumber, nestedShape } from '../core/json.js';
import type { KindOutputs, Sample } from '../core/samples.js';
import { GROWING_DICT_MERGE } from '../core/merge.js';
import type { JsonValue } from '../core/snapshot.js';
import { defineStat, type StatDef } from '../core/stat-def.js';
import { defineStatProperty, keyLimitOf, setKey, StatCell } from '../core/stat-cell.js';
import { boundedKey } from './bounded-keys.js';
import type { NumberDict } from './int-dict-stat.js';
import { histogramKey } from './value-stat.js';

/** The labels of a stateTime: its states. */
const STATE_LABELS: readonly string[] = Object.freeze(['state']);

/** Options of a `stateTimeStat`. */
export interface StateTimeOptions extends DeclarationOptions {
  /** At most this many distinct states (default: the registry's `keyLimit`). */
  keyLimit?: number;
}

/** Handle of a `stateTimeStat` (also its property on the stats object). */
export interface StateTimeHandle {
  /** The current state; assigning it switches state. */
  state: string | number | undefined;
  /** Switches to `state`: time from now on is counted under it. */
  set(state: string | number): void;
  /**
   * Concurrency counting: adds 1 to the (numeric) state until the returned release function is
   * called (once), so the stat shows the time spent at each level of concurrency. With a
   * function, holds for its duration (until its promise settles when it returns one).
   */
  acquire(): () => void;
  acquire<R>(fn: () => R): R;
  /** Seconds spent in each state, the current one counted up to now. */
  times(): Record<string, number>;
}

/**
 * `stateTimeStat`: `{state: seconds spent in that state}`, measured with the registry's
 * monotonic clock; the current state's time is counted live when read.
 */
export class StateTimeCell extends StatCell {
  readonly kind = 'stateTime';
  state: string | number | undefined = undefined;
  /** The key the current state's time goes to (its own, or the overflow key), fixed at set(). */
  private key: string | undefined = undefined;
  private since = 0;
  /** Accumulated milliseconds per state. */
  readonly ms = new Map<string, number>();
  readonly keyLimit: number;
  readonly handle: StateTimeHandle;

  constructor(name: string, container: StatCell['container'], ctx: StatCell['ctx'], options: StateTimeOptions) {
    super(name, container, ctx);
    this.keyLimit = keyLimitOf(options.keyLimit, ctx.keyLimit, name);
    this.handle = makeHandle(this);
  }

  private keyOf(state: string | number): string {
    return boundedKey(this.ms, histogramKey(state) ?? String(state), this.keyLimit, this);
  }

  set(state: unknown): void {
    if (typeof state !== 'string' && !(typeof state === 'number' && state - state === 0)) {
      this.ctx.reject(this, state, 'not a state (a string or a finite number)');
      return;
    }
    const now = this.ctx.clock.now();
    if (this.key !== undefined) this.ms.set(this.key, (this.ms.get(this.key) ?? 0) + (now - this.since));
    this.state = state;
    this.since = now;
    this.key = this.keyOf(state);
    if (!this.ms.has(this.key)) this.ms.set(this.key, 0);
  }

  times(): Record<string, number> {
    const out: Record<string, JsonValue> = {};
    const now = this.ctx.clock.now();
    for (const [k, v] of this.ms) setKey(out, k, (v + (k === this.key ? now - this.since : 0)) / 1000);
    return out as Record<string, number>;
  }

  read(): NumberDict {
    return this.times();
  }

  bind(target: object, handles: Record<string, unknown>): void {
    defineStatProperty(this, target, this.handle, (v) => this.set(v));
    handles[this.name] = this.handle;
  }

  clear(): void {
    this.ms.clear();
    // The current state goes on (a held acquire() still releases from its level): its time
    // restarts now.
    if (this.key !== undefined) {
      this.since = this.ctx.clock.now();
      this.ms.set(this.key, 0);
    }
  }
}

function makeHandle(cell: StateTimeCell): StateTimeHandle {
  const level = (d: number) => cell.set((typeof cell.state === 'number' ? cell.state : 0) + d);
  function acquire(): () => void;
  function acquire<R>(fn: () => R): R;
  function acquire<R>(fn?: () => R): (() => void) | R {
    level(1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      level(-1);
    };
    if (fn === undefined) return release;
    let r: R;
    try {
      r = fn();
    } catch (e) {
      release();
      throw e;
    }
    if (r !== null && typeof r === 'object' && typeof (r as { then?: unknown }).then === 'function') {
      return Promise.resolve(r).finally(release) as R;
    }
    release();
    return r;
  }
  return {
    get state() {
      return cell.state;
    },
    set state(s) {
      if (s !== undefined) cell.set(s);
    },
    set: (s) => cell.set(s),
    acquire,
    times: () => cell.times(),
  };
}

function stateSamples(value: NumberDict): Sample[] {
  const out: Sample[] = [];
  for (const k of Object.keys(value)) {
    const v = value[k];
    if (typeof v === 'number') out.push({ type: 'state', field: [k], labels: [['state', k]], value: v });
  }
  return out;
}

/** How a stateTime shows in every output: the seconds spent in each state (label `state`). */
export const stateTimeOutputs: KindOutputs<NumberDict> = {
  shape: nestedShape(isNumber),
  merge: GROWING_DICT_MERGE,
  samples: stateSamples,
  family: () => 'gauge',
  display: { format: () => 's' },
};

/**
 * Time spent per state: `STATS.phase.state = 'reading'`; `STATS.inflight.acquire()` counts
 * concurrency (time spent at each level).
 */
export function stateTimeStat<N extends string>(name: N, options: StateTimeOptions = {}): StatDef<N, StateTimeHandle, StateTimeHandle, false> {
  return defineStat(name, 'stateTime', (c, ctx) => new StateTimeCell(name, c, ctx, options), describeStat(name, options, STATE_LABELS));
}
