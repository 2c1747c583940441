import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeDurableDir, writeFileAtomically } from '../checkpoint/file/index.js';
import type { LightningModule } from './lightning-module.js';

function writeBytes(path: string, bytes: Uint8Array): Promise<void> {
  return writeFileAtomically(path, async (file) => {
    await file.writeFile(bytes);
  });
}

/**
 * Writes a LayersModel in TF.js's own layout (model.json + weights.bin) without tfjs-node, so
 * `tf.loadLayersModel('.../model.json')` can serve it in a browser.
 */
export async function saveTfjsModel(model: tf.LayersModel, dir: string): Promise<{ modelJson: string; weights: string }> {
  await makeDurableDir(dir);
  const modelJson = join(dir, 'model.json');
  const weights = join(dir, 'weights.bin');
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
      await writeBytes(weights, new Uint8Array(data));
      const json = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeBytes(modelJson, new TextEncoder().encode(JSON.stringify(json)));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return { modelJson, weights };
}

/** The module's one LayersModel field (or the one named `field`). */
export function findLayersModel(module: LightningModule, field?: string): tf.LayersModel {
  const models = Object.entries(module).filter(([key, value]) => value instanceof tf.LayersModel && (field === undefined || key === field));
  if (models.length !== 1) {
    const names = Object.entries(module).filter(([, v]) => v instanceof tf.LayersModel).map(([k]) => k);
    throw new Error(field === undefined
      ? `the module holds ${names.length} LayersModels (${names.join(', ') || 'none'}); name the one to export`
      : `the module has no LayersModel field '${field}' (it has: ${names.join(', ') || 'none'})`);
  }
  return models[0]![1] as tf.LayersModel;
}

/** Loads a module class from a checkpoint and exports its LayersModel to `dir` in TF.js's format. */
export async function exportCheckpointToTfjs<T extends LightningModule>(
  moduleClass: (new (hparams: Record<string, unknown>) => T) & { loadFromCheckpoint(path: string): Promise<T> },
  ckptPath: string,
  dir: string,
  field?: string,
): Promise<{ modelJson: string; weights: string }> {
  const module = await moduleClass.loadFromCheckpoint(ckptPath);
  return saveTfjsModel(findLayersModel(module, field), dir);
}
