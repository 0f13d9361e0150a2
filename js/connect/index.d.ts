// Types of contact-phone/connect (written by hand; the entry is plain JS over the package).
import type { ConnectRouter, HandlerContext } from '@connectrpc/connect';
import type { Caller, PhoneHost, PhoneOptions } from 'contact-phone';

/** A value, or a function of the call's context returning it (e.g. per tenant). */
export type PerCall<T> = T | ((context: HandlerContext) => T | Promise<T>);

export interface RoutesConfig {
  /** Storage and SMS; with `authenticate(token)` unless `authenticate` is given here. */
  host: PerCall<PhoneHost>;
  /** The options of every call; `caller` is set from the bearer token. */
  options?: PerCall<Omit<PhoneOptions, 'caller'>>;
  /** The caller behind a bearer token, or null (Unauthenticated). Default: `host.authenticate`. */
  authenticate?: (token: string) => Caller | null | Promise<Caller | null>;
}

/**
 * Registers `zitadel.user.v2.UserService` (SetPhone, VerifyPhone, ResendPhoneCode, RemovePhone)
 * and `zitadel.resources.user.v3alpha.ZITADELUsers` (SetContactPhone, VerifyContactPhone,
 * ResendContactPhoneCode) on `router`; their other methods answer Unimplemented. A request
 * without a known `Authorization: Bearer <token>` is Unauthenticated before its body is read.
 * A PhoneError becomes a ConnectError with its gRPC code, its message and one
 * `zitadel.v1.ErrorDetail {id, message}`.
 */
export function routes(router: ConnectRouter, config: RoutesConfig): ConnectRouter;
