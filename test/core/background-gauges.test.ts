// Slow gauges and the periodic, unattended outputs: the Graphite periodic pusher's timed pushes
// and dumpStatsPeriodically's writes are background reads, so a gauge over the registry's
// gaugeBudgetMs is called by the read that finds it slow, then skipped (and retried after a
// back-off that doubles while it stays slow: 1, 2, 4, ... reads skipped) while the other stats
// keep flowing; reads a user asks for (push(), dumpStatsTo, a crash dump, getStats)
// still call it, and one of them finding it fast again brings it back.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as scales from 'scales-metrics';
import { dumpStatsPeriodically, dumpStatsTo, dumpStatsToSync } from 'scales-metrics/dump';
import { GraphitePeriodicPusher } from 'scales-metrics/graphite';
import { Sink, until } from '../graphite/tcp-sink.js';
import { ManualScheduler } from '../helpers/manual-scheduler.js';
import { warningsDuring } from '../helpers/warnings.js';

/** A registry with a gauge whose read takes `slow.ms` of the registry's clock, a fast gauge and a counter. */
function slowTree() {
  const clock = new scales.ManualClock();
  const registry = new scales.Registry({ clock, gaugeBudgetMs: 50 });
  const calls = { slow: 0, fast: 0 };
  const slow = { ms: 2_000 };
  const S = registry.collection(
    '/app',
    scales.stat('slow', () => {
      calls.slow++;
      clock.advance(slow.ms); // the gauge's work, in the registry's time
      return 7;
    }),
    scales.stat('fast', () => ++calls.fast),
    scales.intStat('n'),
  );
  return { registry, calls, slow, S };
}

describe('the Graphite periodic pusher reads in the background', () => {
  it('calls a slow gauge, then sends nothing for it while the rest flows, retrying it after a back-off; push() and a fast foreground read bring it back', async () => {
    const { registry, calls, slow, S } = slowTree();
    const sink = new Sink();
    const port = await sink.listen();
    const scheduler = new ManualScheduler(); // 1_800_000_000_000: pushes land at 1800000001, ...02, ...
    const pusher = new GraphitePeriodicPusher('127.0.0.1', port, 'p', { source: registry, period: 1, scheduler, selfStatsPath: null });
    pusher.allow('app/*');
    const at = (ts: number) => sink.lines().filter((l) => l.endsWith(` ${ts}`));
    /** Runs the next timed push (the counter set to `n` first) and waits until its last line arrived. */
    const timedPush = async (n: number): Promise<string[]> => {
      S.n = n;
      scheduler.runNext();
      const ts = Math.floor(scheduler.now() / 1000);
      await until(`the timed push of n=${n}`, () => sink.received.includes(`p.app.n ${n} ${ts}\n`));
      return at(ts);
    };
    try {
      pusher.start();
      const warnings = await warningsDuring('SCALES_SLOW_GAUGE', async () => {
        const first = await timedPush(1);
        assert.deepEqual(
          first,
          ['p.app.slow 7 1800000001', 'p.app.fast 1 1800000001', 'p.app.n 1 1800000001'],
          'the first read calls it and finds it slow',
        );
      });
      assert.equal(warnings.length, 1, 'one warning');
      assert.match(warnings[0].message, /\/app\/slow took 2000 ms/);
      assert.deepEqual(registry.getStats('/scales'), { gaugeReadMs: { '/app/slow': 2000 } });

      for (let n = 2; n <= 5; n++) {
        const lines = await timedPush(n);
        const ts = 1_800_000_000 + n;
        if (n === 3)
          assert.deepEqual(
            lines,
            [`p.app.slow 7 ${ts}`, `p.app.fast ${n} ${ts}`, `p.app.n ${n} ${ts}`],
            'timed push 3: retried after one skipped (and found slow again)',
          );
        else
          assert.deepEqual(
            lines,
            [`p.app.fast ${n} ${ts}`, `p.app.n ${n} ${ts}`],
            `timed push ${n}: no datapoint for the slow gauge, the rest flows`,
          );
      }
      assert.equal(calls.slow, 2, 'of four timed pushes only the retry (after one skipped, then two skipped) called the slow gauge');
      assert.equal(calls.fast, 5);

      // A push the user asks for is a foreground read: it calls the gauge and sends its value.
      const r = await pusher.push();
      assert.equal(r.error, undefined);
      assert.equal(calls.slow, 3, 'push() called the slow gauge');
      await until('the slow value of push()', () => sink.lines().filter((l) => l.startsWith('p.app.slow ')).length === 3);
      assert.deepEqual(await timedPush(6), ['p.app.fast 7 1800000006', 'p.app.n 6 1800000006'], 'still slow: the next timed push skips it again');
      assert.equal(calls.slow, 3);

      // Fast again: a foreground read (getStats) records the new time, and timed pushes take it back.
      slow.ms = 3;
      assert.equal((registry.getStats('/app') as { slow: number }).slow, 7);
      assert.equal(calls.slow, 4);
      assert.deepEqual(registry.getStats('/scales'), { gaugeReadMs: { '/app/slow': 3 } });
      assert.deepEqual(await timedPush(7), ['p.app.slow 7 1800000007', 'p.app.fast 9 1800000007', 'p.app.n 7 1800000007']);
      assert.deepEqual(await timedPush(8), ['p.app.slow 7 1800000008', 'p.app.fast 10 1800000008', 'p.app.n 8 1800000008']);
      assert.equal(calls.slow, 6, 'called by every timed push once fast');
    } finally {
      await pusher.stop(1000);
      await sink.close();
    }
  });
});

describe('dumpStatsPeriodically reads in the background', () => {
  it('calls a slow gauge, then writes an error marker in its place while the rest is fresh (retrying it after a back-off); dumpStatsTo, a crash dump and a fast foreground read still call it', async () => {
    const { registry, calls, slow, S } = slowTree();
    const dir = await mkdtemp(join(tmpdir(), 'scales-bg-gauges-'));
    const file = join(dir, 'periodic.json');
    const scheduler = new ManualScheduler();
    const app = async (f = file) => (JSON.parse(await readFile(f, 'utf8')) as { stats: { app: Record<string, unknown> } }).stats.app;
    /** Runs the next periodic write and waits until it ended (it schedules the one after). */
    const nextWrite = async (n: number) => {
      S.n = n;
      const seen = scheduler.calls;
      scheduler.runNext();
      await scheduler.scheduled(`periodic write n=${n}`, seen);
    };
    const handle = dumpStatsPeriodically(file, { source: registry, periodMs: 10_000, scheduler });
    try {
      await scheduler.scheduled('the first periodic write', 0);
      assert.deepEqual(await app(), { slow: 7, fast: 1, n: 0 }, 'the first write calls it and finds it slow');
      assert.equal(calls.slow, 1);

      for (let n = 1; n <= 4; n++) {
        await nextWrite(n);
        const a = await app();
        assert.deepEqual({ fast: a.fast, n: a.n }, { fast: n + 1, n }, `write ${n}: the other stats are fresh`);
        if (n === 2) {
          assert.equal(a.slow, 7, 'write 2: retried after one write skipped it (found slow again)');
          continue;
        }
        const marker = a.slow as { error: string };
        assert.match(
          marker.error,
          /^not read in the background: this gauge took 2000 ms, over the 50 ms budget$/,
          `write ${n}: an error marker for the slow gauge`,
        );
      }
      assert.equal(calls.slow, 2, 'of four periodic writes only the retry called the slow gauge');
      assert.equal(handle.writes, 5);
      assert.equal(handle.errors, 0, 'a skipped gauge is not a failed write');

      // Dumps a user (or a crash handler) asks for are foreground reads.
      await dumpStatsTo(join(dir, 'now.json'), { source: registry });
      assert.equal((await app(join(dir, 'now.json'))).slow, 7);
      dumpStatsToSync(join(dir, 'crash.json'), { source: registry });
      assert.equal((await app(join(dir, 'crash.json'))).slow, 7);
      assert.equal(calls.slow, 4, 'dumpStatsTo and the synchronous (crash) dump called it');
      await nextWrite(5);
      assert.equal(typeof ((await app()).slow as { error: string }).error, 'string', 'still slow: skipped again');
      assert.equal(calls.slow, 4);

      // Fast again: a foreground read finds it under the budget; periodic writes read it again.
      slow.ms = 3;
      registry.getStats('/app');
      assert.equal(calls.slow, 5);
      await nextWrite(6);
      assert.deepEqual(await app(), { slow: 7, fast: 10, n: 6 });
      await nextWrite(7);
      assert.equal((await app()).slow, 7);
      assert.equal(calls.slow, 7, 'called by every periodic write once fast');
    } finally {
      await handle.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
