/** Where a callback prints its one-line notices; same shape and default as the Trainer's `print` option
 * (`log` always means metrics: LightningModule.log). */
export type Print = (line: string) => void;

export const defaultPrint: Print = (line) => console.error(line);
