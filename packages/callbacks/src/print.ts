/** Where a callback prints its one-line notices; same shape and default as the Trainer's `log` option. */
export type Print = (line: string) => void;

export const defaultPrint: Print = (line) => console.error(line);
