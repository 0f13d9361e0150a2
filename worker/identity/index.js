// Who is calling: one `authenticate(token)` for the worker and the Node server, built from the
// deployment's settings (settings.js). A token goes to the first check that fits its shape:
//   development token (DEV_TOKENS=1 only)    worker/auth.js, HMAC under TOKEN_SECRET
//   JWT whose `iss` is a system user         system.js, the user's configured public key
//   any other JWT                            jwt.js, the provider's JWKS (OIDC_ISSUER)
//   anything else                            introspection.js, the provider's RFC 7662 endpoint
import { decodeJwt, errors } from 'jose';
import { authenticate as devCaller } from '../auth.js';
import { discovery } from './discovery.js';
import { introspection } from './introspection.js';
import { jwtAccessTokens } from './jwt.js';
import { identitySettings } from './settings.js';
import { systemTokens } from './system.js';

export { IdentityConfigError, isDevMode } from './settings.js';

/**
 * The identity of a deployment: `{devTokens, authenticate(token)}`, where `authenticate`
 * resolves to the caller `{userId?, permissions}` or null (the library then answers
 * Unauthenticated). It never throws for a token: one that cannot be checked (provider down,
 * bad answer) is refused and the cause logged through `log.error`, without the token.
 * Throws IdentityConfigError for missing or malformed settings.
 */
export function identityFromEnv(env, { log = console } = {}) {
  const settings = identitySettings(env);
  const provider = settings.oidc ? discovery(settings.oidc.issuer) : null;
  const jwts = settings.oidc ? jwtAccessTokens({ discovery: provider, ...settings.oidc }) : null;
  const opaque = settings.oidc?.introspection
    ? introspection({
      discovery: provider,
      clientId: settings.oidc.introspection.clientId,
      clientSecret: settings.oidc.introspection.clientSecret,
      audience: settings.oidc.audience,
      permissionsClaim: settings.oidc.permissionsClaim,
    })
    : null;
  const system = settings.system ? systemTokens(settings.system) : null;

  async function check(token) {
    if (settings.devTokens) {
      const caller = await devCaller(env, token);
      if (caller) return caller;
    }
    const claims = jwtClaims(token);
    if (claims && system?.issuedBy(claims)) return system.verify(token, claims.iss);
    if (claims) return jwts ? jwts.verify(token) : null;
    return opaque ? opaque.check(token) : null;
  }

  return {
    devTokens: settings.devTokens,
    async authenticate(token) {
      if (typeof token !== 'string' || token.length === 0) return null;
      try {
        return await check(token);
      } catch (error) {
        if (!refusedByToken(error)) log.error(`identity: a token could not be checked: ${describe(error)}`);
        return null;
      }
    },
  };
}

/** The unverified claims of a token shaped as a JWT (three parts, a JSON payload), or null. */
function jwtClaims(token) {
  if (token.split('.').length !== 3) return null;
  try {
    return decodeJwt(token);
  } catch {
    return null;
  }
}

/**
 * Whether jose refused the token itself (expired, wrong audience or issuer, bad signature,
 * unknown key, malformed) rather than failing to check it: such refusals are the tokens'
 * business and are not logged.
 */
function refusedByToken(error) {
  return error instanceof errors.JWTExpired
    || error instanceof errors.JWTClaimValidationFailed
    || error instanceof errors.JWSSignatureVerificationFailed
    || error instanceof errors.JWSInvalid
    || error instanceof errors.JWTInvalid
    || error instanceof errors.JWKSNoMatchingKey
    || error instanceof errors.JWKSMultipleMatchingKeys
    || error instanceof errors.JOSEAlgNotAllowed
    || error instanceof errors.JOSENotSupported;
}

/** The error's kind and message; oauth4webapi's carry the response in `cause`, left out. */
function describe(error) {
  return error instanceof Error ? `${error.name}${error.code ? ` ${error.code}` : ''}: ${error.message}` : String(error);
}
