// normalizePhone's options, known by their JSON text: the same few options objects come with
// most calls (one per default region in use), often built anew each time. Each distinct text
// gets a number here, and the wasm module keeps what it read from the text under that number,
// so that a known text never crosses into wasm again: only a number does.
import { stringify } from './json.js';

// Text → number, and back; cleared when full, so that it stays small whatever callers send.
const keys = new Map();
const texts = new Map();
const MAX_KEYS = 64;
let next = 0;

// The number of the options' JSON text ("" for undefined); throws as JSON.stringify does.
export function optionsKey(options) {
  const text = stringify(options) ?? '';
  let key = keys.get(text);
  if (key === undefined) {
    if (keys.size >= MAX_KEYS) {
      keys.clear();
      texts.clear();
    }
    key = next++;
    keys.set(text, key);
    texts.set(key, text);
  }
  return key;
}

// The text behind a number that optionsKey just returned.
export function optionsText(key) {
  return texts.get(key) ?? '';
}
