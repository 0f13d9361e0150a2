// The identity provider's metadata (OpenID Connect discovery), fetched on first use.
import * as oauth from 'oauth4webapi';

/**
 * `metadata()` resolves to the provider's discovery document (issuer, jwks_uri,
 * introspection_endpoint, …), checked by oauth4webapi to name `issuer` as its issuer. The
 * document is kept once fetched; a failed fetch is not kept, so the next token retries.
 *
 * Only the result is shared, never a pending fetch: workerd does not let one request await
 * I/O that another request started, so concurrent first requests each fetch (as jose's
 * createRemoteJWKSet does on Workers).
 */
export function discovery(issuer) {
  const options = { algorithm: 'oidc', [oauth.allowInsecureRequests]: issuer.protocol === 'http:' };
  let document = null;
  return {
    options,
    async metadata() {
      if (document) return document;
      const response = await oauth.discoveryRequest(issuer, options);
      document = await oauth.processDiscoveryResponse(issuer, response);
      return document;
    },
  };
}
