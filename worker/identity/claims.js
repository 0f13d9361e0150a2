// A verified token's claims (JWT payload or introspection response) → the library's caller.

/**
 * ZITADEL's project-roles claim: `{"<role>": {"<orgId>": "<org domain>", …}, …}`, the roles
 * granted to the user on the project, each for the organisations that granted it. ZITADEL
 * puts it in access tokens (and introspection responses) when the project asserts roles on
 * authentication, or the client asks for the scope `urn:zitadel:iam:org:project:roles`.
 */
export const ZITADEL_ROLES_CLAIM = 'urn:zitadel:iam:org:project:roles';

/**
 * The caller `{userId?, permissions}`: `sub` is the user id; the permissions come from the
 * claim `permissionsClaim` if one is configured (an array of strings, or one space-separated
 * string, as OAuth's `scope`), else from ZITADEL's roles claim.
 */
export function callerFromClaims(claims, permissionsClaim) {
  const permissions = permissionsClaim ? listed(claims[permissionsClaim]) : permissionsFromRoles(claims[ZITADEL_ROLES_CLAIM]);
  return typeof claims.sub === 'string' && claims.sub.length > 0 ? { userId: claims.sub, permissions } : { permissions };
}

/**
 * `role:<orgId>` for each organisation that granted each role: a role granted by ZITADEL
 * always comes from one organisation, so `user.write` granted by org 123 is `user.write:123`,
 * the library's permission for that organisation's users only. The role names pass as they
 * are; the library decides which ones mean anything.
 */
export function permissionsFromRoles(roles) {
  if (!roles || typeof roles !== 'object' || Array.isArray(roles)) return [];
  const permissions = [];
  for (const [role, organisations] of Object.entries(roles)) {
    if (!organisations || typeof organisations !== 'object' || Array.isArray(organisations)) continue;
    for (const orgId of Object.keys(organisations)) permissions.push(`${role}:${orgId}`);
  }
  return permissions;
}

function listed(value) {
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  return Array.isArray(value) ? value.filter((v) => typeof v === 'string' && v.length > 0) : [];
}
