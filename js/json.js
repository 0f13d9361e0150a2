// JSON.stringify for values crossing into wasm: like JSON.stringify, except that NaN and the
// infinities are errors instead of silently becoming null.
function finite(key, value) {
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TypeError(`${key === '' ? 'the value' : key} is ${value}, not a finite number`);
  }
  return value;
}

export function stringify(value) {
  // JSON.stringify with a replacer is several times slower. NaN and the infinities come out as
  // "null", so only text with a null needs the checking pass.
  const text = JSON.stringify(value);
  return text !== undefined && text.includes('null') ? JSON.stringify(value, finite) : text;
}

// The fields `keys` (comma-separated) of `value` as JSON text, in one call from wasm: other
// fields (which may hold BigInts, cycles or anything else) are never read or serialised.
export function stringifyFields(value, keys) {
  const copy = {};
  for (const key of keys.split(',')) {
    const field = value[key];
    if (field !== undefined) copy[key] = field;
  }
  return stringify(copy);
}
