import seedrandom from 'seedrandom';

/**
 * TF.js has no global seed: weight initialisers, dropout masks and `tf.util.shuffle` all draw
 * from `Math.random`. Cairn replaces `Math.random` with one seeded Alea stream whose state can be
 * saved in a checkpoint and restored, which is what makes a resumed run bit-identical.
 */
export interface RandomState {
  seed: number;
  /** Alea generator state (four doubles); JSON round-trips it exactly. */
  alea: seedrandom.State.Alea;
}

const nativeRandom = Math.random;
type AleaPrng = seedrandom.StatefulPRNG<seedrandom.State.Alea>;
let current: { seed: number; prng: AleaPrng } | undefined;

function install(seed: number, prng: AleaPrng): void {
  current = { seed, prng };
  Math.random = () => prng();
}

/** Seeds every `Math.random` consumer (TF.js initialisers, dropout, shuffles) from `seed`. */
export function seedEverything(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new Error(`seed must be a non-negative safe integer, got ${String(seed)}`);
  }
  install(seed, seedrandom.alea(String(seed), { state: true }));
}

/** The seeded stream's state, or `undefined` when no seed was ever set. */
export function getRandomState(): RandomState | undefined {
  if (current === undefined) return undefined;
  return { seed: current.seed, alea: current.prng.state() };
}

/** Continues the stream exactly where `getRandomState()` captured it. */
export function setRandomState(state: RandomState): void {
  install(state.seed, seedrandom.alea('', { state: state.alea }));
}

/** Puts the platform's `Math.random` back (tests, or code that wants unseeded randomness). */
export function resetRandom(): void {
  current = undefined;
  Math.random = nativeRandom;
}
