// PhoneError → ConnectError: the gRPC status ZITADEL sends, with one zitadel.v1.ErrorDetail.
import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorDetailSchema } from '@zitadel/proto/zitadel/message_pb.js';
import { PhoneError } from 'contact-phone';

/** A ConnectError with ZITADEL's detail `{id, message}`; the code, id and message are the caller's. */
export function zitadelError(code, id, message) {
  return new ConnectError(message, code, undefined, [{ desc: ErrorDetailSchema, value: { id, message } }]);
}

/**
 * Runs `call` and rethrows a PhoneError as its ConnectError. The package wraps every host
 * failure in a PhoneError, so anything else is a bug; it passes unchanged (connect-es sends it
 * as Unknown).
 */
export async function answer(call) {
  try {
    return await call();
  } catch (error) {
    if (error instanceof PhoneError) {
      // A host failure's cause (a storage error, a gateway's answer) goes to the log only.
      if (error.clientMessage !== error.message) console.error(`contact-phone: ${error.message}`);
      throw zitadelError(error.code, error.id, error.clientMessage);
    }
    throw error;
  }
}

/** Unauthenticated (16), as the package's HTTP entry words it (a test compares the two). */
export const unauthenticated = (message) => zitadelError(Code.Unauthenticated, 'AUTH-unauthenticated', message);
