// zitadel.user.v2.UserService: SetPhone, VerifyPhone, ResendPhoneCode, RemovePhone.
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { removePhone, resendPhoneCode, setPhone, verifyPhone } from 'contact-phone';
import { answer } from './error.js';

/**
 * The methods, for `router.service(UserService, ...)`.
 *
 * @param {(context: object, call: (host: object, options: object) => Promise<object>) => Promise<object>} withCaller
 *   runs a call with the host and the options holding the request's caller
 */
export function userServiceV2(withCaller) {
  return {
    setPhone: (request, context) =>
      answer(async () => {
        const phone = { number: request.phone, ...mode(request.verification) };
        return reply(await withCaller(context, (host, options) => setPhone(request.userId, { phone }, host, options)));
      }),
    verifyPhone: (request, context) =>
      answer(async () => {
        const body = { verificationCode: request.verificationCode };
        return reply(await withCaller(context, (host, options) => verifyPhone(request.userId, body, host, options)));
      }),
    resendPhoneCode: (request, context) =>
      answer(async () => {
        const body = mode(request.verification);
        return reply(await withCaller(context, (host, options) => resendPhoneCode(request.userId, body, host, options)));
      }),
    removePhone: (request, context) =>
      answer(async () => reply(await withCaller(context, (host, options) => removePhone(request.userId, host, options)))),
  };
}

/**
 * The oneof `verification` as the package's keys; none set is `{}`, which the package treats
 * as sendCode (ZITADEL's default). `isVerified: false` is passed on, for the package to refuse.
 */
export function mode(verification) {
  switch (verification.case) {
    case 'sendCode':
      return { sendCode: {} };
    case 'returnCode':
      return { returnCode: {} };
    case 'isVerified':
      return { isVerified: verification.value };
    default:
      return {};
  }
}

/** `{details: zitadel.object.v2.Details, verificationCode?}` from the package's reply. */
function reply({ details, verificationCode }) {
  return {
    details: {
      sequence: BigInt(details.sequence),
      changeDate: timestampFromDate(new Date(details.changeDate)),
      resourceOwner: details.resourceOwner,
    },
    verificationCode,
  };
}
