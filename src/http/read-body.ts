/**
 * Reading the start of an HTTP answer's body, for the clients of the package (the Pushgateway
 * pusher, `scales view` and `scales push-once`): never more than a cap, decoded as it goes.
 */

/**
 * Reads at most `limit` bytes of the body, decoding as it goes (no chunk is kept); `over` says
 * whether there was more (then reading stopped, the stream is cancelled, and the text is only
 * the part within the limit, without a character cut at the limit).
 */
export async function readBodyStart(response: Response, limit: number): Promise<{ text: string; over: boolean }> {
  const body = response.body;
  if (body === null) return { text: '', over: false };
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (size + value.byteLength > limit) {
      text += decoder.decode(value.subarray(0, limit - size), { stream: true });
      await reader.cancel().catch(() => {});
      return { text, over: true };
    }
    size += value.byteLength;
    text += decoder.decode(value, { stream: true });
  }
  return { text: text + decoder.decode(), over: false };
}
