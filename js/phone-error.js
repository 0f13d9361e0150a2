// The error class of contact-phone. Instances are built by the wasm module from the gRPC-style
// body it computed (SPEC §2), so the code, id and message have one source.
export class PhoneError extends Error {
  #body;

  /**
   * @param {{code: number, message: string, details: {'@type': string, id: string, message: string}[]}} body
   * @param {number} status HTTP status
   */
  constructor(body, status) {
    const detail = body.details[0];
    super(detail.message);
    this.name = 'PhoneError';
    this.code = body.code;
    this.status = status;
    this.id = detail.id;
    this.details = body.details;
    this.#body = body;
  }

  /** The gRPC-style JSON body: `{code, message: "<message> (<id>)", details}`. */
  toJSON() {
    const { code, message, details } = this.#body;
    return { code, message, details: details.map((detail) => ({ ...detail })) };
  }
}
