// The everyday callbacks. ModelCheckpoint and ProgressBar live in @cairn/core (the Trainer adds
// them by default) and are re-exported here so every callback can be imported from one place.
export { ModelCheckpoint, ProgressBar } from '@cairn/core';
