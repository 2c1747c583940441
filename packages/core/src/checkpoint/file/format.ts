/** Constants of the Cairn checkpoint format, version 1 (docs/checkpoint-format.md). */

export const FORMAT_KEY = 'format';
export const FORMAT_NAME = 'cairn.ckpt';
export const FORMAT_VERSION_KEY = 'format_version';
export const FORMAT_VERSION = '1';
export const CHECKSUM_KEY = 'checksum';
export const METADATA_KEY = '__metadata__';

/** Metadata keys this layer owns; callers may not set them. */
export const RESERVED_METADATA_KEYS: ReadonlySet<string> = new Set([FORMAT_KEY, FORMAT_VERSION_KEY, CHECKSUM_KEY]);

/** A file starts with the header's length as an unsigned 64-bit little-endian integer. */
export const LENGTH_PREFIX_BYTES = 8;

/** The reference readers' limit; checked before allocating anything for the header. */
export const MAX_HEADER_LENGTH = 100_000_000;

/** Headers are padded with spaces so the data section starts 8-byte aligned. */
export const HEADER_ALIGNMENT = 8;
