/**
 * The URL path of a Pushgateway group: `/metrics/job/<job>{/<label>/<value>}`. Values are
 * percent-encoded path segments; a value holding `/` (which a path segment cannot carry) or
 * starting with `.` (`.` and `..` would be resolved away by URL normalization, pushing to another
 * group) is sent in the Pushgateway's base64 form, `<label>@base64/<base64url>`, and an empty
 * value as `<label>@base64/=` (the API's spelling of the empty string).
 */

/** Grouping labels of a push, besides `job`: label name → value. */
export type GroupingLabels = Readonly<Record<string, string>>;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function segment(name: string, value: string, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`pushgateway ${what}: the value must be a string, got ${typeof value}`);
  if (LONE_SURROGATE.test(value))
    throw new TypeError(`pushgateway ${what}: the value ${JSON.stringify(value)} holds a lone UTF-16 surrogate, which UTF-8 cannot carry`);
  if (value === '') return `${name}@base64/=`;
  if (value.includes('/') || value.startsWith('.')) return `${name}@base64/${Buffer.from(value, 'utf8').toString('base64url')}`;
  return `${name}/${encodeURIComponent(value)}`;
}

/**
 * The path of the group `job` + `grouping` (without the gateway's base URL). Throws a
 * `TypeError` naming the bad part: an empty job, a label name outside `[a-zA-Z_][a-zA-Z0-9_]*`,
 * a reserved `__` name, `job` repeated as a grouping label, a value UTF-8 cannot carry.
 *
 * @example groupingPath('backup', { instance: 'db-1', dir: '/var/tmp' })
 * // '/metrics/job/backup/instance/db-1/dir@base64/L3Zhci90bXA'
 */
export function groupingPath(job: string, grouping: GroupingLabels = {}): string {
  if (typeof job !== 'string' || job === '') throw new TypeError(`pushgateway job: expected a non-empty string, got ${JSON.stringify(job)}`);
  let path = '/metrics/' + segment('job', job, 'job');
  for (const [name, value] of Object.entries(grouping)) {
    if (!LABEL_NAME.test(name))
      throw new TypeError(`pushgateway grouping label ${JSON.stringify(name)}: a label name must match [a-zA-Z_][a-zA-Z0-9_]*`);
    if (name.startsWith('__')) throw new TypeError(`pushgateway grouping label "${name}": names starting with __ are reserved`);
    if (name === 'job') throw new TypeError('pushgateway grouping label "job": the job is given on its own, not as a grouping label');
    path += '/' + segment(name, value, `grouping label "${name}"`);
  }
  return path;
}
