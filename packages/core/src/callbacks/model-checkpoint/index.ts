export { ModelCheckpoint } from './model-checkpoint.js';
export type { ModelCheckpointOptions } from './options.js';
export type { RemoteCheckpointOptions } from './remote-options.js';
export {
  formatCheckpointName,
  CHECKPOINT_EQUALS_CHAR,
  CHECKPOINT_JOIN_CHAR,
  CHECKPOINT_NAME_LAST,
  FILE_EXTENSION,
  STARTING_VERSION,
  type FormatNameOptions,
} from './filename.js';
export { formatNumber } from './format-spec.js';
