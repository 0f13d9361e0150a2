// A real OpenID provider for the identity tests: panva's oidc-provider on 127.0.0.1, with a
// signing key the tests know, client-credentials clients that get JWT or opaque access tokens
// (resource indicators), token introspection and revocation, and ZITADEL's project-roles claim.
import { createServer } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import Provider from 'oidc-provider';

export const AUDIENCE = 'urn:contact-phone:api';
export const ROLES_CLAIM = 'urn:zitadel:iam:org:project:roles';
/** The resource server's own client, which introspects opaque tokens. */
export const INTROSPECTOR = Object.freeze({ id: 'contact-phone', secret: 'introspector-secret-0123456789' });

/**
 * Starts the provider. `clients` maps a client id (= the token's `sub`) to `{roles?, opaque?}`:
 * `roles` become ZITADEL's roles claim, `opaque` makes its access tokens opaque (checked by
 * introspection) instead of JWTs. Returns {issuer, key, kid, hits, token, revoke, mint, close}.
 */
export async function startProvider({ clients }) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = 'provider-key-1';
  const jwk = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  // Idle connections outlive the clients' own idle timeouts (undici: 4 s), so that no client
  // sends a request on a socket the server is closing (Node's default keep-alive is 5 s).
  const server = createServer({ keepAliveTimeout: 60_000 });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const secretOf = (id) => `${id}-secret-0123456789`;
  const client = (id) => ({ client_id: id, client_secret: secretOf(id), grant_types: ['client_credentials'], redirect_uris: [], response_types: [] });
  const provider = new Provider(issuer, {
    clients: [...Object.keys(clients).map(client), { ...client(INTROSPECTOR.id), client_secret: INTROSPECTOR.secret, grant_types: [] }],
    jwks: { keys: [jwk] },
    cookies: { keys: ['identity-test-cookie-key'] },
    ttl: { ClientCredentials: 600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true, allowedPolicy: async (ctx, caller) => caller.clientId === INTROSPECTOR.id },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        getResourceServerInfo: (ctx, resource, { clientId }) => ({
          scope: 'api',
          audience: resource,
          accessTokenFormat: clients[clientId]?.opaque ? 'opaque' : 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: (ctx, token) => (clients[token.clientId]?.roles ? { [ROLES_CLAIM]: clients[token.clientId].roles } : undefined),
  });
  const hits = new Map();
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const path = new URL(req.url, issuer).pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    callback(req, res);
  });
  const basic = (id, secret = secretOf(id)) => `Basic ${btoa(`${id}:${secret}`)}`;

  return {
    issuer,
    key: privateKey,
    kid,
    /** How many requests reached `path` (e.g. '/jwks'). */
    hits: (path) => hits.get(path) ?? 0,
    /** An access token of client `id` (client credentials), for `resource` (default AUDIENCE). */
    async token(id, { resource = AUDIENCE } = {}) {
      const body = new URLSearchParams({ grant_type: 'client_credentials', scope: 'api', resource });
      const response = await fetch(`${issuer}/token`, { method: 'POST', body, headers: { authorization: basic(id) } });
      if (response.status !== 200) throw new Error(`token endpoint: ${response.status} ${await response.text()}`);
      return (await response.json()).access_token;
    },
    /** Revokes `token` of client `id` (RFC 7009). */
    async revoke(id, token) {
      const response = await fetch(`${issuer}/token/revocation`, { method: 'POST', body: new URLSearchParams({ token }), headers: { authorization: basic(id) } });
      if (response.status !== 200) throw new Error(`revocation endpoint: ${response.status}`);
    },
    /** A JWT access token signed with `key` (the provider's own by default): claims as given. */
    mint(claims, { key = privateKey, keyId = kid } = {}) {
      return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: keyId }).sign(key);
    },
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(resolve);
    }),
  };
}
