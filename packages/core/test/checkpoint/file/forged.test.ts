import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeCheckpointFile } from '../../../src/checkpoint/file/index.js';
import { expectCheck, rawFile, readBytes, record, writtenBytes } from './helpers.js';

const F32x2 = '{"dtype":"F32","shape":[2],"data_offsets":[0,8]}';
const EIGHT = new Uint8Array(8);
const plain = (file: Uint8Array) => () => readBytes(file, { requireChecksum: false });

/** Writes valid checksum digits into a hand-made file whose header holds `"checksum":"crc32:00000000"`. */
function sealed(file: Uint8Array): Uint8Array {
  const text = Buffer.from(file).toString('latin1');
  const at = text.indexOf('"checksum":"crc32:') + '"checksum":"crc32:'.length;
  const out = Buffer.from(file);
  out.write(crc32(out).toString(16).padStart(8, '0'), at, 'latin1');
  return new Uint8Array(out);
}
const cairnMeta = (extra = '') => `"__metadata__":{"format":"cairn.ckpt","format_version":"1","checksum":"crc32:00000000"${extra}}`;

describe('forged headers', () => {
  it('header lengths: 0, 7, not a multiple of 8, past the end, over 100 MB, 2^64-1 (never allocated)', async () => {
    const json = `{"a":${F32x2}}`;
    for (const length of [0n, 7n, 9n, 1000n, 100_000_008n, 2n ** 53n + 8n, 2n ** 63n, 2n ** 64n - 1n]) {
      await expectCheck(plain(rawFile(json, EIGHT, { length })), 'header-length');
    }
    for (const size of [0, 1, 7]) await expectCheck(plain(new Uint8Array(size)), 'truncated');
  });

  it('non-JSON, invalid UTF-8, array and scalar headers', async () => {
    await expectCheck(plain(rawFile('{"a":')), 'header-json');
    await expectCheck(plain(rawFile('not json')), 'header-json');
    const badUtf8 = rawFile('{"a":"xx"}');
    badUtf8[8 + 6] = 0xff;
    await expectCheck(plain(badUtf8), 'header-json');
    await expectCheck(plain(rawFile('[1,2,3]')), 'header-object');
    await expectCheck(plain(rawFile('null')), 'header-object');
    await expectCheck(plain(rawFile('"{}"')), 'header-object');
    await expectCheck(plain(rawFile('  {}')), 'header-object'); // valid JSON, but must start with '{'
  });

  it('padding must be spaces', async () => {
    await expectCheck(plain(rawFile('{}\n\n\n\n\n\n')), 'padding');
    await expectCheck(plain(rawFile('{}\t     ')), 'padding');
    expect((await readBytes(rawFile('{}      '), { requireChecksum: false })).tensors.size).toBe(0);
  });

  it('duplicate names, at top level, in the metadata and inside an entry', async () => {
    await expectCheck(plain(rawFile(`{"a":${F32x2},"a":${F32x2}}`, EIGHT)), 'duplicate');
    await expectCheck(plain(rawFile(`{"a":${F32x2},"\\u0061":${F32x2}}`, EIGHT)), 'duplicate'); // escaped spelling of "a"
    await expectCheck(plain(rawFile(`{"__metadata__":{"k":"1","k":"2"}}`)), 'duplicate');
    await expectCheck(plain(rawFile(`{"__metadata__":{},"__metadata__":{}}`)), 'duplicate');
    await expectCheck(plain(rawFile(`{"a":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, EIGHT)), 'duplicate');
    // A key equal to another key's value is not a duplicate.
    expect((await readBytes(rawFile(`{"__metadata__":{"a":"b","b":"a"}}`), { requireChecksum: false })).metadata).toEqual({ a: 'b', b: 'a' });
  });

  it('offsets: overlapping, holes, out of range, wrong span, malformed', async () => {
    const t = (offsets: string, shape = '[2]') => `{"dtype":"F32","shape":${shape},"data_offsets":${offsets}}`;
    await expectCheck(plain(rawFile(`{"a":${t('[0,8]')},"b":${t('[4,12]')}}`, new Uint8Array(12))), 'offsets'); // overlap
    await expectCheck(plain(rawFile(`{"a":${t('[0,8]')},"b":${t('[0,8]')}}`, new Uint8Array(16))), 'offsets'); // same range twice
    await expectCheck(plain(rawFile(`{"a":${t('[4,12]')}}`, new Uint8Array(12))), 'offsets'); // hole at start
    await expectCheck(plain(rawFile(`{"a":${t('[0,8]')},"b":${t('[12,20]')}}`, new Uint8Array(20))), 'offsets'); // hole between
    await expectCheck(plain(rawFile(`{"a":${t('[0,8]')}}`, new Uint8Array(4))), 'truncated'); // past the end
    await expectCheck(plain(rawFile(`{"a":${t('[0,8]')}}`, new Uint8Array(12))), 'coverage'); // trailing bytes
    await expectCheck(plain(rawFile(`{"a":${t('[0,12]')}}`, new Uint8Array(12))), 'offsets'); // span != numel * size
    await expectCheck(plain(rawFile(`{"a":${t('[8,0]')}}`, new Uint8Array(8))), 'offsets'); // reversed
    await expectCheck(plain(rawFile(`{"a":${t('[0,-8]')}}`, EIGHT)), 'offsets');
    await expectCheck(plain(rawFile(`{"a":${t('[0,8,9]')}}`, EIGHT)), 'offsets');
    await expectCheck(plain(rawFile(`{"a":${t('[0,"8"]')}}`, EIGHT)), 'offsets');
    await expectCheck(plain(rawFile(`{"a":${t('[0,8.5]')}}`, EIGHT)), 'offsets');
    await expectCheck(plain(rawFile(`{"a":${t('[18446744073709551608,18446744073709551616]')}}`, EIGHT)), 'offsets');
  });

  it('dtypes, shapes and entry structure', async () => {
    await expectCheck(plain(rawFile(`{"a":{"dtype":"F128","shape":[2],"data_offsets":[0,8]}}`, EIGHT)), 'dtype');
    await expectCheck(plain(rawFile(`{"a":{"dtype":"f32","shape":[2],"data_offsets":[0,8]}}`, EIGHT)), 'dtype');
    await expectCheck(plain(rawFile(`{"a":{"dtype":4,"shape":[2],"data_offsets":[0,8]}}`, EIGHT)), 'dtype');
    await expectCheck(plain(rawFile(`{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}`, EIGHT)), 'shape');
    await expectCheck(plain(rawFile(`{"a":{"dtype":"F32","shape":[2.5],"data_offsets":[0,8]}}`, EIGHT)), 'shape');
    await expectCheck(plain(rawFile(`{"a":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}`, EIGHT)), 'shape');
    // Products that leave the safe range are refused as they go, like the reference reader's checked_mul,
    // so a shape cannot wrap around to a small size.
    await expectCheck(plain(rawFile(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,0],"data_offsets":[0,0]}}`)), 'shape');
    await expectCheck(plain(rawFile(`{"a":{"dtype":"U8","shape":[9007199254740991,2],"data_offsets":[0,8]}}`, EIGHT)), 'shape');
    await expectCheck(plain(rawFile(`{"a":[1,2]}`)), 'entry');
    await expectCheck(plain(rawFile(`{"a":"tensor"}`)), 'entry');
    await expectCheck(plain(rawFile(`{"a":{"dtype":"F32","shape":[2]}}`, EIGHT)), 'entry');
    await expectCheck(plain(rawFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}`, EIGHT)), 'entry');
  });

  it('metadata must map strings to strings', async () => {
    await expectCheck(plain(rawFile(`{"__metadata__":{"epoch":3}}`)), 'metadata');
    await expectCheck(plain(rawFile(`{"__metadata__":{"nested":{"a":"b"}}}`)), 'metadata');
    await expectCheck(plain(rawFile(`{"__metadata__":{"n":null}}`)), 'metadata');
    await expectCheck(plain(rawFile(`{"__metadata__":["a"]}`)), 'metadata');
    await expectCheck(plain(rawFile(`{"__metadata__":"a"}`)), 'metadata');
  });

  it('format tag and version', async () => {
    await expectCheck(() => readBytes(sealed(rawFile(`{"__metadata__":{"format":"cairn.ckpt","format_version":"2","checksum":"crc32:00000000"}}`))), 'format');
    await expectCheck(() => readBytes(sealed(rawFile(`{"__metadata__":{"format":"cairn.ckpt","checksum":"crc32:00000000"}}`))), 'format');
    // A Cairn file must carry its checksum even when the caller does not require one.
    await expectCheck(plain(rawFile(`{"__metadata__":{"format":"cairn.ckpt","format_version":"1"}}`)), 'checksum');
    expect((await readBytes(sealed(rawFile(`{${cairnMeta()}}`)))).metadata.format).toBe('cairn.ckpt');
  });

  it('checksum: malformed values, other algorithms, and digits that cannot be located unambiguously', async () => {
    const meta = (checksum: string) => rawFile(`{"__metadata__":{"format":"cairn.ckpt","format_version":"1","checksum":"${checksum}"}}`);
    await expectCheck(() => readBytes(meta('crc32:ABCDEF01')), 'checksum'); // upper case
    await expectCheck(() => readBytes(meta('crc32:abc')), 'checksum');
    await expectCheck(() => readBytes(meta('sha256:00')), 'checksum');
    await expectCheck(() => readBytes(meta('crc32:00000000')), 'checksum'); // wrong value
    // A checksum claimed by a file without the Cairn tag is still verified.
    await expectCheck(plain(rawFile(`{"__metadata__":{"checksum":"crc32:00000000"}}`)), 'checksum');
    // The same member written with a space: structure and raw token disagree.
    await expectCheck(() => readBytes(sealedAt(rawFile(`{"__metadata__":{"format":"cairn.ckpt","format_version":"1","checksum": "crc32:00000000"}}`))), 'checksum');
    // Digits spelled with an escape are not literal bytes.
    await expectCheck(() => readBytes(rawFile(`{"__metadata__":{"format":"cairn.ckpt","format_version":"1","checksum":"crc32:0000000\\u0030"}}`)), 'checksum');
    // A second marker forged by a key ending in "checksum (its first quote is an escaped one).
    const twice = rawFile(`{${cairnMeta(',"x\\"checksum":"crc32:00000000"')}}`);
    await expectCheck(() => readBytes(sealed(twice)), 'checksum');
  });

  it('the writer refuses input that would make an unreadable or ambiguous file', async () => {
    await expectCheck(() => writtenBytes([record('a', 'F32', [2]), record('a', 'F32', [2])]), 'input');
    await expectCheck(() => writtenBytes([record('__metadata__', 'F32', [2])]), 'input');
    await expectCheck(() => writtenBytes([{ ...record('a', 'F32', [2]), shape: [3] }]), 'input');
    await expectCheck(() => writtenBytes([{ ...record('a', 'F32', [2]), shape: [-1] }]), 'input');
    await expectCheck(() => writtenBytes([{ ...record('a', 'F32', [2]), dtype: 'F128' as 'F32' }]), 'input');
    await expectCheck(() => writtenBytes([record('lone\uD800', 'F32', [2])]), 'input');
    await expectCheck(() => writtenBytes([{ ...record('a', 'F32', [2]), data: new Float32Array(2) as unknown as Uint8Array }]), 'input');
    await expectCheck(() => writtenBytes([], { checksum: 'mine' }), 'input');
    await expectCheck(() => writtenBytes([], { format: 'mine' }), 'input');
    await expectCheck(() => writtenBytes([], { n: 3 as unknown as string }), 'input');
    await expectCheck(() => writtenBytes([], { 'x"checksum': 'crc32:12345678' }), 'input');
    await expectCheck(() => writeCheckpointFile('/nonexistent-never/x.ckpt', [{ ...record('a', 'F32', [1]), dtype: 'a' as 'F32' }], {}), 'input');
    // Harmless look-alikes are fine: the marker is only forged by a key ending in "checksum with a crc32: value.
    const ok = await writtenBytes([record('x"checksum', 'F32', [1])], { 'x"checksum': 'sha', note: '"checksum":"crc32:' });
    expect((await readBytes(ok)).metadata.note).toBe('"checksum":"crc32:');
  });
});

/** Like `sealed`, for headers that write the member with a space after the colon. */
function sealedAt(file: Uint8Array): Uint8Array {
  const text = Buffer.from(file).toString('latin1');
  const at = text.indexOf('"crc32:') + '"crc32:'.length;
  const out = Buffer.from(file);
  out.write(crc32(out).toString(16).padStart(8, '0'), at, 'latin1');
  return new Uint8Array(out);
}
