import * as tf from '@tensorflow/tfjs';

/** One weight of a module under a name that is the same in every run (unlike TF.js layer names). */
export interface NamedWeight {
  name: string;
  variable: tf.Variable;
  trainable: boolean;
}

interface LayerWeight {
  originalName: string;
  trainable: boolean;
  read(): tf.Tensor;
}

interface LayerLike {
  readonly weights: LayerWeight[];
}

function isLayerLike(value: unknown): value is LayerLike {
  return value instanceof tf.layers.Layer;
}

function lastSegment(originalName: string): string {
  return originalName.slice(originalName.lastIndexOf('/') + 1);
}

/**
 * Names a layer's weights `prefix.kernel`, `prefix.bias` ...; a layer whose weights share a last
 * segment (a nested model) numbers them instead: `prefix.0.kernel`, `prefix.1.kernel`.
 */
function layerWeights(prefix: string, layer: LayerLike): NamedWeight[] {
  const segments = layer.weights.map((w) => lastSegment(w.originalName));
  const unique = new Set(segments).size === segments.length;
  return layer.weights.map((w, j) => ({
    name: unique ? `${prefix}.${segments[j]}` : `${prefix}.${j}.${segments[j]}`,
    variable: w.read() as tf.Variable,
    trainable: w.trainable,
  }));
}

/** Where discovery looks inside a field's value, and what it passes over. */
interface Walk {
  /** Fields of a module (the owner, or a nested one) that never hold weights. */
  skip: ReadonlySet<string>;
  isModule: (value: unknown) => boolean;
  /** Containers already walked: a cycle between plain objects or modules ends here. */
  visited: Set<object>;
}

/**
 * Only plain objects are walked, never other class instances: an optimizer, a trainer or a data
 * loader held in a field also hold variables or tensors that are not the module's weights.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function collectFields(prefix: string, owner: object, skip: ReadonlySet<string> | undefined, walk: Walk, out: NamedWeight[]): void {
  for (const [field, value] of Object.entries(owner)) {
    if (skip?.has(field) !== true) collect(prefix === '' ? field : `${prefix}.${field}`, value, walk, out);
  }
}

function collect(prefix: string, value: unknown, walk: Walk, out: NamedWeight[]): void {
  if (value instanceof tf.Variable) {
    out.push({ name: prefix, variable: value, trainable: value.trainable });
  } else if (value instanceof tf.LayersModel) {
    value.layers.forEach((layer, i) => {
      if (layer.weights.length > 0) out.push(...layerWeights(`${prefix}.${i}`, layer as unknown as LayerLike));
    });
  } else if (isLayerLike(value)) {
    out.push(...layerWeights(prefix, value));
  } else if (Array.isArray(value) || isPlainObject(value) || walk.isModule(value)) {
    const container = value as object;
    if (walk.visited.has(container)) return;
    walk.visited.add(container);
    if (Array.isArray(container)) container.forEach((item, i) => collect(`${prefix}.${i}`, item, walk, out));
    else collectFields(prefix, container, walk.isModule(container) ? walk.skip : undefined, walk, out);
  }
}

/**
 * Finds the weights held by an object's own fields: LayersModels, Layers, Variables, and arrays,
 * plain objects and nested modules (`isModule`, walked without their `skip` fields) holding them,
 * in field order. Names are field paths (`net.0.kernel`, `heads.a.kernel`, `encoder.net.0.kernel`),
 * stable across runs. Throws when two different weights would get the same name.
 */
export function discoverWeights(owner: object, skip: ReadonlySet<string>, isModule: (value: unknown) => boolean): NamedWeight[] {
  const out: NamedWeight[] = [];
  collectFields('', owner, skip, { skip, isModule, visited: new Set([owner]) }, out);
  const seen = new Set<tf.Variable>();
  // A layer shared by two fields is one weight: keep the first name.
  const unique = out.filter((w) => (seen.has(w.variable) ? false : (seen.add(w.variable), true)));
  const names = new Set<string>();
  for (const { name } of unique) {
    // Possible with keys containing '.' ({ 'a.b': layer } next to { a: { b: layer } }): a checkpoint cannot hold both.
    if (names.has(name)) throw new Error(`two different weights are both named '${name}': rename one of the fields holding them`);
    names.add(name);
  }
  return unique;
}
