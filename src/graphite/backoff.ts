/**
 * Jittered exponential backoff for reconnecting to carbon.
 */

/** First reconnect delay (before jitter), in ms. */
export const DEFAULT_RECONNECT_BASE_MS = 200;
/** Cap of the reconnect delay, in ms (Python scales capped at 5 s). */
export const DEFAULT_RECONNECT_MAX_MS = 5000;

/**
 * Delay before reconnect attempt number `attempt` (0 for the first retry): the exponential
 * `base * 2^attempt` capped at `max`, with "equal jitter" (a uniform value between half and all
 * of it) so that many servers that lost the same carbon do not reconnect in lockstep.
 *
 * @example
 * backoffDelay(0, 200, 5000, () => 1); // 200
 * backoffDelay(10, 200, 5000, () => 0); // 2500
 */
export function backoffDelay(
  attempt: number,
  baseMs = DEFAULT_RECONNECT_BASE_MS,
  maxMs = DEFAULT_RECONNECT_MAX_MS,
  random: () => number = Math.random,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return exp / 2 + random() * (exp / 2);
}
