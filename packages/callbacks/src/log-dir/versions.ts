import { readdirSync } from 'node:fs';

/** Lightning's automatic version: one more than the highest `version_N` folder in `root` (0 when none). */
export function nextVersion(root: string): number {
  let names: string[];
  try {
    names = readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  const versions = names.map((name) => /^version_(\d+)$/.exec(name)?.[1]).filter((n): n is string => n !== undefined).map(Number);
  return versions.length === 0 ? 0 : Math.max(...versions) + 1;
}

/** Folder name of a version: `version_N` for numbers, the string itself otherwise (Lightning's rule). */
export function versionFolder(version: number | string): string {
  return typeof version === 'number' ? `version_${version}` : version;
}
