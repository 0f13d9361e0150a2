// ZITADEL's own clients for the tests of contact-phone/connect, the worker and the Node server:
// one transport per protocol, and what a refused call carried.
import assert from 'node:assert/strict';
import { ConnectError } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport } from '@connectrpc/connect-node';
import { createGrpcWebTransport } from '@connectrpc/connect-web';
import { NewAuthorizationBearerInterceptor } from '@zitadel/client';
import { createServerTransport } from '@zitadel/client/node';
import { createClientTransport } from '@zitadel/client/web';
import { ErrorDetailSchema } from '@zitadel/proto/zitadel/message_pb.js';

/** The interceptors that send `token` as a bearer token (none without one). */
export const bearer = (token) => (token ? [NewAuthorizationBearerInterceptor(token)] : []);

/**
 * Transports by protocol, each a function of the bearer token (none without one): connect-node's
 * for Connect, ZITADEL's own for gRPC-web and gRPC. `http1()` and `http2()` give the base URLs
 * when a transport is made (servers start after the tests are declared); without `http2`
 * there is no gRPC.
 */
export function zitadelTransports({ http1, http2 }) {
  const transports = {
    'Connect JSON': (token) => createConnectTransport({ baseUrl: http1(), httpVersion: '1.1', interceptors: bearer(token) }),
    'Connect binary': (token) =>
      createConnectTransport({ baseUrl: http1(), httpVersion: '1.1', useBinaryFormat: true, interceptors: bearer(token) }),
    'gRPC-web': (token) =>
      (token ? createClientTransport(token, { baseUrl: http1() }) : createGrpcWebTransport({ baseUrl: http1() })),
  };
  if (http2) {
    transports['gRPC (h2c)'] = (token) =>
      (token ? createServerTransport(token, { baseUrl: http2() }) : createGrpcTransport({ baseUrl: http2() }));
  }
  return transports;
}

/** Awaits `call`, expecting a ConnectError; returns its code, message and ZITADEL details. */
export async function failure(call) {
  const error = await call.then(
    () => assert.fail('expected a ConnectError, but the call succeeded'),
    (e) => e,
  );
  assert.ok(error instanceof ConnectError, `expected a ConnectError, got ${error?.stack ?? error}`);
  const details = error.findDetails(ErrorDetailSchema).map(({ id, message }) => ({ id, message }));
  return { code: error.code, rawMessage: error.rawMessage, details };
}

/** The failure of a PhoneError with this gRPC code, id and message. */
export const phoneFailure = (code, id, message) => ({ code, rawMessage: message, details: [{ id, message }] });
