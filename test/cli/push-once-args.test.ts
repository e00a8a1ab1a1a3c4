// The argument parsing of `scales push-once` (an internal, through src); the command itself is
// tested through the package's bin in push-once.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHostPort } from '../../src/cli/push-once-command.js';

describe('scales push-once arguments', () => {
  it('parses host:port forms', () => {
    assert.deepEqual(parseHostPort('carbon.example.com'), { host: 'carbon.example.com', port: undefined });
    assert.deepEqual(parseHostPort('127.0.0.1:2004'), { host: '127.0.0.1', port: 2004 });
    assert.deepEqual(parseHostPort('[::1]:2003'), { host: '::1', port: 2003 });
    assert.throws(() => parseHostPort('::1:2003'), /brackets/);
  });
});
