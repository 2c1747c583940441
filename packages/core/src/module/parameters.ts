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

function collect(prefix: string, value: unknown, out: NamedWeight[]): void {
  if (value instanceof tf.Variable) {
    out.push({ name: prefix, variable: value, trainable: value.trainable });
  } else if (value instanceof tf.LayersModel) {
    value.layers.forEach((layer, i) => {
      if (layer.weights.length > 0) out.push(...layerWeights(`${prefix}.${i}`, layer as unknown as LayerLike));
    });
  } else if (isLayerLike(value)) {
    out.push(...layerWeights(prefix, value));
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => collect(`${prefix}.${i}`, item, out));
  }
}

/**
 * Finds the weights held by an object's own fields: LayersModels, Layers, Variables and arrays of
 * them, in field order. Names are field paths (`net.0.kernel`), stable across runs.
 */
export function discoverWeights(owner: object, skip: ReadonlySet<string>): NamedWeight[] {
  const out: NamedWeight[] = [];
  for (const [field, value] of Object.entries(owner)) {
    if (!skip.has(field)) collect(field, value, out);
  }
  const seen = new Set<tf.Variable>();
  // A layer shared by two fields is one weight: keep the first name.
  return out.filter((w) => (seen.has(w.variable) ? false : (seen.add(w.variable), true)));
}
