import { isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/**
 * TensorFlow's and TensorBoard's own .proto files (packages/callbacks/proto), shipped with the
 * package: the same path from src/ and dist/.
 */
export const PROTO_DIR = fileURLToPath(new URL('../../proto/', import.meta.url));

/** The message types an event file needs, from the .proto text. */
export interface EventSchema {
  Event: protobuf.Type;
  HParamsPluginData: protobuf.Type;
}

let cached: EventSchema | undefined;

/** Parses the .proto files once per process. */
export function eventSchema(): EventSchema {
  if (cached !== undefined) return cached;
  const root = new protobuf.Root();
  // Imports name paths from the proto root ("tensorflow/core/framework/summary.proto");
  // google/protobuf/* resolve to the copies bundled with protobufjs.
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(PROTO_DIR, target));
  root.loadSync(['tensorflow/core/util/event.proto', 'tensorboard/plugins/hparams/plugin_data.proto']);
  root.resolveAll();
  cached = {
    Event: root.lookupType('tensorflow.Event'),
    HParamsPluginData: root.lookupType('tensorboard.hparams.HParamsPluginData'),
  };
  return cached;
}
