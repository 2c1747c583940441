import * as tf from '@tensorflow/tfjs';

interface CpuBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array | Int32Array): tf.TensorInfo;
}

const WIDENING: Readonly<Record<string, tf.DataType>> = { 'int32>float32': 'float32', 'bool>float32': 'float32', 'bool>int32': 'int32' };

let installed = false;

/**
 * TF.js's cpu Cast shares the input's buffer when a cast loses nothing (int32 or bool to
 * float32, bool to int32): one buffer then backs tensors of two dtypes. When such a tensor later
 * moves to the wasm backend (data built before `fit` chose wasm, e.g. `tf.oneHot(...).toFloat()`),
 * wasm copies the raw bytes and the float tensor reads integer bits: 1 becomes 1.4e-45. Cairn's
 * cpu Cast copies the values into an array of the target type instead.
 */
export function installCpuCastFix(): void {
  if (installed) return;
  const original = tf.getKernel('Cast', 'cpu');
  if (original === undefined) return;
  tf.unregisterKernel('Cast', 'cpu');
  tf.registerKernel({
    kernelName: 'Cast',
    backendName: 'cpu',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      const dtype = (args.attrs as { dtype: tf.DataType }).dtype;
      const target = WIDENING[`${x.dtype}>${dtype}`];
      if (target === undefined) return original.kernelFunc(args);
      const backend = args.backend as unknown as CpuBackend;
      const values = backend.readSync(x.dataId);
      return backend.makeTensorInfo(x.shape, target, target === 'float32' ? Float32Array.from(values) : Int32Array.from(values));
    },
  });
  installed = true;
}
