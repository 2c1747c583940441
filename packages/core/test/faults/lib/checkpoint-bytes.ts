import { checksumWithZeroedDigits, digitsOffsetOfToken, findChecksumTokens, formatChecksum, writeDigits } from '../../../src/checkpoint/file/checksum.js';

/** A checkpoint split into its parts: the header as text (padding removed) and the data section. */
export interface FileParts {
  header: string;
  data: Uint8Array;
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function splitFile(file: Uint8Array): FileParts {
  const length = Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
  const header = new TextDecoder().decode(file.subarray(8, 8 + length)).trimEnd();
  return { header, data: file.subarray(8 + length) };
}

/**
 * Builds a file from a header (text or raw bytes) and data: length prefix, header padded with
 * spaces to a multiple of 8 (as the writer does), data. `length` forges the prefix.
 */
export function joinFile(header: string | Uint8Array, data: Uint8Array, options: { length?: bigint; padWith?: number } = {}): Uint8Array {
  const text = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const padded = Math.ceil(text.length / 8) * 8;
  const out = new Uint8Array(8 + padded + data.length);
  new DataView(out.buffer).setBigUint64(0, options.length ?? BigInt(padded), true);
  out.fill(options.padWith ?? 0x20, 8, 8 + padded);
  out.set(text, 8);
  out.set(data, 8 + padded);
  return out;
}

/**
 * Rewrites the checksum digits so they match the file's bytes: a structural mutation then meets
 * the structural check with a valid checksum, so it is that check (not the checksum) that must
 * refuse the file. Files whose header holds the checksum marker other than once stay as they are.
 */
export function reseal(file: Uint8Array): Uint8Array {
  const length = Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
  if (8 + length > file.length) return file;
  const tokens = findChecksumTokens(file.subarray(8, 8 + length));
  if (tokens.length !== 1) return file;
  const out = file.slice();
  const digitsOffset = 8 + digitsOffsetOfToken(tokens[0]!);
  writeDigits(out, digitsOffset, formatChecksum(checksumWithZeroedDigits(out, digitsOffset)));
  return out;
}

export function parseHeaderObject(header: string): JsonObject {
  return JSON.parse(header) as JsonObject;
}
