/**
 * A byte-level scan of a header that `JSON.parse` already accepted. `JSON.parse` silently keeps
 * the LAST of two equal keys, so a file could show one tensor to us and another to a reader that
 * keeps the first; the reference readers refuse duplicates, and so do we. The scan also records
 * where each `__metadata__` value starts in the raw bytes, which is how the checksum digits are
 * located through the structure (not only by searching for a byte pattern).
 *
 * It works on UTF-8 bytes directly: every structural character of JSON is ASCII, and no byte of a
 * multi-byte UTF-8 sequence is ASCII, so byte offsets are exact. The scan is iterative (a forged
 * header nesting arrays a million deep must not overflow the stack).
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;

interface Frame {
  /** Keys seen so far; null for arrays. */
  readonly keys: Set<string> | null;
  /** True for the object that is the value of the top-level `__metadata__` member. */
  readonly isMetadata: boolean;
  expectKey: boolean;
  currentKey: string | null;
}

export interface HeaderScan {
  /** The first key that occurs twice in the same object, with the key of its parent ('' at top level). */
  duplicate: { key: string; parent: string } | null;
  /** For each member of `__metadata__` whose value is a string: offset of the value's opening quote. */
  metadataValueOffsets: Map<string, number>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function scanHeader(bytes: Uint8Array, metadataKey: string): HeaderScan {
  const stack: Frame[] = [];
  const metadataValueOffsets = new Map<string, number>();
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const c = bytes[i];
    const top = stack.length > 0 ? stack[stack.length - 1] : undefined;
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      const isMetadata = c === OPEN_OBJECT && stack.length === 1 && stack[0].currentKey === metadataKey;
      stack.push({ keys: c === OPEN_OBJECT ? new Set() : null, isMetadata, expectKey: c === OPEN_OBJECT, currentKey: null });
      i++;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
      i++;
    } else if (c === COMMA) {
      if (top?.keys) top.expectKey = true;
      i++;
    } else if (c === QUOTE) {
      const end = stringEnd(bytes, i);
      if (top?.keys && top.expectKey) {
        const key = decodeString(bytes, i, end);
        if (top.keys.has(key)) {
          const parent = stack.length >= 2 ? (stack[stack.length - 2].currentKey ?? '') : '';
          return { duplicate: { key, parent }, metadataValueOffsets };
        }
        top.keys.add(key);
        top.currentKey = key;
        top.expectKey = false;
      } else if (top?.isMetadata && top.currentKey !== null) {
        metadataValueOffsets.set(top.currentKey, i);
      }
      i = end + 1;
    } else {
      // Whitespace, ':', numbers, true/false/null: nothing to record.
      i++;
    }
  }
  return { duplicate: null, metadataValueOffsets };
}

/** Offset of the closing quote of the string opening at `start` (the input is valid JSON). */
function stringEnd(bytes: Uint8Array, start: number): number {
  let j = start + 1;
  while (j < bytes.length) {
    const c = bytes[j];
    if (c === BACKSLASH) j += 2;
    else if (c === QUOTE) return j;
    else j++;
  }
  return bytes.length - 1;
}

function decodeString(bytes: Uint8Array, start: number, end: number): string {
  const raw = bytes.subarray(start + 1, end);
  // Fast path: no escapes, the bytes are the string.
  if (!raw.includes(BACKSLASH)) return utf8.decode(raw);
  return JSON.parse(utf8.decode(bytes.subarray(start, end + 1))) as string;
}
