import seedrandom from 'seedrandom';

/**
 * The order of epoch `epoch`: a Fisher-Yates permutation drawn from a generator seeded with
 * (seed, epoch) alone, so epoch 7 has the same order whether or not the run was interrupted.
 */
export function epochPermutation(length: number, seed: number, epoch: number): number[] {
  const random = seedrandom.alea(`cairn-loader:${seed}:${epoch}`);
  const order = Array.from({ length }, (_, i) => i);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
