// Big stat trees for load, event-loop and benchmark runs: `n` stats in containers of 10.
import * as scales from 'scales-metrics';

/** A registry holding `n` stats (`n/10` containers of 8 ints, 1 intDict of 5 keys, 1 pmf). */
export function bigRegistry(n: number) {
  const registry = new scales.Registry();
  const groups: Array<{ a0: number; byKey: Record<string, number>; latency: { record(v: number): void } } & Record<string, unknown>> = [];
  for (let g = 0; g < n / 10; g++) {
    const defs = [];
    for (let i = 0; i < 8; i++) defs.push(scales.intStat(`a${i}`));
    const s = registry.collection(`/svc${g % 10}/group${g}`, ...defs, scales.intDictStat('byKey'), scales.pmfStat('latency'));
    for (let i = 0; i < 8; i++) (s as unknown as Record<string, number>)[`a${i}`] = g * 10 + i;
    for (let k = 0; k < 5; k++) s.byKey[`k${k}`] += k + 1;
    for (let k = 0; k < 20; k++) s.latency.record((k + 1) / 1000);
    groups.push(s as never);
  }
  /** One round of app writes: a counter, a dict key and a timing per group. */
  const record = () => {
    for (const s of groups) {
      s.a0 += 1;
      s.byKey.k0 += 1;
      s.latency.record(0.005);
    }
  };
  return { registry, record };
}
