// docs/stats.md "Labels": a keyed stat with named labels, written by name or through a bound
// child; the tree nests the combinations in label order.
import * as scales from 'scales-metrics';

const S = scales.collection(
  '/http',
  scales.intDictStat('requests', { labels: ['method', 'route', 'status'], help: 'Requests answered' }),
  scales.namedPmfDictStat('latency', { labels: ['method', 'route'], unit: 's' }),
);
S.$.requests.inc({ method: 'GET', route: '/a', status: 200 }); // values: string | number
const child = S.$.requests.labels('GET', '/a', 200); // bound child: cache it
child.inc(); // the fastest form
S.$.latency.record({ method: 'GET', route: '/a' }, 0.012);
S.$.latency.labels('GET', '/a').record(0.012);

const tree = scales.getStats('/http') as { requests: unknown; latency: { GET: { '/a': { count: number } } } };
console.log(JSON.stringify(tree.requests)); // {"GET":{"/a":{"200":2}}}
console.log(tree.latency.GET['/a'].count); // 2
