declare module 'polycrc' {
  /** CRC-32C (Castagnoli) of the bytes, as an unsigned 32-bit number. */
  export function crc32c(data: Uint8Array): number;
}
