// ZITADEL's own services (zitadel.user.v2.UserService, zitadel.resources.user.v3alpha.
// ZITADELUsers) over Connect and gRPC-web, by contact-phone/connect on connect-es, on the
// worker's host and tokens. worker/index.js imports this module on the first request to them.
import { ConnectError, createConnectRouter, createContextKey, createContextValues } from '@connectrpc/connect';
import { universalServerRequestFromFetch, universalServerResponseToFetch } from '@connectrpc/connect/protocol';
import { ErrorDetailSchema } from '@zitadel/proto/zitadel/message_pb.js';
import { UserService } from '@zitadel/proto/zitadel/user/v2/user_service_pb.js';
import { ZITADELUsers } from '@zitadel/proto/zitadel/resources/user/v3alpha/user_service_pb.js';
import { rateLimitedResponse } from 'contact-phone';
import { routes } from 'contact-phone/connect';

/**
 * The reply to `request` if its path is a method of the two services, else null. `limited`
 * says the client is over the worker's rate limit; `hostFor(env)` and `optionsFor(env)` are
 * the JSON API's.
 */
export async function serve(request, env, { hostFor, optionsFor, limited }) {
  const { pathname } = new URL(request.url);
  const handlers = limited ? rateLimitedHandlers() : serviceHandlers(hostFor, optionsFor);
  const handler = handlers.get(pathname);
  return handler ? serveConnect(handler, request, env) : null;
}

/** The largest Connect or gRPC-web request message, as the JSON API's body limit. */
const READ_MAX_BYTES = 16 * 1024;

/** The worker's env, for the host and options of a Connect call. */
const ENV = createContextKey(null, { description: 'worker env' });

/**
 * ZITADEL's services by request path (`/zitadel.user.v2.UserService/SetPhone`, …): every
 * method of the two services, the unimplemented ones answering Unimplemented. The host is
 * the one of the JSON API, and its `authenticate` (worker/identity/) resolves the bearer token.
 * Built once, on first use.
 */
let services;
function serviceHandlers(hostFor, optionsFor) {
  services ??= handlersByPath((router) =>
    routes(router, {
      host: (context) => hostFor(context.values.get(ENV)),
      options: (context) => optionsFor(context.values.get(ENV)),
    }));
  return services;
}

/**
 * The same paths, answering the worker's rate limit in each protocol's own way (Connect: HTTP
 * 429 and `resource_exhausted`; gRPC-web: `grpc-status: 8`), with the package's
 * `HTTP-rate-limited` detail. The gate refuses before the body is read.
 */
let limitedServices;
function rateLimitedHandlers() {
  limitedServices ??= handlersByPath((router) => {
    const { body } = rateLimitedResponse(60);
    const { code, details: [{ id, message }] } = JSON.parse(body);
    const requestGate = (context) => {
      context.responseHeader.set('retry-after', '60');
      throw new ConnectError(message, code, undefined, [{ desc: ErrorDetailSchema, value: { id, message } }]);
    };
    router.service(UserService, {}, { requestGate });
    router.service(ZITADELUsers, {}, { requestGate });
  });
  return limitedServices;
}

function handlersByPath(register) {
  const router = createConnectRouter({ readMaxBytes: READ_MAX_BYTES });
  register(router);
  return new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
}

/** Runs a connect-es universal handler on a fetch Request, with `env` for the host. */
async function serveConnect(handler, request, env) {
  const universal = universalServerRequestFromFetch(request, {});
  universal.contextValues = createContextValues().set(ENV, env);
  const response = universalServerResponseToFetch(await handler(universal));
  // A unary call has run by now. If it was refused before its body was read (request gate,
  // size limit), read the body to its end: behind the assets router, workerd resets the
  // client's connection when the reply goes out with the body unread (see admin.js).
  await drain(universal.body);
  return response;
}

/** Reads what is left of a request body, up to 1 MiB; a longer one is cancelled. */
async function drain(body) {
  const it = body[Symbol.asyncIterator]();
  let bytes = 0;
  for (let r = await it.next(); !r.done; r = await it.next()) {
    bytes += r.value.byteLength;
    if (bytes > 1024 * 1024) {
      await it.throw?.(new Error('request body left unread'));
      return;
    }
  }
}

