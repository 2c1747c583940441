import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, errorMessage } from './backend-unavailable.js';

/** Loads a package by name; replaceable so tests can simulate the optional packages present, absent or broken. */
export type ModuleLoader = (name: string) => Promise<unknown>;

export type NodeAccelerator = 'gpu' | 'tensorflow';

interface NodeBinding {
  packageName: string;
  description: string;
  requirements: string;
}

const BINDINGS: Readonly<Record<NodeAccelerator, NodeBinding>> = {
  gpu: {
    packageName: '@tensorflow/tfjs-node-gpu',
    description: 'TensorFlow C library with CUDA, @tensorflow/tfjs-node-gpu',
    requirements: 'It needs Linux x64, an NVIDIA GPU, CUDA 11.2 and cuDNN 8.1; its install script downloads libtensorflow, so it needs internet access.',
  },
  tensorflow: {
    packageName: '@tensorflow/tfjs-node',
    description: 'TensorFlow C library, @tensorflow/tfjs-node',
    requirements: 'Its install script downloads libtensorflow, so it needs internet access.',
  },
};

/** Both tfjs-node packages register their backend under this name when imported. */
const TENSORFLOW_BACKEND = 'tensorflow';

/**
 * True when `error` says the package itself could not be found, as opposed to a package that is installed
 * but broken (its native addon missing, CUDA libraries absent), whose message also names the package but
 * inside a longer path.
 */
function isPackageMissing(error: unknown, packageName: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error ? error.code : undefined;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && error.message.includes(`'${packageName}'`);
}

/**
 * Loads tfjs-node(-gpu) and activates its 'tensorflow' backend. Returns the description for the report;
 * throws {@link BackendUnavailableError} when the package is absent or unusable.
 */
export async function activateNodeBinding(accelerator: NodeAccelerator, loadModule: ModuleLoader): Promise<string> {
  const { packageName, description, requirements } = BINDINGS[accelerator];
  const install = `Install it with \`npm install ${packageName}\`. ${requirements}`;
  try {
    await loadModule(packageName);
  } catch (error) {
    if (isPackageMissing(error, packageName)) {
      throw new BackendUnavailableError(
        `cairn: accelerator '${accelerator}' needs ${packageName}, which is not installed. ${install} Or use accelerator 'auto'.`,
        `${packageName} not installed`, true, { cause: error },
      );
    }
    throw new BackendUnavailableError(
      `cairn: accelerator '${accelerator}': ${packageName} is installed but failed to load: ${errorMessage(error)}. ${install}`,
      `${packageName} failed to load: ${errorMessage(error)}`, false, { cause: error },
    );
  }
  if (tf.findBackendFactory(TENSORFLOW_BACKEND) === null) {
    throw new BackendUnavailableError(
      `cairn: accelerator '${accelerator}': ${packageName} loaded but registered no '${TENSORFLOW_BACKEND}' backend.`,
      `${packageName} registered no backend`, false,
    );
  }
  if (!(await tf.setBackend(TENSORFLOW_BACKEND))) {
    throw new BackendUnavailableError(
      `cairn: accelerator '${accelerator}': the '${TENSORFLOW_BACKEND}' backend of ${packageName} failed to initialize. ${requirements}`,
      `${packageName} failed to initialize`, false,
    );
  }
  return description;
}
