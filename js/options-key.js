// normalizePhone's options, known by their JSON text: the same few options objects come with
// most calls (one per default region in use), often built anew each time. Each distinct text
// gets a number here, and the wasm module keeps what it read from the text under that number,
// so that a known text never crosses into wasm again: only a number does.
import { stringify } from './json.js';

// Text → number; cleared when full, so that it stays small whatever callers send.
const keys = new Map();
const MAX_KEYS = 64;
let next = 0;
// The text optionsKey saw last: the one the wasm module asks for when the number is new to it.
let lastText = '';

// The number of the options' JSON text ("" for undefined); throws as JSON.stringify does.
export function optionsKey(options) {
  lastText = stringify(options) ?? '';
  let key = keys.get(lastText);
  if (key === undefined) {
    if (keys.size >= MAX_KEYS) keys.clear();
    key = next++;
    keys.set(lastText, key);
  }
  return key;
}

// The JSON text behind the number optionsKey just returned.
export function optionsText() {
  return lastText;
}
