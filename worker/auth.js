// Bearer tokens of the development worker.
//
// ADMIN_TOKEN is the administrator: `user.write` and `user.read` on every organisation, and the
// /admin routes. Every other token is issued by /admin (for a user, or any caller) and is
// stateless: base64url(JSON caller) "." base64url(HMAC-SHA256(TOKEN_SECRET, payload)).
// Production deployments replace `authenticate` with their identity provider's check (e.g.
// verifying a JWT); the library only needs `{userId?, permissions}` back.

const encoder = new TextEncoder();

export const ADMIN_CALLER = Object.freeze({ permissions: ['user.write', 'user.read'] });

async function hmacKey(env) {
  if (!env.TOKEN_SECRET) throw new Error('TOKEN_SECRET is not set');
  return crypto.subtle.importKey('raw', encoder.encode(env.TOKEN_SECRET), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

function base64url(bytes) {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function fromBase64url(text) {
  const binary = atob(text.replaceAll('-', '+').replaceAll('_', '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/**
 * Whether `token` is the admin token. The check is WebCrypto's HMAC verification of `token`
 * against the MAC of ADMIN_TOKEN, which compares in constant time in every runtime (workerd's
 * `timingSafeEqual` is not in Node).
 */
export async function isAdmin(env, token) {
  if (!env.ADMIN_TOKEN || typeof token !== 'string') return false;
  const key = await hmacKey(env);
  const admin = await crypto.subtle.sign('HMAC', key, encoder.encode(env.ADMIN_TOKEN));
  return crypto.subtle.verify('HMAC', key, admin, encoder.encode(token));
}

/** A signed token for `caller`. */
export async function issueToken(env, caller) {
  const payload = base64url(encoder.encode(JSON.stringify(caller)));
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(env), encoder.encode(payload));
  return `${payload}.${base64url(signature)}`;
}

/** The caller behind `token`, or null: the host's `authenticate` callback. */
export async function authenticate(env, token) {
  if (await isAdmin(env, token)) return ADMIN_CALLER;
  const parts = token.split('.');
  if (parts.length !== 2) return null;
  try {
    const [payload, signature] = parts;
    const valid = await crypto.subtle.verify('HMAC', await hmacKey(env), fromBase64url(signature), encoder.encode(payload));
    return valid ? JSON.parse(new TextDecoder().decode(fromBase64url(payload))) : null;
  } catch {
    return null; // malformed base64 or JSON: an unknown token
  }
}

/** The bearer token of a request, or null. */
export function bearerToken(request) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  return match ? match[1] : null;
}
