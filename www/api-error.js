// The one error shape the page renders, whichever mode ran the call: the HTTP status and
// ZITADEL's gRPC-style body (SPEC §2). The browser mode gets it from PhoneError#toJSON(), the
// edge mode from the HTTP reply, so equal answers render as equal text.

export class ApiError extends Error {
  /**
   * @param {number} status HTTP status
   * @param {{code: number, message: string, details: {id: string, message: string}[]}} body
   */
  constructor(status, body) {
    super(body.details[0].message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.code = body.code;
    this.id = body.details[0].id;
    /** The request field at fault (REQUEST-invalid), e.g. "phone.number". */
    this.field = body.field;
  }

  /** Whether `body` is the library's error body (and not, say, an /admin route's `{error}`). */
  static isBody(body) {
    return Boolean(body && typeof body.code === 'number' && Array.isArray(body.details)
      && body.details.length > 0 && typeof body.details[0].id === 'string');
  }
}
