/**
 * A status page protected with `auth: { username, password }` is read by `scales view` and
 * `scales push-once` with the credentials in the URL (`http://ops:s3cret@host/status/`), as curl
 * takes them. `fetch()` refuses such URLs, so they are moved into an `Authorization: Basic`
 * header, and the URL shown in messages no longer holds the password.
 */

/** The URL without its credentials, and the headers that carry them (none when there are none). */
export function splitUrlCredentials(url: URL): { url: URL; headers: Record<string, string> } {
  if (url.username === '' && url.password === '') return { url, headers: {} };
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  return { url: bare, headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}` } };
}
