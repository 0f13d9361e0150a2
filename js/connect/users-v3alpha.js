// zitadel.resources.user.v3alpha.ZITADELUsers: SetContactPhone, VerifyContactPhone,
// ResendContactPhoneCode (the API the package follows; SPEC §1).
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { OwnerType } from '@zitadel/proto/zitadel/object/v3alpha/object_pb.js';
import { resendPhoneCode, setPhone, verifyPhone } from 'contact-phone';
import { answer } from './error.js';
import { mode } from './user-v2.js';

/**
 * The methods, for `router.service(ZITADELUsers, ...)`. The requests' `instance` and
 * `organization` are not read: the host's store decides which user `id` names.
 *
 * @param {(context: object, call: (host: object, options: object) => Promise<object>) => Promise<object>} withCaller
 */
export function usersV3alpha(withCaller) {
  return {
    setContactPhone: (request, context) =>
      answer(async () => {
        const phone = { number: request.phone?.number ?? '', ...mode(request.phone?.verification ?? {}) };
        return reply(request.id, await withCaller(context, (host, options) => setPhone(request.id, { phone }, host, options)));
      }),
    verifyContactPhone: (request, context) =>
      answer(async () => {
        const body = { verificationCode: request.verificationCode };
        return reply(request.id, await withCaller(context, (host, options) => verifyPhone(request.id, body, host, options)));
      }),
    resendContactPhoneCode: (request, context) =>
      answer(async () => {
        const body = mode(request.verification);
        return reply(request.id, await withCaller(context, (host, options) => resendPhoneCode(request.id, body, host, options)));
      }),
  };
}

/**
 * `{details: zitadel.resources.object.v3alpha.Details, verificationCode?}`, as ZITADEL fills it
 * for a change: the user's id, `changed` and the owning organisation; `created` only on creation.
 */
function reply(userId, { details, verificationCode }) {
  return {
    details: {
      id: userId,
      changed: timestampFromDate(new Date(details.changeDate)),
      owner: { type: OwnerType.ORG, id: details.resourceOwner },
    },
    verificationCode,
  };
}
