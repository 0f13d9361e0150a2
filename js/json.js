// JSON.stringify for values crossing into wasm: like JSON.stringify, except that NaN and the
// infinities are errors instead of silently becoming null.
function finite(key, value) {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`${key === '' ? 'the value' : key} is ${value}, not a finite number`);
  }
  return value;
}

export function stringify(value) {
  return JSON.stringify(value, finite);
}
