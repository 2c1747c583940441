import { hasNumericValues, readValues, type DecodedCheckpoint } from '@cairn/core';
import { EXIT } from '../cli-error.js';
import { formatTable, toJson, type Output } from '../output.js';
import { readVerified } from './read-verified.js';

export interface TensorDiff {
  name: string;
  status: 'same' | 'different' | 'only-in-a' | 'only-in-b' | 'incompatible';
  /** Elements whose values differ (NaN equals NaN). */
  differing?: number;
  elements?: number;
  maxAbsDiff?: number;
  meanAbsDiff?: number;
  detail?: string;
}

export interface CheckpointDiff {
  identical: boolean;
  tensors: TensorDiff[];
  metadata: { key: string; a: string | null; b: string | null }[];
}

/** Metadata that differs between any two files by design. */
const IGNORED_METADATA = new Set(['checksum']);

export function diffCheckpoints(a: DecodedCheckpoint, b: DecodedCheckpoint): CheckpointDiff {
  const tensors: TensorDiff[] = [];
  for (const [name, ta] of a.tensors) {
    const tb = b.tensors.get(name);
    if (tb === undefined) {
      tensors.push({ name, status: 'only-in-a' });
      continue;
    }
    if (ta.dtype !== tb.dtype || ta.shape.join(',') !== tb.shape.join(',')) {
      tensors.push({ name, status: 'incompatible', detail: `${ta.dtype}[${ta.shape.join(', ')}] vs ${tb.dtype}[${tb.shape.join(', ')}]` });
      continue;
    }
    if (!hasNumericValues(ta.dtype)) {
      const same = Buffer.from(ta.data).equals(Buffer.from(tb.data));
      tensors.push({ name, status: same ? 'same' : 'different', detail: `${ta.dtype} compared byte by byte` });
      continue;
    }
    const va = readValues(ta.dtype, ta.data);
    const vb = readValues(tb.dtype, tb.data);
    let differing = 0;
    let maxAbs = 0;
    let sumAbs = 0;
    for (let i = 0; i < va.length; i++) {
      const x = va[i]!;
      const y = vb[i]!;
      if (x === y || (Number.isNaN(x) && Number.isNaN(y))) continue;
      differing += 1;
      const d = Math.abs(x - y);
      if (!(d <= maxAbs)) maxAbs = d;
      sumAbs += d;
    }
    tensors.push(differing === 0
      ? { name, status: 'same', elements: va.length, differing: 0 }
      : { name, status: 'different', elements: va.length, differing, maxAbsDiff: maxAbs, meanAbsDiff: sumAbs / va.length });
  }
  for (const name of b.tensors.keys()) if (!a.tensors.has(name)) tensors.push({ name, status: 'only-in-b' });
  const keys = [...new Set([...Object.keys(a.metadata), ...Object.keys(b.metadata)])].filter((key) => !IGNORED_METADATA.has(key)).sort();
  const metadata = keys.filter((key) => a.metadata[key] !== b.metadata[key]).map((key) => ({ key, a: a.metadata[key] ?? null, b: b.metadata[key] ?? null }));
  return { identical: tensors.every((t) => t.status === 'same') && metadata.length === 0, tensors, metadata };
}

/** `cairn ckpt diff A B`: exit 0 when the files hold the same tensors and metadata, 1 when they differ (diff(1)'s rule). */
export async function diffCommand(pathA: string, pathB: string, out: Output, options: { all: boolean }): Promise<number> {
  const diff = diffCheckpoints(await readVerified(pathA), await readVerified(pathB));
  if (out.json) out.result(toJson({ a: pathA, b: pathB, ...diff }));
  else {
    const shown = options.all ? diff.tensors : diff.tensors.filter((t) => t.status !== 'same');
    const same = diff.tensors.length - diff.tensors.filter((t) => t.status !== 'same').length;
    const number = (v: number | undefined): string => (v === undefined ? '-' : v.toPrecision(4));
    out.result(`${diff.tensors.length} tensors: ${same} identical, ${diff.tensors.length - same} not`);
    if (shown.length > 0) {
      out.result(formatTable(['tensor', 'status', 'differing', 'max |a-b|', 'mean |a-b|'], shown.map((t) => [t.name, t.detail === undefined ? t.status : `${t.status} (${t.detail})`, t.differing === undefined ? '-' : `${t.differing}/${t.elements}`, number(t.maxAbsDiff), number(t.meanAbsDiff)])));
    }
    if (diff.metadata.length > 0) {
      const cut = (v: string | null): string => (v === null ? '(absent)' : v.length > 60 ? `${v.slice(0, 57)}...` : v);
      out.result(`\nmetadata that differs\n${formatTable(['key', 'a', 'b'], diff.metadata.map((m) => [m.key, cut(m.a), cut(m.b)]))}`);
    }
  }
  return diff.identical ? EXIT.ok : EXIT.failed;
}
