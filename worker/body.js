// Request bodies that an answer does not need.

/** The most of an unwanted body that is read: a refused caller gets no more of our time. */
const DISCARD_AT_MOST = 64 * 1024;

/**
 * Reads and drops a request body that the answer does not need, up to DISCARD_AT_MOST bytes.
 * With www/ served as assets, the request passes the assets router first, and workerd (as run
 * by miniflare) then often resets the client's connection if the reply goes out while the
 * body is unread, so a small body is read to its end; `body.cancel()` alone does not prevent
 * the reset. A longer body is cancelled: its sender may see the connection reset.
 */
export async function discardBody(request) {
  if (!request.body) return;
  const reader = request.body.getReader();
  let read = 0;
  while (read <= DISCARD_AT_MOST) {
    const { done, value } = await reader.read();
    if (done) return;
    read += value.byteLength;
  }
  await reader.cancel().catch(() => {});
}

/**
 * The body as text if it has at most `max` bytes, else null: reading stops at the first byte
 * past `max`, so a sender cannot make the worker hold more.
 */
export async function readBounded(request, max) {
  if (!request.body) return '';
  if (Number(request.headers.get('content-length')) > max) {
    await discardBody(request);
    return null;
  }
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
