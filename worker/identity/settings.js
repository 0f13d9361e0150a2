// The identity settings of a deployment, read once from its environment (the worker's env,
// or process.env for the Node server) into plain values, so that a missing or malformed
// setting is one clear error at the first request (worker) or at start (Node server) rather
// than a token refused later for a reason nobody sees.

/** A missing or malformed identity setting; the message names the settings to fix. */
export class IdentityConfigError extends Error {
  name = 'IdentityConfigError';
}

/** Leeway for `exp` and `nbf` of JWTs, against clocks that drift apart. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 10;

/**
 * What a system user may do when SYSTEM_API_USERS gives only its key: ZITADEL's system users
 * administer every instance, so here they manage every organisation's phones.
 */
export const SYSTEM_USER_PERMISSIONS = Object.freeze(['user.write', 'user.read']);

/** Whether the environment asks for the development tokens of worker/auth.js. */
export const isDevMode = (env) => env.DEV_TOKENS === '1' || env.DEV_TOKENS === 'true';

/**
 * The settings in `env`:
 * - `devTokens`: DEV_TOKENS=1 (ADMIN_TOKEN and TOKEN_SECRET then required);
 * - `oidc`: OIDC_ISSUER with OIDC_AUDIENCE, OIDC_PERMISSIONS_CLAIM (optional),
 *   OIDC_CLIENT_ID with OIDC_CLIENT_SECRET (optional: introspection of opaque tokens),
 *   OIDC_CLOCK_TOLERANCE_SECONDS (optional), or null;
 * - `system`: SYSTEM_API_USERS (JSON `{userId: PEM}` or `{userId: {publicKey, permissions}}`)
 *   with SYSTEM_API_AUDIENCE (default OIDC_ISSUER), or null.
 * Throws IdentityConfigError when neither a provider nor dev mode is set, or a setting is bad.
 */
export function identitySettings(env) {
  const problems = [];
  const devTokens = isDevMode(env);
  if (devTokens) {
    for (const name of ['ADMIN_TOKEN', 'TOKEN_SECRET']) {
      if (!text(env[name])) problems.push(`${name} is not set (DEV_TOKENS=1 needs it)`);
    }
  }
  const clockTolerance = seconds(env.OIDC_CLOCK_TOLERANCE_SECONDS, DEFAULT_CLOCK_TOLERANCE_SECONDS, problems);
  const oidc = oidcSettings(env, clockTolerance, problems);
  const system = systemSettings(env, clockTolerance, problems);
  if (!devTokens && !oidc && !system && problems.length === 0) {
    problems.push('no identity provider is configured: set OIDC_ISSUER and OIDC_AUDIENCE '
      + '(and OIDC_CLIENT_ID, OIDC_CLIENT_SECRET for opaque tokens) or SYSTEM_API_USERS; '
      + 'DEV_TOKENS=1 accepts development tokens instead, for local use only');
  }
  if (problems.length > 0) throw new IdentityConfigError(`identity settings: ${problems.join('; ')}`);
  return { devTokens, oidc, system };
}

function oidcSettings(env, clockTolerance, problems) {
  if (!text(env.OIDC_ISSUER)) {
    for (const name of ['OIDC_AUDIENCE', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_PERMISSIONS_CLAIM']) {
      if (text(env[name])) problems.push(`${name} is set but OIDC_ISSUER is not`);
    }
    return null;
  }
  const issuer = issuerUrl(env.OIDC_ISSUER, 'OIDC_ISSUER', problems);
  if (!text(env.OIDC_AUDIENCE)) problems.push('OIDC_AUDIENCE is not set (OIDC_ISSUER needs it)');
  if (text(env.OIDC_CLIENT_ID) !== text(env.OIDC_CLIENT_SECRET)) {
    problems.push('OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together (introspection of opaque tokens)');
  }
  const introspection = text(env.OIDC_CLIENT_ID) && text(env.OIDC_CLIENT_SECRET)
    ? { clientId: env.OIDC_CLIENT_ID, clientSecret: env.OIDC_CLIENT_SECRET }
    : null;
  return {
    issuer,
    audience: env.OIDC_AUDIENCE,
    permissionsClaim: text(env.OIDC_PERMISSIONS_CLAIM) ? env.OIDC_PERMISSIONS_CLAIM : null,
    introspection,
    clockTolerance,
  };
}

function systemSettings(env, clockTolerance, problems) {
  if (env.SYSTEM_API_USERS === undefined || env.SYSTEM_API_USERS === '') return null;
  let users = env.SYSTEM_API_USERS;
  if (typeof users === 'string') {
    try {
      users = JSON.parse(users);
    } catch (error) {
      problems.push(`SYSTEM_API_USERS is not JSON: ${error.message}`);
      return null;
    }
  }
  if (!users || typeof users !== 'object' || Array.isArray(users) || Object.keys(users).length === 0) {
    problems.push('SYSTEM_API_USERS must be a JSON object {"<userId>": "<PEM public key>", …}');
    return null;
  }
  const keys = new Map();
  for (const [userId, entry] of Object.entries(users)) {
    const { publicKey, permissions } = typeof entry === 'string'
      ? { publicKey: entry, permissions: SYSTEM_USER_PERMISSIONS }
      : (entry ?? {});
    if (!text(publicKey) || !publicKey.includes('-----BEGIN PUBLIC KEY-----')) {
      problems.push(`SYSTEM_API_USERS.${userId} needs a PEM public key (-----BEGIN PUBLIC KEY-----)`);
    } else if (!Array.isArray(permissions) || !permissions.every(text)) {
      problems.push(`SYSTEM_API_USERS.${userId}.permissions must be an array of strings`);
    } else {
      keys.set(userId, { publicKey, permissions: [...permissions] });
    }
  }
  const audience = text(env.SYSTEM_API_AUDIENCE) ? env.SYSTEM_API_AUDIENCE : env.OIDC_ISSUER;
  if (!text(audience)) problems.push('SYSTEM_API_AUDIENCE is not set (SYSTEM_API_USERS needs it, or OIDC_ISSUER)');
  return { users: keys, audience, clockTolerance };
}

/**
 * The issuer as a URL. Plain http is accepted only on loopback, where a local provider runs
 * for development and tests; anywhere else a token check over http could be tampered with.
 */
function issuerUrl(value, name, problems) {
  let url;
  try {
    url = new URL(value);
  } catch {
    problems.push(`${name} is not a URL: ${value}`);
    return null;
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    problems.push(`${name} must be an https URL (http only on 127.0.0.1, localhost or [::1])`);
  }
  return url;
}

function seconds(value, fallback, problems) {
  if (value === undefined || value === '') return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 300) {
    problems.push('OIDC_CLOCK_TOLERANCE_SECONDS must be a whole number of seconds from 0 to 300');
    return fallback;
  }
  return number;
}

function text(value) {
  return typeof value === 'string' && value.length > 0;
}
