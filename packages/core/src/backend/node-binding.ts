import * as tf from '@tensorflow/tfjs';
import { BackendUnavailableError, errorMessage } from './backend-unavailable.js';
import { isPackageMissing, type ModuleLoader } from './optional-packages.js';

export type { ModuleLoader } from './optional-packages.js';

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
  // Without CUDA, tfjs-node-gpu runs on the CPU without a word: only a backend on a GPU device counts as one.
  if (accelerator === 'gpu' && (tf.backend() as { isUsingGpuDevice?: boolean }).isUsingGpuDevice !== true) {
    throw new BackendUnavailableError(
      `cairn: accelerator 'gpu': ${packageName} loaded but found no GPU device (isUsingGpuDevice is false), so it would run on the CPU. ${requirements}`,
      `${packageName} found no GPU device`, false,
    );
  }
  return description;
}
