// Development tokens, accepted only with DEV_TOKENS=1 (npm start, npm run start:node).
//
// ADMIN_TOKEN is the administrator: `user.write` and `user.read` on every organisation, and the
// /admin routes. Every other token is issued by /admin (for a user, or any caller) and is
// stateless: base64url(JSON {userId?, permissions?, exp}) "." base64url(HMAC-SHA256(TOKEN_SECRET,
// payload)), valid until `exp` (seconds since the epoch). Deployments authenticate callers with
// their identity provider instead (worker/identity/).

const encoder = new TextEncoder();

export const ADMIN_CALLER = Object.freeze({ permissions: ['user.write', 'user.read'] });

/** How long an issued token is valid unless the issuer asks otherwise: a working day. */
export const DEV_TOKEN_SECONDS = 12 * 60 * 60;

/** The longest lifetime /admin/tokens grants: 30 days. */
export const DEV_TOKEN_MAX_SECONDS = 30 * 24 * 60 * 60;

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

/** Whether `value` is a token lifetime that /admin grants: whole seconds, up to 30 days. */
export function validLifetime(value) {
  return Number.isInteger(value) && value >= 1 && value <= DEV_TOKEN_MAX_SECONDS;
}

/**
 * A signed token for `caller` ({userId?, permissions?}), valid for `expiresInSeconds` from
 * `now` (milliseconds since the epoch): `{token, expiresAt}` (ISO 8601).
 */
export async function issueToken(env, caller, { expiresInSeconds = DEV_TOKEN_SECONDS, now = Date.now() } = {}) {
  const exp = Math.floor(now / 1000) + expiresInSeconds;
  const payload = base64url(encoder.encode(JSON.stringify({ ...caller, exp })));
  const signature = await crypto.subtle.sign('HMAC', await hmacKey(env), encoder.encode(payload));
  return { token: `${payload}.${base64url(signature)}`, expiresAt: new Date(exp * 1000).toISOString() };
}

/**
 * The caller behind `token` at `now` (milliseconds since the epoch), or null for an unknown,
 * forged or expired token (one without `exp` too).
 */
export async function authenticate(env, token, now = Date.now()) {
  if (await isAdmin(env, token)) return ADMIN_CALLER;
  const parts = token.split('.');
  if (parts.length !== 2) return null;
  let claims;
  try {
    const [payload, signature] = parts;
    const valid = await crypto.subtle.verify('HMAC', await hmacKey(env), fromBase64url(signature), encoder.encode(payload));
    if (!valid) return null;
    claims = JSON.parse(new TextDecoder().decode(fromBase64url(payload)));
  } catch {
    return null; // malformed base64 or JSON: an unknown token
  }
  if (!claims || typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return null;
  const { exp, ...caller } = claims;
  return caller;
}

/** The bearer token of a request, or null. */
export function bearerToken(request) {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '');
  return match ? match[1] : null;
}
