// createFetchHandler: turns handleHttp into a `fetch(Request) → Response` handler for Workers,
// Deno, Bun, or Node's own fetch-style servers.
import { handleHttp } from './contact_phone.js';

/** handleHttp's body limit (MAX_BODY_BYTES in src/http.rs; http.test.mjs checks both sides). */
const BODY_LIMIT = 16 * 1024;

/**
 * @param {object | ((request: Request, ...rest: unknown[]) => object | Promise<object>)} host
 *   the PhoneHost (with `authenticate`), or a function of the request (and, in Workers, env
 *   and ctx) returning it
 * @param {object | ((request: Request, ...rest: unknown[]) => object | Promise<object>)} [options]
 *   the PhoneOptions, or a function returning them
 */
export function createFetchHandler(host, options) {
  return async function handle(request, ...rest) {
    const url = new URL(request.url);
    const headers = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const parts = { method: request.method, path: url.pathname + url.search, headers, ...(await readBody(request)) };
    const response = await handleHttp(
      parts,
      typeof host === 'function' ? await host(request, ...rest) : host,
      typeof options === 'function' ? await options(request, ...rest) : options,
    );
    // A host failure's cause is left out of the body; the server's log gets it.
    if (response.log) console.error(`contact-phone: ${response.log}`);
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}

/**
 * The body as handleHttp takes it: `{body}` with the text, or `{bodyNotUtf8: true}`. A
 * declared `Content-Length` over the limit is not read at all (handleHttp answers 413 from the
 * header), and reading stops with the chunk that passes the limit: a client cannot make the
 * server read more than one chunk past BODY_LIMIT.
 */
async function readBody(request) {
  if (!request.body) return { body: null };
  if (Number(request.headers.get('content-length')) > BODY_LIMIT) {
    await request.body.cancel().catch(() => {});
    return { body: null };
  }
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  while (size <= BODY_LIMIT) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  if (size > BODY_LIMIT) await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(Math.min(size, BODY_LIMIT + 1));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, bytes.length - offset);
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  // Past the limit the text only needs its length for the 413.
  if (size > BODY_LIMIT) return { body: new TextDecoder().decode(bytes) };
  try {
    return { body: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    return { body: null, bodyNotUtf8: true };
  }
}
