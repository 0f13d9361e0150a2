// ZITADEL system-API tokens: JWTs that a system user signs itself with its own private key
// (RS256; `iss` = `sub` = the user id), as @zitadel/client/node's newSystemToken makes them.
import { importSPKI, jwtVerify } from 'jose';

/**
 * `issuedBy(claims)` says whether a token claims to come from a configured system user;
 * `verify(token, userId)` checks it with that user's public key: RS256 only, `iss` and `sub`
 * equal to the user id, `aud` the configured audience (ZITADEL's own issuer URL, which is what
 * newSystemToken is given), `exp` required. Resolves to `{userId, permissions}` or throws.
 */
export function systemTokens({ users, audience, clockTolerance }) {
  const keys = new Map();
  const keyOf = async (userId) => {
    let key = keys.get(userId);
    if (!key) {
      key = await importSPKI(users.get(userId).publicKey, 'RS256');
      keys.set(userId, key);
    }
    return key;
  };
  return {
    issuedBy: (claims) => typeof claims.iss === 'string' && users.has(claims.iss),
    async verify(token, userId) {
      await jwtVerify(token, await keyOf(userId), {
        algorithms: ['RS256'],
        issuer: userId,
        subject: userId,
        audience,
        clockTolerance,
        requiredClaims: ['exp'],
      });
      return { userId, permissions: [...users.get(userId).permissions] };
    },
  };
}
