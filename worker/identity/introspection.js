// Opaque access tokens (ZITADEL's default), checked by OAuth 2.0 token introspection
// (RFC 7662) at the provider, with this service's own client credentials.
import * as oauth from 'oauth4webapi';
import { callerFromClaims } from './claims.js';

/** The longest time an introspection answer is reused: a revoked token works at most this long. */
export const INTROSPECTION_CACHE_SECONDS = 60;

/** At most this many answers are kept, so a flood of distinct tokens cannot grow memory. */
const CACHE_ENTRIES = 10_000;

/**
 * `check(token)` → the caller of an active token, null for one the provider calls inactive,
 * or throws when the provider cannot be asked. The request goes to the provider's
 * introspection_endpoint with client_secret_basic. An active answer must also name the
 * configured audience in `aud`, and the provider as `iss` if it has one, as a JWT must.
 *
 * Active answers are cached per token (by its SHA-256, so the cache holds no token) for at
 * most 60 s and never past the token's `exp`; inactive ones are not cached, a later check may
 * find the token valid.
 */
export function introspection({ discovery, clientId, clientSecret, audience, permissionsClaim, now = Date.now }) {
  const client = { client_id: clientId };
  const authentication = oauth.ClientSecretBasic(clientSecret);
  const cache = new Map();
  return {
    async check(token) {
      const key = await digest(token);
      const cached = cache.get(key);
      if (cached && cached.until > now()) return cached.caller;
      cache.delete(key);

      const metadata = await discovery.metadata();
      const response = await oauth.introspectionRequest(metadata, client, authentication, token, discovery.options);
      const answer = await oauth.processIntrospectionResponse(metadata, client, response);
      if (!answer.active || !fromProvider(answer, metadata.issuer, audience, now())) return null;

      const caller = callerFromClaims(answer, permissionsClaim);
      const expires = typeof answer.exp === 'number' ? answer.exp * 1000 : Infinity;
      const until = Math.min(now() + INTROSPECTION_CACHE_SECONDS * 1000, expires);
      remember(cache, key, { caller, until }, now());
      return caller;
    },
  };
}

function fromProvider(answer, issuer, audience, nowMs) {
  if (answer.iss !== undefined && answer.iss !== issuer) return false;
  const audiences = Array.isArray(answer.aud) ? answer.aud : [answer.aud];
  if (!audiences.includes(audience)) return false;
  return typeof answer.exp !== 'number' || answer.exp * 1000 > nowMs;
}

function remember(cache, key, entry, nowMs) {
  if (cache.size >= CACHE_ENTRIES) {
    for (const [k, v] of cache) if (v.until <= nowMs) cache.delete(k);
    while (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value);
  }
  cache.set(key, entry);
}

async function digest(token) {
  const hash = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  let hex = '';
  for (const byte of new Uint8Array(hash)) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
