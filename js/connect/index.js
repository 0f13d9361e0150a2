// contact-phone/connect: ZITADEL's gRPC and Connect services over the package's calls, for
// connect-es routers (connect-node, or connect-es's other server adapters).
//
// Each method converts the protobuf request into the package's JSON-shaped request, calls
// setPhone/verifyPhone/resendPhoneCode/removePhone, and converts the reply back; every rule
// (shape, permissions, numbers, codes) stays in the package. Methods not listed answer
// Unimplemented, which connect-es does for a partial implementation.
import { createContextKey } from '@connectrpc/connect';
import { UserService } from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import { ZITADELUsers } from '@zitadel/proto/zitadel/resources/user/v3alpha/user_service_pb.js';
import { unauthenticated } from './error.js';
import { userServiceV2 } from './user-v2.js';
import { usersV3alpha } from './users-v3alpha.js';

/** The caller the request gate resolved, for the methods. */
const CALLER = createContextKey(null, { description: 'contact-phone caller' });

/**
 * Registers zitadel.user.v2.UserService and zitadel.resources.user.v3alpha.ZITADELUsers on
 * `router`.
 *
 * @param {import('@connectrpc/connect').ConnectRouter} router
 * @param {object} config
 * @param {object | ((context: import('@connectrpc/connect').HandlerContext) => object | Promise<object>)} config.host
 *   the PhoneHost, or a function of the call's context returning it
 * @param {object | ((context: import('@connectrpc/connect').HandlerContext) => object | Promise<object>)} [config.options]
 *   the PhoneOptions without `caller`, or a function returning them
 * @param {(token: string) => unknown} [config.authenticate] resolves a bearer token to
 *   `{userId?, permissions}` or null; default: the host's own `authenticate`
 */
export function routes(router, { host, options = {}, authenticate } = {}) {
  if (host === undefined || host === null) throw new TypeError('routes(router, {host}): host is required');
  if (!authenticate && typeof host !== 'function' && typeof host.authenticate !== 'function') {
    throw new TypeError('routes(router, {host, authenticate}): pass authenticate, or a host with authenticate(token)');
  }
  const resolve = async (value, context) => (typeof value === 'function' ? value(context) : value);

  // The gate runs once the headers are in and before the body is read: an unknown caller
  // costs nothing else.
  const requestGate = async (context) => {
    const token = bearer(context.requestHeader.get('authorization'));
    if (token === null) throw unauthenticated('No bearer token: send Authorization: Bearer <token>');
    let caller;
    if (authenticate) {
      caller = await authenticate(token);
    } else {
      const h = await resolve(host, context);
      if (typeof h.authenticate !== 'function') throw new TypeError('routes(): the host has no authenticate(token)');
      caller = await h.authenticate(token);
    }
    if (caller === null || caller === undefined) throw unauthenticated('The bearer token is not valid');
    context.values.set(CALLER, caller);
  };

  /** Runs `call(host, options)` with the gate's caller in the options. */
  const withCaller = async (context, call) => {
    const [h, o] = await Promise.all([resolve(host, context), resolve(options, context)]);
    return call(h, { ...o, caller: context.values.get(CALLER) });
  };

  router.service(UserService, userServiceV2(withCaller), { requestGate });
  router.service(ZITADELUsers, usersV3alpha(withCaller), { requestGate });
  return router;
}

/** The token of `Authorization: Bearer <token>` (scheme case-insensitive), or null. */
function bearer(authorization) {
  const match = /^\s*bearer +(\S.*?)\s*$/i.exec(authorization ?? '');
  return match ? match[1] : null;
}
