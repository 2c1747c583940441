/** TensorFlow's HistogramProto fields (summary.proto), camelCased as protobufjs names them. */
export interface HistogramValue {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  /** Right edge of each bucket; bucket i covers (limit[i-1], limit[i]]. */
  bucketLimit: number[];
  bucket: number[];
}

/**
 * Equal-width buckets between the smallest and largest finite value (each bucket holds the
 * values above the previous limit up to and including its own). Non-finite values are left out of the buckets and
 * of the sums, so one NaN weight does not erase the picture; `num` counts only what is shown.
 */
export function histogramOf(values: ArrayLike<number>, bucketCount = 30): HistogramValue {
  if (!Number.isSafeInteger(bucketCount) || bucketCount < 1) throw new Error(`histogram bucketCount must be a positive integer, got ${bucketCount}`);
  let min = Infinity;
  let max = -Infinity;
  let num = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    num += 1;
    sum += v;
    sumSquares += v * v;
  }
  if (num === 0) return { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  // A constant tensor still gets a visible bucket of unit width around its value.
  const low = min === max ? min - 0.5 : min;
  const high = min === max ? max + 0.5 : max;
  const width = (high - low) / bucketCount;
  const bucketLimit = Array.from({ length: bucketCount }, (_, i) => (i === bucketCount - 1 ? high : low + width * (i + 1)));
  const bucket = new Array<number>(bucketCount).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) bucket[firstLimitAtOrAbove(bucketLimit, v)]! += 1;
  }
  return { min, max, num, sum, sumSquares, bucketLimit, bucket };
}

/** Index of the first limit >= v (binary search; the last limit is the maximum, so one exists). */
function firstLimitAtOrAbove(limits: readonly number[], v: number): number {
  let lo = 0;
  let hi = limits.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (limits[mid]! >= v) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
