// normalizePhone's reply, from the wasm module's compact text: the seven fields joined by "|"
// (e164|region|type|valid|possible|countryCode|nationalNumber, booleans as 1/0). None of the
// fields can contain "|"; splitting is several times faster than JSON.parse for this object,
// and normalizePhone may run on every keystroke.
export function normalizedPhone(text) {
  const f = text.split('|');
  return {
    e164: f[0],
    region: f[1],
    type: f[2],
    valid: f[3] === '1',
    possible: f[4] === '1',
    countryCode: Number(f[5]),
    nationalNumber: f[6],
  };
}
