// The raw tier's value blob: a snapshot's stored integers as zigzag LEB128 varints, in the order
// of the row's layout (its list of series ids). Most values take one to three bytes.

// Integers up to 2^52 in magnitude; arithmetic rather than bit operations, which stop at 32 bits.
export function encodeValues(values: readonly number[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  let length = 0;
  for (const value of values) {
    let zigzag = value >= 0 ? value * 2 : -value * 2 - 1;
    while (zigzag >= 128) {
      bytes[length++] = (zigzag % 128) | 128;
      zigzag = Math.floor(zigzag / 128);
    }
    bytes[length++] = zigzag;
  }
  return bytes.slice(0, length);
}

// Decodes the first `count` values (all when count is omitted). A truncated blob yields fewer values.
export function decodeValues(bytes: Uint8Array, count = Number.POSITIVE_INFINITY): number[] {
  const values: number[] = [];
  decodeInto(bytes, values, count);
  return values;
}

// The same into a caller's array (reused across rows by queries); returns how many it decoded.
export function decodeInto(bytes: Uint8Array, values: number[] | Float64Array, count: number): number {
  let decoded = 0;
  let offset = 0;
  while (offset < bytes.length && decoded < count) {
    let zigzag = 0;
    let multiplier = 1;
    let byte = 128;
    while (byte >= 128 && offset < bytes.length) {
      byte = bytes[offset++] ?? 0;
      zigzag += (byte & 127) * multiplier;
      multiplier *= 128;
    }
    if (byte >= 128) break;
    values[decoded++] = zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  }
  return decoded;
}
