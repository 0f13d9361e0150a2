// createFetchHandler: turns handleHttp into a `fetch(Request) → Response` handler for Workers,
// Deno, Bun, or Node's own fetch-style servers.
import { handleHttp } from './contact_phone.js';

// Memory guards while reading bodies; the 16 KiB limit itself is enforced (413) in wasm.
// Past READ_AT_MOST the body is read and dropped (some runtimes reset a connection whose body
// was left unread); past DRAIN_AT_MOST reading stops.
const READ_AT_MOST = 1024 * 1024;
const DRAIN_AT_MOST = 16 * 1024 * 1024;

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
    const body = request.body ? await readText(request.body) : null;
    const response = await handleHttp(
      { method: request.method, path: url.pathname + url.search, headers, body },
      typeof host === 'function' ? await host(request, ...rest) : host,
      typeof options === 'function' ? await options(request, ...rest) : options,
    );
    // A host failure's cause is left out of the body; the server's log gets it.
    if (response.log) console.error(`contact-phone: ${response.log}`);
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}

async function readText(stream) {
  const reader = stream.getReader();
  const chunks = [];
  let kept = 0;
  let read = 0;
  while (read <= DRAIN_AT_MOST) {
    const { done, value } = await reader.read();
    if (done) break;
    read += value.byteLength;
    if (kept <= READ_AT_MOST) {
      chunks.push(value);
      kept += value.byteLength;
    }
  }
  await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(kept);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
