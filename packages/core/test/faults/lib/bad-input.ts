import { expect } from 'vitest';

/** One invalid input and what its error must say. */
export interface BadInput {
  /** The option as the user spells it, e.g. 'maxEpochs'. */
  option: string;
  value: unknown;
  /** Words of the accepted values that the message must contain. */
  accepts: string;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'symbol' || value === undefined) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** Row title for test.each: `maxEpochs = -2`. */
export function title(row: BadInput): string {
  return `${row.option} = ${show(row.value)}`;
}

/**
 * Runs `make` and checks that it throws (or rejects with) an Error whose message names the
 * option and the accepted values. Shared by the core and callbacks tables.
 */
export async function expectClearRefusal(make: () => unknown, row: BadInput): Promise<void> {
  let caught: unknown;
  try {
    await make();
  } catch (error) {
    caught = error;
  }
  expect(caught, `${title(row)} was accepted`).toBeInstanceOf(Error);
  const { message } = caught as Error;
  expect(message, 'the message names the option').toContain(row.option);
  expect(message, 'the message says what is accepted').toContain(row.accepts);
}
