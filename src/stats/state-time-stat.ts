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

/** Numeric states below this that are integers find their slot in an array, not a Map (concurrency levels). */
const SMALL_LEVELS = 64;

/**
 * `stateTimeStat`: `{state: seconds spent in that state}`, measured with the registry's
 * monotonic clock; the current state's time is counted live when read. Each state's time is a
 * slot of an array; a small integer state (a concurrency level) finds its slot without a Map
 * lookup, so `acquire()` and the request stats' in-flight count cost a clock read and an add.
 */
export class StateTimeCell extends StatCell {
  readonly kind = 'stateTime';
  state: string | number | undefined = undefined;
  /** The slot the current state's time goes to (its own, or the overflow key's); -1 before the first set(). */
  private cur = -1;
  private since = 0;
  /** The key of each slot, in order of first use. */
  private readonly keys: string[] = [];
  /** Accumulated milliseconds of each slot. */
  private readonly acc: number[] = [];
  /** key -> slot. */
  private readonly slots = new Map<string, number>();
  /** Small integer state -> its own slot (-1: not looked up yet, or folded into the overflow key). */
  private readonly levelSlots = new Int32Array(SMALL_LEVELS).fill(-1);
  readonly keyLimit: number;
  readonly handle: StateTimeHandle;

  constructor(name: string, container: StatCell['container'], ctx: StatCell['ctx'], options: StateTimeOptions) {
    super(name, container, ctx);
    this.keyLimit = keyLimitOf(options.keyLimit, ctx.keyLimit, name);
    this.handle = makeHandle(this);
    cells.set(this.handle, this);
  }

  /** The slot of `state`'s key, created when new (or the overflow key's, beyond the key limit). */
  private slotOf(state: string | number): number {
    const wanted = histogramKey(state) ?? String(state);
    const key = boundedKey(this.slots, wanted, this.keyLimit, this);
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = this.keys.length;
      this.keys.push(key);
      this.acc.push(0);
      this.slots.set(key, slot);
    }
    if (key === wanted && typeof state === 'number' && state >= 0 && state < SMALL_LEVELS && (state | 0) === state) this.levelSlots[state] = slot;
    return slot;
  }

  set(state: unknown): void {
    if (typeof state !== 'string' && !(typeof state === 'number' && state - state === 0)) {
      this.ctx.reject(this, state, 'not a state (a string or a finite number)');
      return;
    }
    this.setAt(state, this.ctx.clock.now());
  }

  /**
   * Switches to `state` (a string or a finite number, already checked) at `now`, a reading of
   * the registry's clock taken by the caller: the request stats read the clock once per request
   * edge for both the latency and the time in flight. (internal)
   */
  setAt(state: string | number, now: number): void {
    if (this.cur >= 0) this.acc[this.cur]! += now - this.since;
    this.state = state;
    this.since = now;
    let slot = -1;
    if (typeof state === 'number' && state >= 0 && state < SMALL_LEVELS && (state | 0) === state) slot = this.levelSlots[state]!;
    this.cur = slot >= 0 ? slot : this.slotOf(state);
  }

  times(): Record<string, number> {
    const out: Record<string, JsonValue> = {};
    const now = this.ctx.clock.now();
    for (let i = 0; i < this.keys.length; i++) setKey(out, this.keys[i]!, (this.acc[i]! + (i === this.cur ? now - this.since : 0)) / 1000);
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
    const current = this.cur >= 0 ? this.keys[this.cur]! : undefined;
    this.keys.length = 0;
    this.acc.length = 0;
    this.slots.clear();
    this.levelSlots.fill(-1);
    this.cur = -1;
    // The current state goes on (a held acquire() still releases from its level): its time
    // restarts now, under the key it had.
    if (current !== undefined && this.state !== undefined) {
      this.keys.push(current);
      this.acc.push(0);
      this.slots.set(current, 0);
      this.cur = 0;
      this.since = this.ctx.clock.now();
      const st = this.state;
      if (typeof st === 'number' && st >= 0 && st < SMALL_LEVELS && (st | 0) === st && histogramKey(st) === current) this.levelSlots[st] = 0;
    }
  }
}

/** The cell behind each handle, for the request stats' {@link StateTimeCell.setAt}. */
const cells = new WeakMap<StateTimeHandle, StateTimeCell>();

/** The cell behind a stateTime handle (internal: the request stats write through it with their own clock reading). */
export function stateTimeCellOf(handle: StateTimeHandle): StateTimeCell | undefined {
  return cells.get(handle);
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
