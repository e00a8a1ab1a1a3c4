/**
 * The credentials of a protected status page are compared whole: a wrong token or password of
 * the right length is refused wherever it differs (first character, middle, last). Through the
 * package as users run it: a real server on 127.0.0.1, and the public handler for a property
 * over random secrets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import * as scales from 'scales-metrics';
import { createStatusHandler, serveInBackground, type StatusAuth, type StatusHandler, type StatusServer } from 'scales-metrics/http';
import '../helpers/fast-check-seed.js';

const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64');

/** `s` with its character at `i` replaced by `c`. */
const replaceAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1);

describe('a protected status server refuses wrong credentials of the right length', () => {
  const registry = new scales.Registry();
  registry.collection('/web', scales.intStat('errors')).errors += 1;
  let bearerServer: StatusServer;
  let basicServer: StatusServer;
  before(async () => {
    bearerServer = await serveInBackground(0, { source: registry, host: '127.0.0.1', auth: { token: 's3cret' } });
    basicServer = await serveInBackground(0, { source: registry, host: '127.0.0.1', auth: { username: 'ops', password: 'pw' } });
  });
  after(async () => {
    await bearerServer.close();
    await basicServer.close();
  });

  const status = async (server: StatusServer, authorization: string) =>
    (await fetch(`${server.url}?format=json`, { headers: { authorization } })).status;

  it('bearer: the right token is let in; one differing early, in the middle or at the end is not', async () => {
    assert.equal(await status(bearerServer, 'Bearer s3cret'), 200);
    for (const wrong of ['z3cret', 's3xret', 'zzzzzt', 's3creX', 'S3cret']) {
      assert.equal(await status(bearerServer, `Bearer ${wrong}`), 401, `Bearer ${wrong} must be refused`);
    }
  });

  it('basic: the right user and password are let in; a user or password differing early or in the middle is not', async () => {
    assert.equal(await status(basicServer, basic('ops', 'pw')), 200);
    for (const [user, password] of [
      ['xps', 'pw'],
      ['oxs', 'pw'],
      ['ops', 'aw'],
      ['ops', 'px'],
      ['opx', 'pw'],
    ] as const) {
      assert.equal(await status(basicServer, basic(user, password)), 401, `${user}:${password} must be refused`);
    }
    assert.equal(await status(basicServer, 'Basic ' + Buffer.from('ops;pw').toString('base64')), 401, 'the separator counts too');
  });
});

const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/'.split('');
/** One UTF-16 unit each, so that replacing one keeps the length; includes non-ASCII. */
const PASSWORD_CHARS = [...TOKEN_CHARS, ' ', '!', '"', '#', ':', '@', '\\', 'é', 'ß', 'Ж', '中', '€'];
const USER_CHARS = TOKEN_CHARS.filter((c) => c !== '/');

/** A secret, a position in it and a different character for that position. */
function secretAndTypo(chars: string[], maxLength: number) {
  return fc
    .array(fc.constantFrom(...chars), { minLength: 1, maxLength })
    .map((a) => a.join(''))
    .chain((secret) =>
      fc.record({
        secret: fc.constant(secret),
        at: fc.nat(secret.length - 1),
        other: fc.constantFrom(...chars),
      }),
    )
    .filter(({ secret, at, other }) => secret[at] !== other);
}

describe('property: any same-length credential differing at any one position is refused', () => {
  const handlers: StatusHandler[] = [];
  after(() => {
    for (const h of handlers) h.close();
  });
  const registry = new scales.Registry();
  const make = (auth: StatusAuth) => {
    const h = createStatusHandler({ source: registry, auth });
    handlers.push(h);
    return h;
  };
  const status = async (h: StatusHandler, authorization: string) =>
    (await h.fetch(new Request('http://127.0.0.1/status/?format=json', { headers: { authorization } }))).status;

  it('bearer tokens', async () => {
    await fc.assert(
      fc.asyncProperty(secretAndTypo(TOKEN_CHARS, 40), async ({ secret, at, other }) => {
        const h = make({ token: secret });
        assert.equal(await status(h, `Bearer ${secret}`), 200);
        assert.equal(await status(h, `Bearer ${replaceAt(secret, at, other)}`), 401);
      }),
      { numRuns: 300 },
    );
  });

  it('basic user:password (the typo in the user, the separator or the password)', async () => {
    const arb = fc
      .tuple(
        fc.array(fc.constantFrom(...USER_CHARS), { minLength: 1, maxLength: 12 }),
        fc.array(fc.constantFrom(...PASSWORD_CHARS), { minLength: 1, maxLength: 24 }),
      )
      .map(([u, p]) => ({ user: u.join(''), password: p.join('') }))
      .chain(({ user, password }) => {
        const whole = `${user}:${password}`;
        return fc
          .record({ at: fc.nat(whole.length - 1), other: fc.constantFrom(...PASSWORD_CHARS) })
          .filter(({ at, other }) => whole[at] !== other)
          .map(({ at, other }) => ({ user, password, typo: replaceAt(whole, at, other) }));
      });
    await fc.assert(
      fc.asyncProperty(arb, async ({ user, password, typo }) => {
        const h = make({ username: user, password });
        assert.equal(await status(h, basic(user, password)), 200);
        assert.equal(await status(h, 'Basic ' + Buffer.from(typo, 'utf8').toString('base64')), 401, `${typo} for ${user}:${password}`);
      }),
      { numRuns: 300 },
    );
  });
});
