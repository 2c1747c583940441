import * as tf from '@tensorflow/tfjs';

export interface PeakMemory<T> {
  result: T;
  /** Highest RSS seen minus RSS before, in bytes. */
  rssDelta: number;
  /** Highest TF.js tensor bytes seen minus bytes before (clones that copy show up here). */
  tensorDelta: number;
  /** Highest `arrayBuffers` seen minus before (buffers read out of TF.js, staging). */
  arrayBuffersDelta: number;
}

const SAMPLE_MS = 2;

/**
 * Runs `fn` while sampling memory every few milliseconds. Samples land between the awaits of
 * `fn`, which is where a save holds its snapshot, so the peak of a snapshot is seen.
 */
export async function trackPeak<T>(fn: () => Promise<T>): Promise<PeakMemory<T>> {
  const before = { ...process.memoryUsage(), tensors: tf.memory().numBytes };
  const peak = { rss: before.rss, tensors: before.tensors, arrayBuffers: before.arrayBuffers };
  const sample = (): void => {
    const now = process.memoryUsage();
    peak.rss = Math.max(peak.rss, now.rss);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, now.arrayBuffers);
    peak.tensors = Math.max(peak.tensors, tf.memory().numBytes);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  try {
    const result = await fn();
    sample();
    return { result, rssDelta: peak.rss - before.rss, tensorDelta: peak.tensors - before.tensors, arrayBuffersDelta: peak.arrayBuffers - before.arrayBuffers };
  } finally {
    clearInterval(timer);
  }
}
