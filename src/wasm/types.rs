//! TypeScript declarations of the values the exports take and return, appended to the
//! generated `.d.ts` (the exports themselves name these types).

use wasm_bindgen::prelude::*;

#[cfg(feature = "calls")]
#[wasm_bindgen(typescript_custom_section)]
const CALL_TYPES: &'static str = r#"
/** Storage and SMS, provided by the application. Callbacks may return values or Promises. */
export interface PhoneHost {
  /** The stored record, or null if there is no such user. */
  loadUser(userId: string): UserRecord | null | undefined | Promise<UserRecord | null | undefined>;
  /**
   * Compare-and-swap: store `record` only if the stored sequence still equals
   * `expectedSequence`, and return true; return false if another writer won.
   */
  saveUser(record: UserRecord, expectedSequence: number, events: PhoneEvent[]): boolean | Promise<boolean>;
  /** Sends an SMS; needed only by calls in `sendCode` mode. */
  sendSms?(message: SmsMessage): void | Promise<void>;
  /** The caller behind a bearer token, or null if unknown; needed only by `handleHttp`. */
  authenticate?(token: string): Caller | null | undefined | Promise<Caller | null | undefined>;
  /**
   * Optional: the per-number send limit across all users, on a counter the host shares. Asked
   * before a sent code is saved; store the reservation and return true while fewer than
   * `limit` reservations for `to` fall in the window ending at the later of `at` and the
   * newest one, else return the seconds until one leaves it.
   */
  reserveSms?(reservation: SmsReservation): true | { retryAfterSeconds: number } | Promise<true | { retryAfterSeconds: number }>;
}

/** One SMS on the host's per-number counter (`sendLimit.perNumber` within `windowSeconds`). */
export interface SmsReservation {
  to: string;
  userId: string;
  /** The call's time, RFC 3339. */
  at: string;
  limit: number;
  windowSeconds: number;
}

/** What `handleHttp` takes: the parts of an HTTP request. */
export interface HttpRequest {
  method: string;
  /** Path and optional query, e.g. "/v3alpha/users/u1/phone". */
  path: string;
  /** Header names (any case) to values. */
  headers?: Record<string, string>;
  /** The body text, or null. */
  body?: string | null;
  /** Set when the body's bytes were not UTF-8 (no text to pass): 400 REQUEST-invalid. */
  bodyNotUtf8?: boolean;
}

/** What `handleHttp` resolves to: status, headers (lowercase names) and JSON body text. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** For the server's log: a host failure's full message, which the body leaves out. */
  log?: string;
}

/** A function of the request (and, in Workers, env and ctx) returning a value. */
export type PerRequest<T> = T | ((request: Request, ...rest: unknown[]) => T | Promise<T>);

/**
 * `fetch(Request) → Response` over `handleHttp`, for Workers and other fetch-style servers.
 * `host` and `options` may be values or functions of the request.
 */
export function createFetchHandler(
  host: PerRequest<PhoneHost>,
  options?: PerRequest<PhoneOptions>,
): (request: Request, ...rest: unknown[]) => Promise<Response>;

/** The stored user. Fields the library does not own are kept exactly as they were. */
export interface UserRecord {
  userId: string;
  resourceOwner: string;
  sequence: number;
  changeDate?: string | null;
  kind?: "human" | "machine";
  state?: "active" | "initial" | "inactive" | "locked" | "deleted";
  phone?: StoredPhone | null;
  /** Recent SMS sent for the user, for the send limits; written by the library. */
  smsLog?: { to: string; at: string }[];
  [other: string]: unknown;
}

export interface StoredPhone {
  number: string;
  isVerified: boolean;
  code?: StoredCode | null;
}

/** A pending code: only its keyed hash is stored, never the code. */
export interface StoredCode {
  /** HMAC-SHA256 (hex) of the code, bound to the user id and the number. */
  hash: string;
  createdAt: string;
  expiresAt: string;
  failedAttempts: number;
}

/** One audit event per sequence step. */
export type PhoneEvent =
  | { type: "user.human.phone.changed"; sequence: number; createdAt: string; payload: { phone: string } }
  | { type: "user.human.phone.code.added"; sequence: number; createdAt: string; payload: { expiresAt: string; codeReturned: boolean } }
  | { type: "user.human.phone.verified"; sequence: number; createdAt: string; payload: Record<string, never> }
  | { type: "user.human.phone.verification.failed"; sequence: number; createdAt: string; payload: Record<string, never> }
  | { type: "user.human.phone.removed"; sequence: number; createdAt: string; payload: Record<string, never> };

export interface SmsMessage {
  to: string;
  code: string;
  text: string;
  userId: string;
  resourceOwner: string;
  expiresAt: string;
}

/** The authenticated caller. */
export interface Caller {
  userId?: string;
  /** `"user.write"`, `"user.write:<orgId>"`, `"user.read"`, `"user.read:<orgId>"`. */
  permissions?: string[];
}

export interface CodeOptions {
  /** Characters per code, 4 to 20. Default 6. */
  length?: number;
  /** Characters and ranges, e.g. "0-9". Default "A-Z0-9". */
  alphabet?: string;
  /** Lifetime, 60 s to 7 days. Default 3600. */
  expiresInSeconds?: number;
}

export interface PhoneOptions extends NormalizeOptions {
  /** Who is calling; without it every call is Unauthenticated. */
  caller?: Caller;
  /** Key for code hashes, at least 32 bytes; required by calls that issue or check codes. */
  codeSecret?: string;
  code?: CodeOptions;
  /** Wrong tries before a code locks. Default 5. */
  maxAttempts?: number;
  /** Seconds between two codes. Default 30. */
  resendCooldownSeconds?: number;
  /** SMS text with `{{code}}`; must fit one GSM-7 SMS. */
  smsTemplate?: string;
  /** The clock: epoch milliseconds or a Date. Default `Date.now`. */
  now?: () => number | Date;
  /** SMS per number and per user (1 to 100 each) within a sliding window (60 s to 7 days). Default 5, 10, 3600. */
  sendLimit?: { perNumber?: number; perUser?: number; windowSeconds?: number };
  /** How long to wait for a host callback's Promise, 1 to 600000 ms. Default 10000. */
  timeoutMs?: number;
  /** Let a caller have its own code returned (returnCode on its own phone), as ZITADEL does.
   *  Default false: such a code proves nothing about owning the number. */
  allowSelfReturnCode?: boolean;
}

export type SetPhoneRequest = {
  phone: { number: string } & (
    | { sendCode?: Record<string, never>; returnCode?: never; isVerified?: never }
    | { returnCode: Record<string, never>; sendCode?: never; isVerified?: never }
    | { isVerified: true; sendCode?: never; returnCode?: never }
  );
};

export interface VerifyPhoneRequest {
  verificationCode: string;
}

export type ResendPhoneCodeRequest = { sendCode: Record<string, never> } | { returnCode: Record<string, never> } | Record<string, never>;

export interface Details {
  /** The user's sequence after the call, as a decimal string (protobuf uint64). */
  sequence: string;
  /** RFC 3339 UTC with milliseconds. */
  changeDate: string;
  resourceOwner: string;
}

export interface SetPhoneResponse {
  details: Details;
  /** Present only in returnCode mode. */
  verificationCode?: string;
}

export interface PhoneDetailsResponse {
  details: Details;
}

export interface GetPhoneResponse {
  details: Details;
  phone: { number: string; isVerified: boolean } | null;
}

"#;

/// The types of `normalizePhone` and `PhoneError`, in both builds.
#[wasm_bindgen(typescript_custom_section)]
const PHONE_TYPES: &'static str = r#"
/** libphonenumber's PhoneNumberType; "unknown" for a number that is not valid. */
export type PhoneNumberType =
  | "mobile" | "fixedLine" | "fixedLineOrMobile" | "tollFree" | "premiumRate" | "sharedCost"
  | "voip" | "personalNumber" | "pager" | "uan" | "voicemail" | "unknown";

export interface NormalizeOptions {
  /** Region for numbers typed in national form; null requires "+". Default "CH". */
  defaultRegion?: string | null;
  /**
   * What a number must pass: "valid" (libphonenumber isValidNumber, the default), "possible"
   * (isPossibleNumber: its length only) or "parseable" (anything libphonenumber parses, as
   * ZITADEL accepts).
   */
  validation?: "valid" | "possible" | "parseable";
  /** Accept only numbers of these regions. */
  allowedRegions?: string[];
  /** Accept only numbers of these types, e.g. ["mobile", "fixedLineOrMobile"] for SMS. */
  allowedTypes?: PhoneNumberType[];
}

export interface NormalizedPhone {
  /** E.164, e.g. "+41711234567". */
  e164: string;
  /** ISO 3166 alpha-2 region, or "001" for non-geographic numbers. */
  region: string;
  /** The number's type in its region's numbering plan. */
  type: PhoneNumberType;
  /** Whether the number is valid for its region's numbering plan (isValidNumber). */
  valid: boolean;
  /** Whether its length is possible for its calling code (isPossibleNumber). */
  possible: boolean;
  countryCode: number;
  nationalNumber: string;
}

/** gRPC-style error body (SPEC §2). */
export interface PhoneErrorBody {
  code: number;
  message: string;
  details: { "@type": "type.googleapis.com/zitadel.v1.ErrorDetail"; id: string; message: string }[];
  /** The request field or option at fault (REQUEST-invalid, CONFIG-invalid), e.g. "phone.number". */
  field?: string;
}

/** Every failure of the library: check `id` (stable) or `code` (gRPC). */
export class PhoneError extends Error {
  constructor(body: PhoneErrorBody, status: number, clientMessage?: string);
  readonly name: "PhoneError";
  /** gRPC code, e.g. 3 (InvalidArgument). */
  readonly code: number;
  /** HTTP status, e.g. 400. */
  readonly status: number;
  /** Stable id, e.g. "PHONE-so0wa". */
  readonly id: string;
  readonly details: PhoneErrorBody["details"];
  /** The request field or option at fault (REQUEST-invalid, CONFIG-invalid), e.g. "phone.number". */
  readonly field?: string;
  /** What a network client may be told: the message, but for host failures without their cause. */
  readonly clientMessage: string;
  toJSON(): PhoneErrorBody;
}
"#;
