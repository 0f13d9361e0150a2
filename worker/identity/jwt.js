// JWT access tokens, verified against the identity provider's published keys (JWKS).
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { callerFromClaims } from './claims.js';

/**
 * `verify(token)` → the caller of a JWT access token of the provider, or throws jose's error.
 * Checks the signature with a key of the provider's `jwks_uri` (fetched on first use, kept
 * 10 minutes, refetched when a token names an unknown `kid`), then `iss` (the provider's own
 * issuer string, from discovery), `aud` (the configured audience), `exp` (required) and
 * `nbf`, with `clockTolerance` seconds of leeway.
 */
export function jwtAccessTokens({ discovery, audience, permissionsClaim, clockTolerance }) {
  let keys = null;
  return {
    async verify(token) {
      const metadata = await discovery.metadata();
      keys ??= createRemoteJWKSet(new URL(metadata.jwks_uri));
      const { payload } = await jwtVerify(token, keys, {
        issuer: metadata.issuer,
        audience,
        clockTolerance,
        requiredClaims: ['exp'],
      });
      return callerFromClaims(payload, permissionsClaim);
    },
  };
}
