import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';

// String weights have no fixed size (this loader does not read them): NaN makes the size check fail.
const BYTES: Readonly<Record<tf.io.WeightsManifestEntry['dtype'], number>> = { float32: 4, int32: 4, bool: 1, complex64: 8, string: Number.NaN };

/**
 * Loads a TF.js layers model from disk the way a browser loads it from a server: model.json
 * first, then every file its weightsManifest names, resolved relative to model.json. Paths must
 * be relative and stay in model.json's folder (a browser fetches them as relative URLs), so a
 * manifest naming a wrong or absolute file fails here as it would there. Pure JS: no tfjs-node.
 */
export function tfjsFileLoader(modelJsonPath: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      const weightSpecs: tf.io.WeightsManifestEntry[] = [];
      const buffers: ArrayBuffer[] = [];
      for (const group of json.weightsManifest) {
        weightSpecs.push(...group.weights);
        for (const path of group.paths) {
          if (isAbsolute(path) || normalize(path).split(sep).includes('..')) throw new Error(`weightsManifest path ${JSON.stringify(path)} is not relative to model.json`);
          const bytes = await readFile(join(dirname(modelJsonPath), path));
          buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
        }
      }
      const weightData = tf.io.CompositeArrayBuffer.join(buffers);
      const expected = weightSpecs.reduce((sum, spec) => sum + spec.shape.reduce((n, d) => n * d, 1) * BYTES[spec.dtype], 0);
      // TF.js reads the weights by offset: a short or padded file is a broken export.
      if (weightData.byteLength !== expected) throw new Error(`weights files hold ${weightData.byteLength} bytes, the manifest describes ${expected}`);
      return { modelTopology: json.modelTopology, weightSpecs, weightData, format: json.format, generatedBy: json.generatedBy, convertedBy: json.convertedBy ?? undefined };
    },
  };
}
