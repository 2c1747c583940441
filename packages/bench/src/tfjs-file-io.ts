import { open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * The file IO handlers a user of @tensorflow/tfjs (which has no file:// handler outside tfjs-node)
 * writes for `model.save` and `tf.loadLayersModel`: model.json beside weights.bin, each written to a
 * temporary name, fsynced and renamed, as durable as Cairn's checkpoint.
 */

async function writeDurably(path: string, parts: readonly Uint8Array[]): Promise<void> {
  const temporary = `${path}.tmp`;
  const file = await open(temporary, 'w');
  try {
    for (const part of parts) await file.write(part);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(temporary, path);
}

export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      const data = artifacts.weightData ?? [];
      const buffers = Array.isArray(data) ? data : [data];
      await writeDurably(join(dir, 'weights.bin'), buffers.map((b) => new Uint8Array(b)));
      const json = { modelTopology: artifacts.modelTopology, weightSpecs: artifacts.weightSpecs, trainingConfig: artifacts.trainingConfig };
      await writeDurably(join(dir, 'model.json'), [Buffer.from(JSON.stringify(json))]);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  };
}

export function fileLoadHandler(dir: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelArtifacts;
      const weights = await readFile(join(dir, 'weights.bin'));
      return { ...json, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length) };
    },
  };
}
