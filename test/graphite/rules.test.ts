import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphiteRules } from '../../src/graphite/rules.js';

describe('GraphiteRules', () => {
  it('forbids everything by default', () => {
    const rules = new GraphiteRules();
    assert.equal(rules.isAllowed('web/errors', 1), false);
    assert.equal(rules.hasAllowRules, false);
  });

  it('newest matching rule wins, in both directions', () => {
    const rules = new GraphiteRules().allow('*').forbid('web/secret*');
    assert.equal(rules.isAllowed('web/errors', 1), true);
    assert.equal(rules.isAllowed('web/secretKey', 1), false);
    rules.allow('web/secretOk');
    assert.equal(rules.isAllowed('web/secretOk', 1), true);
    assert.equal(rules.isAllowed('web/secretKey', 1), false);
    rules.forbid('*');
    assert.equal(rules.isAllowed('web/secretOk', 1), false);
    assert.equal(rules.isAllowed('web/errors', 1), false);
  });

  it('accepts paths with or without the leading "/" and matches without it', () => {
    const rules = new GraphiteRules().allow('web/*');
    assert.equal(rules.isAllowed('/web/errors', 1), true);
    assert.equal(rules.isAllowed('web/errors', 1), true);
    const seen: string[] = [];
    new GraphiteRules()
      .allow((p) => {
        seen.push(p);
        return true;
      })
      .isAllowed('/a/b', 1);
    assert.deepEqual(seen, ['a/b']);
  });

  it('predicates get the path and the value, and truthy results match', () => {
    const rules = new GraphiteRules().allow((_p, v) => typeof v === 'number' && v > 10);
    assert.equal(rules.isAllowed('a', 11), true);
    assert.equal(rules.isAllowed('a', 3), false);
    const truthy = new GraphiteRules().allow((() => 1) as unknown as () => boolean);
    assert.equal(truthy.isAllowed('a', 0), true);
  });

  it('a throwing predicate counts as not matching and is reported, never thrown', () => {
    const errors: string[] = [];
    const rules = new GraphiteRules((e, p) => errors.push(`${p}: ${(e as Error).message}`));
    rules.allow('*');
    rules.forbid(() => {
      throw new Error('boom');
    });
    assert.equal(rules.isAllowed('x/y', 1), true);
    rules.prune(() => {
      throw new Error('bang');
    });
    assert.equal(rules.isPruned('x'), false);
    assert.deepEqual(errors, ['x/y: boom', 'x: bang']);
  });

  it('prune rules: any match prunes, globs and predicates on the path', () => {
    const rules = new GraphiteRules().prune('processor/thread-*').prune((p) => p.endsWith('/tmp'));
    assert.equal(rules.isPruned('/processor/thread-1'), true);
    assert.equal(rules.isPruned('processor/state'), false);
    assert.equal(rules.isPruned('a/tmp'), true);
    assert.equal(new GraphiteRules().isPruned('anything'), false);
  });

  it('any other rule type is a TypeError naming it', () => {
    const rules = new GraphiteRules();
    for (const bad of [42, null, undefined, /web/, ['web'], { path: 'web' }, true]) {
      assert.throws(
        () => rules.allow(bad as never),
        (e: Error) => e instanceof TypeError && /invalid graphite allow rule/.test(e.message),
      );
      assert.throws(() => rules.forbid(bad as never), TypeError);
      assert.throws(() => rules.prune(bad as never), TypeError);
    }
    assert.throws(() => rules.allow(42 as never), /number 42/);
  });
});
