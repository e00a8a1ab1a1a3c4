/**
 * Optional authentication of the status pages: a bearer token, HTTP basic auth, or both.
 */

/** Credentials that a request must present (any one configured scheme is enough). */
export interface StatusAuth {
  /** Accept `Authorization: Bearer <token>`. */
  token?: string;
  /** Accept `Authorization: Basic` with this user name and {@link StatusAuth.password}. */
  username?: string;
  /** The basic-auth password. */
  password?: string;
  /** Realm shown by browsers in the basic-auth prompt (default `scales-metrics`). */
  realm?: string;
}

/** Throws when the auth options cannot work (empty token, user without password, ...). */
export function validateAuth(auth: StatusAuth): void {
  if (auth.token === undefined && auth.username === undefined) {
    throw new TypeError('invalid auth option: give a token, or a username and password');
  }
  if (auth.token !== undefined && (typeof auth.token !== 'string' || auth.token === '')) {
    throw new TypeError('invalid auth.token: must be a non-empty string');
  }
  if (auth.username !== undefined) {
    if (typeof auth.username !== 'string' || auth.username === '' || auth.username.includes(':')) {
      throw new TypeError(`invalid auth.username ${JSON.stringify(auth.username)}: must be non-empty, without ':'`);
    }
    if (typeof auth.password !== 'string' || auth.password === '') {
      throw new TypeError(`invalid auth.password for user ${JSON.stringify(auth.username)}: must be a non-empty string`);
    }
  }
}

/** Compares two strings in time that depends only on their lengths, not on where they differ. */
function sameText(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** Whether the `Authorization` header satisfies `auth`. */
export function isAuthorized(header: string | undefined, auth: StatusAuth): boolean {
  if (!header) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (scheme === 'bearer' && auth.token !== undefined) return sameText(value, auth.token);
  if (scheme === 'basic' && auth.username !== undefined) {
    let decoded: string;
    try {
      decoded = Buffer.from(value, 'base64').toString('utf8');
    } catch {
      return false;
    }
    return sameText(decoded, auth.username + ':' + auth.password);
  }
  return false;
}

/** The `WWW-Authenticate` challenge of a 401 answer. */
export function authChallenge(auth: StatusAuth): string {
  const realm = (auth.realm ?? 'scales-metrics').replace(/["\\]/g, '');
  return auth.username !== undefined ? `Basic realm="${realm}", charset="UTF-8"` : `Bearer realm="${realm}"`;
}
