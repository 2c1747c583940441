import type { CheckpointCheck } from '../../../src/checkpoint/file/index.js';
import { joinFile, parseHeaderObject, reseal, splitFile, type Json, type JsonObject } from './checkpoint-bytes.js';
import type { Rng } from './random.js';

const META = '__metadata__';

/** One way of breaking a valid checkpoint. */
export interface Mutator {
  kind: string;
  /**
   * Checks allowed to refuse the result; 'any' when the damage is random (any CheckpointError
   * will do). 'state' is the check of the layer above the file (a valid file, unusable state).
   */
  expect: readonly (CheckpointCheck | 'state')[] | 'any';
  apply(file: Uint8Array, rng: Rng): Uint8Array;
}

interface Entry extends JsonObject {
  dtype: Json;
  shape: Json;
  data_offsets: Json;
}

function tensorNames(header: JsonObject): string[] {
  return Object.keys(header).filter((key) => key !== META);
}

function entryOf(header: JsonObject, name: string): Entry {
  return header[name] as Entry;
}

/** Tensors with at least one byte, in file order. */
function filledTensors(header: JsonObject): { name: string; begin: number; end: number }[] {
  return tensorNames(header)
    .map((name) => {
      const [begin, end] = entryOf(header, name).data_offsets as [number, number];
      return { name, begin, end };
    })
    .filter((t) => t.end > t.begin)
    .sort((a, b) => a.begin - b.begin);
}

/** Edits the parsed header, re-encodes it and reseals the checksum (see reseal). */
function structural(edit: (header: JsonObject, rng: Rng, data: Uint8Array) => void): (file: Uint8Array, rng: Rng) => Uint8Array {
  return (file, rng) => {
    const { header, data } = splitFile(file);
    const parsed = parseHeaderObject(header);
    edit(parsed, rng, data);
    const text = JSON.stringify(parsed).replace('"U64_MAX_PAIR"', '[18446744073709551615,18446744073709551615]');
    return reseal(joinFile(text, data));
  };
}

/** Re-encodes the header member by member so a key can be written twice (JSON objects cannot hold that). */
function withMembers(edit: (members: [string, string][], rng: Rng) => void): (file: Uint8Array, rng: Rng) => Uint8Array {
  return (file, rng) => {
    const { header, data } = splitFile(file);
    const members = Object.entries(parseHeaderObject(header)).map(([k, v]): [string, string] => [JSON.stringify(k), JSON.stringify(v)]);
    edit(members, rng);
    return reseal(joinFile(`{${members.map(([k, v]) => `${k}:${v}`).join(',')}}`, data));
  };
}

const HUGE_LENGTHS = [2n ** 31n, 2n ** 32n, 2n ** 53n, 2n ** 53n + 8n, 2n ** 63n, 2n ** 64n - 8n, 2n ** 64n - 1n, 100_000_008n];

/** Every kind of damage the fuzzer draws from. Structural kinds keep a valid checksum. */
export const FILE_MUTATORS: readonly Mutator[] = [
  {
    kind: 'truncation',
    expect: 'any',
    apply(file, rng) {
      const headerEnd = 8 + Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
      const cut = rng.pick([0, 1, 7, 8, 9, headerEnd - 1, headerEnd, headerEnd + 1, file.length - 1, rng.int(file.length)]);
      return file.slice(0, Math.max(0, Math.min(cut, file.length - 1)));
    },
  },
  {
    kind: 'byte flips',
    expect: 'any',
    apply(file, rng) {
      const out = file.slice();
      // Distinct positions: two flips of one byte could cancel out and leave a valid file.
      const positions = new Set<number>();
      for (let i = 1 + rng.int(4); i > 0; i--) positions.add(rng.int(out.length));
      for (const at of positions) out[at]! ^= 1 + rng.int(255);
      return out;
    },
  },
  {
    kind: 'forged header length beyond the file (up to 2^64-1)',
    expect: ['header-length'],
    apply(file, rng) {
      const { header, data } = splitFile(file);
      const length = rng.float() < 0.5 ? rng.pick(HUGE_LENGTHS) : BigInt(file.length) + BigInt(rng.int(1 << 20));
      return joinFile(header, data, { length });
    },
  },
  {
    kind: 'forged header length inside the file',
    expect: 'any',
    apply(file, rng) {
      const { header, data } = splitFile(file);
      const actual = Math.ceil(new TextEncoder().encode(header).length / 8) * 8;
      return joinFile(header, data, { length: BigInt(rng.pick([0, 1, 7, actual - 8, actual - 1, actual + 1, actual + 8, rng.int(file.length - 8)])) });
    },
  },
  {
    kind: 'unknown dtype',
    expect: ['dtype'],
    apply: structural((h, rng) => {
      entryOf(h, rng.pick(tensorNames(h))).dtype = rng.pick(['F128', 'f32', '', 'float32', 'I128', 'F8_E4M3FNUZ', 'BF32', 42, null, ['F32']]);
    }),
  },
  {
    kind: 'overlapping offsets',
    expect: ['offsets'],
    apply: structural((h, rng) => {
      const later = filledTensors(h).filter((t) => t.begin > 0);
      const t = rng.pick(later);
      const back = 1 + rng.int(t.begin);
      entryOf(h, t.name).data_offsets = [t.begin - back, t.end - back];
    }),
  },
  {
    kind: 'out-of-range or malformed offsets',
    expect: ['offsets', 'truncated'],
    apply: structural((h, rng, data) => {
      const t = rng.pick(filledTensors(h));
      const big = 2 ** 53;
      entryOf(h, t.name).data_offsets = rng.pick<Json>([
        [t.begin, t.end + 4 * (1 + rng.int(100))],
        [t.begin + data.length, t.end + data.length],
        [t.begin + big, t.end + big],
        [t.begin, 1e30],
        [-1, t.end],
        [t.end, t.begin],
        [t.begin + 0.5, t.end + 0.5],
        [String(t.begin), t.end],
        [t.begin, t.end, t.end],
        [t.begin],
        null,
        { begin: t.begin, end: t.end },
      ]);
      // 2^64-1 cannot be a JS number literal: splice it into the JSON text instead.
      if (rng.float() < 0.1) entryOf(h, t.name).data_offsets = 'U64_MAX_PAIR';
    }),
  },
  {
    kind: 'shape that does not match its bytes',
    expect: ['offsets', 'shape'],
    apply: structural((h, rng) => {
      const t = rng.pick(filledTensors(h));
      const entry = entryOf(h, t.name);
      const shape = entry.shape as number[];
      entry.shape = rng.pick<Json>([[...shape, 2], shape.length === 0 ? [2] : shape.map((d) => d * 2), [-1, ...shape], [1.5], [1e300, 1e300], '3', null, [String(shape[0] ?? 1)]]);
    }),
  },
  {
    kind: 'non-JSON header',
    expect: ['header-json'],
    apply(file, rng) {
      const { header, data } = splitFile(file);
      const text = new TextEncoder().encode(header);
      const choice = rng.int(4);
      if (choice === 0) return joinFile(text.subarray(0, 1 + rng.int(text.length - 2)), data);
      if (choice === 1) return joinFile(`${header.slice(0, -1)},}`, data);
      if (choice === 2) return joinFile(`{"a":${header}`, data);
      const bad = text.slice();
      bad[1 + rng.int(bad.length - 2)] = rng.pick([0xff, 0xc0, 0xfe, 0x80]);
      return joinFile(bad, data);
    },
  },
  {
    kind: 'header that is not an object',
    expect: ['header-object'],
    apply(file, rng) {
      const { header, data } = splitFile(file);
      return reseal(joinFile(rng.pick(['[]', `[${header}]`, '42', '"text"', 'null', 'true', ` ${header}`, `\n${header}`]), data));
    },
  },
  {
    kind: 'duplicate tensor name',
    expect: ['duplicate'],
    apply: withMembers((members, rng) => {
      const at = 1 + rng.int(members.length - 1);
      const [key, value] = members[at]!;
      // Half the time the second copy spells the name with a \u escape: the same key once decoded.
      const spelled = rng.float() < 0.5 ? key : `"\\u${key.charCodeAt(1).toString(16).padStart(4, '0')}${key.slice(2)}`;
      members.splice(rng.int(members.length + 1), 0, [spelled, value]);
    }),
  },
  {
    kind: 'duplicate metadata key',
    expect: ['duplicate'],
    apply: withMembers((members, rng) => {
      const meta = members.find(([k]) => k === JSON.stringify(META))!;
      const entries = Object.entries(JSON.parse(meta[1]) as Record<string, string>).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
      const copy = entries[rng.int(entries.length)]!;
      entries.splice(rng.int(entries.length + 1), 0, copy.replace(/:.*$/su, ':"other"'));
      meta[1] = `{${entries.join(',')}}`;
    }),
  },
  {
    kind: 'metadata value that is not a string',
    expect: ['metadata'],
    apply: structural((h, rng) => {
      const meta = h[META] as JsonObject;
      meta[rng.pick(Object.keys(meta))] = rng.pick<Json>([1, 1.5, true, false, null, {}, [], { a: 'b' }, ['x']]);
    }),
  },
  {
    kind: 'metadata that is not an object',
    expect: ['metadata'],
    apply: structural((h, rng) => {
      h[META] = rng.pick<Json>(['text', 5, [], null, true, ['a', 'b']]);
    }),
  },
  {
    kind: 'tensor entry with missing, extra or ill-typed fields',
    expect: ['entry'],
    apply: structural((h, rng) => {
      const name = rng.pick(tensorNames(h));
      const entry = entryOf(h, name);
      const choice = rng.int(3);
      if (choice === 0) delete entry[rng.pick(['dtype', 'shape', 'data_offsets'])];
      else if (choice === 1) entry[rng.pick(['extra', 'offsets', 'DTYPE'])] = 1;
      else h[name] = rng.pick<Json>([5, 'F32', null, [], true]);
    }),
  },
  {
    kind: 'padding that is not spaces',
    expect: ['padding', 'header-json'],
    apply(file, rng) {
      const { header, data } = splitFile(file);
      const filler = rng.pick(['\n', '\t', '\r', '\0', 'x', '}']);
      return reseal(joinFile(`${header}${filler.repeat(1 + rng.int(8))}`, data));
    },
  },
  {
    kind: 'data section longer or shorter than the header says',
    expect: ['coverage', 'truncated'],
    apply(file, rng) {
      const { header, data } = splitFile(file);
      const grown = new Uint8Array(data.length + 1 + rng.int(64)).fill(rng.int(256));
      grown.set(data);
      return reseal(joinFile(header, rng.float() < 0.5 ? grown : data.subarray(0, data.length - 1 - rng.int(Math.min(64, data.length)))));
    },
  },
  {
    kind: 'wrong checksum',
    expect: ['checksum'],
    apply(file, rng) {
      const { header, data } = splitFile(file);
      return joinFile(header.replace(/"crc32:[0-9a-f]{8}"/u, (old) => {
        let digits = old;
        while (digits === old) digits = `"crc32:${Array.from({ length: 8 }, () => '0123456789abcdef'[rng.int(16)]).join('')}"`;
        return digits;
      }), data);
    },
  },
  {
    kind: 'malformed or missing checksum',
    expect: ['checksum'],
    apply(file, rng) {
      const { header, data } = splitFile(file);
      const parsed = parseHeaderObject(header);
      const meta = parsed[META] as JsonObject;
      const digits = String(meta.checksum).slice(6);
      const variant = rng.int(3);
      if (variant === 0) delete meta.checksum;
      else meta.checksum = rng.pick([`crc32:${digits.toUpperCase()}x`, `crc32:${digits.slice(1)}`, `crc32:${digits}0`, `sha256:${digits}`, '', `CRC32:${digits}`]);
      const text = JSON.stringify(parsed);
      // Variant 2: the right digits written with a JSON escape: equal once parsed, not literally.
      return joinFile(variant === 2 ? header.replace(/("crc32:)([0-9a-f])/u, (_m, head: string, d: string) => `${head}\\u00${d.charCodeAt(0).toString(16)}`) : text, data);
    },
  },
  {
    kind: 'unsupported format version',
    expect: ['format'],
    apply: structural((h, rng) => {
      (h[META] as JsonObject).format_version = rng.pick(['2', '', '1.0', '01', '0']);
    }),
  },
];

/**
 * Damage that leaves a valid FILE but an unusable training STATE: the file reader accepts these
 * and the trainer's resume must refuse them (CheckpointError 'state').
 */
export const STATE_MUTATORS: readonly Mutator[] = [
  {
    kind: 'state: ill-typed or missing loop position',
    expect: ['state'],
    apply: structural((h, rng) => {
      const meta = h[META] as JsonObject;
      const key = rng.pick(['cairn.global_step', 'cairn.epoch', 'cairn.progress', 'cairn.callbacks']);
      if (rng.float() < 0.3) delete meta[key];
      else meta[key] = rng.pick(['"x"', '[]', 'null', '{', '', 'true', key === 'cairn.progress' || key === 'cairn.callbacks' ? '3' : '{}']);
    }),
  },
  {
    kind: 'state: optimizer slot listed without its tensor',
    expect: ['state'],
    apply: structural((h, rng) => {
      const meta = h[META] as JsonObject;
      const optimizer = JSON.parse(String(meta['cairn.optimizer'])) as JsonObject;
      if (rng.float() < 0.5) (optimizer.slotNames as Json[]).push('missing-slot');
      else delete optimizer.className;
      meta['cairn.optimizer'] = JSON.stringify(optimizer);
    }),
  },
  {
    kind: 'state: tensor that is neither a weight nor an optimizer slot',
    expect: ['state'],
    apply: withMembers((members, rng) => {
      const tensors = members.filter(([k]) => k !== JSON.stringify(META));
      const victim = rng.pick(tensors);
      victim[0] = JSON.stringify(`${rng.pick(['foreign', 'Module', 'optimizer'.toUpperCase()])}.${JSON.parse(victim[0]) as string}`);
    }),
  },
];
