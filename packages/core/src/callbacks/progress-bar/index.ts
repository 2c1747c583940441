export { ProgressBar, type ProgressBarOptions } from './progress-bar.js';
export type { ProgressStream } from './terminal.js';
