import * as tf from '@tensorflow/tfjs';

/** The one field of TF.js's cpu backend (4.x) that decides whether its first write prints the banner. */
interface CpuBannerFlag {
  firstUse?: boolean;
}

/** The priority tfjs-backend-cpu registers 'cpu' with (its lowest; every other backend wins 'auto'). */
const CPU_PRIORITY = 1;

let installed = false;

function quieted(backend: tf.KernelBackend): tf.KernelBackend {
  const flagged = backend as tf.KernelBackend & CpuBannerFlag;
  if ('firstUse' in flagged) flagged.firstUse = false;
  return backend;
}

/**
 * TF.js's cpu backend prints "Hi, looks like you are running TensorFlow.js in Node.js ..." on its
 * first write. Cairn reports the backend it chose in its own line, and the data a user builds
 * before fit lives on cpu, so the banner would appear on every run whatever the backend. Every cpu
 * instance is created marked as used: TF.js builds a fresh one whenever it picks its default
 * backend, so marking one instance is not enough. Only that banner goes; TF.js's other warnings
 * stay on (its PROD flag would silence them all). Called at import, before any tensor exists.
 */
export function quietCpuBanner(): void {
  if (installed) return;
  installed = true;
  const factory = tf.findBackendFactory('cpu');
  if (factory === null) return;
  if (tf.getBackend() != null) {
    // TF.js already chose a backend (Cairn imported after tensors were made): replacing the
    // factory would drop the live cpu instance and its tensors, so quiet that instance only.
    const cpu = tf.findBackend('cpu');
    if (cpu !== null) quieted(cpu);
    return;
  }
  tf.removeBackend('cpu');
  tf.registerBackend('cpu', () => {
    const made = factory();
    return made instanceof Promise ? made.then(quieted) : quieted(made);
  }, CPU_PRIORITY);
}
