// createFetchHandler: turns handleHttp into a `fetch(Request) → Response` handler for Workers,
// Deno, Bun, or Node's own fetch-style servers.
import { handleHttp } from './contact_phone.js';

// A memory guard while reading bodies; the 16 KiB limit itself is enforced (413) in wasm.
const READ_AT_MOST = 1024 * 1024;

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
    return new Response(response.body, { status: response.status, headers: response.headers });
  };
}

async function readText(stream) {
  const reader = stream.getReader();
  const chunks = [];
  let size = 0;
  while (size <= READ_AT_MOST) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
