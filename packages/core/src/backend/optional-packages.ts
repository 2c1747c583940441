import { createRequire } from 'node:module';

/** Loads a package by name; replaceable so tests can simulate the optional packages present, absent or broken. */
export type ModuleLoader = (name: string) => Promise<unknown>;

/**
 * tfjs-node(-gpu) and tfjs-backend-webgpu are CommonJS and resolve '@tensorflow/tfjs' to its CommonJS build,
 * the same instance this package imports. `require` also reports a missing package the same way under Node
 * and under bundlers or test runners that rewrite `import()` of an unresolvable name.
 */
const requireFromHere = createRequire(import.meta.url);

/**
 * The optional packages, each by its literal name so that a bundler sees them. `webgpu` (Dawn) is an ES
 * module, which Node 20 cannot `require`. tfjs-node(-gpu) stay out of bundles: they hold native addons.
 */
export const loadOptionalPackage: ModuleLoader = async (name) => {
  switch (name) {
    case 'webgpu':
      return import('webgpu');
    case '@tensorflow/tfjs-backend-webgpu': {
      // import(), not require: a bundler (the GPU check's esbuild) must see it. Node hands the CommonJS
      // exports over as `default`, the same module (and TF.js instance) that require returns.
      const module: { default?: unknown } = await import('@tensorflow/tfjs-backend-webgpu');
      return module.default ?? module;
    }
    case '@tensorflow/tfjs-node':
      return requireFromHere('@tensorflow/tfjs-node');
    case '@tensorflow/tfjs-node-gpu':
      return requireFromHere('@tensorflow/tfjs-node-gpu');
    default:
      throw new Error(`cairn: ${name} is not one of the optional packages`);
  }
};

/**
 * True when `error` says the package itself could not be found, as opposed to a package that is installed
 * but broken (its native addon missing, CUDA libraries absent), whose message also names the package but
 * inside a longer path.
 */
export function isPackageMissing(error: unknown, packageName: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = 'code' in error ? error.code : undefined;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && error.message.includes(`'${packageName}'`);
}
