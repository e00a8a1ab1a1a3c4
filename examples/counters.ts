// docs/stats.md "Counters and gauges": an intStat counts (it only goes up); `{ gauge: true }`
// declares a value that may go down. A decrease of a counter is rejected and counted.
import * as scales from 'scales-metrics';

const S = scales.collection(
  '/jobs',
  scales.intStat('done', { help: 'Jobs finished' }), // a counter
  scales.intStat('running', { gauge: true }), // goes up and down
);
S.running += 1;
S.done += 1;
S.running -= 1;
S.done -= 1; // rejected: the value stays 1, counted under /scales/rejected
scales.clear('/jobs'); // a reset is no decrease: every stat back to 0

const strict = new scales.Registry({ strict: true }); // for tests: a rejected write throws
const T = strict.collection('/t', scales.intStat('n'));
try {
  T.$.n.dec(); // RangeError: ... a decrease of a counter ... declare it with { gauge: true } ...
} catch (e) {
  console.log((e as Error).message);
}
console.log(JSON.stringify(scales.getStats('/scales')?.rejected));
